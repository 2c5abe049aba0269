/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "discover.h"
#include "record.h"
#include "resolve.h"
#include "select.h"

enum step {
        STEP_SET_RESET_METHOD = 1 << 0, /* the entry's 'reset_method', before anything is bound */
        STEP_LOAD_MODULE = 1 << 1,
        STEP_SET_OVERRIDE = 1 << 2,
        STEP_UNBIND = 1 << 3,
        STEP_PROBE = 1 << 4,
        STEP_REMOVE_VFS = 1 << 5, /* SR-IOV PF: sriov_numvfs = 0 first ('replace') */
        STEP_CREATE_VFS = 1 << 6, /* SR-IOV PF: sriov_numvfs = N */
};
#define STEP_FIRST STEP_SET_RESET_METHOD
#define STEP_LAST STEP_CREATE_VFS

enum action_kind {
        ACTION_NONE,  /* already as configured */
        ACTION_BIND,  /* steps to run */
        ACTION_ERROR, /* cannot be done; reason says why */
        ACTION_RELEASE, /* bound by vfio-bind, selected no more: back to a host driver (plan_releases) */
};

struct action {
        const struct selected_device *item;
        const struct target *target;
        enum action_kind kind;
        unsigned steps;
        bool waits_for_driver; /* an SR-IOV PF refused only because it has no driver yet */
        char reason[512];
        char warning[256];
        /* Why its IOMMU group is not viable with the host as it is now, "" when it is (status). */
        char unviable[160];
        bool group_refused; /* refused only because a mate is, under 'group: all' */
};

struct plan {
        struct action *actions;
        size_t n_actions;
        /* After the actions, in results too: their items and targets belong to the plan. */
        struct action *releases;
        size_t n_releases;
        struct selected_device *release_items;
        struct target *release_targets;
};

/* Pure: no I/O. targets[i] belongs to sel->items[i]. */
int plan_build(const struct selection *sel, const struct target *targets,
               const struct snapshot *snapshot, struct plan *ret);
void plan_done(struct plan *p);
/* The actions, then the releases: index i of the results that report them. */
static inline const struct action *plan_action(const struct plan *p, size_t i)
{
        return i < p->n_actions ? &p->actions[i] : &p->releases[i - p->n_actions];
}
const char *step_name(enum step s);
/*
 * VFIO can use a group only when each endpoint in it is on a vfio driver or on none; bridges do
 * not count. The first of d's mates in the way as the snapshot is now: "IOMMU group N is not
 * viable: ADDR is on DRIVER" in buf, or false.
 */
bool group_unviable(const struct snapshot *s, const struct device *d, char *buf, size_t size);
/* Whether an entry with 'group: all' selects a member of d's IOMMU group: it moves whole. */
bool group_moves_whole(const struct selection *sel, const struct device *d);

/*
 * SR-IOV (plan-sriov.c): the PF's action (create/remove VFs, or an error), and the VFs of a PF
 * in error. The VFs themselves are planned as any device once they exist: the orchestrator
 * plans again after apply created them (pipeline.h).
 */
void sriov_plan_pf(const struct selected_device *item, struct action *a);
void sriov_plan_vfs(struct plan *p);
/* "remove 2 VFs" / "create 4 VFs" for a planned step. */
int sriov_step_text(const struct action *a, enum step s, char *buf, size_t size);
/*
 * Before coldplug (the early run) a PF has no driver yet, so no VFs: its driver's "bind" event
 * brings the udev rule back for it. The first says whether a is such a PF; the second turns
 * such errors into a notice, for the early run.
 */
bool sriov_pf_waits_for_driver(const struct action *a);
void sriov_defer_driverless_pfs(struct plan *p);

/*
 * Convergence: a device vfio-bind bound (record.h) that no entry selects any more goes back to
 * its host driver. Pure: a release action per recorded device of this origin that no entry
 * selects and that is still as vfio-bind left it (record_owns), in snapshot order, into
 * p->releases. apply_releases (apply.h) runs them.
 */
int plan_releases(struct plan *p, const struct record *rec, const char *origin,
                  const struct selection *sel, const struct snapshot *s);
