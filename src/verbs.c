/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <getopt.h>
#include <sys/stat.h>

#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "sysfs.h"
#include "usage.h"
#include "verbs.h"

int usage_error(const char *verb)
{
        if (verb)
                log_error("Try 'vfio-bind %s --help' for more information.", verb);
        else
                log_error("Try 'vfio-bind --help' for more information.");
        return -EINVAL;
}

int parse_verb_options(int argc, char *argv[], const char *verb, const char *usage,
                       unsigned accepted, struct verb_options *ret)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "boot", no_argument, NULL, OPT_BOOT },
                { "bus", required_argument, NULL, OPT_BUS },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct verb_options o = { 0 };
        enum bus b;
        int c;

        optind = 0;
        for (int i = -1; (c = getopt_long(argc, argv, "+h", options, &i)) >= 0; i = -1) {
                if (c != 'h' && c != '?' && c != ':' && i >= 0 && !(accepted & (unsigned)c)) {
                        log_error("%s: unknown option '--%s'", verb, options[i].name);
                        return usage_error(verb);
                }
                switch (c) {
                case OPT_JSON:
                        o.json = true;
                        break;
                case OPT_DRY_RUN:
                        o.dry_run = true;
                        break;
                case OPT_BOOT:
                        o.boot = true;
                        break;
                case OPT_BUS:
                        if (streq(optarg, "all"))
                                o.buses = ~0u;
                        else if (bus_from_name(optarg, &b) == 0)
                                o.buses |= 1u << b;
                        else {
                                log_error("%s: invalid bus '%s': expected one of: %s, all", verb,
                                          optarg, bus_names());
                                return usage_error(verb);
                        }
                        break;
                case 'h':
                        printf("Usage: vfio-bind %s\n", usage);
                        return 0;
                default:
                        return usage_error(verb);
                }
        }
        if (!(accepted & OPT_ARGS) && optind < argc) {
                log_error("%s: unexpected argument '%s'", verb, argv[optind]);
                return usage_error(verb);
        }
        *ret = o;
        return 1;
}

int verb_plan(int argc, char *argv[])
{
        struct pipeline p = { 0 };
        struct verb_options o;
        int r;

        r = parse_verb_options(argc, argv, "plan", "[-c FILE] plan [--json]\n\n"
                         "Show what 'apply' would do, changing nothing.\n\n"
                         "  --json   one JSON document: {\"plan\": {\"devices\": [...]}}", OPT_JSON, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        r = pipeline_load_config(&p, arg_config, CONFIG_STRICT_PERMISSIONS);
        if (r < 0) {
                pipeline_done(&p);
                return EXIT_USAGE;
        }
        r = pipeline_run(&p);
        if (r >= 0)
                r = report_plan(&p, "plan", o.json);
        pipeline_done(&p);
        return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_FAILED : r;
}

int report_plan(struct pipeline *p, const char *verb, bool json)
{
        _cleanup_free_ struct result *results = NULL;
        size_t n = p->plan.n_actions + p->plan.n_releases;
        int status = EXIT_OK;

        results = calloc(n + 1, sizeof(*results));
        if (!results)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < n; i++) {
                const struct action *a = plan_action(&p->plan, i);
                results[i] = (struct result){ .action = a, .outcome = OUTCOME_PLANNED };
                if (a->kind == ACTION_ERROR || a->kind == ACTION_RELEASE)
                        snprintf(results[i].message, sizeof(results[i].message), "%s", a->reason);
                if (a->kind == ACTION_ERROR)
                        status = EXIT_FAILED;
        }
        if (selection_missing(&p->selection))
                status = EXIT_FAILED;
        report_results(verb, results, n, &p->selection, json);
        return status;
}

int verb_list(int argc, char *argv[])
{
        _cleanup_free_ struct target *targets = NULL;
        struct resolver *resolver = NULL;
        struct snapshot s = { 0 };
        struct verb_options o;
        int r;

        r = parse_verb_options(argc, argv, "list", "list [--json] [--bus BUS|all]...\n\n"
                         "List every PCI device with its ids, class, driver, IOMMU group and the\n"
                         "vfio module resolution would choose for it.\n\n"
                         "  --bus BUS  also the devices of BUS (platform, fsl-mc, cdx), or all\n"
                         "  --json     one JSON document", OPT_JSON | OPT_BUS, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        r = discover_snapshot_buses(o.buses, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m"), EXIT_FAILED;
        usage_scan(&s); /* fills in_use */
        targets = calloc(s.n_devices + 1, sizeof(*targets));
        if (!targets) {
                snapshot_done(&s);
                return EXIT_FAILED;
        }
        /* Listing goes on without resolutions. */
        resolver_open(NULL, NULL, LOG_WARNING, "list: not resolving", &resolver);
        for (size_t i = 0; resolver && i < s.n_devices; i++)
                if (!s.devices[i].problem[0] && device_takes_vfio(&s.devices[i]))
                        resolve_target(resolver, &s.devices[i], NULL, &targets[i]);
        /* The table has no column for it (JSON has "problem"): one line each, on stderr. */
        for (size_t i = 0; i < s.n_devices; i++)
                if (s.devices[i].problem[0])
                        log_warning("%s: %s; not resolving it", s.devices[i].name,
                                    s.devices[i].problem);
        report_list(&s, targets, o.json);
        resolver_free(resolver);
        snapshot_done(&s);
        return EXIT_OK;
}

static bool modalias_is_sane(const char *s)
{
        if (!*s || strlen(s) >= MODALIAS_MAX)
                return false;
        for (; *s; s++)
                if (!isgraph((unsigned char)*s) || *s == '/')
                        return false;
        return true;
}

/* The modalias of the device ref names; errors are logged. */
static int read_modalias(const struct device_ref *ref, char *buf, size_t size, enum bus *ret_bus)
{
        char missing[160], path[512];
        struct stat st;
        int r;

        for (enum bus b = BUS_PCI; b < _BUS_MAX; b++) {
                const struct bus_ops *ops = bus_get(b);

                if (!(ref->bus_mask & (1u << b)) ||
                    path_join(path, sizeof(path), "%s/%s", ops->devices_dir, ref->name) < 0 ||
                    stat(path, &st) < 0)
                        continue;
                if (!ops->vfio_aliases)
                        return log_error("resolve: %s is a %s device, and the %s bus has no vfio_ "
                                         "module aliases: name its VFIO module in the "
                                         "configuration ('driver: %s')",
                                         ref->name, ops->name, ops->name, ops->vfio_module),
                               -ENOMSG;
                *ret_bus = b;
                if (b == BUS_PCI &&
                    path_join(path, sizeof(path), "%s/%s/config", ops->devices_dir, ref->name) == 0 &&
                    (r = pci_read_header_type(path)) > 0)
                        return log_error("resolve: %s is %s (header type %d): vfio-pci and its "
                                         "variants take only normal (type 0) devices",
                                         ref->name, pci_header_type_name(r), r),
                               -EMEDIUMTYPE;
                path_join(path, sizeof(path), "%s/%s/modalias", ops->devices_dir, ref->name);
                r = sysfs_read(path, buf, size);
                if (r == -ENOENT)
                        return log_error("resolve: %s has no 'modalias' attribute", ref->name), r;
                if (r == -E2BIG)
                        return log_error("resolve: the 'modalias' of %s is too long", ref->name), r;
                if (r < 0)
                        return log_error_errno(r, "resolve: cannot read %s: %m", path);
                return 0;
        }
        device_ref_describe_missing(ref, missing, sizeof(missing));
        return log_error("resolve: %s", missing), -ENODEV;
}

/* --kver VER, logged when it cannot name a module tree. */
static bool kver_option_valid(const char *verb, const char *kver)
{
        if (!kver || kver_valid(kver))
                return true;
        log_error("%s: invalid kernel version '%s' (not empty, no '/', under %d characters)", verb,
                  kver, KVER_MAX);
        return false;
}

int verb_resolve(int argc, char *argv[])
{
        enum { ARG_MODDIR = 0x100, ARG_KVER, ARG_MODALIAS };
        static const struct option options[] = {
                { "modalias", required_argument, NULL, ARG_MODALIAS },
                { "moddir", required_argument, NULL, ARG_MODDIR },
                { "kver", required_argument, NULL, ARG_KVER },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *moddir = NULL, *kver = NULL, *modalias = NULL;
        enum bus bus = BUS_PCI;
        struct resolution res = { 0 };
        struct resolver *resolver = NULL;
        char buf[SYSFS_VALUE_MAX], driver[DRIVER_NAME_MAX], not_vfio[128];
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case ARG_MODALIAS:
                        modalias = optarg;
                        break;
                case ARG_MODDIR:
                        moddir = optarg;
                        break;
                case ARG_KVER:
                        kver = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        printf("Usage: vfio-bind resolve DEVICE | --modalias STRING [--kver VER] [--moddir DIR] [--json]\n\n"
                               "Print the vfio module the device would get: \"vfio_\" + its modalias,\n"
                               "matched against the kernel's module aliases; the alias with the fewest\n"
                               "'*' wins, then the longer alias, then the module name.\n\n"
                               "  --modalias STRING  resolve this modalias instead of a device's\n"
                               "  --moddir DIR       the module tree of the kernel (default /lib/modules/VER)\n"
                               "  --kver VER         the kernel version (default $(uname -r))\n"
                               "  --json             every matching alias with its '*' count\n");
                        return EXIT_OK;
                default:
                        return usage_error("resolve"), EXIT_USAGE;
                }
        if (!kver_option_valid("resolve", kver))
                return usage_error("resolve"), EXIT_USAGE;
        if (!!modalias == (optind < argc) || argc - optind > 1) {
                log_error("resolve: give one DEVICE or --modalias STRING");
                return usage_error("resolve"), EXIT_USAGE;
        }
        if (!modalias) {
                struct device_ref ref;
                const char *why;

                if (device_ref_parse(argv[optind], false, &ref, &why) < 0) {
                        log_error("resolve: invalid device '%s': %s", argv[optind], why);
                        return EXIT_USAGE;
                }
                r = read_modalias(&ref, buf, sizeof(buf), &bus);
                if (r < 0)
                        return EXIT_FAILED;
                modalias = buf;
        } else
                bus = bus_from_modalias(modalias);
        if (!modalias_is_sane(modalias)) {
                log_error("resolve: '%s' is not a modalias (printable, no '/', under %d bytes)",
                          modalias, MODALIAS_MAX);
                return EXIT_USAGE;
        }
        r = resolver_open(moddir, kver, LOG_ERR, "resolve", &resolver);
        if (r < 0)
                return EXIT_FAILED;
        r = resolver_lookup(resolver, modalias, &res);
        if (r == -ENOENT)
                log_error("resolve: no vfio_ alias matches '%s' in %s", modalias,
                          resolver_dirname(resolver));
        else if (r < 0)
                log_error_errno(r, "resolve: lookup of '%s' failed: %m", modalias);
        else if ((r = resolver_vfio_driver(resolver, bus, res.matches[0].module, not_vfio,
                                           sizeof(not_vfio))) < 0)
                log_error_errno(r, "resolve: '%s' matches, but module '%s' is not a VFIO "
                                "driver: %s", modalias, res.matches[0].module,
                                r == -EMEDIUMTYPE ? not_vfio : "%m");
        else {
                module_bus_driver_name(bus, res.matches[0].module, driver, sizeof(driver));
                report_resolution(modalias, &res, driver, json);
        }
        resolution_done(&res);
        resolver_free(resolver);
        return r < 0 ? EXIT_FAILED : EXIT_OK;
}

int verb_validate(int argc, char *argv[])
{
        struct config all = { 0 };
        int status = EXIT_OK, r;

        if (argc > 1 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf("Usage: vfio-bind validate FILE...\n\n"
                       "Check configuration files (syntax, keys, values, duplicates across all\n"
                       "of them) without touching the system. Errors name FILE:LINE:COLUMN.\n");
                return EXIT_OK;
        }
        if (argc < 2) {
                log_error("validate: give at least one FILE");
                return usage_error("validate"), EXIT_USAGE;
        }
        /* Each file alone, then all together: they are meant to be read as one configuration. */
        for (int i = 1; i < argc; i++) {
                struct config c = { 0 };

                if (argv[i][0] == '-' && argv[i][1] && !streq(argv[i], "--")) {
                        log_error("validate: unknown option '%s'", argv[i]);
                        config_done(&all);
                        return usage_error("validate"), EXIT_USAGE;
                }
                if (streq(argv[i], "--"))
                        continue;
                r = config_load_file(&c, argv[i], 0);
                if (r >= 0)
                        r = config_check(&c);
                if (r < 0)
                        status = EXIT_USAGE;
                else {
                        print_line(stdout, "%s: ok, %zu device %s", argv[i], c.n_entries,
                                   c.n_entries == 1 ? "entry" : "entries");
                        if (config_load_file(&all, argv[i], 0) < 0)
                                status = EXIT_USAGE;
                }
                config_done(&c);
        }
        if (status == EXIT_OK && config_check(&all) < 0)
                status = EXIT_USAGE;
        config_done(&all);
        return status;
}

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

int verb_modules(int argc, char *argv[])
{
        enum { ARG_MODDIR = 0x100 };
        static const struct option options[] = {
                { "kver", required_argument, NULL, 'k' },
                { "moddir", required_argument, NULL, ARG_MODDIR },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ const char **names = NULL;
        const char *kver = NULL, *moddir = NULL;
        struct target_list extra = { 0 };
        struct pipeline p = { 0 };
        size_t n = 0;
        int c, r, status = EXIT_OK;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
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
        r = modules_resolve(&p, &extra);
        if (r < 0)
                goto finish;
        names = calloc(p.selection.n_items + extra.n + 1, sizeof(char *));
        if (!names) {
                r = log_error_errno(ENOMEM, "modules: %m");
                goto finish;
        }
        for (size_t i = 0; i < p.selection.n_items + extra.n; i++) {
                const struct target *t = i < p.selection.n_items ? &p.targets[i]
                                                                 : &extra.items[i - p.selection.n_items];
                if (t->error == -ENOPKG) {
                        log_error("modules: module '%s' is not in the module tree %s%s%s",
                                  t->module, resolver_dirname(p.resolver),
                                  *resolver_kver(p.resolver) ? " of kernel " : "",
                                  resolver_kver(p.resolver));
                        status = EXIT_FAILED;
                } else if (t->error == -EMEDIUMTYPE) {
                        log_error("modules: module '%s' is not a VFIO driver: %s", t->module,
                                  t->why);
                        status = EXIT_FAILED;
                } else if (t->error == 0 && t->module[0] && t->module_state != MODULE_BUILTIN)
                        names[n++] = t->module;
        }
        if (n)
                qsort(names, n, sizeof(*names), name_compare);
        for (size_t i = 0; i < n; i++)
                if (i == 0 || !streq(names[i], names[i - 1]))
                        printf("%s\n", names[i]);
finish:
        free(extra.items);
        pipeline_done(&p);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        return status;
}
