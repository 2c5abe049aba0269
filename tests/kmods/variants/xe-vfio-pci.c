// SPDX-License-Identifier: GPL-2.0
/* Alias stub for upstream drivers/vfio/pci/xe (module xe_vfio_pci).
 *
 * NOTE: upstream registers the PCI driver as "xe-vfio-pci" (dashes) while
 * the module is xe_vfio_pci: driver_override must hold "xe-vfio-pci".
 * Kept on purpose, it is the counter-example to "driver name == module
 * name" among the variant drivers.
 *
 * Upstream's table is INTEL_PTL_IDS + INTEL_WCL_IDS + INTEL_BMG_IDS from
 * include/drm/intel/pciids.h; only the BMG G21 ids are copied here. */
#include "vbt_stub.h"

static const struct pci_device_id xe_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe202) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe209) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe20b) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe20c) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe20d) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe210) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe211) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe212) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe215) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0xe216) },
	{}
};
MODULE_DEVICE_TABLE(pci, xe_vfio_pci_table);

VBT_STUB_DRIVER("xe-vfio-pci", xe_vfio_pci_table);
