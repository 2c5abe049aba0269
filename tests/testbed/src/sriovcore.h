/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sriovcore: what the kernel does when sriov_numvfs is written (drivers/pci/iov.c,
 * sriov_numvfs_store(), sriov_enable(), pci_iov_add_virtfn()).  The VFs' id, routing-id
 * offset and stride, and IOMMU groups come from $ROOT/testbed/devices/PF/sriov, which
 * mkhost writes from the host description (vf-id=, vf-offset=, vf-stride=, vf-group-base=).
 */
#pragma once

#include "pcidev.h"

/* One write() to PF/sriov_numvfs; the caller holds the bed lock. 0 or -errno. */
int tb_sriov_numvfs_store(struct tb_pdev *pf, const char *buf);
