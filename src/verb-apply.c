/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "apply.h"
#include "cmdline.h"
#include "initrd.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "verbs.h"

/* The early run's first kernel log line; in the initramfs, keep its configuration for status. */
static void boot_begin(void)
{
        int r;

        log_info("early run starting%s", in_initrd() ? " in the initramfs" : "");
        if (!in_initrd() || arg_config)
                return;
        r = initrd_save_config(CONFIG_FILE_DEFAULT, CONFIG_DROPIN_DIR_DEFAULT, INITRD_CONFIG_COPY);
        if (r < 0)
                log_warning_errno(r, "Cannot copy the configuration to %s, ignoring: %m",
                                  INITRD_CONFIG_COPY);
}

/* The early run's last kernel log line: what it did and how long it took. */
static void boot_done(uint64_t start, const struct result *results, size_t n,
                      const struct selection *sel, int status)
{
        size_t changed = 0, failed = 0, released = 0, selected = 0;
        size_t missing = selection_missing(sel);
        char missing_text[48] = "", released_text[32] = "";

        for (size_t i = 0; i < n; i++) {
                changed += results && results[i].outcome == OUTCOME_CHANGED;
                failed += results && (results[i].outcome == OUTCOME_FAILED ||
                                      results[i].outcome == OUTCOME_FALLBACK);
                released += results && results[i].outcome == OUTCOME_RELEASED;
                selected += !results || results[i].action->kind != ACTION_RELEASE;
        }
        if (released)
                snprintf(released_text, sizeof(released_text), ", %zu released", released);
        /* Only when there are some: the line keeps the form scripts already read. */
        if (missing)
                snprintf(missing_text, sizeof(missing_text), ", %zu missing", missing);
        log_full_errno(status == EXIT_OK ? LOG_INFO : LOG_ERR, 0,
                       "early run done in %.1f ms (%.1f ms CPU): %zu device%s selected, %zu bound, "
                       "%zu failed%s%s%s",
                       (double)(now_usec() - start) / 1000.0, (double)cpu_usec() / 1000.0,
                       selected, selected == 1 ? "" : "s", changed, failed, released_text,
                       missing_text,
                       status == EXIT_USAGE ? "; configuration error, nothing bound" : "");
}

/*
 * Early boot: the kernel log is where messages go, and the command line has a say. The rescue
 * switch is read before the configuration, so that it works even when that is broken. In the
 * initramfs, the configuration it holds is copied to /run for 'status' after switch-root.
 */
static int prepare(struct pipeline *p, const struct verb_options *o, bool *disabled)
{
        _cleanup_free_ char *cmdline = NULL;
        int r;

        if (o->boot) {
                log_set_target(LOG_TARGET_KMSG);
                if (log_get_max_level() < LOG_INFO)
                        log_set_max_level(LOG_INFO);
                if (!o->dry_run)
                        boot_begin();
                cmdline_load(&cmdline, disabled);
                if (*disabled) {
                        log_notice("disabled on the kernel command line (rd.vfio-bind= or "
                                   "vfio-bind= off); not binding anything");
                        return 0;
                }
        }
        p->defer_driverless_pfs = o->boot;
        p->serials_unshown = (o->boot && !o->json) || !result_rows_show("serial");
        r = pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS);
        if (r < 0)
                return -EINVAL; /* any configuration problem is a usage error: exit 2 */
        if (o->boot && cmdline) {
                /* A malformed rd.vfio-bind.devices= is logged and left out whole. */
                r = cmdline_parse(cmdline, NULL, &p->config);
                if (r == -ENOMEM)
                        return r;
        }
        return pipeline_run(p);
}

int verb_apply(int argc, char *argv[])
{
        struct verb_options o = { 0 };
        struct pipeline p = { 0 };
        struct applied run = { 0 };
        _cleanup_close_ int lock = -1;
        bool disabled = false;
        uint64_t start = now_usec();
        size_t failed;
        int r, status;

        r = parse_verb_options(argc, argv, "apply", "[-c FILE] apply [--dry-run] [--json] [--boot]\n\n"
                              "Make the host match the configuration: for each selected device load\n"
                              "its vfio module, set driver_override, unbind the host driver, probe,\n"
                              "verify. A device that fails goes back to its original driver, or with\n"
                              "'fallback: vfio_pci' to vfio-pci ('fallback'). A device vfio-bind bound\n"
                              "that no entry selects any more goes back to its host driver\n"
                              "('released'). Exit status 1 when a device failed or fell back, or when an\n"
                              "entry naming one device ('address', 'name') matches none and is not\n"
                              "'optional' (the device is missing).\n\n"
                              "  --dry-run  change nothing; the same as 'plan'\n"
                              "  --json     one JSON document with a 'changed' flag per device\n"
                              "  --boot     early boot: log to the kernel log, honour rd.vfio-bind=0\n"
                              "             and rd.vfio-bind.devices= on the kernel command line",
                              OPT_JSON | OPT_DRY_RUN | OPT_BOOT, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        if (!o.dry_run) {
                lock = take_run_lock(LOCK_WAIT_MS);
                if (lock < 0)
                        return EXIT_FAILED;
        }
        r = prepare(&p, &o, &disabled);
        if (r < 0 || disabled) {
                pipeline_done(&p);
                status = r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_FAILED : EXIT_OK;
                if (o.boot && !o.dry_run && !disabled)
                        boot_done(start, NULL, 0, NULL, status);
                return status;
        }
        if (o.dry_run) {
                r = report_plan(&p.plan, &p.selection, "plan", o.json);
                pipeline_done(&p);
                return r ? EXIT_FAILED : EXIT_OK;
        }
        r = pipeline_apply(&p, BUS_PCI, NULL, &run);
        if (r < 0) {
                pipeline_done(&p);
                status = r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
                if (o.boot)
                        boot_done(start, NULL, 0, NULL, status);
                return status;
        }
        failed = run.failed;
        /* A card the file names and the host lacks: the host is not as the file says. */
        log_missing(&p.selection);
        failed += selection_missing(&p.selection);
        /* The early run's report is the kernel log: no table (libsmartcols is not in the initramfs). */
        if ((!o.boot || o.json) &&
            report_results("apply", run.results, run.n_results, &p.selection, o.json) < 0)
                failed++;
        if (o.boot)
                boot_done(start, run.results, run.n_results, &p.selection,
                          failed ? EXIT_FAILED : EXIT_OK);
        applied_done(&run);
        pipeline_done(&p);
        return failed ? EXIT_FAILED : EXIT_OK;
}
