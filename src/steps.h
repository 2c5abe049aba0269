/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The steps apply and revert share (apply.c), for revert.c. */

#include <libkmod.h>

#include "macro.h"
#include "pipeline.h"
#include "report.h"

int device_attr_write(const struct device *d, const char *attr, const char *value);
/* drivers_probe: succeeds whether or not a driver took the device. */
int device_probe(const struct device *d);
/*
 * The probe by one driver. Unlike drivers_probe, the kernel's bind_store returns the probe's own
 * error (vfio-pci: EINVAL without an IOMMU group, ...), and that is what the report should name.
 */
int device_bind_to(const struct device *d, const char *driver);

/*
 * Loads through libkmod as modprobe would: dependencies, softdeps, and modprobe.d blacklists.
 * Returns 0, LOAD_BLACKLISTED, or a negative errno (the kernel's: EPERM is lockdown or a missing
 * capability, not a blacklist).
 */
#define LOAD_BLACKLISTED 1
int module_load(struct kmod_ctx *ctx, const char *name);

/* res failed at step with error (< 0): the message is the formatted text, ": ", strerror. */
_printf_(4, 5) void result_fail(struct result *res, enum step step, int error, const char *fmt, ...);

/*
 * fsl-mc: the container of object d, read again (an earlier device of this run may have moved
 * it); NULL when it is gone or cannot be read.
 */
struct device *fsl_mc_reread_container(struct pipeline *p, const struct device *d);
