/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "plan.h"

const char *step_name(enum step s)
{
        switch (s) {
        case STEP_SET_RESET_METHOD:
                return "set-reset-method";
        case STEP_LOAD_MODULE:
                return "load-module";
        case STEP_SET_OVERRIDE:
                return "set-override";
        case STEP_UNBIND:
                return "unbind";
        case STEP_PROBE:
                return "probe";
        case STEP_REMOVE_VFS:
                return "remove-vfs";
        case STEP_CREATE_VFS:
                return "create-vfs";
        }
        return "unknown";
}

/*
 * fsl-mc: a container bound to a vfio driver brings every object in it along (the kernel does).
 * The container that holds d and is selected in this run, or NULL. Containers sort first, so
 * its action is already planned.
 */
static const struct selected_device *selected_container(const struct selection *sel,
                                                        const struct snapshot *s,
                                                        const struct device *d, size_t *index)
{
        if (d->bus != BUS_FSL_MC)
                return NULL;
        for (size_t i = 0; i < sel->n_items; i++) {
                const struct device *c = sel->items[i].device;

                if (c->bus == BUS_FSL_MC && fsl_mc_is_container(c->name) &&
                    device_in_container(s, d, c)) {
                        *index = i;
                        return &sel->items[i];
                }
        }
        return NULL;
}

/*
 * d moves with a selected container in this run: one whose own action is not refused. With
 * containers inside containers, any of them in d's chain will do.
 */
static bool follows_selected_container(const struct selection *sel, const struct action *planned,
                                       size_t n_planned, const struct snapshot *s,
                                       const struct device *d)
{
        if (d->bus != BUS_FSL_MC)
                return false;
        for (size_t i = 0; i < sel->n_items; i++) {
                const struct device *c = sel->items[i].device;

                if (c->bus == BUS_FSL_MC && fsl_mc_is_container(c->name) &&
                    device_in_container(s, d, c) &&
                    (i >= n_planned || planned[i].kind != ACTION_ERROR))
                        return true;
        }
        return false;
}

/*
 * vfio-fsl-mc serves an object only through its container (it shares the container's MC portal
 * and reset lock): the container is on the same driver, or goes to it in this run.
 */
static bool fsl_mc_container_ready(const struct selection *sel, const struct action *planned,
                                   size_t n_planned, const struct snapshot *s,
                                   const struct device *d, const struct target *t,
                                   struct action *a)
{
        const struct device *c;
        size_t i;

        if (!fsl_mc_in_container(d))
                return true;
        c = snapshot_find_name(s, BUS_FSL_MC, d->container);
        if ((c && streq(c->driver, t->driver)) ||
            follows_selected_container(sel, planned, n_planned, s, d))
                return true;
        a->kind = ACTION_ERROR;
        if (selected_container(sel, s, d, &i))
                snprintf(a->reason, sizeof(a->reason),
                         "%.32s is in container %.32s, which cannot go to %.32s (see its own "
                         "error); the object goes only with its container",
                         d->name, sel->items[i].device->name, t->driver);
        else
                snprintf(a->reason, sizeof(a->reason),
                         "%.32s is in container %.32s (on %.32s); %.32s takes objects only with "
                         "their container: select it ('bus: fsl-mc', 'name: %.32s')",
                         d->name, d->container, c && c->driver[0] ? c->driver : "no driver",
                         t->driver, d->container);
        return false;
}

static bool group_mate(const struct device *d, const struct device *o)
{
        return o != d && d->iommu_group >= 0 && o->iommu_group == d->iommu_group &&
               !device_is_bridge(o);
}

bool group_unviable(const struct snapshot *s, const struct device *d, char *buf, size_t size)
{
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *o = &s->devices[i];

                if (!group_mate(d, o) || !o->driver[0] || driver_is_vfio(o->driver))
                        continue;
                snprintf(buf, size, "IOMMU group %d is not viable: %s is on %s", d->iommu_group,
                         o->name, o->driver);
                return true;
        }
        return false;
}

bool group_moves_whole(const struct selection *sel, const struct device *d)
{
        for (size_t i = 0; i < sel->n_items; i++) {
                const struct device *o = sel->items[i].device;

                if (sel->items[i].group == GROUP_ALL &&
                    (o == d || (d->iommu_group >= 0 && o->iommu_group == d->iommu_group)))
                        return true;
        }
        return false;
}

/* The action of a selected device, or NULL. */
static const struct action *planned_action(const struct plan *p, const struct device *d)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].item->device == d)
                        return &p->actions[i];
        return NULL;
}

/* A refusal's reason up to its first ';': "in use: ...", without the advice. */
static int reason_head(const struct action *a)
{
        return (int)strcspn(a->reason, ";");
}

/*
 * After every device is planned, so that a mate after d counts too. A mate in the way: one on a
 * host driver that is not selected, or selected but refused (the boot VGA with the console).
 * Under 'group: all' a refused mate refuses the group (nothing half-done); otherwise it is a
 * warning, as for a mate left out.
 */
static void check_group(const struct selection *sel, const struct plan *p,
                        const struct snapshot *s, struct action *a)
{
        const struct device *d = a->item->device;

        (void)group_unviable(s, d, a->unviable, sizeof(a->unviable));
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *o = &s->devices[i];
                const struct action *m;

                if (!group_mate(d, o) || !o->driver[0] || driver_is_vfio(o->driver) ||
                    follows_selected_container(sel, p->actions, p->n_actions, s, o))
                        continue;
                m = planned_action(p, o);
                /* One refused for the group's sake: the mate that refused it is named instead. */
                if (m && (m->kind != ACTION_ERROR || m->group_refused))
                        continue;
                if (m && a->kind == ACTION_BIND && group_moves_whole(sel, d)) {
                        a->kind = ACTION_ERROR;
                        a->group_refused = true;
                        snprintf(a->reason, sizeof(a->reason),
                                 "IOMMU group %d moves whole ('group: all') and %s is refused: %.*s",
                                 d->iommu_group, o->name, reason_head(m), m->reason);
                } else if (a->warning[0])
                        ;
                else if (m)
                        snprintf(a->warning, sizeof(a->warning),
                                 "IOMMU group %d is not viable: %s is on %s and refused (%.*s)",
                                 d->iommu_group, o->name, o->driver, reason_head(m), m->reason);
                else
                        snprintf(a->warning, sizeof(a->warning),
                                 "IOMMU group %d is not viable: %s is on %s; select it too or add "
                                 "'group: all'",
                                 d->iommu_group, o->name, o->driver);
                return;
        }
}

#define NO_IOMMU_GROUP                                                                            \
        "no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on on the kernel command "  \
        "line, VT-d or AMD-Vi in the firmware)"

/* "; in use: ...; refusing ..." when d would have to leave a host driver someone uses. */
static bool refused_in_use(const struct selected_device *item, const char *target_driver)
{
        const struct device *d = item->device;

        return d->in_use[0] && !item->force && !streq(d->driver, target_driver);
}

/*
 * No module index (t->why says why): the device cannot be resolved, and whatever else is known
 * without it is said too, so that one run shows all there is to fix. A device on a vfio driver
 * counts as not in use.
 */
static void plan_without_index(const struct selected_device *item, const struct target *t,
                               struct action *a)
{
        const struct device *d = item->device;
        size_t n;

        a->kind = ACTION_ERROR;
        if (t->module[0])
                n = (size_t)snprintf(a->reason, sizeof(a->reason),
                                     "module '%s' (the entry's 'driver') cannot be checked: %s",
                                     t->module, t->why);
        else
                n = (size_t)snprintf(a->reason, sizeof(a->reason), "no VFIO module: %s", t->why);
        if (n < sizeof(a->reason) && d->iommu_group < 0)
                n += (size_t)snprintf(a->reason + n, sizeof(a->reason) - n, "; %s", NO_IOMMU_GROUP);
        if (n < sizeof(a->reason) &&
            refused_in_use(item, driver_is_vfio(d->driver) ? d->driver : ""))
                snprintf(a->reason + n, sizeof(a->reason) - n, "; in use: %s; refusing to detach "
                         "it (set 'force: true' to override)", d->in_use);
}

/*
 * 'reset_method': written only when it differs, and only with methods the device offers (its
 * attribute lists them, widened by the record: reset_offered). False with a's reason when it
 * cannot be.
 */
static bool plan_reset_method(const struct selected_device *item, struct action *a)
{
        const struct config_entry *e = item->entry;
        const struct device *d = item->device;
        const char *want = e && !item->via_group ? e->reset_method : "";
        char m[32];

        if (!want[0] || (d->has_reset_method && streq(d->reset_method, want)))
                return true;
        a->kind = ACTION_ERROR;
        if (!d->has_reset_method) {
                snprintf(a->reason, sizeof(a->reason), "the device has no reset_method attribute "
                         "(a kernel older than 5.15, or a device without a reset method); leave "
                         "'reset_method' out for it");
                return false;
        }
        for (const char *p = want; word_next(&p, m, sizeof(m)) > 0;) {
                if (!word_listed(d->reset_offered, m)) {
                        snprintf(a->reason, sizeof(a->reason), "reset method '%s' is not one the "
                                 "device offers; it offers: %s", m,
                                 d->reset_offered[0] ? d->reset_offered : "none");
                        return false;
                }
        }
        a->kind = ACTION_NONE; /* so far: plan_one decides */
        a->steps |= STEP_SET_RESET_METHOD;
        return true;
}

/* planned: the actions of the items before this one (index n_planned). */
static void plan_one(const struct selection *sel, const struct action *planned, size_t n_planned,
                     const struct target *t, const struct snapshot *s, struct action *a)
{
        const struct selected_device *item = &sel->items[n_planned];
        const struct device *d = item->device;

        *a = (struct action){ .item = item, .target = t };
        if (item->conflict) {
                char why[sizeof(a->reason) - 32];

                a->kind = ACTION_ERROR;
                config_conflict_describe(item->conflict_kind, item->entry, item->conflict, why,
                                         sizeof(why));
                snprintf(a->reason, sizeof(a->reason), "two entries disagree: %s", why);
                return;
        }
        if (item->sriov_pf) {
                sriov_plan_pf(item, a);
                return;
        }
        if (d->problem[0]) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "%s", d->problem);
                return;
        }
        if (!device_takes_vfio(d)) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "%s (header type %d): vfio-pci and its "
                         "variants take only normal (type 0) devices; select the devices behind "
                         "it instead", pci_header_type_name(d->header_type), d->header_type);
                return;
        }
        if (t->error == -ENODATA) {
                plan_without_index(item, t, a);
                return;
        }
        if (t->error < 0) {
                a->kind = ACTION_ERROR;
                if (t->error == -ENOENT)
                        snprintf(a->reason, sizeof(a->reason),
                                 "no vfio_ alias matches modalias '%s'; install a kernel with "
                                 "vfio-pci or name a module with 'driver:'",
                                 d->modalias);
                else if (t->error == -ENOMSG)
                        snprintf(a->reason, sizeof(a->reason),
                                 "the %s bus has no vfio_ module aliases; name the VFIO module "
                                 "with 'driver:' (e.g. %s)",
                                 bus_get(d->bus)->name, bus_get(d->bus)->vfio_module);
                else if (t->error == -ENOPKG)
                        snprintf(a->reason, sizeof(a->reason),
                                 "module '%s' is not in this kernel's module tree", t->module);
                else if (t->error == -EMEDIUMTYPE)
                        snprintf(a->reason, sizeof(a->reason), "module '%s' is not a VFIO "
                                 "driver: %s; refusing to bind the device to it", t->module,
                                 t->why);
                else
                        snprintf(a->reason, sizeof(a->reason), "module lookup failed: %s",
                                 strerror(-t->error));
                return;
        }
        if (d->iommu_group < 0) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), NO_IOMMU_GROUP);
                return;
        }
        if (!fsl_mc_container_ready(sel, planned, n_planned, s, d, t, a))
                return;
        if (refused_in_use(item, t->driver)) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "in use: %s; refusing to detach it "
                         "(set 'force: true' to override)", d->in_use);
                return;
        }
        if (!plan_reset_method(item, a))
                return;
        if (!streq(d->driver_override, t->driver))
                a->steps |= STEP_SET_OVERRIDE;
        if (!streq(d->driver, t->driver)) {
                if (t->module_state == MODULE_ABSENT)
                        a->steps |= STEP_LOAD_MODULE;
                if (d->driver[0])
                        a->steps |= STEP_UNBIND;
                a->steps |= STEP_PROBE;
        }
        a->kind = a->steps ? ACTION_BIND : ACTION_NONE;
}

int plan_build(const struct selection *sel, const struct target *targets,
               const struct snapshot *snapshot, struct plan *ret)
{
        struct plan p = { 0 };

        p.actions = calloc(sel->n_items ? sel->n_items : 1, sizeof(*p.actions));
        if (!p.actions)
                return -ENOMEM;
        for (size_t i = 0; i < sel->n_items; i++)
                plan_one(sel, p.actions, i, &targets[i], snapshot, &p.actions[i]);
        p.n_actions = sel->n_items;
        sriov_plan_vfs(&p);
        /* Refused for want of a module index only: its group is judged all the same. */
        for (size_t i = 0; i < p.n_actions; i++)
                if (!p.actions[i].item->sriov_pf && (p.actions[i].kind != ACTION_ERROR ||
                                                     p.actions[i].target->error == -ENODATA))
                        check_group(sel, &p, snapshot, &p.actions[i]);
        *ret = p;
        return 0;
}

void plan_done(struct plan *p)
{
        free(p->actions);
        free(p->releases);
        free(p->release_items);
        free(p->release_targets);
        *p = (struct plan){ 0 };
}
