// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The buses of buscore: what differs between platform, fsl-mc and cdx.
 *   platform (platform_match): a set override matches exactly that driver; else a driver
 *     whose table lists one of the device's OF compatible strings.
 *   fsl-mc (fsl_mc_bus_match): the same with the object type (dprc, dpni, ...).  A container
 *     (dprc) bound to a driver scans its objects (dprc_scan_container: each is added, and
 *     when the driver is vfio-fsl-mc its bus notifier sets the object's driver_override to
 *     it, then it is probed); unbound, it removes them (dprc_remove_devices).  vfio-fsl-mc
 *     refuses (ENODEV) an object whose container is not bound to it (vfio_fsl_mc_reflck_attach).
 *   cdx (cdx_bus_match): a set override that names another driver: no match; else an id
 *     table entry matching vendor, device, subsystem ids and class; override-only entries
 *     (CDX_ID_F_VFIO_DRIVER_OVERRIDE) match only when driver_override is set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedfs.h"
#include "buscore.h"

static bool same_key(const char *key, const char *entry, bool overridden)
{
	(void)overridden;
	return !strcmp(key, entry);
}

const struct tb_bus tb_bus_platform = {
	.name = "platform",
	.bound_uevent = "OF_NAME=x\n",
	.entry_matches = same_key,
};

/* ---- fsl-mc ---- */

static bool is_container(const char *name)
{
	return !strncmp(name, "dprc.", 5);
}

static int fslmc_probe(const char *name, const char *drv)
{
	char desc[4096], parent[TB_NAME_MAX], cur[TB_NAME_MAX];

	if (!strstr(drv, "vfio") || is_container(name))
		return 0;
	if (tb_bus_desc_read(&tb_bus_fslmc, name, desc, sizeof(desc)) < 0 ||
	    tb_bus_desc_get(desc, "parent", parent, sizeof(parent)) < 0 ||
	    tb_bus_driver_of(&tb_bus_fslmc, parent, cur, sizeof(cur)) < 0 || strcmp(cur, drv))
		return -ENODEV;
	return 0;
}

/* the container's objects, in description order: "child NAME" lines */
static int children(const char *name, char *buf, size_t size)
{
	char desc[4096], *s, *save = NULL;
	size_t n = 0;
	int r;

	buf[0] = '\0';
	if ((r = tb_bus_desc_read(&tb_bus_fslmc, name, desc, sizeof(desc))) < 0)
		return r;
	for (s = strtok_r(desc, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		int k;

		if (strncmp(s, "child ", 6))
			continue;
		k = snprintf(buf + n, size - n, "%s\n", s + 6);
		if (k < 0 || (size_t)k >= size - n)
			return -E2BIG;
		n += (size_t)k;
	}
	return 0;
}

static void dprc_scan(const char *name, const char *drv)
{
	char list[4096], p[TB_PATH_MAX], *s, *save = NULL;

	if (!is_container(name) || children(name, list, sizeof(list)) < 0)
		return;
	for (s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		if (tb_bus_dev_path(&tb_bus_fslmc, s, p, sizeof(p)) == 0 ||
		    tb_bus_dev_add(&tb_bus_fslmc, s) < 0)
			continue; /* present already */
		tb_log("add %s", s);
		if (strstr(drv, "vfio"))
			(void)tb_bus_set_override(&tb_bus_fslmc, s, drv);
		tb_bus_probe_device(&tb_bus_fslmc, s);
	}
}

static void dprc_remove_devices(const char *name, const char *drv)
{
	char list[4096], *s, *save = NULL;

	(void)drv;
	if (!is_container(name) || children(name, list, sizeof(list)) < 0)
		return;
	for (s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		(void)tb_bus_dev_remove(&tb_bus_fslmc, s);
}

const struct tb_bus tb_bus_fslmc = {
	.name = "fsl-mc",
	.entry_matches = same_key,
	.probe = fslmc_probe,
	.bound = dprc_scan,
	.unbound = dprc_remove_devices,
};

/* ---- cdx ---- */

/* key "VVVV DDDD SVVV SDDD CLASS"; entry as pcidev.h ids, ffff or ffffffff = CDX_ANY_ID */
static bool cdx_entry_matches(const char *key, const char *entry, bool overridden)
{
	unsigned int k[5], e[6];
	int only, i;

	if (sscanf(key, "%x %x %x %x %x", &k[0], &k[1], &k[2], &k[3], &k[4]) != 5 ||
	    sscanf(entry, "%x %x %x %x %x %x %d", &e[0], &e[1], &e[2], &e[3], &e[4], &e[5],
		   &only) != 7)
		return false;
	for (i = 0; i < 4; i++)
		if (e[i] != 0xffff && e[i] != TB_ANY_ID && e[i] != k[i])
			return false;
	if ((e[4] ^ k[4]) & e[5])
		return false;
	return !only || overridden;
}

const struct tb_bus tb_bus_cdx = {
	.name = "cdx",
	.override_needs_entry = true,
	.entry_matches = cdx_entry_matches,
};
