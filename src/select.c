/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "log.h"
#include "select.h"

bool sriov_entry_selects_vf(const struct config_entry *e, const struct device *pf,
                            const struct device *vf)
{
        const struct config_sriov *sr = &e->sriov;

        if (!sr->set || pf->is_virtfn || !vf->is_virtfn || vf->vf_index < 0 ||
            pci_address_compare(&vf->physfn, &pf->address) != 0 || !entry_matches(e, pf))
                return false;
        if ((unsigned)vf->vf_index >= sr->numvfs)
                return false;
        if (sr->n_vfs == 0)
                return true;
        for (unsigned i = 0; i < sr->n_vfs; i++)
                if (sr->vfs[i] == (unsigned)vf->vf_index)
                        return true;
        return false;
}

static bool selected(const struct selection *sel, const struct device *d)
{
        for (size_t i = 0; i < sel->n_items; i++)
                if (sel->items[i].device == d)
                        return true;
        return false;
}

/* select: adds the VFs that the PFs' entries select, after the entries' own matches. */
static int sriov_select_vfs(const struct config *c, const struct snapshot *s, struct selection *sel,
                     size_t capacity)
{
        size_t n = sel->n_items;

        for (size_t i = 0; i < n; i++) {
                const struct selected_device *pf = &sel->items[i];

                if (!pf->sriov_pf || pf->conflict) /* a refused PF gets no VFs */
                        continue;
                for (size_t j = 0; j < s->n_devices; j++) {
                        const struct device *vf = &s->devices[j];
                        const struct config_entry *e = NULL;

                        /* The first sriov entry that matches the PF decides (select keeps it). */
                        for (size_t k = 0; k < c->n_entries && !e; k++)
                                if (c->entries[k].sriov.set && entry_matches(&c->entries[k], pf->device))
                                        e = &c->entries[k];
                        if (!e || !sriov_entry_selects_vf(e, pf->device, vf) || selected(sel, vf))
                                continue;
                        if (sel->n_items >= capacity)
                                return -ENOMEM;
                        sel->items[sel->n_items++] = (struct selected_device){
                                .device = vf, .entry = e, .driver = e->driver, .group = e->group,
                                .force = e->force, .via_sriov = true,
                        };
                }
        }
        return 0;
}

bool entry_matches(const struct config_entry *e, const struct device *d)
{
        if (d->bus != e->bus)
                return false;
        if (e->bus != BUS_PCI)
                return (!e->has_name || streq(e->name, d->name)) &&
                       (!e->has_compatible || modalias_has_compatible(d->modalias, e->compatible));
        if (e->has_address && !pci_address_match(&e->address, &d->address))
                return false;
        if ((e->has_slot && !streq(e->slot, d->slot)) || (e->has_path && !streq(e->path, d->path)) ||
            (e->has_serial && !(d->has_serial && d->serial == e->serial)))
                return false;
        /* A slot or a serial number names a card: its physical functions. VFs come by 'sriov'. */
        if ((e->has_slot || e->has_serial) && d->is_virtfn)
                return false;
        if (e->has_id && (e->id.vendor != d->id.vendor || e->id.device != d->id.device))
                return false;
        if (e->has_subsystem && (e->subsystem.vendor != d->subsystem.vendor ||
                                 e->subsystem.device != d->subsystem.device))
                return false;
        if (e->has_class) {
                uint32_t cls = e->class_digits == 4 ? d->class_code >> 8 : d->class_code;
                if (cls != e->class_code)
                        return false;
        }
        return true;
}

bool entry_is_missing(const struct config_entry *unmatched)
{
        return (unmatched->has_address || unmatched->has_name || unmatched->has_slot ||
                unmatched->has_path || unmatched->has_serial) &&
               !unmatched->optional;
}

size_t selection_missing(const struct selection *sel)
{
        size_t n = 0;

        for (size_t i = 0; sel && i < sel->n_unmatched; i++)
                n += entry_is_missing(sel->unmatched[i]);
        return n;
}

/* Each missing entry as an error, with its place: the early run's kernel log says it too. */
void log_missing(const struct selection *sel)
{
        for (size_t i = 0; sel && i < sel->n_unmatched; i++) {
                const struct config_entry *e = sel->unmatched[i];
                char what[128];

                if (!entry_is_missing(e))
                        continue;
                config_entry_describe(e, what, sizeof(what));
                log_error("%s:%u:%u: no device matches %s; it was moved or removed%s",
                          e->loc.file, e->loc.line, e->loc.column, what,
                          streq(e->loc.file, CMDLINE_PATH)
                                  ? ""
                                  : " (add 'optional: true' to the entry if it may be absent)");
        }
}

static struct selected_device *find_item(struct selection *sel, const struct device *d)
{
        for (size_t i = 0; i < sel->n_items; i++)
                if (sel->items[i].device == d)
                        return &sel->items[i];
        return NULL;
}

static int add_item(struct selection *sel, const struct selected_device *item, size_t capacity)
{
        if (sel->n_items >= capacity)
                return -ENOMEM;
        sel->items[sel->n_items++] = *item;
        return 0;
}

/* group: all — the other endpoints of the group come along, unless they chose a driver already. */
static int add_group_members(struct selection *sel, const struct snapshot *s, size_t capacity)
{
        size_t n = sel->n_items;

        for (size_t i = 0; i < n; i++) {
                const struct selected_device *owner = &sel->items[i];
                int group = owner->device->iommu_group;

                /* A refused device brings no group along. */
                if (owner->group != GROUP_ALL || group < 0 || owner->conflict)
                        continue;
                for (size_t j = 0; j < s->n_devices; j++) {
                        const struct device *d = &s->devices[j];
                        struct selected_device member = *owner;
                        int r;

                        if (d->iommu_group != group || device_is_bridge(d) || find_item(sel, d))
                                continue;
                        member.device = d;
                        member.via_group = true;
                        /* An explicit driver belongs to the owner's device, not to its group. */
                        member.driver = "";
                        r = add_item(sel, &member, capacity);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* functions: all — the card's other functions come along, each resolved on its own. */
static int add_functions(struct selection *sel, const struct snapshot *s, size_t capacity)
{
        size_t n = sel->n_items;

        for (size_t i = 0; i < n; i++) {
                const struct selected_device *owner = &sel->items[i];
                struct pci_address card = owner->device->address;

                if (!owner->all_functions || owner->conflict || owner->device->bus != BUS_PCI ||
                    owner->device->is_virtfn)
                        continue;
                card.function = PCI_FUNCTION_ANY;
                for (size_t j = 0; j < s->n_devices; j++) {
                        const struct device *d = &s->devices[j];
                        struct selected_device member = *owner;
                        int r;

                        /* A PF's VFs may share its bus:device; they are not the card's. */
                        if (d->bus != BUS_PCI || !pci_address_match(&card, &d->address) ||
                            device_is_bridge(d) || d->is_virtfn || find_item(sel, d))
                                continue;
                        member.device = d;
                        member.via_functions = true;
                        member.driver = ""; /* the entry's driver is for the device it named */
                        r = add_item(sel, &member, capacity);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int item_compare(const void *a, const void *b)
{
        return device_compare(((const struct selected_device *)a)->device,
                              ((const struct selected_device *)b)->device);
}

int select_devices(const struct config *c, const struct snapshot *s, struct selection *ret)
{
        struct selection sel = { 0 };
        int r = 0;

        sel.items = calloc(s->n_devices ? s->n_devices : 1, sizeof(*sel.items));
        sel.unmatched = calloc(c->n_entries ? c->n_entries : 1, sizeof(*sel.unmatched));
        if (!sel.items || !sel.unmatched) {
                selection_done(&sel);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_entries; i++) {
                const struct config_entry *e = &c->entries[i];
                bool matched = false;

                for (size_t j = 0; j < s->n_devices; j++) {
                        const struct device *d = &s->devices[j];
                        struct selected_device *prev;
                        enum entry_conflict kind;

                        if (!entry_matches(e, d) || (e->sriov.set && d->is_virtfn))
                                continue;
                        matched = true;
                        prev = find_item(&sel, d);
                        if (!prev) {
                                struct selected_device item = {
                                        .device = d, .entry = e, .driver = e->driver,
                                        .group = e->group, .force = e->force,
                                        .sriov_pf = e->sriov.set,
                                        .all_functions = e->all_functions,
                                };
                                add_item(&sel, &item, s->n_devices);
                                continue;
                        }
                        kind = config_entries_conflict(prev->entry, e);
                        /*
                         * rd.vfio-bind.devices= entries come last and carry neither 'driver'
                         * nor 'sriov': one that disagrees with a file's entry gives way to it,
                         * so that a boot-time list never stops the configuration applying.
                         */
                        if (kind != CONFLICT_NONE && streq(e->loc.file, CMDLINE_PATH)) {
                                log_warning("%s:%u:%u: device %s is selected at %s:%u:%u, whose "
                                            "'%s' is kept; ignoring this item for it",
                                            e->loc.file, e->loc.line, e->loc.column, d->name,
                                            prev->entry->loc.file, prev->entry->loc.line,
                                            prev->entry->loc.column,
                                            prev->sriov_pf ? "sriov" : "driver");
                                continue;
                        }
                        if (kind != CONFLICT_NONE) {
                                if (!prev->conflict) {
                                        prev->conflict = e;
                                        prev->conflict_kind = kind;
                                }
                                continue;
                        }
                        prev->force = prev->force || e->force;
                        if (e->group == GROUP_ALL)
                                prev->group = GROUP_ALL;
                        prev->all_functions = prev->all_functions || e->all_functions;
                }
                if (!matched)
                        sel.unmatched[sel.n_unmatched++] = e;
        }
        if (r == 0)
                r = sriov_select_vfs(c, s, &sel, s->n_devices);
        if (r == 0)
                r = add_functions(&sel, s, s->n_devices);
        if (r == 0)
                r = add_group_members(&sel, s, s->n_devices);
        if (r < 0) {
                selection_done(&sel);
                return r;
        }
        if (sel.n_items)
                qsort(sel.items, sel.n_items, sizeof(*sel.items), item_compare);
        *ret = sel;
        return 0;
}

void selection_done(struct selection *sel)
{
        free(sel->items);
        free(sel->unmatched);
        *sel = (struct selection){ 0 };
}
