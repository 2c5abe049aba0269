// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/mlx5 (module mlx5_vfio_pci).
 * Upstream table (Linux 6.x up to today): one entry, 15b3:101e. */
#include "vbt_stub.h"

static const struct pci_device_id mlx5vf_pci_table[] = {
	/* ConnectX Family mlx5Gen Virtual Function */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_MELLANOX, 0x101e) },
	{}
};
MODULE_DEVICE_TABLE(pci, mlx5vf_pci_table);

/* upstream: .name = KBUILD_MODNAME */
VBT_STUB_DRIVER(KBUILD_MODNAME, mlx5vf_pci_table);
