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

static struct hmodule mods[MAX_MODULES];
static struct hdevice devs[MAX_DEVICES];
static int nmods, ndevs, lineno;
static char kver[128] = "6.1.0-testbed";
static char cmdline[4096] = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro";
static char mounts[8192], routes[4096], inet6[4096];
static int nmounts;

/* deferred writes: "file", "modprobe-conf", "fault" lines, applied after the tree exists */
static char *deferred[512];
static int ndeferred;

#define FAIL(...)                                                                \
	do {                                                                     \
		fprintf(stderr, "mkhost: line %d: ", lineno);                    \
		fprintf(stderr, __VA_ARGS__);                                    \
		fputc('\n', stderr);                                             \
		return -EINVAL;                                                  \
	} while (0)

static const char *opt(const char *tok, const char *key)
{
	size_t len = strlen(key);

	return !strncmp(tok, key, len) && tok[len] == '=' ? tok + len + 1 : NULL;
}

static int copy(char *dst, size_t size, const char *src)
{
	int n = snprintf(dst, size, "%s", src);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int parse_hex(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "*")) {
		*out = TB_ANY_ID;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse_pair(const char *s, unsigned int *a, unsigned int *b)
{
	char buf[32], *colon;

	if (copy(buf, sizeof(buf), s) < 0 || !(colon = strchr(buf, ':')))
		return -EINVAL;
	*colon = '\0';
	if (parse_hex(buf, 0xffff, a) < 0 || parse_hex(colon + 1, 0xffff, b) < 0 ||
	    *a == TB_ANY_ID || *b == TB_ANY_ID)
		return -EINVAL;
	return 0;
}

/* "vvvv:dddd[:svvv:sddd[:class:mask]]", '*' for any */
static int parse_ids(const char *list, struct hmodule *m, bool override_only)
{
	char buf[2048], *id, *save = NULL;

	if (copy(buf, sizeof(buf), list) < 0)
		return -EINVAL;
	for (id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		struct hid *h;
		char *f[6] = { 0 }, *s2 = NULL, *x;
		int n = 0;

		if (m->nids == MAX_IDS)
			return -E2BIG;
		h = &m->ids[m->nids];
		for (x = strtok_r(id, ":", &s2); x && n < 6; x = strtok_r(NULL, ":", &s2))
			f[n++] = x;
		if (n != 2 && n != 4 && n != 6)
			return -EINVAL;
		h->subvendor = h->subdevice = TB_ANY_ID;
		h->class = h->class_mask = 0;
		if (parse_hex(f[0], 0xffff, &h->vendor) < 0 || parse_hex(f[1], 0xffff, &h->device) < 0)
			return -EINVAL;
		if (n >= 4 && (parse_hex(f[2], 0xffff, &h->subvendor) < 0 ||
			       parse_hex(f[3], 0xffff, &h->subdevice) < 0))
			return -EINVAL;
		if (n == 6 && (parse_hex(f[4], 0xffffff, &h->class) < 0 ||
			       parse_hex(f[5], 0xffffff, &h->class_mask) < 0))
			return -EINVAL;
		h->override_only = override_only;
		m->nids++;
	}
	m->explicit_ids = true;
	return 0;
}

static int parse_module(char **tok, int ntok)
{
	struct hmodule *m;
	const char *v;
	int i;

	if (ntok < 2 || !tb_valid_name(tok[1]))
		FAIL("module needs a name");
	if (nmods == MAX_MODULES)
		FAIL("too many modules");
	m = &mods[nmods++];
	memset(m, 0, sizeof(*m));
	m->line = lineno;
	m->needs_iommu = -1;
	copy(m->name, sizeof(m->name), tok[1]);
	snprintf(m->file, sizeof(m->file), "%s.ko", tok[1]);
	for (i = 2; i < ntok; i++) {
		if ((v = opt(tok[i], "driver"))) {
			if (!tb_valid_name(v) || copy(m->driver, sizeof(m->driver), v) < 0)
				FAIL("bad driver name '%s'", v);
		} else if ((v = opt(tok[i], "ids"))) {
			if (parse_ids(v, m, false) < 0)
				FAIL("bad ids '%s'", v);
		} else if ((v = opt(tok[i], "override-ids")) || (v = opt(tok[i], "override-only"))) {
			if (parse_ids(v, m, true) < 0)
				FAIL("bad override-ids '%s'", v);
		} else if ((v = opt(tok[i], "depends"))) {
			if (copy(m->depends, sizeof(m->depends), v) < 0)
				FAIL("depends too long");
		} else if ((v = opt(tok[i], "alias"))) {
			if (copy(m->aliases, sizeof(m->aliases), v) < 0)
				FAIL("alias too long");
		} else if ((v = opt(tok[i], "state"))) {
			if (strcmp(v, "loaded") && strcmp(v, "unloaded") && strcmp(v, "builtin"))
				FAIL("state must be loaded, unloaded or builtin");
			copy(m->state, sizeof(m->state), v);
		} else if ((v = opt(tok[i], "file"))) {
			if (!tb_valid_name(v) || !strstr(v, ".ko") || copy(m->file, sizeof(m->file), v) < 0)
				FAIL("bad file name '%s'", v);
		} else if ((v = opt(tok[i], "needs-iommu"))) {
			m->needs_iommu = strcmp(v, "0") != 0;
		} else if (!strcmp(tok[i], "needs-iommu")) {
			m->needs_iommu = 1;
		} else {
			FAIL("unknown module option '%s'", tok[i]);
		}
	}
	return 0;
}

static bool valid_addr(const char *s)
{
	unsigned int dom, bus, slot, fn;
	char norm[16];

	if (strlen(s) != 12 || sscanf(s, "%4x:%2x:%2x.%1x", &dom, &bus, &slot, &fn) != 4)
		return false;
	snprintf(norm, sizeof(norm), "%04x:%02x:%02x.%x", dom, bus, slot, fn);
	return !strcmp(norm, s) && slot < 32 && fn < 8;
}

static int parse_device(char **tok, int ntok)
{
	struct hdevice *d;
	const char *v;
	bool have_id = false, have_class = false;
	int i;

	if (ntok < 2 || !valid_addr(tok[1]))
		FAIL("device needs an address like 0000:01:00.0 (lower-case hex)");
	if (ndevs == MAX_DEVICES)
		FAIL("too many devices");
	d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	d->line = lineno;
	d->group = -1;
	d->sriov_total = d->sriov_num = -1;
	d->autoprobe = 1;
	d->numa = -1;
	copy(d->addr, sizeof(d->addr), tok[1]);
	for (i = 2; i < ntok; i++) {
		const char *t = tok[i];
		char *end;

		if ((v = opt(t, "id"))) {
			if (parse_pair(v, &d->vendor, &d->device) < 0)
				FAIL("bad id '%s'", v);
			have_id = true;
		} else if ((v = opt(t, "subsys"))) {
			if (parse_pair(v, &d->subvendor, &d->subdevice) < 0)
				FAIL("bad subsys '%s'", v);
		} else if ((v = opt(t, "class"))) {
			if (strlen(v) != 6 || parse_hex(v, 0xffffff, &d->class) < 0)
				FAIL("class must be 6 hex digits");
			have_class = true;
		} else if ((v = opt(t, "rev"))) {
			if (parse_hex(v, 0xff, &d->rev) < 0)
				FAIL("bad rev");
		} else if ((v = opt(t, "driver"))) {
			if (!tb_valid_name(v) || copy(d->driver, sizeof(d->driver), v) < 0)
				FAIL("bad driver '%s'", v);
		} else if ((v = opt(t, "override"))) {
			if (copy(d->override, sizeof(d->override), v) < 0)
				FAIL("override too long");
		} else if ((v = opt(t, "group"))) {
			d->group = (int)strtol(v, &end, 10);
			if (*end || d->group < 0)
				FAIL("bad group");
		} else if ((v = opt(t, "parent"))) {
			if (!valid_addr(v))
				FAIL("bad parent");
			copy(d->parent, sizeof(d->parent), v);
		} else if ((v = opt(t, "physfn"))) {
			if (!valid_addr(v))
				FAIL("bad physfn");
			copy(d->physfn, sizeof(d->physfn), v);
		} else if ((v = opt(t, "vf"))) {
			d->vf = (int)strtol(v, &end, 10);
			if (*end || d->vf < 0)
				FAIL("bad vf");
		} else if ((v = opt(t, "net"))) {
			if (!tb_valid_name(v) || copy(d->net, sizeof(d->net), v) < 0)
				FAIL("bad net");
		} else if ((v = opt(t, "block"))) {
			if (!tb_valid_name(v) || copy(d->block, sizeof(d->block), v) < 0)
				FAIL("bad block");
		} else if ((v = opt(t, "parts"))) {
			if (copy(d->parts, sizeof(d->parts), v) < 0)
				FAIL("parts too long");
		} else if ((v = opt(t, "sriov-total"))) {
			d->sriov_total = (int)strtol(v, &end, 10);
			if (*end || d->sriov_total < 0)
				FAIL("bad sriov-total");
		} else if ((v = opt(t, "sriov-num"))) {
			d->sriov_num = (int)strtol(v, &end, 10);
			if (*end || d->sriov_num < 0)
				FAIL("bad sriov-num");
		} else if ((v = opt(t, "autoprobe"))) {
			d->autoprobe = strcmp(v, "0") != 0;
		} else if ((v = opt(t, "numa"))) {
			d->numa = (int)strtol(v, &end, 10);
		} else if (!strcmp(t, "up")) {
			d->up = true;
		} else if (!strcmp(t, "boot_vga") || !strcmp(t, "boot_vga=1")) {
			d->boot_vga = true;
		} else if (!strcmp(t, "console")) {
			d->console = true;
		} else {
			FAIL("unknown device option '%s'", t);
		}
	}
	if (!have_id || !have_class)
		FAIL("device %s needs id= and class=", d->addr);
	if (d->physfn[0] && d->parent[0])
		FAIL("a VF takes its place from physfn=, not parent=");
	return 0;
}

static int append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size - len ? -E2BIG : 0;
}

static unsigned int ipv4_le(const char *s, int *ok)
{
	unsigned int a, b, c, d;
	char tail;

	if (!strcmp(s, "default") || !strcmp(s, "0.0.0.0"))
		return 0;
	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255) {
		*ok = 0;
		return 0;
	}
	return a | b << 8 | c << 16 | d << 24;
}

static int parse_line(char *line)
{
	char *tok[64], *save = NULL, *rest, *t;
	int ntok = 0;

	line[strcspn(line, "\n")] = '\0';
	for (t = line; *t == ' ' || *t == '\t'; t++)
		;
	if (*t == '#' || *t == '\0')
		return 0;
	rest = t + strcspn(t, " \t");
	rest += strspn(rest, " \t");
	if (!strncmp(t, "cmdline", 7) && (t[7] == ' ' || t[7] == '\t'))
		return copy(cmdline, sizeof(cmdline), rest) < 0 ? -E2BIG : 0;
	if (!strncmp(t, "file ", 5) || !strncmp(t, "modprobe-conf ", 14) || !strncmp(t, "fault ", 6)) {
		if (ndeferred == 512 || !(deferred[ndeferred] = strdup(t)))
			FAIL("too many lines");
		ndeferred++;
		return 0;
	}
	for (t = strtok_r(t, " \t", &save); t && ntok < 64; t = strtok_r(NULL, " \t", &save))
		tok[ntok++] = t;
	if (ntok == 0)
		return 0;
	if (!strcmp(tok[0], "kver")) {
		if (ntok != 2 || !tb_valid_name(tok[1]) || copy(kver, sizeof(kver), tok[1]) < 0)
			FAIL("kver needs one version");
	} else if (!strcmp(tok[0], "module")) {
		return parse_module(tok, ntok);
	} else if (!strcmp(tok[0], "device")) {
		return parse_device(tok, ntok);
	} else if (!strcmp(tok[0], "mount")) {
		if (ntok < 4 || ntok > 5)
			FAIL("mount SOURCE DIR FSTYPE [OPTIONS]");
		if (append(mounts, sizeof(mounts), "%s %s %s %s 0 0\n", tok[1], tok[2], tok[3],
			   ntok == 5 ? tok[4] : "rw,relatime") < 0)
			FAIL("too many mounts");
		nmounts++;
	} else if (!strcmp(tok[0], "route")) {
		/* route IFNAME DEST[/PLEN]|default GATEWAY [METRIC] */
		char dst[64], *slash;
		unsigned int d, g, mask;
		int ok = 1, plen = 0;

		if (ntok < 4 || ntok > 5 || copy(dst, sizeof(dst), tok[2]) < 0)
			FAIL("route IFNAME DEST/PLEN|default GATEWAY [METRIC]");
		slash = strchr(dst, '/');
		if (slash) {
			*slash = '\0';
			plen = atoi(slash + 1);
		}
		d = ipv4_le(dst, &ok);
		g = ipv4_le(tok[3], &ok);
		if (!ok || plen < 0 || plen > 32)
			FAIL("bad route address");
		mask = plen == 0 ? 0 : (unsigned int)(0xffffffffULL << (32 - plen));
		mask = (mask >> 24) | ((mask >> 8) & 0xff00) | ((mask << 8) & 0xff0000) | (mask << 24);
		if (append(routes, sizeof(routes), "%s\t%08X\t%08X\t%04X\t0\t0\t%s\t%08X\t0\t0\t0\n",
			   tok[1], d, g, g ? 0x3 : 0x1, ntok == 5 ? tok[4] : "100", mask) < 0)
			FAIL("too many routes");
	} else if (!strcmp(tok[0], "inet6")) {
		/* inet6 IFNAME ADDR32HEX [PLEN] [SCOPE] */
		if (ntok < 3 || strlen(tok[2]) != 32)
			FAIL("inet6 IFNAME ADDRESS(32 hex digits) [PLEN] [SCOPE]");
		if (append(inet6, sizeof(inet6), "%s 02 %s %s 80 %8s\n", tok[2],
			   ntok > 3 ? tok[3] : "40", ntok > 4 ? tok[4] : "20", tok[1]) < 0)
			FAIL("too many inet6 lines");
	} else {
		FAIL("unknown directive '%s'", tok[0]);
	}
	return 0;
}

static int apply_deferred(const char *line)
{
	char buf[4096], *tok[8], *save = NULL, *t, *rest, p[TB_PATH_MAX];
	int ntok = 0, e = 0, r;

	copy(buf, sizeof(buf), line);
	if (!strncmp(buf, "file ", 5) || !strncmp(buf, "modprobe-conf ", 14)) {
		bool conf = buf[0] == 'm';

		t = buf + strcspn(buf, " ") + 1;
		t += strspn(t, " ");
		rest = t + strcspn(t, " ");
		if (*rest)
			*rest++ = '\0';
		rest += strspn(rest, " ");
		if (conf ? !tb_valid_name(t) : (t[0] != '/' || strstr(t, "..")))
			return -EINVAL;
		r = conf ? tb_vpathf(p, sizeof(p), "/etc/modprobe.d/%s", t)
			 : copy(p, sizeof(p), t);
		if (r < 0)
			return r;
		{
			char dir[TB_PATH_MAX], text[4096];

			if ((r = tb_dirname(p, dir, sizeof(dir))) < 0 || (r = tb_mkdir_p(dir)) < 0)
				return r;
			snprintf(text, sizeof(text), "%s\n", rest);
			return tb_append(p, text);
		}
	}
	/* fault KIND ARGS... */
	for (t = strtok_r(buf, " \t", &save); t && ntok < 8; t = strtok_r(NULL, " \t", &save))
		tok[ntok++] = t;
	if (ntok < 3)
		return -EINVAL;
#define ERRNO(i) (ntok > (i) ? ((e = tb_parse_errno(tok[i])) < 0 ? "" : tok[i]) : "")
	if (!strcmp(tok[1], "load") || !strcmp(tok[1], "unbind")) {
		if (!tb_valid_name(tok[2]) || (r = tb_vpathf(p, sizeof(p), "/faults/%s/%s", tok[1], tok[2])) < 0)
			return -EINVAL;
		r = tb_writef(p, 0644, "%s\n", ERRNO(3));
	} else if (!strcmp(tok[1], "probe")) {
		if (ntok < 4 || !tb_valid_name(tok[2]) ||
		    (r = tb_vpathf(p, sizeof(p), "/faults/probe/%s", tok[2])) < 0)
			return -EINVAL;
		{
			char text[512];

			snprintf(text, sizeof(text), "%s %s\n", tok[3], ERRNO(4));
			r = tb_append(p, text);
		}
	} else if (!strcmp(tok[1], "write")) {
		char text[TB_PATH_MAX];

		snprintf(text, sizeof(text), "%s %s\n", tok[2], ERRNO(3));
		r = tb_append("/faults/write", text);
	} else if (!strcmp(tok[1], "vanish")) {
		if (ntok < 4 || !tb_valid_name(tok[2]) ||
		    (r = tb_vpathf(p, sizeof(p), "/faults/vanish/%s", tok[2])) < 0)
			return -EINVAL;
		r = tb_writef(p, 0644, "%s %s\n", tok[3], ntok > 4 ? tok[4] : "any");
	} else {
		return -EINVAL;
	}
#undef ERRNO
	return e < 0 ? -EINVAL : r;
}

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

	for (i = 0; i < nmods; i++)
		if (!strcmp(mods[i].driver, drv))
			return &mods[i];
	return NULL;
}

static int ids_text(const struct hid *ids, int n, char *out, size_t size, const char *prefix)
{
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (append(out, size, "%s%08x %08x %08x %08x %06x %06x %d\n", prefix, ids[i].vendor,
			   ids[i].device, ids[i].subvendor, ids[i].subdevice, ids[i].class,
			   ids[i].class_mask, ids[i].override_only) < 0)
			return -E2BIG;
	return 0;
}

/* Defaults that depend on the devices; then the spec files the preload reads. */
static int prepare_modules(void)
{
	int i, j, r;

	for (i = 0; i < nmods; i++) {
		struct hmodule *m = &mods[i];
		char spec[16384] = "", deps[1024], *s, *save = NULL;
		bool bound = false;

		for (j = 0; j < ndevs; j++) {
			if (!m->driver[0] || strcmp(devs[j].driver, m->driver))
				continue;
			bound = true;
			if (!m->explicit_ids && m->nids < MAX_IDS) {
				struct hid *h = &m->ids[m->nids++];

				h->vendor = devs[j].vendor;
				h->device = devs[j].device;
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
		if (m->driver[0] && append(spec, sizeof(spec), "driver %s\n", m->driver) < 0)
			return -E2BIG;
		if (m->needs_iommu && append(spec, sizeof(spec), "needs-iommu\n") < 0)
			return -E2BIG;
		snprintf(deps, sizeof(deps), "%s", m->depends);
		if (deps[0] && append(spec, sizeof(spec), "depends") < 0)
			return -E2BIG;
		for (s = strtok_r(deps, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (append(spec, sizeof(spec), " %s", s) < 0)
				return -E2BIG;
		if (m->depends[0] && append(spec, sizeof(spec), "\n") < 0)
			return -E2BIG;
		r = ids_text(m->ids, m->nids, spec + strlen(spec), sizeof(spec) - strlen(spec), "id ");
		if (r < 0)
			return r;
		{
			char p[TB_PATH_MAX];

			if ((r = tb_vpathf(p, sizeof(p), "/testbed/modules/%s", m->name)) < 0 ||
			    (r = tb_write_file(p, spec, 0644)) < 0)
				return r;
		}
	}
	return 0;
}

static int instantiate_modules(void)
{
	int pass, i, j, r;

	/* built-in ones first: they exist before any module loads */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nmods; i++) {
			struct hmodule *m = &mods[i];
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
	for (i = 0; i < ndevs; i++) {
		struct hid ids[MAX_IDS];
		char text[8192];
		int n = 0;

		if (!devs[i].driver[0] || module_of_driver(devs[i].driver) ||
		    tb_driver_exists(devs[i].driver))
			continue;
		for (j = 0; j < ndevs && n < MAX_IDS; j++) {
			if (strcmp(devs[j].driver, devs[i].driver))
				continue;
			ids[n].vendor = devs[j].vendor;
			ids[n].device = devs[j].device;
			ids[n].subvendor = ids[n].subdevice = TB_ANY_ID;
			ids[n].class = ids[n].class_mask = 0;
			ids[n++].override_only = false;
		}
		if ((r = ids_text(ids, n, text, sizeof(text), "")) < 0 ||
		    (r = tb_driver_register(devs[i].driver, NULL, text,
					    strstr(devs[i].driver, "vfio") != NULL)) < 0)
			return r;
	}
	return 0;
}

static int write_proc(void)
{
	char buf[16384], line[2048], *s, *save = NULL;
	int r, id = 20;

	if ((r = tb_writef("/proc/cmdline", 0444, "%s\n", cmdline)) < 0)
		return r;
	if ((r = tb_writef("/kver", 0644, "%s\n", kver)) < 0)
		return r;
	if (append(mounts, sizeof(mounts), "%s",
		   "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
		   "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
		   "udev /dev devtmpfs rw,nosuid,relatime 0 0\n"
		   "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime 0 0\n") < 0)
		return -E2BIG;
	if ((r = tb_write_file("/proc/mounts", mounts, 0444)) < 0)
		return r;
	/* /proc/self/mountinfo from the same list */
	snprintf(buf, sizeof(buf), "%s", mounts);
	mounts[0] = '\0';
	for (s = strtok_r(buf, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		char src[256], dir[256], type[64], opts[256];

		if (sscanf(s, "%255s %255s %63s %255s", src, dir, type, opts) != 4)
			continue;
		snprintf(line, sizeof(line), "%d %d %s:%d / %s %s shared:%d - %s %s %s\n", id,
			 id == 20 ? 1 : 20, strncmp(src, "/dev/", 5) ? "0" : "259", id, dir, opts,
			 id, type, src, opts);
		if (append(mounts, sizeof(mounts), "%s", line) < 0)
			return -E2BIG;
		id++;
	}
	if ((r = tb_write_file("/proc/self/mountinfo", mounts, 0444)) < 0)
		return r;
	snprintf(buf, sizeof(buf), "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
				   "Mask\t\tMTU\tWindow\tIRTT\n%s", routes);
	if ((r = tb_write_file("/proc/net/route", buf, 0444)) < 0)
		return r;
	if ((r = tb_write_file("/proc/net/if_inet6", inet6, 0444)) < 0)
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
		lineno++;
		r = parse_line(line);
	}
	fclose(f);
	if (r < 0)
		return 2;
	lineno = 0;
	if ((r = prepare_root(argv[2])) < 0 || (r = skeleton()) < 0 ||
	    (r = prepare_modules()) < 0 || (r = mkmod_build(kver, mods, nmods)) < 0 ||
	    (r = instantiate_modules()) < 0 || (r = mkdev_build(devs, ndevs)) < 0 ||
	    (r = write_proc()) < 0)
		goto fail;
	for (i = 0; i < ndeferred; i++) {
		r = apply_deferred(deferred[i]);
		if (r < 0) {
			fprintf(stderr, "mkhost: bad line '%s'\n", deferred[i]);
			goto fail;
		}
		free(deferred[i]);
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
