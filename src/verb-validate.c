/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "log.h"
#include "pipeline.h"
#include "verbs.h"

int verb_validate(int argc, char *argv[])
{
        static const struct option options[] = { VERB_COMMON_OPTIONS, {} };
        struct config all = { 0 };
        int status = EXIT_OK, r, c, n_operands = 0;

        optind = 0;
        while ((c = verb_getopt(argc, argv, "validate", "", options, NULL, &n_operands)) >= 0) {
                if (c != 'h')
                        return usage_error("validate"), EXIT_USAGE;
                printf("Usage: vfio-bind validate FILE...\n\n"
                       "Check configuration files (syntax, keys, values, duplicates across all\n"
                       "of them) without touching the system. Errors name FILE:LINE:COLUMN.\n");
                return EXIT_OK;
        }
        if (optind >= argc) {
                log_error("validate: give at least one FILE");
                return usage_error("validate"), EXIT_USAGE;
        }
        /* Each file alone, then all together: they are meant to be read as one configuration. */
        for (int i = optind; i < argc; i++) {
                struct config one = { 0 };

                r = config_load_file(&one, argv[i], 0);
                if (r >= 0)
                        r = config_check(&one);
                if (r < 0)
                        status = EXIT_USAGE;
                else {
                        print_line(stdout, "%s: ok, %zu device %s", argv[i], one.n_entries,
                                   one.n_entries == 1 ? "entry" : "entries");
                        if (config_load_file(&all, argv[i], 0) < 0)
                                status = EXIT_USAGE;
                }
                config_done(&one);
        }
        if (status == EXIT_OK && config_check(&all) < 0)
                status = EXIT_USAGE;
        config_done(&all);
        return status;
}
