// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "pcidev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool tb_valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= TB_NAME_MAX || s[0] == '.')
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '\n' || *s == ' ')
			return false;
	return true;
}

int tb_pdev_load(const char *addr, struct tb_pdev *d)
{
	char p[TB_PATH_MAX], buf[TB_ATTR_MAX];
	int r;

	memset(d, 0, sizeof(*d));
	if (!tb_valid_name(addr) || strlen(addr) >= sizeof(d->addr))
		return -ENODEV;
	snprintf(d->addr, sizeof(d->addr), "%s", addr);
	r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s", addr);
	if (r < 0)
		return r;
	if (tb_resolve(p, d->vpath, sizeof(d->vpath)) < 0)
		return -ENODEV;

#define HEX(attr, field)                                                         \
	do {                                                                     \
		r = tb_vpathf(p, sizeof(p), "%s/" attr, d->vpath);               \
		if (r < 0 || (r = tb_read_hex(p, &d->field)) < 0)                \
			return r;                                                \
	} while (0)
	HEX("vendor", vendor);
	HEX("device", device);
	HEX("subsystem_vendor", subvendor);
	HEX("subsystem_device", subdevice);
	HEX("class", class);
#undef HEX

	r = tb_vpathf(p, sizeof(p), "%s/driver_override", d->vpath);
	if (r < 0)
		return r;
	r = tb_read_line(p, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (strcmp(buf, "(null)") != 0) {
		d->has_override = true;
		if (strlen(buf) >= sizeof(d->override))
			d->override_too_long = true;
		else
			snprintf(d->override, sizeof(d->override), "%s", buf);
	}

	r = tb_vpathf(p, sizeof(p), "%s/driver", d->vpath);
	if (r < 0)
		return r;
	if (tb_readlink(p, buf, sizeof(buf)) == 0)
		snprintf(d->driver, sizeof(d->driver), "%s", tb_basename(buf));

	r = tb_vpathf(p, sizeof(p), "%s/iommu_group", d->vpath);
	if (r < 0)
		return r;
	d->has_group = tb_is_dir(p);

	r = tb_vpathf(p, sizeof(p), "%s/physfn", d->vpath);
	if (r < 0)
		return r;
	if (tb_readlink(p, buf, sizeof(buf)) == 0) {
		d->is_virtfn = true;
		snprintf(d->physfn, sizeof(d->physfn), "%s", tb_basename(buf));
	}
	return 0;
}

int tb_modalias(const struct tb_pdev *d, char *buf, size_t size)
{
	int n = snprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor,
			 d->device, d->subvendor, d->subdevice, (d->class >> 16) & 0xff,
			 (d->class >> 8) & 0xff, d->class & 0xff);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int tb_pdev_write_uevent(const struct tb_pdev *d)
{
	char p[TB_PATH_MAX], drvline[TB_NAME_MAX + 16] = "", alias[128];
	int r;

	r = tb_modalias(d, alias, sizeof(alias));
	if (r < 0)
		return r;
	if (d->driver[0])
		snprintf(drvline, sizeof(drvline), "DRIVER=%s\n", d->driver);
	r = tb_vpathf(p, sizeof(p), "%s/uevent", d->vpath);
	if (r < 0)
		return r;
	return tb_writef(p, 0644,
			 "%sPCI_CLASS=%04X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
			 "PCI_SLOT_NAME=%s\nMODALIAS=%s\n",
			 drvline, d->class, d->vendor, d->device, d->subvendor, d->subdevice,
			 d->addr, alias);
}

static int host_driver(const char *addr, char *buf, size_t size)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s/hostdriver", addr);

	return r < 0 ? r : tb_read_line(p, buf, size);
}

int tb_pdev_attach(struct tb_pdev *d, const char *drv)
{
	char link[TB_PATH_MAX], target[TB_PATH_MAX], host[TB_NAME_MAX];
	int r;

	r = tb_vpathf(target, sizeof(target), "/sys/bus/pci/drivers/%s", drv);
	if (r < 0)
		return r;
	r = tb_vpathf(link, sizeof(link), "%s/driver", d->vpath);
	if (r < 0 || (r = tb_symlink_rel(link, target)) < 0)
		return r;
	r = tb_vpathf(link, sizeof(link), "/sys/bus/pci/drivers/%s/%s", drv, d->addr);
	if (r < 0 || (r = tb_symlink_rel(link, d->vpath)) < 0)
		return r;
	snprintf(d->driver, sizeof(d->driver), "%s", drv);
	r = tb_pdev_write_uevent(d);
	if (r < 0)
		return r;
	if (host_driver(d->addr, host, sizeof(host)) == 0 && !strcmp(host, drv))
		r = tb_children_create(d);
	tb_log("bind %s %s", d->addr, drv);
	return r;
}

int tb_pdev_detach(struct tb_pdev *d)
{
	char p[TB_PATH_MAX];
	int r;

	if (!d->driver[0])
		return 0;
	r = tb_children_remove(d);
	if (r < 0)
		return r;
	r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/drivers/%s/%s", d->driver, d->addr);
	if (r < 0)
		return r;
	(void)tb_unlink(p);
	r = tb_vpathf(p, sizeof(p), "%s/driver", d->vpath);
	if (r < 0)
		return r;
	(void)tb_unlink(p);
	tb_log("unbind %s %s", d->addr, d->driver);
	d->driver[0] = '\0';
	return tb_pdev_write_uevent(d);
}

int tb_pdev_remove(struct tb_pdev *d)
{
	char p[TB_PATH_MAX], buf[TB_PATH_MAX];
	int r;

	r = tb_pdev_detach(d);
	if (r < 0)
		return r;
	r = tb_vpathf(p, sizeof(p), "%s/iommu_group", d->vpath);
	if (r == 0 && tb_resolve(p, buf, sizeof(buf)) == 0) {
		char grp[TB_PATH_MAX];

		if (tb_vpathf(grp, sizeof(grp), "%s/devices/%s", buf, d->addr) == 0)
			(void)tb_unlink(grp);
	}
	if (d->is_virtfn) {
		/* drop the PF's virtfnN link that points at us */
		char pf[TB_PATH_MAX], name[TB_PATH_MAX];
		int i;

		r = tb_vpathf(pf, sizeof(pf), "/sys/bus/pci/devices/%s", d->physfn);
		for (i = 0; r == 0 && i < 4096; i++) {
			if (tb_vpathf(name, sizeof(name), "%s/virtfn%d", pf, i) < 0)
				break;
			if (tb_readlink(name, buf, sizeof(buf)) < 0)
				continue;
			if (!strcmp(tb_basename(buf), d->addr)) {
				(void)tb_unlink(name);
				break;
			}
		}
	}
	r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s", d->addr);
	if (r < 0)
		return r;
	(void)tb_unlink(p);
	tb_log("remove %s", d->addr);
	return tb_rm_rf(d->vpath);
}

/* ---- children: what a host driver creates below its device ---- */

static int child_net(const struct tb_pdev *d, const char *ifname, bool up)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	int r;

	if (!tb_valid_name(ifname))
		return -EINVAL;
	r = tb_vpathf(dir, sizeof(dir), "%s/net/%s", d->vpath, ifname);
	if (r < 0 || (r = tb_mkdir_p(dir)) < 0)
		return r;
#define F(name, mode, ...)                                                        \
	if ((r = tb_vpathf(p, sizeof(p), "%s/" name, dir)) < 0 ||                 \
	    (r = tb_writef(p, mode, __VA_ARGS__)) < 0)                            \
		return r
	F("operstate", 0444, "%s\n", up ? "up" : "down");
	F("flags", 0644, "%s\n", up ? "0x1003" : "0x1002");
	F("carrier", 0644, "%d\n", up ? 1 : 0);
	F("uevent", 0644, "INTERFACE=%s\n", ifname);
	F("type", 0444, "1\n");
#undef F
	if ((r = tb_vpathf(p, sizeof(p), "%s/device", dir)) < 0 ||
	    (r = tb_symlink_rel(p, d->vpath)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/subsystem", dir)) < 0 ||
	    (r = tb_symlink_rel(p, "/sys/class/net")) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/sys/class/net/%s", ifname)) < 0)
		return r;
	return tb_symlink_rel(p, dir);
}

static int block_dev(const char *dir, const char *name, const char *type, int minor, int part)
{
	char p[TB_PATH_MAX], cls[TB_PATH_MAX];
	int r;

	if (!tb_valid_name(name))
		return -EINVAL;
	if ((r = tb_mkdir_p(dir)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/dev", dir)) < 0 ||
	    (r = tb_writef(p, 0444, "259:%d\n", minor)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/uevent", dir)) < 0 ||
	    (r = tb_writef(p, 0644, "MAJOR=259\nMINOR=%d\nDEVNAME=%s\nDEVTYPE=%s\n", minor, name,
			   type)) < 0)
		return r;
	if (part > 0 && ((r = tb_vpathf(p, sizeof(p), "%s/partition", dir)) < 0 ||
			 (r = tb_writef(p, 0444, "%d\n", part)) < 0))
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/subsystem", dir)) < 0 ||
	    (r = tb_symlink_rel(p, "/sys/class/block")) < 0)
		return r;
	if ((r = tb_vpathf(cls, sizeof(cls), "/sys/class/block/%s", name)) < 0 ||
	    (r = tb_symlink_rel(cls, dir)) < 0)
		return r;
	return 0;
}

static int child_block(const struct tb_pdev *d, char *args)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	char *first = strtok(args, " "), *name = strtok(NULL, " "), *part, *end;
	int r, minor, n = 0;

	if (!first || !name)
		return -EINVAL;
	/* "block FIRST-MINOR DISK PART...": the disk gets FIRST-MINOR, its partitions the next ones */
	minor = (int)strtol(first, &end, 10);
	if (*end || minor < 0)
		return -EINVAL;
	r = tb_vpathf(dir, sizeof(dir), "%s/block/%s", d->vpath, name);
	if (r < 0 || (r = block_dev(dir, name, "disk", minor, 0)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/device", dir)) < 0 ||
	    (r = tb_symlink_rel(p, d->vpath)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/size", dir)) < 0 ||
	    (r = tb_write_file(p, "1000215216\n", 0444)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/sys/block/%s", name)) < 0 ||
	    (r = tb_symlink_rel(p, dir)) < 0)
		return r;
	while ((part = strtok(NULL, " "))) {
		char pdir[TB_PATH_MAX];

		n++;
		if ((r = tb_vpathf(pdir, sizeof(pdir), "%s/%s", dir, part)) < 0 ||
		    (r = block_dev(pdir, part, "partition", minor + n, n)) < 0)
			return r;
	}
	return 0;
}

static int child_fb(const struct tb_pdev *d, const char *num)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	int r;

	r = tb_vpathf(dir, sizeof(dir), "%s/graphics/fb%s", d->vpath, num);
	if (r < 0 || (r = tb_mkdir_p(dir)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/device", dir)) < 0 ||
	    (r = tb_symlink_rel(p, d->vpath)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/uevent", dir)) < 0 ||
	    (r = tb_writef(p, 0644, "MAJOR=29\nMINOR=%s\nDEVNAME=fb%s\n", num, num)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/sys/class/graphics/fb%s", num)) < 0)
		return r;
	return tb_symlink_rel(p, dir);
}

static int read_children(const struct tb_pdev *d, char *buf, size_t size)
{
	char p[TB_PATH_MAX];
	ssize_t n;
	int r;

	r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s/children", d->addr);
	if (r < 0)
		return r;
	n = tb_read_file(p, buf, size);
	if (n == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return n < 0 ? (int)n : 0;
}

int tb_children_create(const struct tb_pdev *d)
{
	char buf[8192], *line, *save = NULL;
	int r;

	r = read_children(d, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *kind = line, *args = strchr(line, ' ');

		if (!args)
			continue;
		*args++ = '\0';
		if (!strcmp(kind, "net")) {
			char *state = strchr(args, ' ');

			if (state)
				*state++ = '\0';
			r = child_net(d, args, state && !strcmp(state, "up"));
		} else if (!strcmp(kind, "block")) {
			r = child_block(d, args);
		} else if (!strcmp(kind, "fb")) {
			r = child_fb(d, args);
		} else {
			r = -EINVAL;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Unlink the class link CLS/NAME if it points at TARGET (the device's own child directory). */
static void unlink_class_link(const char *cls, const char *name, const char *target)
{
	char p[TB_PATH_MAX], res[TB_PATH_MAX];

	if (tb_vpathf(p, sizeof(p), "%s/%s", cls, name) < 0 || tb_resolve(p, res, sizeof(res)) < 0)
		return;
	if (!strcmp(res, target))
		(void)tb_unlink(p);
}

/*
 * For each child directory of the device below SUB (net/IF, block/DISK and its partitions,
 * graphics/fbN), unlink its class links. Only the device's own children are looked at, so an
 * unbind costs the same on a host with 4 devices as with 4096.
 */
static void unlink_children_links(const struct tb_pdev *d, const char *sub,
				  const char *const *classes, bool parts)
{
	char dir[TB_PATH_MAX], vdir[TB_PATH_MAX], real[TB_PATH_MAX];
	struct dirent *de;
	DIR *dd;

	if (tb_vpathf(vdir, sizeof(vdir), "%s/%s", d->vpath, sub) < 0 ||
	    tb_real(dir, sizeof(dir), vdir) < 0 || !(dd = opendir(dir)))
		return;
	while ((de = readdir(dd))) {
		char child[TB_PATH_MAX];

		if (de->d_name[0] == '.' ||
		    tb_vpathf(child, sizeof(child), "%s/%s", vdir, de->d_name) < 0 || !tb_is_dir(child))
			continue;
		for (const char *const *c = classes; *c; c++)
			unlink_class_link(*c, de->d_name, child);
		if (parts && tb_real(real, sizeof(real), child) == 0) {
			DIR *pd = opendir(real);
			struct dirent *pe;

			while (pd && (pe = readdir(pd))) {
				char part[TB_PATH_MAX], flag[TB_PATH_MAX];

				if (pe->d_name[0] == '.' ||
				    tb_vpathf(part, sizeof(part), "%s/%s", child, pe->d_name) < 0 ||
				    tb_vpathf(flag, sizeof(flag), "%s/partition", part) < 0 ||
				    !tb_exists(flag))
					continue;
				unlink_class_link("/sys/class/block", pe->d_name, part);
			}
			if (pd)
				closedir(pd);
		}
	}
	closedir(dd);
}

int tb_children_remove(const struct tb_pdev *d)
{
	static const char *const net[] = { "/sys/class/net", NULL };
	static const char *const block[] = { "/sys/block", "/sys/class/block", NULL };
	static const char *const graphics[] = { "/sys/class/graphics", NULL };
	static const char *const subdirs[] = { "net", "block", "graphics" };
	char p[TB_PATH_MAX];
	size_t i;
	int r;

	unlink_children_links(d, "net", net, false);
	unlink_children_links(d, "block", block, true);
	unlink_children_links(d, "graphics", graphics, false);
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		r = tb_vpathf(p, sizeof(p), "%s/%s", d->vpath, subdirs[i]);
		if (r < 0)
			return r;
		r = tb_rm_rf(p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- drivers ---- */

bool tb_driver_exists(const char *drv)
{
	char p[TB_PATH_MAX];

	return tb_valid_name(drv) && tb_vpathf(p, sizeof(p), "/sys/bus/pci/drivers/%s", drv) == 0 &&
	       tb_is_dir(p);
}

int tb_driver_register(const char *drv, const char *module, const char *ids, bool needs_iommu)
{
	static const char *const attrs[] = { "bind", "unbind", "new_id", "remove_id", "uevent" };
	char dir[TB_PATH_MAX], p[TB_PATH_MAX], t[TB_PATH_MAX], line[TB_NAME_MAX + 2];
	size_t i;
	int r;

	if (!tb_valid_name(drv))
		return -EINVAL;
	if (tb_driver_exists(drv))
		return -EBUSY; /* kernel: "Driver 'x' is already registered" */
	r = tb_vpathf(dir, sizeof(dir), "/sys/bus/pci/drivers/%s", drv);
	if (r < 0 || (r = tb_mkdir_p(dir)) < 0)
		return r;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if ((r = tb_vpathf(p, sizeof(p), "%s/%s", dir, attrs[i])) < 0 ||
		    (r = tb_write_file(p, "", 0200)) < 0)
			return r;
	}
	if (module) {
		if ((r = tb_vpathf(p, sizeof(p), "%s/module", dir)) < 0 ||
		    (r = tb_vpathf(t, sizeof(t), "/sys/module/%s", module)) < 0 ||
		    (r = tb_symlink_rel(p, t)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "/sys/module/%s/drivers", module)) < 0 ||
		    (r = tb_mkdir_p(p)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "/sys/module/%s/drivers/pci:%s", module, drv)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0)
			return r;
	}
	r = tb_vpathf(dir, sizeof(dir), "/testbed/drivers/%s", drv);
	if (r < 0 || (r = tb_mkdir_p(dir)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/ids", dir)) < 0 ||
	    (r = tb_write_file(p, ids ? ids : "", 0644)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/dynids", dir)) < 0 ||
	    (r = tb_write_file(p, "", 0644)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "%s/flags", dir)) < 0 ||
	    (r = tb_write_file(p, needs_iommu ? "needs-iommu\n" : "", 0644)) < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", drv);
	r = tb_append("/testbed/driver-order", line);
	if (r < 0)
		return r;
	tb_log("register %s", drv);
	return 0;
}

int tb_driver_unregister(const char *drv)
{
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	struct dirent *de;
	DIR *dd;
	int r;

	r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/drivers/%s", drv);
	if (r < 0 || (r = tb_real(dir, sizeof(dir), p)) < 0)
		return r;
	dd = opendir(dir);
	if (!dd)
		return -errno;
	/* driver_detach(): every bound device lets go */
	while ((de = readdir(dd))) {
		struct tb_pdev d;

		if (de->d_type != DT_LNK || strchr(de->d_name, ':') == NULL)
			continue;
		if (tb_pdev_load(de->d_name, &d) == 0 && !strcmp(d.driver, drv))
			(void)tb_pdev_detach(&d);
	}
	closedir(dd);
	r = tb_rm_rf(p);
	if (r < 0)
		return r;
	r = tb_vpathf(p, sizeof(p), "/testbed/drivers/%s", drv);
	if (r < 0 || (r = tb_rm_rf(p)) < 0)
		return r;
	(void)tb_remove_line("/testbed/driver-order", drv);
	tb_log("unregister %s", drv);
	return 0;
}

unsigned int tb_pdev_class_header(unsigned int class)
{
	switch (class >> 8) {
	case 0x0604: /* PCI-to-PCI bridge */
	case 0x0609: /* semi-transparent PCI-to-PCI bridge */
		return 0x01;
	case 0x0607: /* CardBus bridge */
		return 0x02;
	default:
		return 0x00;
	}
}

int tb_pdev_header_type(const char *addr, unsigned int class)
{
	char p[TB_PATH_MAX], real[TB_PATH_MAX];
	unsigned char hdr;
	int fd;
	ssize_t n;

	if (tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s/config", addr) < 0 ||
	    tb_real(real, sizeof(real), p) < 0 || (fd = open(real, O_RDONLY | O_CLOEXEC)) < 0)
		return (int)tb_pdev_class_header(class);
	n = pread(fd, &hdr, 1, 0x0e);
	close(fd);
	return n == 1 ? hdr & 0x7f : (int)tb_pdev_class_header(class);
}

int tb_pdev_write_config(const char *vpath, const struct tb_pdev *d, unsigned int rev, bool bound)
{
	unsigned char cfg[256] = { 0 };
	char p[TB_PATH_MAX];
	unsigned int hdr = tb_pdev_class_header(d->class);
	bool bridge = hdr != 0;
	int r;

	cfg[0] = d->vendor & 0xff;
	cfg[1] = (d->vendor >> 8) & 0xff;
	cfg[2] = d->device & 0xff;
	cfg[3] = (d->device >> 8) & 0xff;
	cfg[4] = bound ? 0x06 : 0x00; /* memory + bus master when bound */
	cfg[6] = 0x10;                /* capabilities list */
	cfg[8] = rev & 0xff;
	cfg[9] = d->class & 0xff;
	cfg[10] = (d->class >> 8) & 0xff;
	cfg[11] = (d->class >> 16) & 0xff;
	cfg[14] = (unsigned char)hdr;
	if (!bridge) {
		cfg[0x2c] = d->subvendor & 0xff;
		cfg[0x2d] = (d->subvendor >> 8) & 0xff;
		cfg[0x2e] = d->subdevice & 0xff;
		cfg[0x2f] = (d->subdevice >> 8) & 0xff;
	}
	if ((r = tb_vpathf(p, sizeof(p), "%s/config", vpath)) < 0)
		return r;
	return tb_write_bytes(p, cfg, sizeof(cfg), 0644);
}
