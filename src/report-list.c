/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rows of 'list' and the document of 'resolve --json'. */
#include <json-c/json.h>

#include "log.h"
#include "macro.h"
#include "report.h"
#include "table.h"

/* The same names as result_columns for the same things (docs/output.md). */
const struct column list_columns[] = {
        { "address", COLUMN_DEFAULT, "the device: PCI address, or its sysfs name on other buses" },
        { "bus", 0, "pci, platform, fsl-mc or cdx" },
        { "container", 0, "fsl-mc: the container holding it" },
        { "id", COLUMN_DEFAULT, "vendor:device (PCI only)" },
        { "subsystem", 0, "subsystem vendor:device (PCI only)" },
        { "class", COLUMN_DEFAULT, "class, subclass, prog-if (PCI only)" },
        { "modalias", 0, "its modalias" },
        { "driver", COLUMN_DEFAULT, "the driver it is on now" },
        { "driver_override", COLUMN_DEFAULT, "its driver_override now" },
        { "iommu_group", COLUMN_DEFAULT | COLUMN_RIGHT, "its IOMMU group" },
        { "header_type", COLUMN_RIGHT, "PCI header type (0: endpoint; bridges take no VFIO driver)" },
        { "vfio_module", COLUMN_DEFAULT, "the VFIO module resolution chooses for it" },
        { "vfio_driver", 0, "the driver that module registers" },
        { "slot", COLUMN_DEFAULT, "PCI: its physical slot's name (a 'slot' entry)" },
        { "path", COLUMN_DEFAULT, "PCI: root bus, then device.function of each bridge and of the "
                                  "device (a 'path' entry)" },
        { "serial", 0, "PCI: its Device Serial Number (a 'serial' entry; root only)" },
        { "physfn", 0, "SR-IOV VF: its PF" },
        { "sriov_totalvfs", COLUMN_RIGHT, "SR-IOV PF: how many VFs it can have" },
        { "boot_vga", COLUMN_DEFAULT, "VGA device: whether the firmware booted on it (null: not VGA)" },
        { "in_use", COLUMN_DEFAULT | COLUMN_TRUNC, "why detaching it would hurt the host: mounted, "
                                                  "up, the console" },
        { "selected", COLUMN_DEFAULT, "whether the configuration selects it (null: no configuration)" },
        { "problem", 0, "why it cannot be handled" },
        { "name", COLUMN_DEFAULT | COLUMN_TABLE_ONLY | COLUMN_TRUNC,
          "vendor and model from the hardware database" },
};
const size_t list_columns_n = ELEMENTSOF(list_columns);

static struct json_object *list_row(const struct device *d, const struct target *tg,
                                    const bool *selected, struct device_names *names)
{
        struct json_object *o = json_object_new_object();
        /* A module that resolution found but refused is no VFIO module for it. */
        bool resolved = tg->error == 0;
        bool pci = d->bus == BUS_PCI;
        char id[16], sub[16], cls[8], pf[PCI_ADDRESS_MAX], name[128] = "";

        snprintf(id, sizeof(id), "%04x:%04x", d->id.vendor, d->id.device);
        snprintf(sub, sizeof(sub), "%04x:%04x", d->subsystem.vendor, d->subsystem.device);
        snprintf(cls, sizeof(cls), "%06x", d->class_code);
        if (d->is_virtfn)
                pci_address_format(&d->physfn, pf);
        if (names)
                device_names_get(names, d, name, sizeof(name));
        json_object_object_add(o, "address", json_object_new_string(d->name));
        json_object_object_add(o, "bus", json_object_new_string(bus_get(d->bus)->name));
        json_object_object_add(o, "container", json_string_or_null(d->container));
        json_object_object_add(o, "id", device_id_known(d) ? json_object_new_string(id) : NULL);
        json_object_object_add(o, "subsystem", pci ? json_object_new_string(sub) : NULL);
        json_object_object_add(o, "class", pci ? json_object_new_string(cls) : NULL);
        json_object_object_add(o, "modalias", json_string_or_null(d->modalias));
        json_object_object_add(o, "driver", json_string_or_null(d->driver));
        json_object_object_add(o, "driver_override", json_string_or_null(d->driver_override));
        json_object_object_add(o, "iommu_group",
                               d->iommu_group >= 0 ? json_object_new_int(d->iommu_group) : NULL);
        json_object_object_add(o, "header_type", pci ? json_object_new_int(d->header_type) : NULL);
        json_object_object_add(o, "vfio_module", resolved ? json_string_or_null(tg->module) : NULL);
        json_object_object_add(o, "vfio_driver", resolved ? json_string_or_null(tg->driver) : NULL);
        device_identity_json(o, d);
        json_object_object_add(o, "physfn", d->is_virtfn ? json_object_new_string(pf) : NULL);
        json_object_object_add(o, "sriov_totalvfs",
                               d->sriov_totalvfs ? json_object_new_int((int)d->sriov_totalvfs) : NULL);
        json_object_object_add(o, "boot_vga",
                               d->boot_vga >= 0 ? json_object_new_boolean(d->boot_vga) : NULL);
        json_object_object_add(o, "in_use", json_string_or_null(d->in_use));
        json_object_object_add(o, "selected", selected ? json_object_new_boolean(*selected) : NULL);
        json_object_object_add(o, "problem", json_string_or_null(d->problem));
        json_object_object_add(o, "name", json_string_or_null(name));
        return o;
}

void device_identity_json(struct json_object *o, const struct device *d)
{
        char serial[PCI_SERIAL_MAX];

        if (d->has_serial)
                pci_serial_format(d->serial, serial);
        json_object_object_add(o, "slot", json_string_or_null(d->slot));
        json_object_object_add(o, "path", json_string_or_null(d->path));
        json_object_object_add(o, "serial", d->has_serial ? json_object_new_string(serial) : NULL);
}

int report_list(const struct snapshot *s, const struct target *targets, const bool *selected,
                bool json)
{
        struct json_object *rows = json_object_new_array();
        struct device_names *names = NULL;
        int r;

        json = json || arg_output.mode == OUTPUT_JSON;
        /* Names are for people: the table has them, JSON keeps to what sysfs says. */
        if (!json)
                names = device_names_new();
        for (size_t i = 0; i < s->n_devices; i++)
                json_object_array_add(rows, list_row(&s->devices[i], &targets[i],
                                                     selected ? &selected[i] : NULL, names));
        device_names_free(names);
        if (json) {
                struct json_object *o = json_object_new_object();

                r = rows_for_json(list_columns, list_columns_n, arg_output.columns, rows);
                json_object_object_add(o, "devices", rows);
                return r < 0 ? (json_object_put(o), r) : print_json("list", o);
        }
        r = table_print_rows(list_columns, list_columns_n, &arg_output, rows, stdout);
        json_object_put(rows);
        return r;
}

int report_resolution(const char *modalias, const struct resolution *res, const char *driver,
                      bool json)
{
        struct json_object *o, *arr;

        if (!json && arg_output.mode != OUTPUT_JSON) {
                printf("%s\n", res->matches[0].module);
                return 0;
        }
        o = json_object_new_object();
        arr = json_object_new_array();
        json_object_object_add(o, "modalias", json_object_new_string(modalias));
        json_object_object_add(o, "vfio_module", json_object_new_string(res->matches[0].module));
        json_object_object_add(o, "vfio_driver", json_object_new_string(driver));
        for (size_t i = 0; i < res->n_matches; i++) {
                struct json_object *m = json_object_new_object();
                json_object_object_add(m, "vfio_module", json_object_new_string(res->matches[i].module));
                json_object_object_add(m, "alias", json_object_new_string(res->matches[i].pattern));
                json_object_object_add(m, "stars", json_object_new_int((int)res->matches[i].stars));
                json_object_object_add(m, "builtin", json_object_new_boolean(res->matches[i].builtin));
                json_object_array_add(arr, m);
        }
        json_object_object_add(o, "matches", arr);
        return print_json("resolve", o);
}
