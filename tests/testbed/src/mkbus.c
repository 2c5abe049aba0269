// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mkhost: the "platform", "fslmc" and "cdx" lines (syntax: tests/testbed/README.md) and
 * the devices and built-in drivers they describe, through buscore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedfs.h"
#include "buscore.h"
#include "mkhost.h"

#define MKBUS_MAX 256
#define FSLMC_ROOT "/sys/devices/platform/soc/80c000000.fsl-mc"
#define CDX_ROOT "/sys/devices/platform/cdx-controller.0"

struct busdev {
	const struct tb_bus *bus;
	char name[72];
	char driver[TB_NAME_MAX];
	int group;
	char parent[72];
	char vpath[512];
	char modalias[600];
	char keys[1024];  /* one a line */
	char table[1024]; /* entries a built-in driver named by the device gets, one a line */
	char attrs[512];  /* "NAME VALUE" lines */
	bool absent;      /* fsl-mc: in a container without a driver: not scanned yet */
	unsigned int vendor, device; /* cdx */
};

static struct busdev devs[MKBUS_MAX];
static int ndevs;

static struct busdev *find(const struct tb_bus *bus, const char *name)
{
	int i;

	for (i = 0; i < ndevs; i++)
		if (devs[i].bus == bus && !strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

static bool name_ok(const char *s, const char *chars)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strstr(s, "..") || !tb_valid_name(s))
		return false;
	return strspn(s, chars) == n;
}

/* the options every bus takes: driver= and group= */
static int common_opt(struct busdev *d, const char *t)
{
	char *end;

	if (!strncmp(t, "driver=", 7) && tb_valid_name(t + 7))
		return mk_copy(d->driver, sizeof(d->driver), t + 7) < 0 ? -EINVAL : 1;
	if (!strncmp(t, "group=", 6)) {
		d->group = (int)strtol(t + 6, &end, 10);
		return *end || t[6] == '\0' || d->group < 0 ? -EINVAL : 1;
	}
	return 0;
}

static struct busdev *new_dev(const struct tb_bus *bus, const char *name)
{
	struct busdev *d;

	if (ndevs == MKBUS_MAX || find(bus, name))
		return NULL;
	d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	d->bus = bus;
	d->group = -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return d;
}

/* platform NAME [compatible=A;B] [driver=DRV] [group=N] */
static int parse_platform(char **tok, int ntok)
{
	char c[512] = "", node[72], *s, *save = NULL;
	struct busdev *d;
	size_t n;
	int i, r;

	if (ntok < 2 || !name_ok(tok[1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789._:-") ||
	    !(d = new_dev(&tb_bus_platform, tok[1])))
		return -EINVAL;
	for (i = 2; i < ntok; i++) {
		if ((r = common_opt(d, tok[i])) < 0)
			return r;
		if (r == 0 && (strncmp(tok[i], "compatible=", 11) || mk_copy(c, sizeof(c), tok[i] + 11) < 0))
			return -EINVAL;
	}
	snprintf(d->vpath, sizeof(d->vpath), "/sys/devices/platform/%s", d->name);
	if (!c[0]) {
		/* platform_uevent(): "platform:" + the name */
		snprintf(d->modalias, sizeof(d->modalias), "platform:%s", d->name);
		return 0;
	}
	/* of_device_uevent_modalias(): "of:N<node>T<type>C<compat>C<compat>..." */
	snprintf(node, sizeof(node), "%s", strchr(d->name, '.') ? strchr(d->name, '.') + 1 : d->name);
	n = (size_t)snprintf(d->modalias, sizeof(d->modalias), "of:N%sT(null)", node);
	for (s = strtok_r(c, ";", &save); s; s = strtok_r(NULL, ";", &save)) {
		if (n < sizeof(d->modalias))
			n += (size_t)snprintf(d->modalias + n, sizeof(d->modalias) - n, "C%s", s);
		if (mk_append(d->keys, sizeof(d->keys), "%s\n", s) < 0)
			return -E2BIG;
	}
	return mk_copy(d->table, sizeof(d->table), d->keys);
}

/* fslmc NAME [parent=CONTAINER] [driver=DRV] [group=N]; NAME is TYPE.ID */
static int parse_fslmc(char **tok, int ntok)
{
	struct busdev *d, *c = NULL;
	size_t tlen;
	int i, r;

	if (ntok < 2 || !name_ok(tok[1], "abcdefghijklmnopqrstuvwxyz0123456789.") ||
	    (tlen = strspn(tok[1], "abcdefghijklmnopqrstuvwxyz")) < 2 || tlen > 15 ||
	    tok[1][tlen] != '.' || !tok[1][tlen + 1] ||
	    strspn(tok[1] + tlen + 1, "0123456789") != strlen(tok[1] + tlen + 1))
		return -EINVAL;
	if (!(d = new_dev(&tb_bus_fslmc, tok[1])))
		return -EINVAL;
	for (i = 2; i < ntok; i++) {
		if ((r = common_opt(d, tok[i])) < 0)
			return r;
		if (r == 0 && (strncmp(tok[i], "parent=", 7) ||
			       !(c = find(&tb_bus_fslmc, tok[i] + 7)) || strncmp(c->name, "dprc.", 5)))
			return -EINVAL; /* the parent: a container described earlier */
	}
	if (!c && strncmp(d->name, "dprc.", 5))
		return -EINVAL; /* only the root container has no parent */
	snprintf(d->keys, sizeof(d->keys), "%.*s\n", (int)tlen, d->name);
	snprintf(d->table, sizeof(d->table), "%s", d->keys);
	snprintf(d->modalias, sizeof(d->modalias), "fsl-mc:v%08Xd%.*s", 0x1957, (int)tlen, d->name);
	if (!c) {
		snprintf(d->vpath, sizeof(d->vpath), FSLMC_ROOT "/%s", d->name);
		return 0;
	}
	snprintf(d->parent, sizeof(d->parent), "%s", c->name);
	if (mk_copy(d->vpath, sizeof(d->vpath), c->vpath) < 0 ||
	    mk_append(d->vpath, sizeof(d->vpath), "/%s", d->name) < 0)
		return -ENAMETOOLONG;
	if (d->group < 0)
		d->group = c->group; /* the container's ICID: its IOMMU group */
	d->absent = c->absent || !c->driver[0];
	return d->absent && d->driver[0] ? -EINVAL : 0;
}

/* cdx cdx-BB:DD id=VVVV:DDDD [subsys=VVVV:DDDD] [class=CCCCCC] [driver=DRV] [group=N] */
static int parse_cdx(char **tok, int ntok)
{
	unsigned int bus, dev, sv = 0, sd = 0, cls = 0;
	char norm[16], *end;
	struct busdev *d;
	bool have_id = false;
	int i, r;

	if (ntok < 2 || strlen(tok[1]) != 9 || sscanf(tok[1], "cdx-%2x:%2x", &bus, &dev) != 2)
		return -EINVAL;
	snprintf(norm, sizeof(norm), "cdx-%02x:%02x", bus, dev);
	if (strcmp(norm, tok[1]) || !(d = new_dev(&tb_bus_cdx, tok[1])))
		return -EINVAL;
	for (i = 2; i < ntok; i++) {
		const char *t = tok[i];

		if ((r = common_opt(d, t)) < 0)
			return r;
		if (r)
			continue;
		if (!strncmp(t, "id=", 3) && sscanf(t + 3, "%4x:%4x%c", &d->vendor, &d->device, norm) == 2)
			have_id = true;
		else if (!strncmp(t, "subsys=", 7) && sscanf(t + 7, "%4x:%4x%c", &sv, &sd, norm) == 2)
			;
		else if (!strncmp(t, "class=", 6) && strlen(t + 6) == 6)
			cls = (unsigned int)strtoul(t + 6, &end, 16), r = *end ? -EINVAL : 0;
		else
			return -EINVAL;
		if (r < 0)
			return r;
	}
	if (!have_id)
		return -EINVAL;
	snprintf(d->vpath, sizeof(d->vpath), CDX_ROOT "/cdx-%02x/%s", bus, d->name);
	snprintf(d->modalias, sizeof(d->modalias), "cdx:v%04Xd%04Xsv%04Xsd%04Xc%06X", d->vendor,
		 d->device, sv, sd, cls);
	snprintf(d->keys, sizeof(d->keys), "%04x %04x %04x %04x %06x\n", d->vendor, d->device, sv,
		 sd, cls);
	snprintf(d->table, sizeof(d->table), "%08x %08x %08x %08x %06x %06x 0\n", d->vendor,
		 d->device, TB_ANY_ID, TB_ANY_ID, 0, 0);
	snprintf(d->attrs, sizeof(d->attrs),
		 "vendor 0x%04x\ndevice 0x%04x\nsubsystem_vendor 0x%04x\nsubsystem_device 0x%04x\n"
		 "class 0x%06x\n",
		 d->vendor, d->device, sv, sd, cls);
	return 0;
}

int mk_bus_parse(char **tok, int ntok)
{
	if (!strcmp(tok[0], "platform"))
		return parse_platform(tok, ntok);
	if (!strcmp(tok[0], "fslmc"))
		return parse_fslmc(tok, ntok);
	return parse_cdx(tok, ntok);
}

/* the table a driver gets from the devices on its bus that name it */
static int driver_table(const struct tb_bus *bus, const char *drv, char *out, size_t size)
{
	char c[1024], *s, *save;
	int i;

	out[0] = '\0';
	for (i = 0; i < ndevs; i++) {
		if (devs[i].bus != bus || strcmp(devs[i].driver, drv))
			continue;
		snprintf(c, sizeof(c), "%s", devs[i].table);
		save = NULL;
		for (s = strtok_r(c, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
			char line[1024];

			snprintf(line, sizeof(line), "%s\n", s);
			if (!strstr(out, line) && mk_append(out, size, "%s", line) < 0)
				return -E2BIG;
		}
	}
	return 0;
}

/* A module registering a driver on one of these buses: the devices naming its driver
 * make it loaded and, without ids=, give it their table (fsl-mc types with their
 * aliases; cdx ids). */
int mk_bus_module_defaults(struct hmodule *m, bool *named)
{
	const struct tb_bus *bus = tb_bus_by_name(m->bus);
	char table[4096], *s, *save = NULL;
	int i, r;

	*named = false;
	for (i = 0; i < ndevs; i++)
		if (m->driver[0] && !strcmp(devs[i].driver, m->driver))
			*named = true;
	if (!bus || m->explicit_ids || !*named)
		return 0;
	if ((r = driver_table(bus, m->driver, table, sizeof(table))) < 0)
		return r;
	for (i = 0; i < ndevs && bus == &tb_bus_cdx; i++) {
		struct hid *h = &m->ids[m->nids];

		if (devs[i].bus != bus || strcmp(devs[i].driver, m->driver) || m->nids == MAX_IDS)
			continue;
		memset(h, 0, sizeof(*h));
		h->vendor = devs[i].vendor;
		h->device = devs[i].device;
		h->subvendor = h->subdevice = TB_ANY_ID;
		m->nids++;
	}
	if (bus == &tb_bus_cdx)
		return 0;
	if ((r = mk_copy(m->table, sizeof(m->table), table)) < 0)
		return r;
	for (s = strtok_r(table, "\n", &save); s && bus == &tb_bus_fslmc; s = strtok_r(NULL, "\n", &save))
		if (mk_append(m->aliases, sizeof(m->aliases), "%sfsl-mc:v%08Xd%s",
			      m->aliases[0] ? "," : "", 0x1957, s) < 0)
			return -E2BIG;
	return 0;
}

static bool module_declares(const char *drv)
{
	int i;

	for (i = 0; i < h_nmods; i++)
		if (!strcmp(h_mods[i].driver, drv))
			return true;
	return false;
}

static int write_desc(const struct busdev *d)
{
	char text[4096] = "", p[TB_PATH_MAX], *s, *save = NULL, keys[1024];
	int i;

	if (mk_append(text, sizeof(text), "path %s\nmodalias %s\n", d->vpath, d->modalias) < 0 ||
	    (d->group >= 0 && mk_append(text, sizeof(text), "group %d\n", d->group) < 0) ||
	    (d->parent[0] && mk_append(text, sizeof(text), "parent %s\n", d->parent) < 0))
		return -E2BIG;
	snprintf(keys, sizeof(keys), "%s", d->keys);
	for (s = strtok_r(keys, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (mk_append(text, sizeof(text), "key %s\n", s) < 0)
			return -E2BIG;
	snprintf(keys, sizeof(keys), "%s", d->attrs);
	save = NULL;
	for (s = strtok_r(keys, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		if (mk_append(text, sizeof(text), "attr %s\n", s) < 0)
			return -E2BIG;
	for (i = 0; i < ndevs; i++)
		if (devs[i].bus == d->bus && !strcmp(devs[i].parent, d->name) &&
		    mk_append(text, sizeof(text), "child %s\n", devs[i].name) < 0)
			return -E2BIG;
	return tb_vpathf(p, sizeof(p), "/testbed/%s/%s", d->bus->name, d->name) < 0
		       ? -ENAMETOOLONG
		       : tb_write_file(p, text, 0644);
}

int mk_bus_build(void)
{
	char table[4096];
	int b, i, r;

	for (b = 0; tb_buses[b]; b++) {
		bool used = false;

		for (i = 0; i < ndevs; i++)
			used |= devs[i].bus == tb_buses[b];
		for (i = 0; i < h_nmods; i++)
			used |= !strcmp(h_mods[i].bus, tb_buses[b]->name);
		if (used && (r = tb_bus_skeleton(tb_buses[b])) < 0)
			return r;
	}
	/* host drivers named by devices but by no module: built in, their table from the devices */
	for (i = 0; i < ndevs; i++) {
		struct busdev *d = &devs[i];

		if (!d->driver[0] || module_declares(d->driver) || tb_bus_driver_exists(d->bus, d->driver))
			continue;
		if ((r = driver_table(d->bus, d->driver, table, sizeof(table))) < 0 ||
		    (r = tb_bus_driver_register(d->bus, d->driver, NULL,
						strstr(d->driver, "vfio") != NULL, table)) < 0)
			return r;
	}
	for (i = 0; i < ndevs; i++)
		if ((r = write_desc(&devs[i])) < 0 ||
		    (!devs[i].absent && (r = tb_bus_dev_add(devs[i].bus, devs[i].name)) < 0))
			return r;
	for (i = 0; i < ndevs; i++)
		if (devs[i].driver[0] &&
		    (r = tb_bus_attach_quiet(devs[i].bus, devs[i].name, devs[i].driver)) < 0)
			return r;
	return 0;
}
