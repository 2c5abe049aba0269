/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pci.c: addresses, ids, classes, modaliases and sysfs hex attributes. */
#include <errno.h>

#include "pci.h"
#include "unit.h"

#define ANY PCI_FUNCTION_ANY

static const struct address_case {
        const char *input;
        bool allow_any;
        int ret;
        struct pci_address expect; /* when ret == 0 */
        const char *canonical;     /* when ret == 0: pci_address_format() */
        const char *why;           /* when ret < 0: a phrase of *why */
} address_cases[] = {
        /* Accepted. */
        { "0000:01:00.0", false, 0, { 0, 0x01, 0x00, 0 }, "0000:01:00.0", NULL },
        { "01:00.0", false, 0, { 0, 0x01, 0x00, 0 }, "0000:01:00.0", NULL },
        { "0000:00:1f.7", false, 0, { 0, 0x00, 0x1f, 7 }, "0000:00:1f.7", NULL },
        { "ff:1f.3", false, 0, { 0, 0xff, 0x1f, 3 }, "0000:ff:1f.3", NULL },
        { "0000:0A:1F.7", false, 0, { 0, 0x0a, 0x1f, 7 }, "0000:0a:1f.7", NULL },
        { "0A:1f.2", false, 0, { 0, 0x0a, 0x1f, 2 }, "0000:0a:1f.2", NULL },
        { "0001:3b:00.1", false, 0, { 1, 0x3b, 0x00, 1 }, "0001:3b:00.1", NULL },
        /* Intel VMD puts devices in domains 10000 and up. */
        { "10000:00:02.0", false, 0, { 0x10000, 0x00, 0x02, 0 }, "10000:00:02.0", NULL },
        { "123456:e1:00.0", false, 0, { 0x123456, 0xe1, 0x00, 0 }, "123456:e1:00.0", NULL },
        { "1234567:01:00.0", false, 0, { 0x1234567, 0x01, 0x00, 0 }, "1234567:01:00.0", NULL },
        { "ffffffff:ff:1f.7", false, 0, { 0xffffffff, 0xff, 0x1f, 7 }, "ffffffff:ff:1f.7", NULL },
        /* Leading zeros beyond four digits are allowed; the canonical form drops them. */
        { "0000abcd:00:00.0", false, 0, { 0xabcd, 0, 0, 0 }, "abcd:00:00.0", NULL },
        /* Wildcard function, only when the caller allows it. */
        { "01:00.*", true, 0, { 0, 0x01, 0x00, ANY }, "0000:01:00.*", NULL },
        { "0000:41:00.*", true, 0, { 0, 0x41, 0x00, ANY }, "0000:41:00.*", NULL },
        { "10000:01:00.*", true, 0, { 0x10000, 0x01, 0x00, ANY }, "10000:01:00.*", NULL },
        { "0000:01:00.3", true, 0, { 0, 0x01, 0x00, 3 }, "0000:01:00.3", NULL },

        /* Refused. */
        { "01:00.*", false, -EINVAL, {}, NULL, "function is 0 to 7" },
        { "0000:01:00.*", false, -EINVAL, {}, NULL, "function is 0 to 7" },
        { "0000:01:00.8", false, -EINVAL, {}, NULL, "function is 0 to 7" },
        { "0000:01:00.8", true, -EINVAL, {}, NULL, "or * for every function" },
        { "0000:01:00.**", true, -EINVAL, {}, NULL, "or * for every function" },
        { "0000:01:00.00", false, -EINVAL, {}, NULL, "function" },
        { "0000:01:00.-1", false, -EINVAL, {}, NULL, "function" },
        { "0000:01:00.0 ", false, -EINVAL, {}, NULL, "function" },
        { "0000:01:00.0\n", false, -EINVAL, {}, NULL, "function" },
        { "0000:01:20.0", false, -EINVAL, {}, NULL, "slot (device) number is at most 1f" },
        { "0000:01:ff.0", false, -EINVAL, {}, NULL, "at most 1f" },
        { "01:20.0", false, -EINVAL, {}, NULL, "at most 1f" },
        { "000:01:00.0", false, -EINVAL, {}, NULL, "domain has at least 4 hex digits" },
        { "00:01:00.0", false, -EINVAL, {}, NULL, "at least 4" },
        { "1:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "001:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:1:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:001:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:0.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:000.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:00", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:00.", false, -EINVAL, {}, NULL, "function" },
        { "0000:01.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "100000000:00:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:0g:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0x00:01:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000-01-00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { " 0000:01:00.0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:00:0", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "../../x", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "../../x", true, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:00.0/../..", false, -EINVAL, {}, NULL, "function" },
        { "", false, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "*", true, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
        { "0000:01:*.0", true, -EINVAL, {}, NULL, "[DOMAIN:]BUS:SLOT.FUNCTION" },
};

static void test_address_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(address_cases); i++) {
                const struct address_case *t = &address_cases[i];
                struct pci_address a = { 0x5a5a5a5a, 0x5a, 0x5a, 0x5a };
                const char *why = "unset";
                int r = pci_address_parse(t->input, t->allow_any, &a, &why);

                CHECK(r == t->ret, "'%s' (any=%d): returned %d, expected %d", t->input,
                      t->allow_any, r, t->ret);
                if (r < 0) {
                        CHECK(why && strstr(why, t->why), "'%s': why is '%s', expected '%s'",
                              t->input, why ? why : "(null)", t->why);
                        continue;
                }
                CHECK(why == NULL, "'%s': why set on success: '%s'", t->input, why);
                CHECK(a.domain == t->expect.domain && a.bus == t->expect.bus &&
                              a.slot == t->expect.slot && a.function == t->expect.function,
                      "'%s': parsed %x:%x:%x.%x", t->input, a.domain, a.bus, a.slot, a.function);
        }
}

/* Every accepted address formats to its canonical form, which parses back to the same value. */
static void test_address_round_trip(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(address_cases); i++) {
                const struct address_case *t = &address_cases[i];
                struct pci_address a, b;
                char buf[PCI_ADDRESS_MAX], again[PCI_ADDRESS_MAX];
                const char *why;

                if (t->ret < 0)
                        continue;
                assert_int_equal(pci_address_parse(t->input, t->allow_any, &a, &why), 0);
                pci_address_format(&a, buf);
                CHECK(strcmp(buf, t->canonical) == 0, "'%s' formats as '%s', expected '%s'",
                      t->input, buf, t->canonical);
                CHECK(pci_address_parse(buf, t->allow_any, &b, &why) == 0,
                      "canonical '%s' does not parse back", buf);
                CHECK(pci_address_compare(&a, &b) == 0, "'%s' round trip changed the value", buf);
                pci_address_format(&b, again);
                assert_string_equal(again, buf);
        }
}

/* The largest address fills the buffer exactly; nothing is cut. */
static void test_address_max_length(void **state)
{
        struct pci_address a = { 0xffffffff, 0xff, 0x1f, 7 };
        char buf[PCI_ADDRESS_MAX];

        pci_address_format(&a, buf);
        assert_int_equal(strlen(buf), PCI_ADDRESS_MAX - 1);
        a.function = ANY;
        pci_address_format(&a, buf);
        assert_string_equal(buf, "ffffffff:ff:1f.*");
}

static const struct {
        const char *selector, *address;
        bool match;
} match_cases[] = {
        { "0000:01:00.0", "0000:01:00.0", true },
        { "0000:01:00.0", "0000:01:00.1", false },
        { "0000:01:00.*", "0000:01:00.0", true },
        { "0000:01:00.*", "0000:01:00.7", true },
        { "0000:01:00.*", "0000:01:01.0", false },
        { "0000:01:00.*", "0000:02:00.0", false },
        { "0000:01:00.*", "0001:01:00.0", false },
        { "10000:01:00.0", "0000:01:00.0", false },
        { "01:00.1", "0000:01:00.1", true },
};

static void test_address_match(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                struct pci_address sel, a;
                const char *why;

                assert_int_equal(pci_address_parse(match_cases[i].selector, true, &sel, &why), 0);
                assert_int_equal(pci_address_parse(match_cases[i].address, false, &a, &why), 0);
                CHECK(pci_address_match(&sel, &a) == match_cases[i].match, "%s vs %s",
                      match_cases[i].selector, match_cases[i].address);
        }
}

/* Ascending: domain, then bus, slot, function; a 5-digit domain sorts after 0000. */
static const char *const sorted_addresses[] = {
        "0000:00:00.0", "0000:00:00.1", "0000:00:01.0", "0000:00:1f.7", "0000:01:00.0",
        "0000:ff:00.0", "0001:00:00.0", "ffff:00:00.0", "10000:00:00.0", "ffffffff:ff:1f.7",
};

static void test_address_compare(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(sorted_addresses); i++)
                for (size_t j = 0; j < ELEMENTSOF(sorted_addresses); j++) {
                        struct pci_address a, b;
                        const char *why;
                        int c, want = (i > j) - (i < j);

                        assert_int_equal(pci_address_parse(sorted_addresses[i], false, &a, &why), 0);
                        assert_int_equal(pci_address_parse(sorted_addresses[j], false, &b, &why), 0);
                        c = pci_address_compare(&a, &b);
                        CHECK(c == want, "compare(%s, %s) = %d, expected %d", sorted_addresses[i],
                              sorted_addresses[j], c, want);
                }
}

static const struct {
        const char *input;
        int ret;
        uint16_t vendor, device;
} id_cases[] = {
        { "10de:2204", 0, 0x10de, 0x2204 },
        { "10DE:2204", 0, 0x10de, 0x2204 },
        { "1b36:0010", 0, 0x1b36, 0x0010 },
        { "0000:0000", 0, 0, 0 },
        { "ffff:FFFF", 0, 0xffff, 0xffff },
        { "10de:220", -EINVAL, 0, 0 },
        { "10de:22041", -EINVAL, 0, 0 },
        { "10d:2204", -EINVAL, 0, 0 },
        { "010de:2204", -EINVAL, 0, 0 },
        { "10de2204", -EINVAL, 0, 0 },
        { "10de:2204 ", -EINVAL, 0, 0 },
        { " 10de:2204", -EINVAL, 0, 0 },
        { "10de:2204:1", -EINVAL, 0, 0 },
        { "10de:", -EINVAL, 0, 0 },
        { ":2204", -EINVAL, 0, 0 },
        { ":", -EINVAL, 0, 0 },
        { "", -EINVAL, 0, 0 },
        { "0x10de:2204", -EINVAL, 0, 0 },
        { "g0de:2204", -EINVAL, 0, 0 },
        { "10de-2204", -EINVAL, 0, 0 },
        { "10de:*", -EINVAL, 0, 0 },
};

static void test_id_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(id_cases); i++) {
                struct pci_id id = { 0x5a5a, 0x5a5a };
                const char *why = "unset";
                int r = pci_id_parse(id_cases[i].input, &id, &why);

                CHECK(r == id_cases[i].ret, "'%s': returned %d", id_cases[i].input, r);
                if (r < 0) {
                        CHECK(why && strstr(why, "VENDOR:DEVICE"), "'%s': why '%s'",
                              id_cases[i].input, why ? why : "(null)");
                        continue;
                }
                CHECK(why == NULL, "'%s': why set on success", id_cases[i].input);
                CHECK(id.vendor == id_cases[i].vendor && id.device == id_cases[i].device,
                      "'%s': parsed %04x:%04x", id_cases[i].input, id.vendor, id.device);
        }
}

static const struct {
        const char *input;
        int ret;
        uint32_t code;
        unsigned digits;
} class_cases[] = {
        { "0300", 0, 0x0300, 4 },
        { "030000", 0, 0x030000, 6 },
        { "010802", 0, 0x010802, 6 },
        { "0C03", 0, 0x0c03, 4 },
        { "0c0330", 0, 0x0c0330, 6 },
        { "ffff", 0, 0xffff, 4 },
        { "03", -EINVAL, 0, 0 },
        { "030", -EINVAL, 0, 0 },
        { "03000", -EINVAL, 0, 0 },
        { "0300000", -EINVAL, 0, 0 },
        { "", -EINVAL, 0, 0 },
        { "0x0300", -EINVAL, 0, 0 },
        { "0300 ", -EINVAL, 0, 0 },
        { "03:00", -EINVAL, 0, 0 },
        { "vga", -EINVAL, 0, 0 },
};

static void test_class_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(class_cases); i++) {
                uint32_t code = 0x5a5a5a;
                unsigned digits = 99;
                const char *why = "unset";
                int r = pci_class_parse(class_cases[i].input, &code, &digits, &why);

                CHECK(r == class_cases[i].ret, "'%s': returned %d", class_cases[i].input, r);
                if (r < 0) {
                        CHECK(why && strstr(why, "4 hex digits"), "'%s': why '%s'",
                              class_cases[i].input, why ? why : "(null)");
                        continue;
                }
                CHECK(why == NULL, "'%s': why set on success", class_cases[i].input);
                CHECK(code == class_cases[i].code && digits == class_cases[i].digits,
                      "'%s': parsed %x (%u digits)", class_cases[i].input, code, digits);
        }
}

static const struct {
        const char *input;
        int ret;
        struct pci_modalias expect;
} modalias_cases[] = {
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", 0,
          { 0x10de, 0x2204, 0x1458, 0x403b, 0x03, 0x00, 0x00 } },
        { "pci:v000010ded00002204sv00001458sd0000403bbc03sc00i00", 0,
          { 0x10de, 0x2204, 0x1458, 0x403b, 0x03, 0x00, 0x00 } },
        { "pci:v00001B36d00000010sv00001AF4sd00001100bc01sc08i02", 0,
          { 0x1b36, 0x0010, 0x1af4, 0x1100, 0x01, 0x08, 0x02 } },
        { "pci:vFFFFFFFFdFFFFFFFFsvFFFFFFFFsdFFFFFFFFbcFFscFFiFF", 0,
          { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xff, 0xff, 0xff } },
        /* Truncated anywhere. */
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i0", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00", -EINVAL, {} },
        { "pci:v000010DEd00002204", -EINVAL, {} },
        { "pci:v", -EINVAL, {} },
        { "pci:", -EINVAL, {} },
        { "", -EINVAL, {} },
        /* Trailing junk. */
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00x", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i000", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00 ", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00\n", -EINVAL, {} },
        /* Fields the wrong width, missing, or out of order. */
        { "pci:v00010DEd00002204sv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "pci:v0000010DEd00002204sv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "pci:v000010DEd00002204sv00001458sd0000403Bbc3sc00i00", -EINVAL, {} },
        { "pci:v000010DEsv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "pci:d00002204v000010DEsv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "pci:v000010DEd0000220Gsv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "pci:v*d*sv*sd*bc03sc00i00", -EINVAL, {} },
        /* Not a PCI modalias. */
        { "usb:v046Dp0825d0012dcEFdsc02dp01ic0Eisc01ip00in00", -EINVAL, {} },
        { "PCI:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { "vfio_pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
        { " pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", -EINVAL, {} },
};

static void test_modalias_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(modalias_cases); i++) {
                const struct pci_modalias *e = &modalias_cases[i].expect;
                struct pci_modalias m;
                int r;

                memset(&m, 0x5a, sizeof(m));
                r = pci_modalias_parse(modalias_cases[i].input, &m);
                CHECK(r == modalias_cases[i].ret, "'%s': returned %d", modalias_cases[i].input, r);
                if (r < 0)
                        continue;
                CHECK(m.vendor == e->vendor && m.device == e->device && m.subvendor == e->subvendor &&
                              m.subdevice == e->subdevice && m.base_class == e->base_class &&
                              m.sub_class == e->sub_class && m.prog_if == e->prog_if,
                      "'%s': parsed v%x d%x sv%x sd%x bc%x sc%x i%x", modalias_cases[i].input,
                      m.vendor, m.device, m.subvendor, m.subdevice, m.base_class, m.sub_class,
                      m.prog_if);
        }
}

static const struct {
        const char *input;
        unsigned max_digits;
        int ret;
        uint32_t value;
} hex_cases[] = {
        { "0x10de\n", 4, 0, 0x10de },
        { "0x10de", 4, 0, 0x10de },
        { "0x10DE\n", 4, 0, 0x10de },
        { "0x0\n", 4, 0, 0 },
        { "0x1\n", 4, 0, 1 },
        { "0x030000\n", 6, 0, 0x030000 },
        { "0x0c0330", 6, 0, 0x0c0330 },
        { "0x10dee", 4, -EINVAL, 0 },
        { "0x0300000\n", 6, -EINVAL, 0 },
        { "10de\n", 4, -EINVAL, 0 },
        { "0X10de\n", 4, -EINVAL, 0 },
        { "0x", 4, -EINVAL, 0 },
        { "0x\n", 4, -EINVAL, 0 },
        { "", 4, -EINVAL, 0 },
        { "\n", 4, -EINVAL, 0 },
        { "0x10de\n\n", 4, -EINVAL, 0 },
        { "0x10de ", 4, -EINVAL, 0 },
        { " 0x10de", 4, -EINVAL, 0 },
        { "0x10de\nx", 4, -EINVAL, 0 },
        { "0xg", 4, -EINVAL, 0 },
        { "-0x1", 4, -EINVAL, 0 },
};

static void test_parse_hex_attr(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(hex_cases); i++) {
                uint32_t v = 0x5a5a5a5a;
                int r = parse_hex_attr(hex_cases[i].input, hex_cases[i].max_digits, &v);

                CHECK(r == hex_cases[i].ret, "row %zu: returned %d", i, r);
                if (r == 0)
                        CHECK(v == hex_cases[i].value, "row %zu: parsed %x", i, v);
        }
}

static void test_word_next(void **state)
{
        const char *p = "  flr  bus\tx device_specific ";
        char buf[8];

        (void)state;
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "flr");
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 5); /* only ' ' separates, as the kernel's */
        assert_string_equal(buf, "bus\tx");
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 15); /* too long: its start, its length */
        assert_string_equal(buf, "device_");
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 0);
        p = "";
        assert_int_equal(word_next(&p, buf, sizeof(buf)), 0);
}

static void test_word_listed(void **state)
{
        (void)state;
        assert_true(word_listed("flr bus\n", "bus"));
        assert_true(word_listed("flr bus", "flr"));
        assert_true(word_listed(" device_specific  flr", "flr"));
        assert_false(word_listed("af_flr bus", "flr"));
        assert_false(word_listed("flr_x", "flr"));
        assert_false(word_listed("", "flr"));
        assert_false(word_listed("flr", ""));
}

/* The kernel keeps the header type without the multi-function bit (pci_setup_device). */
static void test_header_type(void **state)
{
        uint8_t config[64] = { 0 };

        assert_int_equal(pci_config_header_type(config, sizeof(config)), 0);
        config[PCI_HEADER_TYPE_OFFSET] = 0x80; /* function 0 of a multi-function device */
        assert_int_equal(pci_config_header_type(config, sizeof(config)), 0);
        config[PCI_HEADER_TYPE_OFFSET] = 0x81; /* a multi-function bridge */
        assert_int_equal(pci_config_header_type(config, sizeof(config)), 1);
        config[PCI_HEADER_TYPE_OFFSET] = 0x02;
        assert_int_equal(pci_config_header_type(config, sizeof(config)), 2);
        assert_int_equal(pci_config_header_type(config, PCI_HEADER_TYPE_OFFSET), -EINVAL);
        assert_int_equal(pci_config_header_type(config, PCI_HEADER_TYPE_OFFSET + 1), 2);
        assert_int_equal(pci_class_header_type(0x060400), 1);
        assert_int_equal(pci_class_header_type(0x060401), 1); /* subtractive decode */
        assert_int_equal(pci_class_header_type(0x060900), 1);
        assert_int_equal(pci_class_header_type(0x060700), 2);
        assert_int_equal(pci_class_header_type(0x060000), 0); /* host bridge */
        assert_int_equal(pci_class_header_type(0x060100), 0); /* ISA bridge */
        assert_int_equal(pci_class_header_type(0x030000), 0);
}

static void test_path(void **state)
{
        static const struct {
                const char *link, *path; /* path NULL: refused */
        } cases[] = {
                { "../../../devices/pci0000:00/0000:00:1c.4/0000:03:00.1", "pci0000:00/1c.4/00.1" },
                { "../../../devices/pci0000:00/0000:00:14.0", "pci0000:00/14.0" },
                /* behind a switch: the bus numbers below the root are left out */
                { "../../../devices/pci0000:40/0000:40:01.1/0000:41:00.0/0000:42:08.0/0000:43:00.3",
                  "pci0000:40/01.1/00.0/08.0/00.3" },
                /* a VMD domain nests a root bus */
                { "../../../devices/pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:06.0/10000:e1:00.0",
                  "pci0000:00/0e.0/pci10000:e0/06.0/00.0" },
                /* an ARM host bridge below a platform device */
                { "../../../devices/platform/soc/1c00000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0",
                  "pci0000:00/00.0/00.0" },
                { "../../../devices/pci0000:00", NULL },
                { "../../../devices/platform/x", NULL },
                { "../../../devices/pci0000:00/0000:00:1c.4/odd", NULL },
        };
        char buf[PCI_PATH_MAX], canon[PCI_PATH_MAX], tiny[8];
        const char *why;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = pci_path_from_sysfs(cases[i].link, buf, sizeof(buf));

                if (!cases[i].path) {
                        CHECK(r == -EINVAL, "%s: %d", cases[i].link, r);
                        continue;
                }
                CHECK(r == 0 && strcmp(buf, cases[i].path) == 0, "%s: %d '%s'", cases[i].link, r, buf);
                /* What list prints, a 'path' entry takes back as it is. */
                CHECK(pci_path_parse(buf, canon, sizeof(canon), &why) == 0 && strcmp(canon, buf) == 0,
                      "%s: not taken back", buf);
        }
        assert_int_equal(pci_path_from_sysfs(cases[0].link, tiny, sizeof(tiny)), -ENAMETOOLONG);
        assert_int_equal(pci_path_parse("PCI0000:00/1C.4/00.0", canon, sizeof(canon), &why), 0);
        assert_string_equal(canon, "pci0000:00/1c.4/00.0");
        assert_int_equal(pci_path_parse("pci0000:00/1c.4/", canon, sizeof(canon), &why), -EINVAL);
        assert_int_equal(pci_path_parse("pci0000:00/1c.4/00.0/pci0001:00", canon, sizeof(canon), &why), -EINVAL);
        assert_int_equal(pci_path_parse("pci000:00/1c.4", canon, sizeof(canon), &why), -EINVAL);
        assert_int_equal(pci_path_parse("pci0000:00//1c.4", canon, sizeof(canon), &why), -EINVAL);
}

static void test_slot_address(void **state)
{
        struct pci_address a, dev = { 0, 3, 0, 2 };
        bool has_slot;

        assert_int_equal(pci_slot_address_parse("0000:03:00\n", &a, &has_slot), 0);
        assert_true(has_slot && pci_address_match(&a, &dev));
        assert_int_equal(pci_slot_address_parse("10000:e1", &a, &has_slot), 0);
        assert_true(!has_slot && a.domain == 0x10000 && a.bus == 0xe1);
        assert_int_equal(pci_slot_address_parse("0000:03:20", &a, &has_slot), -EINVAL);
        assert_int_equal(pci_slot_address_parse("0000:03:00.0", &a, &has_slot), -EINVAL);
        assert_int_equal(pci_slot_address_parse("03:00", &a, &has_slot), -EINVAL);
}

static void test_serial(void **state)
{
        uint8_t config[4096] = { 0 };
        char text[PCI_SERIAL_MAX];
        uint64_t serial = 0;
        const char *why;

        /* No extended capabilities, or only the 256 bytes a user who is not root reads. */
        assert_int_equal(pci_config_serial(config, sizeof(config), &serial), -ENOENT);
        /* AER (1) at 0x100, next 0x140: DSN (3), version 1, end of list */
        config[0x100] = 0x01, config[0x102] = 0x01, config[0x103] = 0x14;
        config[0x140] = 0x03, config[0x142] = 0x01;
        memcpy(config + 0x144, (const uint8_t[]){ 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00 }, 8);
        assert_int_equal(pci_config_serial(config, 256, &serial), -ENOENT);
        assert_int_equal(pci_config_serial(config, 0x148, &serial), -ENOENT);
        assert_int_equal(pci_config_serial(config, sizeof(config), &serial), 0);
        assert_true(serial == 0x0011223344556677ULL);
        pci_serial_format(serial, text);
        assert_string_equal(text, "00-11-22-33-44-55-66-77");
        serial = 0;
        assert_int_equal(pci_serial_parse("00-11-22-33-44-55-66-77", &serial, &why), 0);
        assert_true(serial == 0x0011223344556677ULL);
        /* a list that points back at itself ends */
        config[0x142] = 0x01, config[0x140] = 0x02, config[0x143] = 0x14;
        assert_int_equal(pci_config_serial(config, sizeof(config), &serial), -ENOENT);
        assert_int_equal(pci_serial_parse("0011223344556677", &serial, &why), -EINVAL);
        assert_int_equal(pci_serial_parse("00-11-22-33-44-55-66-77-88", &serial, &why), -EINVAL);
        assert_int_equal(pci_serial_parse("00-11-22-33-44-55-66-7", &serial, &why), -EINVAL);
        assert_int_equal(pci_serial_parse("00:11:22:33:44:55:66:77", &serial, &why), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_address_parse),    cmocka_unit_test(test_address_round_trip),
                cmocka_unit_test(test_address_max_length), cmocka_unit_test(test_address_match),
                cmocka_unit_test(test_address_compare),  cmocka_unit_test(test_id_parse),
                cmocka_unit_test(test_class_parse),      cmocka_unit_test(test_modalias_parse),
                cmocka_unit_test(test_parse_hex_attr),   cmocka_unit_test(test_header_type),
                cmocka_unit_test(test_path),             cmocka_unit_test(test_slot_address),
                cmocka_unit_test(test_serial),           cmocka_unit_test(test_word_listed),
                cmocka_unit_test(test_word_next),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
