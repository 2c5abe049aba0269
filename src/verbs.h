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

struct pipeline;
/* The plan as planned results; EXIT_FAILED when a device cannot be handled, < 0 on error. */
int report_plan(struct pipeline *p, const char *verb, bool json);

int verb_plan(int argc, char *argv[]);
int verb_apply(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_revert(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_resolve(int argc, char *argv[]);
int verb_validate(int argc, char *argv[]);
int verb_modules(int argc, char *argv[]);
int verb_udev(int argc, char *argv[]); /* verbs-udev.c */
