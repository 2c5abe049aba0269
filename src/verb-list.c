/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "usage.h"
#include "verbs.h"

/* A filter given to list: a vendor:device id, or a device (address, 0000:01:00.*, a name). */
struct list_filter {
        const char *arg;
        bool is_id;
        struct pci_id id;
        struct device_ref ref;
        bool matched;
};

static int filter_parse(const char *arg, struct list_filter *ret)
{
        const char *why;

        *ret = (struct list_filter){ .arg = arg };
        /* An id before a name: another bus's device may be named anything, 10de:2204 too. */
        if (pci_id_parse(arg, &ret->id, &why) == 0) {
                ret->is_id = true;
                return 0;
        }
        if (device_ref_parse(arg, true, &ret->ref, &why) < 0) {
                log_error("list: invalid device '%s': %s (give an address, a name or "
                          "vendor:device)", arg, why);
                return -EINVAL;
        }
        return 0;
}

static bool filter_matches(struct list_filter *f, const struct device *d)
{
        bool m = f->is_id ? d->bus == BUS_PCI && d->id.vendor == f->id.vendor &&
                                    d->id.device == f->id.device
                          : device_ref_matches(&f->ref, d);

        f->matched = f->matched || m;
        return m;
}

/*
 * Which devices the configuration selects, for the "selected" column: NULL (the column null)
 * when there is no configuration, or when it cannot be read (said once, not an error for list).
 */
static bool *selected_devices(const struct snapshot *s)
{
        struct config c = { 0 };
        struct selection sel = { 0 };
        bool *selected = NULL;
        int r;

        r = arg_config ? config_load_file(&c, arg_config, 0)
                       : config_load_default(&c, CONFIG_FILE_DEFAULT, CONFIG_DROPIN_DIR_DEFAULT, 0);
        /* Entries that contradict each other, across files too, are errors as plan says. */
        if (r >= 0)
                r = config_check(&c);
        if (r < 0)
                log_warning("list: the configuration has errors; not saying which devices it "
                            "selects");
        else if (c.n_files > 0 && select_devices(&c, s, &sel) >= 0) {
                selected = calloc(s->n_devices + 1, sizeof(*selected));
                for (size_t i = 0; selected && i < sel.n_items; i++)
                        selected[sel.items[i].device - s->devices] = true;
                selection_done(&sel);
        }
        config_done(&c);
        return selected;
}

int verb_list(int argc, char *argv[])
{
        _cleanup_free_ struct target *targets = NULL;
        _cleanup_free_ struct list_filter *filters = NULL;
        _cleanup_free_ bool *selected = NULL;
        struct resolver *resolver = NULL;
        struct snapshot s = { 0 };
        struct verb_options o;
        size_t kept = 0;
        int r, n_filters, status = EXIT_OK;

        r = parse_verb_options(argc, argv, "list", "list [--json] [--bus BUS|all] [OUTPUT OPTIONS] [DEVICE|VENDOR:DEVICE...]\n\n"
                         "List every PCI device (or those given) with its ids, class, driver,\n"
                         "driver_override, IOMMU group, the vfio module resolution would choose\n"
                         "for it, whether it is the boot VGA device or in use, and whether the\n"
                         "configuration selects it.\n\n"
                         "  --bus BUS  also the devices of BUS (platform, fsl-mc, cdx), or all\n"
                         "  --json     one JSON document", OPT_JSON | OPT_BUS | OPT_ARGS, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        n_filters = argc - optind;
        filters = calloc((size_t)n_filters + 1, sizeof(*filters));
        if (!filters)
                return EXIT_FAILED;
        for (int i = 0; i < n_filters; i++) {
                if (filter_parse(argv[optind + i], &filters[i]) < 0)
                        return usage_error("list"), EXIT_USAGE;
                if (!filters[i].is_id)
                        o.buses |= filters[i].ref.bus_mask & ~(1u << BUS_PCI);
        }
        r = discover_snapshot_buses(o.buses, DISCOVER_SERIALS, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m"), EXIT_FAILED;
        usage_scan(&s); /* fills in_use */
        targets = calloc(s.n_devices + 1, sizeof(*targets));
        if (!targets) {
                snapshot_done(&s);
                return EXIT_FAILED;
        }
        selected = selected_devices(&s);
        /* Listing goes on without resolutions. */
        r = resolver_new(NULL, NULL, &resolver);
        if (r < 0) {
                char why[INDEX_ERROR_MAX];

                (void)resolver_describe_error(NULL, NULL, r, why, sizeof(why));
                log_warning("list: %s; no VFIO module is shown", why);
        }
        for (size_t i = 0; resolver && i < s.n_devices; i++)
                if (!s.devices[i].problem[0] && device_takes_vfio(&s.devices[i]))
                        resolve_target(resolver, &s.devices[i], NULL, &targets[i]);
        /* The devices asked for, in the snapshot's order (its array and the two beside it). */
        for (size_t i = 0; i < s.n_devices; i++) {
                bool keep = n_filters == 0;

                for (int f = 0; f < n_filters; f++)
                        keep = filter_matches(&filters[f], &s.devices[i]) || keep;
                if (!keep)
                        continue;
                s.devices[kept] = s.devices[i];
                targets[kept] = targets[i];
                if (selected)
                        selected[kept] = selected[i];
                kept++;
        }
        s.n_devices = kept;
        for (int f = 0; f < n_filters; f++)
                if (!filters[f].matched) {
                        log_error("list: no device matches '%s'", filters[f].arg);
                        status = EXIT_FAILED;
                }
        /* The table has no column for it by default (JSON has "problem"): one line each, on stderr. */
        for (size_t i = 0; i < s.n_devices; i++)
                if (s.devices[i].problem[0])
                        log_warning("%s: %s; not resolving it", s.devices[i].name,
                                    s.devices[i].problem);
        if (report_list(&s, targets, selected, o.json) < 0)
                status = EXIT_FAILED;
        resolver_free(resolver);
        snapshot_done(&s);
        return status;
}
