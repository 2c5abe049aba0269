/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doctor: each selected device (IOMMU group, boot framebuffer, reset, in use, resolution). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "log.h"
#include "macro.h"
#include "sysfs.h"

#define PROC_IOMEM "/proc/iomem"
#define PCI_BARS 6

static bool is_selected(const struct doctor *d, const struct device *dev)
{
        for (size_t i = 0; i < d->p.selection.n_items; i++)
                if (d->p.selection.items[i].device == dev && !d->p.selection.items[i].sriov_pf)
                        return true;
        return false;
}

/* The group is viable when no member stays on a host driver (bridges aside). */
static void check_group(struct doctor *d, const struct device *dev)
{
        char members[512] = "", blockers[256] = "", fix[384];
        size_t len = 0, blen = 0;

        if (dev->iommu_group < 0) {
                doctor_row(d, "iommu-group", CHECK_ERROR, dev->name,
                           "enable the IOMMU (see the iommu check)",
                           "no IOMMU group: VFIO drivers refuse it");
                return;
        }
        for (size_t i = 0; i < d->p.snapshot.n_devices; i++) {
                const struct device *m = &d->p.snapshot.devices[i];
                bool selected = is_selected(d, m), vfio = strstr(m->driver, "vfio") != NULL;
                bool fine = selected || vfio || !m->driver[0] || device_is_bridge(m);
                int w;

                if (m->iommu_group != dev->iommu_group)
                        continue;
                w = snprintf(members + len, sizeof(members) - len, "%s%s (%s)", len ? ", " : "",
                             m->name, selected ? "selected" : m->driver[0] ? m->driver : "no driver");
                len = w > 0 && (size_t)w < sizeof(members) - len ? len + (size_t)w : len;
                if (!fine) {
                        w = snprintf(blockers + blen, sizeof(blockers) - blen, "%s%s", blen ? " " : "",
                                     m->name);
                        blen = w > 0 && (size_t)w < sizeof(blockers) - blen ? blen + (size_t)w : blen;
                }
        }
        if (!blen) {
                doctor_row(d, "iommu-group", CHECK_OK, dev->name, NULL, "group %d: %s, viable",
                           dev->iommu_group, members);
                return;
        }
        snprintf(fix, sizeof(fix), "select %s too (its entry: 'group: all'), or move the card to "
                 "a slot with a group of its own", blockers);
        doctor_row(d, "iommu-group", CHECK_ERROR, dev->name, fix,
                   "group %d: %s: not viable, %s stays with the host", dev->iommu_group, members,
                   blockers);
}

struct range {
        uint64_t start, end;
};

/* The memory BARs of a PCI device from its 'resource' file; how many, or < 0. */
static int read_bars(const struct device *dev, struct range *bars)
{
        char path[PATH_MAX], line[128];
        FILE *f;
        int n = 0;

        if (device_attr_path(dev, "resource", path, sizeof(path)) < 0 || !(f = fopen(path, "re")))
                return -errno;
        for (int i = 0; i < PCI_BARS && fgets(line, sizeof(line), f); i++) {
                uint64_t start, end, flags;

                if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) == 3 &&
                    end > start)
                        bars[n++] = (struct range){ start, end };
        }
        fclose(f);
        return n;
}

/*
 * A firmware framebuffer that still claims memory in one of the BARs: its name and range.
 * 1 found, 0 none, -EPERM when /proc/iomem hides the addresses (not root), -errno.
 */
static int boot_framebuffer(const struct range *bars, int n_bars, char *name, size_t size,
                            struct range *ret)
{
        static const char *const holders[] = { "BOOTFB", "efifb", "simpledrm", "vesafb",
                                               "simple-framebuffer" };
        char line[256];
        bool all_zero = true;
        FILE *f = fopen(PROC_IOMEM, "re");

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                uint64_t start, end;
                int at = 0;

                if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &start, &end, &at) != 2 || !at)
                        continue;
                all_zero = all_zero && start == 0 && end == 0;
                line[strcspn(line, "\n")] = '\0';
                for (size_t h = 0; h < ELEMENTSOF(holders); h++) {
                        if (!strstr(line + at, holders[h]))
                                continue;
                        for (int b = 0; b < n_bars; b++)
                                if (start <= bars[b].end && end >= bars[b].start) {
                                        snprintf(name, size, "%s", line + at);
                                        *ret = (struct range){ start, end };
                                        fclose(f);
                                        return 1;
                                }
                }
        }
        fclose(f);
        return all_zero ? -EPERM : 0;
}

static void check_framebuffer(struct doctor *d, const struct device *dev)
{
        struct range bars[PCI_BARS], fb = { 0 };
        char name[128];
        int n, r;

        if (dev->bus != BUS_PCI || dev->boot_vga < 0)
                return; /* not a VGA device */
        n = read_bars(dev, bars);
        r = n < 0 ? n : boot_framebuffer(bars, n, name, sizeof(name), &fb);
        if (r > 0)
                doctor_row(d, "boot-framebuffer", CHECK_ERROR, dev->name,
                           "add initcall_blacklist=sysfb_init (simpledrm, efifb; kernel 5.15+) or "
                           "video=efifb:off to the kernel command line, or boot the firmware on "
                           "another GPU",
                           "%s holds %" PRIx64 "-%" PRIx64 " in this GPU's memory%s: vfio-pci "
                           "cannot reserve that BAR", name, fb.start, fb.end,
                           dev->boot_vga ? " (the boot VGA device)" : "");
        else if (r == -EPERM)
                doctor_row(d, "boot-framebuffer", CHECK_WARNING, dev->name, "run doctor as root",
                           "%s: " PROC_IOMEM " hides the addresses from this user",
                           dev->boot_vga ? "the boot VGA device" : "a VGA device");
        else if (r < 0)
                doctor_row(d, "boot-framebuffer", CHECK_WARNING, dev->name, NULL,
                           "%s: cannot compare its BARs with " PROC_IOMEM ": %s",
                           dev->boot_vga ? "the boot VGA device" : "a VGA device", strerror(-r));
        else
                doctor_row(d, "boot-framebuffer", CHECK_OK, dev->name, NULL,
                           "%s; no firmware framebuffer in its memory",
                           dev->boot_vga ? "the boot VGA device" : "not the boot VGA device");
}

static void check_reset(struct doctor *d, const struct device *dev)
{
        char path[PATH_MAX], methods[256];
        int r;

        if (dev->bus != BUS_PCI)
                return;
        r = device_attr_path(dev, "reset_method", path, sizeof(path));
        if (r == 0)
                r = sysfs_read(path, methods, sizeof(methods));
        if (r == -ENOENT && device_attr_path(dev, "reset", path, sizeof(path)) == 0 &&
            access(path, F_OK) == 0) {
                doctor_row(d, "reset", CHECK_OK, dev->name, NULL,
                           "can be reset ('reset'; this kernel has no reset_method to say how)");
                return;
        }
        if (r == 0 && methods[0])
                doctor_row(d, "reset", CHECK_OK, dev->name, NULL, "reset_method: %s", methods);
        else if (r == 0 || r == -ENOENT)
                doctor_row(d, "reset", CHECK_WARNING, dev->name,
                           "expect trouble when a guest restarts; a newer kernel or a vendor "
                           "reset module may add a method",
                           "no reset method: the next guest gets it as the last one left it");
        else
                doctor_row(d, "reset", CHECK_WARNING, dev->name, NULL, "cannot read %s: %s", path,
                           strerror(-r));
}

static void check_resolution(struct doctor *d, size_t i)
{
        const struct selected_device *item = &d->p.selection.items[i];
        const struct device *dev = item->device;
        const struct target *t = d->p.targets ? &d->p.targets[i] : NULL;
        struct resolution res = { 0 };

        if (!d->p.resolver || !t) {
                doctor_row(d, "resolution", CHECK_ERROR, dev->name,
                           "see the module-tree check of the running kernel",
                           "cannot be resolved: no module index for kernel %s", d->kver);
                return;
        }
        if (t->error == -EMEDIUMTYPE) {
                doctor_row(d, "resolution", CHECK_ERROR, dev->name,
                           "name a VFIO driver in its entry's 'driver', or none",
                           "'%s' is not a VFIO driver: %s", t->module, t->why);
                return;
        }
        if (t->error < 0) {
                doctor_row(d, "resolution", CHECK_ERROR, dev->name,
                           t->error == -ENOPKG ? "install the module, or name another in 'driver'"
                                               : NULL,
                           "no VFIO module%s%s: %s", t->module[0] ? " " : "", t->module,
                           strerror(-t->error));
                return;
        }
        if (item->driver[0])
                doctor_row(d, "resolution", CHECK_OK, dev->name, NULL,
                           "%s (driver %s), named by the configuration", t->module,
                           t->driver[0] ? t->driver : "not known until loaded");
        else if (dev->modalias[0] && resolver_lookup(d->p.resolver, dev->modalias, &res) == 0 &&
                 res.n_matches > 0)
                doctor_row(d, "resolution", CHECK_OK, dev->name, NULL,
                           "%s by alias %s%s", t->module, res.matches[0].pattern,
                           res.n_matches > 1 ? " (the most specific of several)" : "");
        else
                doctor_row(d, "resolution", CHECK_OK, dev->name, NULL, "%s (its bus's VFIO module)",
                           t->module);
        resolution_done(&res);
}

void doctor_check_devices(struct doctor *d)
{
        if (!d->config_loaded)
                return;
        for (size_t i = 0; i < d->p.selection.n_items; i++) {
                const struct selected_device *item = &d->p.selection.items[i];
                const struct device *dev = item->device;

                if (item->sriov_pf)
                        continue; /* stays on its host driver: its VFs are the ones bound */
                check_group(d, dev);
                check_framebuffer(d, dev);
                check_reset(d, dev);
                if (dev->in_use[0])
                        doctor_row(d, "in-use", item->force ? CHECK_OK : CHECK_WARNING, dev->name,
                                   item->force ? NULL
                                               : "the early run binds it before that use begins; "
                                                 "for a later run stop the use or set 'force: true'",
                                   "in use now: %s%s", dev->in_use,
                                   item->force ? " ('force: true')" : "");
                else
                        doctor_row(d, "in-use", CHECK_OK, dev->name, NULL, "not in use by the host");
                check_resolution(d, i);
        }
}
