/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "pci.h"

#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"
#define DRIVER_NAME_MAX 64
#define MODALIAS_MAX 128

struct device {
        enum bus bus;
        char name[BUS_DEVICE_NAME_MAX]; /* the sysfs name: canonical PCI address, platform name */
        char container[BUS_DEVICE_NAME_MAX]; /* fsl-mc: the dprc holding the object, "" at the root */
        int nesting; /* fsl-mc: how many containers hold it (0 for the root container) */
        struct pci_address address; /* PCI only */
        struct pci_id id, subsystem;
        uint32_t class_code; /* 24 bits: class, subclass, prog-if */
        int header_type; /* PCI: config space header type, multi-function bit off (pci.h) */
        char modalias[MODALIAS_MAX]; /* "" when missing or malformed: see problem */
        char driver[DRIVER_NAME_MAX]; /* "" when unbound */
        char driver_override[DRIVER_NAME_MAX]; /* "" when unset */
        int iommu_group; /* -1: none */
        bool is_virtfn;
        struct pci_address physfn;
        int vf_index; /* K of the PF's virtfnK link that names this VF; -1: none */
        unsigned sriov_totalvfs, sriov_numvfs;
        /* A PF's virtfnK links below sriov_numvfs that name no VF: VFs removed by hand. */
        unsigned sriov_vfs_missing;
        int boot_vga; /* -1: not a VGA device */
        /* PCI identities that survive renumbering (discover-identity.c); "", false: none. */
        char slot[PCI_SLOT_NAME_MAX];
        char path[PCI_PATH_MAX];
        bool has_serial;
        uint64_t serial;
        /* PCI: the enabled reset methods, space-separated (kernel 5.15+); absent: none to choose */
        bool has_reset_method;
        char reset_method[128];
        /*
         * The methods it is known to support: the kernel shows only the enabled ones, so after
         * vfio-bind narrowed them (or a hand did, after that) they are widened by what the record
         * says it had before (record_widen_reset_offered).
         */
        char reset_offered[128];
        char in_use[160]; /* why detaching it would hurt the host: mounted, up, console */
        char problem[160]; /* why this device cannot be handled, e.g. odd sysfs content */
};

struct snapshot {
        struct device *devices;
        size_t n_devices;
};

/*
 * Whether d's vendor:device was read: PCI-SIG assigns no vendor 0000 or ffff, so such an ID is
 * one sysfs did not give (the device left, or its attribute was malformed).
 */
static inline bool device_id_known(const struct device *d)
{
        return d->bus == BUS_PCI && d->id.vendor != 0 && d->id.vendor != 0xffff;
}

/* All PCI devices, in address order, serials included. Odd devices are kept, with problem set. */
int discover_snapshot(struct snapshot *ret);
enum discover_flags {
        /*
         * Read each PCI device's Device Serial Number: up to ~15 reads of its config space
         * each, which only a 'serial' entry or a printed row needs (the early run has neither).
         */
        DISCOVER_SERIALS = 1 << 0,
};

/*
 * PCI, and the other buses in mask (1 << BUS_PLATFORM ...): those after PCI, by bus, then name.
 * flags: enum discover_flags.
 */
int discover_snapshot_buses(unsigned bus_mask, unsigned flags, struct snapshot *ret);
/*
 * One device, as a snapshot would have it (udev's hotplug event), with its vf_index. -ENODEV
 * when it is not there, -EINVAL for a name not of its bus, -EBADMSG when a PCI device's IDs
 * or class cannot be read (ret filled as far as it could be, problem set).
 */
int discover_one(enum bus bus, const char *name, struct device *ret);
/*
 * Slot name, topology path and Device Serial Number of each PCI device, from sysfs: the slots'
 * 'address' files, the device's link in /sys/bus/pci/devices, its 'config' (only root reads
 * past the first 64 bytes, where the serial is; only with DISCOVER_SERIALS). What cannot be
 * read stays empty.
 */
void discover_identity(struct device *devices, size_t n, unsigned flags);
/* The snapshot's order: bus, then PCI address or sysfs name (fsl-mc: containers first, outer first). */
int device_compare(const struct device *a, const struct device *b);
void snapshot_done(struct snapshot *s);
const struct device *snapshot_find(const struct snapshot *s, const struct pci_address *a);
/* Any bus: the device with this sysfs name. */
const struct device *snapshot_find_name(const struct snapshot *s, enum bus bus, const char *name);
/*
 * The snapshot's own, writable entry for d, a device of s reached through a const pointer
 * (a selection, a plan): for the stages that refresh what they change. NULL when d is not in s.
 */
struct device *snapshot_device(struct snapshot *s, const struct device *d);
bool device_ref_matches(const struct device_ref *r, const struct device *d);
/* fsl-mc containers nest a few levels at most; the bound guards against a loop in odd sysfs. */
#define FSL_MC_NESTING_MAX 16
/* fsl-mc: whether d is an object (not a container) that sits in a container. */
bool fsl_mc_in_container(const struct device *d);
/* fsl-mc: whether d sits in container c, directly or in a container inside it. */
bool device_in_container(const struct snapshot *s, const struct device *d, const struct device *c);
bool device_is_bridge(const struct device *d);
/* The header type in a PCI device's sysfs 'config' (pci.h), or < 0. */
int pci_read_header_type(const char *config_path);
int pci_read_header_type_at(int dirfd, const char *config_path);
/* Whether a VFIO driver can take it at all: PCI bridges (header type not 0) it cannot. */
bool device_takes_vfio(const struct device *d);
/* The sysfs path of the device's attribute ATTR ("" for the device's own directory). */
int device_attr_path(const struct device *d, const char *attr, char *path, size_t size);
/*
 * SR-IOV: the K of pf's virtfnK link naming vf, read from sysfs (for one device, e.g. from
 * udev); -ENOENT. A snapshot has vf_index set on every VF already.
 */
int sriov_vf_index(const char *pf, const char *vf);
/* Re-read the fields apply changes (driver, driver_override, reset_method), straight from sysfs. -ENODEV: the
 * device is gone. */
int device_refresh(struct device *d);
/* The same without reset_method, between binding steps: unbind and probe leave it as it is. */
int device_refresh_binding(struct device *d);

/*
 * Vendor and model names from udev's hardware database, for people (list): udevd's record of
 * the device when it has one, else the modalias looked up in hwdb.bin. Either may be missing
 * (early boot, containers, test beds): then the name is "". Never needed to bind anything.
 */
struct device_names;
struct device_names *device_names_new(void);
struct device_names *device_names_free(struct device_names *n);
/* "Vendor Model", or whichever of the two is known; "" when neither is. */
void device_names_get(struct device_names *n, const struct device *d, char *buf, size_t size);
