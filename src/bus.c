/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "macro.h"
#include "pci.h"
#include "sysfs.h"

static int pci_name_valid(const char *s, const char **why)
{
        struct pci_address a;

        return pci_address_parse(s, false, &a, why);
}

/* platform: "fff51000.ethernet", "serial8250", "ACPI0007:00". */
int platform_name_valid(const char *s, const char **why)
{
        size_t n = strlen(s);

        if (n == 0 || n >= BUS_DEVICE_NAME_MAX) {
                *why = "expected 1 to 64 characters";
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || strchr("._:-", s[i]))) {
                        *why = "only letters, digits, '.', '_', ':' and '-' may appear";
                        return -EINVAL;
                }
        if (strstr(s, "..") || streq(s, ".")) {
                *why = "'.' and '..' are not device names";
                return -EINVAL;
        }
        return 0;
}

/* fsl-mc: "TYPE.ID" as dev_set_name(&mc_dev->dev, "%s.%d", obj_desc->type, obj_desc->id). */
int fsl_mc_name_valid(const char *s, const char **why)
{
        const char *dot = strchr(s, '.'), *p;

        *why = "expected an object name such as dprc.1 or dpni.2 (dp, letters, '.', a number)";
        if (strlen(s) >= BUS_DEVICE_NAME_MAX || strncmp(s, "dp", 2) != 0 || !dot || dot - s < 3)
                return -EINVAL;
        for (p = s + 2; p < dot; p++)
                if (*p < 'a' || *p > 'z')
                        return -EINVAL;
        if (!dot[1] || (dot[1] == '0' && dot[2]))
                return -EINVAL;
        for (p = dot + 1; *p; p++)
                if (*p < '0' || *p > '9')
                        return -EINVAL;
        return 0;
}

static bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * cdx: dev_set_name(&cdx_dev->dev, "cdx-%02x:%02x", controller << CDX_CONTROLLER_ID_SHIFT |
 * bus_num, dev_num): both 8-bit, so exactly two lower-case hex digits each.
 */
int cdx_name_valid(const char *s, const char **why)
{
        if (strlen(s) != 9 || strncmp(s, "cdx-", 4) != 0 || !is_lower_hex(s[4]) ||
            !is_lower_hex(s[5]) || s[6] != ':' || !is_lower_hex(s[7]) || !is_lower_hex(s[8])) {
                *why = "expected cdx-BB:DD, two lower-case hex digits each, as in cdx-00:01";
                return -EINVAL;
        }
        return 0;
}

/*
 * The driver names are the kernel's (struct device_driver .name): "vfio-platform" in
 * drivers/vfio/platform/vfio_platform.c, "vfio-fsl-mc" in drivers/vfio/fsl-mc/vfio_fsl_mc.c,
 * "vfio-cdx" in drivers/vfio/cdx/main.c; their modules are vfio_platform, vfio_fsl_mc and
 * vfio_cdx. Only cdx has vfio_ aliases: vfio-platform and vfio-fsl-mc have no id table.
 */
static const struct bus_ops buses[_BUS_MAX] = {
        [BUS_PCI] = {
                .name = "pci", .devices_dir = "/sys/bus/pci/devices",
                .drivers_probe = "/sys/bus/pci/drivers_probe", .driver_prefix = "pci",
                .name_key = "address", .name_example = "0000:01:00.0",
                .vfio_aliases = true, .vfio_module = "vfio_pci", .vfio_driver = "vfio-pci",
                .name_valid = pci_name_valid,
        },
        [BUS_PLATFORM] = {
                .name = "platform", .devices_dir = "/sys/bus/platform/devices",
                .drivers_probe = "/sys/bus/platform/drivers_probe", .driver_prefix = "platform",
                .name_key = "name", .name_example = "fff51000.ethernet",
                .vfio_aliases = false, .vfio_module = "vfio_platform",
                .vfio_driver = "vfio-platform", .name_valid = platform_name_valid,
        },
        [BUS_FSL_MC] = {
                .name = "fsl-mc", .devices_dir = "/sys/bus/fsl-mc/devices",
                .drivers_probe = "/sys/bus/fsl-mc/drivers_probe", .driver_prefix = "fsl-mc",
                .name_key = "name", .name_example = "dpni.2",
                .vfio_aliases = false, .vfio_module = "vfio_fsl_mc",
                .vfio_driver = "vfio-fsl-mc", .name_valid = fsl_mc_name_valid,
        },
        /* CDX_DRIVER_OVERRIDE_DEVICE_VFIO: modpost writes vfio_cdx: aliases (file2alias.c). */
        [BUS_CDX] = {
                .name = "cdx", .devices_dir = "/sys/bus/cdx/devices",
                .drivers_probe = "/sys/bus/cdx/drivers_probe", .driver_prefix = "cdx",
                .name_key = "address", .name_example = "cdx-00:01",
                .vfio_aliases = true, .vfio_module = "vfio_cdx", .vfio_driver = "vfio-cdx",
                .name_valid = cdx_name_valid,
        },
};

const struct bus_ops *bus_get(enum bus b)
{
        return b < _BUS_MAX ? &buses[b] : &buses[BUS_PCI];
}

int bus_from_name(const char *s, enum bus *ret)
{
        for (size_t i = 0; i < _BUS_MAX; i++)
                if (streq(s, buses[i].name)) {
                        *ret = (enum bus)i;
                        return 0;
                }
        return -EINVAL;
}

enum bus bus_from_modalias(const char *modalias)
{
        for (size_t i = 0; i < _BUS_MAX; i++) {
                size_t n = strlen(buses[i].name);

                if (!strncmp(modalias, buses[i].name, n) && modalias[n] == ':')
                        return (enum bus)i;
        }
        return BUS_PCI;
}

const char *bus_names(void)
{
        return "pci, platform, fsl-mc, cdx";
}

bool modalias_has_compatible(const char *modalias, const char *compatible)
{
        size_t n = strlen(compatible);
        const char *p;

        if (strncmp(modalias, "of:", 3) != 0 || n == 0)
                return false;
        /* The node name and type come first (N...T...); each compatible follows a 'C'. */
        p = strchr(modalias, 'T');
        if (!p)
                return false;
        for (p = strchr(p, 'C'); p; p = strchr(p + 1, 'C'))
                if (strncmp(p + 1, compatible, n) == 0 && (p[1 + n] == 'C' || p[1 + n] == '\0'))
                        return true;
        return false;
}

bool fsl_mc_is_container(const char *name)
{
        return strncmp(name, "dprc.", 5) == 0;
}

int device_ref_parse(const char *s, bool allow_any, struct device_ref *ret, const char **why)
{
        struct device_ref r = { 0 };
        const char *pci_why, *other_why;

        if (pci_address_parse(s, allow_any, &r.address, &pci_why) == 0) {
                r.is_pci = true;
                r.bus_mask = 1u << BUS_PCI;
                pci_address_format(&r.address, r.name);
                *ret = r;
                return 0;
        }
        /* Hex digits, ':' and '.' only: meant as a PCI address, whatever else it could be. */
        if (!strchr(s, ':') || s[strspn(s, "0123456789abcdefABCDEF:.*")] != '\0')
                for (enum bus b = BUS_PCI + 1; b < _BUS_MAX; b++)
                        if (buses[b].name_valid(s, &other_why) == 0)
                                r.bus_mask |= 1u << b;
        if (!r.bus_mask) {
                /* With both ':' and '.', it was meant as a PCI address: say what is wrong in it. */
                *why = strchr(s, ':') && strchr(s, '.') && !strchr(s, '/')
                               ? pci_why
                               : "expected a PCI address such as 0000:01:00.0, or the sysfs name "
                                 "of a platform, fsl-mc or cdx device (fff51000.ethernet, dprc.2, "
                                 "cdx-00:01)";
                return -EINVAL;
        }
        snprintf(r.name, sizeof(r.name), "%s", s);
        *ret = r;
        return 0;
}

void device_ref_describe_missing(const struct device_ref *r, char *buf, size_t size)
{
        size_t n;

        if (r->is_pci) {
                snprintf(buf, size, "no PCI device %s", r->name);
                return;
        }
        n = (size_t)snprintf(buf, size, "no device %s on the", r->name);
        for (enum bus b = BUS_PCI + 1; b < _BUS_MAX && n < size; b++) {
                if (!(r->bus_mask & (1u << b)))
                        continue;
                /* "platform, fsl-mc or cdx": "or" before the last one */
                bool last = !(r->bus_mask >> (b + 1)), first = !(r->bus_mask & ((1u << b) - 1));
                n += (size_t)snprintf(buf + n, size - n, "%s%s", first ? " " : last ? " or " : ", ",
                                      buses[b].name);
        }
        if (n < size)
                snprintf(buf + n, size - n, " bus");
}

/* Every VFIO driver has "vfio" in its name: vfio-pci and the *_vfio_pci variants. */
bool driver_is_vfio(const char *driver)
{
        return strstr(driver, "vfio") != NULL;
}

bool module_driver_name(const char *module, char *buf, size_t size)
{
        return module_bus_driver_name(BUS_PCI, module, buf, size);
}

bool module_bus_driver_name(enum bus bus, const char *module, char *buf, size_t size)
{
        const struct bus_ops *ops = bus_get(bus);
        size_t plen = strlen(ops->driver_prefix);
        char path[128];
        struct dirent *de;
        DIR *dir;
        bool found = false;

        if (path_join(path, sizeof(path), "/sys/module/%s/drivers", module) == 0 &&
            (dir = opendir(path))) {
                while ((de = readdir(dir)))
                        if (strncmp(de->d_name, ops->driver_prefix, plen) == 0 &&
                            de->d_name[plen] == ':' && strlen(de->d_name + plen + 1) < size &&
                            de->d_name[plen + 1]) {
                                strcpy(buf, de->d_name + plen + 1);
                                found = true;
                                break;
                        }
                closedir(dir);
        }
        if (found)
                return true;
        /*
         * The bus's own VFIO module registers a dashed name (vfio_pci: vfio-pci, vfio_platform:
         * vfio-platform, see bus.c); variant drivers their module name (DESIGN.md).
         */
        snprintf(buf, size, "%s", streq(module, ops->vfio_module) ? ops->vfio_driver : module);
        return false;
}
