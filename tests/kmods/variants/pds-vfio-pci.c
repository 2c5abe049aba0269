// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/pds (module pds_vfio_pci). */
#include "vbt_stub.h"

#define PCI_VENDOR_ID_PENSANDO 0x1dd8

static const struct pci_device_id pds_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_PENSANDO, 0x1003) }, /* Ethernet VF */
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, pds_vfio_pci_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, pds_vfio_pci_table);
