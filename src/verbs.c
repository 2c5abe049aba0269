/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <getopt.h>

#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "verbs.h"

int usage_error(const char *verb)
{
        if (verb)
                log_error("Try 'vfio-bind %s --help' for more information.", verb);
        else
                log_error("Try 'vfio-bind --help' for more information.");
        return -EINVAL;
}

/* getopt's own lines would carry the option raw: one line of ours instead, escaped. */
void log_bad_option(const char *verb, int c, char *argv[], bool stepped)
{
        char name[3] = { '-', (char)optopt, '\0' };
        const char *opt = name, *word = argv[optind - 1];
        int len = -1;

        if (stepped && !strncmp(word, "--", 2)) {
                opt = word;
                len = (int)strcspn(word, "=");
        }
        log_error("%s%s%s '%.*s'%s", strempty(verb), verb ? ": " : "",
                  c == ':' ? "option" : "unknown option", len, opt,
                  c == ':' ? " needs an argument" : "");
}

bool global_option(int c, const char *arg)
{
        if (c == 'c')
                arg_config = arg;
        else if (c == 'v')
                log_set_max_level(LOG_DEBUG);
        return c == 'c' || c == 'v';
}

int verb_getopt(int argc, char *argv[], const char *verb, const char *shortopts,
                const struct option *longopts, int *longindex, int *n_operands)
{
        char optstring[32];
        int c, before, index;

        assert(strlen(shortopts) < sizeof(optstring) - sizeof("-:hc:v"));
        /* '-': operands come back in order (as 1), whatever POSIXLY_CORRECT says. */
        snprintf(optstring, sizeof(optstring), "-:hc:v%s", shortopts);

        opterr = 0;
        for (;;) {
                before = optind;
                index = -1;
                c = getopt_long(argc, argv, optstring, longopts, &index);
                if (longindex)
                        *longindex = index;
                if (c == 1 && index < 0) /* a long option's value may be 1 too */
                        /* Slots before optind are read: the operands gather there, in order. */
                        argv[1 + (*n_operands)++] = optarg;
                else if (global_option(c, optarg))
                        continue;
                else if (c == '?' || c == ':') {
                        log_bad_option(verb, c, argv, optind > before);
                        return '?';
                } else if (c >= 0)
                        return c;
                else
                        break;
        }
        /* After "--" the rest are operands too; then all of them go to the end, from optind. */
        while (optind < argc)
                argv[1 + (*n_operands)++] = argv[optind++];
        memmove(argv + argc - *n_operands, argv + 1, (size_t)*n_operands * sizeof(*argv));
        optind = argc - *n_operands;
        return -1;
}

/* The options of a verb that prints rows (table.h): true when c is one of them (then done). */
static bool output_option(int c, const char *arg, struct output_options *out, unsigned *modes)
{
        switch (c) {
        case OPT_JSON:
        case 'r':
        case 'P':
                out->mode = c == OPT_JSON ? OUTPUT_JSON : c == 'r' ? OUTPUT_RAW : OUTPUT_PAIRS;
                *modes |= 1u << out->mode;
                return true;
        case 'o':
                out->columns = arg;
                return true;
        case 'n':
                out->noheadings = true;
                return true;
        default:
                return false;
        }
}

static void output_help(const struct column *cols, size_t n_cols)
{
        printf("\nOutput:\n"
               "  -o, --output LIST  the table's columns (also JSON's, when given)\n"
               "  -r, --raw          columns split by one space, blanks escaped\n"
               "  -P, --pairs        NAME=\"value\" pairs\n"
               "  -n, --noheadings   no header line\n");
        columns_help(cols, n_cols, stdout);
}

int parse_verb_options(int argc, char *argv[], const char *verb, const char *usage,
                       unsigned accepted, struct verb_options *ret)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "boot", no_argument, NULL, OPT_BOOT },
                { "bus", required_argument, NULL, OPT_BUS },
                { "output", required_argument, NULL, 'o' },
                { "raw", no_argument, NULL, 'r' },
                { "pairs", no_argument, NULL, 'P' },
                { "noheadings", no_argument, NULL, 'n' },
                VERB_COMMON_OPTIONS,
                {},
        };
        /* The rows the verb prints: -o names their columns. */
        bool list = streq(verb, "list");
        const struct column *cols = list ? list_columns : result_columns;
        size_t n_cols = list ? list_columns_n : result_columns_n;
        struct output_options out = { 0 };
        struct verb_options o = { 0 };
        struct column_set set;
        unsigned modes = 0;
        enum bus b;
        int c, n_operands = 0;

        optind = 0;
        for (int i = -1; (c = verb_getopt(argc, argv, verb, "o:rPn", options, &i, &n_operands)) >= 0;
             i = -1) {
                /* The table's options come with --json: a verb that prints rows takes them all. */
                unsigned need = c > 0 && strchr("orPn", c) ? OPT_JSON : (unsigned)c;

                if (c != 'h' && c != '?' && !(accepted & need)) {
                        if (i >= 0)
                                log_error("%s: unknown option '--%s'", verb, options[i].name);
                        else
                                log_error("%s: unknown option '-%c'", verb, c);
                        return usage_error(verb);
                }
                if (output_option(c, optarg, &out, &modes)) {
                        o.json = o.json || c == OPT_JSON;
                        continue;
                }
                switch (c) {
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
                        if (accepted & OPT_JSON)
                                output_help(cols, n_cols);
                        return 0;
                default:
                        return usage_error(verb);
                }
        }
        if (!(accepted & OPT_ARGS) && optind < argc) {
                log_error("%s: unexpected argument '%s'", verb, argv[optind]);
                return usage_error(verb);
        }
        /* One output format, as util-linux refuses --json with --raw ("mutually exclusive"). */
        if (modes & (modes - 1)) {
                log_error("%s: --json, --raw and --pairs are mutually exclusive", verb);
                return usage_error(verb);
        }
        if ((accepted & OPT_JSON) && columns_select(cols, n_cols, out.columns, &set) < 0)
                return usage_error(verb);
        arg_output = out;
        *ret = o;
        return 1;
}

/* --kver VER, logged when it cannot name a module tree. */
bool kver_option_valid(const char *verb, const char *kver)
{
        if (!kver || kver_valid(kver))
                return true;
        log_error("%s: invalid kernel version '%s' (a release as uname -r prints it: not '.' or "
                  "'..', no '/', blank or control character, under %d characters)", verb, kver,
                  KVER_MAX);
        return false;
}

bool result_rows_show(const char *column)
{
        return columns_show(result_columns, result_columns_n, arg_output.columns,
                            arg_output.mode == OUTPUT_JSON, column);
}

/* The configuration (unless not needed), then the pipeline: -1 to go on, else an exit status. */
int load_and_run(struct pipeline *p, bool load_config)
{
        int r;

        p->serials_unshown = !result_rows_show("serial");
        if (load_config && pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS) < 0)
                return EXIT_USAGE;
        r = pipeline_run(p);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        return -1;
}
