// SPDX-License-Identifier: GPL-2.0
/* ID match, override only: QEMU's NVMe controller 1b36:0010.
 * modpost writes vfio_pci:v00001B36d00000010sv*sd*bc*sc*i* (5 '*'),
 * the same count as vbt_nvme_class_vfio_pci's class alias. */
#include "vbt_stub.h"

static const struct pci_device_id vbt_nvme_id_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT, 0x0010) },
	{}
};
MODULE_DEVICE_TABLE(pci, vbt_nvme_id_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, vbt_nvme_id_table);
