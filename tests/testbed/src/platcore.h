/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platcore: the platform bus (drivers/base/platform.c) in the bed. Devices live in
 * /sys/devices/platform/NAME; their OF compatible strings in $ROOT/testbed/platform/NAME
 * (one a line); a platform driver's compatible table in $ROOT/testbed/drivers/DRV/compat.
 * Matching (platform_match): a set driver_override lets only that driver match; else a
 * driver whose table lists one of the device's compatible strings. Drivers flagged
 * needs-iommu refuse a device without an IOMMU group (EINVAL), as vfio_platform_probe.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* mkhost: "platform NAME [compatible=A;B] [driver=DRV] [group=N]" */
int tb_plat_parse(char **tok, int ntok);
int tb_plat_build(void);
int tb_plat_driver_register(const char *drv, const char *module, bool needs_iommu,
			    const char *compat);
int tb_plat_driver_unregister(const char *drv);
/* preload: 1 and *ret set when vpath is a platform store it models, else 0 */
int tb_plat_store(const char *vpath, const char *dir, const char *parent, const char *buf,
		  size_t len, int *ret);
