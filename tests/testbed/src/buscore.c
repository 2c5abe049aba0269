// SPDX-License-Identifier: LGPL-2.1-or-later
/* buscore: driver core of the non-PCI buses (see buscore.h; the buses are in busops.c). */
#define _GNU_SOURCE
#include "buscore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedfs.h"
#include "faults.h"

const struct tb_bus *const tb_buses[] = { &tb_bus_platform, &tb_bus_fslmc, &tb_bus_cdx, NULL };

const struct tb_bus *tb_bus_by_name(const char *name)
{
	int i;

	for (i = 0; tb_buses[i]; i++)
		if (!strcmp(tb_buses[i]->name, name))
			return tb_buses[i];
	return NULL;
}

int tb_bus_desc_get(const char *desc, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), len;
	const char *s;

	for (s = desc; *s; s += strcspn(s, "\n"), s += *s == '\n') {
		if (strncmp(s, key, klen) || s[klen] != ' ')
			continue;
		len = strcspn(s + klen + 1, "\n");
		if (len >= size)
			return -ENAMETOOLONG;
		memcpy(buf, s + klen + 1, len);
		buf[len] = '\0';
		return 0;
	}
	return -ENOENT;
}

int tb_bus_desc_read(const struct tb_bus *bus, const char *name, char *buf, size_t size)
{
	char p[TB_PATH_MAX];
	ssize_t n;

	if (!tb_valid_name(name) || tb_vpathf(p, sizeof(p), "/testbed/%s/%s", bus->name, name) < 0)
		return -ENODEV;
	n = tb_read_file(p, buf, size);
	return n < 0 ? -ENODEV : 0;
}

int tb_bus_dev_path(const struct tb_bus *bus, const char *name, char *buf, size_t size)
{
	char desc[4096];

	if (tb_bus_desc_read(bus, name, desc, sizeof(desc)) < 0 ||
	    tb_bus_desc_get(desc, "path", buf, size) < 0 || !tb_is_dir(buf))
		return -ENODEV;
	return 0;
}

static int attr_path(const struct tb_bus *bus, const char *name, const char *attr, char *buf,
		     size_t size)
{
	char dir[TB_PATH_MAX];
	int r = tb_bus_dev_path(bus, name, dir, sizeof(dir));

	return r < 0 ? r : tb_vpathf(buf, size, "%s/%s", dir, attr);
}

static int link_in(const char *dir, const char *name, const char *target)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "%s/%s", dir, name);

	return r < 0 ? r : tb_symlink_rel(p, target);
}

bool tb_bus_driver_exists(const struct tb_bus *bus, const char *drv)
{
	char p[TB_PATH_MAX];

	return tb_valid_name(drv) &&
	       tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers/%s", bus->name, drv) == 0 && tb_is_dir(p);
}

int tb_bus_driver_of(const struct tb_bus *bus, const char *name, char *drv, size_t size)
{
	char p[TB_PATH_MAX];
	int r = attr_path(bus, name, "driver", p, sizeof(p));

	drv[0] = '\0';
	if (r < 0)
		return r;
	if (tb_readlink(p, drv, size) < 0) {
		drv[0] = '\0';
		return 0;
	}
	memmove(drv, tb_basename(drv), strlen(tb_basename(drv)) + 1);
	return 0;
}

static int write_uevent(const struct tb_bus *bus, const char *name, const char *drv)
{
	char p[TB_PATH_MAX], desc[4096], alias[600];
	int r;

	if ((r = tb_bus_desc_read(bus, name, desc, sizeof(desc))) < 0 ||
	    (r = tb_bus_desc_get(desc, "modalias", alias, sizeof(alias))) < 0 ||
	    (r = attr_path(bus, name, "uevent", p, sizeof(p))) < 0)
		return r;
	if (drv[0])
		return tb_writef(p, 0644, "DRIVER=%s\n%sMODALIAS=%s\n", drv,
				 bus->bound_uevent ? bus->bound_uevent : "", alias);
	return tb_writef(p, 0644, "MODALIAS=%s\n", alias);
}

static int attach(const struct tb_bus *bus, const char *name, const char *drv, bool hooks)
{
	char dir[TB_PATH_MAX], ddir[TB_PATH_MAX], p[TB_PATH_MAX];
	int r;

	if ((r = tb_bus_dev_path(bus, name, dir, sizeof(dir))) < 0 ||
	    (r = tb_vpathf(ddir, sizeof(ddir), "/sys/bus/%s/drivers/%s", bus->name, drv)) < 0 ||
	    (r = link_in(dir, "driver", ddir)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/%s", ddir, name)) < 0 ||
	    (r = tb_symlink_rel(p, dir)) < 0 || (r = write_uevent(bus, name, drv)) < 0)
		return r;
	tb_log("bind %s %s", name, drv);
	if (hooks && bus->bound)
		bus->bound(name, drv);
	return 0;
}

int tb_bus_attach_quiet(const struct tb_bus *bus, const char *name, const char *drv)
{
	return attach(bus, name, drv, false);
}

/* __device_release_driver(): the links go, then the driver's remove runs */
static int detach(const struct tb_bus *bus, const char *name, const char *drv)
{
	char p[TB_PATH_MAX];
	int r;

	if ((r = attr_path(bus, name, "driver", p, sizeof(p))) < 0 || (r = tb_unlink(p)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers/%s/%s", bus->name, drv, name)) < 0)
		return r;
	(void)tb_unlink(p);
	tb_log("unbind %s %s", name, drv);
	r = write_uevent(bus, name, "");
	if (bus->unbound)
		bus->unbound(name, drv);
	return r;
}

/* "(null)" or the name: what driver_override holds */
static bool get_override(const struct tb_bus *bus, const char *name, char *buf, size_t size)
{
	char p[TB_PATH_MAX];

	return attr_path(bus, name, "driver_override", p, sizeof(p)) == 0 &&
	       tb_read_line(p, buf, size) == 0 && strcmp(buf, "(null)") != 0;
}

int tb_bus_set_override(const struct tb_bus *bus, const char *name, const char *val)
{
	char p[TB_PATH_MAX];
	int r = attr_path(bus, name, "driver_override", p, sizeof(p));

	if (r < 0)
		return r;
	return val[0] ? tb_writef(p, 0644, "%s\n", val) : tb_write_file(p, "(null)\n", 0644);
}

static bool table_has(const struct tb_bus *bus, const char *table, const char *key,
		      bool overridden)
{
	char c[8192], *s, *save = NULL;

	snprintf(c, sizeof(c), "%s", table);
	for (s = strtok_r(c, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (bus->entry_matches(key, s, overridden))
			return true;
	return false;
}

/* bus->match(): a set override lets only that driver match */
static bool matches(const struct tb_bus *bus, const char *name, const char *drv)
{
	char ovr[TB_NAME_MAX], p[TB_PATH_MAX], desc[4096], table[8192], *s, *save = NULL;
	bool overridden = get_override(bus, name, ovr, sizeof(ovr));

	if (overridden && strcmp(ovr, drv))
		return false;
	if (overridden && !bus->override_needs_entry)
		return true;
	if (tb_bus_desc_read(bus, name, desc, sizeof(desc)) < 0 ||
	    tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/table", drv) < 0 ||
	    tb_read_file(p, table, sizeof(table)) < 0)
		return false;
	for (s = strtok_r(desc, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (!strncmp(s, "key ", 4) && table_has(bus, table, s + 4, overridden))
			return true;
	return false;
}

static int probe(const struct tb_bus *bus, const char *name, const char *drv)
{
	char p[TB_PATH_MAX], flags[64];
	int r = tb_fault_probe(name, drv);

	if (r == 0 && bus->probe)
		r = bus->probe(name, drv);
	if (r == 0 && tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/flags", drv) == 0 &&
	    tb_read_file(p, flags, sizeof(flags)) >= 0 && strstr(flags, "needs-iommu") &&
	    attr_path(bus, name, "iommu_group", p, sizeof(p)) == 0 && !tb_exists(p))
		r = -EINVAL;
	if (r < 0) {
		tb_log("probe-failed %s %s %s", name, drv, tb_errno_name(r));
		return r;
	}
	return attach(bus, name, drv, true);
}

/* device_attach(): the first registered driver of the bus that matches and probes */
static void device_attach(const struct tb_bus *bus, const char *name)
{
	char order[16384], cur[TB_NAME_MAX], *drv, *save = NULL;

	if (tb_bus_driver_of(bus, name, cur, sizeof(cur)) < 0 || cur[0])
		return;
	if (tb_read_file("/testbed/driver-order", order, sizeof(order)) < 0)
		return;
	for (drv = strtok_r(order, "\n", &save); drv; drv = strtok_r(NULL, "\n", &save))
		if (tb_bus_driver_exists(bus, drv) && matches(bus, name, drv) &&
		    probe(bus, name, drv) == 0)
			return;
}

static bool autoprobe(const struct tb_bus *bus)
{
	char p[TB_PATH_MAX], buf[16];

	return !(tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers_autoprobe", bus->name) == 0 &&
		 tb_read_line(p, buf, sizeof(buf)) == 0 && !strcmp(buf, "0"));
}

void tb_bus_probe_device(const struct tb_bus *bus, const char *name)
{
	if (autoprobe(bus))
		device_attach(bus, name);
}

/* the bus's present devices in the order they were added */
static int bus_devices(const struct tb_bus *bus, char *buf, size_t size)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "/testbed/%s-devices", bus->name);
	ssize_t n;

	if (r < 0)
		return r;
	n = tb_read_file(p, buf, size);
	return n < 0 ? (int)n : 0;
}

static void driver_attach(const struct tb_bus *bus, const char *drv)
{
	char list[16384], cur[TB_NAME_MAX], *s, *save = NULL;

	if (bus_devices(bus, list, sizeof(list)) < 0)
		return;
	for (s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (tb_bus_driver_of(bus, s, cur, sizeof(cur)) == 0 && !cur[0] &&
		    matches(bus, s, drv))
			(void)probe(bus, s, drv);
}

int tb_bus_dev_add(const struct tb_bus *bus, const char *name)
{
	char desc[4096], dir[TB_PATH_MAX], p[TB_PATH_MAX], v[600], *s, *save = NULL;
	int r;

	if ((r = tb_bus_desc_read(bus, name, desc, sizeof(desc))) < 0 ||
	    (r = tb_bus_desc_get(desc, "path", dir, sizeof(dir))) < 0 ||
	    (r = tb_bus_desc_get(desc, "modalias", v, sizeof(v))) < 0 ||
	    (r = tb_mkdir_p(dir)) < 0 || (r = tb_vpathf(p, sizeof(p), "%s/modalias", dir)) < 0 ||
	    (r = tb_writef(p, 0444, "%s\n", v)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/driver_override", dir)) < 0 ||
	    (r = tb_write_file(p, "(null)\n", 0644)) < 0 ||
	    (r = tb_vpathf(v, sizeof(v), "/sys/bus/%s", bus->name)) < 0 ||
	    (r = link_in(dir, "subsystem", v)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/devices/%s", bus->name, name)) < 0 ||
	    (r = tb_symlink_rel(p, dir)) < 0 || (r = write_uevent(bus, name, "")) < 0)
		return r;
	if (tb_bus_desc_get(desc, "group", v, sizeof(v)) == 0) {
		char grp[TB_PATH_MAX];

		if ((r = tb_vpathf(grp, sizeof(grp), "/sys/kernel/iommu_groups/%s", v)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "%s/devices", grp)) < 0 || (r = tb_mkdir_p(p)) < 0 ||
		    (r = link_in(dir, "iommu_group", grp)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "%s/devices/%s", grp, name)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0)
			return r;
	}
	/* "attr NAME VALUE": read-only attributes */
	for (s = strtok_r(desc, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		char *val;

		if (strncmp(s, "attr ", 5) || !(val = strchr(s + 5, ' ')))
			continue;
		*val++ = '\0';
		if ((r = tb_vpathf(p, sizeof(p), "%s/%s", dir, s + 5)) < 0 ||
		    (r = tb_writef(p, 0444, "%s\n", val)) < 0)
			return r;
	}
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/%s-devices", bus->name)) < 0)
		return r;
	snprintf(v, sizeof(v), "%s\n", name);
	return tb_append(p, v);
}

int tb_bus_dev_remove(const struct tb_bus *bus, const char *name)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], buf[TB_PATH_MAX], cur[TB_NAME_MAX];
	int r;

	if ((r = tb_bus_dev_path(bus, name, dir, sizeof(dir))) < 0 ||
	    (r = tb_bus_driver_of(bus, name, cur, sizeof(cur))) < 0)
		return r;
	if (cur[0] && (r = detach(bus, name, cur)) < 0)
		return r;
	if (tb_vpathf(p, sizeof(p), "%s/iommu_group", dir) == 0 &&
	    tb_resolve(p, buf, sizeof(buf)) == 0 &&
	    tb_vpathf(p, sizeof(p), "%s/devices/%s", buf, name) == 0)
		(void)tb_unlink(p);
	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/devices/%s", bus->name, name)) < 0)
		return r;
	(void)tb_unlink(p);
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/%s-devices", bus->name)) < 0)
		return r;
	(void)tb_remove_line(p, name);
	tb_log("remove %s", name);
	return tb_rm_rf(dir);
}

int tb_bus_driver_register(const struct tb_bus *bus, const char *drv, const char *module,
			   bool needs_iommu, const char *table)
{
	static const char *const attrs[] = { "bind", "unbind", "uevent" };
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], t[TB_PATH_MAX], line[TB_NAME_MAX + 2];
	size_t i;
	int r;

	if (!tb_valid_name(drv))
		return -EINVAL;
	if (tb_bus_driver_exists(bus, drv))
		return -EBUSY;
	if ((r = tb_vpathf(dir, sizeof(dir), "/sys/bus/%s/drivers/%s", bus->name, drv)) < 0 ||
	    (r = tb_mkdir_p(dir)) < 0)
		return r;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if ((r = tb_vpathf(p, sizeof(p), "%s/%s", dir, attrs[i])) < 0 ||
		    (r = tb_write_file(p, "", 0200)) < 0)
			return r;
	if (module) {
		if ((r = tb_vpathf(t, sizeof(t), "/sys/module/%s", module)) < 0 ||
		    (r = link_in(dir, "module", t)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "/sys/module/%s/drivers", module)) < 0 ||
		    (r = tb_mkdir_p(p)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "/sys/module/%s/drivers/%s:%s", module, bus->name,
				   drv)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0)
			return r;
	}
	if ((r = tb_vpathf(dir, sizeof(dir), "/testbed/drivers/%s", drv)) < 0 ||
	    (r = tb_mkdir_p(dir)) < 0 || (r = tb_vpathf(p, sizeof(p), "%s/table", dir)) < 0 ||
	    (r = tb_write_file(p, table ? table : "", 0644)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/flags", dir)) < 0 ||
	    (r = tb_writef(p, 0644, "%s%s\n", needs_iommu ? "needs-iommu " : "", bus->name)) < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", drv);
	if ((r = tb_append("/testbed/driver-order", line)) < 0)
		return r;
	tb_log("register %s", drv);
	if (autoprobe(bus))
		driver_attach(bus, drv);
	return 0;
}

int tb_bus_driver_unregister(const struct tb_bus *bus, const char *drv)
{
	char list[16384], p[TB_PATH_MAX], cur[TB_NAME_MAX], *s, *save = NULL;
	int r;

	/* driver_detach() */
	if (bus_devices(bus, list, sizeof(list)) == 0)
		for (s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
			if (tb_bus_driver_of(bus, s, cur, sizeof(cur)) == 0 && !strcmp(cur, drv))
				(void)detach(bus, s, drv);
	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers/%s", bus->name, drv)) < 0 ||
	    (r = tb_rm_rf(p)) < 0 || (r = tb_vpathf(p, sizeof(p), "/testbed/drivers/%s", drv)) < 0 ||
	    (r = tb_rm_rf(p)) < 0)
		return r;
	(void)tb_remove_line("/testbed/driver-order", drv);
	tb_log("unregister %s", drv);
	return 0;
}

int tb_bus_skeleton(const struct tb_bus *bus)
{
	static const char *const attrs[] = { "drivers_probe", "drivers_autoprobe", "uevent" };
	char p[TB_PATH_MAX];
	size_t i;
	int r;

	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/devices", bus->name)) < 0 ||
	    (r = tb_mkdir_p(p)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers", bus->name)) < 0 ||
	    (r = tb_mkdir_p(p)) < 0 || (r = tb_vpathf(p, sizeof(p), "/testbed/%s", bus->name)) < 0 ||
	    (r = tb_mkdir_p(p)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "/testbed/%s-devices", bus->name)) < 0 ||
	    (!tb_exists(p) && (r = tb_write_file(p, "", 0644)) < 0))
		return r;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/%s/%s", bus->name, attrs[i])) < 0 ||
		    (r = tb_write_file(p, i == 1 ? "1\n" : "", i == 1 ? 0644 : 0200)) < 0)
			return r;
	return 0;
}

/* bus_find_device_by_name() with sysfs_streq() */
static int find_dev(const struct tb_bus *bus, const char *buf, char *name, size_t size)
{
	char p[TB_PATH_MAX];
	size_t len = strcspn(buf, "\n");

	if (len == 0 || len >= size)
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	return tb_bus_dev_path(bus, name, p, sizeof(p));
}

static int bind_store(const struct tb_bus *bus, const char *drv, const char *attr,
		      const char *buf)
{
	char name[TB_NAME_MAX], cur[TB_NAME_MAX];
	int r;

	if (find_dev(bus, buf, name, sizeof(name)) < 0 ||
	    tb_bus_driver_of(bus, name, cur, sizeof(cur)) < 0)
		return -ENODEV;
	if (!strcmp(attr, "unbind")) {
		r = strcmp(cur, drv) ? -ENODEV : tb_fault_unbind(name);
		return r < 0 ? r : detach(bus, name, drv);
	}
	if (!matches(bus, name, drv))
		return -ENODEV;
	return cur[0] ? -EBUSY : probe(bus, name, drv);
}

/* driver_set_override(): "\n" clears, else up to the first newline */
static int override_store(const struct tb_bus *bus, const char *dir, const char *buf, size_t len)
{
	size_t slen = strcspn(buf, "\n");
	char val[4096];

	if (len >= 4095)
		return -EINVAL;
	snprintf(val, sizeof(val), "%.*s", (int)slen, buf);
	tb_log("driver_override %s %s", tb_basename(dir), slen ? val : "(null)");
	return tb_bus_set_override(bus, tb_basename(dir), val);
}

int tb_bus_store(const char *vpath, const char *dir, const char *parent, const char *buf,
		 size_t len, int *ret)
{
	const char *attr = tb_basename(vpath);
	char p[TB_PATH_MAX], sub[TB_PATH_MAX], name[TB_NAME_MAX];
	const struct tb_bus *bus;
	int i;

	if (!strcmp(attr, "driver_override")) {
		if (tb_vpathf(p, sizeof(p), "%s/subsystem", dir) < 0 ||
		    tb_resolve(p, sub, sizeof(sub)) < 0 || strncmp(sub, "/sys/bus/", 9) ||
		    !(bus = tb_bus_by_name(sub + 9)))
			return 0;
		*ret = override_store(bus, dir, buf, len);
		return 1;
	}
	for (i = 0; (bus = tb_buses[i]); i++) {
		if (tb_vpathf(p, sizeof(p), "/sys/bus/%s", bus->name) < 0)
			continue;
		if (!strcmp(dir, p) && !strcmp(attr, "drivers_probe")) {
			*ret = find_dev(bus, buf, name, sizeof(name));
			if (*ret == 0)
				device_attach(bus, name);
			return 1;
		}
		if (tb_vpathf(p, sizeof(p), "/sys/bus/%s/drivers", bus->name) == 0 &&
		    !strcmp(parent, p) && tb_bus_driver_exists(bus, tb_basename(dir)) &&
		    (!strcmp(attr, "bind") || !strcmp(attr, "unbind"))) {
			*ret = bind_store(bus, tb_basename(dir), attr, buf);
			return 1;
		}
	}
	return 0;
}
