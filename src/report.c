/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>

#include "log.h"
#include "macro.h"
#include "report.h"
#include "table.h"

struct output_options arg_output;

/* The rows of plan, apply, status and revert: one vocabulary with list's (docs/output.md). */
const struct column result_columns[] = {
        { "address", COLUMN_DEFAULT, "the device: PCI address, or its sysfs name on other buses" },
        { "bus", 0, "pci, platform, fsl-mc or cdx" },
        { "id", COLUMN_DEFAULT, "vendor:device (PCI only)" },
        { "slot", 0, "PCI: its physical slot's name" },
        { "path", 0, "PCI: root bus, then device.function of each bridge and of the device" },
        { "serial", 0, "PCI: its Device Serial Number" },
        { "driver", COLUMN_DEFAULT, "the driver it is on now" },
        { "driver_override", 0, "its driver_override now" },
        { "vfio_module", 0, "the VFIO module it gets (resolved, or the entry's 'driver')" },
        { "vfio_driver", COLUMN_DEFAULT, "the driver that module registers" },
        { "host_driver", 0, "a release: the host driver it goes back to" },
        { "iommu_group", COLUMN_RIGHT, "its IOMMU group" },
        { "result", COLUMN_DEFAULT, "unchanged, will-change, will-release, error (plan); "
                                    "changed, failed, released, fallback (apply, revert); in-sync, drift (status)" },
        { "changed", 0, "whether it changed (plan: would change)" },
        { "steps", 0, "steps done (plan: to do), in order" },
        { "failed_step", 0, "the step that failed" },
        { "errno", COLUMN_RIGHT, "the error number of the failed step" },
        { "rolled_back", 0, "failed, and put back as it was" },
        { "error", 0, "why it failed or cannot be done" },
        { "warning", 0, "what may go wrong" },
        { "note", 0, "not an error: why it is on no driver" },
        { "reason", 0, "status: why it drifted" },
        { "config", 0, "the file of the entry that selects it" },
        { "config_line", COLUMN_RIGHT, "the line of that entry" },
        { "previous_driver", 0, "the driver it was on before" },
        { "via_group", 0, "selected because another member of its IOMMU group was (group: all)" },
        { "via_functions", 0, "selected because another function of its card was (functions: all)" },
        { "release", 0, "no entry selects it any more: back to a host driver" },
        { "detail", COLUMN_DEFAULT | COLUMN_TABLE_ONLY | COLUMN_TRUNC,
          "what was or would be done, or why not" },
};
const size_t result_columns_n = ELEMENTSOF(result_columns);

const char *outcome_name(enum outcome o)
{
        switch (o) {
        case OUTCOME_PLANNED:
                return "planned";
        case OUTCOME_UNCHANGED:
                return "unchanged";
        case OUTCOME_CHANGED:
                return "changed";
        case OUTCOME_FAILED:
                return "failed";
        case OUTCOME_IN_SYNC:
                return "in-sync";
        case OUTCOME_DRIFT:
                return "drift";
        case OUTCOME_RELEASED:
                return "released";
        case OUTCOME_FALLBACK:
                return "fallback";
        }
        return "unknown";
}

const char *result_name(const struct result *r)
{
        if (r->outcome != OUTCOME_PLANNED)
                return outcome_name(r->outcome);
        switch (r->action->kind) {
        case ACTION_NONE:
                return "unchanged";
        case ACTION_BIND:
                return "will-change";
        case ACTION_RELEASE:
                return "will-release";
        case ACTION_ERROR:
                break;
        }
        return "error";
}

struct json_object *json_string_or_null(const char *s)
{
        return s && *s ? json_object_new_string(s) : NULL;
}

int print_json(const char *verb, struct json_object *value)
{
        struct json_object *doc = json_object_new_object();
        int r = 0;
        _cleanup_free_ char *text = NULL;

        json_object_object_add(value, "schema_version", json_object_new_int(OUTPUT_SCHEMA_VERSION));
        json_object_object_add(doc, verb, value);
        /* json-c passes bytes through: a file name that is not UTF-8 would make it not JSON */
        text = utf8_valid_dup(json_object_to_json_string_ext(
                doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        if (!text || puts(text) < 0)
                r = text ? -EIO : -ENOMEM;
        json_object_put(doc);
        return r;
}

/*
 * Giving a device back (revert, a release) clears the override: the same step as apply's
 * set-override, its own name.
 */
static const char *step_label(enum step s, bool back)
{
        return back && s == STEP_SET_OVERRIDE ? "clear-override" : step_name(s);
}

static void steps_text(unsigned steps, const struct action *a, const char *from, bool back,
                       char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (unsigned s = STEP_FIRST; s <= STEP_LAST && n < size; s <<= 1) {
                if (!(steps & s))
                        continue;
                if (s == STEP_REMOVE_VFS || s == STEP_CREATE_VFS) {
                        n += (size_t)snprintf(buf + n, size - n, "%s", n ? ", " : "");
                        if (n < size)
                                n += (size_t)sriov_step_text(a, (enum step)s, buf + n, size - n);
                } else if (s == STEP_SET_RESET_METHOD && a->item->entry && !back)
                        n += (size_t)snprintf(buf + n, size - n, "%sreset_method '%s'",
                                              n ? ", " : "", a->item->entry->reset_method);
                else if (s == STEP_LOAD_MODULE && a->target->module[0])
                        n += (size_t)snprintf(buf + n, size - n, "%sload %s", n ? ", " : "",
                                              a->target->module);
                else if (s == STEP_UNBIND)
                        n += (size_t)snprintf(buf + n, size - n, "%sunbind %s", n ? ", " : "",
                                              from);
                else
                        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                                              step_label((enum step)s, back));
        }
}

static struct json_object *steps_json(unsigned steps, bool back)
{
        struct json_object *arr = json_object_new_array();

        for (unsigned s = STEP_FIRST; s <= STEP_LAST; s <<= 1)
                if (steps & s)
                        json_object_array_add(arr, json_object_new_string(
                                                           step_label((enum step)s, back)));
        return arr;
}

/*
 * apply and revert: what they did; plan: what apply would do (as config management's check mode).
 * A fallback found in place wrote nothing; a failure not put back left the device elsewhere.
 */
static bool result_changed(const struct result *r)
{
        return r->outcome == OUTCOME_CHANGED || r->outcome == OUTCOME_RELEASED ||
               (r->outcome == OUTCOME_FALLBACK && r->steps_done) ||
               (r->outcome == OUTCOME_FAILED && r->steps_done && !r->rolled_back) ||
               (r->outcome == OUTCOME_PLANNED &&
                (r->action->kind == ACTION_BIND || r->action->kind == ACTION_RELEASE));
}

/* status: why a device is not as the configuration says, in one line. */
static void drift_reason(const struct result *r, char *buf, size_t size)
{
        const struct action *a = r->action;
        const struct device *d = a->item->device;
        const char *want = a->target->driver;
        size_t n = 0;

        buf[0] = '\0';
        if (r->message[0]) {
                snprintf(buf, size, "%s", r->message);
                return;
        }
        if (a->kind == ACTION_ERROR || a->kind == ACTION_RELEASE) {
                snprintf(buf, size, "%s", a->reason);
                return;
        }
        if (!a->item->sriov_pf && want[0] && !streq(d->driver, want))
                n += (size_t)snprintf(buf, size, "on %s, not %s",
                                      d->driver[0] ? d->driver : "no driver", want);
        else if (!a->item->sriov_pf && want[0] && !streq(d->driver_override, want))
                n += (size_t)snprintf(buf, size, d->driver_override[0]
                                                         ? "driver_override is '%s', not '%s'"
                                                         : "driver_override is not set%s, not '%s'",
                                      d->driver_override, want);
        if ((a->steps & STEP_SET_RESET_METHOD) && a->item->entry && n < size)
                n += (size_t)snprintf(buf + n, size - n, "%sreset_method is '%s', not '%s'",
                                      n ? "; " : "", d->reset_method, a->item->entry->reset_method);
        for (unsigned s = STEP_REMOVE_VFS; s <= STEP_CREATE_VFS && n < size; s <<= 1)
                if (a->steps & s) {
                        n += (size_t)snprintf(buf + n, size - n, "%sneeds: ", n ? "; " : "");
                        if (n < size)
                                n += (size_t)sriov_step_text(a, (enum step)s, buf + n, size - n);
                }
        if (!buf[0]) {
                snprintf(buf, size, "apply would: ");
                n = strlen(buf);
                steps_text(a->steps, a, d->driver, false, buf + n, size - n);
        }
}

/* The table's summary: the error, else the steps, then the note and the warning. */
static void detail_text(const char *verb, const struct result *r, const char *reason,
                        char *detail, size_t size)
{
        const struct action *a = r->action;
        bool back = streq(verb, "revert") || a->kind == ACTION_RELEASE;
        size_t l;

        if (reason[0])
                snprintf(detail, size, "%s", reason);
        else if (r->message[0])
                snprintf(detail, size, "%s", r->message);
        else if (r->outcome == OUTCOME_PLANNED && a->steps)
                steps_text(a->steps, a, a->item->device->driver, back, detail, size);
        else if (r->outcome == OUTCOME_CHANGED || r->outcome == OUTCOME_RELEASED)
                steps_text(r->steps_done, a, r->previous_driver, back, detail, size);
        else
                detail[0] = '\0';
        if (r->note[0]) {
                l = strlen(detail);
                snprintf(detail + l, size - l, "%s%s", l ? "; " : "", r->note);
        }
        if (r->warning[0]) {
                l = strlen(detail);
                snprintf(detail + l, size - l, "%swarning: %s", l ? "; " : "", r->warning);
        }
}

static struct json_object *result_row(const char *verb, const struct result *r)
{
        const struct action *a = r->action;
        const struct device *d = a->item->device;
        const struct config_entry *e = a->item->entry;
        struct json_object *o = json_object_new_object();
        bool failed = r->outcome == OUTCOME_FAILED;
        bool release = a->kind == ACTION_RELEASE;
        bool back = streq(verb, "revert") || release;
        char id[16], reason[sizeof(r->message)], detail[1024];

        snprintf(id, sizeof(id), "%04x:%04x", d->id.vendor, d->id.device);
        reason[0] = '\0';
        if (r->outcome == OUTCOME_DRIFT)
                drift_reason(r, reason, sizeof(reason));
        detail_text(verb, r, reason, detail, sizeof(detail));
        json_object_object_add(o, "address", json_object_new_string(d->name));
        json_object_object_add(o, "bus", json_object_new_string(bus_get(d->bus)->name));
        json_object_object_add(o, "id", device_id_known(d) ? json_object_new_string(id) : NULL);
        device_identity_json(o, d);
        json_object_object_add(o, "driver", json_string_or_null(d->driver));
        json_object_object_add(o, "driver_override", json_string_or_null(d->driver_override));
        /* A release's target is the host driver it came from: not a VFIO one. */
        json_object_object_add(o, "vfio_module", release ? NULL : json_string_or_null(a->target->module));
        /* Apply's result names the driver the module registered: the target's could only be guessed. */
        json_object_object_add(o, "vfio_driver",
                               release ? NULL
                                       : json_string_or_null(r->driver[0] ? r->driver
                                                                          : a->target->driver));
        json_object_object_add(o, "host_driver", release ? json_string_or_null(a->target->driver) : NULL);
        json_object_object_add(o, "iommu_group", d->iommu_group >= 0
                                                         ? json_object_new_int(d->iommu_group)
                                                         : NULL);
        json_object_object_add(o, "result", json_object_new_string(result_name(r)));
        json_object_object_add(o, "changed", json_object_new_boolean(result_changed(r)));
        json_object_object_add(o, "steps", steps_json(r->outcome == OUTCOME_PLANNED ? a->steps
                                                                                     : r->steps_done,
                                                      back));
        /* A fallback's: the step and errno of the module that failed. */
        failed = failed || r->outcome == OUTCOME_FALLBACK;
        json_object_object_add(o, "failed_step",
                               failed && r->failed_step
                                       ? json_object_new_string(step_label(r->failed_step, back))
                                       : NULL);
        /* A failure no system call gave (a plan's refusal, odd sysfs content) has no errno. */
        json_object_object_add(o, "errno",
                               failed && r->error ? json_object_new_int(-r->error) : NULL);
        json_object_object_add(o, "rolled_back", r->outcome == OUTCOME_FAILED
                                                         ? json_object_new_boolean(r->rolled_back)
                                                        : NULL);
        json_object_object_add(o, "error", json_string_or_null(r->message));
        json_object_object_add(o, "warning", json_string_or_null(r->warning));
        json_object_object_add(o, "note", json_string_or_null(r->note));
        json_object_object_add(o, "reason", json_string_or_null(reason));
        json_object_object_add(o, "config", e ? json_object_new_string(e->loc.file) : NULL);
        json_object_object_add(o, "config_line", e ? json_object_new_int((int)e->loc.line) : NULL);
        json_object_object_add(o, "previous_driver", json_string_or_null(r->previous_driver));
        json_object_object_add(o, "via_group", json_object_new_boolean(a->item->via_group));
        json_object_object_add(o, "via_functions", json_object_new_boolean(a->item->via_functions));
        json_object_object_add(o, "release", json_object_new_boolean(a->kind == ACTION_RELEASE));
        json_object_object_add(o, "detail", json_string_or_null(detail));
        return o;
}

static struct json_object *unmatched_json(const struct selection *sel)
{
        struct json_object *arr = json_object_new_array();

        for (size_t i = 0; sel && i < sel->n_unmatched; i++) {
                const struct config_entry *e = sel->unmatched[i];
                struct json_object *o = json_object_new_object();
                char what[128];

                config_entry_describe(e, what, sizeof(what));
                json_object_object_add(o, "selector", json_object_new_string(what));
                json_object_object_add(o, "result", json_object_new_string(entry_is_missing(e)
                                                                                ? "missing"
                                                                                : "unmatched"));
                json_object_object_add(o, "optional", json_object_new_boolean(e->optional));
                json_object_object_add(o, "config", json_object_new_string(e->loc.file));
                json_object_object_add(o, "config_line", json_object_new_int((int)e->loc.line));
                json_object_array_add(arr, o);
        }
        return arr;
}

int report_results(const char *verb, const struct result *results, size_t n,
                   const struct selection *sel, bool json)
{
        struct json_object *rows = json_object_new_array();
        /* raw and pairs are for scripts: the notes about entries go aside */
        FILE *notes = arg_output.mode == OUTPUT_TABLE ? stdout : stderr;
        size_t changed = 0, failed = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                changed += result_changed(&results[i]);
                failed += results[i].outcome == OUTCOME_FAILED;
                json_object_array_add(rows, result_row(verb, &results[i]));
        }
        if (json || arg_output.mode == OUTPUT_JSON) {
                struct json_object *o = json_object_new_object();

                rows_for_json(result_columns, result_columns_n, arg_output.columns, rows);
                json_object_object_add(o, "devices", rows);
                json_object_object_add(o, "unmatched", unmatched_json(sel));
                json_object_object_add(o, "changed", json_object_new_boolean(changed > 0));
                json_object_object_add(o, "failed", json_object_new_int((int)failed));
                json_object_object_add(o, "missing", json_object_new_int((int)selection_missing(sel)));
                return print_json(verb, o);
        }
        if (n == 0 && arg_output.mode == OUTPUT_TABLE)
                printf("No device selected.\n");
        else if (n > 0)
                r = table_print_rows(result_columns, result_columns_n, &arg_output, rows, stdout);
        json_object_put(rows);
        for (size_t i = 0; sel && i < sel->n_unmatched; i++) {
                const struct config_entry *e = sel->unmatched[i];
                char what[128];

                config_entry_describe(e, what, sizeof(what));
                print_line(notes, "%s: no device matches %s (%s:%u:%u)%s",
                           entry_is_missing(e) ? "missing" : "note", what, e->loc.file,
                           e->loc.line, e->loc.column, e->optional ? "; optional" : "");
        }
        return r;
}

int report_plan(const struct plan *plan, const struct selection *sel, const char *verb, bool json)
{
        _cleanup_free_ struct result *results = NULL;
        size_t n = plan->n_actions + plan->n_releases;
        int status = 0, r;

        results = calloc(n + 1, sizeof(*results));
        if (!results)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < n; i++) {
                const struct action *a = plan_action(plan, i);
                results[i] = (struct result){ .action = a, .outcome = OUTCOME_PLANNED };
                snprintf(results[i].warning, sizeof(results[i].warning), "%s", a->warning);
                if (a->kind == ACTION_ERROR || a->kind == ACTION_RELEASE)
                        snprintf(results[i].message, sizeof(results[i].message), "%s", a->reason);
                if (a->kind == ACTION_ERROR)
                        status = 1;
        }
        if (selection_missing(sel))
                status = 1;
        r = report_results(verb, results, n, sel, json);
        return r < 0 ? r : status;
}
