/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * faults: errors on demand, read from $ROOT/faults/ at the moment they apply,
 * so a test can change them between (or during) runs.  Errno values are names
 * ("EBUSY") or numbers; an empty file means the default given below.
 *   faults/load/MODULE        loading MODULE fails           (default EPERM)
 *   faults/unbind/ADDR        unbinding ADDR fails           (default EBUSY)
 *   faults/probe/ADDR         lines "DRV [ERRNO]" or "* [ERRNO]": probe of ADDR
 *                             by DRV fails                   (default EIO)
 *   faults/write              lines "PATH [ERRNO]": writing that sysfs file fails
 *                             (PATH through any symlink)     (default EIO)
 *   faults/vanish/ADDR        "ATTR [read|write|any]": the device disappears the
 *                             first time ATTR is opened for reading (open fails
 *                             ENOENT) or written (write fails ENODEV); one-shot.
 * Returns 0 (no fault) or a negative errno.
 */
#pragma once

#include <stdbool.h>

int tb_fault_load(const char *module);
int tb_fault_unbind(const char *addr);
int tb_fault_probe(const char *addr, const char *drv);
int tb_fault_write(const char *vpath);
/* true (and the fault is consumed) if ADDR should vanish on this access to ATTR */
bool tb_fault_vanish(const char *addr, const char *attr, bool write);
