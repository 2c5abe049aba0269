/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "dddd:bb:ss.f": the kernel prints up to 8 hex digits of domain (VMD uses 10000+). */
#define PCI_ADDRESS_MAX sizeof("ffffffff:ff:1f.7")
#define PCI_FUNCTION_ANY 0xff

struct pci_address {
        uint32_t domain;
        uint8_t bus;
        uint8_t slot;
        uint8_t function; /* 0-7, or PCI_FUNCTION_ANY in a selector */
};

struct pci_id {
        uint16_t vendor;
        uint16_t device;
};

/* Everything the kernel encodes in a PCI modalias. */
struct pci_modalias {
        uint32_t vendor, device, subvendor, subdevice;
        uint8_t base_class, sub_class, prog_if;
};

/*
 * Accepts "0000:01:00.0", "01:00.0" (domain 0), and, when allow_any, "…:01:00.*".
 * Returns 0 or -EINVAL; *why says what was wrong.
 */
int pci_address_parse(const char *s, bool allow_any, struct pci_address *ret, const char **why);
/* Canonical form, as the kernel names the device in sysfs. */
void pci_address_format(const struct pci_address *a, char buf[static PCI_ADDRESS_MAX]);
bool pci_address_match(const struct pci_address *selector, const struct pci_address *a);
int pci_address_compare(const struct pci_address *a, const struct pci_address *b);

/* "10de:2204": exactly four hex digits each. */
int pci_id_parse(const char *s, struct pci_id *ret, const char **why);

/* "0300" (class, subclass) or "030000" (with prog-if); *digits tells which. */
int pci_class_parse(const char *s, uint32_t *ret, unsigned *digits, const char **why);

/* Strict parse of "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X". */
int pci_modalias_parse(const char *s, struct pci_modalias *ret);

/*
 * The header type from the first bytes of config space (offset 0x0e), without the
 * multi-function bit, as the kernel keeps it (pci_setup_device): 0 normal, 1 PCI-to-PCI
 * bridge, 2 CardBus bridge. -EINVAL when size does not reach it.
 */
#define PCI_HEADER_TYPE_OFFSET 0x0e
#define PCI_HEADER_TYPE_NORMAL 0
int pci_config_header_type(const uint8_t *config, size_t size);
/* What a class has when config space cannot be read: 1 for PCI-to-PCI bridges, 2 CardBus. */
int pci_class_header_type(uint32_t class_code);
const char *pci_header_type_name(int type);

/* sysfs numeric attributes such as "0x10de\n". */
int parse_hex_attr(const char *s, unsigned max_digits, uint32_t *ret);

/* Whether word is one of the space-separated words of list (a device's reset_method). */
bool word_listed(const char *list, const char *word);
