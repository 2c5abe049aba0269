/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"

/* One short debug line per stage's result (-v), so that a run can be followed on stderr. */
void pipeline_log_debug(const struct pipeline *p)
{
        size_t per_bus[_BUS_MAX] = { 0 };

        if (log_get_max_level() < LOG_DEBUG)
                return;
        for (size_t i = 0; i < p->snapshot.n_devices; i++)
                per_bus[p->snapshot.devices[i].bus]++;
        for (enum bus b = BUS_PCI; b < _BUS_MAX; b++)
                if (b == BUS_PCI || per_bus[b])
                        log_debug("discover: %zu %s device%s", per_bus[b], bus_get(b)->name,
                                  per_bus[b] == 1 ? "" : "s");
        for (size_t i = 0; i < p->selection.n_items; i++) {
                const struct selected_device *item = &p->selection.items[i];
                char what[128];

                config_entry_describe(item->entry, what, sizeof(what));
                log_debug("select: %s by %s at %s:%u:%u%s%s%s", item->device->name, what,
                          item->entry->loc.file, item->entry->loc.line, item->entry->loc.column,
                          item->via_group ? " (its IOMMU group)" : "",
                          item->via_sriov ? " (a VF of its PF)" : "",
                          item->via_functions ? " (another function of its card)" : "");
        }
        for (size_t i = 0; i < p->selection.n_unmatched; i++) {
                char what[128];

                config_entry_describe(p->selection.unmatched[i], what, sizeof(what));
                log_debug("select: %s matches no device", what);
        }
        for (size_t i = 0; p->targets && i < p->selection.n_items; i++) {
                const struct target *t = &p->targets[i];
                const char *name = p->selection.items[i].device->name;

                if (p->selection.items[i].sriov_pf)
                        log_debug("resolve: %s: an SR-IOV PF, stays on its host driver", name);
                else if (t->error == -ENODATA)
                        log_debug("resolve: %s: no VFIO module: no module index", name);
                else if (t->error < 0)
                        log_debug_errno(t->error, "resolve: %s: no VFIO module: %m", name);
                else
                        log_debug("resolve: %s: module %s, driver %s (%s)", name, t->module,
                                  t->driver,
                                  p->selection.items[i].driver[0] ? "named by the entry"
                                                                  : "by its modalias");
        }
        for (size_t i = 0; i < p->plan.n_actions + p->plan.n_releases; i++) {
                const struct action *a = plan_action(&p->plan, i);
                char steps[96] = "";
                size_t n = 0;

                for (unsigned s = 1; s <= STEP_LAST && n < sizeof(steps); s <<= 1)
                        if (a->steps & s)
                                n += (size_t)snprintf(steps + n, sizeof(steps) - n, "%s%s",
                                                      n ? ", " : "", step_name((enum step)s));
                log_debug("plan: %s: %s%s%s", a->item->device->name,
                          a->kind == ACTION_NONE      ? "nothing to do"
                          : a->kind == ACTION_BIND    ? "bind: "
                          : a->kind == ACTION_RELEASE ? "release: "
                                                      : "refused: ",
                          a->kind == ACTION_BIND ? steps : "",
                          a->kind == ACTION_BIND ? "" : a->reason);
        }
}
