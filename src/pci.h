/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
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

/* sysfs numeric attributes such as "0x10de\n". */
int parse_hex_attr(const char *s, unsigned max_digits, uint32_t *ret);
