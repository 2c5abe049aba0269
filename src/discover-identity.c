/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What names a PCI device when its bus number changes: its slot, its path, its serial number. */
#include <dirent.h>
#include <fcntl.h>

#include "discover.h"
#include "log.h"
#include "sysfs.h"

#define SYSFS_PCI_SLOTS "/sys/bus/pci/slots"
/* More than any machine has; the bound keeps an odd sysfs from costing memory. */
#define PCI_SLOTS_MAX 1024

struct slot {
        char name[PCI_SLOT_NAME_MAX];
        struct pci_address address; /* function: any */
        bool has_slot; /* false: the slot has no device number and holds the whole bus */
};


/* The slots that say where they are; others (no 'address', odd text) are skipped. */
static size_t read_slots(struct slot *slots, size_t capacity)
{
        _cleanup_(closedirp) DIR *dir = opendir(SYSFS_PCI_SLOTS);
        struct dirent *de;
        size_t n = 0;

        if (!dir)
                return 0;
        while (n < capacity && (de = readdir(dir))) {
                char path[256], value[64];
                struct slot *s = &slots[n];

                if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(s->name) ||
                    path_join(path, sizeof(path), SYSFS_PCI_SLOTS "/%s/address", de->d_name) < 0 ||
                    sysfs_read(path, value, sizeof(value)) < 0 ||
                    pci_slot_address_parse(value, &s->address, &s->has_slot) < 0)
                        continue;
                strcpy(s->name, de->d_name);
                n++;
        }
        return n;
}

static void find_slot(struct device *d, const struct slot *slots, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct pci_address a = slots[i].address;

                if (!slots[i].has_slot)
                        a.slot = d->address.slot;
                if (pci_address_match(&a, &d->address)) {
                        strcpy(d->slot, slots[i].name);
                        return;
                }
        }
}

static void read_path(struct device *d)
{
        char link[256], target[512];
        ssize_t n;

        if (device_attr_path(d, "", link, sizeof(link)) < 0)
                return;
        n = readlink(link, target, sizeof(target) - 1);
        if (n <= 0)
                return;
        target[n] = '\0';
        if (pci_path_from_sysfs(target, d->path, sizeof(d->path)) < 0) {
                log_debug("%s: no PCI path in its sysfs link '%s'", d->name, target);
                d->path[0] = '\0';
        }
}

static int read_config_file(void *userdata, size_t offset, uint8_t *buf, size_t n)
{
        ssize_t got = pread(*(int *)userdata, buf, n, (off_t)offset);

        return got == (ssize_t)n ? 0 : -EIO;
}

static void read_serial(struct device *d)
{
        _cleanup_close_ int fd = -1;
        char path[256];

        if (device_attr_path(d, "config", path, sizeof(path)) < 0)
                return;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        d->has_serial = pci_config_find_serial(read_config_file, &fd, &d->serial) == 0;
}

void discover_identity(struct device *devices, size_t n, unsigned flags)
{
        _cleanup_free_ struct slot *slots = calloc(PCI_SLOTS_MAX, sizeof(*slots));
        size_t n_slots = slots ? read_slots(slots, PCI_SLOTS_MAX) : 0;

        for (size_t i = 0; i < n; i++) {
                struct device *d = &devices[i];

                if (d->bus != BUS_PCI)
                        continue;
                find_slot(d, slots, n_slots);
                read_path(d);
                if (flags & DISCOVER_SERIALS)
                        read_serial(d);
        }
}
