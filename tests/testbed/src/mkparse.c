// SPDX-License-Identifier: LGPL-2.1-or-later
/* mkhost: parsing the host description (syntax: tests/testbed/README.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedfs.h"
#include "mkhost.h"
#include "pcidev.h"

struct hmodule h_mods[MAX_MODULES];
struct hdevice h_devs[MAX_DEVICES];
int h_nmods, h_ndevs, h_lineno;
char h_kver[128] = "6.1.0-testbed";
char h_cmdline[4096] = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro";
char h_mounts[8192], h_routes[4096], h_inet6[4096];
char *h_deferred[MAX_DEFERRED];
int h_ndeferred;

#define FAIL(...)                                                                \
	do {                                                                     \
		fprintf(stderr, "mkhost: line %d: ", h_lineno);                    \
		fprintf(stderr, __VA_ARGS__);                                    \
		fputc('\n', stderr);                                             \
		return -EINVAL;                                                  \
	} while (0)

static const char *opt(const char *tok, const char *key)
{
	size_t len = strlen(key);

	return !strncmp(tok, key, len) && tok[len] == '=' ? tok + len + 1 : NULL;
}

int mk_copy(char *dst, size_t size, const char *src)
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

	if (mk_copy(buf, sizeof(buf), s) < 0 || !(colon = strchr(buf, ':')))
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

	if (mk_copy(buf, sizeof(buf), list) < 0)
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
	if (h_nmods == MAX_MODULES)
		FAIL("too many modules");
	m = &h_mods[h_nmods++];
	memset(m, 0, sizeof(*m));
	m->line = h_lineno;
	m->needs_iommu = -1;
	mk_copy(m->name, sizeof(m->name), tok[1]);
	mk_copy(m->bus, sizeof(m->bus), "pci");
	snprintf(m->file, sizeof(m->file), "%s.ko", tok[1]);
	for (i = 2; i < ntok; i++) {
		if ((v = opt(tok[i], "driver"))) {
			if (!tb_valid_name(v) || mk_copy(m->driver, sizeof(m->driver), v) < 0)
				FAIL("bad driver name '%s'", v);
		} else if ((v = opt(tok[i], "ids"))) {
			if (parse_ids(v, m, false) < 0)
				FAIL("bad ids '%s'", v);
		} else if ((v = opt(tok[i], "override-ids")) || (v = opt(tok[i], "override-only"))) {
			if (parse_ids(v, m, true) < 0)
				FAIL("bad override-ids '%s'", v);
		} else if ((v = opt(tok[i], "depends"))) {
			if (mk_copy(m->depends, sizeof(m->depends), v) < 0)
				FAIL("depends too long");
		} else if ((v = opt(tok[i], "alias"))) {
			if (mk_copy(m->aliases, sizeof(m->aliases), v) < 0)
				FAIL("alias too long");
		} else if ((v = opt(tok[i], "state"))) {
			if (strcmp(v, "loaded") && strcmp(v, "unloaded") && strcmp(v, "builtin"))
				FAIL("state must be loaded, unloaded or builtin");
			mk_copy(m->state, sizeof(m->state), v);
		} else if ((v = opt(tok[i], "compress"))) {
			if (strcmp(v, "xz") && strcmp(v, "zst"))
				FAIL("compress must be xz or zst (Debian 12's kmod has no zlib)");
			mk_copy(m->compress, sizeof(m->compress), v);
		} else if ((v = opt(tok[i], "file"))) {
			if (!tb_valid_name(v) || !strstr(v, ".ko") || mk_copy(m->file, sizeof(m->file), v) < 0)
				FAIL("bad file name '%s'", v);
		} else if ((v = opt(tok[i], "bus"))) {
			if (strcmp(v, "pci") && strcmp(v, "platform") && strcmp(v, "fsl-mc") &&
			    strcmp(v, "cdx"))
				FAIL("bus must be pci, platform, fsl-mc or cdx");
			mk_copy(m->bus, sizeof(m->bus), v);
		} else if ((v = opt(tok[i], "needs-iommu"))) {
			m->needs_iommu = strcmp(v, "0") != 0;
		} else if (!strcmp(tok[i], "needs-iommu")) {
			m->needs_iommu = 1;
		} else {
			FAIL("unknown module option '%s'", tok[i]);
		}
	}
	if (m->nids && (!strcmp(m->bus, "platform") || !strcmp(m->bus, "fsl-mc")))
		FAIL("ids= are PCI or cdx ids: a %s driver's table comes from its devices", m->bus);
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
	if (h_ndevs == MAX_DEVICES)
		FAIL("too many devices");
	d = &h_devs[h_ndevs++];
	memset(d, 0, sizeof(*d));
	d->line = h_lineno;
	d->group = -1;
	d->header = -1;
	d->sriov_total = d->sriov_num = -1;
	d->autoprobe = 1;
	d->vf_offset = d->vf_group_base = -1;
	d->vf_stride = 1;
	d->numa = -1;
	mk_copy(d->addr, sizeof(d->addr), tok[1]);
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
		} else if ((v = opt(t, "header"))) {
			unsigned int hdr;

			if (parse_hex(v, 0xff, &hdr) < 0)
				FAIL("bad header (a byte in hex, e.g. 80)");
			d->header = (int)hdr;
		} else if ((v = opt(t, "dsn"))) {
			d->dsn = strtoull(v, &end, 16);
			if (strlen(v) != 16 || *end)
				FAIL("dsn must be 16 hex digits");
			d->has_dsn = true;
		} else if ((v = opt(t, "rev"))) {
			if (parse_hex(v, 0xff, &d->rev) < 0)
				FAIL("bad rev");
		} else if ((v = opt(t, "driver"))) {
			if (!tb_valid_name(v) || mk_copy(d->driver, sizeof(d->driver), v) < 0)
				FAIL("bad driver '%s'", v);
		} else if ((v = opt(t, "hostdriver"))) {
			if (!tb_valid_name(v) || mk_copy(d->hostdriver, sizeof(d->hostdriver), v) < 0)
				FAIL("bad hostdriver '%s'", v);
		} else if ((v = opt(t, "override"))) {
			if (mk_copy(d->override, sizeof(d->override), v) < 0)
				FAIL("override too long");
		} else if ((v = opt(t, "group"))) {
			d->group = (int)strtol(v, &end, 10);
			if (*end || d->group < 0)
				FAIL("bad group");
		} else if ((v = opt(t, "parent"))) {
			if (!valid_addr(v))
				FAIL("bad parent");
			mk_copy(d->parent, sizeof(d->parent), v);
		} else if ((v = opt(t, "physfn"))) {
			if (!valid_addr(v))
				FAIL("bad physfn");
			mk_copy(d->physfn, sizeof(d->physfn), v);
		} else if ((v = opt(t, "vf"))) {
			d->vf = (int)strtol(v, &end, 10);
			if (*end || d->vf < 0)
				FAIL("bad vf");
		} else if ((v = opt(t, "net"))) {
			if (!tb_valid_name(v) || mk_copy(d->net, sizeof(d->net), v) < 0)
				FAIL("bad net");
		} else if ((v = opt(t, "block"))) {
			if (!tb_valid_name(v) || mk_copy(d->block, sizeof(d->block), v) < 0)
				FAIL("bad block");
		} else if ((v = opt(t, "parts"))) {
			if (mk_copy(d->parts, sizeof(d->parts), v) < 0)
				FAIL("parts too long");
		} else if ((v = opt(t, "sriov-total"))) {
			d->sriov_total = (int)strtol(v, &end, 10);
			if (*end || d->sriov_total < 0)
				FAIL("bad sriov-total");
		} else if ((v = opt(t, "sriov-num"))) {
			d->sriov_num = (int)strtol(v, &end, 10);
			if (*end || d->sriov_num < 0)
				FAIL("bad sriov-num");
		} else if ((v = opt(t, "vf-id"))) {
			if (parse_pair(v, &d->vf_vendor, &d->vf_device) < 0)
				FAIL("bad vf-id '%s'", v);
			d->has_vf_id = true;
		} else if ((v = opt(t, "vf-offset"))) {
			d->vf_offset = (int)strtol(v, &end, 10);
			if (*end || d->vf_offset < 1 || d->vf_offset > 0xffff)
				FAIL("bad vf-offset");
		} else if ((v = opt(t, "vf-stride"))) {
			d->vf_stride = (int)strtol(v, &end, 10);
			if (*end || d->vf_stride < 1 || d->vf_stride > 0xffff)
				FAIL("bad vf-stride");
		} else if ((v = opt(t, "vf-group-base"))) {
			d->vf_group_base = (int)strtol(v, &end, 10);
			if (*end || d->vf_group_base < 0)
				FAIL("bad vf-group-base");
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
		} else if ((v = opt(t, "reset"))) {
			if (strlen(v) >= sizeof(d->reset))
				FAIL("reset= too long");
			for (size_t k = 0; v[k]; k++)
				d->reset[k] = v[k] == ',' ? ' ' : v[k];
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


int mk_append(char *buf, size_t size, const char *fmt, ...)
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

int mk_parse_line(char *line)
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
		return mk_copy(h_cmdline, sizeof(h_cmdline), rest) < 0 ? -E2BIG : 0;
	if (!strncmp(t, "file ", 5) || !strncmp(t, "modprobe-conf ", 14) || !strncmp(t, "fault ", 6)) {
		if (h_ndeferred == MAX_DEFERRED || !(h_deferred[h_ndeferred] = strdup(t)))
			FAIL("too many lines");
		h_ndeferred++;
		return 0;
	}
	for (t = strtok_r(t, " \t", &save); t && ntok < 64; t = strtok_r(NULL, " \t", &save))
		tok[ntok++] = t;
	if (ntok == 0)
		return 0;
	if (!strcmp(tok[0], "kver")) {
		if (ntok != 2 || !tb_valid_name(tok[1]) || mk_copy(h_kver, sizeof(h_kver), tok[1]) < 0)
			FAIL("kver needs one version");
	} else if (!strcmp(tok[0], "module")) {
		return parse_module(tok, ntok);
	} else if (!strcmp(tok[0], "device")) {
		return parse_device(tok, ntok);
	} else if (!strcmp(tok[0], "platform")) {
		if (mk_bus_parse(tok, ntok) < 0)
			FAIL("platform NAME [compatible=A;B] [driver=DRV] [group=N]: bad or too many");
	} else if (!strcmp(tok[0], "fslmc")) {
		if (mk_bus_parse(tok, ntok) < 0)
			FAIL("fslmc TYPE.ID [parent=CONTAINER] [driver=DRV] [group=N]: bad, duplicate or too "
			     "many (the parent: a dprc described earlier; objects of a container without "
			     "a driver= do not exist yet and take no driver=)");
	} else if (!strcmp(tok[0], "cdx")) {
		if (mk_bus_parse(tok, ntok) < 0)
			FAIL("cdx cdx-BB:DD id=VVVV:DDDD [subsys=VVVV:DDDD] [class=CCCCCC] [driver=DRV] "
			     "[group=N]: bad, duplicate or too many");
	} else if (!strcmp(tok[0], "mount")) {
		if (ntok < 4 || ntok > 5)
			FAIL("mount SOURCE DIR FSTYPE [OPTIONS]");
		if (mk_append(h_mounts, sizeof(h_mounts), "%s %s %s %s 0 0\n", tok[1], tok[2], tok[3],
			   ntok == 5 ? tok[4] : "rw,relatime") < 0)
			FAIL("too many mounts");
	} else if (!strcmp(tok[0], "route")) {
		/* route IFNAME DEST[/PLEN]|default GATEWAY [METRIC] */
		char dst[64], *slash;
		unsigned int d, g, mask;
		int ok = 1, plen = 0;

		if (ntok < 4 || ntok > 5 || mk_copy(dst, sizeof(dst), tok[2]) < 0)
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
		if (mk_append(h_routes, sizeof(h_routes), "%s\t%08X\t%08X\t%04X\t0\t0\t%s\t%08X\t0\t0\t0\n",
			   tok[1], d, g, g ? 0x3 : 0x1, ntok == 5 ? tok[4] : "100", mask) < 0)
			FAIL("too many routes");
	} else if (!strcmp(tok[0], "inet6")) {
		/* h_inet6 IFNAME ADDR32HEX [PLEN] [SCOPE] */
		if (ntok < 3 || strlen(tok[2]) != 32)
			FAIL("inet6 IFNAME ADDRESS(32 hex digits) [PLEN] [SCOPE]");
		if (mk_append(h_inet6, sizeof(h_inet6), "%s 02 %s %s 80 %8s\n", tok[2],
			   ntok > 3 ? tok[3] : "40", ntok > 4 ? tok[4] : "20", tok[1]) < 0)
			FAIL("too many inet6 lines");
	} else {
		FAIL("unknown directive '%s'", tok[0]);
	}
	return 0;
}

int mk_apply_deferred(const char *line)
{
	char buf[4096], *tok[8], *save = NULL, *t, *rest, p[TB_PATH_MAX];
	int ntok = 0, e = 0, r;

	mk_copy(buf, sizeof(buf), line);
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
			 : mk_copy(p, sizeof(p), t);
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

