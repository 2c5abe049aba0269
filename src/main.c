/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "sysfs.h"
#include "verbs.h"

#ifndef VERSION
#define VERSION "0"
#endif

const char *arg_config;

static int help(void)
{
        printf("vfio-bind " VERSION "\n"
               "Hand PCI devices to VFIO drivers, declaratively, early at boot.\n\n"
               "Usage: vfio-bind [OPTIONS] VERB [ARGS...]\n\n"
               "Verbs:\n"
               "  apply [--dry-run] [--json] [--boot]  make the host match the config\n"
               "  plan [--json]                   what apply would do\n"
               "  status [--json]                 desired vs actual; exit 3 on drift\n"
#ifndef VFIO_BIND_BOOT
               "  revert [--json] [DEVICE...]     give devices back to their host drivers\n"
               "  list [--json] [--bus BUS|all]   all PCI devices and the vfio module each would get\n"
               "  resolve DEVICE | --modalias STRING [--kver VER] [--moddir DIR] [--json]\n"
               "                                  the vfio module for a device\n"
#endif
               "  validate FILE...                check configuration files, no system access\n"
#ifndef VFIO_BIND_BOOT
               "  modules [--kver VER] [--moddir DIR]\n"
               "                                  modules the config needs (for the initramfs)\n"
#endif
               "  udev [--bus BUS] DEVICE         apply to one new device (for the udev rule)\n"
#ifndef VFIO_BIND_BOOT
               "  doctor [--json] [--kver VER] [--initramfs FILE]\n"
               "                                  will the next boot work? read-only checks\n"
#else
               "The initramfs copy: revert, list, resolve, modules and doctor are the full tool's.\n"
#endif
               "\n"
               "Options:\n"
               "  -c, --config FILE   read FILE instead of " CONFIG_FILE_DEFAULT " and "
               CONFIG_DROPIN_DIR_DEFAULT "/*.yaml\n"
               "  -v, --verbose       log debug messages\n"
               "  -h, --help          show this help (also VERB --help)\n"
               "      --version       show the version\n\n"
               "Exit status: 0 ok or in sync, 1 a device failed, 2 usage or configuration error,\n"
               "3 drift (status). See vfio-bind(8) and vfio-bind.yaml(5).\n");
        return 0;
}

/*
 * The initramfs copy (-DVFIO_BIND_BOOT, boot.mk) has what early boot runs: apply --boot (hooks,
 * unit), udev (the rule), and status, plan and validate for a shell in the initramfs. The other
 * verbs are named without their code (not linked), so that the copy says where they are.
 */
#ifdef VFIO_BIND_BOOT
#define FULL_TOOL_ONLY(run) NULL
#else
#define FULL_TOOL_ONLY(run) run
#endif
static const struct verb verbs[] = {
        { "apply", verb_apply },
        { "plan", verb_plan },
        { "status", verb_status },
        { "validate", verb_validate },
        { "udev", verb_udev },
        { "revert", FULL_TOOL_ONLY(verb_revert) },
        { "list", FULL_TOOL_ONLY(verb_list) },
        { "resolve", FULL_TOOL_ONLY(verb_resolve) },
        { "modules", FULL_TOOL_ONLY(verb_modules) },
        { "doctor", FULL_TOOL_ONLY(verb_doctor) },
};

/* < 0 error, 0 exit now (help, version), > 0 go on with argv[optind]. */
static int parse_argv(int argc, char *argv[])
{
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' }, { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c, before = optind;

        opterr = 0;
        /* '+': stop at the verb; its options, and -c and -v again, are parsed by the verb. */
        for (; (c = getopt_long(argc, argv, "+:c:vh", options, NULL)) >= 0; before = optind)
                switch (c) {
                case 'c':
                case 'v':
                        global_option(c, optarg);
                        break;
                case 'h':
                        return help();
                case ARG_VERSION:
                        printf("vfio-bind " VERSION "\n");
                        return 0;
                default:
                        log_bad_option(NULL, c, argv, optind > before);
                        return usage_error(NULL);
                }
        if (optind >= argc) {
                log_error("missing verb");
                return usage_error(NULL);
        }
        return 1;
}

int main(int argc, char *argv[])
{
        const char *name;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : 0;
        name = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name)) {
                        if (!verbs[i].run) {
                                log_error("'%s' is not in the initramfs copy of vfio-bind: the "
                                          "installed system's has it", name);
                                return EXIT_USAGE;
                        }
                        r = verbs[i].run(argc - optind, argv + optind);
                        if (fflush(stdout) != 0 || ferror(stdout)) {
                                log_error("Failed to write output: %s", strerror(errno));
                                return r ? r : EXIT_FAILED;
                        }
                        return r;
                }
        log_error("unknown verb '%s'", name);
        return usage_error(NULL), EXIT_USAGE;
}
