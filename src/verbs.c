/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "log.h"
#include "pipeline.h"
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

/* --kver VER, logged when it cannot name a module tree. */
bool kver_option_valid(const char *verb, const char *kver)
{
        if (!kver || kver_valid(kver))
                return true;
        log_error("%s: invalid kernel version '%s' (not empty, no '/', under %d characters)", verb,
                  kver, KVER_MAX);
        return false;
}

/* The configuration (unless not needed), then the pipeline: -1 to go on, else an exit status. */
int load_and_run(struct pipeline *p, bool load_config)
{
        int r;

        if (load_config && pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS) < 0)
                return EXIT_USAGE;
        r = pipeline_run(p);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        return -1;
}
