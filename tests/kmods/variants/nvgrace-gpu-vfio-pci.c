// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/nvgrace-gpu
 * (module nvgrace_gpu_vfio_pci). */
#include "vbt_stub.h"

static const struct pci_device_id nvgrace_gpu_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x2342) }, /* GH200 120GB */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x2345) }, /* GH200 480GB */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x2348) }, /* GH200 SKU */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x2941) }, /* GB200 SKU */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x31c2) }, /* GB300 SKU */
	{}
};
MODULE_DEVICE_TABLE(pci, nvgrace_gpu_vfio_pci_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, nvgrace_gpu_vfio_pci_table);
