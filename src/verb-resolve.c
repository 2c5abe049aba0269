/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <getopt.h>
#include <sys/stat.h>

#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "sysfs.h"
#include "verbs.h"

/* What the kernel writes to a modalias attribute: "BUS:...", printable, no '/'. */
static bool modalias_is_sane(const char *s)
{
        size_t bus_len = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

        if (bus_len == 0 || s[bus_len] != ':' || strlen(s) >= MODALIAS_MAX)
                return false;
        for (; *s; s++)
                if (!isgraph((unsigned char)*s) || *s == '/')
                        return false;
        return true;
}

/* resolve takes the devices of the buses with vfio_ aliases only. */
static int log_not_an_address(const char *s)
{
        log_error("resolve: '%s' is not a device address: expected a PCI address such as "
                  "0000:01:00.0, or the name of a cdx device such as cdx-00:01", s);
        return -EINVAL;
}

/* The modalias of the device ref names; errors are logged. */
static int read_modalias(const struct device_ref *ref, char *buf, size_t size, enum bus *ret_bus)
{
        char missing[160], path[512];
        struct stat st;
        int r;

        for (enum bus b = BUS_PCI; b < _BUS_MAX; b++) {
                const struct bus_ops *ops = bus_get(b);

                if (!(ref->bus_mask & (1u << b)) ||
                    path_join(path, sizeof(path), "%s/%s", ops->devices_dir, ref->name) < 0 ||
                    stat(path, &st) < 0)
                        continue;
                if (!ops->vfio_aliases)
                        return log_error("resolve: %s is a %s device, and the %s bus has no vfio_ "
                                         "module aliases: name its VFIO module in the "
                                         "configuration ('driver: %s')",
                                         ref->name, ops->name, ops->name, ops->vfio_module),
                               -ENOMSG;
                *ret_bus = b;
                if (b == BUS_PCI &&
                    path_join(path, sizeof(path), "%s/%s/config", ops->devices_dir, ref->name) == 0 &&
                    (r = pci_read_header_type(path)) > 0)
                        return log_error("resolve: %s is %s (header type %d): vfio-pci and its "
                                         "variants take only normal (type 0) devices",
                                         ref->name, pci_header_type_name(r), r),
                               -EMEDIUMTYPE;
                path_join(path, sizeof(path), "%s/%s/modalias", ops->devices_dir, ref->name);
                r = sysfs_read(path, buf, size);
                if (r == -ENOENT)
                        return log_error("resolve: %s has no 'modalias' attribute", ref->name), r;
                if (r == -E2BIG)
                        return log_error("resolve: the 'modalias' of %s is too long", ref->name), r;
                if (r < 0)
                        return log_error_errno(r, "resolve: cannot read %s: %m", path);
                return 0;
        }
        /*
         * Resolution is for the buses with vfio_ aliases: a name that only another bus could have
         * (any word is a valid platform name) is no device address here, not a missing device.
         */
        for (enum bus b = BUS_PCI; b < _BUS_MAX; b++)
                if ((ref->bus_mask & (1u << b)) && bus_get(b)->vfio_aliases) {
                        if (b == BUS_PCI)
                                device_ref_describe_missing(ref, missing, sizeof(missing));
                        else
                                snprintf(missing, sizeof(missing), "no %s device %s",
                                         bus_get(b)->name, ref->name);
                        return log_error("resolve: %s", missing), -ENODEV;
                }
        return log_not_an_address(ref->name);
}

int verb_resolve(int argc, char *argv[])
{
        enum { ARG_MODDIR = 0x100, ARG_KVER, ARG_MODALIAS };
        static const struct option options[] = {
                { "modalias", required_argument, NULL, ARG_MODALIAS },
                { "moddir", required_argument, NULL, ARG_MODDIR },
                { "kver", required_argument, NULL, ARG_KVER },
                { "json", no_argument, NULL, 'j' },
                VERB_COMMON_OPTIONS,
                {},
        };
        const char *moddir = NULL, *kver = NULL, *modalias = NULL;
        enum bus bus = BUS_PCI;
        struct resolution res = { 0 };
        struct resolver *resolver = NULL;
        char buf[SYSFS_VALUE_MAX], driver[DRIVER_NAME_MAX], not_vfio[128];
        bool json = false;
        int c, r, n_operands = 0;

        optind = 0;
        while ((c = verb_getopt(argc, argv, "resolve", "", options, NULL, &n_operands)) >= 0)
                switch (c) {
                case ARG_MODALIAS:
                        modalias = optarg;
                        break;
                case ARG_MODDIR:
                        moddir = optarg;
                        break;
                case ARG_KVER:
                        kver = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        printf("Usage: vfio-bind resolve DEVICE | --modalias STRING [--kver VER] [--moddir DIR] [--json]\n\n"
                               "Print the vfio module the device would get: \"vfio_\" + its modalias,\n"
                               "matched against the kernel's module aliases; the alias with the fewest\n"
                               "'*' wins, then the longer alias, then the module name.\n\n"
                               "  --modalias STRING  resolve this modalias instead of a device's\n"
                               "  --moddir DIR       the module tree of the kernel (default /lib/modules/VER)\n"
                               "  --kver VER         the kernel version (default $(uname -r))\n"
                               "  --json             every matching alias with its '*' count\n");
                        return EXIT_OK;
                default:
                        return usage_error("resolve"), EXIT_USAGE;
                }
        if (!kver_option_valid("resolve", kver))
                return usage_error("resolve"), EXIT_USAGE;
        if (!!modalias == (optind < argc) || argc - optind > 1) {
                log_error("resolve: give one DEVICE or --modalias STRING");
                return usage_error("resolve"), EXIT_USAGE;
        }
        if (!modalias) {
                struct device_ref ref;
                const char *why;

                if (device_ref_parse(argv[optind], false, &ref, &why) < 0) {
                        /* Meant as a PCI address (device_ref_parse): what is wrong in it. */
                        if (strchr(argv[optind], ':') && strchr(argv[optind], '.'))
                                log_error("resolve: invalid address '%s': %s", argv[optind], why);
                        else
                                log_not_an_address(argv[optind]);
                        return EXIT_USAGE;
                }
                r = read_modalias(&ref, buf, sizeof(buf), &bus);
                if (r < 0)
                        return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
                modalias = buf;
        } else
                bus = bus_from_modalias(modalias);
        if (!modalias_is_sane(modalias)) {
                log_error("resolve: '%s' is not a modalias (BUS:..., such as pci:v000010DEd..., "
                          "printable, no '/', under %d bytes)",
                          modalias, MODALIAS_MAX);
                return EXIT_USAGE;
        }
        r = resolver_open(moddir, kver, LOG_ERR, "resolve", &resolver);
        if (r < 0)
                return EXIT_FAILED;
        r = resolver_lookup(resolver, modalias, &res);
        if (r == -ENOENT)
                log_error("resolve: no vfio_ alias matches '%s' in %s", modalias,
                          resolver_dirname(resolver));
        else if (r < 0)
                log_error_errno(r, "resolve: lookup of '%s' failed: %m", modalias);
        else if ((r = resolver_vfio_driver(resolver, bus, res.matches[0].module,
                                           res.matches[0].builtin, not_vfio,
                                           sizeof(not_vfio))) < 0)
                log_error_errno(r, "resolve: '%s' matches, but module '%s' is not a VFIO "
                                "driver: %s", modalias, res.matches[0].module,
                                r == -EMEDIUMTYPE ? not_vfio : "%m");
        else {
                module_bus_driver_name(bus, res.matches[0].module, driver, sizeof(driver));
                report_resolution(modalias, &res, driver, json);
        }
        resolution_done(&res);
        resolver_free(resolver);
        return r < 0 ? EXIT_FAILED : EXIT_OK;
}
