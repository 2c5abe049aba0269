/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "pci.h"

#define CONFIG_FILE_DEFAULT "/etc/vfio-bind.yaml"
#define CONFIG_DROPIN_DIR_DEFAULT "/etc/vfio-bind.d"
#define CONFIG_FILE_SIZE_MAX (1024 * 1024)
#define CONFIG_ENTRIES_MAX 4096
#define MODULE_NAME_MAX 56 /* the kernel's MODULE_NAME_LEN, NUL included */

struct config_location {
        const char *file; /* owned by struct config */
        unsigned line, column; /* 1-based */
};

enum group_policy {
        GROUP_DEVICE, /* only the device; its group must already be viable */
        GROUP_ALL,    /* also bind the other endpoints of its IOMMU group */
};

#define SRIOV_NUMVFS_MAX 65535 /* the kernel reads sriov_numvfs as a u16 */
#define SRIOV_VFS_MAX 256      /* indexes listed in one 'vfs' */

/* 'sriov:' on a PF entry: create numvfs VFs and bind them (or those listed in vfs), not the PF. */
struct config_sriov {
        bool set;
        bool replace; /* another non-zero count may be changed (through 0) */
        unsigned numvfs;
        unsigned n_vfs; /* 0: every VF */
        uint16_t vfs[SRIOV_VFS_MAX];
        struct config_location loc, numvfs_loc;
};

#define COMPATIBLE_MAX 128
#define RESET_METHOD_MAX 128 /* the kernel's methods, all of them, fit in 64 */

struct config_entry {
        struct config_location loc;
        enum bus bus; /* 'bus:', default pci */
        bool has_address, has_id, has_subsystem, has_class; /* PCI selectors */
        bool has_name, has_compatible; /* other buses: sysfs name (cdx: its address), OF compatible */
        char name[BUS_DEVICE_NAME_MAX];
        char compatible[COMPATIBLE_MAX];
        struct pci_address address;
        struct pci_id id;
        struct pci_id subsystem;
        uint32_t class_code;
        unsigned class_digits; /* 4: class+subclass, 6: with prog-if */
        char driver[MODULE_NAME_MAX]; /* module name, '-' folded to '_'; "" = resolve */
        struct config_location driver_loc;
        enum group_policy group;
        bool force;
        bool optional; /* may match nothing: no "missing" drift for an address or name entry */
        /* PCI identities that survive renumbering (discover.h: struct device has the same) */
        bool has_slot, has_path, has_serial;
        char slot[PCI_SLOT_NAME_MAX];
        char path[PCI_PATH_MAX];
        uint64_t serial;
        bool all_functions; /* 'functions: all': every function of a matched device's bus:device */
        struct config_sriov sriov;
        /* 'fallback: vfio_pci': when the chosen module fails to load or probe, bind to vfio-pci. */
        bool fallback;
        /* 'reset_method': the methods to write, space-separated as the kernel takes them; "" none. */
        char reset_method[RESET_METHOD_MAX];
        struct config_location reset_method_loc;
};

struct config {
        char **files;
        size_t n_files;
        struct config_entry *entries;
        size_t n_entries;
};

enum config_flags {
        /* Refuse files that others than root could have written (apply, plan): as sshd's StrictModes. */
        CONFIG_STRICT_PERMISSIONS = 1 << 0,
};

/* Each loads into c, logging every error with file:line:column; -EINVAL on any. */
int config_load_file(struct config *c, const char *path, enum config_flags flags);
int config_load_buffer(struct config *c, const char *name, const char *data, size_t size);
/* The default set: main file (may be absent) and the drop-in directory's *.yaml in order. */
int config_load_default(struct config *c, const char *main_path, const char *dropin_dir,
                        enum config_flags flags);
/* The buses other than PCI that entries name, as 1 << BUS_x bits (for discover_snapshot_buses). */
unsigned config_bus_mask(const struct config *c);
/* Whether an entry selects by Device Serial Number (discovery then reads the serials). */
bool config_has_serial_entry(const struct config *c);
/*
 * Cross-entry checks that need no host: duplicates, and two entries that disagree (driver,
 * 'sriov') where one selects only devices the other selects too. Call once everything is loaded.
 */
int config_check(const struct config *c);

/* How two entries that select one device disagree about it. */
enum entry_conflict {
        CONFLICT_NONE,
        CONFLICT_DRIVER,         /* different 'driver' */
        CONFLICT_SRIOV_BIND,     /* one gives the PF VFs, the other binds it */
        CONFLICT_SRIOV_SETTINGS, /* both 'sriov', with different numvfs, vfs or replace */
};
enum entry_conflict config_entries_conflict(const struct config_entry *a,
                                            const struct config_entry *b);
/* What the two say, with both locations; a first. */
void config_conflict_describe(enum entry_conflict kind, const struct config_entry *a,
                              const struct config_entry *b, char *buf, size_t size);
void config_done(struct config *c);
/* For sources other than files (the kernel command line): a name for locations, and entries. */
int config_add_source(struct config *c, const char *name, const char **ret);
int config_append_entry(struct config *c, const struct config_entry *e);

/* "address 0000:01:00.0", "id 10de:2204 subsystem 1458:403b class 0300". */
void config_entry_describe(const struct config_entry *e, char *buf, size_t size);
/* A module name as the kernel accepts it: [A-Za-z0-9_-], at most 55 characters. */
bool module_name_is_valid(const char *s);
