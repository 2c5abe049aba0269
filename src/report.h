/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "discover.h"
#include "plan.h"
#include "resolve.h"
#include "select.h"

struct json_object;

/* Outcome of one action once apply has run it (or not). */
enum outcome {
        OUTCOME_PLANNED,   /* plan / dry run: nothing was done */
        OUTCOME_UNCHANGED, /* already as configured */
        OUTCOME_CHANGED,
        OUTCOME_FAILED,
        OUTCOME_IN_SYNC, /* status */
        OUTCOME_DRIFT,   /* status */
        OUTCOME_RELEASED, /* apply: given back to a host driver, no entry selecting it (release.h) */
};

struct result {
        const struct action *action;
        enum outcome outcome;
        unsigned steps_done;
        enum step failed_step;
        int error; /* negative errno of the failed step */
        char message[400];
        /* Not an error: why the device is on no driver by design (revert: host module blacklisted). */
        char note[160];
        bool rolled_back;
        bool for_group; /* failed only because a mate did, under 'group: all' (errno ECANCELED) */
        char previous_driver[DRIVER_NAME_MAX]; /* what it was on before apply or revert */
        char previous_override[DRIVER_NAME_MAX];
};

/* "plan", "apply", "status", "revert": one row per device, and entries that matched nothing. */
void report_results(const char *verb, const struct result *results, size_t n,
                    const struct selection *sel, bool json);
void report_list(const struct snapshot *s, const struct target *targets, bool json);
void report_resolution(const char *modalias, const struct resolution *res, const char *driver,
                       bool json);
const char *outcome_name(enum outcome o);
/* Prints one JSON document, {"VERB": value}, and frees value. */
int print_json(const char *verb, struct json_object *value);
/* The plan as planned results: 1 when a device cannot be handled (or is missing), < 0 on error. */
int report_plan(const struct plan *plan, const struct selection *sel, const char *verb, bool json);
