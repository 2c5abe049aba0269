// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/virtio (module virtio_vfio_pci).
 * 1af4:1041 is virtio-net (modern); newer upstream adds 1af4:1042
 * (virtio-block). Upstream has no 1af4:1000 entry. */
#include "vbt_stub.h"

static const struct pci_device_id virtiovf_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1041) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1042) },
	{}
};
MODULE_DEVICE_TABLE(pci, virtiovf_pci_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, virtiovf_pci_table);
