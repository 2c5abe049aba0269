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

struct pipeline;
/* The plan as planned results; EXIT_FAILED when a device cannot be handled, < 0 on error. */
int report_plan(struct pipeline *p, const char *verb, bool json);
/* The configuration (unless not needed), then the pipeline: -1 to go on, else an exit status. */
int load_and_run(struct pipeline *p, bool load_config);

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
