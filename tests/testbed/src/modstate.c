// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "modstate.h"
#include "buscore.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tb_modspec_read(const char *name, struct tb_modspec *m)
{
	char p[TB_PATH_MAX], buf[16384], *line, *save = NULL;
	size_t idlen = 0;
	ssize_t n;
	int r;

	memset(m, 0, sizeof(*m));
	if (!tb_valid_name(name))
		return -EINVAL;
	snprintf(m->name, sizeof(m->name), "%s", name);
	r = tb_vpathf(p, sizeof(p), "/testbed/modules/%s", name);
	if (r < 0)
		return r;
	n = tb_read_file(p, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "driver ", 7)) {
			snprintf(m->driver, sizeof(m->driver), "%s", line + 7);
		} else if (!strncmp(line, "bus ", 4)) {
			snprintf(m->bus, sizeof(m->bus), "%s", line + 4);
		} else if (!strcmp(line, "needs-iommu")) {
			m->needs_iommu = true;
		} else if (!strncmp(line, "depends ", 8)) {
			char *dep, *s2 = NULL;

			for (dep = strtok_r(line + 8, " ", &s2); dep; dep = strtok_r(NULL, " ", &s2)) {
				if (m->ndeps == TB_MAX_DEPS)
					return -E2BIG;
				snprintf(m->deps[m->ndeps++], TB_NAME_MAX, "%s", dep);
			}
		} else if (!strncmp(line, "id ", 3)) {
			int k = snprintf(m->ids + idlen, sizeof(m->ids) - idlen, "%s\n", line + 3);

			if (k < 0 || (size_t)k >= sizeof(m->ids) - idlen)
				return -E2BIG;
			idlen += (size_t)k;
		}
	}
	return 0;
}

bool tb_module_present(const char *name)
{
	char p[TB_PATH_MAX];

	return tb_valid_name(name) && tb_vpathf(p, sizeof(p), "/sys/module/%s", name) == 0 &&
	       tb_is_dir(p);
}

bool tb_module_live(const char *name)
{
	char p[TB_PATH_MAX];

	return tb_valid_name(name) &&
	       tb_vpathf(p, sizeof(p), "/sys/module/%s/initstate", name) == 0 && tb_exists(p);
}

static int refcnt_add(const char *name, int delta)
{
	char p[TB_PATH_MAX], buf[32];
	int r, v = 0;

	r = tb_vpathf(p, sizeof(p), "/sys/module/%s/refcnt", name);
	if (r < 0)
		return r;
	if (tb_read_line(p, buf, sizeof(buf)) < 0)
		return 0; /* built-in: no refcount */
	v = atoi(buf) + delta;
	if (v < 0)
		v = 0;
	return tb_writef(p, 0444, "%d\n", v);
}

int tb_module_instantiate(const struct tb_modspec *m, bool builtin, const char *params)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], line[TB_NAME_MAX + 2];
	int r, i;

	r = tb_vpathf(dir, sizeof(dir), "/sys/module/%s", m->name);
	if (r < 0 || (r = tb_mkdir_p(dir)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/parameters", dir)) < 0 || (r = tb_mkdir_p(p)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/uevent", dir)) < 0 ||
	    (r = tb_write_file(p, "", 0200)) < 0)
		return r;
	if (!builtin) {
		if ((r = tb_vpathf(p, sizeof(p), "%s/holders", dir)) < 0 || (r = tb_mkdir_p(p)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/initstate", dir)) < 0 ||
		    (r = tb_write_file(p, "live\n", 0444)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/refcnt", dir)) < 0 ||
		    (r = tb_write_file(p, "0\n", 0444)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/coresize", dir)) < 0 ||
		    (r = tb_write_file(p, "16384\n", 0444)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "/testbed/params/%s", m->name)) < 0 ||
		    (r = tb_mkdir_p("/testbed/params")) < 0 ||
		    (r = tb_writef(p, 0644, "%s\n", params ? params : "")) < 0)
			return r;
		for (i = 0; i < m->ndeps; i++) {
			if ((r = tb_vpathf(p, sizeof(p), "/sys/module/%s/holders/%s", m->deps[i],
					   m->name)) < 0)
				return r;
			if (tb_module_live(m->deps[i])) {
				if ((r = tb_symlink_rel(p, dir)) < 0 ||
				    (r = refcnt_add(m->deps[i], 1)) < 0)
					return r;
			}
		}
		snprintf(line, sizeof(line), "%s\n", m->name);
		if ((r = tb_append("/testbed/modules-loaded", line)) < 0)
			return r;
		if ((r = tb_proc_modules_write()) < 0)
			return r;
	}
	tb_log("%s %s", builtin ? "builtin" : "load", m->name);
	if (m->driver[0]) {
		const struct tb_bus *bus = m->bus[0] ? tb_bus_by_name(m->bus) : NULL;

		if (m->bus[0] && !bus)
			return -EINVAL;
		r = bus ? tb_bus_driver_register(bus, m->driver, m->name, m->needs_iommu, m->ids)
			: tb_driver_register(m->driver, m->name, m->ids, m->needs_iommu);
		if (r < 0)
			return r;
	}
	return 0;
}

int tb_module_destroy(const char *name)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], real[TB_PATH_MAX];
	struct tb_modspec m;
	struct dirent *de;
	DIR *dd;
	int r, i;

	r = tb_vpathf(dir, sizeof(dir), "/sys/module/%s/drivers", name);
	if (r < 0 || (r = tb_real(real, sizeof(real), dir)) < 0)
		return r;
	dd = opendir(real);
	if (dd) {
		while ((de = readdir(dd))) {
			char bus[sizeof(de->d_name)], *colon;
			const struct tb_bus *b;

			snprintf(bus, sizeof(bus), "%s", de->d_name);
			if (!(colon = strchr(bus, ':')))
				continue;
			*colon = '\0';
			if (!strcmp(bus, "pci"))
				(void)tb_driver_unregister(de->d_name + 4);
			else if ((b = tb_bus_by_name(bus)))
				(void)tb_bus_driver_unregister(b, de->d_name + strlen(bus) + 1);
		}
		closedir(dd);
	}
	if (tb_modspec_read(name, &m) == 0) {
		for (i = 0; i < m.ndeps; i++) {
			if (tb_vpathf(p, sizeof(p), "/sys/module/%s/holders/%s", m.deps[i], name) < 0)
				continue;
			if (tb_unlink(p) == 0)
				(void)refcnt_add(m.deps[i], -1);
		}
	}
	r = tb_vpathf(dir, sizeof(dir), "/sys/module/%s", name);
	if (r < 0 || (r = tb_rm_rf(dir)) < 0)
		return r;
	(void)tb_remove_line("/testbed/modules-loaded", name);
	tb_log("unload %s", name);
	return tb_proc_modules_write();
}

int tb_proc_modules_write(void)
{
	char list[16384], out[65536], *names[512], *save = NULL, *s;
	size_t olen = 0;
	ssize_t n;
	int count = 0, i;

	n = tb_read_file("/testbed/modules-loaded", list, sizeof(list));
	if (n == -ENOENT)
		list[0] = '\0';
	else if (n < 0)
		return (int)n;
	for (s = strtok_r(list, "\n", &save); s && count < 512; s = strtok_r(NULL, "\n", &save))
		names[count++] = s;
	out[0] = '\0';
	/* newest first, as the kernel lists them */
	for (i = count - 1; i >= 0; i--) {
		char p[TB_PATH_MAX], ref[32] = "0", holders[2048] = "", real[TB_PATH_MAX];
		size_t hlen = 0;
		struct dirent *de;
		DIR *dd;
		int k;

		if (tb_vpathf(p, sizeof(p), "/sys/module/%s/refcnt", names[i]) == 0)
			(void)tb_read_line(p, ref, sizeof(ref));
		if (tb_vpathf(p, sizeof(p), "/sys/module/%s/holders", names[i]) == 0 &&
		    tb_real(real, sizeof(real), p) == 0 && (dd = opendir(real))) {
			while ((de = readdir(dd))) {
				if (de->d_name[0] == '.')
					continue;
				k = snprintf(holders + hlen, sizeof(holders) - hlen, "%s,", de->d_name);
				if (k < 0 || (size_t)k >= sizeof(holders) - hlen)
					break;
				hlen += (size_t)k;
			}
			closedir(dd);
		}
		k = snprintf(out + olen, sizeof(out) - olen, "%s 16384 %s %s Live 0x0000000000000000\n",
			     names[i], ref, hlen ? holders : "-");
		if (k < 0 || (size_t)k >= sizeof(out) - olen)
			return -ENOBUFS;
		olen += (size_t)k;
	}
	return tb_write_file("/proc/modules", out, 0444);
}
