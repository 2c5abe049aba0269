/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "discover.h"
#include "plan.h"
#include "resolve.h"
#include "select.h"
#include "table.h"

struct json_object;

/*
 * The version of the JSON output (schema/vfio-bind-output.schema.json), in every document as
 * "schema_version": raised when a field is renamed or removed or changes type; adding a field
 * keeps it.
 */
#define OUTPUT_SCHEMA_VERSION 1

/* How rows print: set from the verb's options (-o, --json, --raw, --pairs, --noheadings). */
extern struct output_options arg_output;

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

/* The columns of each verb's rows, for -o checks and --help. */
extern const struct column result_columns[];
extern const size_t result_columns_n;
extern const struct column list_columns[];
extern const size_t list_columns_n;

/* "plan", "apply", "status", "revert": one row per device, and entries that matched nothing. */
int report_results(const char *verb, const struct result *results, size_t n,
                   const struct selection *sel, bool json);
/* selected[i]: whether the configuration selects device i; NULL when there is no configuration. */
int report_list(const struct snapshot *s, const struct target *targets, const bool *selected,
                bool json);
int report_resolution(const char *modalias, const struct resolution *res, const char *driver,
                      bool json);
const char *outcome_name(enum outcome o);
/* The "result" of a row: outcome_name, or for a plan what apply would do. */
const char *result_name(const struct result *r);
/* Prints one JSON document, {"VERB": value} with value's "schema_version", and frees value. */
int print_json(const char *verb, struct json_object *value);
/* A string field, null when s is empty. */
struct json_object *json_string_or_null(const char *s);
