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
        if (r < 0) {
                r = report_plan(&p.plan, &p.selection, "plan", o.json);
                if (r > 0)
                        r = EXIT_FAILED;
        }
        pipeline_done(&p);
        return r < 0 ? EXIT_FAILED : r;
}
