/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>

#include "log.h"
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

/* The index's single module for alias, or -ENOENT for none, -E2BIG for more than one. */
static int index_single_module(struct resolver *r, const char *alias, struct module_pick *ret)
{
        struct kmod_list *list = NULL;
        struct kmod_module *mod;
        int err;

        err = kmod_module_new_from_lookup(resolver_kmod(r), alias, &list);
        if (err < 0)
                return err;
        if (!list)
                return -ENOENT;
        if (kmod_list_next(list, list)) {
                kmod_module_unref_list(list);
                return -E2BIG;
        }
        mod = kmod_module_get_module(list);
        if (snprintf(ret->module, sizeof(ret->module), "%s", kmod_module_get_name(mod)) >=
            (int)sizeof(ret->module))
                err = -ENAMETOOLONG;
        ret->state = module_state_of(mod);
        ret->by_own_alias = true;
        kmod_module_unref(mod);
        kmod_module_unref_list(list);
        return err;
}

int resolver_pick(struct resolver *r, const char *modalias, struct module_pick *ret)
{
        char alias[MODALIAS_MAX + sizeof(VFIO_ALIAS_PREFIX)];
        struct resolution res = { 0 };
        int err;

        *ret = (struct module_pick){ 0 };
        if (snprintf(alias, sizeof(alias), VFIO_ALIAS_PREFIX "%s", modalias) >= (int)sizeof(alias))
                return -EINVAL;
        /*
         * libkmod answers a modprobe.d alias before the index: then it is no own alias. With
         * -v, resolver_lookup says which alias chose the module, which takes its modinfo.
         */
        if (log_get_max_level() < LOG_DEBUG && !resolver_alias_configured(r, alias)) {
                err = index_single_module(r, alias, ret);
                if (err != -E2BIG && err != -ENAMETOOLONG)
                        return err;
                *ret = (struct module_pick){ 0 };
        }
        err = resolver_lookup(r, modalias, &res);
        if (err < 0)
                return err;
        snprintf(ret->module, sizeof(ret->module), "%s", res.matches[0].module);
        ret->state = res.matches[0].builtin ? MODULE_BUILTIN
                                            : resolver_module_state(r, ret->module);
        resolution_done(&res);
        return 0;
}

void resolve_module(struct resolver *r, enum bus bus, const char *module, struct target *t)
{
        *t = (struct target){ 0 };
        snprintf(t->module, sizeof(t->module), "%s", module);
        t->error = explicit_module_state(r, t->module, &t->module_state);
        if (t->error == 0)
                t->error = resolver_vfio_driver(r, bus, t->module,
                                                t->module_state == MODULE_BUILTIN, t->why,
                                                sizeof(t->why));
        if (t->error == 0)
                module_bus_driver_name(bus, t->module, t->driver, sizeof(t->driver));
}

void resolve_target(struct resolver *r, const struct device *d, const char *explicit_module,
                    struct target *t)
{
        struct module_pick pick;

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
                t->error = resolver_pick(r, d->modalias, &pick);
                if (t->error < 0)
                        return;
                snprintf(t->module, sizeof(t->module), "%s", pick.module);
                t->module_state = pick.state;
                /* A modprobe.d alias can send a vfio_ alias to any module. */
                t->error = pick.by_own_alias
                                   ? resolver_vfio_driver_aliased(r, d->bus, t->module,
                                                                  pick.state == MODULE_BUILTIN,
                                                                  t->why, sizeof(t->why))
                                   : resolver_vfio_driver(r, d->bus, t->module,
                                                          pick.state == MODULE_BUILTIN, t->why,
                                                          sizeof(t->why));
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
