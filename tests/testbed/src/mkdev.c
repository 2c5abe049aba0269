// SPDX-License-Identifier: LGPL-2.1-or-later
/* mkhost: the PCI device tree, IOMMU groups, SR-IOV links, console. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bedfs.h"
#include "mkhost.h"
#include "pcidev.h"

static struct hdevice *find(struct hdevice *devs, int n, const char *addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(devs[i].addr, addr))
			return &devs[i];
	return NULL;
}

/* dsn=: a PCIe device's 4096 bytes, its one extended capability the Device Serial Number. */
static int write_dsn(int fd, unsigned long long dsn)
{
	unsigned char cap[12] = { 0x03, 0x00, 0x01, 0x00 }; /* id 3, version 1, no next */
	int i;

	for (i = 0; i < 8; i++)
		cap[4 + i] = (unsigned char)(dsn >> (8 * i));
	if (pwrite(fd, cap, sizeof(cap), 0x100) != (ssize_t)sizeof(cap) || ftruncate(fd, 4096) < 0)
		return -EIO;
	return 0;
}

static int write_config(const struct hdevice *d)
{
	struct tb_pdev ids = { .vendor = d->vendor, .device = d->device, .subvendor = d->subvendor,
			       .subdevice = d->subdevice, .class = d->class };
	char p[TB_PATH_MAX], real[TB_PATH_MAX];
	unsigned char hdr = (unsigned char)d->header;
	int fd, r;

	r = tb_pdev_write_config(d->vpath, &ids, d->rev, d->driver[0] != '\0');
	if (r < 0 || (d->header < 0 && !d->has_dsn))
		return r;
	/* header=: e.g. 80, a normal header with the multi-function bit, as function 0 has */
	if ((r = tb_vpathf(p, sizeof(p), "%s/config", d->vpath)) < 0 ||
	    (r = tb_real(real, sizeof(real), p)) < 0)
		return r;
	fd = open(real, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = d->header < 0 || pwrite(fd, &hdr, 1, 0x0e) == 1 ? 0 : -EIO;
	if (r == 0 && d->has_dsn)
		r = write_dsn(fd, d->dsn);
	close(fd);
	return r;
}

#define ATTR(name, mode, ...)                                                    \
	do {                                                                     \
		if ((r = tb_vpathf(p, sizeof(p), "%s/" name, d->vpath)) < 0 ||   \
		    (r = tb_writef(p, mode, __VA_ARGS__)) < 0)                   \
			return r;                                                \
	} while (0)

static int link_to(const char *from_dir, const char *name, const char *target)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "%s/%s", from_dir, name);

	return r < 0 ? r : tb_symlink_rel(p, target);
}

static int make_device(struct hdevice *devs, int n, struct hdevice *d, int *fbs, int *minors)
{
	char p[TB_PATH_MAX], grp[TB_PATH_MAX], children[1024] = "";
	struct tb_pdev pd;
	size_t clen = 0;
	int r;

	if (d->parent[0]) {
		struct hdevice *parent = find(devs, (int)(d - devs), d->parent);

		if (!parent) {
			fprintf(stderr, "mkhost: line %d: parent %s not described before %s\n",
				d->line, d->parent, d->addr);
			return -EINVAL;
		}
		r = tb_vpathf(d->vpath, sizeof(d->vpath), "%s/%s", parent->vpath, d->addr);
	} else if (d->physfn[0]) {
		struct hdevice *pf = find(devs, (int)(d - devs), d->physfn);
		char dir[TB_PATH_MAX];

		if (!pf) {
			fprintf(stderr, "mkhost: line %d: physfn %s not described before %s\n",
				d->line, d->physfn, d->addr);
			return -EINVAL;
		}
		if ((r = tb_dirname(pf->vpath, dir, sizeof(dir))) < 0)
			return r;
		r = tb_vpathf(d->vpath, sizeof(d->vpath), "%s/%s", dir, d->addr);
	} else {
		r = tb_vpathf(d->vpath, sizeof(d->vpath), "/sys/devices/pci%.4s:00/%s", d->addr,
			      d->addr);
	}
	if (r < 0 || (r = tb_mkdir_p(d->vpath)) < 0)
		return r;
	(void)n;

	ATTR("vendor", 0444, "0x%04x\n", d->vendor);
	ATTR("device", 0444, "0x%04x\n", d->device);
	ATTR("subsystem_vendor", 0444, "0x%04x\n", d->subvendor);
	ATTR("subsystem_device", 0444, "0x%04x\n", d->subdevice);
	ATTR("class", 0444, "0x%06x\n", d->class);
	ATTR("revision", 0444, "0x%02x\n", d->rev);
	ATTR("modalias", 0444,
	     "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", d->vendor, d->device, d->subvendor,
	     d->subdevice, (d->class >> 16) & 0xff, (d->class >> 8) & 0xff, d->class & 0xff);
	ATTR("driver_override", 0644, "%s\n", d->override[0] ? d->override : "(null)");
	ATTR("enable", 0644, "%d\n", d->driver[0] ? 1 : 0);
	ATTR("numa_node", 0644, "%d\n", d->numa);
	ATTR("irq", 0444, "0\n");
	ATTR("local_cpulist", 0444, "0-3\n");
	ATTR("d3cold_allowed", 0644, "1\n");
	ATTR("remove", 0200, "%s", "");
	ATTR("rescan", 0200, "%s", "");
	ATTR("reset", 0200, "%s", "");
	ATTR("uevent", 0644, "%s", "");
	/* pci_dev_reset_method_attr_is_visible: only on a device with a reset method */
	if (d->reset[0])
		ATTR("reset_method", 0644, "%s\n", d->reset);
	if ((d->class >> 8) == 0x0300)
		ATTR("boot_vga", 0444, "%d\n", d->boot_vga ? 1 : 0);
	if (d->sriov_total >= 0) {
		ATTR("sriov_totalvfs", 0444, "%d\n", d->sriov_total);
		ATTR("sriov_numvfs", 0644, "%d\n", d->sriov_num);
		ATTR("sriov_drivers_autoprobe", 0644, "%d\n", d->autoprobe);
	}
	if ((r = write_config(d)) < 0)
		return r;
	if ((r = link_to(d->vpath, "subsystem", "/sys/bus/pci")) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s", d->addr)) < 0 ||
	    (r = tb_symlink_rel(p, d->vpath)) < 0)
		return r;
	if (d->group >= 0) {
		if ((r = tb_vpathf(grp, sizeof(grp), "/sys/kernel/iommu_groups/%d", d->group)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/devices", grp)) < 0 || (r = tb_mkdir_p(p)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/type", grp)) < 0 ||
		    (r = tb_write_file(p, "DMA\n", 0644)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/reserved_regions", grp)) < 0 ||
		    (r = tb_write_file(p, "", 0444)) < 0)
			return r;
		if ((r = link_to(d->vpath, "iommu_group", grp)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/devices/%s", grp, d->addr)) < 0 ||
		    (r = tb_symlink_rel(p, d->vpath)) < 0)
			return r;
	}
	if (d->physfn[0]) {
		struct hdevice *pf = find(devs, (int)(d - devs), d->physfn);
		char name[32];

		if ((r = link_to(d->vpath, "physfn", pf->vpath)) < 0)
			return r;
		snprintf(name, sizeof(name), "virtfn%d", d->vf);
		if ((r = link_to(pf->vpath, name, d->vpath)) < 0)
			return r;
	}

	/* what the host driver creates below the device */
	if (d->net[0])
		clen += (size_t)snprintf(children + clen, sizeof(children) - clen, "net %s %s\n",
					 d->net, d->up ? "up" : "down");
	if (d->block[0] && clen < sizeof(children)) {
		char parts[256], *s;
		int first = *minors;

		/* block minors (major 259, as blkext) are handed out in order over the whole host */
		snprintf(parts, sizeof(parts), "%s", d->parts);
		(*minors)++;
		for (s = parts; *s; s++)
			if (*s == ',')
				*s = ' ';
		for (s = parts; *s; s++)
			if (*s != ' ' && (s == parts || s[-1] == ' '))
				(*minors)++;
		clen += (size_t)snprintf(children + clen, sizeof(children) - clen, "block %d %s %s\n",
					 first, d->block, parts);
	}
	if (d->console && clen < sizeof(children))
		clen += (size_t)snprintf(children + clen, sizeof(children) - clen, "fb %d\n",
					 (*fbs)++);
	if (clen >= sizeof(children))
		return -E2BIG;
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s", d->addr)) < 0 ||
	    (r = tb_mkdir_p(p)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s/children", d->addr)) < 0 ||
	    (r = tb_write_file(p, children, 0644)) < 0)
		return r;
	if (d->reset[0] &&
	    ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s/reset-methods", d->addr)) < 0 ||
	     (r = tb_writef(p, 0644, "%s\n", d->reset)) < 0))
		return r;
	if (d->hostdriver[0] &&
	    ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s/hostdriver", d->addr)) < 0 ||
	     (r = tb_writef(p, 0644, "%s\n", d->hostdriver)) < 0))
		return r;

	if ((r = tb_pdev_load(d->addr, &pd)) < 0)
		return r;
	if (d->driver[0])
		return tb_pdev_attach(&pd, d->driver);
	return tb_pdev_write_uevent(&pd);
}

static unsigned int rid_of(const char *addr)
{
	unsigned int dom, bus, slot, fn;

	if (sscanf(addr, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return 0;
	return bus << 8 | slot << 3 | fn;
}

/*
 * What writing sriov_numvfs creates (sriovcore.c reads it): the VF id, First VF Offset and VF
 * Stride of the SR-IOV capability, and the IOMMU group of VF 0 (VF K gets base + K). Unless
 * given, they come from the described virtfn0, else the PF's id, offset 1, no IOMMU group.
 */
static int write_sriov_meta(struct hdevice *devs, int ndevs, struct hdevice *d)
{
	unsigned int vendor = d->vendor, device = d->device;
	int offset = d->vf_offset, group_base = d->vf_group_base, i;
	char p[TB_PATH_MAX];

	for (i = 0; i < ndevs; i++) {
		struct hdevice *vf = &devs[i];

		if (strcmp(vf->physfn, d->addr) != 0 || vf->vf != 0)
			continue;
		vendor = vf->vendor;
		device = vf->device;
		if (offset < 0 && rid_of(vf->addr) > rid_of(d->addr))
			offset = (int)(rid_of(vf->addr) - rid_of(d->addr));
		if (group_base < 0)
			group_base = vf->group;
	}
	if (d->has_vf_id) {
		vendor = d->vf_vendor;
		device = d->vf_device;
	}
	if (tb_vpathf(p, sizeof(p), "/testbed/devices/%s/sriov", d->addr) < 0)
		return -ENAMETOOLONG;
	return tb_writef(p, 0644, "vf-id %04x:%04x\nvf-offset %d\nvf-stride %d\nvf-group-base %d\n",
			 vendor, device, offset < 0 ? 1 : offset, d->vf_stride, group_base);
}

static int make_console(void)
{
	static const char *const names[] = { "(S) dummy device", "(M) frame buffer device" };
	char dir[TB_PATH_MAX], p[TB_PATH_MAX];
	int i, r;

	for (i = 0; i < 2; i++) {
		if ((r = tb_vpathf(dir, sizeof(dir), "/sys/devices/virtual/vtconsole/vtcon%d", i)) < 0 ||
		    (r = tb_mkdir_p(dir)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/bind", dir)) < 0 ||
		    (r = tb_write_file(p, "1\n", 0644)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/name", dir)) < 0 ||
		    (r = tb_writef(p, 0444, "%s\n", names[i])) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/uevent", dir)) < 0 ||
		    (r = tb_write_file(p, "", 0644)) < 0)
			return r;
		if ((r = link_to(dir, "subsystem", "/sys/class/vtconsole")) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "/sys/class/vtconsole/vtcon%d", i)) < 0 ||
		    (r = tb_symlink_rel(p, dir)) < 0)
			return r;
	}
	return 0;
}

int mkdev_build(struct hdevice *devs, int ndevs)
{
	bool console = false;
	int fbs = 0, minors = 0, i, r;

	for (i = 0; i < ndevs; i++) {
		struct hdevice *d = &devs[i];
		char root[TB_PATH_MAX];

		if (!d->parent[0] && !d->physfn[0]) {
			if ((r = tb_vpathf(root, sizeof(root), "/sys/devices/pci%.4s:00", d->addr)) < 0 ||
			    (r = tb_mkdir_p(root)) < 0)
				return r;
			if ((r = tb_vpathf(root, sizeof(root), "/sys/devices/pci%.4s:00/uevent",
					   d->addr)) < 0 ||
			    (r = tb_write_file(root, "", 0644)) < 0)
				return r;
		}
		if (d->sriov_total >= 0 && d->sriov_num < 0) {
			int j;

			d->sriov_num = 0;
			for (j = 0; j < ndevs; j++)
				if (!strcmp(devs[j].physfn, d->addr))
					d->sriov_num++;
		}
		r = make_device(devs, ndevs, d, &fbs, &minors);
		if (r == 0 && d->sriov_total >= 0)
			r = write_sriov_meta(devs, ndevs, d);
		if (r < 0) {
			fprintf(stderr, "mkhost: line %d: device %s: %s\n", d->line, d->addr,
				strerror(-r));
			return r;
		}
		console |= d->console;
	}
	return console ? make_console() : 0;
}
