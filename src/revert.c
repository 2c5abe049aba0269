/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "apply.h"
#include "log.h"
#include "sysfs.h"

/*
 * fsl-mc: an object handed back alone would sit on a host driver inside a container that vfio
 * still owns (the kernel only warns). Reverting the container brings its objects back with it.
 */
static int fsl_mc_container_off_vfio(struct snapshot *s, const struct device *d,
                                     struct result *res)
{
        struct device *c;

        if (!fsl_mc_in_container(d))
                return 0;
        c = fsl_mc_reread_container(s, d);
        if (!c || !driver_is_vfio(c->driver))
                return 0;
        result_fail(res, 0, -EBUSY, "container");
        snprintf(res->message, sizeof(res->message),
                 "its container %.32s is on %.32s; revert the container, which brings its objects "
                 "back with it", c->name, c->driver);
        return -EBUSY;
}

/* A VF whose PF has sriov_drivers_autoprobe 0: the kernel lets no host driver probe it. */
static bool vf_autoprobe_off(const struct device *d, char *pf, size_t size)
{
        char path[128], value[8];

        if (!d->is_virtfn || size < PCI_ADDRESS_MAX)
                return false;
        pci_address_format(&d->physfn, pf);
        return path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_drivers_autoprobe", pf) == 0 &&
               sysfs_read(path, value, sizeof(value)) == 0 && streq(value, "0");
}

struct hand_back {
        char blacklisted[MODULE_NAME_MAX]; /* the first matching module modprobe.d refuses */
        enum step step;                    /* the first step that failed, with its error */
        int error;
        char what[MODULE_NAME_MAX + 40];
};

/* One host module by d's modalias: loaded if needed, then its driver's own probe of d. */
static void try_host_module(const struct apply_ctx *ctx, struct device *d, struct kmod_module *mod,
                            struct hand_back *h, struct result *res)
{
        const char *name = kmod_module_get_name(mod);
        int state = kmod_module_get_initstate(mod), r;
        char driver[DRIVER_NAME_MAX];

        if (state != KMOD_MODULE_LIVE && state != KMOD_MODULE_BUILTIN) {
                r = module_load(ctx->kmod, name);
                if (r == LOAD_BLACKLISTED) {
                        if (!h->blacklisted[0])
                                snprintf(h->blacklisted, sizeof(h->blacklisted), "%s", name);
                        return;
                }
                if (r < 0) {
                        if (!h->error) {
                                *h = (struct hand_back){ .step = STEP_LOAD_MODULE, .error = r };
                                snprintf(h->what, sizeof(h->what), "cannot load host module '%s'", name);
                        }
                        return;
                }
                if (r != LOAD_ALREADY)
                        res->steps_done |= STEP_LOAD_MODULE;
        }
        (void)module_bus_driver_name(d->bus, name, driver, sizeof(driver));
        /* Its registration may have probed d already. */
        r = device_refresh(d);
        if (r == 0 && !d->driver[0]) {
                res->steps_done |= STEP_PROBE;
                r = device_bind_to(d, driver);
        }
        if (r < 0 && !h->error) {
                h->step = STEP_PROBE;
                h->error = r;
                snprintf(h->what, sizeof(h->what), "probe by host driver '%s' failed", driver);
        }
}

/*
 * d is on no driver and has no override, and drivers_probe found none: give it the host driver
 * udev would, each module its modalias names, loaded if need be and probed through its driver's
 * bind file, whose error is the probe's own. Returns 0 with res->note set when d has no host
 * driver by design, or a negative errno with res failed.
 */
static int hand_back(const struct apply_ctx *ctx, struct device *d, struct result *res)
{
        struct hand_back h = { 0 };
        struct kmod_list *list = NULL, *l;
        char pf[PCI_ADDRESS_MAX];
        bool any;
        int r;

        if (vf_autoprobe_off(d, pf, sizeof(pf))) {
                snprintf(res->note, sizeof(res->note),
                         "no host driver: sriov_drivers_autoprobe is 0 on its PF %s", pf);
                return 0;
        }
        if (!d->modalias[0]) {
                snprintf(res->note, sizeof(res->note), "no host driver: the device has no modalias");
                return 0;
        }
        if (!ctx->kmod) {
                r = ctx->no_kmod_error < 0 ? ctx->no_kmod_error : -ENOENT;
                result_fail(res, STEP_LOAD_MODULE, r, "no module index");
                /* The reason names its own errno. */
                snprintf(res->message, sizeof(res->message), "cannot load its host module: %s",
                         ctx->no_kmod_why ? ctx->no_kmod_why : "no module index");
                return r;
        }
        r = kmod_module_new_from_lookup(ctx->kmod, d->modalias, &list);
        if (r < 0) {
                result_fail(res, STEP_LOAD_MODULE, r, "cannot look up the modules of '%s'",
                            d->modalias);
                return r;
        }
        any = list != NULL;
        kmod_list_foreach(l, list)
        {
                struct kmod_module *mod = kmod_module_get_module(l);

                try_host_module(ctx, d, mod, &h, res);
                kmod_module_unref(mod);
                if (d->driver[0] || (device_refresh(d) == 0 && d->driver[0]))
                        break;
        }
        kmod_module_unref_list(list);
        if (d->driver[0])
                return 0;
        if (h.error) {
                result_fail(res, h.step, h.error, "%s", h.what);
                return h.error;
        }
        if (h.blacklisted[0])
                snprintf(res->note, sizeof(res->note),
                         "no host driver: module '%s' is blacklisted in modprobe.d", h.blacklisted);
        else if (!any)
                snprintf(res->note, sizeof(res->note), "no host driver: no module matches its modalias");
        else {
                result_fail(res, STEP_PROBE, -ENODEV, "no host driver took %s", d->name);
                return -ENODEV;
        }
        return 0;
}

static int revert_steps(const struct apply_ctx *ctx, struct device *d, struct result *res)
{
        char original_override[DRIVER_NAME_MAX];
        bool was_vfio;
        int err;

        snprintf(res->previous_driver, sizeof(res->previous_driver), "%s", d->driver);
        was_vfio = d->driver_override[0] || driver_is_vfio(d->driver);
        /*
         * An earlier device of this run may have moved it: an fsl-mc container takes its objects
         * along, and the kernel makes them anew under the host's drivers.
         */
        err = device_refresh(d);
        if (err < 0) {
                result_fail(res, 0, err, err == -ENODEV ? "%s is gone from sysfs" :
                                                   "cannot read the state of %s", d->name);
                return err;
        }
        snprintf(original_override, sizeof(original_override), "%s", d->driver_override);
        if (d->driver_override[0] || driver_is_vfio(d->driver)) {
                err = fsl_mc_container_off_vfio(ctx->snapshot, d, res);
                if (err < 0)
                        return err;
        }
        if (d->driver_override[0]) {
                err = device_attr_write(d, "driver_override", "\n");
                if (err < 0) {
                        result_fail(res, STEP_SET_OVERRIDE, err, "cannot clear driver_override");
                        return err;
                }
                res->steps_done |= STEP_SET_OVERRIDE;
        }
        if (driver_is_vfio(d->driver)) {
                err = device_attr_write(d, "driver/unbind", d->name);
                if (err < 0) {
                        result_fail(res, STEP_UNBIND, err, "cannot unbind '%s'", d->driver);
                        /* Still on vfio (a VM holds it?): keep the override that matches. */
                        if (*original_override &&
                            device_attr_write(d, "driver_override", original_override) < 0)
                                log_debug("%s: cannot restore driver_override", d->name);
                        if (device_refresh(d) == 0 && streq(d->driver_override, original_override))
                                res->rolled_back = true;
                        return err;
                }
                res->steps_done |= STEP_UNBIND;
        }
        err = device_refresh(d);
        if (err == 0 && !d->driver[0]) {
                /*
                 * As the kernel would, right after the unbind; a device that was on no driver
                 * already is probed only when a host module may take it, so that a second revert
                 * of a device with no host driver by design writes nothing.
                 */
                if (res->steps_done) {
                        res->steps_done |= STEP_PROBE;
                        err = device_probe(d->bus, d->name);
                        if (err == 0)
                                err = device_refresh(d);
                }
                if (err == 0 && !d->driver[0])
                        err = hand_back(ctx, d, res);
        }
        if (err < 0) {
                if (res->outcome != OUTCOME_FAILED)
                        result_fail(res, STEP_PROBE, err, "cannot hand %s back to a host driver",
                                    d->name);
                (void)device_refresh(d); /* the report shows what is there now */
                return err;
        }
        (void)device_refresh(d);
        res->outcome = was_vfio || res->steps_done ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
        return 0;
}

int revert_device(const struct apply_ctx *ctx, struct device *d, struct result *res)
{
        int err = revert_steps(ctx, d, res);

        /* A write that failed because the device left: -ENODEV, so a release rolls nothing back. */
        if (err < 0 && res->failed_step && result_device_gone(d, res, ""))
                return -ENODEV;
        return err;
}

int revert_reset_method(const struct record *rec, struct device *d, struct result *res)
{
        const struct record_entry *e = d ? record_find(rec, d->bus, d->name) : NULL;

        if (!e || !e->has_reset_previous || res->outcome == OUTCOME_FAILED ||
            streq(d->reset_method, e->reset_previous))
                return 0;
        if (restore_reset_method(d, e->reset_previous, res) < 0)
                return res->error;
        if (res->outcome == OUTCOME_UNCHANGED)
                res->outcome = OUTCOME_CHANGED;
        return 0;
}
