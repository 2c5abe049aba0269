/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared body of the alias-only test modules.
 *
 * Each module carries the id table of an upstream vfio-pci variant driver
 * (override-only entries, so modpost writes "vfio_pci:..." aliases) and
 * registers a pci_driver whose name matches what upstream registers.
 * probe() refuses every device: these modules exist for modules.alias,
 * not for binding. Only vbt-e1000e-vfio-pci.c really binds.
 * Like every upstream variant they use vfio-pci-core (its AER handlers), so
 * depmod records that they depend on vfio-pci-core and vfio, which is how
 * vfio-bind tells a VFIO driver from the module tree.
 */
#ifndef VBT_STUB_H
#define VBT_STUB_H

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

#define VBT_STUB_DRIVER(drv_name, table)                                       \
	static int vbt_stub_probe(struct pci_dev *pdev,                        \
				  const struct pci_device_id *id)              \
	{                                                                      \
		pci_info(pdev, "%s: test stub, refusing device\n", drv_name);  \
		return -ENODEV;                                                \
	}                                                                      \
	static struct pci_driver vbt_stub_driver = {                           \
		.name = drv_name,                                              \
		.id_table = table,                                             \
		.probe = vbt_stub_probe,                                       \
		.err_handler = &vfio_pci_core_err_handlers,                    \
		.driver_managed_dma = true,                                    \
	};                                                                     \
	module_pci_driver(vbt_stub_driver);                                    \
	MODULE_LICENSE("GPL");                                                 \
	MODULE_DESCRIPTION("vfio-bind test stub carrying upstream vfio aliases")

#endif
