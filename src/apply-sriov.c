/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The apply stage's part of SR-IOV: sriov_numvfs written on the PFs whose count differs, with
 * sriov_drivers_autoprobe at 0 so that no host VF driver grabs the new VFs. The orchestrator
 * then plans again over a fresh snapshot, which has the VFs, and apply_plan binds them as any
 * other device. apply_sriov_finish puts each PF's result in place, restores
 * sriov_drivers_autoprobe and probes the VFs the configuration left out, so that they reach
 * their host driver as the kernel would have done. Every write goes through apply.c.
 */
#include <dirent.h>
#include <stdarg.h>
#include <unistd.h>

#include "apply.h"
#include "log.h"
#include "sysfs.h"

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
        char buf[32], value[16], path[256];
        int r;

        snprintf(run->name, sizeof(run->name), "%s", d->name);
        *res = (struct result){ .outcome = OUTCOME_CHANGED };
        /*
         * Autoprobe off first: the kernel then probes no new VF, so no host VF driver (mlx5_core,
         * iavf) grabs them before we set their driver_override. Phase 2 restores it.
         */
        buf[0] = '\0';
        if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_drivers_autoprobe",
                      d->name) == 0 && sysfs_read(path, buf, sizeof(buf)) == 0 && !streq(buf, "0")) {
                r = device_name_attr_write(BUS_PCI, d->name, "sriov_drivers_autoprobe", "0");
                if (r < 0) {
                        pf_fail(res, STEP_CREATE_VFS, r, "cannot turn off sriov_drivers_autoprobe");
                        return;
                }
                run->autoprobe_changed = true;
        }
        if (a->steps & STEP_REMOVE_VFS) {
                r = device_name_attr_write(BUS_PCI, d->name, "sriov_numvfs", "0");
                if (r < 0) {
                        pf_fail(res, STEP_REMOVE_VFS, r, "cannot remove the %u VFs (writing 0 to "
                                "sriov_numvfs)", d->sriov_numvfs);
                        goto restore;
                }
                res->steps_done |= STEP_REMOVE_VFS;
        }
        snprintf(value, sizeof(value), "%u", want);
        r = device_name_attr_write(BUS_PCI, d->name, "sriov_numvfs", value);
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
        if (run->autoprobe_changed &&
            device_name_attr_write(BUS_PCI, d->name, "sriov_drivers_autoprobe", "1") == 0)
                run->autoprobe_changed = false;
}

int apply_sriov_create(const struct plan *plan, struct sriov_run *run)
{
        size_t n = 0;
        bool changed = false;

        *run = (struct sriov_run){ 0 };
        for (size_t i = 0; i < plan->n_actions; i++)
                n += plan->actions[i].item->sriov_pf && plan->actions[i].kind == ACTION_BIND;
        if (n == 0)
                return 0;
        run->pfs = calloc(n, sizeof(*run->pfs));
        if (!run->pfs)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < plan->n_actions; i++) {
                const struct action *a = &plan->actions[i];
                struct sriov_pf_run *pf;

                if (!a->item->sriov_pf || a->kind != ACTION_BIND)
                        continue;
                pf = &run->pfs[run->n_pfs++];
                pf_create(a, pf);
                changed = changed || pf->result.steps_done;
        }
        return changed;
}

size_t apply_sriov_finish(const struct plan *plan, const struct apply_ctx *ctx,
                          struct sriov_run *run, struct result *results)
{
        size_t failed = 0;

        for (size_t i = 0; i < run->n_pfs; i++) {
                struct sriov_pf_run *pf = &run->pfs[i];

                for (size_t j = 0; j < plan->n_actions; j++) {
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
        apply_sriov_restore(ctx, run);
        return failed;
}

/*
 * The probe the kernel skipped at creation, for each VF of pf on no driver and without an
 * override: selected ones too, since a VF whose bind failed was rolled back to no driver. From
 * the PF's virtfnK links, not the snapshot, which is empty when planning again failed early.
 */
static void probe_idle_vfs(struct snapshot *s, const char *pf)
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
                (void)device_probe(BUS_PCI, vf);
                /* The report shows the driver it got. */
                known = snapshot_device(s, snapshot_find(s, &a));
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

void apply_sriov_restore(const struct apply_ctx *ctx, struct sriov_run *run)
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
                if (device_name_attr_write(BUS_PCI, pf->name, "sriov_drivers_autoprobe", "1") < 0) {
                        log_warning("%s: cannot restore sriov_drivers_autoprobe to 1", pf->name);
                        continue;
                }
                pf->autoprobe_changed = false;
                probe_idle_vfs(ctx->snapshot, pf->name);
        }
}

void sriov_run_done(struct sriov_run *run)
{
        free(run->pfs);
        *run = (struct sriov_run){ 0 };
}
