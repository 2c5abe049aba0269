/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c's escaping: what reaches a terminal or the kernel log; table.c's cells, the logger. */
#include <json-c/json.h>

#include "log.h"
#include "table.h"

#include "unit.h"

static const struct escape_case {
        const char *in, *out;
} escape_cases[] = {
        { "plain /etc/vfio-bind.d/10-gpu.yaml", "plain /etc/vfio-bind.d/10-gpu.yaml" },
        { "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
        { "a\nb\tc\rd\x7f", "a\\nb\\tc\\x0dd\\x7f" },
        { "<3>x\n<3>vfio-bind: forged", "<3>x\\n<3>vfio-bind: forged" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7" },
        { "\xc2\x9b" "31m \xc2\x85", "\\u009b31m \\u0085" },     /* C1 in UTF-8 */
        { "\x9b" "31m \xff\xfe", "\\x9b31m \\xff\\xfe" },         /* not UTF-8 at all */
        { "\xc0\xaf \xe0\x80\xaf", "\\xc0\\xaf \\xe0\\x80\\xaf" }, /* overlong */
        { "\xed\xa0\x80", "\\xed\\xa0\\x80" },                    /* a surrogate */
        { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },           /* above U+10FFFF */
        { "cut \xe2\x82", "cut \\xe2\\x82" },                     /* a sequence cut short */
        { "back\\slash \\x1b", "back\\slash \\x1b" },             /* escaped once: left alone */
};

static void test_escape_text(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(escape_cases); i++) {
                char buf[256], again[256];

                escape_text(escape_cases[i].in, buf, sizeof(buf));
                CHECK(streq(buf, escape_cases[i].out), "row %zu: '%s'", i, buf);
                escape_text(buf, again, sizeof(again));
                CHECK(streq(again, buf), "row %zu: escaped twice: '%s'", i, again);
        }
}

/* A small buffer: cut before an escape that does not fit, never in its middle. */
static void test_escape_small_buffer(void **state)
{
        char buf[6];

        (void)state;
        assert_int_equal(escape_text("ab\x1b" "cd", buf, sizeof(buf)), 2);
        assert_string_equal(buf, "ab");
        assert_int_equal(escape_text("\x1b\x1b", buf, sizeof(buf)), 4);
        assert_string_equal(buf, "\\x1b");
        assert_int_equal(escape_text("\xe2\x82\xac\xe2\x82\xac", buf, sizeof(buf)), 3);
        assert_string_equal(buf, "\xe2\x82\xac");
}

static void test_log_escapes(void **state)
{
        struct capture cap;
        char *out;

        (void)state;
        capture_begin(&cap);
        log_error("%s: %s", "/etc/vfio-bind.d/\x1b[2J.yaml", "line\n<3>vfio-bind: forged");
        out = capture_end(&cap);
        assert_string_equal(out,
                            "vfio-bind: /etc/vfio-bind.d/\\x1b[2J.yaml: line\\n<3>vfio-bind: forged\n");
        free(out);
}

/* Cells come from sysfs, pci.ids, mount points and file names: libsmartcols escapes them. */
static void test_table_escapes(void **state)
{
        static const struct column cols[] = { { "name", COLUMN_DEFAULT, "" },
                                              { "x", COLUMN_DEFAULT, "" } };
        const struct output_options o = { .mode = OUTPUT_TABLE };
        struct json_object *rows = json_object_new_array(), *row = json_object_new_object();
        char buf[256] = { 0 };
        FILE *f = tmpfile();

        (void)state;
        assert_non_null(f);
        json_object_object_add(row, "name", json_object_new_string("a\x1b]0;t\x07"));
        json_object_object_add(row, "x", json_object_new_string("y"));
        json_object_array_add(rows, row);
        assert_int_equal(table_print_rows(cols, 2, &o, rows, f), 0);
        json_object_put(rows);
        rewind(f);
        assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
        fclose(f);
        assert_null(strchr(buf, '\x1b'));
        assert_null(strchr(buf, '\x07'));
        assert_non_null(strstr(buf, "a\\x1b]0;t\\x07"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape_text),
                cmocka_unit_test(test_escape_small_buffer),
                cmocka_unit_test(test_log_escapes),
                cmocka_unit_test(test_table_escapes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
