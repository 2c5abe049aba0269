/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * SR-IOV: an entry with 'sriov: {numvfs: N}' selects a PF that is to have N VFs; the VFs, not
 * the PF, are bound (each resolved on its own, so variant drivers win), all of them or those
 * whose index (the PF's virtfnK link) is listed in 'vfs'. The PF stays on its host driver.
 *
 * Apply runs in two phases (verb_apply): phase 1 writes sriov_numvfs on the PFs whose count
 * differs, with sriov_drivers_autoprobe at 0 so that no host VF driver grabs the new VFs; the
 * pipeline then runs again over a fresh snapshot, which has the VFs, and apply_plan binds them
 * as any other device (driver_override, drivers_probe). Phase 2 puts the PF's result from
 * phase 1 into the report, then restores sriov_drivers_autoprobe and probes the VFs the
 * configuration left out, so that they reach the host driver as the kernel would have done.
 */

#include "pipeline.h"
#include "report.h"

#define SYSFS_PCI_DRIVERS_PROBE "/sys/bus/pci/drivers_probe"

/* discover: sets vf_index of every VF from its PF's virtfnK links (-1 elsewhere). */
void sriov_discover(struct snapshot *s);
/* The K of pf's virtfnK link naming vf, read from sysfs (for one device, e.g. from udev); -ENOENT. */
int sriov_vf_index(const char *pf, const char *vf);

/*
 * The rule that hands a VF to VFIO by its PF's entry, for select and for hotplug (udev): e has
 * 'sriov', it matches the PF, and the VF's index is below numvfs and listed in 'vfs' (if given).
 */
bool sriov_entry_selects_vf(const struct config_entry *e, const struct device *pf,
                            const struct device *vf);
/* select: adds the VFs that the PFs' entries select, after the entries' own matches. */
int sriov_select_vfs(const struct config *c, const struct snapshot *s, struct selection *sel,
                     size_t capacity);

/* plan (pure): the PF's action (create/remove VFs, or an error), and the VFs of a PF in error. */
void sriov_plan_pf(const struct selected_device *item, struct action *a);
void sriov_plan_vfs(struct plan *p);
/* report: "remove 2 VFs" / "create 4 VFs" for a planned step. */
int sriov_step_text(const struct action *a, enum step s, char *buf, size_t size);

struct sriov_pf_run {
        char name[BUS_DEVICE_NAME_MAX]; /* a PF: always a PCI address */
        bool autoprobe_changed; /* we wrote 0 over 1 */
        struct result result;   /* action is not set: phase 2 puts it in place */
};

struct sriov_run {
        struct sriov_pf_run *pfs;
        size_t n_pfs;
};

/* Phase 1: VFs created or re-created; then config -> plan once more over the new snapshot. */
int sriov_apply_phase1(struct pipeline *p, struct sriov_run *run);
/* Phase 2, after apply_plan: PF results in place, autoprobe restored. Returns failed PFs. */
size_t sriov_apply_phase2(struct pipeline *p, struct sriov_run *run, struct result *results);
/*
 * sriov_drivers_autoprobe back to 1 where phase 1 wrote 0, and the new VFs the selection leaves
 * out probed by their host drivers. Part of phase 2; alone when planning again failed.
 */
void sriov_restore_autoprobe(struct pipeline *p, struct sriov_run *run);
/*
 * Before coldplug (the early run) a PF has no driver yet, so no VFs: its driver's "bind" event
 * brings the udev rule back for it. The first says whether a is such a PF; the second turns
 * such errors into a notice, for the early run.
 */
bool sriov_pf_waits_for_driver(const struct action *a);
void sriov_defer_driverless_pfs(struct plan *p);
void sriov_run_done(struct sriov_run *run);
