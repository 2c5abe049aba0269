/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>

#include "log.h"
#include "macro.h"
#include "report.h"
#include "table.h"

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
        }
        return "unknown";
}

int print_json(const char *verb, struct json_object *value)
{
        struct json_object *doc = json_object_new_object();
        int r = 0;
        _cleanup_free_ char *text = NULL;

        json_object_object_add(doc, verb, value);
        /* json-c passes bytes through: a file name that is not UTF-8 would make it not JSON */
        text = utf8_valid_dup(json_object_to_json_string_ext(
                doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        if (!text || puts(text) < 0)
                r = text ? -EIO : -ENOMEM;
        json_object_put(doc);
        return r;
}

static void steps_text(unsigned steps, const struct action *a, const char *from, char *buf,
                       size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (unsigned s = STEP_LOAD_MODULE; s <= STEP_LAST && n < size; s <<= 1) {
                if (!(steps & s))
                        continue;
                if (s == STEP_REMOVE_VFS || s == STEP_CREATE_VFS) {
                        n += (size_t)snprintf(buf + n, size - n, "%s", n ? ", " : "");
                        if (n < size)
                                n += (size_t)sriov_step_text(a, (enum step)s, buf + n, size - n);
                } else if (s == STEP_LOAD_MODULE)
                        n += (size_t)snprintf(buf + n, size - n, "%sload %s", n ? ", " : "",
                                              a->target->module);
                else if (s == STEP_UNBIND)
                        n += (size_t)snprintf(buf + n, size - n, "%sunbind %s", n ? ", " : "",
                                              from);
                else
                        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                                              step_name((enum step)s));
        }
}

static struct json_object *steps_json(unsigned steps)
{
        struct json_object *arr = json_object_new_array();

        for (unsigned s = STEP_LOAD_MODULE; s <= STEP_LAST; s <<= 1)
                if (steps & s)
                        json_object_array_add(arr, json_object_new_string(step_name((enum step)s)));
        return arr;
}

static struct json_object *json_string_or_null(const char *s)
{
        return s && *s ? json_object_new_string(s) : NULL;
}

/* apply and revert: what they did; plan: what apply would do (as config management's check mode). */
static bool result_changed(const struct result *r)
{
        return r->outcome == OUTCOME_CHANGED || r->outcome == OUTCOME_RELEASED ||
               (r->outcome == OUTCOME_PLANNED &&
                (r->action->kind == ACTION_BIND || r->action->kind == ACTION_RELEASE));
}

static struct json_object *result_json(const struct result *r)
{
        const struct action *a = r->action;
        const struct device *d = a->item->device;
        struct json_object *o = json_object_new_object();
        char buf[32];

        json_object_object_add(o, "address", json_object_new_string(d->name));
        snprintf(buf, sizeof(buf), "%04x:%04x", d->id.vendor, d->id.device);
        /* PCI output as before; other buses have no PCI ids, and say their bus. */
        json_object_object_add(o, "id", d->bus == BUS_PCI ? json_object_new_string(buf) : NULL);
        if (d->bus != BUS_PCI)
                json_object_object_add(o, "bus", json_object_new_string(bus_get(d->bus)->name));
        json_object_object_add(o, "driver", json_string_or_null(d->driver));
        json_object_object_add(o, "driver_override", json_string_or_null(d->driver_override));
        json_object_object_add(o, "target_module", json_string_or_null(a->target->module));
        /* Apply's result names the driver the module registered: the target's could only be guessed. */
        json_object_object_add(o, "target_driver",
                               json_string_or_null(r->driver[0] ? r->driver : a->target->driver));
        json_object_object_add(o, "iommu_group", d->iommu_group >= 0
                                                         ? json_object_new_int(d->iommu_group)
                                                         : NULL);
        json_object_object_add(o, "result", json_object_new_string(outcome_name(r->outcome)));
        json_object_object_add(o, "changed", json_object_new_boolean(result_changed(r)));
        json_object_object_add(o, "steps", steps_json(r->outcome == OUTCOME_PLANNED ? a->steps
                                                                                     : r->steps_done));
        if (r->outcome == OUTCOME_FAILED) {
                json_object_object_add(o, "failed_step",
                                       r->failed_step ? json_object_new_string(step_name(r->failed_step))
                                                      : NULL);
                json_object_object_add(o, "errno", json_object_new_int(-r->error));
                json_object_object_add(o, "rolled_back", json_object_new_boolean(r->rolled_back));
        }
        json_object_object_add(o, "error", json_string_or_null(r->message));
        json_object_object_add(o, "warning", json_string_or_null(r->warning));
        json_object_object_add(o, "note", json_string_or_null(r->note));
        if (a->item->entry) {
                json_object_object_add(o, "config", json_object_new_string(a->item->entry->loc.file));
                json_object_object_add(o, "config_line",
                                       json_object_new_int((int)a->item->entry->loc.line));
        }
        if (r->previous_driver[0] || r->outcome == OUTCOME_CHANGED)
                json_object_object_add(o, "previous_driver", json_string_or_null(r->previous_driver));
        json_object_object_add(o, "via_group", json_object_new_boolean(a->item->via_group));
        if (a->kind == ACTION_RELEASE)
                json_object_object_add(o, "release", json_object_new_boolean(true));
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

void report_results(const char *verb, const struct result *results, size_t n,
                    const struct selection *sel, bool json)
{
        static const char *const headers[] = { "DEVICE", "ID", "DRIVER", "TARGET", "RESULT", "DETAIL" };
        struct table t;
        size_t changed = 0, failed = 0;

        for (size_t i = 0; i < n; i++) {
                changed += result_changed(&results[i]);
                failed += results[i].outcome == OUTCOME_FAILED;
        }
        if (json) {
                struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

                for (size_t i = 0; i < n; i++)
                        json_object_array_add(arr, result_json(&results[i]));
                json_object_object_add(o, "devices", arr);
                json_object_object_add(o, "unmatched", unmatched_json(sel));
                json_object_object_add(o, "changed", json_object_new_boolean(changed > 0));
                json_object_object_add(o, "failed", json_object_new_int((int)failed));
                json_object_object_add(o, "missing", json_object_new_int((int)selection_missing(sel)));
                print_json(verb, o);
                return;
        }
        if (n == 0)
                printf("No device selected.\n");
        else if (table_init(&t, ELEMENTSOF(headers), headers) == 0) {
                for (size_t i = 0; i < n; i++) {
                        const struct result *r = &results[i];
                        const struct action *a = r->action;
                        const struct device *d = a->item->device;
                        char id[16], detail[512];
                        const char *cells[6];

                        snprintf(id, sizeof(id), "%04x:%04x", d->id.vendor, d->id.device);
                        if (d->bus != BUS_PCI)
                                snprintf(id, sizeof(id), "%s", bus_get(d->bus)->name);
                        if (r->message[0])
                                snprintf(detail, sizeof(detail), "%s", r->message);
                        else if (r->outcome == OUTCOME_PLANNED && a->steps)
                                steps_text(a->steps, a, d->driver, detail, sizeof(detail));
                        else if (r->outcome == OUTCOME_CHANGED || r->outcome == OUTCOME_RELEASED)
                                steps_text(r->steps_done, a, r->previous_driver, detail, sizeof(detail));
                        else
                                detail[0] = '\0';
                        if (r->note[0]) {
                                size_t l = strlen(detail);
                                snprintf(detail + l, sizeof(detail) - l, "%s%s", l ? "; " : "",
                                         r->note);
                        }
                        if (r->warning[0]) {
                                size_t l = strlen(detail);
                                snprintf(detail + l, sizeof(detail) - l, "%swarning: %s",
                                         l ? "; " : "", r->warning);
                        }
                        cells[0] = d->name;
                        cells[1] = id;
                        cells[2] = d->driver[0] ? d->driver : "-";
                        cells[3] = r->driver[0] ? r->driver : a->target->driver[0] ? a->target->driver : "-";
                        cells[4] = r->outcome == OUTCOME_PLANNED
                                           ? (a->kind == ACTION_NONE ? "unchanged"
                                              : a->kind == ACTION_BIND ? "will change"
                                              : a->kind == ACTION_RELEASE ? "will release" : "error")
                                           : outcome_name(r->outcome);
                        cells[5] = detail[0] ? detail : "-";
                        table_add_row(&t, cells);
                }
                table_print(&t, stdout);
                table_done(&t);
        }
        for (size_t i = 0; sel && i < sel->n_unmatched; i++) {
                const struct config_entry *e = sel->unmatched[i];
                char what[128];

                config_entry_describe(e, what, sizeof(what));
                print_line(stdout, "%s: no device matches %s (%s:%u:%u)%s",
                           entry_is_missing(e) ? "missing" : "note", what, e->loc.file,
                           e->loc.line, e->loc.column, e->optional ? "; optional" : "");
        }
}

void report_list(const struct snapshot *s, const struct target *targets, bool json)
{
        static const char *const headers[] = { "DEVICE", "ID",   "CLASS", "DRIVER",
                                               "GROUP",  "VFIO", "NAME" };
        struct json_object *arr = json ? json_object_new_array() : NULL;
        struct device_names *names = NULL;
        struct table t;

        if (!json && table_init(&t, ELEMENTSOF(headers), headers) < 0)
                return;
        /* Names are for people: the table has them, JSON keeps to what sysfs says. */
        if (!json)
                names = device_names_new();
        for (size_t i = 0; i < s->n_devices; i++) {
                const struct device *d = &s->devices[i];
                const struct target *tg = &targets[i];
                /* A module that resolution found but refused is no VFIO module for it. */
                const char *module = tg->error == 0 ? tg->module : "";
                char id[16], cls[8], group[16];

                bool pci = d->bus == BUS_PCI;

                /* Other buses have no PCI ids: the table says the bus there, JSON has "bus". */
                if (pci) {
                        snprintf(id, sizeof(id), "%04x:%04x", d->id.vendor, d->id.device);
                        snprintf(cls, sizeof(cls), "%06x", d->class_code);
                } else {
                        snprintf(id, sizeof(id), "%s", bus_get(d->bus)->name);
                        strcpy(cls, "-");
                }
                snprintf(group, sizeof(group), "%d", d->iommu_group);
                if (json) {
                        struct json_object *o = json_object_new_object();
                        char sub[16];

                        snprintf(sub, sizeof(sub), "%04x:%04x", d->subsystem.vendor,
                                 d->subsystem.device);
                        json_object_object_add(o, "address", json_object_new_string(d->name));
                        if (!pci)
                                json_object_object_add(o, "bus",
                                                       json_object_new_string(bus_get(d->bus)->name));
                        if (d->container[0])
                                json_object_object_add(o, "container",
                                                       json_object_new_string(d->container));
                        json_object_object_add(o, "id", pci ? json_object_new_string(id) : NULL);
                        json_object_object_add(o, "subsystem",
                                               pci ? json_object_new_string(sub) : NULL);
                        json_object_object_add(o, "class", pci ? json_object_new_string(cls) : NULL);
                        json_object_object_add(o, "modalias", json_string_or_null(d->modalias));
                        json_object_object_add(o, "driver", json_string_or_null(d->driver));
                        json_object_object_add(o, "driver_override",
                                               json_string_or_null(d->driver_override));
                        json_object_object_add(o, "iommu_group",
                                               d->iommu_group >= 0 ? json_object_new_int(d->iommu_group)
                                                                   : NULL);
                        if (pci)
                                json_object_object_add(o, "header_type",
                                                       json_object_new_int(d->header_type));
                        json_object_object_add(o, "vfio_module", json_string_or_null(module));
                        json_object_object_add(o, "vfio_driver",
                                               json_string_or_null(tg->error == 0 ? tg->driver : ""));
                        if (d->is_virtfn) {
                                char pf[PCI_ADDRESS_MAX];
                                pci_address_format(&d->physfn, pf);
                                json_object_object_add(o, "physfn", json_object_new_string(pf));
                        }
                        if (d->sriov_totalvfs)
                                json_object_object_add(o, "sriov_totalvfs",
                                                       json_object_new_int((int)d->sriov_totalvfs));
                        if (d->boot_vga >= 0)
                                json_object_object_add(o, "boot_vga",
                                                       json_object_new_boolean(d->boot_vga));
                        json_object_object_add(o, "in_use", json_string_or_null(d->in_use));
                        json_object_object_add(o, "problem", json_string_or_null(d->problem));
                        json_object_array_add(arr, o);
                } else {
                        char name[128];
                        const char *cells[] = { d->name, id, cls, d->driver[0] ? d->driver : "-",
                                                d->iommu_group >= 0 ? group : "-",
                                                module[0] ? module : "-", name };

                        device_names_get(names, d, name, sizeof(name));
                        if (!name[0])
                                strcpy(name, "-");
                        table_add_row(&t, cells);
                }
        }
        if (json) {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "devices", arr);
                print_json("list", o);
        } else {
                table_print(&t, stdout);
                table_done(&t);
                device_names_free(names);
        }
}

void report_resolution(const char *modalias, const struct resolution *res, const char *driver,
                       bool json)
{
        struct json_object *o, *arr;

        if (!json) {
                printf("%s\n", res->matches[0].module);
                return;
        }
        o = json_object_new_object();
        arr = json_object_new_array();
        json_object_object_add(o, "modalias", json_object_new_string(modalias));
        json_object_object_add(o, "module", json_object_new_string(res->matches[0].module));
        json_object_object_add(o, "driver", json_object_new_string(driver));
        for (size_t i = 0; i < res->n_matches; i++) {
                struct json_object *m = json_object_new_object();
                json_object_object_add(m, "module", json_object_new_string(res->matches[i].module));
                json_object_object_add(m, "alias", json_object_new_string(res->matches[i].pattern));
                json_object_object_add(m, "stars", json_object_new_int((int)res->matches[i].stars));
                json_object_object_add(m, "builtin", json_object_new_boolean(res->matches[i].builtin));
                json_object_array_add(arr, m);
        }
        json_object_object_add(o, "matches", arr);
        print_json("resolve", o);
}

int report_plan(const struct plan *plan, const struct selection *sel, const char *verb, bool json)
{
        _cleanup_free_ struct result *results = NULL;
        size_t n = plan->n_actions + plan->n_releases;
        int status = 0;

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
        report_results(verb, results, n, sel, json);
        return status;
}
