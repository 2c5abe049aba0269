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
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "apply.h"
#include "cmdline.h"
#include "initrd.h"
#include "log.h"
#include "pipeline.h"
#include "release.h"
#include "select.h"
#include "sriov.h"
#include "sysfs.h"
#include "verbs.h"

/* A configuration error is logged by the first event of a boot only, not once per device. */
#define UDEV_CONFIG_ERROR_MARK "/run/vfio-bind/udev-config-error"

/*
 * apply's lock, waited for longer than apply waits (LOCK_WAIT_MS): an apply that creates many
 * SR-IOV VFs holds it while their "add" events arrive here, and udev gives an event 180 s.
 */
#define UDEV_LOCK_WAIT_MS 60000

static int udev_lock(void)
{
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        int fd, waited = 0;

        fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return log_error_errno(errno, "Cannot open lock %s: %m", LOCK_PATH);
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK || waited >= UDEV_LOCK_WAIT_MS) {
                        log_error_errno(errno == EWOULDBLOCK ? EBUSY : errno,
                                        "Cannot lock %s (waited %d ms): %m", LOCK_PATH, waited);
                        close(fd);
                        return -EBUSY;
                }
                nanosleep(&ts, NULL);
                waited += 50;
        }
        return fd;
}

static int read_hex(const char *name, const char *attr, unsigned digits, uint32_t *ret)
{
        char path[256], buf[64];
        int r;

        r = path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/%s", name, attr);
        if (r < 0)
                return r;
        r = sysfs_read(path, buf, sizeof(buf));
        if (r < 0)
                return r;
        return parse_hex_attr(buf, digits, ret);
}

/* Just enough of the device for entry_matches(); -ENOENT when it is gone. */
static int peek_device(enum bus bus, const char *name, const struct pci_address *a,
                       struct device *d)
{
        char path[256], buf[64];
        const char *why;
        uint32_t v[4];
        int r;

        *d = (struct device){ .bus = bus, .address = *a, .iommu_group = -1 };
        snprintf(d->name, sizeof(d->name), "%s", name);
        if (bus != BUS_PCI) {
                /* Names and compatible strings select these: the modalias has the latter. */
                r = path_join(path, sizeof(path), "%s/%s/modalias", bus_get(bus)->devices_dir, name);
                if (r >= 0)
                        r = sysfs_read(path, d->modalias, sizeof(d->modalias));
                /* A device without a modalias can still be selected by its name. */
                if (r == -ENOENT && access(path, F_OK) < 0 &&
                    path_join(path, sizeof(path), "%s/%s", bus_get(bus)->devices_dir, name) == 0 &&
                    access(path, F_OK) == 0)
                        r = 0;
                /* Too long to keep: a name may still select it, and the pipeline then says why. */
                if (r == -E2BIG) {
                        d->modalias[0] = '\0';
                        r = 0;
                }
                return r;
        }
        r = read_hex(name, "vendor", 4, &v[0]);
        if (r >= 0)
                r = read_hex(name, "device", 4, &v[1]);
        if (r >= 0)
                r = read_hex(name, "subsystem_vendor", 4, &v[2]);
        if (r >= 0)
                r = read_hex(name, "subsystem_device", 4, &v[3]);
        if (r >= 0)
                r = read_hex(name, "class", 6, &d->class_code);
        if (r < 0)
                return r;
        d->id = (struct pci_id){ (uint16_t)v[0], (uint16_t)v[1] };
        d->subsystem = (struct pci_id){ (uint16_t)v[2], (uint16_t)v[3] };
        /* A VF: its PF's entry may select it ('sriov'), which the VF's own IDs cannot tell. */
        if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/physfn", name) == 0 &&
            sysfs_read_link_name(path, buf, sizeof(buf)) == 0 &&
            pci_address_parse(buf, false, &d->physfn, &why) == 0)
                d->is_virtfn = true;
        return 0;
}

/*
 * false only when no entry can select the device: none matches it, none takes whole groups,
 * and, for a VF (pf: its PF, peeked), no 'sriov' entry matches its PF.
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

/*
 * An SR-IOV PF whose driver has just bound (the rule's "bind" event): create its VFs and bind
 * them as apply does (sriov.h), touching no other device.
 */
static int udev_sriov_pf(struct pipeline *p, const char *pf)
{
        _cleanup_free_ struct action *mine = NULL;
        _cleanup_free_ struct result *results = NULL;
        struct sriov_run sriov;
        struct plan all;
        size_t n = 0, failed;
        int r;

        /* Phase 1 creates VFs for every PF it is given: give it this one only. */
        for (size_t i = 0; i < p->plan.n_actions; i++) {
                struct action *a = &p->plan.actions[i];

                if (a->item->sriov_pf && a->kind == ACTION_BIND &&
                    !streq(a->item->device->name, pf))
                        a->kind = ACTION_NONE;
        }
        r = sriov_apply_phase1(p, &sriov);
        mine = r < 0 ? NULL : calloc(p->plan.n_actions + 1, sizeof(*mine));
        results = mine ? calloc(p->plan.n_actions + 1, sizeof(*results)) : NULL;
        if (!results) {
                sriov_restore_autoprobe(p, &sriov);
                sriov_run_done(&sriov);
                return r < 0 ? r : -ENOMEM;
        }
        for (size_t i = 0; i < p->plan.n_actions; i++) {
                const struct device *d = p->plan.actions[i].item->device;
                char physfn[PCI_ADDRESS_MAX] = "";

                if (d->is_virtfn)
                        pci_address_format(&d->physfn, physfn);
                if (streq(d->name, pf) || (d->is_virtfn && streq(physfn, pf)))
                        mine[n++] = p->plan.actions[i];
        }
        all = p->plan;
        p->plan = (struct plan){ .actions = mine, .n_actions = n };
        record_commit(p, NULL, 0);
        failed = apply_plan(p, results);
        failed += sriov_apply_phase2(p, &sriov, results);
        record_commit(p, results, n);
        p->plan = all;
        sriov_run_done(&sriov);
        return failed ? -EIO : 0;
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
static int udev_one(enum bus bus, const char *name, const struct pci_address *a,
                    bool driver_bound)
{
        _cleanup_close_ int lock = -1;
        struct pipeline p = { 0 };
        struct device stub, pf_stub;
        char pf_name[PCI_ADDRESS_MAX];
        struct plan all;
        struct result res = { 0 };
        _cleanup_free_ char *cmdline = NULL;
        bool disabled = false;
        size_t k, failed;
        int r, level;

        /* What is wrong with the command line the early run has logged: not again per event. */
        level = log_get_max_level();
        log_set_max_level(LOG_CRIT);
        cmdline_load(&cmdline, &disabled);
        log_set_max_level(level);
        if (disabled)
                return log_debug("disabled on the kernel command line"), EXIT_OK;
        r = peek_device(bus, name, a, &stub);
        if (r < 0)
                return log_debug_errno(r, "%s: cannot read the device, ignoring: %m", name),
                       EXIT_OK;
        if (stub.is_virtfn) {
                pci_address_format(&stub.physfn, pf_name);
                if (peek_device(BUS_PCI, pf_name, &stub.physfn, &pf_stub) < 0)
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
        lock = udev_lock();
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
            !(p.plan.actions[k].item->sriov_pf && p.plan.actions[k].kind == ACTION_BIND)) {
                /*
                 * Only VFs to create: a device bound by an entry of its own went to vfio on its
                 * add event, and binding it again here would undo a revert (or loop with a
                 * rollback, whose probe is another bind event).
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
        if (p.plan.actions[k].item->sriov_pf && p.plan.actions[k].kind == ACTION_BIND) {
                r = udev_sriov_pf(&p, name);
                pipeline_done(&p);
                return r < 0 ? EXIT_FAILED : EXIT_OK;
        }
        /* apply_plan runs the plan it is given: this device's action only. */
        all = p.plan;
        p.plan = (struct plan){ .actions = &all.actions[k], .n_actions = 1 };
        record_commit(&p, NULL, 0);
        failed = apply_plan(&p, &res);
        record_commit(&p, &res, 1);
        p.plan = all;
        if (!failed && all.actions[k].target->driver[0]) /* not for a PF that keeps its driver */
                printf("VFIO_BIND_DRIVER=%s\n", all.actions[k].target->driver);
        pipeline_done(&p);
        return failed ? EXIT_FAILED : EXIT_OK;
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
        while ((c = verb_getopt(argc, argv, "udev", options, NULL, &n_operands)) >= 0)
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
        return udev_one(bus, name, &a, driver_bound);
}
