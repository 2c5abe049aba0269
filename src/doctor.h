/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pipeline.h"
#include "resolve.h"

/*
 * 'vfio-bind doctor': will the next boot bind what the configuration says? Read-only checks of
 * the host, the module trees, the initramfs images and each selected device, one row each
 * (check, result, device, seen, fix). No file of doctor's opens anything for writing.
 */

enum check_result {
        CHECK_OK,
        CHECK_WARNING,
        CHECK_ERROR,
};

struct doctor {
        struct json_object *rows;
        bool any_error;
        struct pipeline p;
        bool config_loaded; /* p.config holds the configuration, p.selection its devices */
        char *cmdline;      /* /proc/cmdline, "" when unreadable */
        char kver[KVER_MAX];      /* the running kernel's */
        const char *extra_kver;   /* --kver, NULL when not given */
        const char **images;      /* --initramfs, NULL-terminated; NULL: the installed ones */
};

/* One row: fix NULL when there is nothing to do, device NULL for the host's checks. */
void doctor_row(struct doctor *d, const char *check, enum check_result r, const char *device,
                const char *fix, const char *seen_fmt, ...) __attribute__((format(printf, 6, 7)));

/* doctor-host.c: the IOMMU, the kernel command line, module trees, the other binders, udev. */
void doctor_check_iommu(struct doctor *d);
void doctor_check_module_tree(struct doctor *d, const char *kver);
void doctor_check_other_binders(struct doctor *d);
void doctor_check_udev(struct doctor *d);

/* doctor-device.c: each selected device. */
void doctor_check_devices(struct doctor *d);

/* doctor-initramfs.c: each image (given, or those of the installed kernels). */
void doctor_check_initramfs(struct doctor *d);

/* Whether the tree's modules.builtin lists module ('-' and '_' alike). */
bool module_tree_builtin(const char *moddir, const char *module);
