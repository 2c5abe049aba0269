/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "usage.h"
#include "verbs.h"

int verb_list(int argc, char *argv[])
{
        _cleanup_free_ struct target *targets = NULL;
        struct resolver *resolver = NULL;
        struct snapshot s = { 0 };
        struct verb_options o;
        int r;

        r = parse_verb_options(argc, argv, "list", "list [--json] [--bus BUS|all]...\n\n"
                         "List every PCI device with its ids, class, driver, IOMMU group and the\n"
                         "vfio module resolution would choose for it.\n\n"
                         "  --bus BUS  also the devices of BUS (platform, fsl-mc, cdx), or all\n"
                         "  --json     one JSON document", OPT_JSON | OPT_BUS, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        r = discover_snapshot_buses(o.buses, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m"), EXIT_FAILED;
        usage_scan(&s); /* fills in_use */
        targets = calloc(s.n_devices + 1, sizeof(*targets));
        if (!targets) {
                snapshot_done(&s);
                return EXIT_FAILED;
        }
        /* Listing goes on without resolutions. */
        resolver_open(NULL, NULL, LOG_WARNING, "list: not resolving", &resolver);
        for (size_t i = 0; resolver && i < s.n_devices; i++)
                if (!s.devices[i].problem[0] && device_takes_vfio(&s.devices[i]))
                        resolve_target(resolver, &s.devices[i], NULL, &targets[i]);
        /* The table has no column for it (JSON has "problem"): one line each, on stderr. */
        for (size_t i = 0; i < s.n_devices; i++)
                if (s.devices[i].problem[0])
                        log_warning("%s: %s; not resolving it", s.devices[i].name,
                                    s.devices[i].problem);
        report_list(&s, targets, o.json);
        resolver_free(resolver);
        snapshot_done(&s);
        return EXIT_OK;
}
