/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "pipeline.h"
#include "verbs.h"

int verb_validate(int argc, char *argv[])
{
        struct config all = { 0 };
        int status = EXIT_OK, r;

        if (argc > 1 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf("Usage: vfio-bind validate FILE...\n\n"
                       "Check configuration files (syntax, keys, values, duplicates across all\n"
                       "of them) without touching the system. Errors name FILE:LINE:COLUMN.\n");
                return EXIT_OK;
        }
        if (argc < 2) {
                log_error("validate: give at least one FILE");
                return usage_error("validate"), EXIT_USAGE;
        }
        /* Each file alone, then all together: they are meant to be read as one configuration. */
        for (int i = 1; i < argc; i++) {
                struct config c = { 0 };

                if (argv[i][0] == '-' && argv[i][1] && !streq(argv[i], "--")) {
                        log_error("validate: unknown option '%s'", argv[i]);
                        config_done(&all);
                        return usage_error("validate"), EXIT_USAGE;
                }
                if (streq(argv[i], "--"))
                        continue;
                r = config_load_file(&c, argv[i], 0);
                if (r >= 0)
                        r = config_check(&c);
                if (r < 0)
                        status = EXIT_USAGE;
                else {
                        print_line(stdout, "%s: ok, %zu device %s", argv[i], c.n_entries,
                                   c.n_entries == 1 ? "entry" : "entries");
                        if (config_load_file(&all, argv[i], 0) < 0)
                                status = EXIT_USAGE;
                }
                config_done(&c);
        }
        if (status == EXIT_OK && config_check(&all) < 0)
                status = EXIT_USAGE;
        config_done(&all);
        return status;
}
