/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>

#include "log.h"
#include "pipeline.h"
#include "release.h"
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

static int explicit_module_state(struct resolver *r, const char *module, enum module_state *ret)
{
        struct kmod_module *mod = NULL;
        bool known;
        int err;

        *ret = resolver_module_state(r, module);
        if (*ret != MODULE_ABSENT)
                return 0;
        err = kmod_module_new_from_name(resolver_kmod(r), module, &mod);
        if (err < 0)
                return err;
        known = kmod_module_get_path(mod) != NULL;
        kmod_module_unref(mod);
        return known ? 0 : -ENOPKG;
}

void resolve_module(struct resolver *r, enum bus bus, const char *module, struct target *t)
{
        *t = (struct target){ 0 };
        snprintf(t->module, sizeof(t->module), "%s", module);
        t->error = explicit_module_state(r, t->module, &t->module_state);
        if (t->error == 0)
                t->error = resolver_vfio_driver(r, bus, t->module, t->why, sizeof(t->why));
        if (t->error == 0)
                module_bus_driver_name(bus, t->module, t->driver, sizeof(t->driver));
}

void resolve_target(struct resolver *r, const struct device *d, const char *explicit_module,
                    struct target *t)
{
        struct resolution res = { 0 };

        if (explicit_module && *explicit_module) {
                resolve_module(r, d->bus, explicit_module, t);
                return;
        }
        *t = (struct target){ 0 };
        if (!bus_get(d->bus)->vfio_aliases)
                t->error = -ENOMSG; /* config_load refuses such entries; group members land here */
        else if (!d->modalias[0])
                t->error = -EINVAL;
        else {
                t->error = resolver_lookup(r, d->modalias, &res);
                if (t->error < 0)
                        return;
                snprintf(t->module, sizeof(t->module), "%s", res.matches[0].module);
                t->module_state = res.matches[0].builtin ? MODULE_BUILTIN
                                                         : resolver_module_state(r, t->module);
                resolution_done(&res);
                /* A modprobe.d alias can send a vfio_ alias to any module. */
                t->error = resolver_vfio_driver(r, d->bus, t->module, t->why, sizeof(t->why));
        }
        if (t->error == 0)
                module_bus_driver_name(d->bus, t->module, t->driver, sizeof(t->driver));
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
                                    &p->snapshot);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m");
        usage_scan(&p->snapshot);
        r = select_devices(&p->config, &p->snapshot, &p->selection);
        if (r < 0)
                return r;
        r = resolver_open(NULL, NULL, LOG_ERR, "Failed to plan", &p->resolver);
        if (r < 0)
                return r;
        p->targets = calloc(p->selection.n_items ? p->selection.n_items : 1, sizeof(*p->targets));
        if (!p->targets)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < p->selection.n_items; i++)
                if (!p->selection.items[i].sriov_pf) /* stays on its host driver */
                        resolve_target(p->resolver, p->selection.items[i].device,
                               p->selection.items[i].driver, &p->targets[i]);
        r = plan_build(&p->selection, p->targets, &p->snapshot, &p->plan);
        if (r >= 0 && p->origin[0])
                r = plan_releases(&p->plan, &p->record, p->origin, &p->selection, &p->snapshot);
        if (r < 0)
                return log_error_errno(r, "Failed to plan: %m");
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
