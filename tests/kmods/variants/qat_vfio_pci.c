// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/qat (module qat_vfio_pci;
 * upstream registers the driver as "qat_vfio_pci"). */
#include "vbt_stub.h"

static const struct pci_device_id qat_vf_vfio_pci_table[] = {
	/* Intel QAT GEN4 4xxx VF device */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x4941) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x4943) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x4945) },
	/* Intel QAT GEN6 6xxx VF device */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x4949) },
	{}
};
MODULE_DEVICE_TABLE(pci, qat_vf_vfio_pci_table);

VBT_STUB_DRIVER("qat_vfio_pci", qat_vf_vfio_pci_table);
