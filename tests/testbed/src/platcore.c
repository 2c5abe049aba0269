// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "platcore.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedfs.h"
#include "faults.h"
#include "pcidev.h"

#define PLAT_MAX 64

struct tb_plat {
	char name[72];
	char compat[512]; /* comma separated */
	char driver[TB_NAME_MAX];
	int group;
};

static struct tb_plat plats[PLAT_MAX];
static int nplats;

static bool plat_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strstr(s, "..") || !tb_valid_name(s))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

int tb_plat_parse(char **tok, int ntok)
{
	struct tb_plat *p;
	int i;

	if (ntok < 2 || !plat_name_ok(tok[1]) || nplats == PLAT_MAX)
		return -EINVAL;
	p = &plats[nplats++];
	memset(p, 0, sizeof(*p));
	p->group = -1;
	snprintf(p->name, sizeof(p->name), "%s", tok[1]);
	for (i = 2; i < ntok; i++) {
		if (!strncmp(tok[i], "compatible=", 11))
			snprintf(p->compat, sizeof(p->compat), "%s", tok[i] + 11);
		else if (!strncmp(tok[i], "driver=", 7) && tb_valid_name(tok[i] + 7))
			snprintf(p->driver, sizeof(p->driver), "%s", tok[i] + 7);
		else if (!strncmp(tok[i], "group=", 6))
			p->group = atoi(tok[i] + 6);
		else
			return -EINVAL;
	}
	return 0;
}

static int plat_vpath(const char *name, char *buf, size_t size)
{
	return tb_vpathf(buf, size, "/sys/devices/platform/%s", name);
}

/* of_device_uevent_modalias(): "of:N<node>T<type>C<compat>C<compat>..." */
static void plat_modalias(const struct tb_plat *p, char *buf, size_t size)
{
	char c[512], *s, *save = NULL, node[72];
	size_t n;

	if (!p->compat[0]) {
		/* platform_uevent(): "platform:" + the name without its instance suffix */
		snprintf(buf, size, "platform:%s", p->name);
		return;
	}
	snprintf(node, sizeof(node), "%s", strchr(p->name, '.') ? strchr(p->name, '.') + 1 : p->name);
	n = (size_t)snprintf(buf, size, "of:N%sT(null)", node);
	snprintf(c, sizeof(c), "%s", p->compat);
	for (s = strtok_r(c, ";", &save); s && n < size; s = strtok_r(NULL, ";", &save))
		n += (size_t)snprintf(buf + n, size - n, "C%s", s);
}

static int link_in(const char *dir, const char *name, const char *target)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "%s/%s", dir, name);

	return r < 0 ? r : tb_symlink_rel(p, target);
}

static bool plat_driver_exists(const char *drv)
{
	char p[TB_PATH_MAX];

	return tb_valid_name(drv) &&
	       tb_vpathf(p, sizeof(p), "/sys/bus/platform/drivers/%s", drv) == 0 && tb_is_dir(p);
}

static int write_uevent(const char *name, const char *drv)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], alias[600];
	int r;

	if ((r = plat_vpath(name, dir, sizeof(dir))) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/modalias", dir)) < 0 ||
	    (r = tb_read_line(p, alias, sizeof(alias))) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/uevent", dir)) < 0)
		return r;
	if (drv[0])
		return tb_writef(p, 0644, "DRIVER=%s\nOF_NAME=x\nMODALIAS=%s\n", drv, alias);
	return tb_writef(p, 0644, "MODALIAS=%s\n", alias);
}

static int plat_attach(const char *name, const char *drv)
{
	char dir[TB_PATH_MAX], ddir[TB_PATH_MAX], p[TB_PATH_MAX];
	int r;

	if ((r = plat_vpath(name, dir, sizeof(dir))) < 0 ||
	    (r = tb_vpathf(ddir, sizeof(ddir), "/sys/bus/platform/drivers/%s", drv)) < 0 ||
	    (r = link_in(dir, "driver", ddir)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/%s", ddir, name)) < 0 ||
	    (r = tb_symlink_rel(p, dir)) < 0 || (r = write_uevent(name, drv)) < 0)
		return r;
	tb_log("bind %s %s", name, drv);
	return 0;
}

static int plat_driver_of(const char *name, char *drv, size_t size)
{
	char p[TB_PATH_MAX];

	drv[0] = '\0';
	if (tb_vpathf(p, sizeof(p), "/sys/devices/platform/%s/driver", name) < 0)
		return -EINVAL;
	if (tb_readlink(p, drv, size) < 0) {
		drv[0] = '\0';
		return 0;
	}
	memmove(drv, tb_basename(drv), strlen(tb_basename(drv)) + 1);
	return 0;
}

static int plat_detach(const char *name, const char *drv)
{
	char p[TB_PATH_MAX];
	int r;

	if ((r = tb_vpathf(p, sizeof(p), "/sys/devices/platform/%s/driver", name)) < 0 ||
	    (r = tb_unlink(p)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "/sys/bus/platform/drivers/%s/%s", drv, name)) < 0)
		return r;
	(void)tb_unlink(p);
	tb_log("unbind %s %s", name, drv);
	return write_uevent(name, "");
}

/* "(null)" or the name: what driver_override holds */
static bool plat_override(const char *name, char *buf, size_t size)
{
	char p[TB_PATH_MAX];

	return tb_vpathf(p, sizeof(p), "/sys/devices/platform/%s/driver_override", name) == 0 &&
	       tb_read_line(p, buf, size) == 0 && strcmp(buf, "(null)") != 0;
}

static bool in_list(const char *list, const char *word, const char *sep)
{
	char c[4096], *s, *save = NULL;

	snprintf(c, sizeof(c), "%s", list);
	for (s = strtok_r(c, sep, &save); s; s = strtok_r(NULL, sep, &save))
		if (!strcmp(s, word))
			return true;
	return false;
}

static bool plat_matches(const char *name, const char *drv)
{
	char ovr[TB_NAME_MAX], p[TB_PATH_MAX], compat[4096], table[4096], *s, *save = NULL;

	if (plat_override(name, ovr, sizeof(ovr)))
		return !strcmp(ovr, drv);
	if (tb_vpathf(p, sizeof(p), "/testbed/platform/%s", name) < 0 ||
	    tb_read_file(p, compat, sizeof(compat)) < 0 ||
	    tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/compat", drv) < 0 ||
	    tb_read_file(p, table, sizeof(table)) < 0)
		return false;
	for (s = strtok_r(compat, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (in_list(table, s, "\n"))
			return true;
	return false;
}

static int plat_probe(const char *name, const char *drv)
{
	char p[TB_PATH_MAX], flags[64];
	int r = tb_fault_probe(name, drv);

	if (r == 0 && tb_vpathf(p, sizeof(p), "/testbed/drivers/%s/flags", drv) == 0 &&
	    tb_read_file(p, flags, sizeof(flags)) >= 0 && strstr(flags, "needs-iommu") &&
	    tb_vpathf(p, sizeof(p), "/sys/devices/platform/%s/iommu_group", name) == 0 &&
	    !tb_exists(p))
		r = -EINVAL;
	if (r < 0) {
		tb_log("probe-failed %s %s %s", name, drv, tb_errno_name(r));
		return r;
	}
	return plat_attach(name, drv);
}

/* device_attach(): the first registered platform driver that matches and probes */
static void plat_device_attach(const char *name)
{
	char order[16384], cur[TB_NAME_MAX], *drv, *save = NULL;

	if (plat_driver_of(name, cur, sizeof(cur)) < 0 || cur[0])
		return;
	if (tb_read_file("/testbed/driver-order", order, sizeof(order)) < 0)
		return;
	for (drv = strtok_r(order, "\n", &save); drv; drv = strtok_r(NULL, "\n", &save))
		if (plat_driver_exists(drv) && plat_matches(name, drv) && plat_probe(name, drv) == 0)
			return;
}

static void plat_driver_attach(const char *drv)
{
	char dir[TB_PATH_MAX], cur[TB_NAME_MAX];
	struct dirent *de;
	DIR *d;

	if (tb_real(dir, sizeof(dir), "/sys/bus/platform/devices") < 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && plat_driver_of(de->d_name, cur, sizeof(cur)) == 0 &&
		    !cur[0] && plat_matches(de->d_name, drv))
			(void)plat_probe(de->d_name, drv);
	closedir(d);
}

int tb_plat_driver_register(const char *drv, const char *module, bool needs_iommu,
			    const char *compat)
{
	static const char *const attrs[] = { "bind", "unbind", "uevent" };
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], t[TB_PATH_MAX], line[TB_NAME_MAX + 2];
	size_t i;
	int r;

	if (!tb_valid_name(drv))
		return -EINVAL;
	if (plat_driver_exists(drv))
		return -EBUSY;
	if ((r = tb_vpathf(dir, sizeof(dir), "/sys/bus/platform/drivers/%s", drv)) < 0 ||
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
		    (r = tb_vpathf(p, sizeof(p), "/sys/module/%s/drivers/platform:%s", module,
				   drv)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0)
			return r;
	}
	if ((r = tb_vpathf(dir, sizeof(dir), "/testbed/drivers/%s", drv)) < 0 ||
	    (r = tb_mkdir_p(dir)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/compat", dir)) < 0 ||
	    (r = tb_write_file(p, compat ? compat : "", 0644)) < 0 ||
	    (r = tb_vpathf(p, sizeof(p), "%s/flags", dir)) < 0 ||
	    (r = tb_write_file(p, needs_iommu ? "needs-iommu platform\n" : "platform\n", 0644)) < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", drv);
	if ((r = tb_append("/testbed/driver-order", line)) < 0)
		return r;
	tb_log("register %s", drv);
	plat_driver_attach(drv); /* drivers_autoprobe */
	return 0;
}

int tb_plat_driver_unregister(const char *drv)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], cur[TB_NAME_MAX];
	struct dirent *de;
	DIR *d;
	int r;

	if (tb_real(dir, sizeof(dir), "/sys/bus/platform/devices") == 0 && (d = opendir(dir))) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && plat_driver_of(de->d_name, cur, sizeof(cur)) == 0 &&
			    !strcmp(cur, drv))
				(void)plat_detach(de->d_name, drv);
		closedir(d);
	}
	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/platform/drivers/%s", drv)) < 0 ||
	    (r = tb_rm_rf(p)) < 0 || (r = tb_vpathf(p, sizeof(p), "/testbed/drivers/%s", drv)) < 0 ||
	    (r = tb_rm_rf(p)) < 0)
		return r;
	(void)tb_remove_line("/testbed/driver-order", drv);
	tb_log("unregister %s", drv);
	return 0;
}

int tb_plat_build(void)
{
	static const char *const bus_attrs[] = { "drivers_probe", "drivers_autoprobe", "uevent" };
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], alias[600], c[512], *s, *save;
	size_t i;
	int r, k, j;

	if (nplats == 0)
		return 0;
	if ((r = tb_mkdir_p("/sys/bus/platform/devices")) < 0 ||
	    (r = tb_mkdir_p("/sys/bus/platform/drivers")) < 0 || (r = tb_mkdir_p("/testbed/platform")) < 0)
		return r;
	for (i = 0; i < sizeof(bus_attrs) / sizeof(bus_attrs[0]); i++)
		if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/platform/%s", bus_attrs[i])) < 0 ||
		    (r = tb_write_file(p, i == 1 ? "1\n" : "", i == 1 ? 0644 : 0200)) < 0)
			return r;
	/* host drivers named by devices: built in, their table the compatibles of their devices */
	for (k = 0; k < nplats; k++) {
		char table[4096] = "";

		if (!plats[k].driver[0] || plat_driver_exists(plats[k].driver))
			continue;
		for (j = 0; j < nplats; j++) {
			if (strcmp(plats[j].driver, plats[k].driver))
				continue;
			snprintf(c, sizeof(c), "%s", plats[j].compat);
			save = NULL;
			for (s = strtok_r(c, ";", &save); s; s = strtok_r(NULL, ";", &save))
				if (strlen(table) + strlen(s) + 2 < sizeof(table))
					strcat(strcat(table, s), "\n");
		}
		if ((r = tb_plat_driver_register(plats[k].driver, NULL,
						 strstr(plats[k].driver, "vfio") != NULL, table)) < 0)
			return r;
	}
	for (k = 0; k < nplats; k++) {
		struct tb_plat *d = &plats[k];
		char list[600] = "";

		if ((r = plat_vpath(d->name, dir, sizeof(dir))) < 0 || (r = tb_mkdir_p(dir)) < 0)
			return r;
		plat_modalias(d, alias, sizeof(alias));
		if ((r = tb_vpathf(p, sizeof(p), "%s/modalias", dir)) < 0 ||
		    (r = tb_writef(p, 0444, "%s\n", alias)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "%s/driver_override", dir)) < 0 ||
		    (r = tb_write_file(p, "(null)\n", 0644)) < 0 ||
		    (r = link_in(dir, "subsystem", "/sys/bus/platform")) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "/sys/bus/platform/devices/%s", d->name)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0 || (r = write_uevent(d->name, "")) < 0)
			return r;
		snprintf(c, sizeof(c), "%s", d->compat);
		save = NULL;
		for (s = strtok_r(c, ";", &save); s; s = strtok_r(NULL, ";", &save))
			if (strlen(list) + strlen(s) + 2 < sizeof(list))
				strcat(strcat(list, s), "\n");
		if ((r = tb_vpathf(p, sizeof(p), "/testbed/platform/%s", d->name)) < 0 ||
		    (r = tb_write_file(p, list, 0644)) < 0)
			return r;
		if (d->group >= 0) {
			char grp[TB_PATH_MAX];

			if ((r = tb_vpathf(grp, sizeof(grp), "/sys/kernel/iommu_groups/%d", d->group)) < 0 ||
			    (r = tb_vpathf(p, sizeof(p), "%s/devices", grp)) < 0 || (r = tb_mkdir_p(p)) < 0 ||
			    (r = link_in(dir, "iommu_group", grp)) < 0 ||
			    (r = tb_vpathf(p, sizeof(p), "%s/devices/%s", grp, d->name)) < 0 ||
			    (r = tb_symlink_rel(p, dir)) < 0)
				return r;
		}
		if (d->driver[0] && (r = plat_attach(d->name, d->driver)) < 0)
			return r;
	}
	return 0;
}

/* bus_find_device_by_name() with sysfs_streq() */
static int find_plat(const char *buf, char *name, size_t size)
{
	char p[TB_PATH_MAX];
	size_t len = strcspn(buf, "\n");

	if (len == 0 || len >= size)
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	if (!tb_valid_name(name) || tb_vpathf(p, sizeof(p), "/sys/devices/platform/%s", name) < 0 ||
	    !tb_is_dir(p))
		return -ENODEV;
	return 0;
}

int tb_plat_store(const char *vpath, const char *dir, const char *parent, const char *buf,
		  size_t len, int *ret)
{
	const char *attr = tb_basename(vpath);
	char name[TB_NAME_MAX], cur[TB_NAME_MAX], val[4096];

	if (!strcmp(parent, "/sys/devices/platform") && !strcmp(attr, "driver_override")) {
		/* driver_set_override(): as for PCI */
		size_t slen = strcspn(buf, "\n");

		if (len >= 4095) {
			*ret = -EINVAL;
			return 1;
		}
		snprintf(val, sizeof(val), "%.*s\n", (int)slen, buf);
		tb_log("driver_override %s %.*s", tb_basename(dir), slen ? (int)slen : 6,
		       slen ? buf : "(null)");
		*ret = tb_write_file(vpath, slen ? val : "(null)\n", 0644);
		return 1;
	}
	if (!strcmp(vpath, "/sys/bus/platform/drivers_probe")) {
		*ret = find_plat(buf, name, sizeof(name));
		if (*ret == 0)
			plat_device_attach(name);
		return 1;
	}
	if (!strcmp(parent, "/sys/bus/platform/drivers") && plat_driver_exists(tb_basename(dir))) {
		const char *drv = tb_basename(dir);

		if (strcmp(attr, "bind") && strcmp(attr, "unbind"))
			return 0;
		if (find_plat(buf, name, sizeof(name)) < 0 ||
		    plat_driver_of(name, cur, sizeof(cur)) < 0) {
			*ret = -ENODEV;
			return 1;
		}
		if (!strcmp(attr, "unbind")) {
			*ret = strcmp(cur, drv) ? -ENODEV : tb_fault_unbind(name);
			if (*ret == 0)
				*ret = plat_detach(name, drv);
		} else if (!plat_matches(name, drv))
			*ret = -ENODEV;
		else
			*ret = cur[0] ? -EBUSY : plat_probe(name, drv);
		return 1;
	}
	return 0;
}
