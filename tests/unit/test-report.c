/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* report.c and table.c: rows -> table, raw, pairs and JSON, from the same rows. */
#include <errno.h>
#include <json-c/json.h>

#include "report.h"
#include "table.h"
#include "unit.h"

static const struct column cols[] = {
        { "address", COLUMN_DEFAULT, "the device" },
        { "iommu_group", COLUMN_DEFAULT | COLUMN_RIGHT, "group" },
        { "boot_vga", 0, "boot VGA" },
        { "steps", 0, "steps" },
        { "name", COLUMN_DEFAULT | COLUMN_TABLE_ONLY, "for people" },
};

static struct json_object *rows_new(void)
{
        struct json_object *rows = json_object_new_array(), *a, *b;

        a = json_object_new_object();
        json_object_object_add(a, "address", json_object_new_string("0000:01:00.0"));
        json_object_object_add(a, "iommu_group", json_object_new_int(10));
        json_object_object_add(a, "boot_vga", json_object_new_boolean(true));
        json_object_object_add(a, "steps", json_object_new_array());
        json_object_array_add(json_object_object_get(a, "steps"), json_object_new_string("unbind"));
        json_object_array_add(json_object_object_get(a, "steps"), json_object_new_string("probe"));
        json_object_object_add(a, "name", json_object_new_string("GPU with a name"));
        b = json_object_new_object();
        json_object_object_add(b, "address", json_object_new_string("fff51000.ethernet"));
        json_object_object_add(b, "iommu_group", NULL);
        json_object_object_add(b, "boot_vga", NULL);
        json_object_object_add(b, "steps", json_object_new_array());
        json_object_object_add(b, "name", json_object_new_string("a\x1b[31mred"));
        json_object_array_add(rows, a);
        json_object_array_add(rows, b);
        return rows;
}

/* The rows printed with o, as text (malloc'd). */
static char *print(const struct output_options *o, int *ret)
{
        struct json_object *rows = rows_new();
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        *ret = table_print_rows(cols, ELEMENTSOF(cols), o, rows, f);
        fclose(f);
        json_object_put(rows);
        return buf;
}

static const struct print_case {
        const char *name;
        struct output_options o;
        const char *want;
} print_cases[] = {
        { "table: default columns, numbers right, names escaped",
          { OUTPUT_TABLE, false, NULL },
          "ADDRESS           IOMMU_GROUP NAME\n"
          "0000:01:00.0               10 GPU with a name\n"
          "fff51000.ethernet           - a\\x1b[31mred\n" },
        { "table: -o, no headings (widths still fit them), booleans and arrays as text",
          { OUTPUT_TABLE, true, "address,boot_vga,steps" },
          "0000:01:00.0      yes      unbind,probe\n"
          "fff51000.ethernet -        -\n" },
        { "-o +LIST adds to the default, any case",
          { OUTPUT_TABLE, false, "+BOOT_VGA" },
          "ADDRESS           IOMMU_GROUP NAME            BOOT_VGA\n"
          "0000:01:00.0               10 GPU with a name yes\n"
          "fff51000.ethernet           - a\\x1b[31mred    -\n" },
        { "raw: one space, blanks escaped",
          { OUTPUT_RAW, false, "address,name" },
          "ADDRESS NAME\n"
          "0000:01:00.0 GPU\\x20with\\x20a\\x20name\n"
          "fff51000.ethernet a\\x1b[31mred\n" },
        { "pairs: NAME=\"value\", null is empty",
          { OUTPUT_PAIRS, false, "address,iommu_group,boot_vga" },
          "ADDRESS=\"0000:01:00.0\" IOMMU_GROUP=\"10\" BOOT_VGA=\"yes\"\n"
          "ADDRESS=\"fff51000.ethernet\" IOMMU_GROUP=\"\" BOOT_VGA=\"\"\n" },
};

static void test_print(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(print_cases); i++) {
                const struct print_case *c = &print_cases[i];
                int r;
                _cleanup_free_ char *out = print(&c->o, &r);

                CHECK(r == 0, "%s: %d", c->name, r);
                CHECK(streq(out, c->want), "%s:\n%s\nwant:\n%s", c->name, out, c->want);
        }
}

static void test_columns_select(void **state)
{
        struct column_set set;
        struct capture cap;
        _cleanup_free_ char *err = NULL;
        int r;

        assert_int_equal(columns_select(cols, ELEMENTSOF(cols), NULL, &set), 0);
        assert_int_equal(set.n, 3);
        assert_int_equal(set.idx[2], 4);
        assert_int_equal(columns_select(cols, ELEMENTSOF(cols), "steps,Address", &set), 0);
        assert_int_equal(set.n, 2);
        assert_int_equal(set.idx[0], 3);
        assert_int_equal(set.idx[1], 0);
        capture_begin(&cap);
        r = columns_select(cols, ELEMENTSOF(cols), "address,target_driver", &set);
        err = capture_end(&cap);
        assert_int_equal(r, -EINVAL);
        CHECK(strstr(err, "unknown column 'target_driver'"), "%s", err);
        assert_int_equal(columns_select(cols, ELEMENTSOF(cols), "", &set), -EINVAL);
        assert_int_equal(columns_select(cols, ELEMENTSOF(cols), "addr", &set), -EINVAL);
}

static void test_columns_show(void **state)
{
        const size_t n = ELEMENTSOF(cols);
        _cleanup_free_ char *err = NULL;
        struct capture cap;

        (void)state;
        /* No -o: a table shows the default columns, JSON all but the table-only ones. */
        assert_true(columns_show(cols, n, NULL, false, "address"));
        assert_false(columns_show(cols, n, NULL, false, "boot_vga"));
        assert_true(columns_show(cols, n, NULL, true, "boot_vga"));
        assert_false(columns_show(cols, n, NULL, true, "name"));
        assert_true(columns_show(cols, n, NULL, false, "name"));
        /* -o LIST: those alone, in either output; +LIST: the default ones too. */
        assert_true(columns_show(cols, n, "steps,Boot_VGA", false, "boot_vga"));
        assert_false(columns_show(cols, n, "steps,boot_vgax", true, "boot_vga"));
        assert_false(columns_show(cols, n, "steps", true, "address"));
        assert_true(columns_show(cols, n, "+boot_vga", false, "boot_vga"));
        assert_true(columns_show(cols, n, "+steps", true, "address"));
        assert_false(columns_show(cols, n, "+steps", true, "boot_vga"));
        assert_false(columns_show(cols, n, "", true, "boot_vga"));
        assert_false(columns_show(cols, n, "steps", false, "no_such_column"));
        /* A list -o refuses shows nothing, and saying why is columns_select's: not a word here. */
        capture_begin(&cap);
        assert_false(columns_show(cols, n, "boot_vga,nope", false, "boot_vga"));
        err = capture_end(&cap);
        assert_string_equal(err, "");
}

static void test_rows_for_json(void **state)
{
        struct json_object *rows = rows_new(), *row, *v;

        /* Without -o: every column but the table-only ones, types kept, null kept. */
        assert_int_equal(rows_for_json(cols, ELEMENTSOF(cols), NULL, rows), 0);
        row = json_object_array_get_idx(rows, 1);
        assert_int_equal(json_object_object_length(row), 4);
        assert_false(json_object_object_get_ex(row, "name", NULL));
        assert_true(json_object_object_get_ex(row, "iommu_group", &v));
        assert_null(v);
        row = json_object_array_get_idx(rows, 0);
        assert_int_equal(json_object_get_type(json_object_object_get(row, "iommu_group")), json_type_int);
        assert_int_equal(json_object_get_type(json_object_object_get(row, "boot_vga")), json_type_boolean);
        assert_int_equal(json_object_get_type(json_object_object_get(row, "steps")), json_type_array);
        json_object_put(rows);
        /* With -o: those columns only, in that order. */
        rows = rows_new();
        assert_int_equal(rows_for_json(cols, ELEMENTSOF(cols), "boot_vga,address", rows), 0);
        assert_string_equal(json_object_to_json_string_ext(json_object_array_get_idx(rows, 0),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"boot_vga\":true,\"address\":\"0000:01:00.0\"}");
        json_object_put(rows);
}

/* report_results over a plan: the row has every column, the words the table uses. */
static void test_results_rows(void **state)
{
        struct device gpu = { .bus = BUS_PCI, .name = "0000:02:00.0", .id = { 0x10de, 0x2204 },
                              .driver = "nvidia", .iommu_group = 11, .boot_vga = 0 };
        struct device dev2 = gpu;
        struct config_entry entry = { .loc = { "/etc/vfio-bind.yaml", 3, 5 } };
        struct selected_device items[2] = { { .device = &gpu, .entry = &entry, .driver = "" },
                                            { .device = &dev2, .driver = "" } };
        struct target target = { .module = "vfio_pci", .driver = "vfio-pci" };
        struct target host = { .module = "snd_hda_intel", .driver = "snd_hda_intel" };
        struct action actions[2] = {
                { .item = &items[0], .target = &target, .kind = ACTION_BIND,
                  .steps = STEP_LOAD_MODULE | STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE },
                { .item = &items[1], .target = &host, .kind = ACTION_RELEASE,
                  .steps = STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE,
                  .reason = "no entry selects it now" },
        };
        struct result results[2] = { { .action = &actions[0], .outcome = OUTCOME_PLANNED },
                                     { .action = &actions[1], .outcome = OUTCOME_PLANNED } };
        struct capture cap;
        _cleanup_free_ char *out = NULL;
        struct json_object *top, *doc, *row;
        int saved;

        snprintf(dev2.name, sizeof(dev2.name), "0000:02:00.1");
        snprintf(dev2.driver, sizeof(dev2.driver), "vfio-pci");
        /* stdout into the capture: report_results prints there */
        fflush(stdout);
        saved = dup(1);
        capture_begin(&cap);
        dup2(2, 1);
        arg_output = (struct output_options){ .mode = OUTPUT_JSON };
        report_results("plan", results, 2, NULL, false);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        out = capture_end(&cap);
        arg_output = (struct output_options){ 0 };
        top = json_tokener_parse(out);
        CHECK(top, "not JSON: %s", out);
        doc = json_object_object_get(top, "plan");
        assert_int_equal(json_object_get_int(json_object_object_get(doc, "schema_version")),
                         OUTPUT_SCHEMA_VERSION);
        row = json_object_array_get_idx(json_object_object_get(doc, "devices"), 0);
        /* every column of result_columns but the table-only DETAIL */
        assert_int_equal(json_object_object_length(row), result_columns_n - 1);
        assert_string_equal(json_object_get_string(json_object_object_get(row, "result")), "will-change");
        assert_string_equal(json_object_get_string(json_object_object_get(row, "vfio_driver")), "vfio-pci");
        assert_null(json_object_object_get(row, "host_driver"));
        assert_null(json_object_object_get(row, "failed_step"));
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(row, "steps"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "[\"load-module\",\"set-override\",\"unbind\",\"probe\"]");
        row = json_object_array_get_idx(json_object_object_get(doc, "devices"), 1);
        assert_string_equal(json_object_get_string(json_object_object_get(row, "result")), "will-release");
        assert_null(json_object_object_get(row, "vfio_driver"));
        assert_string_equal(json_object_get_string(json_object_object_get(row, "host_driver")), "snd_hda_intel");
        assert_null(json_object_object_get(row, "config"));
        /* a release clears the override: its own step name */
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(row, "steps"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "[\"clear-override\",\"unbind\",\"probe\"]");
        json_object_put(top);
}

/* status: a drift row always says why. */
static void test_drift_reason(void **state)
{
        struct device d = { .bus = BUS_PCI, .name = "0000:02:00.0", .driver = "nvidia",
                            .iommu_group = 11, .boot_vga = -1 };
        struct selected_device item = { .device = &d, .driver = "" };
        struct target target = { .module = "vfio_pci", .driver = "vfio-pci" };
        struct action a = { .item = &item, .target = &target, .kind = ACTION_BIND,
                            .steps = STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE };
        struct result r = { .action = &a, .outcome = OUTCOME_DRIFT };
        static const struct {
                const char *driver, *override, *want;
        } cases[] = {
                { "nvidia", "", "on nvidia, not vfio-pci" },
                { "", "", "on no driver, not vfio-pci" },
                { "vfio-pci", "", "driver_override is not set, not 'vfio-pci'" },
                { "vfio-pci", "nvidia", "driver_override is 'nvidia', not 'vfio-pci'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct capture cap;
                _cleanup_free_ char *out = NULL;
                struct json_object *doc, *row;
                int saved;

                snprintf(d.driver, sizeof(d.driver), "%s", cases[i].driver);
                snprintf(d.driver_override, sizeof(d.driver_override), "%s", cases[i].override);
                fflush(stdout);
                saved = dup(1);
                capture_begin(&cap);
                dup2(2, 1);
                report_results("status", &r, 1, NULL, true);
                fflush(stdout);
                dup2(saved, 1);
                close(saved);
                out = capture_end(&cap);
                doc = json_tokener_parse(out);
                CHECK(doc, "not JSON: %s", out);
                row = json_object_array_get_idx(
                        json_object_object_get(json_object_object_get(doc, "status"), "devices"), 0);
                CHECK(streq(json_object_get_string(json_object_object_get(row, "reason")), cases[i].want),
                      "%s|%s: reason %s", cases[i].driver, cases[i].override,
                      json_object_get_string(json_object_object_get(row, "reason")));
                json_object_put(doc);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_print),
                cmocka_unit_test(test_columns_select),
                cmocka_unit_test(test_columns_show),
                cmocka_unit_test(test_rows_for_json),
                cmocka_unit_test(test_results_rows),
                cmocka_unit_test(test_drift_reason),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
