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

/*
 * Identities that survive bus renumbering ('slot', 'path', 'serial' selectors).
 *
 * Path: the root bus, then the device.function of each bridge down to the device and of the
 * device itself, "pci0000:00/1c.4/00.0": the topology without the bus numbers below the root,
 * which change when a card is added or firmware settings change. A nested root (VMD) keeps
 * its "pciDDDD:BB" element where it sits.
 */
#define PCI_PATH_MAX 128
/* A slot's directory name under /sys/bus/pci/slots: what firmware or the hotplug driver calls it. */
#define PCI_SLOT_NAME_MAX 64
/* From the target of the link /sys/bus/pci/devices/ADDR ("../../../devices/pci0000:00/...").
 * -EINVAL when it holds no PCI root bus, -ENAMETOOLONG. */
int pci_path_from_sysfs(const char *link, char *buf, size_t size);
/* A path as the configuration gives it (hex letters in either case): its canonical form
 * (lower case) in buf, or -EINVAL and *why. */
int pci_path_parse(const char *s, char *buf, size_t size, const char **why);

/* A slot's 'address' file: "0000:03:00", or "0000:03" for a slot without a device number (the
 * whole bus). *has_slot tells which; a->function is PCI_FUNCTION_ANY. */
int pci_slot_address_parse(const char *s, struct pci_address *a, bool *has_slot);

/*
 * PCIe Device Serial Number (extended capability 0x0003), as lspci prints it:
 * "00-11-22-33-44-55-66-77", the high byte first.
 */
#define PCI_SERIAL_MAX sizeof("00-11-22-33-44-55-66-77")
#define PCI_EXT_CAP_START 0x100
#define PCI_EXT_CAP_ID_DSN 0x0003
/* Walks the extended capability list of a config space dump: -ENOENT when there is none (a
 * conventional PCI device, or a dump of 256 bytes: not root) or no DSN. */
int pci_config_serial(const uint8_t *config, size_t size, uint64_t *ret);
/* The same, reading only the few bytes the walk needs (a device's config file: every read of it
 * is config cycles on the bus). read_config returns 0 once all n bytes are in buf. */
typedef int (*pci_config_read_fn)(void *userdata, size_t offset, uint8_t *buf, size_t n);
int pci_config_find_serial(pci_config_read_fn read_config, void *userdata, uint64_t *ret);
int pci_serial_parse(const char *s, uint64_t *ret, const char **why);
void pci_serial_format(uint64_t serial, char buf[static PCI_SERIAL_MAX]);
/* Whether word is one of the space-separated words of list (a device's reset_method). */
bool word_listed(const char *list, const char *word);
/*
 * The next space-separated word at *p, copied to buf (cut to fit size) and *p moved past it.
 * Returns its whole length: 0 at the end, size or more when buf holds only its start.
 */
size_t word_next(const char **p, char *buf, size_t size);
