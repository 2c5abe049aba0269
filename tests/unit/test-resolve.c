/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolve.c: the order of matching aliases (fewest '*', then longest, then names). */
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_count_stars),
                cmocka_unit_test(test_compare),
                cmocka_unit_test(test_compare_uses_stars_field),
                cmocka_unit_test(test_table_is_strictly_ordered),
                cmocka_unit_test(test_qsort_shuffled),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
