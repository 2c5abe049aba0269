/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdarg.h>
#include <unistd.h>

#include "log.h"
#include "sriov.h"
#include "sysfs.h"

int sriov_vf_index(const char *pf, const char *vf)
{
        char path[256], name[PCI_ADDRESS_MAX + 8];

        /* The kernel allows up to 65535 VFs; the links are contiguous from virtfn0. */
        for (int k = 0; k <= SRIOV_NUMVFS_MAX; k++) {
                if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/virtfn%d", pf, k) < 0 ||
                    sysfs_read_link_name(path, name, sizeof(name)) < 0)
                        return -ENOENT;
                if (streq(name, vf))
                        return k;
        }
        return -ENOENT;
}

void sriov_discover(struct snapshot *s)
{
        for (size_t i = 0; i < s->n_devices; i++)
                s->devices[i].vf_index = -1;
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *pf = &s->devices[i];

                if (pf->is_virtfn || pf->sriov_totalvfs == 0)
                        continue;
                for (unsigned k = 0; k < pf->sriov_totalvfs; k++) {
                        char path[256], name[PCI_ADDRESS_MAX + 8];
                        struct pci_address a;
                        struct device *vf;
                        const char *why;

                        if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/virtfn%u",
                                      pf->name, k) < 0 ||
                            sysfs_read_link_name(path, name, sizeof(name)) < 0)
                                break;
                        if (pci_address_parse(name, false, &a, &why) < 0)
                                continue;
                        vf = (struct device *)snapshot_find(s, &a);
                        if (vf && vf->is_virtfn && pci_address_compare(&vf->physfn, &pf->address) == 0)
                                vf->vf_index = (int)k;
                }
        }
}

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

int sriov_select_vfs(const struct config *c, const struct snapshot *s, struct selection *sel,
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
        if (d->sriov_numvfs == sr->numvfs) {
                a->kind = ACTION_NONE;
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

static int pf_attr_write(const char *pf, const char *attr, const char *value)
{
        char path[256];
        int r = path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/%s", pf, attr);

        return r < 0 ? r : sysfs_write(path, value);
}

_printf_(4, 5) static void pf_fail(struct result *res, enum step step, int error, const char *fmt, ...)
{
        char what[200];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        res->outcome = OUTCOME_FAILED;
        res->failed_step = step;
        res->error = error;
        snprintf(res->message, sizeof(res->message), "%s: %s", what, strerror(-error));
}

static void pf_create(const struct action *a, struct sriov_pf_run *run)
{
        const struct device *d = a->item->device;
        unsigned want = a->item->entry->sriov.numvfs;
        struct result *res = &run->result;
        char buf[32], value[16];
        int r;

        snprintf(run->name, sizeof(run->name), "%s", d->name);
        *res = (struct result){ .outcome = OUTCOME_CHANGED };
        /*
         * Autoprobe off first: the kernel then probes no new VF, so no host VF driver (mlx5_core,
         * iavf) grabs them before we set their driver_override. Phase 2 restores it.
         */
        buf[0] = '\0';
        {
                char path[256];

                if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_drivers_autoprobe",
                              d->name) == 0 && sysfs_read(path, buf, sizeof(buf)) == 0 &&
                    !streq(buf, "0")) {
                        r = sysfs_write(path, "0");
                        if (r < 0) {
                                pf_fail(res, STEP_CREATE_VFS, r, "cannot turn off "
                                        "sriov_drivers_autoprobe");
                                return;
                        }
                        run->autoprobe_changed = true;
                }
        }
        if (a->steps & STEP_REMOVE_VFS) {
                r = pf_attr_write(d->name, "sriov_numvfs", "0");
                if (r < 0) {
                        pf_fail(res, STEP_REMOVE_VFS, r, "cannot remove the %u VFs (writing 0 to "
                                "sriov_numvfs)", d->sriov_numvfs);
                        goto restore;
                }
                res->steps_done |= STEP_REMOVE_VFS;
        }
        snprintf(value, sizeof(value), "%u", want);
        r = pf_attr_write(d->name, "sriov_numvfs", value);
        if (r < 0) {
                if (r == -EBUSY)
                        pf_fail(res, STEP_CREATE_VFS, r, "cannot create %u VFs: another count was "
                                "set meanwhile; the kernel wants 0 written first", want);
                else
                        pf_fail(res, STEP_CREATE_VFS, r, "cannot create %u VFs (writing %u to "
                                "sriov_numvfs; the PF driver's log says why)", want, want);
                goto restore;
        }
        res->steps_done |= STEP_CREATE_VFS;
        if (res->steps_done & STEP_REMOVE_VFS)
                snprintf(res->message, sizeof(res->message), "removed %u VFs, created %u VFs",
                         d->sriov_numvfs, want);
        else
                snprintf(res->message, sizeof(res->message), "created %u VFs", want);
        log_info("%s: %s", d->name, res->message);
        return;

restore:
        if (run->autoprobe_changed && pf_attr_write(d->name, "sriov_drivers_autoprobe", "1") == 0)
                run->autoprobe_changed = false;
}

/* Everything after config: a fresh snapshot (with the new VFs), selection, targets, plan. */
static int pipeline_rerun(struct pipeline *p)
{
        plan_done(&p->plan);
        free(p->targets);
        p->targets = NULL;
        p->resolver = resolver_free(p->resolver);
        selection_done(&p->selection);
        snapshot_done(&p->snapshot);
        return pipeline_run(p);
}

int sriov_apply_phase1(struct pipeline *p, struct sriov_run *run)
{
        size_t n = 0;
        bool changed = false;

        *run = (struct sriov_run){ 0 };
        for (size_t i = 0; i < p->plan.n_actions; i++)
                n += p->plan.actions[i].item->sriov_pf && p->plan.actions[i].kind == ACTION_BIND;
        if (n == 0)
                return 0;
        run->pfs = calloc(n, sizeof(*run->pfs));
        if (!run->pfs)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < p->plan.n_actions; i++) {
                const struct action *a = &p->plan.actions[i];
                struct sriov_pf_run *pf;

                if (!a->item->sriov_pf || a->kind != ACTION_BIND)
                        continue;
                pf = &run->pfs[run->n_pfs++];
                pf_create(a, pf);
                changed = changed || pf->result.steps_done;
        }
        return changed ? pipeline_rerun(p) : 0;
}

size_t sriov_apply_phase2(struct pipeline *p, struct sriov_run *run, struct result *results)
{
        size_t failed = 0;

        for (size_t i = 0; i < run->n_pfs; i++) {
                struct sriov_pf_run *pf = &run->pfs[i];

                for (size_t j = 0; j < p->plan.n_actions; j++) {
                        struct result *res = &results[j];
                        const struct action *a = res->action;

                        if (!a->item->sriov_pf || !streq(a->item->device->name, pf->name))
                                continue;
                        pf->result.action = a;
                        snprintf(pf->result.previous_driver, sizeof(pf->result.previous_driver),
                                 "%s", res->previous_driver);
                        if (res->outcome == OUTCOME_FAILED && pf->result.outcome != OUTCOME_FAILED)
                                break; /* the fresh plan found a problem: keep it */
                        *res = pf->result;
                        if (res->outcome == OUTCOME_FAILED) {
                                failed++;
                                log_error("%s: %s", pf->name, res->message);
                        }
                        break;
                }
        }
        sriov_restore_autoprobe(p, run);
        return failed;
}

/*
 * The probe the kernel skipped at creation, for each VF of pf on no driver and without an
 * override: selected ones too, since a VF whose bind failed was rolled back to no driver. From
 * the PF's virtfnK links, not the snapshot, which is empty when planning again failed early.
 */
static void probe_idle_vfs(struct pipeline *p, const char *pf)
{
        char dir[256];
        DIR *d;
        struct dirent *de;

        if (path_join(dir, sizeof(dir), SYSFS_PCI_DEVICES "/%s", pf) < 0 || !(d = opendir(dir)))
                return;
        while ((de = readdir(d))) {
                char path[512], vf[PCI_ADDRESS_MAX + 1], override[DRIVER_NAME_MAX + 8];
                struct pci_address a;
                struct device *known;
                const char *why;

                if (strncmp(de->d_name, "virtfn", 6) != 0 ||
                    path_join(path, sizeof(path), "%s/%s", dir, de->d_name) < 0 ||
                    sysfs_read_link_name(path, vf, sizeof(vf)) < 0 ||
                    pci_address_parse(vf, false, &a, &why) < 0 ||
                    path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver", vf) < 0 ||
                    access(path, F_OK) == 0 ||
                    path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver_override", vf) < 0 ||
                    sysfs_read(path, override, sizeof(override)) < 0 ||
                    (override[0] && !streq(override, "(null)")))
                        continue;
                (void)sysfs_write(SYSFS_PCI_DRIVERS_PROBE, vf);
                /* The report shows the driver it got. */
                known = (struct device *)snapshot_find(&p->snapshot, &a);
                if (known)
                        (void)device_refresh(known);
                /* Not in the report (not selected): the log is the only place to say so. */
                if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver", vf) == 0 &&
                    access(path, F_OK) < 0)
                        log_warning("%s: VF of %s left on no driver: no host driver took it "
                                    "(its probe failed, or none is loaded)", vf, pf);
                else
                        log_debug("%s: not on a vfio driver, probed for its host driver", vf);
        }
        closedir(d);
}

void sriov_restore_autoprobe(struct pipeline *p, struct sriov_run *run)
{
        for (size_t i = 0; i < run->n_pfs; i++) {
                struct sriov_pf_run *pf = &run->pfs[i];

                if (!pf->autoprobe_changed)
                        continue;
                /*
                 * Restore autoprobe rather than keep 0: with 0, VFs created later (by an admin, or
                 * the ones this configuration leaves out) would stay unbound for good. The VFs we
                 * bound are pinned by driver_override, so 1 cannot take them.
                 */
                if (pf_attr_write(pf->name, "sriov_drivers_autoprobe", "1") < 0) {
                        log_warning("%s: cannot restore sriov_drivers_autoprobe to 1", pf->name);
                        continue;
                }
                pf->autoprobe_changed = false;
                probe_idle_vfs(p, pf->name);
        }
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

void sriov_run_done(struct sriov_run *run)
{
        free(run->pfs);
        *run = (struct sriov_run){ 0 };
}
