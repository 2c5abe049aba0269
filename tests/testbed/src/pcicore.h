/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcicore: what the kernel does when user space writes a sysfs attribute
 * (drivers/pci/pci-driver.c, drivers/base/bus.c, dd.c), and driver
 * registration.  Each entry point takes the bed lock itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct tb_pdev;

/* One write() of len bytes to the sysfs file vpath (canonical). 0 or -errno. */
int tb_store(const char *vpath, const char *buf, size_t len);
/* Called when a sysfs regular file is opened for reading: -ENOENT if it vanished. */
int tb_open_read(const char *vpath);
/* Attach a freshly registered driver to the devices it matches (caller holds the lock). */
void tb_driver_attach(const char *drv);
/* device_attach(): probe an unbound device with the first matching driver (caller holds the lock). */
void tb_device_attach(struct tb_pdev *d);
