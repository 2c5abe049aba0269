/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "apply.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "verbs.h"

static bool device_listed(const struct device *d, int n, const struct device_ref *refs)
{
        for (int i = 0; i < n; i++)
                if (device_ref_matches(&refs[i], d))
                        return true;
        return false;
}

/*
 * An operand that names no device, as an entry that matched none: the report lists it as missing,
 * in the table's notes and in the JSON document's "unmatched", from "command line", line 1, the
 * operand's position as its column.
 */
static void operand_entry(const struct device_ref *ref, unsigned position, struct config_entry *ret)
{
        *ret = (struct config_entry){
                .loc = { .file = "command line", .line = 1, .column = position },
        };
        if (ref->is_pci) {
                ret->has_address = true;
                ret->address = ref->address;
                return;
        }
        ret->has_name = true;
        /* Platform names take almost anything: a name that fits another bus is meant for it. */
        ret->bus = (enum bus)(31 - __builtin_clz(ref->bus_mask));
        snprintf(ret->name, sizeof(ret->name), "%s", ref->name);
}

int verb_revert(int argc, char *argv[])
{
        _cleanup_free_ struct result *results = NULL;
        _cleanup_free_ struct action *actions = NULL;
        _cleanup_free_ struct device_ref *refs = NULL;
        _cleanup_free_ struct selected_device *items = NULL;
        _cleanup_free_ struct config_entry *operands = NULL;
        _cleanup_free_ const struct config_entry **missing = NULL;
        struct verb_options o = { 0 };
        struct pipeline p = { 0 };
        struct selection listed = { 0 };
        static const struct target no_target = { 0 };
        struct apply_ctx ctx;
        _cleanup_close_ int lock = -1;
        size_t n = 0, n_missing = 0, failed = 0;
        int r, n_addrs;

        r = parse_verb_options(argc, argv, "revert", "[-c FILE] revert [--json] [DEVICE...]\n\n"
                              "Clear driver_override and hand devices back to their host drivers\n"
                              "(loaded by modalias if needed): the devices given (PCI addresses,\n"
                              "0000:01:00.* for every function, or the names of platform, fsl-mc\n"
                              "and cdx devices), or every device the configuration selects.",
                               OPT_JSON | OPT_ARGS, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;
        n_addrs = argc - optind;
        refs = calloc((size_t)n_addrs + 1, sizeof(*refs));
        operands = calloc((size_t)n_addrs + 1, sizeof(*operands));
        missing = calloc((size_t)n_addrs + 1, sizeof(*missing));
        if (!refs || !operands || !missing)
                return EXIT_FAILED;
        for (int i = 0; i < n_addrs; i++) {
                const char *why;
                if (device_ref_parse(argv[optind + i], true, &refs[i], &why) < 0) {
                        log_error("revert: invalid device '%s': %s", argv[optind + i], why);
                        return EXIT_USAGE;
                }
                p.extra_buses |= refs[i].bus_mask & ~(1u << BUS_PCI);
        }
        lock = take_run_lock(LOCK_WAIT_MS);
        if (lock < 0)
                return EXIT_FAILED;
        /* With addresses the configuration is not needed: revert is the way back from a bad one. */
        p.resolution_unused = true; /* host modules only, looked up when needed */
        r = load_and_run(&p, n_addrs == 0);
        if (r >= 0) {
                pipeline_done(&p);
                return r;
        }
        items = calloc(p.snapshot.n_devices + 1, sizeof(*items));
        actions = calloc(p.snapshot.n_devices + 1, sizeof(*actions));
        results = calloc(p.snapshot.n_devices + 1, sizeof(*results));
        if (!items || !actions || !results) {
                pipeline_done(&p);
                return EXIT_FAILED;
        }
        ctx = pipeline_apply_ctx(&p);
        for (size_t i = 0; i < p.snapshot.n_devices; i++) {
                const struct device *d = &p.snapshot.devices[i];
                bool wanted = n_addrs ? device_listed(d, n_addrs, refs) : false;

                for (size_t j = 0; !n_addrs && j < p.selection.n_items; j++)
                        wanted = wanted || p.selection.items[j].device == d;
                if (!wanted)
                        continue;
                items[n] = (struct selected_device){ .device = d, .driver = "" };
                for (size_t j = 0; j < p.selection.n_items; j++)
                        if (p.selection.items[j].device == d)
                                items[n].entry = p.selection.items[j].entry;
                actions[n] = (struct action){ .item = &items[n], .target = &no_target };
                results[n] = (struct result){ .action = &actions[n] };
                if (revert_device(&ctx, snapshot_device(&p.snapshot, d), &results[n]) < 0 ||
                    revert_reset_method(&p.record, snapshot_device(&p.snapshot, d), &results[n]) < 0)
                        failed++;
                n++;
        }
        for (int i = 0; i < n_addrs; i++) {
                bool found = false;

                for (size_t j = 0; j < n; j++)
                        found = found || device_ref_matches(&refs[i], items[j].device);
                if (!found) {
                        char why[160];

                        device_ref_describe_missing(&refs[i], why, sizeof(why));
                        log_error("revert: %s", why);
                        operand_entry(&refs[i], (unsigned)i + 1, &operands[i]);
                        missing[n_missing++] = &operands[i];
                        failed++;
                }
        }
        record_commit(&p, &p.plan, results, 0); /* the reverted devices leave the record */
        listed = (struct selection){ .items = items, .n_items = n, .unmatched = missing,
                                     .n_unmatched = n_missing };
        if (report_results("revert", results, n, n_addrs ? &listed : &p.selection, o.json) < 0)
                failed++;
        pipeline_done(&p);
        return failed ? EXIT_FAILED : EXIT_OK;
}
