/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "log.h"
#include "pipeline.h"
#include "verbs.h"

static int name_compare(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct target_list {
        struct target *items;
        size_t n;
};

static struct target *target_list_add(struct target_list *l)
{
        struct target *grown = realloc(l->items, (l->n + 1) * sizeof(*grown));

        if (!grown)
                return NULL;
        l->items = grown;
        return &grown[l->n++];
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/*
 * The modules an entry that matched no device here needs at boot, into out: its 'driver', or
 * else its bus's VFIO module and, for an 'id' entry on the pci bus, every variant driver whose
 * alias can match that id (the device may be on the machine the image is for). An address
 * entry cannot tell which variant: a note says so when the tree has any (*variants_in_tree,
 * -1 until known).
 */
static int modules_of_absent_entry(struct resolver *r, const struct config_entry *e,
                                   struct target_list *out, int *variants_in_tree)
{
        char query[MODALIAS_QUERY_MAX], what[128], **variants = NULL;
        const char *open = "vfio_pci:v????????d????????sv????????sd????????bc??sc??i??";
        size_t n_variants = 0;
        struct target *t;
        int err = 0;

        if (!(t = target_list_add(out)))
                return log_error_errno(ENOMEM, "modules: %m");
        resolve_module(r, e->bus, e->driver[0] ? e->driver : bus_get(e->bus)->vfio_module, t);
        if (e->driver[0] || e->bus != BUS_PCI)
                return 0;
        config_entry_describe(e, what, sizeof(what));
        if (!e->has_id) {
                if (*variants_in_tree < 0) {
                        err = resolver_query_variants(r, open, &variants, &n_variants);
                        *variants_in_tree = err < 0 ? 0 : n_variants > 0;
                        free_names(variants, n_variants);
                        if (err < 0)
                                return log_error_errno(err, "modules: cannot read %s/modules.alias: %m",
                                                       resolver_dirname(r));
                }
                if (*variants_in_tree)
                        log_notice("modules: %s:%u:%u: no device matches %s here, so its variant "
                                   "driver is not known: vfio_pci only; give the entry its 'id' "
                                   "or 'driver' for a device that has one",
                                   e->loc.file, e->loc.line, e->loc.column, what);
                return 0;
        }
        err = entry_modalias_query(e, query, sizeof(query));
        if (err >= 0)
                err = resolver_query_variants(r, query, &variants, &n_variants);
        if (err < 0) {
                free_names(variants, n_variants);
                return log_error_errno(err, "modules: cannot read %s/modules.alias: %m",
                                       resolver_dirname(r));
        }
        for (size_t i = 0; i < n_variants; i++) {
                if (!(t = target_list_add(out))) {
                        err = log_error_errno(ENOMEM, "modules: %m");
                        break;
                }
                resolve_module(r, BUS_PCI, variants[i], t);
                log_debug("modules: %s matches no device here; %s can take it", what,
                          variants[i]);
                if (t->error < 0) {
                        /* Not named by the user: said, then left out. */
                        if (t->error == -EMEDIUMTYPE)
                                log_warning("modules: %s matches no device here; leaving out "
                                            "'%s', which has an alias for it: %s", what,
                                            variants[i], t->why);
                        else
                                log_warning_errno(t->error, "modules: %s matches no device here; "
                                                  "leaving out '%s', which has an alias for it: %m",
                                                  what, variants[i]);
                        t->error = 0;
                        t->module[0] = '\0';
                }
        }
        free_names(variants, n_variants);
        return err;
}

/*
 * The modules each selected device and each entry that matched none needs, into p and extra.
 * Errors are logged.
 */
static int modules_resolve(struct pipeline *p, struct target_list *extra)
{
        int variants_in_tree = -1, err;

        free(p->targets); /* doctor asks again for each kernel */
        p->targets = calloc(p->selection.n_items + 1, sizeof(*p->targets));
        if (!p->targets)
                return log_error_errno(ENOMEM, "modules: %m");
        for (size_t i = 0; i < p->selection.n_items; i++)
                resolve_target(p->resolver, p->selection.items[i].device,
                               p->selection.items[i].driver, &p->targets[i]);
        for (size_t i = 0; i < p->selection.n_unmatched; i++) {
                err = modules_of_absent_entry(p->resolver, p->selection.unmatched[i], extra,
                                              &variants_in_tree);
                if (err < 0)
                        return err;
        }
        return 0;
}

int modules_needed(struct pipeline *p, int level, char ***ret, size_t *ret_n)
{
        _cleanup_free_ const char **names = NULL;
        struct target_list extra = { 0 };
        char **out = NULL;
        size_t n = 0, n_out = 0;
        int r, missing = 0;

        r = modules_resolve(p, &extra);
        if (r < 0)
                goto finish;
        names = calloc(p->selection.n_items + extra.n + 1, sizeof(char *));
        out = calloc(p->selection.n_items + extra.n + 1, sizeof(char *));
        if (!names || !out) {
                r = log_error_errno(ENOMEM, "modules: %m");
                goto finish;
        }
        for (size_t i = 0; i < p->selection.n_items + extra.n; i++) {
                const struct target *t = i < p->selection.n_items ? &p->targets[i]
                                                                  : &extra.items[i - p->selection.n_items];
                if (t->error == -ENOPKG) {
                        log_full_errno(level, 0, "modules: module '%s' is not in the module tree %s%s%s",
                                       t->module, resolver_dirname(p->resolver),
                                       *resolver_kver(p->resolver) ? " of kernel " : "",
                                       resolver_kver(p->resolver));
                        missing++;
                } else if (t->error == -EMEDIUMTYPE) {
                        log_full_errno(level, 0, "modules: module '%s' is not a VFIO driver: %s",
                                       t->module, t->why);
                        missing++;
                } else if (t->error == 0 && t->module[0] && t->module_state != MODULE_BUILTIN)
                        names[n++] = t->module;
        }
        if (n)
                qsort(names, n, sizeof(*names), name_compare);
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && streq(names[i], names[i - 1]))
                        continue;
                if (!(out[n_out] = strdup(names[i]))) {
                        r = log_error_errno(ENOMEM, "modules: %m");
                        goto finish;
                }
                n_out++;
        }
        *ret = TAKE_PTR(out);
        *ret_n = n_out;
        r = missing;
finish:
        if (out)
                free_names(out, n_out);
        free(extra.items);
        return r;
}

int verb_modules(int argc, char *argv[])
{
        enum { ARG_MODDIR = 0x100 };
        static const struct option options[] = {
                { "kver", required_argument, NULL, 'k' },
                { "moddir", required_argument, NULL, ARG_MODDIR },
                VERB_COMMON_OPTIONS,
                {},
        };
        const char *kver = NULL, *moddir = NULL;
        struct pipeline p = { 0 };
        char **names = NULL;
        size_t n = 0;
        int c, r, status = EXIT_OK, n_operands = 0;

        optind = 0;
        while ((c = verb_getopt(argc, argv, "modules", "", options, NULL, &n_operands)) >= 0)
                switch (c) {
                case 'k':
                        kver = optarg;
                        break;
                case ARG_MODDIR:
                        moddir = optarg;
                        break;
                case 'h':
                        printf("Usage: vfio-bind [-c FILE] modules [--kver VER] [--moddir DIR]\n\n"
                               "Print, one a line, the modules the configuration needs on this host\n"
                               "for kernel VER: explicit 'driver:' modules and the resolution of each\n"
                               "selected device present. Built-in modules are left out.\n\n"
                               "  --kver VER    the kernel version (default $(uname -r))\n"
                               "  --moddir DIR  the module tree of that kernel (default /lib/modules/VER),\n"
                               "                for an image built for another machine or root\n");
                        return EXIT_OK;
                default:
                        return usage_error("modules"), EXIT_USAGE;
                }
        if (optind < argc) {
                log_error("modules: unexpected argument '%s'", argv[optind]);
                return usage_error("modules"), EXIT_USAGE;
        }
        if (!kver_option_valid("modules", kver))
                return usage_error("modules"), EXIT_USAGE;
        r = pipeline_load_config(&p, arg_config, CONFIG_STRICT_PERMISSIONS);
        if (r < 0) {
                r = -EINVAL; /* any configuration problem is a usage error */
                goto finish;
        }
        r = discover_snapshot(&p.snapshot);
        if (r < 0) {
                log_error_errno(r, "modules: cannot enumerate the devices of this host: %m");
                goto finish;
        }
        r = select_devices(&p.config, &p.snapshot, &p.selection);
        if (r < 0) {
                log_error_errno(r, "modules: %m");
                goto finish;
        }
        r = resolver_open(moddir, kver, LOG_ERR, "modules", &p.resolver);
        if (r < 0) {
                r = -EIO; /* logged; not a usage error */
                goto finish;
        }
        r = modules_needed(&p, LOG_ERR, &names, &n);
        if (r < 0)
                goto finish;
        if (r > 0)
                status = EXIT_FAILED;
        for (size_t i = 0; i < n; i++)
                printf("%s\n", names[i]);
finish:
        free_names(names, n);
        pipeline_done(&p);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        return status;
}
