// SPDX-License-Identifier: GPL-2.0
/*
 * A real (minimal) vfio-pci variant driver for QEMU's e1000e (8086:10d3),
 * built out of tree against the Debian 6.1 headers: it is vfio-pci's own
 * device ops on top of vfio-pci-core (exported by vfio-pci-core.ko in 6.1),
 * without vfio-pci's module parameters, denylist, VGA/IGD handling.
 * A guest could use the device through it exactly as through vfio-pci.
 *
 * Override only: it binds only when driver_override holds
 * "vbt_e1000e_vfio_pci" (= KBUILD_MODNAME, like the 6.12 variant drivers).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

static int vbt_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops vbt_e1000e_vfio_pci_ops = {
	.name = "vbt-e1000e-vfio-pci",
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = vbt_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
};

static int vbt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev,
				 &vbt_e1000e_vfio_pci_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfio_pci_core_register_device(vdev);
	if (ret) {
		vfio_put_device(&vdev->vdev);
		return ret;
	}
	pci_info(pdev, "bound by %s\n", KBUILD_MODNAME);
	return 0;
}

static void vbt_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id vbt_e1000e_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10d3) }, /* QEMU e1000e (82574L) */
	{}
};
MODULE_DEVICE_TABLE(pci, vbt_e1000e_vfio_pci_table);

static struct pci_driver vbt_e1000e_vfio_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = vbt_e1000e_vfio_pci_table,
	.probe = vbt_probe,
	.remove = vbt_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	.driver_managed_dma = true,
};
module_pci_driver(vbt_e1000e_vfio_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfio-bind test: vfio-pci-core variant for QEMU e1000e");
