/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "apply.h"
#include "cmdline.h"
#include "log.h"
#include "release.h"

const char *item_origin(const struct pipeline *p, const struct selected_device *item)
{
        if (item->entry && streq(item->entry->loc.file, CMDLINE_PATH))
                return RECORD_ORIGIN_CMDLINE;
        return p->origin;
}

size_t apply_releases(struct pipeline *p, struct result *results)
{
        size_t failed = 0;

        for (size_t i = 0; i < p->plan.n_releases; i++) {
                struct action *a = &p->plan.releases[i];
                struct device *d = (struct device *)a->item->device;
                const struct record_entry *e = record_find(&p->record, d->bus, d->name);
                struct result *res = &results[i];
                int r;

                *res = (struct result){ .action = a };
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
                        r = revert_device(p, d, res);
                        if (r < 0 && res->outcome != OUTCOME_FAILED) {
                                res->outcome = OUTCOME_FAILED;
                                res->error = r;
                        } else if (res->outcome != OUTCOME_FAILED)
                                res->outcome = OUTCOME_RELEASED;
                }
                if (res->outcome == OUTCOME_FAILED) {
                        failed++;
                        log_error("%s: cannot release it: %s", d->name, res->message);
                } else
                        log_info("%s: released to %s", d->name,
                                 d->driver[0] ? d->driver : "no driver");
        }
        return failed;
}

static void make_entry(const struct pipeline *p, const struct selected_device *item,
                       const char *driver, const char *previous, struct record_entry *ret)
{
        const struct device *d = item->device;

        *ret = (struct record_entry){ .bus = d->bus, .has_id = d->bus == BUS_PCI, .id = d->id };
        snprintf(ret->name, sizeof(ret->name), "%s", d->name);
        snprintf(ret->driver, sizeof(ret->driver), "%s", driver);
        snprintf(ret->previous, sizeof(ret->previous), "%s", previous);
        snprintf(ret->origin, sizeof(ret->origin), "%s", item_origin(p, item));
}

/* A selected device that is on the vfio driver its action names, as an entry. */
static bool bound_now(const struct pipeline *p, const struct result *res,
                      struct record_entry *ret)
{
        const struct action *a = res->action;
        const struct device *d = a->item->device;
        const char *driver = a->target->driver;

        if (a->kind == ACTION_RELEASE || a->kind == ACTION_ERROR || a->item->sriov_pf ||
            !driver[0] || !streq(d->driver, driver) || !streq(d->driver_override, driver))
                return false;
        make_entry(p, a->item, driver, res->previous_driver, ret);
        return true;
}

/*
 * A device that was on a VFIO driver before this run is not vfio-bind's to give back, unless
 * it was already (the configuration named another VFIO driver for it since).
 */
static bool taken_from_host(const struct pipeline *p, struct record_entry *e)
{
        const struct record_entry *old = record_find(&p->record, e->bus, e->name);

        if (!driver_is_vfio(e->previous))
                return true;
        if (!old || !streq(old->driver, e->previous))
                return false;
        snprintf(e->previous, sizeof(e->previous), "%s", old->previous);
        return true;
}

/* Before apply_plan: every planned bind, as if it succeeded. */
static int add_intents(const struct pipeline *p, struct record *next)
{
        for (size_t i = 0; i < p->plan.n_actions; i++) {
                const struct action *a = &p->plan.actions[i];
                const struct device *d = a->item->device;
                struct record_entry e;
                int r;

                if (a->kind != ACTION_BIND || a->item->sriov_pf || !a->target->driver[0] ||
                    record_find(next, d->bus, d->name))
                        continue;
                make_entry(p, a->item, a->target->driver, d->driver, &e);
                if (!taken_from_host(p, &e))
                        continue;
                r = record_add(next, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_bound(const struct pipeline *p, const struct result *results, size_t n,
                     struct record *next)
{
        for (size_t i = 0; i < n; i++) {
                struct record_entry e, *old;
                int r;

                if (!bound_now(p, &results[i], &e))
                        continue;
                old = record_find(next, e.bus, e.name);
                if (old) {
                        /* Ours already: the configuration that wants it now owns it. */
                        snprintf(old->origin, sizeof(old->origin), "%s", e.origin);
                        continue;
                }
                /* "unchanged" and not recorded: someone else bound it; it stays theirs. */
                if (results[i].outcome != OUTCOME_CHANGED || !taken_from_host(p, &e))
                        continue;
                r = record_add(next, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

void record_commit(struct pipeline *p, const struct result *results, size_t n)
{
        struct record next = { 0 };
        int r = 0;

        if (!p->record_loaded)
                return;
        /* Gone, changed by someone, reverted, released: what is not as vfio-bind left it goes. */
        for (size_t i = 0; r == 0 && i < p->record.n_entries; i++) {
                const struct record_entry *e = &p->record.entries[i];
                const struct device *d = snapshot_find_name(&p->snapshot, e->bus, e->name);

                if (d && record_owns(e, d))
                        r = record_add(&next, e);
        }
        if (r == 0)
                r = results ? add_bound(p, results, n, &next) : add_intents(p, &next);
        if (r == 0 && (p->record_ignored || !record_equal(&next, &p->record))) {
                r = record_save(RECORD_PATH, &next);
                if (r == 0) {
                        record_done(&p->record);
                        p->record = next;
                        p->record_ignored = false;
                        return;
                }
        }
        if (r < 0)
                log_warning_errno(r, "Cannot write %s, ignoring: %m; a device bound now stays on "
                                  "VFIO when its entry goes, until 'revert'", RECORD_PATH);
        record_done(&next);
}
