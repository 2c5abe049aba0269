/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>

#include "macro.h"
#include "resolve.h"

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

void resolve_target_without_index(const struct device *d, const char *explicit_module,
                                  const char *index_error, struct target *t)
{
        *t = (struct target){ .error = -ENODATA };
        if (explicit_module && *explicit_module)
                snprintf(t->module, sizeof(t->module), "%s", explicit_module);
        else if (!bus_get(d->bus)->vfio_aliases) {
                t->error = -ENOMSG; /* said whatever the tree: the entry needs a 'driver' */
                return;
        }
        snprintf(t->why, sizeof(t->why), "%s", index_error);
}
