/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"
#include "discover.h"

struct selected_device {
        const struct device *device;
        const struct config_entry *entry; /* the first entry that chose it */
        const char *driver; /* explicit module from the config, "" = resolve */
        enum group_policy group;
        bool force;
        bool via_group; /* taken because another selected device's entry says group: all */
        bool all_functions; /* its entry says functions: all */
        bool via_functions; /* taken because another function of its card was (functions: all) */
        bool sriov_pf;  /* a PF whose entry has 'sriov': gets VFs, stays on its host driver */
        bool via_sriov; /* a VF taken because its PF's entry has 'sriov' */
        /* Another entry selects it and disagrees with entry (found on this host only): refused. */
        const struct config_entry *conflict;
        enum entry_conflict conflict_kind;
};

struct selection {
        struct selected_device *items;
        size_t n_items;
        const struct config_entry **unmatched; /* entries that matched no device */
        size_t n_unmatched;
};

bool entry_matches(const struct config_entry *e, const struct device *d);
/*
 * An entry that names one place (a PCI address, slot, path or serial number, another bus's
 * device name) and matched nothing
 * is "missing": the card was moved or removed. Entries that select by id or compatible may
 * match nothing, and so may one marked 'optional: true'.
 */
bool entry_is_missing(const struct config_entry *unmatched);
size_t selection_missing(const struct selection *sel);
void log_missing(const struct selection *sel);
/*
 * Two entries that disagree about one device (driver, 'sriov') cost that device only: the item
 * keeps both in entry and conflict, and plan refuses it. A kernel command line item gives way.
 */
int select_devices(const struct config *c, const struct snapshot *s, struct selection *ret);
void selection_done(struct selection *sel);

/*
 * SR-IOV: an entry with 'sriov: {numvfs: N}' selects a PF that is to have N VFs; the VFs, not
 * the PF, are bound (each resolved on its own, so variant drivers win), all of them or those
 * whose index (the PF's virtfnK link) is listed in 'vfs'. The PF stays on its host driver.
 * The rule that hands a VF to VFIO by its PF's entry, for select and for hotplug (udev): e has
 * 'sriov', it matches the PF, and the VF's index is below numvfs and listed in 'vfs' (if given).
 */
bool sriov_entry_selects_vf(const struct config_entry *e, const struct device *pf,
                            const struct device *vf);
