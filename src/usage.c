/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <limits.h>
#include <net/if.h>
#include <sys/sysmacros.h>

#include "discover.h"
#include "initrd.h"
#include "log.h"
#include "mounts.h"
#include "sysfs.h"
#include "usage.h"

/* A component of a resolved sysfs path that names a device of the snapshot, on any bus. */
static struct device *find_component(struct snapshot *s, const char *component)
{
        struct pci_address a;
        const char *why;

        if (pci_address_parse(component, false, &a, &why) == 0)
                return (struct device *)snapshot_find(s, &a);
        for (size_t i = 0; i < s->n_devices; i++)
                if (s->devices[i].bus != BUS_PCI && streq(s->devices[i].name, component))
                        return &s->devices[i];
        return NULL;
}

/*
 * The devices a class device (block, net, fb) sits under, found in its resolved sysfs path: a
 * PCI function and its bridges, a platform device, an fsl-mc object and its containers.
 */
static void mark_ancestors(struct snapshot *s, const char *class_path, const char *why)
{
        char real[PATH_MAX];
        const char *p;

        if (!realpath(class_path, real))
                return;
        for (p = real; (p = strchr(p, '/')); p++) {
                char component[BUS_DEVICE_NAME_MAX];
                const char *end = strchr(p + 1, '/');
                size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
                struct device *d;

                if (n == 0 || n >= sizeof(component))
                        continue;
                memcpy(component, p + 1, n);
                component[n] = '\0';
                d = find_component(s, component);
                if (d && !d->in_use[0] && !device_is_bridge(d))
                        snprintf(d->in_use, sizeof(d->in_use), "%s", why);
        }
}

/* Stacks (dm-crypt on md on partitions, a VLAN on a bond on NICs) are a few levels deep. */
#define STACK_DEPTH_MAX 8

/*
 * Whether a mount or swap source names the block device: "/dev/NAME", or "/dev/mapper/NAME"
 * for the device-mapper device of that name. btrfs mounts show an anonymous device number in
 * mountinfo, so the source is what says which device they are on.
 */
static bool source_names(const char *source, const char *block, const char *dm_name)
{
        if (!strncmp(source, "/dev/mapper/", 12))
                return *dm_name && streq(source + 12, dm_name);
        return !strncmp(source, "/dev/", 5) && streq(source + 5, block);
}

/*
 * A mounted filesystem on the block device: by the device number mountinfo gives, or by its
 * source; or active swap on the block device itself.
 */
static bool block_is_mounted(const struct mounts *m, const char *block, dev_t devnum,
                             const char *dm_name, const char **mountpoint)
{
        for (size_t i = 0; i < m->n_entries; i++) {
                const struct mount_entry *e = &m->entries[i];

                if (e->target && (e->devnum == devnum ||
                                  (e->source && source_names(e->source, block, dm_name)))) {
                        *mountpoint = e->target;
                        return true;
                }
        }
        return false;
}

static bool block_is_swap(const struct mounts *m, const char *block, const char *dm_name)
{
        for (size_t i = 0; i < m->n_entries; i++)
                if (m->entries[i].swap_partition && m->entries[i].source &&
                    source_names(m->entries[i].source, block, dm_name))
                        return true;
        return false;
}

/*
 * The device at path and what it is built on, linked in sysfs below it: a block device's
 * slaves/ (below "/slaves": the partition under an LVM volume, the disks of an md array), a
 * network interface's lower_* links (prefix "lower_": the ports of a bridge or bond, the NIC
 * under a VLAN, which carry what the upper one has).
 */
static void mark_stack(struct snapshot *s, const char *path, const char *below, const char *prefix,
                       const char *why, int depth)
{
        char dir_path[PATH_MAX];
        DIR *dir;
        struct dirent *de;

        mark_ancestors(s, path, why);
        if (depth >= STACK_DEPTH_MAX ||
            path_join(dir_path, sizeof(dir_path), "%s%s", path, below) < 0 ||
            !(dir = opendir(dir_path)))
                return;
        while ((de = readdir(dir))) {
                char lower[PATH_MAX];

                if (de->d_name[0] != '.' && !strncmp(de->d_name, prefix, strlen(prefix)) &&
                    path_join(lower, sizeof(lower), "%s/%s", dir_path, de->d_name) == 0)
                        mark_stack(s, lower, below, prefix, why, depth + 1);
        }
        closedir(dir);
}

/* A block device in use and those under it. */
static void mark_block(struct snapshot *s, const char *path, const char *why)
{
        mark_stack(s, path, "/slaves", "", why, 0);
}

/*
 * mounts: NULL when they are unknown (why says why); then a block device cannot be known to be
 * free, and is taken as in use.
 */
static void scan_block(struct snapshot *s, const struct mounts *mounts, const char *unknown_why)
{
        DIR *dir = opendir("/sys/class/block");
        struct dirent *de;

        if (!dir)
                return;
        while ((de = readdir(dir))) {
                char path[512], devnum_text[32], dm_name[128] = "", why[160];
                const char *mountpoint;
                unsigned major, minor;

                if (de->d_name[0] == '.' ||
                    path_join(path, sizeof(path), "/sys/class/block/%s/dev", de->d_name) < 0 ||
                    sysfs_read(path, devnum_text, sizeof(devnum_text)) < 0 ||
                    sscanf(devnum_text, "%u:%u", &major, &minor) != 2)
                        continue;
                if (path_join(path, sizeof(path), "/sys/class/block/%s/dm/name", de->d_name) == 0)
                        (void)sysfs_read(path, dm_name, sizeof(dm_name));
                if (!mounts)
                        snprintf(why, sizeof(why), "cannot tell whether %.32s is mounted (%.80s)",
                                 de->d_name, unknown_why);
                else if (block_is_mounted(mounts, de->d_name, makedev(major, minor), dm_name,
                                          &mountpoint))
                        snprintf(why, sizeof(why), "%.32s is mounted on %.100s", de->d_name,
                                 mountpoint);
                else if (block_is_swap(mounts, de->d_name, dm_name))
                        snprintf(why, sizeof(why), "%.32s is active swap", de->d_name);
                else
                        continue;
                path_join(path, sizeof(path), "/sys/class/block/%s", de->d_name);
                mark_block(s, path, why);
        }
        closedir(dir);
}

/*
 * A mounted btrfs names one of its devices in mountinfo; /sys/fs/btrfs/FSID/devices/ (made at
 * mount, gone at unmount) links every one of them: the other disks of a RAID1, say.
 */
static void scan_btrfs(struct snapshot *s)
{
        DIR *dir = opendir("/sys/fs/btrfs");
        struct dirent *de;

        if (!dir)
                return;
        while ((de = readdir(dir))) {
                char path[512], why[160];
                DIR *devices;
                struct dirent *member;

                /* "features" and the like have no devices/ */
                if (de->d_name[0] == '.' ||
                    path_join(path, sizeof(path), "/sys/fs/btrfs/%s/devices", de->d_name) < 0 ||
                    !(devices = opendir(path)))
                        continue;
                while ((member = readdir(devices))) {
                        char link[PATH_MAX];

                        if (member->d_name[0] == '.' ||
                            path_join(link, sizeof(link), "%s/%s", path, member->d_name) < 0)
                                continue;
                        snprintf(why, sizeof(why), "%.32s is in a mounted btrfs filesystem",
                                 member->d_name);
                        mark_block(s, link, why);
                }
                closedir(devices);
        }
        closedir(dir);
}

static bool iface_has_route(const char *ifname)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
        char line[512], name[IFNAMSIZ + 1];

        if (f)
                while (fgets(line, sizeof(line), f))
                        if (sscanf(line, "%16s", name) == 1 && streq(name, ifname))
                                return true;
        return false;
}

/* A global IPv6 address; link-local ones come with every interface that is up. */
static bool iface_has_ipv6(const char *ifname)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/net/if_inet6", "re");
        char line[512], addr[40], name[IFNAMSIZ + 1];

        if (f)
                while (fgets(line, sizeof(line), f))
                        if (sscanf(line, "%39s %*s %*s %*s %*s %16s", addr, name) == 2 &&
                            streq(name, ifname) && strncmp(addr, "fe80", 4) != 0)
                                return true;
        return false;
}

static void scan_net(struct snapshot *s)
{
        DIR *dir = opendir("/sys/class/net");
        struct dirent *de;

        if (!dir)
                return;
        while ((de = readdir(dir))) {
                char path[512], flags[32], why[160];
                unsigned long f;

                if (de->d_name[0] == '.' || strlen(de->d_name) >= IFNAMSIZ ||
                    path_join(path, sizeof(path), "/sys/class/net/%s/flags", de->d_name) < 0 ||
                    sysfs_read(path, flags, sizeof(flags)) < 0)
                        continue;
                f = strtoul(flags, NULL, 16);
                if (!(f & IFF_UP))
                        continue;
                if (iface_has_route(de->d_name))
                        snprintf(why, sizeof(why), "interface %.*s is up with routes", IFNAMSIZ, de->d_name);
                else if (iface_has_ipv6(de->d_name))
                        snprintf(why, sizeof(why), "interface %.*s is up with addresses", IFNAMSIZ, de->d_name);
                else
                        continue;
                path_join(path, sizeof(path), "/sys/class/net/%s", de->d_name);
                mark_stack(s, path, "", "lower_", why, 0); /* and its ports */
        }
        closedir(dir);
}

/* The boot VGA device drives the console when a framebuffer console is bound to it. */
void usage_scan_console(struct snapshot *s)
{
        DIR *dir = opendir("/sys/class/graphics");
        struct dirent *de;
        bool console = false;
        char buf[256];

        for (int i = 0; i < 8 && !console; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/sys/class/vtconsole/vtcon%d/bind", i);
                console = sysfs_read(path, buf, sizeof(buf)) == 0 && streq(buf, "1") &&
                          (snprintf(path, sizeof(path), "/sys/class/vtconsole/vtcon%d/name", i),
                           sysfs_read(path, buf, sizeof(buf)) == 0 && strstr(buf, "frame buffer"));
        }
        if (!dir)
                return;
        while (console && (de = readdir(dir))) {
                char path[512], why[160];

                if (strncmp(de->d_name, "fb", 2) != 0)
                        continue;
                snprintf(why, sizeof(why), "boot VGA device with the active console on %.16s",
                         de->d_name);
                if (path_join(path, sizeof(path), "/sys/class/graphics/%s/device", de->d_name) == 0)
                        mark_ancestors(s, path, why);
        }
        closedir(dir);
        /* efifb and simplefb sit on no PCI device: the boot VGA device is the one they use. */
        for (size_t i = 0; console && i < s->n_devices; i++)
                if (s->devices[i].boot_vga == 1 && !s->devices[i].in_use[0])
                        snprintf(s->devices[i].in_use, sizeof(s->devices[i].in_use),
                                 "boot VGA device with an active framebuffer console");
}

void usage_scan(struct snapshot *s)
{
        _cleanup_(mounts_done) struct mounts mounts = { 0 };
        char why[256];
        int r;

        r = mounts_read(&mounts, why, sizeof(why));
        if (r < 0 && in_initrd())
                /* Nothing is mounted from a disk before the initramfs mounts the root. */
                log_debug("Mounts not read in the initramfs: %s", why);
        else if (r < 0) {
                log_warning("Cannot read the mounts: %s; devices with block devices are taken as "
                            "in use", why);
                scan_block(s, NULL, why);
        } else
                scan_block(s, &mounts, NULL);
        scan_btrfs(s);
        scan_net(s);
        usage_scan_console(s);
}
