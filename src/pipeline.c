/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"
#include "usage.h"

int pipeline_load_config(struct pipeline *p, const char *config_path, enum config_flags flags)
{
        int r;

        if (config_path)
                r = config_load_file(&p->config, config_path, flags);
        else
                r = config_load_default(&p->config, CONFIG_FILE_DEFAULT, CONFIG_DROPIN_DIR_DEFAULT,
                                        flags);
        record_origin(config_path, p->origin, sizeof(p->origin));
        /*
         * A file that cannot be used (missing with -c, unsafe permissions, too big, a directory)
         * is as much a configuration error as bad YAML: exit status 2, like the rest.
         */
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        log_debug("config: %zu entr%s from %s%s", p->config.n_entries,
                  p->config.n_entries == 1 ? "y" : "ies",
                  config_path ? config_path : CONFIG_FILE_DEFAULT " and " CONFIG_DROPIN_DIR_DEFAULT,
                  p->config.n_files ? "" : " (no file)");
        for (size_t i = 0; i < p->config.n_files; i++)
                log_debug("config: read %s", p->config.files[i]);
        return config_check(&p->config);
}

/*
 * A host with no module tree for its kernel (a minimal VM, a container) is still planned: each
 * device that needs resolution is refused with why, next to what else is wrong with it.
 */
static int open_resolver(struct pipeline *p)
{
        bool needed = false;
        int r;

        r = resolver_new(NULL, NULL, &p->resolver);
        if (r >= 0) {
                p->index_error[0] = '\0';
                p->index_errno = 0;
                return 0;
        }
        if (r == -ENOMEM)
                return log_error_errno(r, "Out of memory");
        p->index_errno = resolver_describe_error(NULL, NULL, r, p->index_error,
                                                 sizeof(p->index_error));
        for (size_t i = 0; i < p->selection.n_items; i++)
                needed = needed || !p->selection.items[i].sriov_pf;
        if (!needed || p->resolution_unused || p->index_error_said)
                log_debug("resolve: %s", p->index_error);
        else {
                log_error("%s; no device can get a VFIO module", p->index_error);
                p->index_error_said = true;
        }
        return 0;
}

/*
 * Whether a selected device could be in use by more than the console: a mounted disk, swap or
 * an interface is a class device its host driver made, and usage_scan marks the devices above
 * it but never a bridge. So a PCI device without a driver can only hold the console (efifb and
 * simplefb draw it on the boot VGA device with no PCI driver). Before coldplug the early run
 * selects only such devices: then the mounts (libmount), block devices and interfaces are not
 * read at all. Other buses are taken as possibly in use.
 */
static bool selection_may_be_in_use(const struct selection *sel)
{
        for (size_t i = 0; i < sel->n_items; i++) {
                const struct device *d = sel->items[i].device;

                if (d->bus != BUS_PCI || d->driver[0])
                        return true;
        }
        return false;
}

int pipeline_run(struct pipeline *p)
{
        int r;

        if (!p->record_loaded) {
                r = record_load(RECORD_PATH, &p->record);
                if (r < 0)
                        return log_error_errno(r, "Out of memory");
                p->record_loaded = true;
                p->record_ignored = r > 0;
        }
        /* A recorded device on another bus is found, so that its record is judged, not lost. */
        r = discover_snapshot_buses(config_bus_mask(&p->config) | p->extra_buses |
                                            (record_bus_mask(&p->record) & ~(1u << BUS_PCI)),
                                    p->serials_unshown && !config_has_serial_entry(&p->config)
                                            ? 0 : DISCOVER_SERIALS,
                                    &p->snapshot);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m");
        record_widen_reset_offered(&p->record, &p->snapshot);
        r = select_devices(&p->config, &p->snapshot, &p->selection);
        if (r < 0)
                return r;
        if (selection_may_be_in_use(&p->selection))
                usage_scan(&p->snapshot);
        else
                usage_scan_console(&p->snapshot);
        r = open_resolver(p);
        if (r < 0)
                return r;
        p->targets = calloc(p->selection.n_items ? p->selection.n_items : 1, sizeof(*p->targets));
        if (!p->targets)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < p->selection.n_items; i++) {
                const struct selected_device *item = &p->selection.items[i];

                if (item->sriov_pf) /* stays on its host driver */
                        continue;
                if (p->resolver)
                        resolve_target(p->resolver, item->device, item->driver, &p->targets[i]);
                else
                        resolve_target_without_index(item->device, item->driver, p->index_error,
                                                     &p->targets[i]);
        }
        r = plan_build(&p->selection, p->targets, &p->snapshot, &p->plan);
        if (r >= 0 && p->origin[0])
                r = plan_releases(&p->plan, &p->record, p->origin, &p->selection, &p->snapshot);
        if (r < 0)
                return log_error_errno(r, "Failed to plan: %m");
        if (p->defer_driverless_pfs)
                sriov_defer_driverless_pfs(&p->plan);
        pipeline_log_debug(p);
        return 0;
}

void pipeline_done(struct pipeline *p)
{
        record_done(&p->record);
        plan_done(&p->plan);
        free(p->targets);
        resolver_free(p->resolver);
        selection_done(&p->selection);
        snapshot_done(&p->snapshot);
        config_done(&p->config);
}
