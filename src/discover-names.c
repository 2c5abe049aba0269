/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor and model names from udev's hardware database, for people (list). */
#include <fcntl.h>
#include <libudev.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "discover.h"
#include "log.h"
#include "sysfs.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)

struct device_names {
        struct udev *udev;
        struct udev_hwdb *hwdb; /* NULL without hwdb.bin */
};

struct device_names *device_names_new(void)
{
        struct device_names *n = calloc(1, sizeof(*n));

        if (!n)
                return NULL;
        n->udev = udev_new();
        if (!n->udev) {
                free(n);
                return NULL;
        }
        n->hwdb = udev_hwdb_new(n->udev);
        return n;
}

struct device_names *device_names_free(struct device_names *n)
{
        if (n) {
                udev_hwdb_unref(n->hwdb);
                udev_unref(n->udev);
                free(n);
        }
        return NULL;
}

/* Appends a database string, printable ASCII only (a table cell, one line). */
static void append_name(char *buf, size_t size, const char *s)
{
        size_t n = strlen(buf);

        if (!s || !*s)
                return;
        if (n && n + 1 < size)
                buf[n++] = ' ';
        for (; *s && n + 1 < size; s++)
                buf[n++] = (*s >= ' ' && *s <= '~') ? *s : '?';
        buf[n] = '\0';
}

void device_names_get(struct device_names *n, const struct device *d, char *buf, size_t size)
{
        _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
        const char *vendor = NULL, *model = NULL;
        struct udev_list_entry *e;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (!n)
                return;
        u = udev_device_new_from_subsystem_sysname(n->udev, bus_get(d->bus)->name, d->name);
        if (u) {
                vendor = udev_device_get_property_value(u, "ID_VENDOR_FROM_DATABASE");
                model = udev_device_get_property_value(u, "ID_MODEL_FROM_DATABASE");
        }
        if (!vendor && !model && n->hwdb && d->modalias[0])
                udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(n->hwdb, d->modalias, 0))
                {
                        const char *key = udev_list_entry_get_name(e);

                        if (streq(key, "ID_VENDOR_FROM_DATABASE"))
                                vendor = udev_list_entry_get_value(e);
                        else if (streq(key, "ID_MODEL_FROM_DATABASE"))
                                model = udev_list_entry_get_value(e);
                }
        /* The list entries stay valid until the next lookup, the udev_device until its unref. */
        append_name(buf, size, vendor);
        append_name(buf, size, model);
}
