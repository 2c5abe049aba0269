// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mkhost HOSTFILE DIR: build a test bed from a line-based host description
 * (syntax: tests/testbed/README.md).  DIR must be absent, empty, or an older
 * bed (it is then rebuilt from scratch).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bedfs.h"
#include "mkhost.h"
#include "modstate.h"
#include "pcidev.h"

static int skeleton(void)
{
	static const char *const dirs[] = {
		"/testbed/drivers", "/testbed/modules", "/testbed/devices", "/faults/load",
		"/faults/unbind", "/faults/probe", "/faults/vanish", "/sys/bus/pci/devices",
		"/sys/bus/pci/drivers", "/sys/bus/pci/slots", "/sys/bus/platform/devices",
		"/sys/bus/platform/drivers", "/sys/class/net", "/sys/class/block",
		"/sys/class/graphics", "/sys/class/vtconsole", "/sys/class/pci_bus", "/sys/block",
		"/sys/kernel/iommu_groups", "/sys/module", "/sys/devices/virtual",
		"/sys/dev/block", "/sys/dev/char", "/sys/firmware", "/sys/fs", "/proc/self",
		"/proc/net", "/etc/modprobe.d", "/run", "/dev", NULL,
	};
	static const struct { const char *path, *text; mode_t mode; } files[] = {
		{ "/testbed/marker", "vfio-bind test bed\n", 0644 },
		{ "/testbed/driver-order", "", 0644 },
		{ "/testbed/modules-loaded", "", 0644 },
		{ "/faults/write", "", 0644 },
		{ "/sys/bus/pci/drivers_probe", "", 0200 },
		{ "/sys/bus/pci/drivers_autoprobe", "1\n", 0644 },
		{ "/sys/bus/pci/rescan", "", 0200 },
		{ "/sys/bus/pci/uevent", "", 0200 },
		{ "/sys/bus/pci/resource_alignment", "\n", 0644 },
		{ "/dev/kmsg", "", 0644 },
		{ NULL, NULL, 0 },
	};
	int i, r;

	for (i = 0; dirs[i]; i++)
		if ((r = tb_mkdir_p(dirs[i])) < 0)
			return r;
	for (i = 0; files[i].path; i++)
		if ((r = tb_write_file(files[i].path, files[i].text, files[i].mode)) < 0)
			return r;
	return 0;
}

static struct hmodule *module_of_driver(const char *drv)
{
	int i;

	for (i = 0; i < h_nmods; i++)
		if (!strcmp(h_mods[i].driver, drv))
			return &h_mods[i];
	return NULL;
}

static int ids_text(const struct hid *ids, int n, char *out, size_t size, const char *prefix)
{
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (mk_append(out, size, "%s%08x %08x %08x %08x %06x %06x %d\n", prefix, ids[i].vendor,
			   ids[i].device, ids[i].subvendor, ids[i].subdevice, ids[i].class,
			   ids[i].class_mask, ids[i].override_only) < 0)
			return -E2BIG;
	return 0;
}

/* Defaults that depend on the devices; then the spec files the preload reads. */
static int prepare_modules(void)
{
	int i, j, r;

	for (i = 0; i < h_nmods; i++) {
		struct hmodule *m = &h_mods[i];
		char spec[16384] = "", deps[2048], *s, *save = NULL;
		bool bound = false;

		if ((r = mk_bus_module_defaults(m, &bound)) < 0)
			return r;

		for (j = 0; j < h_ndevs; j++) {
			if (!m->driver[0] || strcmp(h_devs[j].driver, m->driver))
				continue;
			bound = true;
			if (!m->explicit_ids && m->nids < MAX_IDS) {
				struct hid *h = &m->ids[m->nids++];

				h->vendor = h_devs[j].vendor;
				h->device = h_devs[j].device;
				h->subvendor = h->subdevice = TB_ANY_ID;
				h->class = h->class_mask = 0;
				h->override_only = false;
			}
		}
		if (!m->state[0])
			snprintf(m->state, sizeof(m->state), "%s", bound ? "loaded" : "unloaded");
		if (bound && !strcmp(m->state, "unloaded")) {
			fprintf(stderr, "mkhost: line %d: module %s is unloaded but devices use %s\n",
				m->line, m->name, m->driver);
			return -EINVAL;
		}
		if (m->needs_iommu < 0)
			m->needs_iommu = strstr(m->driver, "vfio") != NULL;
		if (m->driver[0] && mk_append(spec, sizeof(spec), "driver %s\n", m->driver) < 0)
			return -E2BIG;
		if (m->needs_iommu && mk_append(spec, sizeof(spec), "needs-iommu\n") < 0)
			return -E2BIG;
		if (strcmp(m->bus, "pci") && mk_append(spec, sizeof(spec), "bus %s\n", m->bus) < 0)
			return -E2BIG;
		snprintf(deps, sizeof(deps), "%s", m->depends);
		if (deps[0] && mk_append(spec, sizeof(spec), "depends") < 0)
			return -E2BIG;
		for (s = strtok_r(deps, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (mk_append(spec, sizeof(spec), " %s", s) < 0)
				return -E2BIG;
		if (m->depends[0] && mk_append(spec, sizeof(spec), "\n") < 0)
			return -E2BIG;
		r = ids_text(m->ids, m->nids, spec + strlen(spec), sizeof(spec) - strlen(spec), "id ");
		if (r < 0)
			return r;
		snprintf(deps, sizeof(deps), "%s", m->table);
		save = NULL;
		for (s = strtok_r(deps, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
			if (mk_append(spec, sizeof(spec), "id %s\n", s) < 0)
				return -E2BIG;
		{
			char p[TB_PATH_MAX];

			if ((r = tb_vpathf(p, sizeof(p), "/testbed/modules/%s", m->name)) < 0 ||
			    (r = tb_write_file(p, spec, 0644)) < 0)
				return r;
		}
	}
	return 0;
}

static bool hid_matches(const struct hid *id, const struct hdevice *d)
{
	return (id->vendor == TB_ANY_ID || id->vendor == d->vendor) &&
	       (id->device == TB_ANY_ID || id->device == d->device) &&
	       (id->subvendor == TB_ANY_ID || id->subvendor == d->subvendor) &&
	       (id->subdevice == TB_ANY_ID || id->subdevice == d->subdevice) &&
	       !((id->class ^ d->class) & id->class_mask) && !id->override_only;
}

/* Which driver creates a device's children: driver=, else the first module matching it. */
static void default_hostdrivers(void)
{
	int i, j, k;

	for (i = 0; i < h_ndevs; i++) {
		struct hdevice *d = &h_devs[i];

		if (d->hostdriver[0])
			continue;
		if (d->driver[0]) {
			snprintf(d->hostdriver, sizeof(d->hostdriver), "%s", d->driver);
			continue;
		}
		for (j = 0; j < h_nmods && !d->hostdriver[0]; j++) {
			if (!h_mods[j].driver[0] || h_mods[j].needs_iommu)
				continue;
			for (k = 0; k < h_mods[j].nids; k++) {
				if (hid_matches(&h_mods[j].ids[k], d)) {
					snprintf(d->hostdriver, sizeof(d->hostdriver), "%s",
						 h_mods[j].driver);
					break;
				}
			}
		}
	}
}

static int instantiate_modules(void)
{
	int pass, i, j, r;

	/* built-in ones first: they exist before any module loads */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < h_nmods; i++) {
			struct hmodule *m = &h_mods[i];
			struct tb_modspec spec;

			if (strcmp(m->state, pass == 0 ? "builtin" : "loaded"))
				continue;
			if ((r = tb_modspec_read(m->name, &spec)) < 0)
				return r;
			for (j = 0; j < spec.ndeps; j++) {
				if (!tb_module_present(spec.deps[j])) {
					fprintf(stderr, "mkhost: line %d: %s needs %s loaded first\n",
						m->line, m->name, spec.deps[j]);
					return -EINVAL;
				}
			}
			r = tb_module_instantiate(&spec, pass == 0, "");
			if (r < 0)
				return r;
		}
	}
	/* drivers named by devices but by no module: built into the kernel */
	for (i = 0; i < h_ndevs; i++) {
		struct hid ids[MAX_IDS];
		char text[8192];
		int n = 0;

		if (!h_devs[i].driver[0] || module_of_driver(h_devs[i].driver) ||
		    tb_driver_exists(h_devs[i].driver))
			continue;
		for (j = 0; j < h_ndevs && n < MAX_IDS; j++) {
			if (strcmp(h_devs[j].driver, h_devs[i].driver))
				continue;
			ids[n].vendor = h_devs[j].vendor;
			ids[n].device = h_devs[j].device;
			ids[n].subvendor = ids[n].subdevice = TB_ANY_ID;
			ids[n].class = ids[n].class_mask = 0;
			ids[n++].override_only = false;
		}
		if ((r = ids_text(ids, n, text, sizeof(text), "")) < 0 ||
		    (r = tb_driver_register(h_devs[i].driver, NULL, text,
					    strstr(h_devs[i].driver, "vfio") != NULL)) < 0)
			return r;
	}
	return 0;
}

/*
 * The "major:minor" mountinfo gives a mount: that of the block device /dev/NAME when the bed has
 * it (as /sys/class/block/NAME/dev), else an anonymous device 0:ID as for sysfs, proc, tmpfs.
 */
static const char *mount_devnum(const char *src, int id, char *buf, size_t size)
{
	char p[TB_PATH_MAX];
	ssize_t n = -ENOENT;

	if (!strncmp(src, "/dev/", 5) && !strchr(src + 5, '/') &&
	    tb_vpathf(p, sizeof(p), "/sys/class/block/%s/dev", src + 5) == 0)
		n = tb_read_file(p, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (n <= 1)
		snprintf(buf, size, "0:%d", id);
	return buf;
}

static int write_proc(void)
{
	char buf[16384], line[2048], *s, *save = NULL;
	int r, id = 20;

	if ((r = tb_writef("/proc/cmdline", 0444, "%s\n", h_cmdline)) < 0)
		return r;
	if ((r = tb_writef("/kver", 0644, "%s\n", h_kver)) < 0)
		return r;
	if (mk_append(h_mounts, sizeof(h_mounts), "%s",
		   "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
		   "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
		   "udev /dev devtmpfs rw,nosuid,relatime 0 0\n"
		   "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime 0 0\n") < 0)
		return -E2BIG;
	if ((r = tb_write_file("/proc/mounts", h_mounts, 0444)) < 0)
		return r;
	/* /proc/self/mountinfo from the same list */
	snprintf(buf, sizeof(buf), "%s", h_mounts);
	h_mounts[0] = '\0';
	for (s = strtok_r(buf, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		char src[256], dir[256], type[64], opts[256], devnum[32];

		if (sscanf(s, "%255s %255s %63s %255s", src, dir, type, opts) != 4)
			continue;
		snprintf(line, sizeof(line), "%d %d %s / %s %s shared:%d - %s %s %s\n", id,
			 id == 20 ? 1 : 20, mount_devnum(src, id, devnum, sizeof(devnum)), dir, opts,
			 id, type, src, opts);
		if (mk_append(h_mounts, sizeof(h_mounts), "%s", line) < 0)
			return -E2BIG;
		id++;
	}
	if ((r = tb_write_file("/proc/self/mountinfo", h_mounts, 0444)) < 0)
		return r;
	/* no swap: a test appends "/dev/NAME partition SIZE USED PRIO" lines */
	if ((r = tb_write_file("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
			       0444)) < 0)
		return r;
	snprintf(buf, sizeof(buf), "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
				   "Mask\t\tMTU\tWindow\tIRTT\n%s", h_routes);
	if ((r = tb_write_file("/proc/net/route", buf, 0444)) < 0)
		return r;
	if ((r = tb_write_file("/proc/net/if_inet6", h_inet6, 0444)) < 0)
		return r;
	return tb_proc_modules_write();
}

static int prepare_root(const char *dir)
{
	char *abs, marker[TB_PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool empty = true;
	DIR *d;
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	abs = realpath(dir, NULL);
	if (!abs)
		return -errno;
	r = tb_set_root(abs);
	free(abs);
	if (r < 0)
		return r;
	d = opendir(tb_root);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	if (empty)
		return 0;
	if (tb_real(marker, sizeof(marker), "/testbed/marker") < 0 || stat(marker, &st) < 0) {
		fprintf(stderr, "mkhost: %s is neither empty nor a test bed; refusing\n", tb_root);
		return -ENOTEMPTY;
	}
	d = opendir(tb_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char p[TB_PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (tb_vpathf(p, sizeof(p), "/%s", de->d_name) == 0 && (r = tb_rm_rf(p)) < 0) {
			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096];
	FILE *f;
	int r = 0, i;

	if (argc != 3) {
		fprintf(stderr, "Usage: mkhost HOSTFILE DIR\n");
		return 2;
	}
	f = fopen(argv[1], "re");
	if (!f) {
		fprintf(stderr, "mkhost: %s: %m\n", argv[1]);
		return 2;
	}
	while (r == 0 && fgets(line, sizeof(line), f)) {
		h_lineno++;
		r = mk_parse_line(line);
	}
	fclose(f);
	if (r < 0)
		return 2;
	h_lineno = 0;
	if ((r = prepare_root(argv[2])) < 0 || (r = skeleton()) < 0 || (r = prepare_modules()) < 0)
		goto fail;
	default_hostdrivers();
	if ((r = mkmod_build(h_kver, h_mods, h_nmods)) < 0 ||
	    (r = instantiate_modules()) < 0 || (r = mkdev_build(h_devs, h_ndevs)) < 0 ||
	    (r = mk_bus_build()) < 0 ||
	    (r = write_proc()) < 0)
		goto fail;
	for (i = 0; i < h_ndeferred; i++) {
		r = mk_apply_deferred(h_deferred[i]);
		if (r < 0) {
			fprintf(stderr, "mkhost: bad line '%s'\n", h_deferred[i]);
			goto fail;
		}
		free(h_deferred[i]);
	}
	/* the log records what happens at run time only */
	r = tb_write_file("/testbed/log", "", 0644);
	if (r < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "mkhost: building %s failed: %s\n", argv[2], strerror(-r));
	return 1;
}
