/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1, /* a device could not be handled */
        EXIT_USAGE = 2,  /* command line or configuration error */
        EXIT_DRIFT = 3,  /* status: the host differs from the configuration */
};

struct verb {
        const char *name;
        int (*run)(int argc, char *argv[]); /* returns an exit status */
};

extern const char *arg_config;

/* Logs "Try 'vfio-bind [VERB] --help'." and returns -EINVAL. */
int usage_error(const char *verb);

struct option;
/* In each verb's long options: what every verb takes (-c, -v anywhere on the line; -h). */
#define VERB_COMMON_OPTIONS                                                                     \
        { "config", required_argument, NULL, 'c' }, { "verbose", no_argument, NULL, 'v' },     \
                { "help", no_argument, NULL, 'h' }

/*
 * Logs what getopt refused (c: '?' or ':'; opterr off), escaped; stepped: getopt went past the
 * word (a long option, or the last of a cluster).
 */
void log_bad_option(const char *verb, int c, char *argv[], bool stepped);
/* -c FILE, -v: true when c is one of them (then done). */
bool global_option(int c, const char *arg);

/*
 * getopt_long for a verb (optind = 0 and *n_operands = 0 before the first call), with its own
 * short options (shortopts, getopt's syntax) besides -h, -c FILE and -v: options may
 * come anywhere among the operands, whatever POSIXLY_CORRECT says, and "--" ends them; -c and -v
 * are handled here. Returns the next option ('h' for --help), '?' after logging a bad option, or
 * -1 at the end, with the operands in order in argv[optind..argc).
 */
int verb_getopt(int argc, char *argv[], const char *verb, const char *shortopts,
                const struct option *longopts, int *longindex, int *n_operands);

/*
 * The options a verb takes besides --help; OPT_ARGS: it takes arguments (else they are errors).
 * OPT_JSON: the verb prints rows (table.h), so --json and the table's -o/--output, --raw,
 * --pairs, --noheadings too; they set arg_output (report.h).
 */
enum {
        OPT_JSON = 1 << 0,
        OPT_DRY_RUN = 1 << 1,
        OPT_BOOT = 1 << 2,
        OPT_BUS = 1 << 3,
        OPT_ARGS = 1 << 4,
};

struct verb_options {
        bool json, dry_run, boot;
        unsigned buses; /* --bus: 1 << BUS_x; ~0u for all */
};

/*
 * Parses a verb's options. Returns 1 to go on (arguments from optind), 0 after --help, or
 * -EINVAL after logging a usage error.
 */
int parse_verb_options(int argc, char *argv[], const char *verb, const char *usage,
                       unsigned accepted, struct verb_options *ret);

/* --kver: a release name, not a path; logs a usage error for verb when it is not. */
bool kver_option_valid(const char *verb, const char *kver);

/* Whether the result rows the verb prints (-o, --json) show column: what none shows is not read. */
bool result_rows_show(const char *column);

struct pipeline;
/*
 * The configuration (unless not needed), then the pipeline, reading serials only when a row
 * shows them: -1 to go on, else an exit status.
 */
int load_and_run(struct pipeline *p, bool load_config);

/*
 * The modules the configuration needs with p->resolver's tree (what 'modules' prints: built-in
 * ones left out), sorted, unique, malloc'ed. p has its configuration, snapshot and selection.
 * Returns how many could not be had (logged at level), or < 0 on error (logged).
 */
int modules_needed(struct pipeline *p, int level, char ***ret, size_t *ret_n);

/* One verb a file: verb-NAME.c. */
int verb_plan(int argc, char *argv[]);
int verb_apply(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_revert(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_resolve(int argc, char *argv[]);
int verb_validate(int argc, char *argv[]);
int verb_modules(int argc, char *argv[]);
int verb_udev(int argc, char *argv[]);
int verb_doctor(int argc, char *argv[]);
