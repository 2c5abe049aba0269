/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * discover, usage (in use or not), apply and SR-IOV over the test bed (tests/testbed): the binary re-runs itself under
 * tests/testbed/run on a bed made from stages.host, so that every /sys path and module load
 * lands in the bed (TESTBED_ISOLATE keeps the real /sys out of reach). One bed for all: the tests
 * run in order, each on its own device or on the state the one before left.
 */
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "apply.h"
#include "discover.h"
#include "mounts.h"
#include "sysfs.h"
#include "unit.h"
#include "usage.h"

static const char *self;

/* Runs argv, waits; its exit status, or -1. Never system(). */
static int run(char *const argv[])
{
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -1;
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

static void read_attr(const char *path, char *buf, size_t size)
{
        assert_int_equal(sysfs_read(path, buf, size), 0);
}

static void test_discover_one(void **state)
{
        struct device d;

        assert_int_equal(discover_one(BUS_PCI, "0000:01:00.0", &d), 0);
        assert_string_equal(d.name, "0000:01:00.0");
        assert_int_equal(d.id.vendor, 0x10de);
        assert_int_equal(d.id.device, 0x2204);
        assert_int_equal(d.subsystem.vendor, 0x1458);
        assert_int_equal(d.class_code, 0x030000);
        assert_string_equal(d.driver, "nouveau");
        assert_int_equal(d.iommu_group, 12);
        assert_false(d.is_virtfn);
        assert_int_equal(d.vf_index, -1);

        assert_int_equal(discover_one(BUS_PCI, "0000:81:00.0", &d), 0);
        assert_int_equal(d.sriov_totalvfs, 4);
        assert_int_equal(d.sriov_numvfs, 0);

        assert_int_equal(discover_one(BUS_PCI, "0000:09:00.0", &d), -ENODEV);
        assert_int_equal(discover_one(BUS_PCI, "not-an-address", &d), -EINVAL);
}

/* The bed's copy of a /proc file (the preload redirects opens, not chmod). */
static void write_proc(const char *path, const char *text)
{
        char bed_path[PATH_MAX];
        FILE *f;

        snprintf(bed_path, sizeof(bed_path), "%s%s", getenv("TESTBED_ROOT"), path);
        assert_int_equal(chmod(bed_path, 0644), 0);
        assert_non_null(f = fopen(bed_path, "we"));
        assert_true(fputs(text, f) >= 0);
        assert_int_equal(fclose(f), 0);
}

/* Why the disk's controller is in use, as discover and usage_scan see it now. */
static void disk_in_use(char *why, size_t size)
{
        struct snapshot s;
        const struct device *d = NULL;

        assert_int_equal(discover_snapshot(&s), 0);
        usage_scan(&s);
        for (size_t i = 0; i < s.n_devices; i++)
                if (streq(s.devices[i].name, "0000:04:00.0"))
                        d = &s.devices[i];
        assert_non_null(d);
        snprintf(why, size, "%s", d->in_use);
        snapshot_done(&s);
}

static void test_usage(void **state)
{
        static const char swaps_header[] = "Filename\tType\tSize\tUsed\tPriority\n";
        struct mounts m;
        char devnum[32], mountinfo[512], why[256];
        unsigned major, minor;

        read_attr("/sys/class/block/nvme0n1p1/dev", devnum, sizeof(devnum));
        assert_int_equal(sscanf(devnum, "%u:%u", &major, &minor), 2);
        /* The kernel writes a space in a mount point as \040. */
        snprintf(mountinfo, sizeof(mountinfo),
                 "20 1 0:31 / / rw,relatime shared:1 - tmpfs tmpfs rw\n"
                 "21 20 %s / /srv/vm\\040images rw,relatime shared:2 - ext4 /dev/nvme0n1p1 rw\n",
                 devnum);
        write_proc("/proc/self/mountinfo", mountinfo);
        write_proc("/proc/swaps", swaps_header);
        assert_int_equal(mounts_read(&m, why, sizeof(why)), 0);
        assert_int_equal(m.n_entries, 2);
        assert_string_equal(m.entries[1].target, "/srv/vm images");
        assert_string_equal(m.entries[1].source, "/dev/nvme0n1p1");
        assert_true(m.entries[1].devnum == makedev(major, minor));
        assert_false(m.entries[1].swap_partition);
        mounts_done(&m);
        disk_in_use(why, sizeof(why));
        assert_string_equal(why, "nvme0n1p1 is mounted on /srv/vm images");

        /* Swap on the other partition, nothing mounted from the disk. */
        write_proc("/proc/self/mountinfo", "20 1 0:31 / / rw,relatime shared:1 - tmpfs tmpfs rw\n");
        write_proc("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n"
                                  "/dev/nvme0n1p2                          partition\t1048572\t0\t-2\n");
        disk_in_use(why, sizeof(why));
        assert_string_equal(why, "nvme0n1p2 is active swap");

        /* A swap file is on a mounted filesystem, not on the disk itself. */
        write_proc("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n"
                                  "/nvme0n1p2                              file\t1048572\t0\t-2\n");
        disk_in_use(why, sizeof(why));
        assert_string_equal(why, "");
}

/* One device, one action, as plan would make it: the smallest plan apply runs. */
struct one {
        struct snapshot s;
        struct selected_device item;
        struct selection sel;
        struct target target;
        struct action action;
        struct plan plan;
        struct kmod_ctx *kmod;
        struct apply_ctx ctx;
};

static void one_setup(struct one *o, const char *name, const char *module, const char *driver,
                      unsigned steps)
{
        const struct device *d;

        assert_int_equal(discover_snapshot(&o->s), 0);
        d = snapshot_find_name(&o->s, BUS_PCI, name);
        assert_non_null(d);
        o->item = (struct selected_device){ .device = d, .driver = "" };
        o->sel = (struct selection){ .items = &o->item, .n_items = 1 };
        o->target = (struct target){ 0 };
        snprintf(o->target.module, sizeof(o->target.module), "%s", module);
        snprintf(o->target.driver, sizeof(o->target.driver), "%s", driver);
        o->action = (struct action){ .item = &o->item, .target = &o->target, .kind = ACTION_BIND,
                                     .steps = steps };
        o->plan = (struct plan){ .actions = &o->action, .n_actions = 1 };
        o->kmod = kmod_new(NULL, NULL);
        assert_non_null(o->kmod);
        o->ctx = (struct apply_ctx){ .snapshot = &o->s, .selection = &o->sel, .kmod = o->kmod };
}

static void one_done(struct one *o)
{
        kmod_unref(o->kmod);
        snapshot_done(&o->s);
}

static void test_apply_binds(void **state)
{
        struct one o;
        struct result res;
        struct device now;
        char buf[64];

        one_setup(&o, "0000:01:00.0", "vfio_pci", "vfio-pci",
                  STEP_LOAD_MODULE | STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE);
        assert_int_equal(apply_plan(&o.plan, &o.ctx, &res), 0);
        assert_int_equal(res.outcome, OUTCOME_CHANGED);
        assert_int_equal(res.steps_done,
                         STEP_LOAD_MODULE | STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE);
        assert_string_equal(res.driver, "vfio-pci");
        assert_string_equal(res.previous_driver, "nouveau");
        /* The snapshot follows what apply did, and so does sysfs. */
        assert_string_equal(snapshot_device(&o.s, o.item.device)->driver, "vfio-pci");
        read_attr("/sys/bus/pci/devices/0000:01:00.0/driver_override", buf, sizeof(buf));
        assert_string_equal(buf, "vfio-pci");
        assert_int_equal(discover_one(BUS_PCI, "0000:01:00.0", &now), 0);
        assert_string_equal(now.driver, "vfio-pci");
        one_done(&o);
}

static void test_apply_rolls_back(void **state)
{
        struct one o;
        struct result res;
        struct device now;

        /* A driver no module registers: the probe fails, the device goes back where it was. */
        one_setup(&o, "0000:01:00.0", "no_such_vfio", "no_such_vfio",
                  STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE);
        assert_int_equal(apply_plan(&o.plan, &o.ctx, &res), 1);
        assert_int_equal(res.outcome, OUTCOME_FAILED);
        assert_int_equal(res.failed_step, STEP_PROBE);
        assert_true(res.rolled_back);
        assert_int_equal(discover_one(BUS_PCI, "0000:01:00.0", &now), 0);
        assert_string_equal(now.driver, res.previous_driver);
        assert_string_equal(now.driver_override, res.previous_override);
        one_done(&o);
}

static void test_sriov_create_and_restore(void **state)
{
        struct config_entry entry = { .sriov = { .set = true, .numvfs = 2 } };
        struct sriov_run run;
        struct snapshot s;
        struct one o;
        char buf[16];
        int vfs = 0;

        one_setup(&o, "0000:81:00.0", "", "", STEP_CREATE_VFS);
        o.item.entry = &entry;
        o.item.sriov_pf = true;
        assert_int_equal(apply_sriov_create(&o.plan, &run), 1);
        assert_int_equal(run.n_pfs, 1);
        assert_int_equal(run.pfs[0].result.outcome, OUTCOME_CHANGED);
        read_attr("/sys/bus/pci/devices/0000:81:00.0/sriov_numvfs", buf, sizeof(buf));
        assert_string_equal(buf, "2");
        /* No host driver took the new VFs: autoprobe was off while they appeared. */
        read_attr("/sys/bus/pci/devices/0000:81:00.0/sriov_drivers_autoprobe", buf, sizeof(buf));
        assert_string_equal(buf, "0");
        assert_int_equal(discover_snapshot(&s), 0);
        for (size_t i = 0; i < s.n_devices; i++) {
                const struct device *d = &s.devices[i];

                if (!d->is_virtfn)
                        continue;
                /* discover's part: each VF knows its index among the PF's virtfnK links. */
                assert_int_equal(d->vf_index, vfs);
                assert_string_equal(d->driver, "");
                vfs++;
        }
        assert_int_equal(vfs, 2);
        snapshot_done(&s);

        /* The left-out VFs reach their host driver once autoprobe is back. */
        apply_sriov_restore(&o.ctx, &run);
        read_attr("/sys/bus/pci/devices/0000:81:00.0/sriov_drivers_autoprobe", buf, sizeof(buf));
        assert_string_equal(buf, "1");
        assert_int_equal(discover_snapshot(&s), 0);
        for (size_t i = 0; i < s.n_devices; i++)
                if (s.devices[i].is_virtfn)
                        assert_string_equal(s.devices[i].driver, "iavf");
        snapshot_done(&s);
        sriov_run_done(&run);
        one_done(&o);
}

int main(int argc, char *argv[])
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_discover_one),
                cmocka_unit_test(test_usage),
                cmocka_unit_test(test_apply_binds),
                cmocka_unit_test(test_apply_rolls_back),
                cmocka_unit_test(test_sriov_create_and_restore),
        };

        self = argv[0];
        if (!getenv("TESTBED_ROOT")) {
                /* Not in a bed yet: make one, and run again inside it. */
                char dir[] = "/tmp/vfio-bind-unit-XXXXXX";
                char *rm[] = { (char *)"/bin/rm", (char *)"-rf", dir, NULL };
                char *mkbed[] = { (char *)"tests/testbed/mkbed", (char *)"tests/unit/stages.host",
                                  dir, NULL };
                char *again[] = { (char *)"tests/testbed/run", dir, (char *)"--", (char *)self, NULL };
                int r;

                if (!mkdtemp(dir) || run(mkbed) != 0) {
                        fprintf(stderr, "test-stages: cannot make a test bed in %s\n", dir);
                        return 1;
                }
                setenv("TESTBED_ISOLATE", "1", 1);
                r = run(again);
                (void)run(rm);
                return r < 0 ? 1 : r;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
