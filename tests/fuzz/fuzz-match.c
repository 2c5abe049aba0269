/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modalias matcher: what resolve.c does with an alias once libkmod has named its module,
 * fnmatch(pattern, "vfio_" + modalias, 0), then ordering by alias_match_compare.
 *
 * 1. Differential: a device and up to three pci_device_id entries come from the input. Each
 *    entry becomes the alias modpost writes for it (scripts/mod/file2alias.c, do_pci_entry,
 *    with the "vfio_pci:" prefix of PCI_DRIVER_OVERRIDE_DEVICE_VFIO); fnmatch of that alias
 *    against "vfio_" + the device's modalias must agree with the kernel's own id match
 *    (drivers/pci/pci-driver.c, pci_match_one_device). The modalias must also parse.
 * 2. Ranking: of two matching entries, one that constrains strictly more fields always ranks
 *    first, whatever the module names: the "fewest '*'" rule, with the length tie-break, picks
 *    the most specific variant driver.
 * 3. Order: alias_match_compare is a total order on arbitrary (module, pattern) pairs:
 *    reflexive, antisymmetric, transitive, equal only for equal strings; so qsort gives the
 *    same first choice whatever order libkmod listed the modules in.
 * 4. fnmatch on arbitrary glob patterns: a pattern without metacharacters matches itself, and
 *    a pattern matches any string made from it by filling each '*'.
 */
#include <fnmatch.h>
#include <string.h>

#include "fuzz.h"
#include "pci.h"
#include "resolve.h"

#define PCI_ANY_ID 0xffffffffu

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        return 0;
}

struct dev {
        uint16_t vendor, device, subvendor, subdevice;
        uint32_t class_code; /* 24 bits */
};

struct id {
        uint32_t vendor, device, subvendor, subdevice, class_code, class_mask;
};

enum { F_VENDOR, F_DEVICE, F_SUBVENDOR, F_SUBDEVICE, F_BC, F_SC, F_I, N_FIELDS };

static int sign(int x)
{
        return (x > 0) - (x < 0);
}

/* A field value for an id: any, the device's own (to get matches), or anything. */
static uint32_t pick(struct fuzz_input *in, uint32_t own)
{
        switch (fuzz_u8(in) % 4) {
        case 0:
                return PCI_ANY_ID;
        case 1:
        case 2:
                return own;
        default:
                return fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u32(in);
        }
}

static bool kernel_match(const struct id *id, const struct dev *d)
{
        return (id->vendor == PCI_ANY_ID || id->vendor == d->vendor) &&
               (id->device == PCI_ANY_ID || id->device == d->device) &&
               (id->subvendor == PCI_ANY_ID || id->subvendor == d->subvendor) &&
               (id->subdevice == PCI_ANY_ID || id->subdevice == d->subdevice) &&
               !((id->class_code ^ d->class_code) & id->class_mask);
}

/* modpost's ADD(): the value in fixed-width upper-case hex, or '*'. */
static void add(char *alias, const char *sep, bool cond, unsigned width, uint32_t v)
{
        size_t n = strlen(alias);

        if (cond)
                sprintf(alias + n, "%s%0*X", sep, (int)width, v);
        else
                sprintf(alias + n, "%s*", sep);
}

/* do_pci_entry; false for the class masks modpost refuses ("Can't handle masks"). */
static bool modpost_alias(const struct id *id, char *alias, unsigned *constrained)
{
        uint8_t bc = (uint8_t)(id->class_code >> 16), bcm = (uint8_t)(id->class_mask >> 16);
        uint8_t sc = (uint8_t)(id->class_code >> 8), scm = (uint8_t)(id->class_mask >> 8);
        uint8_t i = (uint8_t)id->class_code, im = (uint8_t)id->class_mask;

        if ((bcm != 0 && bcm != 0xff) || (scm != 0 && scm != 0xff) || (im != 0 && im != 0xff))
                return false;
        strcpy(alias, "vfio_pci:");
        add(alias, "v", id->vendor != PCI_ANY_ID, 8, id->vendor);
        add(alias, "d", id->device != PCI_ANY_ID, 8, id->device);
        add(alias, "sv", id->subvendor != PCI_ANY_ID, 8, id->subvendor);
        add(alias, "sd", id->subdevice != PCI_ANY_ID, 8, id->subdevice);
        add(alias, "bc", bcm == 0xff, 2, bc);
        add(alias, "sc", scm == 0xff, 2, sc);
        add(alias, "i", im == 0xff, 2, i);
        if (alias[strlen(alias) - 1] != '*')
                strcat(alias, "*"); /* add_wildcard() */
        *constrained = (id->vendor != PCI_ANY_ID) << F_VENDOR |
                       (id->device != PCI_ANY_ID) << F_DEVICE |
                       (id->subvendor != PCI_ANY_ID) << F_SUBVENDOR |
                       (id->subdevice != PCI_ANY_ID) << F_SUBDEVICE | (bcm == 0xff) << F_BC |
                       (scm == 0xff) << F_SC | (im == 0xff) << F_I;
        return true;
}

static void check_differential(struct fuzz_input *in)
{
        static const char modules[][MODULE_NAME_MAX] = { "vfio_pci", "mlx5_vfio_pci", "a", "zz" };
        struct alias_match m[3];
        unsigned constrained[3];
        bool matches[3];
        struct pci_modalias parsed;
        char modalias[MODALIAS_MAX], subject[MODALIAS_MAX + 8];
        struct dev d;

        d.vendor = fuzz_u16(in);
        d.device = fuzz_u16(in);
        d.subvendor = fuzz_u16(in);
        d.subdevice = fuzz_u16(in);
        d.class_code = fuzz_u32(in) & 0xffffff;
        snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
                 d.vendor, d.device, d.subvendor, d.subdevice, d.class_code >> 16,
                 (d.class_code >> 8) & 0xff, d.class_code & 0xff);
        FUZZ_CHECK(pci_modalias_parse(modalias, &parsed) == 0);
        FUZZ_CHECK(parsed.vendor == d.vendor && parsed.device == d.device &&
                   parsed.subvendor == d.subvendor && parsed.subdevice == d.subdevice);
        FUZZ_CHECK(((uint32_t)parsed.base_class << 16 | (uint32_t)parsed.sub_class << 8 |
                    parsed.prog_if) == d.class_code);
        snprintf(subject, sizeof(subject), "vfio_%s", modalias);

        for (unsigned k = 0; k < 3; k++) {
                struct id id;
                uint8_t masks = fuzz_u8(in);

                id.vendor = pick(in, d.vendor);
                id.device = pick(in, d.device);
                id.subvendor = pick(in, d.subvendor);
                id.subdevice = pick(in, d.subdevice);
                id.class_code = fuzz_u8(in) & 1 ? d.class_code : fuzz_u32(in) & 0xffffff;
                /* Mostly whole bytes, as modpost needs; now and then anything. */
                if (masks & 0x80)
                        id.class_mask = fuzz_u32(in) & 0xffffff;
                else
                        id.class_mask = (masks & 1 ? 0xff0000u : 0) | (masks & 2 ? 0xff00u : 0) |
                                        (masks & 4 ? 0xffu : 0);
                m[k] = (struct alias_match){ 0 };
                strcpy(m[k].module, modules[fuzz_u8(in) % 4]);
                if (!modpost_alias(&id, m[k].pattern, &constrained[k])) {
                        matches[k] = false;
                        continue;
                }
                m[k].stars = count_stars(m[k].pattern);
                matches[k] = fnmatch(m[k].pattern, subject, 0) == 0;
                FUZZ_CHECK(matches[k] == kernel_match(&id, &d));
        }
        for (unsigned a = 0; a < 3; a++)
                for (unsigned b = 0; b < 3; b++) {
                        if (!matches[a] || !matches[b] || constrained[a] == constrained[b])
                                continue;
                        /* a constrains a strict superset of b's fields */
                        if ((constrained[a] & constrained[b]) == constrained[b])
                                FUZZ_CHECK(alias_match_compare(&m[a], &m[b]) < 0);
                }
}

static int qsort_compare(const void *a, const void *b)
{
        return alias_match_compare(a, b);
}

static void check_order(struct fuzz_input *in)
{
        static const char malpha[] = "ab_-";
        static const char palpha[] = "ab*?:";
        static const unsigned perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
                                              { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
        struct alias_match m[3], sorted[6][3];

        for (unsigned k = 0; k < 3; k++) {
                m[k] = (struct alias_match){ 0 };
                fuzz_string(in, malpha, sizeof(malpha) - 1, m[k].module, 8);
                fuzz_string(in, palpha, sizeof(palpha) - 1, m[k].pattern, 12);
                m[k].stars = count_stars(m[k].pattern);
        }
        for (unsigned a = 0; a < 3; a++) {
                unsigned naive = 0;

                for (const char *p = m[a].pattern; *p; p++)
                        naive += *p == '*';
                FUZZ_CHECK(m[a].stars == naive);
                FUZZ_CHECK(alias_match_compare(&m[a], &m[a]) == 0);
                for (unsigned b = 0; b < 3; b++) {
                        int ab = sign(alias_match_compare(&m[a], &m[b]));
                        bool same = strcmp(m[a].module, m[b].module) == 0 &&
                                    strcmp(m[a].pattern, m[b].pattern) == 0;

                        FUZZ_CHECK(ab == -sign(alias_match_compare(&m[b], &m[a])));
                        FUZZ_CHECK((ab == 0) == same);
                        /* Fewer '*' always wins, whatever else differs. */
                        if (m[a].stars < m[b].stars)
                                FUZZ_CHECK(ab < 0);
                        for (unsigned c = 0; c < 3; c++) {
                                int bc = sign(alias_match_compare(&m[b], &m[c]));
                                int ac = sign(alias_match_compare(&m[a], &m[c]));

                                if (ab <= 0 && bc <= 0)
                                        FUZZ_CHECK(ac <= 0);
                                if (ab < 0 && bc <= 0)
                                        FUZZ_CHECK(ac < 0);
                        }
                }
        }
        for (unsigned p = 0; p < 6; p++) {
                for (unsigned k = 0; k < 3; k++)
                        sorted[p][k] = m[perms[p][k]];
                qsort(sorted[p], 3, sizeof(sorted[p][0]), qsort_compare);
                for (unsigned k = 0; k < 3; k++)
                        FUZZ_CHECK(alias_match_compare(&sorted[p][k], &sorted[0][k]) == 0);
        }
}

static void check_fnmatch(struct fuzz_input *in)
{
        static const char palpha[] = "ab*?[]!^-\\:";
        static const char filler[] = "ab:*?[";
        char pattern[32], subject[32 * 5], fill[5];
        size_t n = 0;

        fuzz_string(in, palpha, sizeof(palpha) - 1, pattern, sizeof(pattern));
        (void)fnmatch(pattern, "vfio_pci:v000015B3d0000101E", 0);
        if (strpbrk(pattern, "?[]\\"))
                return;
        /* Only '*' is special: fill each with up to 4 characters, anything at all. */
        for (const char *p = pattern; *p; p++) {
                if (*p == '*') {
                        fuzz_string(in, filler, sizeof(filler) - 1, fill, sizeof(fill));
                        memcpy(subject + n, fill, strlen(fill));
                        n += strlen(fill);
                } else
                        subject[n++] = *p;
        }
        subject[n] = '\0';
        FUZZ_CHECK(fnmatch(pattern, subject, 0) == 0);
        if (!strchr(pattern, '*'))
                FUZZ_CHECK(strcmp(pattern, subject) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct fuzz_input in = { data, size };

        check_differential(&in);
        check_order(&in);
        check_fnmatch(&in);
        return 0;
}
