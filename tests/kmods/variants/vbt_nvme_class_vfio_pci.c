// SPDX-License-Identifier: GPL-2.0
/* Class match, override only: every NVMe controller (class 01:08:02).
 * modpost writes vfio_pci:v*d*sv*sd*bc01sc08i02* (note the trailing '*'
 * it appends after a fully given class: 5 '*' in all). */
#include "vbt_stub.h"

static const struct pci_device_id vbt_nvme_class_table[] = {
	{
		.vendor = PCI_ANY_ID, .device = PCI_ANY_ID,
		.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID,
		.class = 0x010802, .class_mask = 0xffffff,
		.override_only = PCI_ID_F_VFIO_DRIVER_OVERRIDE,
	},
	{}
};
MODULE_DEVICE_TABLE(pci, vbt_nvme_class_table);

VBT_STUB_DRIVER(KBUILD_MODNAME, vbt_nvme_class_table);
