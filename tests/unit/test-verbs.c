/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line of a verb: verb_getopt and parse_verb_options (src/verbs.c). */
#include <getopt.h>
#include <syslog.h>

#include "log.h"
#include "report.h"
#include "unit.h"
#include "verbs.h"

const char *arg_config; /* main.c's, which the tests do not link */

#define ARGC(a) ((int)ELEMENTSOF(a) - 1)

/* parse_verb_options over words, its log captured: the return and what it logged. */
static int parse(char **words, int n, unsigned accepted, struct verb_options *o, char **logged)
{
        struct capture c;
        int r;

        capture_begin(&c);
        r = parse_verb_options(n, words, words[0], "usage", accepted, o);
        *logged = capture_end(&c);
        return r;
}

static void test_options_anywhere(void **state)
{
        char *words[] = { (char *)"resolve", (char *)"0000:5e:00.1", (char *)"--json",
                          (char *)"-c", (char *)"/etc/x.yaml", NULL };
        struct verb_options o;
        char *logged;

        arg_config = NULL;
        assert_int_equal(parse(words, ARGC(words), OPT_JSON | OPT_ARGS, &o, &logged), 1);
        free(logged);
        assert_true(o.json);
        assert_string_equal(arg_config, "/etc/x.yaml");
        /* The operands come last, in order. */
        assert_int_equal(optind, ARGC(words) - 1);
        assert_string_equal(words[optind], "0000:5e:00.1");
}

static void test_posixly_correct(void **state)
{
        char *words[] = { (char *)"plan", (char *)"extra", (char *)"--json", NULL };
        struct verb_options o;
        char *logged;

        /* getopt would stop at the first operand: verb_getopt does not. */
        setenv("POSIXLY_CORRECT", "1", 1);
        assert_int_equal(parse(words, ARGC(words), OPT_JSON | OPT_ARGS, &o, &logged), 1);
        unsetenv("POSIXLY_CORRECT");
        free(logged);
        assert_true(o.json);
        assert_string_equal(words[optind], "extra");
}

static void test_double_dash(void **state)
{
        char *words[] = { (char *)"revert", (char *)"a", (char *)"--", (char *)"--json",
                          (char *)"b", NULL };
        struct verb_options o;
        char *logged;

        assert_int_equal(parse(words, ARGC(words), OPT_JSON | OPT_ARGS, &o, &logged), 1);
        free(logged);
        assert_false(o.json);
        assert_int_equal(ARGC(words) - optind, 3);
        assert_string_equal(words[optind], "a");
        assert_string_equal(words[optind + 1], "--json");
        assert_string_equal(words[optind + 2], "b");
}

static void test_verbose(void **state)
{
        char *words[] = { (char *)"status", (char *)"-v", NULL };
        int before = log_get_max_level();
        struct verb_options o;
        char *logged;

        log_set_max_level(LOG_INFO);
        assert_int_equal(parse(words, ARGC(words), OPT_JSON, &o, &logged), 1);
        free(logged);
        assert_int_equal(log_get_max_level(), LOG_DEBUG);
        log_set_max_level(before);
}

/* Each row: the words, what the verb accepts, and a line its usage error must log. */
static void test_usage_errors(void **state)
{
        static const struct {
                const char *words[5];
                unsigned accepted;
                const char *logged;
        } rows[] = {
                { { "plan", "--frobnicate" }, OPT_JSON, "plan: unknown option '--frobnicate'" },
                { { "plan", "-x" }, OPT_JSON, "plan: unknown option '-x'" },
                { { "plan", "--dry-run" }, OPT_JSON, "plan: unknown option '--dry-run'" },
                { { "validate", "-o", "address" }, 0, "validate: unknown option '-o'" },
                { { "plan", "-o" }, OPT_JSON, "plan: option '-o' needs an argument" },
                { { "plan", "--json", "--raw" }, OPT_JSON, "mutually exclusive" },
                { { "plan", "-o", "address,nope" }, OPT_JSON, "unknown column 'nope'" },
                { { "status", "extra" }, OPT_JSON, "status: unexpected argument 'extra'" },
                { { "list", "--bus", "usb" }, OPT_BUS | OPT_ARGS, "invalid bus 'usb'" },
                { { "plan", "--js\033[2Jon" }, OPT_JSON, "unknown option '--js\\x1b[2Jon'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                char *words[6] = { 0 };
                struct verb_options o;
                char *logged;
                int n = 0, r;

                while (rows[i].words[n]) {
                        words[n] = (char *)rows[i].words[n];
                        n++;
                }
                r = parse(words, n, rows[i].accepted, &o, &logged);
                CHECK(r == -EINVAL, "row %zu: %d", i, r);
                CHECK(strstr(logged, rows[i].logged), "row %zu: %s", i, logged);
                CHECK(strstr(logged, "Try 'vfio-bind"), "row %zu: %s", i, logged);
                free(logged);
        }
}

static void test_help(void **state)
{
        char *words[] = { (char *)"plan", (char *)"--json", (char *)"-h", NULL };
        struct verb_options o;
        char *logged;
        int out = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

        /* --help wins over the rest and prints to stdout (sent to /dev/null here). */
        assert_true(out >= 0 && null >= 0);
        fflush(stdout);
        dup2(null, STDOUT_FILENO);
        assert_int_equal(parse(words, ARGC(words), OPT_JSON, &o, &logged), 0);
        fflush(stdout);
        dup2(out, STDOUT_FILENO);
        close(out);
        close(null);
        assert_string_equal(logged, "");
        free(logged);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_options_anywhere), cmocka_unit_test(test_posixly_correct),
                cmocka_unit_test(test_double_dash),      cmocka_unit_test(test_verbose),
                cmocka_unit_test(test_usage_errors),     cmocka_unit_test(test_help),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
