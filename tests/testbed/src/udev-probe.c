// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * udev-probe: what an unmodified libudev program sees.  For every PCI device:
 *   ADDR modalias=... driver=...|- override=...|- group=N|-
 * "set ADDR ATTR VALUE": udev_device_set_sysattr_value() (exit 1 on error).
 * "write PATH VALUE": open(O_WRONLY|O_CLOEXEC), one write(), close(), as vfio-bind's
 * sysfs.c does; prints the errno of the write (exit 1 on error).
 * "lookup ALIAS": libkmod (kmod_new(NULL, NULL), so uname() and /lib/modules of the
 * bed) lists the modules matching ALIAS as "NAME live|builtin|coming|going|-".
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int set_attr(struct udev *udev, const char *addr, const char *attr, const char *value)
{
	struct udev_device *dev = udev_device_new_from_subsystem_sysname(udev, "pci", addr);
	int r;

	if (!dev) {
		fprintf(stderr, "udev-probe: no device %s: %m\n", addr);
		return 1;
	}
	r = udev_device_set_sysattr_value(dev, attr, value);
	udev_device_unref(dev);
	if (r < 0) {
		fprintf(stderr, "udev-probe: set %s/%s: %s\n", addr, attr, strerror(-r));
		return 1;
	}
	return 0;
}

static int write_attr(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "udev-probe: open %s: %m\n", path);
		return 1;
	}
	n = write(fd, value, len);
	if (n < 0) {
		fprintf(stderr, "udev-probe: write %s: %m\n", path);
		close(fd);
		return 1;
	}
	if (close(fd) < 0) {
		fprintf(stderr, "udev-probe: close %s: %m\n", path);
		return 1;
	}
	return (size_t)n == len ? 0 : 1;
}

static int lookup(const char *alias)
{
	static const char *const states[] = { "builtin", "live", "coming", "going" };
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_list *list = NULL, *l;
	int r;

	if (!ctx)
		return 2;
	r = kmod_module_new_from_lookup(ctx, alias, &list);
	if (r < 0) {
		fprintf(stderr, "udev-probe: lookup %s: %s\n", alias, strerror(-r));
		kmod_unref(ctx);
		return 1;
	}
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);
		int st = kmod_module_get_initstate(mod);

		printf("%s %s\n", kmod_module_get_name(mod),
		       st >= 0 && st < 4 ? states[st] : "-");
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "lookup"))
		return lookup(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_attr(argv[2], argv[3]);
	struct udev *udev = udev_new();
	struct udev_enumerate *e;
	struct udev_list_entry *item;
	int r = 0;

	if (!udev)
		return 2;
	if (argc == 5 && !strcmp(argv[1], "set")) {
		r = set_attr(udev, argv[2], argv[3], argv[4]);
		udev_unref(udev);
		return r;
	}
	e = udev_enumerate_new(udev);
	if (!e || udev_enumerate_add_match_subsystem(e, "pci") < 0 ||
	    udev_enumerate_scan_devices(e) < 0) {
		fprintf(stderr, "udev-probe: enumeration failed\n");
		return 2;
	}
	udev_list_entry_foreach(item, udev_enumerate_get_list_entry(e)) {
		const char *path = udev_list_entry_get_name(item), *s;
		struct udev_device *dev = udev_device_new_from_syspath(udev, path);
		const char *drv, *ovr, *alias;
		char group[4096] = "-", link[4096], target[4096];
		ssize_t n;

		if (!dev) {
			fprintf(stderr, "udev-probe: %s: %m\n", path);
			r = 1;
			continue;
		}
		drv = udev_device_get_driver(dev);
		ovr = udev_device_get_sysattr_value(dev, "driver_override");
		alias = udev_device_get_sysattr_value(dev, "modalias");
		/* libudev resolves only driver/subsystem/module links: read this one directly */
		if (snprintf(link, sizeof(link), "%s/iommu_group", path) < (int)sizeof(link) &&
		    (n = readlink(link, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			s = strrchr(target, '/');
			snprintf(group, sizeof(group), "%s", s ? s + 1 : target);
		}
		printf("%s modalias=%s driver=%s override=%s group=%s\n",
		       udev_device_get_sysname(dev), alias ? alias : "-", drv ? drv : "-",
		       ovr && strcmp(ovr, "(null)") ? ovr : "-", group);
		udev_device_unref(dev);
	}
	udev_enumerate_unref(e);
	udev_unref(udev);
	return r;
}
