/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmdline.c: the rescue switch's boolean spellings, each rd.vfio-bind.devices= on its own. */
#include <errno.h>

#include "cmdline.h"
#include "log.h"
#include "unit.h"

/* cmdline_parse() on text; what it logged in *log (free it). */
static int parse(const char *text, bool *disabled, struct config *c, char **log)
{
        struct capture cap;
        int r;

        capture_begin(&cap);
        r = cmdline_parse(text, disabled, c);
        *log = capture_end(&cap);
        return r;
}

static const struct switch_case {
        const char *value; /* NULL: the bare word, without '=' */
        bool disabled;
        const char *log; /* a fragment of the one line logged; NULL: nothing logged */
} switch_cases[] = {
        { "0", true, NULL },      { "no", true, NULL },     { "n", true, NULL },
        { "false", true, NULL },  { "f", true, NULL },      { "off", true, NULL },
        { "OFF", true, NULL },    { "No", true, NULL },     { "FaLsE", true, NULL },
        { "1", false, NULL },     { "yes", false, NULL },   { "y", false, NULL },
        { "true", false, NULL },  { "t", false, NULL },     { "on", false, NULL },
        { "ON", false, NULL },    { "Yes", false, NULL },   { NULL, false, NULL },
        { "", true, "'' is not a boolean" },
        { "maybe", true, "'maybe' is not a boolean" },
        { "00", true, "'00' is not a boolean" },
        { "offf", true, "'offf' is not a boolean" },
        { "2", true, "'2' is not a boolean" },
};

static void test_switch_spellings(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(switch_cases); i++) {
                const struct switch_case *t = &switch_cases[i];

                for (int rd = 0; rd < 2; rd++) {
                        char text[128], *log;
                        bool disabled = !t->disabled;
                        int r;

                        snprintf(text, sizeof(text), "root=/dev/sda1 %svfio-bind%s%s quiet",
                                 rd ? "rd." : "", t->value ? "=" : "", strempty(t->value));
                        r = parse(text, &disabled, NULL, &log);
                        CHECK(r == 0, "'%s': %d", text, r);
                        CHECK(disabled == t->disabled, "'%s': disabled %d", text, disabled);
                        if (t->log) {
                                CHECK(count_lines(log) == 1 && strstr(log, t->log) &&
                                              strstr(log, "taking it as off: not binding anything"),
                                      "'%s': logged '%s'", text, log);
                        } else
                                CHECK(!*log, "'%s': logged '%s'", text, log);
                        free(log);
                }
        }
}

/* A rescue switch anywhere wins over an 'on' elsewhere: whoever adds it at the prompt means it. */
static void test_switch_off_wins(void **state)
{
        static const char *const texts[] = {
                "vfio-bind=0 vfio-bind=1",
                "rd.vfio-bind=on vfio-bind=off",
                "vfio-bind=yes rd.vfio-bind=no rd.vfio-bind=y",
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                bool disabled = false;
                char *log;

                CHECK(parse(texts[i], &disabled, NULL, &log) == 0, "'%s'", texts[i]);
                CHECK(disabled, "'%s': not disabled", texts[i]);
                CHECK(!*log, "'%s': logged '%s'", texts[i], log);
                free(log);
        }
}

/* The identities that survive renumbering, as the configuration's keys with a ':' prefix. */
static void test_devices_identities(void **state)
{
        const char *text = "rd.vfio-bind.devices=slot:3,path:PCI0000:00/1C.4/00.0,"
                           "serial:00-11-22-33-44-55-66-77 rd.vfio-bind.devices=path:0000:01:00.0 "
                           "rd.vfio-bind.devices=serial:0011 rd.vfio-bind.devices=slot:a/b,10de:2204";
        struct config c = { 0 };
        bool disabled = true;
        char *log;

        (void)state;
        assert_int_equal(parse(text, &disabled, &c, &log), -EINVAL);
        CHECK(c.n_entries == 3, "%zu entries; logged '%s'", c.n_entries, log);
        assert_true(c.entries[0].has_slot && !c.entries[0].has_address);
        assert_string_equal(c.entries[0].slot, "3");
        assert_true(c.entries[1].has_path);
        assert_string_equal(c.entries[1].path, "pci0000:00/1c.4/00.0");
        assert_true(c.entries[2].has_serial && c.entries[2].serial == 0x0011223344556677ull);
        assert_int_equal(c.entries[2].loc.column, 55);
        CHECK(count_lines(log) == 3, "logged '%s'", log);
        CHECK(strstr(log, ":1:107: rd.vfio-bind.devices: invalid path '0000:01:00.0': expected the "
                          "root bus"), "logged '%s'", log);
        CHECK(strstr(log, "invalid serial '0011': expected the Device Serial Number"), "logged '%s'",
              log);
        CHECK(strstr(log, "invalid slot 'a/b'"), "logged '%s'", log);
        config_done(&c);
        free(log);
}

/* Each occurrence of rd.vfio-bind.devices= on its own: a bad one is left out, logged. */
static void test_devices_each_occurrence(void **state)
{
        const char *text = "root=/dev/sda1 rd.vfio-bind.devices=0000:01:00.0 "
                           "rd.vfio-bind.devices=zz rd.vfio-bind.devices=0000:02:00.0,10de:2204";
        struct config c = { 0 };
        bool disabled = true;
        char *log;
        int r;

        (void)state;
        r = parse(text, &disabled, &c, &log);
        assert_int_equal(r, -EINVAL); /* something was refused */
        assert_false(disabled);
        CHECK(c.n_entries == 3, "%zu entries; logged '%s'", c.n_entries, log);
        CHECK(count_lines(log) == 1 && strstr(log, "'zz' is not an address"), "logged '%s'",
              log);
        assert_true(c.entries[0].has_address && c.entries[0].address.bus == 1);
        assert_true(c.entries[1].has_address && c.entries[1].address.bus == 2);
        assert_true(c.entries[2].has_id && c.entries[2].id.vendor == 0x10de);
        /* columns count in the whole command line: each item's own place */
        assert_int_equal(c.entries[0].loc.column, 37);
        assert_int_equal(c.entries[1].loc.column, 95);
        assert_int_equal(c.entries[2].loc.column, 108);
        config_done(&c);
        free(log);
}

/* What the command line brings reaches the log escaped: no terminal sequence, no fake line. */
static void test_devices_escaped(void **state)
{
        const char *text = "rd.vfio-bind.devices=\x1b[31mred\x07 rd.vfio-bind=\x1b]0;x\x07 "
                           "rd.vfio-bind.devices=0000:01:00.0,\x7f\xc2\x9b";
        struct config c = { 0 };
        bool disabled = false;
        char *log;

        (void)state;
        (void)parse(text, &disabled, &c, &log);
        CHECK(!strpbrk(log, "\x1b\x07\x7f\x9b"), "raw control bytes in '%s'", log);
        CHECK(count_lines(log) == 3, "logged '%s'", log);
        CHECK(strstr(log, "'\\x1b[31mred\\x07' is not an address"), "logged '%s'", log);
        CHECK(strstr(log, "'\\x1b]0;x\\x07' is not a boolean"), "logged '%s'", log);
        CHECK(strstr(log, "'\\x7f\\u009b' is not an address"), "logged '%s'", log);
        assert_true(disabled);
        assert_int_equal(c.n_entries, 0);
        config_done(&c);
        free(log);
}

/* Words that look like ours but are not: said, not silently dropped. */
static void test_unknown_keys(void **state)
{
        const char *text = "rd.vfio-bind.device=0000:01:00.0 vfio-bind.devices=0000:02:00.0 "
                           "rd.vfio-bind.devices rd.vfio-bindx=1 vfio-binding=0";
        struct config c = { 0 };
        bool disabled = true;
        char *log;

        (void)state;
        (void)parse(text, &disabled, &c, &log);
        assert_false(disabled);
        assert_int_equal(c.n_entries, 0);
        CHECK(count_lines(log) == 3, "logged '%s'", log);
        CHECK(strstr(log, "unknown option 'rd.vfio-bind.device=0000:01:00.0', ignoring"), "'%s'",
              log);
        CHECK(strstr(log, "unknown option 'vfio-bind.devices=0000:02:00.0', ignoring"), "'%s'",
              log);
        CHECK(strstr(log, "rd.vfio-bind.devices without '=', ignoring"), "'%s'", log);
        /* Each at the column its word starts at, as the device lists' errors are. */
        CHECK(strstr(log, "/proc/cmdline:1:1: unknown option 'rd.vfio-bind.device="), "'%s'", log);
        CHECK(strstr(log, "/proc/cmdline:1:65: rd.vfio-bind.devices without '='"), "'%s'", log);
        config_done(&c);
        free(log);
}

/* The switch is read alone first (no config): the devices' errors are not logged then. */
static void test_switch_only(void **state)
{
        bool disabled = true;
        char *log;

        (void)state;
        assert_int_equal(parse("rd.vfio-bind.devices=zz", &disabled, NULL, &log), 0);
        assert_false(disabled);
        assert_string_equal(log, "");
        free(log);
}

/*
 * Words split and unquoted as the kernel's next_arg() (lib/cmdline.c, kernel/params.c) does: on
 * isspace() (its ctype: also 0xa0), double quotes keep spaces in a word and are toggled anywhere
 * in it; a leading quote of the word or of its value is taken off, with the word's last quote.
 * Each word here is in our namespace, so cmdline_parse() names it, as it read it, in one line.
 */
static const struct split_case {
        const char *text;
        const char *words[3]; /* what is logged between "unknown option '" and "'" */
} split_cases[] = {
        { "vfio-bind.x=\"a b\"", { "vfio-bind.x=a b" } },
        { "\"vfio-bind.x=a b\"", { "vfio-bind.x=a b" } },
        { "vfio-bind.devices=\"0000:01:00.0 0000:02:00.0\"",
          { "vfio-bind.devices=0000:01:00.0 0000:02:00.0" } },
        { "vfio-bind.x=a\" \"b", { "vfio-bind.x=a\" \"b" } },
        { "vfio-bind.x=\"unterminated rest", { "vfio-bind.x=unterminated rest" } },
        /* the value's quotes go, then the word's last quote is not taken again */
        { "\"vfio-bind.x=\"b\"\"", { "vfio-bind.x=b\"" } },
        /* a quote closed before the space: the word ends there */
        { "\"vfio-bind.x=\"a b\"\" vfio-bind.y", { "vfio-bind.x=a", "vfio-bind.y" } },
        { "vfio-bind.x=\"\"", { "vfio-bind.x=" } },
        { "vfio-bind.x=", { "vfio-bind.x=" } },
        { "\tvfio-bind.x=1\nvfio-bind.y=2\r\v\f", { "vfio-bind.x=1", "vfio-bind.y=2" } },
        /* the kernel's isspace() is Latin-1's: a no-break space (0xa0) splits too */
        { "vfio-bind.x=a\xa0vfio-bind.y=b", { "vfio-bind.x=a", "vfio-bind.y=b" } },
        { "vfio-bind.x==a", { "vfio-bind.x==a" } },
};

/* log without the ":1:COLUMN" each line has after /proc/cmdline (columns: test_unknown_keys). */
static void drop_columns(char *log)
{
        char *w = log;

        for (const char *r = log; *r;) {
                if (!strncmp(r, "/proc/cmdline:1:", 16)) {
                        memcpy(w, "/proc/cmdline", 13);
                        w += 13;
                        r += 16;
                        while (*r >= '0' && *r <= '9')
                                r++;
                        continue;
                }
                *w++ = *r++;
        }
        *w = '\0';
}

static void test_split_as_the_kernel(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(split_cases); i++) {
                const struct split_case *t = &split_cases[i];
                char expected[512] = "", *log;
                bool disabled = false;
                size_t n = 0;

                for (size_t k = 0; k < ELEMENTSOF(t->words) && t->words[k]; k++)
                        n += (size_t)snprintf(expected + n, sizeof(expected) - n,
                                              "vfio-bind: /proc/cmdline: unknown option '%s', "
                                              "ignoring\n", t->words[k]);
                (void)parse(t->text, &disabled, NULL, &log);
                drop_columns(log);
                CHECK(streq(log, expected), "'%s': logged '%s', expected '%s'", t->text, log,
                      expected);
                free(log);
        }
}

/* The switch and the devices through quotes: their values unquoted, columns after the quote. */
static void test_quoted_values(void **state)
{
        struct config c = { 0 };
        bool disabled = false;
        char *log;

        (void)state;
        (void)parse("\"rd.vfio-bind=0\"", &disabled, NULL, &log);
        CHECK(disabled && !*log, "\"rd.vfio-bind=0\": disabled %d, logged '%s'", disabled, log);
        free(log);
        disabled = false;
        (void)parse("vfio-bind=\"off\"", &disabled, NULL, &log);
        CHECK(disabled && !*log, "vfio-bind=\"off\": disabled %d, logged '%s'", disabled, log);
        free(log);
        disabled = true;
        CHECK(parse("quiet rd.vfio-bind.devices=\"0000:01:00.0,10de:2204\"", &disabled, &c, &log) == 0,
              "logged '%s'", log);
        CHECK(c.n_entries == 2 && !*log, "%zu entries, logged '%s'", c.n_entries, log);
        assert_true(c.entries[0].has_address && c.entries[1].has_id);
        assert_int_equal(c.entries[0].loc.column, 29); /* after 'quiet rd.vfio-bind.devices="' */
        assert_int_equal(c.entries[1].loc.column, 42);
        config_done(&c);
        free(log);
}

/* doctor's reading of other parameters: the kernel's splitting, '-' and '_' alike, last wins. */
static void test_get(void **state)
{
        const char *text = "BOOT_IMAGE=/vmlinuz intel_iommu=on,sm_on \"vfio_pci.ids=10de:2204\" "
                           "nointremap iommu=soft iommu=pt";
        char v[64];

        assert_true(cmdline_get(text, "intel_iommu", v, sizeof(v)));
        assert_string_equal(v, "on,sm_on");
        assert_true(cmdline_get(text, "vfio-pci.ids", v, sizeof(v)));
        assert_string_equal(v, "10de:2204");
        assert_true(cmdline_get(text, "nointremap", v, sizeof(v)));
        assert_string_equal(v, "");
        assert_true(cmdline_get(text, "iommu", v, sizeof(v)));
        assert_string_equal(v, "pt");
        assert_false(cmdline_get(text, "amd_iommu", v, sizeof(v)));
        assert_false(cmdline_get(text, "intel", v, sizeof(v)));
        assert_true(cmdline_get(text, "nointremap", NULL, 0));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_switch_spellings),
                cmocka_unit_test(test_switch_off_wins),
                cmocka_unit_test(test_devices_each_occurrence),
                cmocka_unit_test(test_devices_escaped),
                cmocka_unit_test(test_devices_identities),
                cmocka_unit_test(test_unknown_keys),
                cmocka_unit_test(test_switch_only),
                cmocka_unit_test(test_split_as_the_kernel),
                cmocka_unit_test(test_quoted_values),
                cmocka_unit_test(test_get),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
