/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buscore: the buses other than PCI (platform, fsl-mc, cdx) in the bed, after
 * drivers/base/{bus,dd}.c.  One core does driver_override, drivers/DRV/{bind,unbind},
 * drivers_probe, driver registration (with drivers_autoprobe), adding and removing
 * devices; a small ops table per bus says how a driver matches a device and what
 * happens on probe, bind and unbind.
 *
 * Model metadata, under $ROOT/testbed/:
 *   BUS/NAME           a device's description, kept while the device is absent (so that
 *                      re-adding it is faithful), one "KEY VALUE" a line:
 *                        path VPATH       its directory below /sys/devices
 *                        modalias TEXT
 *                        key K            what the bus matches on (compatible, object type,
 *                                         "VVVV DDDD SVVV SDDD CLASS"), any number
 *                        group N          IOMMU group
 *                        attr NAME VALUE  a read-only attribute (cdx vendor, ...)
 *                        parent P, child C  fsl-mc containers
 *   BUS-devices        the present devices in the order they were added (klist order)
 *   drivers/DRV/table  the driver's match table, one entry a line; flags "[needs-iommu] BUS"
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pcidev.h"

struct tb_bus {
	const char *name; /* /sys/bus/NAME */
	/* drivers/base/platform.c adds OF_NAME for a bound OF device */
	const char *bound_uevent;
	/* cdx_bus_match: an override naming the driver still needs a table entry */
	bool override_needs_entry;
	/* does table entry ENTRY match the device's key KEY? */
	bool (*entry_matches)(const char *key, const char *entry, bool overridden);
	/* the driver's probe refuses the device: a negative errno, else 0 (may be NULL) */
	int (*probe)(const char *name, const char *drv);
	/* the device was just bound to / unbound from drv (may be NULL) */
	void (*bound)(const char *name, const char *drv);
	void (*unbound)(const char *name, const char *drv);
};

extern const struct tb_bus tb_bus_platform, tb_bus_fslmc, tb_bus_cdx;
extern const struct tb_bus *const tb_buses[]; /* NULL-terminated */

const struct tb_bus *tb_bus_by_name(const char *name);
/* a description line's value: "group" of "path ...\ngroup 21\n" -> "21"; -ENOENT if none */
int tb_bus_desc_get(const char *desc, const char *key, char *buf, size_t size);
int tb_bus_desc_read(const struct tb_bus *bus, const char *name, char *buf, size_t size);
/* the device's directory (from its description); -ENODEV if it is not present */
int tb_bus_dev_path(const struct tb_bus *bus, const char *name, char *buf, size_t size);
/* driver of a present device ("" if unbound); < 0 if absent */
int tb_bus_driver_of(const struct tb_bus *bus, const char *name, char *drv, size_t size);
/* set or clear ("" ) driver_override as the kernel does (no log: the stores log) */
int tb_bus_set_override(const struct tb_bus *bus, const char *name, const char *val);

/* device_add() from the description in $ROOT/testbed/BUS/NAME; device_del() */
int tb_bus_dev_add(const struct tb_bus *bus, const char *name);
int tb_bus_dev_remove(const struct tb_bus *bus, const char *name);
/* bus_probe_device(): device_attach() when /sys/bus/BUS/drivers_autoprobe is 1 */
void tb_bus_probe_device(const struct tb_bus *bus, const char *name);
/* mkhost: bind without the bus's bound hook (the description gives the whole state) */
int tb_bus_attach_quiet(const struct tb_bus *bus, const char *name, const char *drv);

int tb_bus_driver_register(const struct tb_bus *bus, const char *drv, const char *module,
			   bool needs_iommu, const char *table);
int tb_bus_driver_unregister(const struct tb_bus *bus, const char *drv);
bool tb_bus_driver_exists(const struct tb_bus *bus, const char *drv);
/* mkhost: /sys/bus/BUS/{drivers_probe,drivers_autoprobe,uevent}, devices/, drivers/ */
int tb_bus_skeleton(const struct tb_bus *bus);

/* preload: 1 and *ret set when vpath is a store of a bus it models, else 0 */
int tb_bus_store(const char *vpath, const char *dir, const char *parent, const char *buf,
		 size_t len, int *ret);
