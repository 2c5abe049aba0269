/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve.c: the order of matching aliases (fewest '*', then longest, then names); which aliases
 * can match an entry whose device is absent; kernel versions.
 */
#include <errno.h>
#include <limits.h>

#include "resolve.h"
#include "unit.h"

/* modpost's shapes: a device-id alias, and a class alias with its trailing '*'. */
#define ID_ALIAS "vfio_pci:v00001B36d00000010sv*sd*bc*sc*i*"
#define CLASS_ALIAS "vfio_pci:v*d*sv*sd*bc01sc08i02*"
#define CATCH_ALL "vfio_pci:v*d*sv*sd*bc*sc*i*"

static const struct {
        const char *pattern;
        unsigned stars;
} star_cases[] = {
        { "", 0 },
        { "*", 1 },
        { "**", 2 },
        { "vfio_pci", 0 },
        { "vfio_pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", 0 },
        { ID_ALIAS, 5 },
        { CLASS_ALIAS, 5 },
        { CATCH_ALL, 7 },
        { "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", 5 },
        { "vfio_pci:v*d*sv*sd*bc03sc00i00", 4 },
        { "vfio_pci:v000010DEd*sv*sd*bc03sc*i*", 5 },
        { "vfio_pci:v0000*d[0-9]?sv*", 2 },
};

static void test_count_stars(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(star_cases); i++)
                CHECK(count_stars(star_cases[i].pattern) == star_cases[i].stars, "'%s': %u",
                      star_cases[i].pattern, count_stars(star_cases[i].pattern));
}

static struct alias_match match(const char *module, const char *pattern, bool builtin)
{
        struct alias_match m = { .stars = count_stars(pattern), .builtin = builtin };

        assert_true(strlen(module) < sizeof(m.module) && strlen(pattern) < sizeof(m.pattern));
        strcpy(m.module, module);
        strcpy(m.pattern, pattern);
        return m;
}

static int sign(int x)
{
        return (x > 0) - (x < 0);
}

static const struct {
        const char *why;
        const char *module_a, *pattern_a;
        const char *module_b, *pattern_b;
        int expect; /* sign of compare(a, b) */
} compare_cases[] = {
        /* Both have five '*' (the kernel's count): the longer ID alias wins the tie. */
        { "ID alias beats class alias at five stars", "vbt_nvme_id_vfio_pci", ID_ALIAS,
          "vbt_nvme_class_vfio_pci", CLASS_ALIAS, -1 },
        { "... whatever the module names", "z_vfio_pci", ID_ALIAS, "a_vfio_pci", CLASS_ALIAS, -1 },
        { "fewer stars first", "mlx5_vfio_pci", "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*",
          "vfio_pci", CATCH_ALL, -1 },
        { "fewer stars first, even when shorter", "a_vfio_pci", "vfio_pci:v*d*sv*sd*bc03sc00i00",
          "b_vfio_pci", ID_ALIAS, -1 },
        { "a class alias beats the catch-all", "vbt_nvme_class_vfio_pci", CLASS_ALIAS, "vfio_pci",
          CATCH_ALL, -1 },
        { "same pattern: module name", "a_vfio_pci", ID_ALIAS, "b_vfio_pci", ID_ALIAS, -1 },
        { "module name before pattern", "a_vfio_pci", "vfio_pci:v000010DEd00002206sv*sd*bc*sc*i*",
          "b_vfio_pci", "vfio_pci:v000010DEd00002204sv*sd*bc*sc*i*", -1 },
        { "same module: pattern bytes", "x_vfio_pci", "vfio_pci:v000010DEd00002204sv*sd*bc*sc*i*",
          "x_vfio_pci", "vfio_pci:v000010DEd00002206sv*sd*bc*sc*i*", -1 },
        { "byte order: upper case sorts first", "x_vfio_pci",
          "vfio_pci:v000010DEd00002204sv*sd*bc*sc*i*", "x_vfio_pci",
          "vfio_pci:v000010ded00002204sv*sd*bc*sc*i*", -1 },
        { "identical", "vfio_pci", CATCH_ALL, "vfio_pci", CATCH_ALL, 0 },
};

static void test_compare(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(compare_cases); i++) {
                struct alias_match a = match(compare_cases[i].module_a, compare_cases[i].pattern_a, false);
                struct alias_match b = match(compare_cases[i].module_b, compare_cases[i].pattern_b, false);
                int ab = sign(alias_match_compare(&a, &b)), ba = sign(alias_match_compare(&b, &a));

                CHECK(ab == compare_cases[i].expect, "%s: compare = %d", compare_cases[i].why, ab);
                CHECK(ba == -ab, "%s: not antisymmetric (%d, %d)", compare_cases[i].why, ab, ba);
                /* Built-in or not makes no difference to the order. */
                a.builtin = true;
                CHECK(sign(alias_match_compare(&a, &b)) == ab, "%s: builtin changed it",
                      compare_cases[i].why);
        }
}

/* The stars field decides, not the text: resolve.c fills it with count_stars(). */
static void test_compare_uses_stars_field(void **state)
{
        struct alias_match a = match("a", CATCH_ALL, false), b = match("b", ID_ALIAS, false);

        assert_true(alias_match_compare(&b, &a) < 0);
        a.stars = 0;
        assert_true(alias_match_compare(&a, &b) < 0);
}

/* Best first: the order resolver_lookup() must produce from any index order. */
static const struct {
        const char *module, *pattern;
        bool builtin;
} ranked[] = {
        { "qat_vfio_pci", "vfio_pci:v00008086d00004941sv*sd*bc*sc*i*", false },
        { "vbt_nvme_id_vfio_pci", ID_ALIAS, false },
        { "vbt_nvme_id_vfio_pci", "vfio_pci:v00001B36d00000011sv*sd*bc*sc*i*", false },
        { "zz_vfio_pci", "vfio_pci:v00001B36d00000010sv*sd*bc*sc*i*", false },
        { "vbt_nvme_class_vfio_pci", CLASS_ALIAS, false },
        { "vfio_pci", "vfio_pci:v*d*sv*sd*bc01sc08*", true },
        { "vfio_pci", CATCH_ALL, true },
        /* resolver_lookup()'s fallback for a module whose modinfo it cannot read. */
        { "last_resort", "*", false },
};

#define N_RANKED ELEMENTSOF(ranked)

static void fill_ranked(struct alias_match m[static N_RANKED])
{
        for (size_t i = 0; i < N_RANKED; i++)
                m[i] = match(ranked[i].module, ranked[i].pattern, ranked[i].builtin);
        /* A lone "*" counts one star; resolver_lookup() ranks that fallback last by hand. */
        m[N_RANKED - 1].stars = UINT_MAX;
}

static void check_ranked(const struct alias_match *m, const char *how)
{
        for (size_t i = 0; i < N_RANKED; i++)
                CHECK(strcmp(m[i].module, ranked[i].module) == 0 &&
                              strcmp(m[i].pattern, ranked[i].pattern) == 0,
                      "%s: position %zu is %s %s", how, i, m[i].module, m[i].pattern);
}

static int qsort_compare(const void *a, const void *b)
{
        return alias_match_compare(a, b);
}

static void test_table_is_strictly_ordered(void **state)
{
        struct alias_match m[N_RANKED];

        fill_ranked(m);
        for (size_t i = 0; i < N_RANKED; i++)
                for (size_t j = 0; j < N_RANKED; j++) {
                        int want = (i > j) - (i < j);

                        CHECK(sign(alias_match_compare(&m[i], &m[j])) == want,
                              "compare(%s %s, %s %s) != %d", m[i].module, m[i].pattern, m[j].module,
                              m[j].pattern, want);
                }
}

static void test_qsort_shuffled(void **state)
{
        unsigned seed = 12345;

        for (unsigned round = 0; round < 50; round++) {
                struct alias_match m[N_RANKED];
                char how[32];

                fill_ranked(m);
                if (round == 0) { /* reversed */
                        for (size_t i = 0; i < N_RANKED / 2; i++) {
                                struct alias_match t = m[i];
                                m[i] = m[N_RANKED - 1 - i];
                                m[N_RANKED - 1 - i] = t;
                        }
                } else if (round > 1) /* Fisher-Yates with a fixed LCG: the same every run */
                        for (size_t i = N_RANKED - 1; i > 0; i--) {
                                size_t j;
                                struct alias_match t;

                                seed = seed * 1103515245u + 12345u;
                                j = (seed >> 16) % (i + 1);
                                t = m[i];
                                m[i] = m[j];
                                m[j] = t;
                        }
                qsort(m, N_RANKED, sizeof(m[0]), qsort_compare);
                snprintf(how, sizeof(how), "round %u", round);
                check_ranked(m, how);
        }
}

/* An entry's query: '?' for each hex digit the entry leaves open. */
#define Q_E1000E "vfio_pci:v00008086d000010D3sv????????sd????????bc??sc??i??"

static const struct {
        const char *why;
        const char *pattern, *query;
        bool expect;
} can_match_cases[] = {
        { "ID alias, same id", "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*", Q_E1000E, true },
        { "ID alias, other device", "vfio_pci:v00008086d000010D4sv*sd*bc*sc*i*", Q_E1000E, false },
        { "ID alias, other vendor", "vfio_pci:v00001AF4d000010D3sv*sd*bc*sc*i*", Q_E1000E, false },
        { "catch-all", CATCH_ALL, Q_E1000E, true },
        /* The class is not known: a class alias can match (giving 'class' narrows it). */
        { "class alias, class open", CLASS_ALIAS, Q_E1000E, true },
        { "class alias, other class given", CLASS_ALIAS,
          "vfio_pci:v00001B36d00000010sv????????sd????????bc01sc08i01", false },
        { "class alias, class given", CLASS_ALIAS,
          "vfio_pci:v00001B36d00000010sv????????sd????????bc01sc08i02", true },
        { "class alias, prog-if open", CLASS_ALIAS,
          "vfio_pci:v00001B36d00000010sv????????sd????????bc01sc08i??", true },
        { "subsystem alias, subsystem open",
          "vfio_pci:v000015B3d0000101Esv000015B3sd00000016bc*sc*i*",
          "vfio_pci:v000015B3d0000101Esv????????sd????????bc??sc??i??", true },
        { "subsystem alias, other subsystem",
          "vfio_pci:v000015B3d0000101Esv000015B3sd00000016bc*sc*i*",
          "vfio_pci:v000015B3d0000101Esv000015B3sd00000017bc??sc??i??", false },
        /* A '?' stands for a hex digit: a literal that is not one cannot fill it. */
        { "open digit is hex, not a letter", "vfio_pci:v00008086d000010D3svxyz*", Q_E1000E, false },
        { "open digit: upper case hex", "vfio_pci:v00008086d000010D3sv0000ABCD*", Q_E1000E, true },
        { "open digit: lower case never (the kernel writes upper case)",
          "vfio_pci:v00008086d000010D3sv0000abcd*", Q_E1000E, false },
        /* Hand-written modprobe.d aliases: '?', brackets, a '*' that spans fields. */
        { "'*' spans fields", "vfio_pci:v00008086d000010D3*", Q_E1000E, true },
        { "'*' spans fields, wrong device", "vfio_pci:v00008086d000010D4*", Q_E1000E, false },
        { "'?' in the pattern", "vfio_pci:v0000808?d000010D?sv*", Q_E1000E, true },
        { "bracket against a known digit", "vfio_pci:v0000808[5-7]d*", Q_E1000E, true },
        { "bracket against a known digit, no", "vfio_pci:v0000808[!6]d*", Q_E1000E, false },
        { "bracket against an open digit", "vfio_pci:v*sv0000[0-3]*", Q_E1000E, true },
        { "unclosed bracket is a literal", "vfio_pci:v[0000", Q_E1000E, false },
        { "too short", "vfio_pci:v00008086", Q_E1000E, false },
        { "other bus", "vfio_cdx:v*d*", Q_E1000E, false },
        { "empty pattern", "", Q_E1000E, false },
        { "backtracking over several '*'", "vfio_pci:*D3*i*", Q_E1000E, true },
        /* Open digits can hold "D3" (subsystem 0000D300) but never a lower-case 'd'. */
        { "backtracking: open digits fill a literal", "vfio_pci:*D3*D3*", Q_E1000E, true },
        { "backtracking: the query's two 'd'", "vfio_pci:*d*d*", Q_E1000E, true },
        { "backtracking: no third 'd'", "vfio_pci:*d*d*d*", Q_E1000E, false },
};

static void test_alias_can_match(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(can_match_cases); i++)
                CHECK(alias_can_match(can_match_cases[i].pattern, can_match_cases[i].query) ==
                              can_match_cases[i].expect,
                      "%s: '%s' vs '%s'", can_match_cases[i].why, can_match_cases[i].pattern,
                      can_match_cases[i].query);
}

static void test_entry_modalias_query(void **state)
{
        struct config_entry e = { .bus = BUS_PCI, .has_id = true, .id = { 0x8086, 0x10d3 } };
        char q[MODALIAS_QUERY_MAX];

        assert_int_equal(entry_modalias_query(&e, q, sizeof(q)), 0);
        assert_string_equal(q, Q_E1000E);
        e.has_subsystem = true;
        e.subsystem = (struct pci_id){ 0x15b3, 0x16 };
        e.has_class = true;
        e.class_code = 0x0200;
        e.class_digits = 4;
        assert_int_equal(entry_modalias_query(&e, q, sizeof(q)), 0);
        assert_string_equal(q, "vfio_pci:v00008086d000010D3sv000015B3sd00000016bc02sc00i??");
        e.class_code = 0x010802;
        e.class_digits = 6;
        assert_int_equal(entry_modalias_query(&e, q, sizeof(q)), 0);
        assert_string_equal(q, "vfio_pci:v00008086d000010D3sv000015B3sd00000016bc01sc08i02");
        /* The query is a modalias's length: one alias matches it as it would the device's. */
        assert_true(alias_can_match("vfio_pci:v00008086d000010D3sv000015B3sd00000016bc01sc08i02", q));
        assert_int_equal(entry_modalias_query(&e, q, sizeof(q) - 1), -ENOBUFS);
        e.has_id = false;
        assert_int_equal(entry_modalias_query(&e, q, sizeof(q)), -EINVAL);
        e.has_id = true;
        e.bus = BUS_CDX;
        assert_int_equal(entry_modalias_query(&e, q, sizeof(q)), -EINVAL);
}

static void test_kver_valid(void **state)
{
        char long_kver[KVER_MAX + 1];

        assert_true(kver_valid("6.1.0-57-amd64"));
        assert_false(kver_valid(""));
        assert_false(kver_valid("../6.1"));
        assert_false(kver_valid("6.1/x"));
        assert_false(kver_valid(".."));
        assert_false(kver_valid("."));
        assert_false(kver_valid("6.1\n"));
        assert_false(kver_valid("6.1 x"));
        assert_true(kver_valid("6.1.0+rt"));
        memset(long_kver, 'a', KVER_MAX - 1);
        long_kver[KVER_MAX - 1] = '\0';
        assert_true(kver_valid(long_kver));
        long_kver[KVER_MAX - 1] = 'a';
        long_kver[KVER_MAX] = '\0';
        assert_false(kver_valid(long_kver));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_count_stars),
                cmocka_unit_test(test_compare),
                cmocka_unit_test(test_compare_uses_stars_field),
                cmocka_unit_test(test_table_is_strictly_ordered),
                cmocka_unit_test(test_qsort_shuffled),
                cmocka_unit_test(test_alias_can_match),
                cmocka_unit_test(test_entry_modalias_query),
                cmocka_unit_test(test_kver_valid),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
