/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan stage's part of SR-IOV (pure): what a PF needs, and its VFs when it cannot. */
#include "log.h"
#include "macro.h"
#include "plan.h"

void sriov_plan_pf(const struct selected_device *item, struct action *a)
{
        const struct device *d = item->device;
        const struct config_sriov *sr = &item->entry->sriov;

        if (d->problem[0]) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "%s", d->problem);
                return;
        }
        if (d->sriov_totalvfs == 0) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "'sriov' at %s:%u:%u, but the device has "
                         "no SR-IOV capability (sriov_totalvfs missing or 0)",
                         sr->loc.file, sr->loc.line, sr->loc.column);
                return;
        }
        if (sr->numvfs > d->sriov_totalvfs) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "numvfs %u at %s:%u:%u is more than the "
                         "device supports: sriov_totalvfs is %u", sr->numvfs,
                         sr->numvfs_loc.file, sr->numvfs_loc.line, sr->numvfs_loc.column,
                         d->sriov_totalvfs);
                return;
        }
        if (d->sriov_numvfs == sr->numvfs && !d->sriov_vfs_missing) {
                a->kind = ACTION_NONE;
                return;
        }
        if (d->sriov_numvfs == sr->numvfs && !sr->replace) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "%u of its %u VFs are gone (removed by "
                         "hand): the kernel makes them again only through 0, which destroys the "
                         "other %u; add 'replace: true' to 'sriov' (%s:%u:%u) to allow it",
                         d->sriov_vfs_missing, d->sriov_numvfs,
                         d->sriov_numvfs - d->sriov_vfs_missing, sr->loc.file, sr->loc.line,
                         sr->loc.column);
                return;
        }
        if (d->sriov_numvfs != 0 && !sr->replace) {
                a->kind = ACTION_ERROR;
                snprintf(a->reason, sizeof(a->reason), "has %u VFs, the configuration wants %u "
                         "(%s:%u:%u): the kernel changes the count only through 0, which "
                         "destroys the %u VFs; add 'replace: true' to 'sriov' to allow it",
                         d->sriov_numvfs, sr->numvfs, sr->numvfs_loc.file, sr->numvfs_loc.line,
                         sr->numvfs_loc.column, d->sriov_numvfs);
                return;
        }
        if (!d->driver[0]) {
                a->kind = ACTION_ERROR;
                a->waits_for_driver = true;
                snprintf(a->reason, sizeof(a->reason), "has no driver: the kernel creates VFs "
                         "through the PF's driver; load its host driver first (the udev rule "
                         "creates them when the driver binds)");
                return;
        }
        a->steps = STEP_CREATE_VFS | (d->sriov_numvfs ? STEP_REMOVE_VFS : 0);
        a->kind = ACTION_BIND;
}

static const struct action *pf_action(const struct plan *p, const struct device *vf)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];

                if (a->item->sriov_pf && pci_address_compare(&a->item->device->address, &vf->physfn) == 0)
                        return a;
        }
        return NULL;
}

void sriov_plan_vfs(struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                const struct action *pf;

                if (!a->item->via_sriov || !(pf = pf_action(p, a->item->device)))
                        continue;
                if (pf->kind == ACTION_ERROR) {
                        /* Nothing half-done: the VFs wait for their PF to be as configured. */
                        a->kind = ACTION_ERROR;
                        a->steps = 0;
                        snprintf(a->reason, sizeof(a->reason), "its PF %s is not as configured "
                                 "(see there)", pf->item->device->name);
                } else if (pf->steps & STEP_REMOVE_VFS)
                        snprintf(a->warning, sizeof(a->warning), "'replace' on PF %s re-creates "
                                 "this VF first", pf->item->device->name);
        }
}

int sriov_step_text(const struct action *a, enum step s, char *buf, size_t size)
{
        if (s == STEP_REMOVE_VFS)
                return snprintf(buf, size, "remove %u VFs", a->item->device->sriov_numvfs);
        return snprintf(buf, size, "create %u VFs", a->item->entry->sriov.numvfs);
}

bool sriov_pf_waits_for_driver(const struct action *a)
{
        return a->item->sriov_pf && a->kind == ACTION_ERROR && a->waits_for_driver;
}

void sriov_defer_driverless_pfs(struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];

                if (!sriov_pf_waits_for_driver(a))
                        continue;
                log_notice("%s: no driver yet; its VFs are created when the driver binds (udev)",
                           a->item->device->name);
                a->kind = ACTION_NONE;
                a->reason[0] = '\0';
        }
}
