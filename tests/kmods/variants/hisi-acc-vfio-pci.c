// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/hisilicon
 * (module hisi_acc_vfio_pci). Early versions registered the driver as
 * "hisi-acc-vfio-pci"; current upstream uses KBUILD_MODNAME. */
#include "vbt_stub.h"

#define VBT_HUAWEI_ZIP_VF  0xa251
#define VBT_HUAWEI_SEC_VF  0xa256
#define VBT_HUAWEI_HPRE_VF 0xa259

static const struct pci_device_id hisi_acc_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_HUAWEI, VBT_HUAWEI_SEC_VF) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_HUAWEI, VBT_HUAWEI_HPRE_VF) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_HUAWEI, VBT_HUAWEI_ZIP_VF) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hisi_acc_vfio_pci_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, hisi_acc_vfio_pci_table);
