/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "plan.h"
#include "sriov.h"

const char *step_name(enum step s)
{
        switch (s) {
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

/* Every VFIO driver has "vfio" in its name: vfio-pci and the *_vfio_pci variants. */
bool driver_is_vfio(const char *driver)
{
        return strstr(driver, "vfio") != NULL;
}

static bool selected_in_plan(const struct selection *sel, const struct device *d)
{
        for (size_t i = 0; i < sel->n_items; i++)
                if (sel->items[i].device == d)
                        return true;
        return false;
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

/*
 * VFIO can use a group only when each endpoint in it is on a vfio driver or on none; bridges do
 * not count. Names the first endpoint in the way.
 */
static void check_group(const struct selection *sel, const struct action *planned,
                        size_t n_planned, const struct snapshot *s, const struct device *d,
                        struct action *a)
{
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *o = &s->devices[i];

                if (o == d || o->iommu_group != d->iommu_group || device_is_bridge(o))
                        continue;
                if (!o->driver[0] || driver_is_vfio(o->driver) || selected_in_plan(sel, o) ||
                    follows_selected_container(sel, planned, n_planned, s, o))
                        continue;
                snprintf(a->warning, sizeof(a->warning),
                         "IOMMU group %d is not viable: %s is on %s; select it too or add "
                         "'group: all'",
                         d->iommu_group, o->name, o->driver);
                return;
        }
}

/* planned: the actions of the items before this one (index n_planned). */
static void plan_one(const struct selection *sel, const struct action *planned, size_t n_planned,
                     const struct target *t, const struct snapshot *s, struct action *a)
{
        const struct selected_device *item = &sel->items[n_planned];
        const struct device *d = item->device;

        *a = (struct action){ .item = item, .target = t };
        if (item->sriov_pf) {
                sriov_plan_pf(item, a);
                return;
        }
        if (d->problem[0]) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "%s", d->problem);
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
                else
                        snprintf(a->reason, sizeof(a->reason), "module lookup failed: %s",
                                 strerror(-t->error));
                return;
        }
        if (d->iommu_group < 0) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason),
                         "no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on on the "
                         "kernel command line, VT-d or AMD-Vi in the firmware)");
                return;
        }
        if (!fsl_mc_container_ready(sel, planned, n_planned, s, d, t, a))
                return;
        if (d->in_use[0] && !item->force && !streq(d->driver, t->driver)) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "in use: %s; refusing to detach it "
                         "(set 'force: true' to override)", d->in_use);
                return;
        }
        check_group(sel, planned, n_planned, s, d, a);

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
