/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The record of what vfio-bind bound, so that apply can give back a device that no entry
 * selects any more ("released") without touching devices that others put on VFIO (libvirt's
 * managed='yes', driverctl, a hand-written override): those are not in the record, or no longer
 * in the state vfio-bind left them in. It lives in /run: a reboot starts from the
 * configuration anyway, and the initramfs's /run is carried over to the real root.
 *
 * One line per device, fields separated by one space:
 *
 *     BUS NAME VENDOR:DEVICE|- DRIVER PREVIOUS|- ORIGIN [reset_method=M1,M2]
 *
 * DRIVER is what vfio-bind wrote to driver_override and bound, PREVIOUS the driver the device
 * was on before ("-": none, as in the initramfs before coldplug), ORIGIN the configuration
 * that bound it: "-" the host's (default files; the early run and udev), "cmdline" the kernel
 * command line's rd.vfio-bind.devices= (never released: they are for one boot), or the path
 * given with -c, bytes outside '!'..'~' and '\' written as \xHH. A run releases only what its
 * own configuration bound. The last field is there when vfio-bind wrote an entry's
 * 'reset_method': the methods the device had before, ','-separated (none: empty), which revert
 * and a release write back.
 */

#include <stdbool.h>
#include <stddef.h>

#include "bus.h"
#include "discover.h"

#define RECORD_DIR "/run/vfio-bind"
#define RECORD_PATH "/run/vfio-bind/bound" /* in RECORD_DIR */
#define RECORD_MAGIC "vfio-bind-bound 1"
#define RECORD_ENTRIES_MAX 4096
#define RECORD_SIZE_MAX (1024 * 1024)
#define RECORD_ORIGIN_MAX 512
#define RECORD_ORIGIN_HOST "-"
#define RECORD_ORIGIN_CMDLINE "cmdline"

struct record_entry {
        enum bus bus;
        char name[BUS_DEVICE_NAME_MAX];
        bool has_id; /* PCI always; the other buses have no vendor:device to compare */
        struct pci_id id;
        char driver[DRIVER_NAME_MAX];
        char previous[DRIVER_NAME_MAX]; /* "" none */
        char origin[RECORD_ORIGIN_MAX];
        bool has_reset_previous;
        char reset_previous[128]; /* space-separated, as the kernel reads and takes it */
};

struct record {
        struct record_entry *entries;
        size_t n_entries;
};

/* Pure. -EBADMSG with *bad_line (1-based) when the text is not a record this version wrote. */
int record_parse(const char *data, size_t size, struct record *ret, unsigned *bad_line);
/* Pure: the file's text, NUL-terminated, in *ret (free it). */
int record_format(const struct record *r, char **ret);

/*
 * Never fails for a bad file: a missing one is an empty record; one that is not a regular file
 * of ours (owner, mode), too big, or corrupt is logged as a warning and read as empty, so
 * that nothing is released on its word: then 1 (the next save replaces it). -ENOMEM only.
 */
int record_load(const char *path, struct record *ret);
/* Atomic: PATH.new, fsync, rename, fsync of the directory (made if missing). Call under the run lock. */
int record_save(const char *path, const struct record *r);
bool record_equal(const struct record *a, const struct record *b);
void record_done(struct record *r);

struct record_entry *record_find(const struct record *r, enum bus bus, const char *name);
int record_add(struct record *r, const struct record_entry *e);
/* 1 << BUS_x of the buses the record names, for discovery. */
unsigned record_bus_mask(const struct record *r);

/* The ORIGIN of a configuration: NULL (the host's) "-", else the -c path, made absolute, escaped. */
void record_origin(const char *config_path, char *buf, size_t size);

/*
 * Pure: d is still as vfio-bind left it: the same ids, and nothing but the driver vfio-bind
 * set in driver_override and driver (either may be empty, not both). Anything else means
 * someone changed it since, or another card sits in the slot: it is not ours any more.
 */
bool record_owns(const struct record_entry *e, const struct device *d);
/*
 * The kernel's reset_method shows only the enabled methods: after vfio-bind narrowed them, the
 * ones the record says a device had before are still offered. Adds those to each recorded
 * device's reset_offered (same name and ID), so that plan and status judge against them.
 */
void record_widen_reset_offered(const struct record *r, struct snapshot *s);
