// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "sriovcore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bedfs.h"
#include "pcicore.h"

struct sriov_meta {
	unsigned int vendor, device;
	int offset, stride, group_base;
};

static int read_meta(const char *pf, struct sriov_meta *m)
{
	char p[TB_PATH_MAX], buf[512], *line, *save = NULL;

	*m = (struct sriov_meta){ .offset = 1, .stride = 1, .group_base = -1 };
	if (tb_vpathf(p, sizeof(p), "/testbed/devices/%s/sriov", pf) < 0 ||
	    tb_read_file(p, buf, sizeof(buf)) < 0)
		return -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "vf-id %x:%x", &m->vendor, &m->device) == 2)
			continue;
		if (sscanf(line, "vf-offset %d", &m->offset) == 1 ||
		    sscanf(line, "vf-stride %d", &m->stride) == 1 ||
		    sscanf(line, "vf-group-base %d", &m->group_base) == 1)
			continue;
	}
	return 0;
}

static int read_uint(const char *dir, const char *attr, unsigned int *out)
{
	char p[TB_PATH_MAX], buf[64], *end;
	unsigned long v;

	if (tb_vpathf(p, sizeof(p), "%s/%s", dir, attr) < 0 || tb_read_line(p, buf, sizeof(buf)) < 0)
		return -ENOENT;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* kstrtou16(buf, 0, ...): a number, one optional trailing newline */
static int parse_u16(const char *buf, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == buf || (*end && strcmp(end, "\n") != 0))
		return -EINVAL;
	if (v > 0xffff)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

static int link_in(const char *dir, const char *name, const char *target)
{
	char p[TB_PATH_MAX];
	int r = tb_vpathf(p, sizeof(p), "%s/%s", dir, name);

	return r < 0 ? r : tb_symlink_rel(p, target);
}

#define ATTR(name, mode, ...)                                                 \
	do {                                                                  \
		if ((r = tb_vpathf(p, sizeof(p), "%s/" name, vpath)) < 0 ||   \
		    (r = tb_writef(p, mode, __VA_ARGS__)) < 0)                \
			return r;                                             \
	} while (0)

/* pci_iov_add_virtfn(): VF k of pf, next to it in the tree, its own IOMMU group if described */
static int vf_create(const struct tb_pdev *pf, const struct sriov_meta *m, int k, char *addr,
		     size_t addr_size)
{
	char vpath[TB_PATH_MAX], dir[TB_PATH_MAX], p[TB_PATH_MAX], name[32];
	unsigned int dom, bus, slot, fn, rid, rev = 0;
	struct tb_pdev vf = { 0 };
	int r;

	if (sscanf(pf->addr, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return -EINVAL;
	rid = (bus << 8 | slot << 3 | fn) + (unsigned int)m->offset + (unsigned int)(k * m->stride);
	if (rid > 0xffff)
		return -ENOMEM; /* pci_iov_virtfn_bus() beyond the last bus number */
	snprintf(addr, addr_size, "%04x:%02x:%02x.%x", dom, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	if (tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s", addr) < 0)
		return -ENAMETOOLONG;
	if (tb_exists(p))
		return -EEXIST; /* a described device sits where the VF would go */
	if ((r = tb_dirname(pf->vpath, dir, sizeof(dir))) < 0 ||
	    (r = tb_vpathf(vpath, sizeof(vpath), "%s/%s", dir, addr)) < 0 ||
	    (r = tb_mkdir_p(vpath)) < 0)
		return r;
	(void)read_uint(pf->vpath, "revision", &rev);
	vf = (struct tb_pdev){ .vendor = m->vendor, .device = m->device, .subvendor = pf->subvendor,
			       .subdevice = pf->subdevice, .class = pf->class };
	ATTR("vendor", 0444, "0x%04x\n", vf.vendor);
	ATTR("device", 0444, "0x%04x\n", vf.device);
	ATTR("subsystem_vendor", 0444, "0x%04x\n", vf.subvendor);
	ATTR("subsystem_device", 0444, "0x%04x\n", vf.subdevice);
	ATTR("class", 0444, "0x%06x\n", vf.class);
	ATTR("revision", 0444, "0x%02x\n", rev);
	ATTR("modalias", 0444, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", vf.vendor,
	     vf.device, vf.subvendor, vf.subdevice, (vf.class >> 16) & 0xff,
	     (vf.class >> 8) & 0xff, vf.class & 0xff);
	ATTR("driver_override", 0644, "(null)\n");
	ATTR("enable", 0644, "0\n");
	ATTR("numa_node", 0644, "-1\n");
	ATTR("irq", 0444, "0\n");
	ATTR("local_cpulist", 0444, "0-3\n");
	ATTR("d3cold_allowed", 0644, "1\n");
	ATTR("remove", 0200, "%s", "");
	ATTR("rescan", 0200, "%s", "");
	ATTR("reset", 0200, "%s", "");
	ATTR("uevent", 0644, "%s", "");
	if ((r = tb_pdev_write_config(vpath, &vf, rev, false)) < 0)
		return r;
	if ((r = link_in(vpath, "subsystem", "/sys/bus/pci")) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/sys/bus/pci/devices/%s", addr)) < 0 ||
	    (r = tb_symlink_rel(p, vpath)) < 0)
		return r;
	if (m->group_base >= 0) {
		char grp[TB_PATH_MAX];

		if ((r = tb_vpathf(grp, sizeof(grp), "/sys/kernel/iommu_groups/%d", m->group_base + k)) < 0 ||
		    (r = tb_vpathf(p, sizeof(p), "%s/devices", grp)) < 0 || (r = tb_mkdir_p(p)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/type", grp)) < 0 ||
		    (r = tb_write_file(p, "DMA\n", 0644)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/reserved_regions", grp)) < 0 ||
		    (r = tb_write_file(p, "", 0444)) < 0)
			return r;
		if ((r = link_in(vpath, "iommu_group", grp)) < 0)
			return r;
		if ((r = tb_vpathf(p, sizeof(p), "%s/devices/%s", grp, addr)) < 0 ||
		    (r = tb_symlink_rel(p, vpath)) < 0)
			return r;
	}
	/* pci_iov_sysfs_link() */
	if ((r = link_in(vpath, "physfn", pf->vpath)) < 0)
		return r;
	snprintf(name, sizeof(name), "virtfn%d", k);
	if ((r = link_in(pf->vpath, name, vpath)) < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s", addr)) < 0 || (r = tb_mkdir_p(p)) < 0)
		return r;
	if ((r = tb_pdev_load(addr, &vf)) < 0 || (r = tb_pdev_write_uevent(&vf)) < 0)
		return r;
	tb_log("add %s", addr);
	return 0;
}

/* pci_iov_remove_virtfn(): VF k goes, with its links and its IOMMU group if now empty */
static int vf_remove(const struct tb_pdev *pf, int k)
{
	char p[TB_PATH_MAX], target[TB_PATH_MAX], grp[TB_PATH_MAX] = "", gdev[TB_PATH_MAX];
	struct tb_pdev vf;
	int r;

	if ((r = tb_vpathf(p, sizeof(p), "%s/virtfn%d", pf->vpath, k)) < 0)
		return r;
	if (tb_readlink(p, target, sizeof(target)) < 0)
		return 0; /* already gone (removed through its own remove attribute) */
	(void)tb_unlink(p);
	if (tb_pdev_load(tb_basename(target), &vf) < 0)
		return 0;
	if (tb_vpathf(p, sizeof(p), "%s/iommu_group", vf.vpath) == 0)
		(void)tb_resolve(p, grp, sizeof(grp));
	vf.is_virtfn = false; /* its virtfn link is gone already */
	r = tb_pdev_remove(&vf);
	if (r < 0)
		return r;
	if ((r = tb_vpathf(p, sizeof(p), "/testbed/devices/%s", vf.addr)) == 0)
		(void)tb_rm_rf(p);
	/* the kernel frees a group with no device left */
	if (grp[0] && tb_vpathf(gdev, sizeof(gdev), "%s/devices", grp) == 0 && tb_rmdir(gdev) == 0)
		(void)tb_rm_rf(grp);
	return 0;
}

static int write_numvfs(const struct tb_pdev *pf, unsigned int n)
{
	char p[TB_PATH_MAX];

	if (tb_vpathf(p, sizeof(p), "%s/sriov_numvfs", pf->vpath) < 0)
		return -ENAMETOOLONG;
	return tb_writef(p, 0644, "%u\n", n);
}

int tb_sriov_numvfs_store(struct tb_pdev *pf, const char *buf)
{
	struct sriov_meta m;
	unsigned int n, total, cur;
	char addr[64];
	int r;

	r = parse_u16(buf, &n);
	if (r < 0)
		return r;
	if (read_uint(pf->vpath, "sriov_totalvfs", &total) < 0)
		return -EIO;
	if (n > total)
		return -ERANGE;
	if (read_uint(pf->vpath, "sriov_numvfs", &cur) < 0)
		cur = 0;
	if (n == cur)
		return 0;
	if (!pf->driver[0])
		return -ENOENT; /* "no driver bound to device; cannot configure SR-IOV" */
	if (n == 0) {
		tb_log("sriov_numvfs %s 0", pf->addr);
		for (int k = (int)cur - 1; k >= 0; k--) {
			r = vf_remove(pf, k);
			if (r < 0)
				return r;
		}
		return write_numvfs(pf, 0);
	}
	if (cur != 0)
		return -EBUSY; /* "%d VFs already enabled. Disable before enabling %d VFs" */
	if (read_meta(pf->addr, &m) < 0)
		return -EIO;
	tb_log("sriov_numvfs %s %u", pf->addr, n);
	for (unsigned int k = 0; k < n; k++) {
		r = vf_create(pf, &m, (int)k, addr, sizeof(addr));
		if (r < 0) {
			/* sriov_enable() failing: what was added goes again */
			for (int j = (int)k; j >= 0; j--)
				(void)vf_remove(pf, j);
			return r;
		}
	}
	r = write_numvfs(pf, n);
	if (r < 0)
		return r;
	/* pci_bus_add_device() per VF: probed unless sriov_drivers_autoprobe is 0 (driver_probe) */
	for (unsigned int k = 0; k < n; k++) {
		char p[TB_PATH_MAX], target[TB_PATH_MAX];
		struct tb_pdev vf;

		if (tb_vpathf(p, sizeof(p), "%s/virtfn%u", pf->vpath, k) == 0 &&
		    tb_readlink(p, target, sizeof(target)) == 0 &&
		    tb_pdev_load(tb_basename(target), &vf) == 0)
			tb_device_attach(&vf);
	}
	return 0;
}
