/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "apply.h"
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
/* The plan as planned results: 1 when a device cannot be handled (or is missing), < 0 on error. */
int report_plan(const struct plan *plan, const struct selection *sel, const char *verb, bool json);
/* A string field, null when s is empty. */
struct json_object *json_string_or_null(const char *s);
/* slot, path, serial of a PCI device (null when none), the same in list's rows and the others. */
void device_identity_json(struct json_object *o, const struct device *d);
