/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "apply.h"
#include "log.h"

size_t apply_releases(const struct plan *plan, const struct record *rec,
                      const struct apply_ctx *ctx, struct result *results)
{
        size_t failed = 0;

        for (size_t i = 0; i < plan->n_releases; i++) {
                const struct action *a = &plan->releases[i];
                struct device *d = snapshot_device(ctx->snapshot, a->item->device);
                const struct record_entry *e;
                struct result *res = &results[i];
                int r;

                *res = (struct result){ .action = a };
                if (!d) {
                        result_fail(res, 0, -EINVAL, "%s is not in this run's snapshot",
                                    a->item->device->name);
                        failed++;
                        continue;
                }
                e = record_find(rec, d->bus, d->name);
                snprintf(res->previous_driver, sizeof(res->previous_driver), "%s", d->driver);
                /* Planning took no lock that libvirt or driverctl honour: look again. */
                r = device_refresh(d);
                if (r == 0 && e && !record_owns(e, d)) {
                        res->outcome = OUTCOME_UNCHANGED;
                        snprintf(res->message, sizeof(res->message),
                                 "changed by someone else since the plan; left alone");
                        continue;
                }
                if (r == -ENODEV) {
                        /* Unplugged since: nothing of it is left on VFIO. */
                        res->outcome = OUTCOME_UNCHANGED;
                        snprintf(res->message, sizeof(res->message),
                                 "gone from sysfs; nothing to release");
                        continue;
                }
                if (r < 0) {
                        res->outcome = OUTCOME_FAILED;
                        res->error = r;
                        snprintf(res->message, sizeof(res->message), "cannot read its state: %s",
                                 strerror(-r));
                } else {
                        char original_override[DRIVER_NAME_MAX];

                        snprintf(original_override, sizeof(original_override), "%s",
                                 d->driver_override);
                        r = revert_device(ctx, d, res);
                        /*
                         * Not left half-released on no driver, where no later run would know
                         * it: back on VFIO it stays recorded, status says drift, and the next
                         * apply releases it again.
                         */
                        if (r < 0 && r != -ENODEV && res->steps_done)
                                device_roll_back(d, res->previous_driver, original_override, res);
                        if (r >= 0)
                                r = revert_reset_method(rec, d, res);
                        if (r < 0 && res->outcome != OUTCOME_FAILED) {
                                res->outcome = OUTCOME_FAILED;
                                res->error = r;
                        } else if (res->outcome != OUTCOME_FAILED)
                                res->outcome = OUTCOME_RELEASED;
                }
                if (res->outcome == OUTCOME_FAILED) {
                        failed++;
                        log_error("%s: cannot release it: %s%s", d->name, res->message,
                                  res->rolled_back
                                          ? "; left on VFIO, released again by the next apply"
                                          : "");
                } else
                        log_info("%s: released to %s", d->name,
                                 d->driver[0] ? d->driver : "no driver");
        }
        return failed;
}
