/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pipeline.h"
#include "report.h"

#define LOCK_PATH "/run/vfio-bind.lock"
#define LOCK_WAIT_MS 5000

/*
 * Runs the plan: per device load the module, set driver_override, unbind, probe, verify. A step
 * that fails puts the device back on its original driver. results[i] belongs to actions[i].
 * Returns the number of failed devices.
 */
size_t apply_plan(struct pipeline *p, struct result *results);

/* Clears the override and hands the device back to a host driver (loading it if needed). */
int revert_device(struct pipeline *p, struct device *d, struct result *res);

/* One run at a time: waits up to LOCK_WAIT_MS for the lock, then fails. Returns an fd. */
int take_run_lock(void);
