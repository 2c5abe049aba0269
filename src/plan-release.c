/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "plan.h"

static bool is_selected(const struct selection *sel, const struct device *d)
{
        for (size_t i = 0; i < sel->n_items; i++)
                if (sel->items[i].device == d)
                        return true;
        return false;
}

/*
 * A VF whose PF's 'sriov' entry is refused (a VF count it may not change): the VFs wait with
 * their PF for the configuration to be fixed, as every other write for that PF does.
 */
static bool pf_refused(const struct plan *p, const struct device *d)
{
        if (!d->is_virtfn)
                return false;
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];

                if (a->item->sriov_pf && a->kind == ACTION_ERROR &&
                    a->item->device->bus == BUS_PCI &&
                    pci_address_compare(&a->item->device->address, &d->physfn) == 0)
                        return true;
        }
        return false;
}

static void plan_one_release(const struct record_entry *e, const struct device *d,
                             struct selected_device *item, struct target *t, struct action *a)
{
        *item = (struct selected_device){ .device = d, .driver = "" };
        *t = (struct target){ 0 };
        /* Where it goes is the host's choice (drivers_probe); where it came from is a good guess. */
        snprintf(t->driver, sizeof(t->driver), "%s", e->previous);
        *a = (struct action){ .item = item, .target = t, .kind = ACTION_RELEASE,
                              .steps = STEP_PROBE };
        if (d->driver_override[0])
                a->steps |= STEP_SET_OVERRIDE;
        if (d->driver[0])
                a->steps |= STEP_UNBIND;
        snprintf(a->reason, sizeof(a->reason),
                 "no entry selects it now; vfio-bind bound it (from %s): back to a host driver",
                 e->previous[0] ? e->previous : "no driver");
}

int plan_releases(struct plan *p, const struct record *rec, const char *origin,
                  const struct selection *sel, const struct snapshot *s)
{
        size_t n = 0;

        p->n_releases = 0;
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *d = &s->devices[i];
                const struct record_entry *e = record_find(rec, d->bus, d->name);

                if (!e || !streq(e->origin, origin) || is_selected(sel, d) ||
                    !record_owns(e, d) || pf_refused(p, d))
                        continue;
                if (n == 0) {
                        /* At most one per recorded device. */
                        size_t max = rec->n_entries;

                        p->releases = calloc(max, sizeof(*p->releases));
                        p->release_items = calloc(max, sizeof(*p->release_items));
                        p->release_targets = calloc(max, sizeof(*p->release_targets));
                        if (!p->releases || !p->release_items || !p->release_targets)
                                return -ENOMEM;
                }
                plan_one_release(e, d, &p->release_items[n], &p->release_targets[n],
                                 &p->releases[n]);
                n++;
        }
        p->n_releases = n;
        return 0;
}
