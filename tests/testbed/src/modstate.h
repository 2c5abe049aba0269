/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modstate: kernel module state in the bed (/sys/module, /proc/modules) and
 * the per-module spec mkhost writes to $ROOT/testbed/modules/NAME:
 *   driver DRV            PCI driver the module registers (optional)
 *   needs-iommu           its probe refuses devices without an IOMMU group
 *   bus BUS               the driver is on platform, fsl-mc or cdx (buscore.h), else PCI
 *   depends A B ...       modules that must be loaded first
 *   id V D SV SD CLASS MASK OVERRIDE-ONLY   (pcidev.h id format)
 * Loaded modules in load order: $ROOT/testbed/modules-loaded.
 */
#pragma once

#include <stdbool.h>

#include "bedfs.h"
#include "pcidev.h"

#define TB_MAX_DEPS 16

struct tb_modspec {
	char name[TB_NAME_MAX];
	char driver[TB_NAME_MAX]; /* "" if none */
	bool needs_iommu;
	char bus[16]; /* "bus NAME": a driver of that buscore bus (ids: its table), else PCI */
	int ndeps;
	char deps[TB_MAX_DEPS][TB_NAME_MAX];
	char ids[8192]; /* id lines without the "id " prefix (a buscore driver's table) */
};

int tb_modspec_read(const char *name, struct tb_modspec *m);
/* Create /sys/module/NAME and register its driver; builtin: no initstate/refcnt/proc line. */
int tb_module_instantiate(const struct tb_modspec *m, bool builtin, const char *params);
int tb_module_destroy(const char *name);
int tb_proc_modules_write(void);
bool tb_module_present(const char *name); /* loaded or built-in */
bool tb_module_live(const char *name);
