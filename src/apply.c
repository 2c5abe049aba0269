/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <libkmod.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "log.h"
#include "sysfs.h"

int take_run_lock(int wait_ms)
{
        int fd, waited = 0;

        fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return log_error_errno(errno, "Cannot open lock %s: %m", LOCK_PATH);
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                struct timespec ts = { 0, 50 * 1000 * 1000 };

                if (errno != EWOULDBLOCK) {
                        close(fd);
                        return log_error_errno(errno, "Cannot lock %s: %m", LOCK_PATH);
                }
                if (waited >= wait_ms) {
                        close(fd);
                        return log_error_errno(EBUSY, "Another vfio-bind is running (%s held for "
                                               "%d ms); try again when it is done", LOCK_PATH,
                                               wait_ms);
                }
                nanosleep(&ts, NULL);
                waited += 50;
        }
        return fd;
}

/* One write() of the whole value, as the kernel wants it; short writes are errors. */
static int sysfs_write(const char *path, const char *value)
{
        _cleanup_close_ int fd = -1;
        size_t len = strlen(value);
        ssize_t n;

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = write(fd, value, len);
        if (n < 0)
                return negative_errno();
        if ((size_t)n != len)
                return -EIO;
        /* Some attributes act on close; a failure there is the kernel's answer too. */
        if (close(TAKE_FD(fd)) < 0)
                return negative_errno();
        return 0;
}

int device_attr_write(const struct device *d, const char *attr, const char *value)
{
        char path[256];
        int r;

        r = device_attr_path(d, attr, path, sizeof(path));
        if (r < 0)
                return r;
        return sysfs_write(path, value);
}

int device_name_attr_write(enum bus bus, const char *name, const char *attr, const char *value)
{
        char path[256];
        int r;

        r = path_join(path, sizeof(path), "%s/%s/%s", bus_get(bus)->devices_dir, name, attr);
        if (r < 0)
                return r;
        return sysfs_write(path, value);
}

int device_probe(enum bus bus, const char *name)
{
        return sysfs_write(bus_get(bus)->drivers_probe, name);
}

int device_bind_to(const struct device *d, const char *driver)
{
        char path[256];
        int r;

        r = path_join(path, sizeof(path), "/sys/bus/%s/drivers/%s/bind", bus_get(d->bus)->name,
                      driver);
        if (r < 0)
                return r;
        return sysfs_write(path, d->name);
}

int module_load(struct kmod_ctx *ctx, const char *name)
{
        struct kmod_module *mod = NULL;
        int r, state;

        r = kmod_module_new_from_name(ctx, name, &mod);
        if (r < 0)
                return r;
        /* An earlier device of this run may have loaded it already. */
        state = kmod_module_get_initstate(mod);
        if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING) {
                kmod_module_unref(mod);
                return LOAD_ALREADY;
        }
        r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
        kmod_module_unref(mod);
        if (r == KMOD_PROBE_APPLY_BLACKLIST)
                return LOAD_BLACKLISTED;
        return r < 0 ? r : 0;
}

void result_fail(struct result *res, enum step step, int error, const char *fmt, ...)
{
        char what[160];
        va_list ap;

        res->outcome = OUTCOME_FAILED;
        res->failed_step = step;
        res->error = error;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        snprintf(res->message, sizeof(res->message), "%s: %s", what, strerror(-error));
}

bool result_device_gone(struct device *d, struct result *res, const char *what)
{
        size_t n = strlen(res->message);

        if (device_refresh(d) != -ENODEV)
                return false;
        snprintf(res->message + n, sizeof(res->message) - n, " (the device is gone%s)", what);
        d->driver[0] = d->driver_override[0] = '\0';
        return true;
}

/*
 * Undo what this run did to the device: its own override back, off any other driver (a member
 * of a group moved back), and its original driver's probe. When that fails the message says
 * where the device was left.
 */
void device_roll_back(struct device *d, const char *original_driver, const char *original_override,
                      struct result *res)
{
        size_t n = strlen(res->message);
        int r;

        r = device_attr_write(d, "driver_override", *original_override ? original_override : "\n");
        if (r < 0)
                log_debug_errno(r, "%s: cannot restore driver_override: %m", d->name);
        if (result_device_gone(d, res, ": nothing to roll back"))
                return;
        if (d->driver[0] && !streq(d->driver, original_driver) &&
            device_attr_write(d, "driver/unbind", d->name) < 0)
                log_debug("%s: cannot unbind '%s'", d->name, d->driver);
        /* One that was on no driver stays there: a probe could hand it to a host driver. */
        if (device_refresh(d) == 0 && !d->driver[0] && *original_driver)
                (void)device_probe(d->bus, d->name);
        if (device_refresh(d) == 0 && streq(d->driver, original_driver) &&
            streq(d->driver_override, original_override)) {
                res->rolled_back = true;
                return;
        }
        snprintf(res->message + n, sizeof(res->message) - n, "%snot put back on %s%s%s: left on %s%s%s",
                 n ? "; " : "", *original_driver ? "'" : "",
                 *original_driver ? original_driver : "no driver", *original_driver ? "'" : "",
                 *d->driver ? "'" : "", *d->driver ? d->driver : "no driver", *d->driver ? "'" : "");
        log_warning("%s: rolling back failed: %s", d->name,
                    res->message + n + (n ? strlen("; ") : 0));
}

struct device *fsl_mc_reread_container(struct snapshot *s, const struct device *d)
{
        struct device *c = snapshot_device(s, snapshot_find_name(s, BUS_FSL_MC, d->container));

        return c && device_refresh(c) == 0 ? c : NULL;
}

/*
 * fsl-mc: plan let an object through because its container is on (or was to go to) the vfio
 * driver. If the container's own bind failed in this run, binding the object would fail too, in
 * a way that hides why: say why instead, before anything is written.
 */
static bool fsl_mc_container_on(struct snapshot *s, const struct device *d, const char *driver,
                                struct result *res)
{
        struct device *c;

        if (!fsl_mc_in_container(d))
                return true;
        c = fsl_mc_reread_container(s, d);
        if (c && streq(c->driver, driver))
                return true;
        result_fail(res, 0, -ENODEV, "container");
        snprintf(res->message, sizeof(res->message),
                 "its container %.32s is on %.32s, not %.32s; the object goes only with its "
                 "container", d->container, c && c->driver[0] ? c->driver : "no driver", driver);
        return false;
}

/* The entry's reset methods, the old ones kept in res: -errno with res failed. */
static int set_reset_method(struct device *d, const struct config_entry *e, struct result *res)
{
        int r;

        snprintf(res->previous_reset_method, sizeof(res->previous_reset_method), "%s",
                 d->reset_method);
        r = device_attr_write(d, "reset_method", e->reset_method);
        if (r < 0) {
                result_fail(res, STEP_SET_RESET_METHOD, r, "cannot set reset_method to '%s'",
                            e->reset_method);
                return r;
        }
        res->steps_done |= STEP_SET_RESET_METHOD;
        (void)device_refresh(d);
        return 0;
}

int restore_reset_method(struct device *d, const char *methods, struct result *res)
{
        int r;

        /* Nothing enabled before: the kernel takes an empty value (a newline) for that. */
        r = device_attr_write(d, "reset_method", methods[0] ? methods : "\n");
        if (r < 0) {
                result_fail(res, STEP_SET_RESET_METHOD, r, "cannot put reset_method back to '%s'",
                            methods);
                return r;
        }
        res->steps_done |= STEP_SET_RESET_METHOD;
        (void)device_refresh(d);
        return 0;
}

/* The module, unless an earlier device of this run loaded it: -errno with res failed. */
static int load_target_module(const struct apply_ctx *ctx, const char *module, struct result *res)
{
        int r = module_load(ctx->kmod, module);

        if (r == LOAD_BLACKLISTED) {
                result_fail(res, STEP_LOAD_MODULE, -EPERM, "blacklisted");
                /* Not the kernel's refusal: no errno text. */
                snprintf(res->message, sizeof(res->message),
                         "module '%s' is blacklisted in modprobe.d ('blacklist %s'); "
                         "not loading it", module, module);
                return -EPERM;
        }
        if (r < 0) {
                result_fail(res, STEP_LOAD_MODULE, r, "cannot load module '%s'", module);
                return r;
        }
        if (r != LOAD_ALREADY)
                res->steps_done |= STEP_LOAD_MODULE;
        return 0;
}

/*
 * Puts d on module's driver (res->driver, the name the module registers once loaded): load,
 * override, unbind, bind, verify. 0 with res's outcome set, or -errno with res failed and the
 * device not rolled back yet.
 */
static int move_to(const struct apply_ctx *ctx, struct device *d, const char *module, bool load,
                   struct result *res)
{
        char *driver = res->driver;
        int r;

        if (load && load_target_module(ctx, module, res) < 0)
                return res->error;
        /* Only the module knows its driver's name: read it now that it is in the kernel. */
        if (!module_bus_driver_name(d->bus, module, driver, sizeof(res->driver)))
                log_debug("%s: module '%s' lists no %s driver; using '%s'", d->name, module,
                          bus_get(d->bus)->name, driver);
        if (streq(d->driver, driver) && streq(d->driver_override, driver)) {
                res->outcome = res->steps_done ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
                return 0;
        }

        /* Already set (the device drifted off its driver only): no write needed. */
        if (!streq(d->driver_override, driver)) {
                r = device_attr_write(d, "driver_override", driver);
                if (r < 0) {
                        result_fail(res, STEP_SET_OVERRIDE, r, "cannot set driver_override to '%s'",
                             driver);
                        return r;
                }
                res->steps_done |= STEP_SET_OVERRIDE;
        }

        if (d->driver[0] && !streq(d->driver, driver)) {
                r = device_attr_write(d, "driver/unbind", d->name);
                if (r < 0) {
                        result_fail(res, STEP_UNBIND, r, "cannot unbind '%s'", d->driver);
                        return r;
                }
                res->steps_done |= STEP_UNBIND;
        }
        r = device_refresh_binding(d);
        if (r >= 0 && !d->driver[0]) {
                r = device_bind_to(d, driver);
                if (r == -ENOENT) {
                        result_fail(res, STEP_PROBE, r, "no %s driver '%s' is registered (module '%s')",
                             bus_get(d->bus)->name, driver, module);
                        return r;
                }
                if (r < 0) {
                        result_fail(res, STEP_PROBE, r, "probe by '%s' failed", driver);
                        return r;
                }
                res->steps_done |= STEP_PROBE;
                r = device_refresh_binding(d);
        }
        if (r < 0) {
                result_fail(res, STEP_PROBE, r, "cannot read the state of %s", d->name);
                return r;
        }
        if (!streq(d->driver, driver)) {
                result_fail(res, STEP_PROBE, -ENODEV,
                     "'%s' did not take the device (the kernel log says why)", driver);
                return -ENODEV;
        }
        res->outcome = OUTCOME_CHANGED;
        return 0;
}

/*
 * 'fallback: vfio_pci': the chosen module failed to load or probe, and d is back where it was.
 * It goes to the bus's own VFIO driver instead; the result keeps the variant's step and errno.
 */
static bool fallback_applies(const struct action *a, const struct device *d,
                             const struct result *res)
{
        const struct config_entry *e = a->item->entry;

        return e && e->fallback && d->bus == BUS_PCI &&
               (res->failed_step == STEP_LOAD_MODULE || res->failed_step == STEP_PROBE) &&
               !streq(a->target->module, bus_get(d->bus)->vfio_module);
}

static void fall_back(const struct apply_ctx *ctx, struct device *d, const char *original_driver,
                      const char *original_override, struct result *res)
{
        const struct bus_ops *ops = bus_get(d->bus);
        struct result variant = *res;
        int r;

        res->outcome = OUTCOME_PLANNED;
        res->steps_done &= STEP_SET_RESET_METHOD; /* written before, kept for vfio-pci */
        res->rolled_back = false;
        res->message[0] = '\0';
        snprintf(res->driver, sizeof(res->driver), "%s", ops->vfio_driver);
        r = device_refresh(d);
        if (r < 0)
                result_fail(res, 0, r, "cannot read the state of %s", d->name);
        else
                r = move_to(ctx, d, ops->vfio_module, true, res);
        if (r < 0) {
                char fallback_error[sizeof(res->message)];

                if (r != -ENODEV && res->failed_step != STEP_LOAD_MODULE)
                        device_roll_back(d, original_driver, original_override, res);
                /* The second error, with where the device was left: both are the truth. */
                snprintf(fallback_error, sizeof(fallback_error), "%s", res->message);
                snprintf(res->message, sizeof(res->message), "%.200s; fallback to %.16s: %.250s",
                         variant.message, ops->vfio_driver, fallback_error);
                return;
        }
        res->outcome = OUTCOME_FALLBACK;
        res->failed_step = variant.failed_step;
        res->error = variant.error;
        snprintf(res->message, sizeof(res->message), "%.300s; on %s instead ('fallback')",
                 variant.message, res->driver);
}

static void apply_one(const struct apply_ctx *ctx, const struct action *a, struct result *res)
{
        /* The snapshot is ours to update: later stages and the report see the new state. */
        struct device *d = snapshot_device(ctx->snapshot, a->item->device);
        const struct target *t = a->target;
        char original_driver[DRIVER_NAME_MAX], original_override[DRIVER_NAME_MAX];
        int r;

        if (!d) {
                result_fail(res, 0, -EINVAL, "%s is not in this run's snapshot",
                            a->item->device->name);
                return;
        }

        /*
         * An earlier device of this run may have moved it: an fsl-mc container takes its objects
         * along. Then it changed in this run, and there is nothing left to do.
         */
        r = device_refresh(d);
        if (r < 0) {
                /* No step: nothing was written. */
                result_fail(res, 0, r, r == -ENODEV ? "%s is gone from sysfs" : "cannot read the state of %s",
                     d->name);
                return;
        }
        if ((a->steps & STEP_SET_RESET_METHOD) && set_reset_method(d, a->item->entry, res) < 0)
                return; /* the first step: nothing to roll back */
        if (streq(d->driver, t->driver) && streq(d->driver_override, t->driver) && t->driver[0]) {
                res->outcome = OUTCOME_CHANGED;
                return;
        }
        if (!fsl_mc_container_on(ctx->snapshot, d, t->driver, res))
                return;
        snprintf(original_driver, sizeof(original_driver), "%s", d->driver);
        snprintf(original_override, sizeof(original_override), "%s", d->driver_override);

        if (move_to(ctx, d, t->module, a->steps & STEP_LOAD_MODULE, res) == 0)
                return;
        /* A module that does not load fails before anything of the device is written. */
        if (res->failed_step != STEP_LOAD_MODULE)
                device_roll_back(d, original_driver, original_override, res);
        if (fallback_applies(a, d, res))
                fall_back(ctx, d, original_driver, original_override, res);
        /* Back where it was: its reset methods too (vfio-pci: the fallback keeps the entry's). */
        if (res->outcome == OUTCOME_FAILED && (res->steps_done & STEP_SET_RESET_METHOD) &&
            device_attr_write(d, "reset_method", res->previous_reset_method[0]
                                                         ? res->previous_reset_method
                                                         : "\n") == 0) {
                res->steps_done &= ~(unsigned)STEP_SET_RESET_METHOD;
                (void)device_refresh(d);
        }
}

/* 'group: all': the member of d's IOMMU group that failed on its own, among the n results. */
static const struct result *group_failure(const struct apply_ctx *ctx, const struct result *results,
                                          size_t n, const struct device *d)
{
        if (d->iommu_group < 0 || !group_moves_whole(ctx->selection, d))
                return NULL;
        for (size_t j = 0; j < n; j++) {
                const struct device *o = results[j].action->item->device;

                if (o != d && o->iommu_group == d->iommu_group &&
                    results[j].outcome == OUTCOME_FAILED && !results[j].for_group)
                        return &results[j];
        }
        return NULL;
}

static void fail_for_group(struct result *res, const struct result *culprit, const char *what)
{
        const struct device *o = culprit->action->item->device;

        res->outcome = OUTCOME_FAILED;
        res->for_group = true;
        res->failed_step = 0;
        res->error = -ECANCELED;
        snprintf(res->message, sizeof(res->message),
                 "%s: %s of IOMMU group %d failed, and 'group: all' moves the group whole", what,
                 o->name, o->iommu_group);
}

/*
 * 'group: all' is all or nothing: once a member failed, the rest of its group is left alone, and
 * the members this run moved go back where they were. Returns how many failed for that.
 */
static size_t undo_split_groups(const struct apply_ctx *ctx, struct result *results, size_t n)
{
        size_t failed = 0;

        for (size_t i = 0; i < n; i++) {
                struct result *res = &results[i];
                struct device *d = snapshot_device(ctx->snapshot, res->action->item->device);
                const struct result *culprit;

                if (!d || res->outcome != OUTCOME_CHANGED || !res->steps_done ||
                    !(culprit = group_failure(ctx, results, n, d)))
                        continue;
                fail_for_group(res, culprit, "moved back");
                device_roll_back(d, res->previous_driver, res->previous_override, res);
                log_error("%s: %s", d->name, res->message);
                failed++;
        }
        return failed;
}

/*
 * A group left half-moved (a member failed, a mate was refused or left out) cannot be used by
 * VFIO: say so on each device that is on its vfio driver, as the host is after this run.
 */
static void warn_unviable_groups(const struct apply_ctx *ctx, struct result *results, size_t n)
{
        /* Devices this run did not refresh may have moved too (fsl-mc objects with their container). */
        for (size_t i = 0; i < ctx->snapshot->n_devices; i++) {
                struct device *o = &ctx->snapshot->devices[i];
                bool mate = false;

                for (size_t j = 0; j < n && !mate && o->iommu_group >= 0; j++)
                        mate = results[j].action->item->device->iommu_group == o->iommu_group;
                if (mate && device_refresh_binding(o) == -ENODEV)
                        o->driver[0] = '\0';
        }
        for (size_t i = 0; i < n; i++) {
                struct result *res = &results[i];
                const struct device *d = res->action->item->device;

                if (!res->warning[0] && driver_is_vfio(d->driver) &&
                    group_unviable(ctx->snapshot, d, res->warning, sizeof(res->warning)))
                        log_warning("%s: %s", d->name, res->warning);
        }
}

/* d is a VF whose PF apply_sriov_create failed on: the name of that PF, else NULL. */
static const char *failed_pf_of(const struct apply_ctx *ctx, const struct device *d)
{
        char physfn[PCI_ADDRESS_MAX];

        if (!ctx->sriov || !d->is_virtfn)
                return NULL;
        pci_address_format(&d->physfn, physfn);
        for (size_t i = 0; i < ctx->sriov->n_pfs; i++)
                if (streq(ctx->sriov->pfs[i].name, physfn) &&
                    ctx->sriov->pfs[i].result.outcome == OUTCOME_FAILED)
                        return ctx->sriov->pfs[i].name;
        return NULL;
}

size_t apply_plan(const struct plan *plan, const struct apply_ctx *ctx, struct result *results)
{
        size_t failed = 0;

        for (size_t i = 0; i < plan->n_actions; i++) {
                const struct action *a = &plan->actions[i];
                struct result *res = &results[i];
                const struct device *d = a->item->device;
                const struct result *culprit;
                const char *pf;

                *res = (struct result){ .action = a, .for_group = a->group_refused };
                snprintf(res->previous_driver, sizeof(res->previous_driver), "%s", d->driver);
                snprintf(res->previous_override, sizeof(res->previous_override), "%s",
                         d->driver_override);
                snprintf(res->warning, sizeof(res->warning), "%s", a->warning);
                snprintf(res->driver, sizeof(res->driver), "%s", a->target->driver);
                if (a->kind == ACTION_ERROR) {
                        res->outcome = OUTCOME_FAILED;
                        snprintf(res->message, sizeof(res->message), "%s", a->reason);
                } else if (a->kind == ACTION_NONE || a->item->sriov_pf)
                        res->outcome = OUTCOME_UNCHANGED; /* a PF's VFs: apply_sriov_create */
                else if ((culprit = group_failure(ctx, results, i, d)))
                        fail_for_group(res, culprit, "not moved");
                else if ((pf = failed_pf_of(ctx, d))) {
                        /* Nothing half-done: its PF's VFs were not made anew as planned. */
                        res->outcome = OUTCOME_FAILED;
                        res->warning[0] = '\0';
                        snprintf(res->message, sizeof(res->message),
                                 "its PF %s is not as configured (see there); left as it is", pf);
                }
                else
                        apply_one(ctx, a, res);
                if (res->outcome == OUTCOME_FAILED) {
                        failed++;
                        log_error("%s: %s", d->name, res->message);
                } else if (res->outcome == OUTCOME_FALLBACK) {
                        /* Not on the driver the configuration chose: not a success (vfio-bind(8)). */
                        failed++;
                        log_warning("%s: %s", d->name, res->message);
                } else if (res->outcome == OUTCOME_CHANGED)
                        log_info("%s: bound to %s", d->name, res->driver);
        }
        failed += undo_split_groups(ctx, results, plan->n_actions);
        warn_unviable_groups(ctx, results, plan->n_actions);
        return failed;
}
