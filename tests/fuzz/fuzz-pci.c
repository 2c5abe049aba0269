/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PCI string parsers on arbitrary text (up to the first NUL, in a buffer of exactly that
 * size so that ASan sees any read past the terminator). Each accepted input must come back
 * from the canonical formatter in the same form (case aside) and parse to the same value:
 * the parsers accept exactly the grammar pci.h documents, nothing looser.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "bus.h"
#include "fuzz.h"
#include "pci.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        return 0;
}

static bool all_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
                        return false;
        return true;
}

static void check_address(const char *s, bool allow_any)
{
        struct pci_address a, b; /* compared field by field: memcmp would read padding */
        char buf[PCI_ADDRESS_MAX];
        const char *why = (const char *)1, *why2;
        size_t n = strlen(s);
        int r;

        r = pci_address_parse(s, allow_any, &a, &why);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        if (r < 0) {
                FUZZ_CHECK(why && *why);
                return;
        }
        FUZZ_CHECK(why == NULL);
        FUZZ_CHECK(n < PCI_ADDRESS_MAX);
        FUZZ_CHECK(a.slot <= 0x1f);
        FUZZ_CHECK(a.function <= 7 || (allow_any && a.function == PCI_FUNCTION_ANY));
        /* [DOMAIN:]BB:SS.F: the tail is fixed, the domain is 4 to 8 hex digits or absent. */
        FUZZ_CHECK(n == 7 || (n >= 12 && n <= 16));
        FUZZ_CHECK(s[n - 2] == '.' && s[n - 5] == ':' && all_hex(s + n - 4, 2));
        if (n == 7)
                FUZZ_CHECK(all_hex(s, 2));
        else
                FUZZ_CHECK(s[n - 8] == ':' && all_hex(s, n - 8) && all_hex(s + n - 7, 2));
        pci_address_format(&a, buf);
        FUZZ_CHECK(strlen(buf) >= 12);
        /* The canonical form names the same device, and is a fixed point. */
        FUZZ_CHECK(pci_address_parse(buf, allow_any, &b, &why2) == 0);
        FUZZ_CHECK(pci_address_compare(&a, &b) == 0);
        if (n == 12 || n == 7)
                FUZZ_CHECK(strcasecmp(buf + 12 - n, s) == 0);
        if (a.function != PCI_FUNCTION_ANY)
                FUZZ_CHECK(pci_address_match(&a, &b));
        /* What the strict parse takes, the selector parse takes the same way. */
        if (!allow_any) {
                FUZZ_CHECK(pci_address_parse(s, true, &b, &why2) == 0);
                FUZZ_CHECK(pci_address_compare(&a, &b) == 0);
        }
}

static void check_id(const char *s)
{
        struct pci_id id;
        char buf[16];
        const char *why;

        if (pci_id_parse(s, &id, &why) < 0) {
                FUZZ_CHECK(why && *why);
                return;
        }
        FUZZ_CHECK(why == NULL);
        snprintf(buf, sizeof(buf), "%04x:%04x", id.vendor, id.device);
        FUZZ_CHECK(strcasecmp(buf, s) == 0);
}

static void check_class(const char *s)
{
        uint32_t cls;
        unsigned digits;
        char buf[16];
        const char *why;

        if (pci_class_parse(s, &cls, &digits, &why) < 0) {
                FUZZ_CHECK(why && *why);
                return;
        }
        FUZZ_CHECK(why == NULL);
        FUZZ_CHECK(digits == 4 || digits == 6);
        snprintf(buf, sizeof(buf), "%0*x", (int)digits, cls);
        FUZZ_CHECK(strcasecmp(buf, s) == 0);
}

static void check_modalias(const char *s)
{
        struct pci_modalias m;
        char buf[128];

        if (pci_modalias_parse(s, &m) < 0)
                return;
        snprintf(buf, sizeof(buf), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", m.vendor,
                 m.device, m.subvendor, m.subdevice, m.base_class, m.sub_class, m.prog_if);
        FUZZ_CHECK(strcasecmp(buf, s) == 0);
        /* The field letters are case-sensitive: only the hex digits may differ in case. */
        FUZZ_CHECK(strncmp(s, "pci:v", 5) == 0);
}

static void check_hex_attr(const char *s, unsigned digits)
{
        uint32_t v;
        size_t n = strlen(s);

        if (parse_hex_attr(s, digits, &v) < 0)
                return;
        FUZZ_CHECK(n >= 3 && strncmp(s, "0x", 2) == 0);
        if (s[n - 1] == '\n')
                n--;
        FUZZ_CHECK(n - 2 >= 1 && n - 2 <= digits && all_hex(s + 2, n - 2));
        FUZZ_CHECK(strtoul(s, NULL, 16) == v);
}

/*
 * A command-line device reference: a PCI address, or a name that some other bus accepts as
 * is. Never a path: no '/', no "." or "..", and short enough for every buffer it lands in.
 */
static void check_device_ref(const char *s, bool allow_any)
{
        struct device_ref r;
        struct pci_address a;
        const char *why = NULL, *why2;
        char missing[160];

        if (device_ref_parse(s, allow_any, &r, &why) < 0) {
                FUZZ_CHECK(why && *why);
                return;
        }
        device_ref_describe_missing(&r, missing, sizeof(missing));
        FUZZ_CHECK(strlen(missing) < sizeof(missing) && strstr(missing, "no "));
        if (r.is_pci) {
                FUZZ_CHECK(r.bus_mask == 1u << BUS_PCI);
                FUZZ_CHECK(pci_address_parse(s, allow_any, &a, &why2) == 0);
                FUZZ_CHECK(pci_address_compare(&a, &r.address) == 0);
                return;
        }
        FUZZ_CHECK(r.bus_mask && !(r.bus_mask & (1u << BUS_PCI)));
        FUZZ_CHECK(strcmp(r.name, s) == 0 && strlen(s) < BUS_DEVICE_NAME_MAX);
        FUZZ_CHECK(!strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
        for (enum bus b = BUS_PCI + 1; b < _BUS_MAX; b++)
                if (r.bus_mask & (1u << b))
                        FUZZ_CHECK(bus_get(b)->name_valid(s, &why2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t n = strnlen((const char *)data, size);
        char *s = malloc(n + 1);

        if (!s)
                return 0;
        memcpy(s, data, n);
        s[n] = '\0';
        check_address(s, false);
        check_address(s, true);
        check_id(s);
        check_class(s);
        check_modalias(s);
        check_hex_attr(s, 4);
        check_hex_attr(s, 6);
        check_hex_attr(s, 8);
        check_device_ref(s, false);
        check_device_ref(s, true);
        free(s);
        return 0;
}
