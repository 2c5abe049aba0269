/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The apply stage: the only code that writes /sys or loads modules. apply.c holds the
 * primitives that do (attribute writes, probes, module loads) and runs the plan; revert.c,
 * apply-release.c and apply-sriov.c call those primitives for their own steps.
 */

#include <libkmod.h>
#include <stdbool.h>

#include "discover.h"
#include "macro.h"
#include "plan.h"
#include "record.h"
#include "select.h"

#define LOCK_PATH "/run/vfio-bind.lock"
#define LOCK_WAIT_MS 5000

/* Outcome of one action once apply has run it (or not). */
enum outcome {
        OUTCOME_PLANNED,   /* plan / dry run: nothing was done */
        OUTCOME_UNCHANGED, /* already as configured */
        OUTCOME_CHANGED,
        OUTCOME_FAILED,
        OUTCOME_IN_SYNC, /* status */
        OUTCOME_DRIFT,   /* status */
        OUTCOME_RELEASED, /* apply: given back to a host driver, no entry selecting it (plan.h) */
        OUTCOME_FALLBACK, /* apply: its module failed, on vfio-pci instead ('fallback') */
};

struct result {
        const struct action *action;
        enum outcome outcome;
        unsigned steps_done;
        enum step failed_step;
        int error; /* negative errno of the failed step */
        char message[520];
        /* Not an error: why the device is on no driver by design (revert: host module blacklisted). */
        char note[160];
        /* The plan's warning, or what apply saw afterwards (a group VFIO cannot use). */
        char warning[256];
        /*
         * The driver apply bound it to: the target's, or the name the module registered once
         * loaded (a module not loaded at plan time can only be guessed, resolve.h).
         */
        char driver[DRIVER_NAME_MAX];
        bool rolled_back;
        bool for_group; /* failed only because a mate did, under 'group: all' (errno ECANCELED) */
        char previous_driver[DRIVER_NAME_MAX]; /* what it was on before apply or revert */
        char previous_override[DRIVER_NAME_MAX];
        /* Its reset_method before this run wrote the entry's (set-reset-method done): recorded. */
        char previous_reset_method[sizeof(((struct device *)0)->reset_method)];
};

struct sriov_run;

/* What apply works on besides the plan, which it only reads. */
struct apply_ctx {
        struct snapshot *snapshot; /* kept up to date with what apply sees, for the report */
        const struct selection *selection; /* 'group: all' */
        struct kmod_ctx *kmod;
        /* kmod NULL: why (the module index cannot be read), and its errno */
        const char *no_kmod_why;
        int no_kmod_error;
        /* The PFs apply_sriov_create worked on: a VF whose PF failed is left as it is. */
        const struct sriov_run *sriov;
};

/*
 * Runs the plan: per device load the module, set driver_override, unbind, probe, verify. A step
 * that fails puts the device back on its original driver. results[i] belongs to actions[i].
 * SR-IOV PFs are left to apply_sriov_create (their results say unchanged until
 * apply_sriov_finish). Returns the number of failed devices.
 */
size_t apply_plan(const struct plan *plan, const struct apply_ctx *ctx, struct result *results);

/* Writes back the reset_method a record kept (revert, a release); the step in res. */
int restore_reset_method(struct device *d, const char *methods, struct result *res);
/* After revert_device: the reset_method rec kept for d, if any, written back. */
int revert_reset_method(const struct record *rec, struct device *d, struct result *res);

/*
 * After a step failed: whether d has left sysfs. Then the message says so ("the device is
 * gone" and what), and d shows no driver, as the report must.
 */
bool result_device_gone(struct device *d, struct result *res, const char *what);

/*
 * After a step failed: d back on its original driver and override (what this run changed
 * undone), res->rolled_back set, or the message says where d was left.
 */
void device_roll_back(struct device *d, const char *original_driver, const char *original_override,
                      struct result *res);

/* Clears the override and hands the device back to a host driver (loading it if needed). */
int revert_device(const struct apply_ctx *ctx, struct device *d, struct result *res);

/*
 * Runs plan->releases through revert_device: results[i] belongs to releases[i] ("released",
 * or "failed"). A device someone changed since the plan (rec says what vfio-bind left) is left
 * alone. Returns the failures.
 */
size_t apply_releases(const struct plan *plan, const struct record *rec,
                      const struct apply_ctx *ctx, struct result *results);

/* One run at a time: waits up to wait_ms for the lock, then fails. Returns an fd. */
int take_run_lock(int wait_ms);

/*
 * SR-IOV, before apply_plan: for each PF action of the plan with steps, sriov_drivers_autoprobe
 * to 0 (so that no host VF driver grabs the new VFs before their driver_override is set), then
 * sriov_numvfs. Afterwards the orchestrator plans again over a snapshot that has the VFs.
 */
struct sriov_pf_run {
        char name[BUS_DEVICE_NAME_MAX]; /* a PF: always a PCI address */
        bool autoprobe_changed; /* we wrote 0 over 1 */
        struct result result;   /* action is not set: apply_sriov_finish puts it in place */
};

struct sriov_run {
        struct sriov_pf_run *pfs;
        size_t n_pfs;
};

/* > 0 when a PF changed (plan again), 0 when none did, -ENOMEM. */
int apply_sriov_create(const struct plan *plan, struct sriov_run *run);
/*
 * After apply_plan over the new plan: each PF's result from apply_sriov_create in place, then
 * apply_sriov_restore. Returns the failed PFs.
 */
size_t apply_sriov_finish(const struct plan *plan, const struct apply_ctx *ctx,
                          struct sriov_run *run, struct result *results);
/*
 * sriov_drivers_autoprobe back to 1 where apply_sriov_create wrote 0, and the new VFs the
 * selection leaves out probed by their host drivers. Alone when planning again failed.
 */
void apply_sriov_restore(const struct apply_ctx *ctx, struct sriov_run *run);
void sriov_run_done(struct sriov_run *run);

/* The primitives: only apply.c writes to /sys and loads modules (tests/lint/stages.sh). */
int device_attr_write(const struct device *d, const char *attr, const char *value);
/* The same for a device known by name (a PF, a VF not in the snapshot). */
int device_name_attr_write(enum bus bus, const char *name, const char *attr, const char *value);
/* drivers_probe: succeeds whether or not a driver took the device. */
int device_probe(enum bus bus, const char *name);
/*
 * The probe by one driver. Unlike drivers_probe, the kernel's bind_store returns the probe's own
 * error (vfio-pci: EINVAL without an IOMMU group, ...), and that is what the report should name.
 */
int device_bind_to(const struct device *d, const char *driver);

/*
 * Loads through libkmod as modprobe would: dependencies, softdeps, and modprobe.d blacklists.
 * Returns 0, LOAD_ALREADY (loaded or built in: nothing done), LOAD_BLACKLISTED, or a negative
 * errno (the kernel's: EPERM is lockdown or a missing capability, not a blacklist).
 */
#define LOAD_BLACKLISTED 1
#define LOAD_ALREADY 2
int module_load(struct kmod_ctx *ctx, const char *name);

/* res failed at step with error (< 0): the message is the formatted text, ": ", strerror. */
_printf_(4, 5) void result_fail(struct result *res, enum step step, int error, const char *fmt, ...);

/*
 * fsl-mc: the container of object d, read again (an earlier device of this run may have moved
 * it); NULL when it is gone or cannot be read.
 */
struct device *fsl_mc_reread_container(struct snapshot *s, const struct device *d);
