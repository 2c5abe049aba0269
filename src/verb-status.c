/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "initrd.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "verbs.h"

int verb_status(int argc, char *argv[])
{
        _cleanup_free_ struct result *results = NULL;
        struct verb_options o = { 0 };
        struct pipeline p = { 0 };
        bool drift = false;
        size_t n;
        int r;

        r = parse_verb_options(argc, argv, "status", "[-c FILE] status [--json]\n\n"
                              "Compare each selected device with the configuration: 'in-sync' when\n"
                              "it is on its vfio driver with driver_override set and its IOMMU group\n"
                              "is viable, else 'drift'; a device vfio-bind bound that no entry selects\n"
                              "any more is 'drift' too, and an entry naming one device that matches\n"
                              "none is 'missing' (unless 'optional'). Exit status 3 on drift or\n"
                              "missing; 1 when the kernel's module index cannot be read (each device\n"
                              "is still shown, with why).", OPT_JSON, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        r = load_and_run(&p, true);
        if (r >= 0) {
                pipeline_done(&p);
                return r;
        }
        n = p.plan.n_actions + p.plan.n_releases;
        results = calloc(n + 1, sizeof(*results));
        if (!results) {
                pipeline_done(&p);
                return EXIT_FAILED;
        }
        for (size_t i = 0; i < n; i++) {
                const struct action *a = plan_action(&p.plan, i);

                results[i] = (struct result){ .action = a };
                if (a->kind == ACTION_NONE && a->unviable[0]) {
                        /* On its driver, but VFIO cannot use the group: not what the file wants. */
                        results[i].outcome = OUTCOME_DRIFT;
                        drift = true;
                        snprintf(results[i].message, sizeof(results[i].message), "%s",
                                 a->warning[0] ? a->warning : a->unviable);
                        continue; /* the warning is the message: not twice */
                }
                snprintf(results[i].warning, sizeof(results[i].warning), "%s", a->warning);
                if (a->kind == ACTION_NONE)
                        results[i].outcome = OUTCOME_IN_SYNC;
                else {
                        results[i].outcome = OUTCOME_DRIFT;
                        drift = true;
                        if (a->kind == ACTION_ERROR || a->kind == ACTION_RELEASE)
                                snprintf(results[i].message, sizeof(results[i].message), "%s",
                                         a->reason);
                }
        }
        drift = drift || selection_missing(&p.selection) > 0;
        r = report_results("status", results, n, &p.selection, o.json);
        if (!arg_config)
                initrd_status_note();
        /* Without a module index it could not compare: an error, not drift (vfio-bind(8)). */
        r = r < 0 || p.index_error_said ? EXIT_FAILED : drift ? EXIT_DRIFT : EXIT_OK;
        pipeline_done(&p);
        return r;
}
