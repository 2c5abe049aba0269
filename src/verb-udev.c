/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-bind udev [--bus BUS] DEVICE: the entry point of 70-vfio-bind.rules.
 *
 * For a device that has just appeared (hotplug, SR-IOV VFs, coldplug when nothing ran
 * earlier), applies the configuration to that one device. The rule calls it with
 * IMPORT{program}, which runs while udev processes the rules, so before the RUN{builtin}
 * "kmod load" of 80-drivers.rules loads the host driver by modalias. A host driver that is
 * already loaded has bound the device in the kernel before udev sees the event: then the device
 * is unbound and reprobed, as 'apply' does.
 *
 * It runs for every "add" event of the buses with driver_override, so a device the configuration cannot select costs one
 * configuration parse and a few sysfs reads, nothing else. Messages go to the kernel log; stdout
 * is for udev: "VFIO_BIND_DRIVER=NAME" once the device is on its vfio driver.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "apply.h"
#include "cmdline.h"
#include "initrd.h"
#include "log.h"
#include "pipeline.h"
#include "select.h"
#include "sysfs.h"
#include "verbs.h"

/* A configuration error is logged by the first event of a boot only, not once per device. */
#define UDEV_CONFIG_ERROR_MARK "/run/vfio-bind/udev-config-error"

/*
 * apply's lock, waited for longer than apply waits (LOCK_WAIT_MS): an apply that creates many
 * SR-IOV VFs holds it while their "add" events arrive here, and udev gives an event 180 s.
 */
#define UDEV_LOCK_WAIT_MS 60000

/*
 * false only when no entry can select the device: none matches it, none takes whole groups,
 * and, for a VF (pf: its PF, discovered), no 'sriov' entry matches its PF.
 */
static bool may_select(const struct config *c, const struct device *d, const struct device *pf)
{
        for (size_t i = 0; i < c->n_entries; i++) {
                const struct config_entry *e = &c->entries[i];

                if (e->group == GROUP_ALL || entry_matches(e, d) ||
                    (pf && e->sriov.set && entry_matches(e, pf)))
                        return true;
        }
        return false;
}

/* Loads the configuration; its errors reach the kernel log once per boot. */
static int load_config(struct pipeline *p)
{
        int level = log_get_max_level(), r, fd;

        log_set_max_level(LOG_CRIT);
        r = pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS);
        log_set_max_level(level);
        if (r >= 0)
                return r;
        (void)mkdir("/run/vfio-bind", 0755);
        fd = open(UDEV_CONFIG_ERROR_MARK, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return r;
        close(fd);
        config_done(&p->config);
        p->config = (struct config){ 0 };
        r = pipeline_load_config(p, arg_config, CONFIG_STRICT_PERMISSIONS);
        log_error("configuration has errors: devices that appear are not bound until it is "
                  "fixed (check it with 'vfio-bind validate'; logged once per boot)");
        return r < 0 ? r : -EINVAL;
}

/* driver_bound: the rule's "bind" event of an SR-IOV PF, which only creates its VFs. */
static int udev_one(enum bus bus, const char *name, bool driver_bound)
{
        _cleanup_close_ int lock = -1;
        struct pipeline p = { 0 };
        struct device stub, pf_stub;
        char pf_name[PCI_ADDRESS_MAX];
        struct applied run;
        const struct result *res = NULL;
        _cleanup_free_ char *cmdline = NULL;
        bool disabled = false;
        size_t k;
        int r, level;

        /* What is wrong with the command line the early run has logged: not again per event. */
        level = log_get_max_level();
        log_set_max_level(LOG_CRIT);
        cmdline_load(&cmdline, &disabled);
        log_set_max_level(level);
        if (disabled)
                return log_debug("disabled on the kernel command line"), EXIT_OK;
        r = discover_one(bus, name, &stub);
        if (r < 0)
                return log_debug_errno(r, "%s: cannot read the device, ignoring: %m", name),
                       EXIT_OK;
        if (stub.is_virtfn) {
                pci_address_format(&stub.physfn, pf_name);
                if (discover_one(BUS_PCI, pf_name, &pf_stub) < 0)
                        stub.is_virtfn = false; /* its PF is gone: the VF goes too */
        }

        r = load_config(&p);
        log_set_max_level(LOG_CRIT);
        if (r >= 0 && cmdline && cmdline_parse(cmdline, NULL, &p.config) == -ENOMEM)
                r = -ENOMEM;
        log_set_max_level(level);
        if (r < 0 || !may_select(&p.config, &stub, stub.is_virtfn ? &pf_stub : NULL)) {
                pipeline_done(&p);
                return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_FAILED : EXIT_OK;
        }

        /* The configuration may want it: the full pipeline, under the lock apply takes. */
        lock = take_run_lock(UDEV_LOCK_WAIT_MS);
        if (lock < 0) {
                pipeline_done(&p);
                return EXIT_FAILED;
        }
        r = pipeline_run(&p);
        if (r < 0) {
                pipeline_done(&p);
                return EXIT_FAILED;
        }
        for (k = 0; k < p.plan.n_actions; k++) {
                const struct device *d = p.plan.actions[k].item->device;

                if (d->bus == bus && streq(d->name, name))
                        break;
        }
        if (k == p.plan.n_actions) {
                pipeline_done(&p);
                return EXIT_OK; /* e.g. a group member that is a bridge */
        }
        if (driver_bound &&
            !(p.plan.actions[k].item->sriov_pf && (p.plan.actions[k].kind == ACTION_BIND ||
                                                   p.plan.actions[k].kind == ACTION_ERROR))) {
                /*
                 * Only VFs to create, or why they cannot be (said and failed, as apply does): a
                 * device bound by an entry of its own went to vfio on its add event, and binding
                 * it again here would undo a revert (or loop with a rollback, whose probe is
                 * another bind event).
                 */
                pipeline_done(&p);
                return EXIT_OK;
        }
        if (sriov_pf_waits_for_driver(&p.plan.actions[k])) {
                /* Its add event, before any driver: the "bind" event that follows creates VFs. */
                log_debug("%s: no driver yet; its VFs wait for the driver's bind event", name);
                pipeline_done(&p);
                return EXIT_OK;
        }
        /* This device's action only; an SR-IOV PF's VFs are created and bound with it. */
        r = pipeline_apply(&p, bus, name, &run);
        if (r < 0) {
                pipeline_done(&p);
                return EXIT_FAILED;
        }
        for (size_t i = 0; i < run.n_results && !res; i++)
                if (run.results[i].action->item->device->bus == bus &&
                    streq(run.results[i].action->item->device->name, name))
                        res = &run.results[i];
        /* Not for a PF, which keeps its driver. */
        if (!run.failed && res && res->driver[0])
                printf("VFIO_BIND_DRIVER=%s\n", res->driver);
        r = run.failed ? EXIT_FAILED : EXIT_OK;
        applied_done(&run);
        pipeline_done(&p);
        return r;
}

int verb_udev(int argc, char *argv[])
{
        static const struct option options[] = {
                { "bus", required_argument, NULL, 'b' },
                { "driver-bound", no_argument, NULL, 'd' },
                VERB_COMMON_OPTIONS,
                {},
        };
        char name[BUS_DEVICE_NAME_MAX];
        struct pci_address a = { 0 };
        enum bus bus = BUS_PCI;
        bool driver_bound = false;
        const char *why;
        int c, n_operands = 0;

        optind = 0;
        while ((c = verb_getopt(argc, argv, "udev", "", options, NULL, &n_operands)) >= 0)
                switch (c) {
                case 'b':
                        if (bus_from_name(optarg, &bus) < 0) {
                                log_error("udev: invalid bus '%s': expected one of: %s", optarg,
                                          bus_names());
                                return usage_error("udev"), EXIT_USAGE;
                        }
                        break;
                case 'd':
                        driver_bound = true;
                        break;
                case 'h':
                        printf("Usage: vfio-bind [-c FILE] udev [--bus BUS] [--driver-bound] DEVICE\n\n"
                               "For udev (70-vfio-bind.rules, IMPORT{program}): apply the "
                               "configuration\n"
                               "to the one device that has just appeared (a PCI address, or with\n"
                               "--bus platform|fsl-mc|cdx the device's sysfs name), before its "
                               "host\n"
                               "driver is loaded by modalias. Logs to the kernel log, honours\n"
                               "rd.vfio-bind=0 and rd.vfio-bind.devices=, prints "
                               "VFIO_BIND_DRIVER=NAME\n"
                               "when the device is on its vfio driver. Does nothing for a device "
                               "the\n"
                               "configuration does not select.\n\n"
                               "  --bus BUS       the device's bus (default pci)\n"
                               "  --driver-bound  the PCI device's driver has just bound (its \"bind\"\n"
                               "                  event): only create and bind the VFs of an\n"
                               "                  SR-IOV PF that an 'sriov' entry selects\n");
                        return EXIT_OK;
                default:
                        return usage_error("udev"), EXIT_USAGE;
                }
        if (argc - optind != 1) {
                log_error("udev: give one DEVICE");
                return usage_error("udev"), EXIT_USAGE;
        }
        if (bus == BUS_PCI && pci_address_parse(argv[optind], false, &a, &why) < 0) {
                log_error("udev: invalid address '%s': %s", argv[optind], why);
                return EXIT_USAGE;
        }
        if (bus != BUS_PCI && bus_get(bus)->name_valid(argv[optind], &why) < 0) {
                log_error("udev: invalid %s device name '%s': %s", bus_get(bus)->name,
                          argv[optind], why);
                return EXIT_USAGE;
        }
        if (bus == BUS_PCI)
                pci_address_format(&a, name);
        else
                snprintf(name, sizeof(name), "%s", argv[optind]);
        log_set_target(LOG_TARGET_KMSG);
        if (log_get_max_level() < LOG_INFO)
                log_set_max_level(LOG_INFO);
        if (driver_bound && bus != BUS_PCI) {
                log_error("udev: --driver-bound is for PCI devices (SR-IOV PFs)");
                return usage_error("udev"), EXIT_USAGE;
        }
        return udev_one(bus, name, driver_bound);
}
