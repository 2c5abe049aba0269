/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 'vfio-bind doctor': will the next boot bind what the configuration says? Read-only. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <sys/utsname.h>

#include "cmdline.h"
#include "doctor.h"
#include "log.h"
#include "report.h"
#include "usage.h"
#include "verbs.h"

#define DOCTOR_IMAGES_MAX 32

static const struct column doctor_columns[] = {
        { "check", COLUMN_DEFAULT, "what was checked (iommu, initramfs, iommu-group, ...)" },
        { "result", COLUMN_DEFAULT, "ok, warning or error" },
        { "device", COLUMN_DEFAULT, "the selected device it is about (null: the host)" },
        { "seen", COLUMN_DEFAULT | COLUMN_TRUNC, "what was found" },
        { "fix", COLUMN_DEFAULT | COLUMN_TRUNC, "what to change (null: nothing)" },
};

static const char *const result_names[] = {
        [CHECK_OK] = "ok",
        [CHECK_WARNING] = "warning",
        [CHECK_ERROR] = "error",
};

void doctor_row(struct doctor *d, const char *check, enum check_result r, const char *device,
                const char *fix, const char *seen_fmt, ...)
{
        struct json_object *o = json_object_new_object();
        char seen[1024];
        va_list ap;

        va_start(ap, seen_fmt);
        vsnprintf(seen, sizeof(seen), seen_fmt, ap);
        va_end(ap);
        json_object_object_add(o, "check", json_object_new_string(check));
        json_object_object_add(o, "result", json_object_new_string(result_names[r]));
        json_object_object_add(o, "device", json_string_or_null(device));
        json_object_object_add(o, "seen", json_object_new_string(seen));
        json_object_object_add(o, "fix", json_string_or_null(fix));
        json_object_array_add(d->rows, o);
        d->any_error = d->any_error || r == CHECK_ERROR;
}

/* The configuration, the devices it selects, their resolution with the running kernel's tree. */
static void check_config(struct doctor *d)
{
        struct pipeline *p = &d->p;
        int r;

        r = pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS);
        if (r < 0) {
                doctor_row(d, "config", CHECK_ERROR, NULL, "vfio-bind validate says what to change",
                           "%s cannot be used (the errors are above)",
                           arg_config ? arg_config : CONFIG_FILE_DEFAULT);
                return;
        }
        r = discover_snapshot_buses(config_bus_mask(&p->config), DISCOVER_SERIALS, &p->snapshot);
        if (r < 0) {
                doctor_row(d, "config", CHECK_ERROR, NULL, NULL,
                           "cannot enumerate the devices: %s", strerror(-r));
                return;
        }
        usage_scan(&p->snapshot);
        r = select_devices(&p->config, &p->snapshot, &p->selection);
        if (r < 0) {
                doctor_row(d, "config", CHECK_ERROR, NULL, NULL, "cannot select devices: %s",
                           strerror(-r));
                return;
        }
        d->config_loaded = true;
        if (p->config.n_files == 0)
                doctor_row(d, "config", CHECK_OK, NULL, NULL,
                           "no configuration (" CONFIG_FILE_DEFAULT ", " CONFIG_DROPIN_DIR_DEFAULT
                           "/*.yaml): nothing to bind");
        else
                doctor_row(d, "config", CHECK_OK, NULL, NULL, "%zu entr%s in %zu file%s, %zu device%s selected",
                           p->config.n_entries, p->config.n_entries == 1 ? "y" : "ies",
                           p->config.n_files, p->config.n_files == 1 ? "" : "s",
                           p->selection.n_items, p->selection.n_items == 1 ? "" : "s");
        for (size_t i = 0; i < p->selection.n_unmatched; i++) {
                const struct config_entry *e = p->selection.unmatched[i];
                char what[128], fix[256];

                config_entry_describe(e, what, sizeof(what));
                snprintf(fix, sizeof(fix), "correct the entry at %s:%u, or mark it 'optional: true'",
                         e->loc.file, e->loc.line);
                doctor_row(d, "config", entry_is_missing(e) ? CHECK_WARNING : CHECK_OK, NULL,
                           entry_is_missing(e) ? fix : NULL, "no device matches %s (%s:%u)%s", what,
                           e->loc.file, e->loc.line,
                           entry_is_missing(e) ? ": moved or removed?" : "");
        }
        /* The running kernel's resolution; without a tree each device says so. */
        if (resolver_new(NULL, NULL, &p->resolver) < 0)
                return;
        p->targets = calloc(p->selection.n_items + 1, sizeof(*p->targets));
        for (size_t i = 0; p->targets && i < p->selection.n_items; i++)
                if (!p->selection.items[i].sriov_pf)
                        resolve_target(p->resolver, p->selection.items[i].device,
                                       p->selection.items[i].driver, &p->targets[i]);
}

static int doctor_print(struct doctor *d)
{
        struct json_object *o;
        int r;

        if (arg_output.mode == OUTPUT_JSON) {
                r = rows_for_json(doctor_columns, ELEMENTSOF(doctor_columns), arg_output.columns,
                                  d->rows);
                o = json_object_new_object();
                json_object_object_add(o, "checks", json_object_get(d->rows));
                json_object_object_add(o, "ok", json_object_new_boolean(!d->any_error));
                return r < 0 ? (json_object_put(o), r) : print_json("doctor", o);
        }
        return table_print_rows(doctor_columns, ELEMENTSOF(doctor_columns), &arg_output, d->rows,
                                stdout);
}

static int parse_argv(int argc, char *argv[], struct doctor *d, const char **images)
{
        enum { ARG_KVER = 0x100, ARG_INITRAMFS, ARG_JSON };
        static const struct option options[] = {
                { "kver", required_argument, NULL, ARG_KVER },
                { "initramfs", required_argument, NULL, ARG_INITRAMFS },
                { "json", no_argument, NULL, ARG_JSON },
                { "output", required_argument, NULL, 'o' },
                { "raw", no_argument, NULL, 'r' },
                { "pairs", no_argument, NULL, 'P' },
                { "noheadings", no_argument, NULL, 'n' },
                VERB_COMMON_OPTIONS,
                {},
        };
        struct output_options out = { 0 };
        struct column_set set;
        size_t n_images = 0;
        unsigned modes = 0;
        int c, n_operands = 0;

        optind = 0;
        while ((c = verb_getopt(argc, argv, "doctor", "o:rPn", options, NULL, &n_operands)) >= 0)
                switch (c) {
                case ARG_KVER:
                        d->extra_kver = optarg;
                        break;
                case ARG_INITRAMFS:
                        if (n_images == DOCTOR_IMAGES_MAX) {
                                log_error("doctor: more than %d --initramfs", DOCTOR_IMAGES_MAX);
                                return usage_error("doctor");
                        }
                        images[n_images++] = optarg;
                        d->images = images;
                        break;
                case ARG_JSON:
                        out.mode = OUTPUT_JSON;
                        modes |= 1u << OUTPUT_JSON;
                        break;
                case 'o':
                        out.columns = optarg;
                        break;
                case 'r':
                        out.mode = OUTPUT_RAW;
                        modes |= 1u << OUTPUT_RAW;
                        break;
                case 'P':
                        out.mode = OUTPUT_PAIRS;
                        modes |= 1u << OUTPUT_PAIRS;
                        break;
                case 'n':
                        out.noheadings = true;
                        break;
                case 'h':
                        printf("Usage: vfio-bind [-c FILE] doctor [--json] [--kver VER] [--initramfs FILE]...\n\n"
                               "Check, without changing anything, whether the next boot binds what the\n"
                               "configuration says: the IOMMU, the module trees, the initramfs images,\n"
                               "other tools that bind the same devices, each selected device, the udev\n"
                               "rule and the unit. One row per check: ok, warning or error, what was\n"
                               "seen, and the fix. Exit status 1 when a check is an error.\n\n"
                               "  --kver VER         check kernel VER's module tree too\n"
                               "  --initramfs FILE   read this image (repeatable) instead of those in /boot\n"
                               "  --json             JSON instead of a table\n"
                               "\nOutput:\n"
                               "  -o, --output LIST  the table's columns (also JSON's, when given)\n"
                               "  -r, --raw          columns split by one space, blanks escaped\n"
                               "  -P, --pairs        NAME=\"value\" pairs\n"
                               "  -n, --noheadings   no header line\n");
                        columns_help(doctor_columns, ELEMENTSOF(doctor_columns), stdout);
                        return 0;
                default:
                        return usage_error("doctor");
                }
        if (optind < argc) {
                log_error("doctor: unexpected argument '%s'", argv[optind]);
                return usage_error("doctor");
        }
        if (modes & (modes - 1)) {
                log_error("doctor: --json, --raw and --pairs are mutually exclusive");
                return usage_error("doctor");
        }
        if (!kver_option_valid("doctor", d->extra_kver) ||
            columns_select(doctor_columns, ELEMENTSOF(doctor_columns), out.columns, &set) < 0)
                return usage_error("doctor");
        arg_output = out;
        return 1;
}

int verb_doctor(int argc, char *argv[])
{
        const char *images[DOCTOR_IMAGES_MAX + 1] = { 0 };
        struct doctor d = { 0 };
        struct utsname u;
        bool disabled;
        int r;

        r = parse_argv(argc, argv, &d, images);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        d.rows = json_object_new_array();
        cmdline_load(&d.cmdline, &disabled);
        if (!d.cmdline)
                d.cmdline = strdup("");
        snprintf(d.kver, sizeof(d.kver), "%s", uname(&u) == 0 ? u.release : "");
        if (!d.rows || !d.cmdline) {
                r = log_error_errno(ENOMEM, "doctor: %m");
                goto finish;
        }
        check_config(&d);
        doctor_check_iommu(&d);
        doctor_check_module_tree(&d, d.kver);
        if (d.extra_kver && !streq(d.extra_kver, d.kver))
                doctor_check_module_tree(&d, d.extra_kver);
        doctor_check_other_binders(&d);
        doctor_check_devices(&d);
        doctor_check_udev(&d);
        /* Last: it resolves again with each image's kernel (p.targets). */
        doctor_check_initramfs(&d);
        r = doctor_print(&d);
        if (r < 0)
                log_error_errno(r, "doctor: cannot print the report: %m");
finish:
        json_object_put(d.rows);
        free(d.cmdline);
        pipeline_done(&d.p);
        if (r < 0)
                return EXIT_FAILED;
        return d.any_error ? EXIT_FAILED : EXIT_OK;
}
