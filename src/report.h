/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "apply.h"
#include "discover.h"
#include "plan.h"
#include "resolve.h"
#include "select.h"

struct json_object;

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
