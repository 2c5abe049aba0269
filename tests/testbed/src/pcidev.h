/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcidev: the state of one PCI device and driver in the bed, and the sysfs
 * changes that go with binding, unbinding, registering a driver and removing
 * a device.  Shared by mkhost (initial state) and the preload (side effects).
 *
 * Model metadata lives outside /sys, under $ROOT/testbed/:
 *   drivers/DRV/ids       static id table, one "%08x %08x %08x %08x %06x %06x F" a line
 *                         (vendor device subvendor subdevice class class_mask
 *                          override-only), ffffffff = PCI_ANY_ID
 *   drivers/DRV/dynids    ids added through new_id, same format
 *   drivers/DRV/flags     words: needs-iommu
 *   driver-order          registered drivers in registration order
 *   devices/ADDR/hostdriver  driver whose binding creates the device's children
 *   devices/ADDR/children    "net IF up|down", "block NAME [PART...]", "fb N"
 */
#pragma once

#include <stdbool.h>

#include "bedfs.h"

#define TB_ANY_ID 0xffffffffu
#define TB_NAME_MAX 256

struct tb_pdev {
	char addr[64];
	char vpath[TB_PATH_MAX]; /* canonical: /sys/devices/... */
	unsigned int vendor, device, subvendor, subdevice, class;
	bool has_override;
	char override[TB_NAME_MAX]; /* valid when has_override */
	bool override_too_long;     /* longer than any driver name: never matches */
	char driver[TB_NAME_MAX];   /* "" when unbound */
	bool has_group;
	bool is_virtfn;
	char physfn[64];            /* PF address of a VF */
};

bool tb_valid_name(const char *s);
/*
 * VPATH/config: 256 bytes of config space with the ids, revision and class of d, the header
 * type of its class (tb_pdev_class_header), memory and bus master enabled when bound.
 */
int tb_pdev_write_config(const char *vpath, const struct tb_pdev *d, unsigned int rev, bool bound);
/* The header type a class gets by default: 1 for PCI-to-PCI bridges, 2 for CardBus, else 0. */
unsigned int tb_pdev_class_header(unsigned int class);
/* The device's header type as the kernel keeps it (config byte 0x0e & 0x7f; pci_setup_device). */
int tb_pdev_header_type(const char *addr, unsigned int class);
int tb_pdev_load(const char *addr, struct tb_pdev *d);
int tb_modalias(const struct tb_pdev *d, char *buf, size_t size);
int tb_pdev_write_uevent(const struct tb_pdev *d);

int tb_pdev_attach(struct tb_pdev *d, const char *drv);
int tb_pdev_detach(struct tb_pdev *d);
int tb_pdev_remove(struct tb_pdev *d);

int tb_children_create(const struct tb_pdev *d);
int tb_children_remove(const struct tb_pdev *d);

int tb_driver_register(const char *drv, const char *module, const char *ids, bool needs_iommu);
int tb_driver_unregister(const char *drv);
bool tb_driver_exists(const char *drv);
