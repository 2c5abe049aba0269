// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "pcicore.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bedfs.h"
#include "faults.h"
#include "journal.h"
#include "pcidev.h"
#include "buscore.h"
#include "sriovcore.h"

#define PAGE_SIZE 4096
#define MAX_IDS 256

struct tb_id {
	unsigned int vendor, device, subvendor, subdevice, class, class_mask;
	int override_only;
};

static int load_ids(const char *drv, const char *which, struct tb_id *ids, size_t max)
{
	char p[TB_PATH_MAX], buf[16384], *line, *save = NULL;
	size_t n = 0;

	if (tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/%s", drv, which) < 0 ||
	    tb_read_file(p, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		struct tb_id *id = &ids[n];

		if (sscanf(line, "%x %x %x %x %x %x %d", &id->vendor, &id->device, &id->subvendor,
			   &id->subdevice, &id->class, &id->class_mask, &id->override_only) == 7)
			n++;
	}
	return (int)n;
}

static bool driver_flag(const char *drv, const char *flag)
{
	char p[TB_PATH_MAX], buf[256];

	return tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/flags", drv) == 0 &&
	       tb_read_file(p, buf, sizeof(buf)) >= 0 && strstr(buf, flag) != NULL;
}

/* pci_match_one_device() */
static bool id_match(const struct tb_id *id, unsigned int v, unsigned int d, unsigned int sv,
		     unsigned int sd, unsigned int cls)
{
	return (id->vendor == TB_ANY_ID || id->vendor == v) &&
	       (id->device == TB_ANY_ID || id->device == d) &&
	       (id->subvendor == TB_ANY_ID || id->subvendor == sv) &&
	       (id->subdevice == TB_ANY_ID || id->subdevice == sd) &&
	       !((id->class ^ cls) & id->class_mask);
}

/* pci_match_device(): non-NULL result <=> true */
static bool driver_matches(const char *drv, const struct tb_pdev *d)
{
	struct tb_id ids[MAX_IDS];
	int n, i;

	if (d->has_override && (d->override_too_long || strcmp(d->override, drv) != 0))
		return false;
	n = load_ids(drv, "dynids", ids, MAX_IDS);
	for (i = 0; i < n; i++)
		if (id_match(&ids[i], d->vendor, d->device, d->subvendor, d->subdevice, d->class))
			return true;
	n = load_ids(drv, "ids", ids, MAX_IDS);
	for (i = 0; i < n; i++) {
		if (!id_match(&ids[i], d->vendor, d->device, d->subvendor, d->subdevice, d->class))
			continue;
		if (!ids[i].override_only || d->has_override)
			return true;
	}
	/* driver_override always matches (pci_device_id_any) */
	return d->has_override;
}

/* pci_device_probe() and the driver's own probe: 0 or -errno; binds on success */
static int driver_probe(const char *drv, struct tb_pdev *d)
{
	char p[TB_PATH_MAX], buf[32];
	int r;

	if (d->is_virtfn &&
	    tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_drivers_autoprobe", d->physfn) == 0 &&
	    tb_read_line(p, buf, sizeof(buf)) == 0 && !strcmp(buf, "0") &&
	    !(d->has_override && !strcmp(d->override, drv)))
		return -ENODEV; /* pci_device_can_probe() */
	r = tb_fault_probe(d->addr, drv);
	if (r == 0 && driver_flag(drv, "needs-iommu")) {
		if (tb_pdev_header_type(d->addr, d->class) != 0)
			r = -EINVAL; /* vfio_pci_probe: hdr_type != PCI_HEADER_TYPE_NORMAL */
		else if (!d->has_group)
			r = -EINVAL; /* vfio_group_find_or_alloc: no IOMMU group */
	}
	if (r < 0) {
		tb_log("probe-failed %s %s %s", d->addr, drv, tb_errno_name(r));
		return r;
	}
	return tb_pdev_attach(d, drv);
}

static int read_driver_order(char *buf, size_t size)
{
	ssize_t n = tb_read_file("/testbed/driver-order", buf, size);

	if (n == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return n < 0 ? (int)n : 0;
}

/* device_attach(): first matching driver whose probe succeeds wins */
void tb_device_attach(struct tb_pdev *d)
{
	char order[16384], *drv, *save = NULL;

	if (d->driver[0] || read_driver_order(order, sizeof(order)) < 0)
		return;
	for (drv = strtok_r(order, "\n", &save); drv; drv = strtok_r(NULL, "\n", &save)) {
		if (!tb_driver_exists(drv) || !driver_matches(drv, d))
			continue;
		if (driver_probe(drv, d) == 0)
			return;
	}
}

static int addr_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

void tb_driver_attach(const char *drv)
{
	char dir[TB_PATH_MAX];
	struct dirent **list;
	int n, i;

	if (tb_real(dir, sizeof(dir), "/sys/bus/pci/devices") < 0)
		return;
	n = scandir(dir, &list, NULL, addr_cmp);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		struct tb_pdev d;

		if (list[i]->d_name[0] != '.' && tb_pdev_load(list[i]->d_name, &d) == 0 &&
		    !d.driver[0] && driver_matches(drv, &d))
			(void)driver_probe(drv, &d);
		free(list[i]);
	}
	free(list);
}

/* bus_find_device_by_name() with sysfs_streq() */
static int find_device(const char *buf, struct tb_pdev *d)
{
	char name[128];
	size_t len = strlen(buf);

	if (len && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof(name))
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	return tb_pdev_load(name, d) < 0 ? -ENODEV : 0;
}

static int bind_store(const char *drv, const char *buf)
{
	struct tb_pdev d;

	if (find_device(buf, &d) < 0 || !driver_matches(drv, &d))
		return -ENODEV;
	if (d.driver[0])
		return -EBUSY;
	return driver_probe(drv, &d);
}

static int unbind_store(const char *drv, const char *buf)
{
	struct tb_pdev d;
	int r;

	if (find_device(buf, &d) < 0 || strcmp(d.driver, drv) != 0)
		return -ENODEV;
	r = tb_fault_unbind(d.addr);
	if (r < 0)
		return r;
	return tb_pdev_detach(&d);
}

static int drivers_probe_store(const char *buf)
{
	struct tb_pdev d;

	if (find_device(buf, &d) < 0)
		return -ENODEV;
	tb_device_attach(&d);
	return 0;
}

/* "vvvv dddd [svvv sddd class mask [driver_data]]" */
static int parse_id(const char *buf, struct tb_id *id, int *fields)
{
	unsigned long v[7];
	const char *s = buf;
	int n = 0;

	while (n < 7) {
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			break;
		errno = 0;
		v[n] = strtoul(s, &end, 16);
		if (end == s || errno || (n < 6 && v[n] > 0xffffffffUL))
			break;
		n++;
		s = end;
	}
	*fields = n;
	if (n < 2)
		return -EINVAL;
	id->vendor = (unsigned int)v[0];
	id->device = (unsigned int)v[1];
	id->subvendor = n > 2 ? (unsigned int)v[2] : TB_ANY_ID;
	id->subdevice = n > 3 ? (unsigned int)v[3] : TB_ANY_ID;
	id->class = n > 4 ? (unsigned int)v[4] : 0;
	id->class_mask = n > 5 ? (unsigned int)v[5] : 0;
	id->override_only = 0;
	return 0;
}

static int new_id_store(const char *drv, const char *buf)
{
	struct tb_id id;
	char p[TB_PATH_MAX], line[128];
	int fields, r;

	r = parse_id(buf, &id, &fields);
	if (r < 0)
		return r;
	if (fields != 7) {
		/* a device with these ids (no driver_override) must not match already */
		struct tb_pdev fake = { .vendor = id.vendor, .device = id.device,
					.subvendor = id.subvendor, .subdevice = id.subdevice,
					.class = id.class };

		if (driver_matches(drv, &fake))
			return -EEXIST;
	}
	snprintf(line, sizeof(line), "%08x %08x %08x %08x %06x %06x 0\n", id.vendor, id.device,
		 id.subvendor, id.subdevice, id.class, id.class_mask);
	r = tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/dynids", drv);
	if (r < 0 || (r = tb_append(p, line)) < 0)
		return r;
	tb_log("new_id %s %04x:%04x", drv, id.vendor, id.device);
	tb_driver_attach(drv);
	return 0;
}

static int remove_id_store(const char *drv, const char *buf)
{
	struct tb_id id, ids[MAX_IDS];
	char p[TB_PATH_MAX], line[128];
	int fields, n, i, r;

	r = parse_id(buf, &id, &fields);
	if (r < 0)
		return r;
	n = load_ids(drv, "dynids", ids, MAX_IDS);
	for (i = 0; i < n; i++) {
		struct tb_id *x = &ids[i];

		if (x->vendor == id.vendor && x->device == id.device &&
		    (id.subvendor == TB_ANY_ID || x->subvendor == id.subvendor) &&
		    (id.subdevice == TB_ANY_ID || x->subdevice == id.subdevice) &&
		    (!id.class_mask || (x->class == id.class && x->class_mask == id.class_mask))) {
			snprintf(line, sizeof(line), "%08x %08x %08x %08x %06x %06x %d", x->vendor,
				 x->device, x->subvendor, x->subdevice, x->class, x->class_mask,
				 x->override_only);
			r = tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/dynids", drv);
			if (r < 0)
				return r;
			tb_log("remove_id %s %04x:%04x", drv, id.vendor, id.device);
			return tb_remove_line(p, line);
		}
	}
	return -ENODEV;
}

/* driver_set_override() */
static int override_store(struct tb_pdev *d, const char *buf, size_t len)
{
	char p[TB_PATH_MAX], val[PAGE_SIZE];
	const char *nl;
	size_t slen;

	if (len >= PAGE_SIZE - 1)
		return -EINVAL;
	slen = strlen(buf); /* stops at an embedded NUL */
	nl = memchr(buf, '\n', slen);
	if (nl)
		slen = (size_t)(nl - buf);
	if (slen == 0)
		snprintf(val, sizeof(val), "(null)\n");
	else
		snprintf(val, sizeof(val), "%.*s\n", (int)slen, buf);
	if (tb_vpathf(p, sizeof(p), "%s/driver_override", d->vpath) < 0)
		return -ENAMETOOLONG;
	tb_log("driver_override %s %.*s", d->addr, slen ? (int)slen : 6, slen ? buf : "(null)");
	return tb_write_file(p, val, 0644);
}

static int generic_store(const char *vpath, const char *buf)
{
	char real[TB_PATH_MAX];
	struct stat st;
	int r;

	/* an attribute without modelled semantics keeps what was written */
	r = tb_real(real, sizeof(real), vpath);
	if (r < 0)
		return r;
	if (stat(real, &st) < 0)
		return -errno;
	return tb_write_file(vpath, buf, st.st_mode & 07777);
}

/*
 * reset_method_store (drivers/pci/pci.c): "default" enables every method the device supports,
 * in the kernel's order; else each space-separated name must be supported (EINVAL) and the
 * list is taken in the order given; an empty value disables reset.
 */
static int reset_method_store(const struct tb_pdev *d, const char *vpath, const char *buf)
{
	char p[TB_PATH_MAX], supported[128], in[PAGE_SIZE + 1], out[PAGE_SIZE + 2] = "";
	char *save = NULL;
	size_t n = 0;

	if (tb_vpathf(p, sizeof(p), "/testbed/devices/%s/reset-methods", d->addr) < 0 ||
	    tb_read_line(p, supported, sizeof(supported)) < 0)
		return -EINVAL;
	snprintf(in, sizeof(in), "%s", buf);
	in[strcspn(in, "\n")] = '\0';
	if (!strcmp(in, "default")) {
		tb_log("reset_method %s %s", d->addr, supported);
		return tb_writef(vpath, 0644, "%s\n", supported);
	}
	for (char *m = strtok_r(in, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		char list[sizeof(supported) + 2], word[64];

		snprintf(list, sizeof(list), " %s ", supported);
		if (snprintf(word, sizeof(word), " %s ", m) >= (int)sizeof(word) || !strstr(list, word))
			return -EINVAL;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", m);
	}
	tb_log("reset_method %s %s", d->addr, out);
	return tb_writef(vpath, 0644, "%s\n", out);
}

static bool is_pci_device_dir(const char *dir)
{
	char p[TB_PATH_MAX], res[TB_PATH_MAX];

	return tb_vpathf(p, sizeof(p), "%s/subsystem", dir) == 0 &&
	       tb_resolve(p, res, sizeof(res)) == 0 && !strcmp(res, "/sys/bus/pci") &&
	       tb_exists(p);
}

static int store_locked(const char *vpath, const char *buf, size_t len)
{
	char dir[TB_PATH_MAX], parent[TB_PATH_MAX];
	const char *attr = tb_basename(vpath);
	int r;

	r = tb_fault_write(vpath);
	if (r < 0)
		return r;
	if (tb_dirname(vpath, dir, sizeof(dir)) < 0 || tb_dirname(dir, parent, sizeof(parent)) < 0)
		return -EINVAL;
	if (tb_bus_store(vpath, dir, parent, buf, len, &r))
		return r;

	if (is_pci_device_dir(dir)) {
		struct tb_pdev d;

		if (tb_pdev_load(tb_basename(dir), &d) < 0)
			return -ENODEV;
		if (tb_fault_vanish(d.addr, attr, true)) {
			(void)tb_pdev_remove(&d);
			return -ENODEV;
		}
		if (!strcmp(attr, "driver_override"))
			return override_store(&d, buf, len);
		if (!strcmp(attr, "sriov_numvfs"))
			return tb_sriov_numvfs_store(&d, buf);
		if (!strcmp(attr, "reset_method"))
			return reset_method_store(&d, vpath, buf);
		if (!strcmp(attr, "remove")) {
			if (strtoul(buf, NULL, 0) != 0)
				return tb_pdev_remove(&d);
			return 0;
		}
		return generic_store(vpath, buf);
	}
	if (!strcmp(dir, "/sys/bus/pci")) {
		if (!strcmp(attr, "drivers_probe"))
			return drivers_probe_store(buf);
		if (!strcmp(attr, "rescan") || !strcmp(attr, "uevent"))
			return 0;
		return generic_store(vpath, buf);
	}
	if (!strcmp(parent, "/sys/bus/pci/drivers")) {
		const char *drv = tb_basename(dir);

		if (!strcmp(attr, "bind"))
			return bind_store(drv, buf);
		if (!strcmp(attr, "unbind"))
			return unbind_store(drv, buf);
		if (!strcmp(attr, "new_id"))
			return new_id_store(drv, buf);
		if (!strcmp(attr, "remove_id"))
			return remove_id_store(drv, buf);
		if (!strcmp(attr, "uevent"))
			return 0;
	}
	return generic_store(vpath, buf);
}

int tb_store(const char *vpath, const char *buf, size_t len)
{
	char s[PAGE_SIZE + 1];
	int lock, r;

	if (len > PAGE_SIZE)
		return -E2BIG; /* kernfs: atomic_write_len */
	memcpy(s, buf, len);
	s[len] = '\0';
	lock = tb_tx_begin();
	if (lock < 0)
		return lock;
	r = store_locked(vpath, s, len);
	tb_tx_end(lock);
	return r;
}

int tb_open_read(const char *vpath)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	int lock, r = 0;

	/* cheap checks first: this runs for every read-only open below /sys */
	if (tb_dirname(vpath, dir, sizeof(dir)) < 0 || !tb_valid_name(tb_basename(dir)) ||
	    tb_vpathf(p, sizeof(p), "/faults/vanish/%s", tb_basename(dir)) < 0 || !tb_exists(p) ||
	    !is_pci_device_dir(dir))
		return 0;
	lock = tb_tx_begin();
	if (lock < 0)
		return lock;
	if (tb_fault_vanish(tb_basename(dir), tb_basename(vpath), false)) {
		struct tb_pdev d;

		if (tb_pdev_load(tb_basename(dir), &d) == 0)
			(void)tb_pdev_remove(&d);
		r = -ENOENT;
	}
	tb_tx_end(lock);
	return r;
}
