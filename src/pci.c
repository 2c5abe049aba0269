/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "pci.h"

/*
 * Reads min to max hex digits. Returns chars consumed or -1. A variable-width field must not be
 * followed by another hex digit (it would be cut short); a fixed-width one (min == max) may be,
 * as in a modalias ("...d00002204sv...bc03..."), and its caller checks what follows.
 */
static int hex_field(const char *s, unsigned min, unsigned max, uint32_t *ret)
{
        uint32_t v = 0;
        unsigned i;

        for (i = 0; i < max && isxdigit((unsigned char)s[i]); i++) {
                char c = (char)tolower((unsigned char)s[i]);
                v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        if (i < min || (min < max && isxdigit((unsigned char)s[i])))
                return -1;
        *ret = v;
        return (int)i;
}

int pci_address_parse(const char *s, bool allow_any, struct pci_address *ret, const char **why)
{
        uint32_t first, bus, slot, domain = 0;
        const char *p = s;
        int n;

        *why = "expected [DOMAIN:]BUS:SLOT.FUNCTION such as 0000:01:00.0";
        n = hex_field(p, 2, 8, &first);
        if (n < 0 || p[n] != ':')
                return -EINVAL;
        p += n + 1;
        n = hex_field(p, 2, 2, &bus);
        if (n >= 0 && p[n] == ':') {
                /* Three fields: the first was the domain, which the kernel prints with 4+ digits. */
                if (strlen(s) - strlen(p) - 1 < 4) {
                        *why = "the PCI domain has at least 4 hex digits (0000:01:00.0)";
                        return -EINVAL;
                }
                domain = first;
                p += n + 1;
                n = hex_field(p, 2, 2, &slot);
        } else {
                if (first > 0xff || (p - s) != 3)
                        return -EINVAL;
                bus = first;
                n = hex_field(p, 2, 2, &slot);
        }
        if (n < 0 || p[n] != '.')
                return -EINVAL;
        p += n + 1;
        if (slot > 0x1f) {
                *why = "the PCI slot (device) number is at most 1f";
                return -EINVAL;
        }
        if (allow_any && streq(p, "*"))
                ret->function = PCI_FUNCTION_ANY;
        else if (p[0] >= '0' && p[0] <= '7' && p[1] == '\0')
                ret->function = (uint8_t)(p[0] - '0');
        else {
                *why = allow_any ? "the PCI function is 0 to 7, or * for every function"
                                 : "the PCI function is 0 to 7";
                return -EINVAL;
        }
        ret->domain = domain;
        ret->bus = (uint8_t)bus;
        ret->slot = (uint8_t)slot;
        *why = NULL;
        return 0;
}

void pci_address_format(const struct pci_address *a, char buf[static PCI_ADDRESS_MAX])
{
        if (a->function == PCI_FUNCTION_ANY)
                snprintf(buf, PCI_ADDRESS_MAX, "%04x:%02x:%02x.*", a->domain, a->bus, a->slot);
        else
                snprintf(buf, PCI_ADDRESS_MAX, "%04x:%02x:%02x.%u", a->domain, a->bus, a->slot,
                         a->function);
}

bool pci_address_match(const struct pci_address *selector, const struct pci_address *a)
{
        return selector->domain == a->domain && selector->bus == a->bus &&
               selector->slot == a->slot &&
               (selector->function == PCI_FUNCTION_ANY || selector->function == a->function);
}

int pci_address_compare(const struct pci_address *a, const struct pci_address *b)
{
        uint64_t x = ((uint64_t)a->domain << 24) | ((uint32_t)a->bus << 16) |
                     ((uint32_t)a->slot << 8) | a->function;
        uint64_t y = ((uint64_t)b->domain << 24) | ((uint32_t)b->bus << 16) |
                     ((uint32_t)b->slot << 8) | b->function;

        return (x > y) - (x < y);
}

int pci_id_parse(const char *s, struct pci_id *ret, const char **why)
{
        uint32_t vendor, device;
        int n;

        *why = "expected VENDOR:DEVICE, four hex digits each, such as 10de:2204";
        n = hex_field(s, 4, 4, &vendor);
        if (n < 0 || s[n] != ':')
                return -EINVAL;
        s += n + 1;
        n = hex_field(s, 4, 4, &device);
        if (n < 0 || s[n] != '\0')
                return -EINVAL;
        ret->vendor = (uint16_t)vendor;
        ret->device = (uint16_t)device;
        *why = NULL;
        return 0;
}

int pci_class_parse(const char *s, uint32_t *ret, unsigned *digits, const char **why)
{
        int n;

        *why = "expected a class as 4 hex digits (class and subclass, 0300) or 6 (with "
               "programming interface, 010802)";
        n = hex_field(s, 4, 6, ret);
        if (n < 0 || s[n] != '\0' || (n != 4 && n != 6))
                return -EINVAL;
        *digits = (unsigned)n;
        *why = NULL;
        return 0;
}

/* Matches a literal prefix, then exactly n upper- or lower-case hex digits. */
static int modalias_field(const char **p, const char *prefix, unsigned n, uint32_t *ret)
{
        size_t l = strlen(prefix);
        int r;

        if (strncmp(*p, prefix, l) != 0)
                return -EINVAL;
        r = hex_field(*p + l, n, n, ret);
        if (r < 0)
                return -EINVAL;
        *p += l + (size_t)r;
        return 0;
}

int pci_modalias_parse(const char *s, struct pci_modalias *ret)
{
        uint32_t bc, sc, i;
        const char *p = s;

        if (modalias_field(&p, "pci:v", 8, &ret->vendor) < 0 ||
            modalias_field(&p, "d", 8, &ret->device) < 0 ||
            modalias_field(&p, "sv", 8, &ret->subvendor) < 0 ||
            modalias_field(&p, "sd", 8, &ret->subdevice) < 0 ||
            modalias_field(&p, "bc", 2, &bc) < 0 || modalias_field(&p, "sc", 2, &sc) < 0 ||
            modalias_field(&p, "i", 2, &i) < 0 || *p != '\0')
                return -EINVAL;
        ret->base_class = (uint8_t)bc;
        ret->sub_class = (uint8_t)sc;
        ret->prog_if = (uint8_t)i;
        return 0;
}

int parse_hex_attr(const char *s, unsigned max_digits, uint32_t *ret)
{
        int n;

        if (strncmp(s, "0x", 2) != 0)
                return -EINVAL;
        n = hex_field(s + 2, 1, max_digits, ret);
        if (n < 0 || (s[2 + n] != '\0' && !(s[2 + n] == '\n' && s[3 + n] == '\0')))
                return -EINVAL;
        return 0;
}

int pci_config_header_type(const uint8_t *config, size_t size)
{
        if (size <= PCI_HEADER_TYPE_OFFSET)
                return -EINVAL;
        return config[PCI_HEADER_TYPE_OFFSET] & 0x7f;
}

int pci_class_header_type(uint32_t class_code)
{
        switch (class_code >> 8) {
        case 0x0604: /* PCI-to-PCI bridge */
        case 0x0609: /* semi-transparent PCI-to-PCI bridge */
                return 1;
        case 0x0607: /* CardBus bridge */
                return 2;
        default:
                return PCI_HEADER_TYPE_NORMAL;
        }
}

const char *pci_header_type_name(int type)
{
        switch (type) {
        case 0:
                return "a normal device";
        case 1:
                return "a PCI-to-PCI bridge";
        case 2:
                return "a CardBus bridge";
        default:
                return "of an unknown kind";
        }
}

/* "pciDDDD:BB" (a root bus): its length, else 0. */
static size_t root_bus_element(const char *s)
{
        uint32_t v;
        int n;

        if (strncmp(s, "pci", 3) != 0)
                return 0;
        n = hex_field(s + 3, 4, 8, &v);
        if (n < 0 || s[3 + n] != ':' || hex_field(s + 4 + n, 2, 2, &v) != 2)
                return 0;
        return (size_t)n + 6;
}

static int path_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
        _printf_(4, 5);
static int path_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf + *len, size - *len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= size - *len)
                return -ENAMETOOLONG;
        *len += (size_t)n;
        return 0;
}

int pci_path_from_sysfs(const char *link, char *buf, size_t size)
{
        const char *p = link;
        size_t len = 0;
        bool rooted = false, device = false;
        int r;

        if (size == 0)
                return -ENAMETOOLONG;
        buf[0] = '\0';
        while (*p) {
                size_t n = strcspn(p, "/"), root = root_bus_element(p);
                char element[64];
                struct pci_address a;
                const char *why;

                if (root == n) {
                        r = path_append(buf, size, &len, "%s%.*s", rooted ? "/" : "", (int)n, p);
                        rooted = true;
                        device = false;
                } else if (rooted) {
                        /* Below a root, each directory is a device named by its address. */
                        if (n >= sizeof(element))
                                return -EINVAL;
                        memcpy(element, p, n);
                        element[n] = '\0';
                        if (pci_address_parse(element, false, &a, &why) < 0)
                                return -EINVAL;
                        r = path_append(buf, size, &len, "/%02x.%u", a.slot, a.function);
                        device = true;
                } else
                        r = 0; /* what holds the root: /sys/devices, a platform controller */
                if (r < 0)
                        return r;
                p += n + (p[n] == '/');
        }
        return device ? 0 : -EINVAL;
}

int pci_path_parse(const char *s, char *buf, size_t size, const char **why)
{
        size_t len = strlen(s), i = 0;
        bool device = false;

        *why = "expected the root bus, then DEVICE.FUNCTION for each bridge and the device, as "
               "'list' prints it, such as pci0000:00/1c.4/00.0";
        if (len >= size || len >= PCI_PATH_MAX)
                return -EINVAL;
        for (i = 0; i <= len; i++)
                buf[i] = (char)tolower((unsigned char)s[i]);
        i = root_bus_element(buf);
        if (!i)
                return -EINVAL;
        while (buf[i] == '/') {
                size_t root = root_bus_element(buf + i + 1);
                uint32_t slot;

                i++;
                if (root) {
                        i += root;
                        device = false;
                        continue;
                }
                if (hex_field(buf + i, 2, 2, &slot) != 2 || buf[i + 2] != '.' ||
                    buf[i + 3] < '0' || buf[i + 3] > '7')
                        return -EINVAL;
                if (slot > 0x1f) {
                        *why = "a device number is at most 1f";
                        return -EINVAL;
                }
                i += 4;
                device = true;
        }
        if (buf[i] != '\0' || !device)
                return -EINVAL;
        *why = NULL;
        return 0;
}

int pci_slot_address_parse(const char *s, struct pci_address *a, bool *has_slot)
{
        uint32_t domain, bus, slot = 0;
        int n = hex_field(s, 4, 8, &domain);

        if (n < 0 || s[n] != ':')
                return -EINVAL;
        s += n + 1;
        if (hex_field(s, 2, 2, &bus) != 2)
                return -EINVAL;
        s += 2;
        *has_slot = *s == ':';
        if (*has_slot) {
                if (hex_field(s + 1, 2, 2, &slot) != 2 || slot > 0x1f)
                        return -EINVAL;
                s += 3;
        }
        if (*s != '\0' && !(s[0] == '\n' && s[1] == '\0'))
                return -EINVAL;
        *a = (struct pci_address){ .domain = domain, .bus = (uint8_t)bus, .slot = (uint8_t)slot,
                                   .function = PCI_FUNCTION_ANY };
        return 0;
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pci_config_find_serial(pci_config_read_fn read_config, void *userdata, uint64_t *ret)
{
        size_t off = PCI_EXT_CAP_START;

        /* Each capability is at least 4 bytes long: a list longer than that loops. */
        for (unsigned hops = 0; hops < (4096 - PCI_EXT_CAP_START) / 4; hops++) {
                uint8_t cap[12];
                uint32_t header;

                if (off < PCI_EXT_CAP_START || read_config(userdata, off, cap, 4) < 0)
                        return -ENOENT;
                header = le32(cap);
                /* An empty list reads as 0 (and all ones where config space cannot be read). */
                if (header == 0 || header == 0xffffffff)
                        return -ENOENT;
                if ((header & 0xffff) == PCI_EXT_CAP_ID_DSN) {
                        if (read_config(userdata, off + 4, cap + 4, 8) < 0)
                                return -ENOENT;
                        *ret = (uint64_t)le32(cap + 8) << 32 | le32(cap + 4);
                        return 0;
                }
                off = (header >> 20) & 0xffc;
                if (off == 0)
                        return -ENOENT;
        }
        return -ENOENT;
}

struct config_buffer {
        const uint8_t *data;
        size_t size;
};

static int read_buffer(void *userdata, size_t offset, uint8_t *buf, size_t n)
{
        const struct config_buffer *b = userdata;

        if (offset > b->size || n > b->size - offset)
                return -ENOENT;
        memcpy(buf, b->data + offset, n);
        return 0;
}

int pci_config_serial(const uint8_t *config, size_t size, uint64_t *ret)
{
        struct config_buffer b = { config, size };

        return pci_config_find_serial(read_buffer, &b, ret);
}

int pci_serial_parse(const char *s, uint64_t *ret, const char **why)
{
        uint64_t v = 0;

        *why = "expected the Device Serial Number as lspci -vv prints it: eight two-digit hex "
               "bytes joined by '-', such as 00-11-22-33-44-55-66-77";
        for (int i = 0; i < 8; i++) {
                uint32_t byte;

                if (hex_field(s, 2, 2, &byte) != 2 || s[2] != (i == 7 ? '\0' : '-'))
                        return -EINVAL;
                v = v << 8 | byte;
                s += 3;
        }
        *ret = v;
        *why = NULL;
        return 0;
}

void pci_serial_format(uint64_t serial, char buf[static PCI_SERIAL_MAX])
{
        size_t len = 0;

        for (int shift = 56; shift >= 0; shift -= 8)
                len += (size_t)snprintf(buf + len, PCI_SERIAL_MAX - len, "%s%02x",
                                        shift == 56 ? "" : "-",
                                        (unsigned)(serial >> shift) & 0xff);
}

size_t word_next(const char **p, char *buf, size_t size)
{
        size_t n;

        assert(p && *p);
        assert(buf && size > 0);

        *p += strspn(*p, " ");
        n = strcspn(*p, " ");
        snprintf(buf, size, "%.*s", (int)n, *p);
        *p += n;
        return n;
}

bool word_listed(const char *list, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = list; n && *p; p += strspn(p, " \n")) {
                size_t len = strcspn(p, " \n");

                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p += len;
        }
        return false;
}
