/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "verbs.h"

int verb_plan(int argc, char *argv[])
{
        struct pipeline p = { 0 };
        struct verb_options o;
        int r;

        r = parse_verb_options(argc, argv, "plan", "[-c FILE] plan [--json]\n\n"
                         "Show what 'apply' would do, changing nothing.\n\n"
                         "  --json   one JSON document: {\"plan\": {\"devices\": [...]}}", OPT_JSON, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        r = load_and_run(&p, true);
        if (r < 0)
                r = report_plan(&p, "plan", o.json);
        pipeline_done(&p);
        return r < 0 ? EXIT_FAILED : r;
}

int report_plan(struct pipeline *p, const char *verb, bool json)
{
        _cleanup_free_ struct result *results = NULL;
        size_t n = p->plan.n_actions + p->plan.n_releases;
        int status = EXIT_OK;

        results = calloc(n + 1, sizeof(*results));
        if (!results)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < n; i++) {
                const struct action *a = plan_action(&p->plan, i);
                results[i] = (struct result){ .action = a, .outcome = OUTCOME_PLANNED };
                if (a->kind == ACTION_ERROR || a->kind == ACTION_RELEASE)
                        snprintf(results[i].message, sizeof(results[i].message), "%s", a->reason);
                if (a->kind == ACTION_ERROR)
                        status = EXIT_FAILED;
        }
        if (selection_missing(&p->selection))
                status = EXIT_FAILED;
        report_results(verb, results, n, &p->selection, json);
        return status;
}
