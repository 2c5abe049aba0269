/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"

/*
 * The buses whose devices have driver_override, and what differs between them. Everything
 * else (override, unbind, drivers_probe, iommu_group) has the same sysfs semantics on each:
 * the driver core's driver_set_override() and bus_type attributes.
 */
enum bus {
        BUS_PCI,
        BUS_PLATFORM,
        BUS_FSL_MC,
        BUS_CDX,
        _BUS_MAX,
};

/* A device's sysfs name on any bus: platform names are limited to 64 characters here. */
#define BUS_DEVICE_NAME_MAX 65

struct bus_ops {
        const char *name;          /* the udev subsystem and the config's 'bus:' word */
        const char *devices_dir;   /* /sys/bus/NAME/devices */
        const char *drivers_probe; /* /sys/bus/NAME/drivers_probe */
        const char *driver_prefix; /* /sys/module/M/drivers/PREFIX:DRIVER */
        const char *name_key;      /* the config key that names one device: address or name */
        const char *name_example;
        /* Modules carry "vfio_" + modalias aliases on this bus (override-only id tables). */
        bool vfio_aliases;
        /* The bus's generic VFIO module and the driver it registers, for 'driver:' hints. */
        const char *vfio_module, *vfio_driver;
        /* 0, or -EINVAL with *why set: is s a device name this bus can have? */
        int (*name_valid)(const char *s, const char **why);
};

const struct bus_ops *bus_get(enum bus b);
/* -EINVAL when s names no bus we know. */
int bus_from_name(const char *s, enum bus *ret);
/* The bus a modalias names in its prefix ("cdx:v..."); PCI when none does (of:, acpi:). */
enum bus bus_from_modalias(const char *modalias);
/* "pci, platform, fsl-mc, cdx" */
const char *bus_names(void);

int platform_name_valid(const char *s, const char **why);
int fsl_mc_name_valid(const char *s, const char **why);
int cdx_name_valid(const char *s, const char **why);

/*
 * Whether an OF modalias ("of:NnameTtypeCcompat1Ccompat2...") lists compatible. The kernel
 * replaces spaces with '_' in it; compatible strings have none.
 */
bool modalias_has_compatible(const char *modalias, const char *compatible);

/* fsl-mc: a container (dprc.N) takes the objects it holds with it to its driver. */
bool fsl_mc_is_container(const char *name);

/*
 * A device named on the command line (revert, resolve, udev): a PCI address, "*" for the
 * function when allow_any, else the sysfs name of a device on another bus (fff51000.ethernet,
 * dprc.2, cdx-00:01). Such a name can be valid on several buses: bus_mask says which.
 */
struct device_ref {
        bool is_pci;
        struct pci_address address;
        char name[BUS_DEVICE_NAME_MAX];
        unsigned bus_mask; /* 1 << BUS_x: the buses the name can belong to */
};

/* -EINVAL with *why set when s is neither. */
int device_ref_parse(const char *s, bool allow_any, struct device_ref *ret, const char **why);
/* "no PCI device 0000:01:00.0" / "no device dprc.2 on the fsl-mc bus" */
void device_ref_describe_missing(const struct device_ref *r, char *buf, size_t size);

/* A driver name of VFIO: plan, apply and revert ask it of the drivers they see. */
bool driver_is_vfio(const char *driver);

/*
 * The PCI driver the module registers: /sys/module/M/drivers/pci:NAME when the module is
 * loaded or built in; otherwise the best guess (vfio_pci registers vfio-pci, variant drivers
 * their module name), which apply reads again after loading. Returns true when it was read.
 */
bool module_driver_name(const char *module, char *buf, size_t size);
/* The same for a bus: /sys/module/M/drivers/BUS:NAME; guesses from the bus's VFIO module. */
bool module_bus_driver_name(enum bus bus, const char *module, char *buf, size_t size);
