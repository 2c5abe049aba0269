/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.c: from selection, resolution and snapshot to steps; pure, so every input is a table row. */
#include <errno.h>

#include "plan.h"
#include "unit.h"

#define MODALIAS "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00"
#define LOAD STEP_LOAD_MODULE
#define OVR STEP_SET_OVERRIDE
#define UNBIND STEP_UNBIND
#define PROBE STEP_PROBE

/* The neighbours of the device under test (0000:01:00.0, a GPU), by IOMMU group. */
static const struct neighbour {
        const char *name;
        uint32_t class_code;
        int group;
        const char *driver;
} neighbours[] = {
        { "0000:00:01.0", 0x060400, 1, "pcieport" },      /* root port: a bridge, never counts */
        { "0000:01:00.1", 0x040300, 1, "snd_hda_intel" }, /* the GPU's audio function */
        { "0000:02:00.0", 0x010802, 2, "" },              /* unbound: harmless */
        { "0000:02:00.1", 0x010802, 2, "vfio-pci" },      /* on vfio: harmless */
        { "0000:05:00.0", 0x060400, 6, "pcieport" },      /* a group of one bridge */
        { "0000:06:00.0", 0x020000, 7, "mlx5_vfio_pci" }, /* a variant driver is vfio too */
};

static const struct plan_case {
        const char *name;
        /* The device. */
        const char *driver, *override;
        int group;
        const char *in_use, *problem;
        bool force;
        bool with_audio; /* 0000:01:00.1 is selected too (as the second item) */
        /* What resolution found. */
        const char *module, *target;
        enum module_state state;
        int error;
        /* Expected. */
        enum action_kind kind;
        unsigned steps;
        const char *reason, *warning; /* phrases; NULL: must be empty */
} plan_cases[] = {
        /* Idempotent: nothing to do once bound with the override in place. */
        { "bound, override set", "vfio-pci", "vfio-pci", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_NONE, 0, NULL, NULL },
        { "bound to a built-in module", "vfio-pci", "vfio-pci", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_BUILTIN, 0, ACTION_NONE, 0, NULL, NULL },
        { "bound, override unset", "vfio-pci", "", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR, NULL, NULL },
        { "bound, another override", "vfio-pci", "mlx5_vfio_pci", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR, NULL, NULL },
        /* Full steps: load only when absent, unbind only when bound. */
        { "host driver, module absent", "nouveau", "", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_ABSENT, 0, ACTION_BIND, LOAD | OVR | UNBIND | PROBE, NULL, NULL },
        { "host driver, module loaded", "nouveau", "", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "host driver, module built in", "nouveau", "", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_BUILTIN, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "unbound, module absent", "", "", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_ABSENT, 0, ACTION_BIND, LOAD | OVR | PROBE, NULL, NULL },
        { "unbound, override set (boot)", "", "vfio-pci", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, PROBE, NULL, NULL },
        { "unbound, override set, module absent", "", "vfio-pci", 5, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_ABSENT, 0, ACTION_BIND, LOAD | PROBE, NULL, NULL },
        { "vfio-pci to a variant driver", "vfio-pci", "vfio-pci", 5, "", "", false, false,
          "mlx5_vfio_pci", "mlx5_vfio_pci", MODULE_ABSENT, 0, ACTION_BIND, LOAD | OVR | UNBIND | PROBE,
          NULL, NULL },
        { "bound to the variant driver", "mlx5_vfio_pci", "mlx5_vfio_pci", 5, "", "", false, false,
          "mlx5_vfio_pci", "mlx5_vfio_pci", MODULE_ABSENT, 0, ACTION_NONE, 0, NULL, NULL },
        /* Errors, in the order plan checks them. */
        { "device problem", "nouveau", "", 5, "", "sysfs attribute 'modalias' is missing", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_ERROR, 0,
          "sysfs attribute 'modalias' is missing", NULL },
        { "device problem before target error", "nouveau", "", -1, "mounted", "odd sysfs", true, false,
          "", "", MODULE_ABSENT, -ENOENT, ACTION_ERROR, 0, "odd sysfs", NULL },
        { "no vfio alias", "nouveau", "", 5, "", "", false, false,
          "", "", MODULE_ABSENT, -ENOENT, ACTION_ERROR, 0,
          "no vfio_ alias matches modalias '" MODALIAS "'; install a kernel with vfio-pci or name a "
          "module with 'driver:'", NULL },
        { "module not in the tree", "nouveau", "", 5, "", "", false, false,
          "mlx5_vfio_pci", "mlx5_vfio_pci", MODULE_ABSENT, -ENOPKG, ACTION_ERROR, 0,
          "module 'mlx5_vfio_pci' is not in this kernel's module tree", NULL },
        /* Never "in sync" on a driver that is not a VFIO driver, even when bound to it. */
        { "not a VFIO driver, bound to it", "nvme", "nvme", 5, "", "", false, false,
          "nvme", "nvme", MODULE_LOADED, -EMEDIUMTYPE, ACTION_ERROR, 0,
          "module 'nvme' is not a VFIO driver", NULL },
        { "lookup failed", "nouveau", "", 5, "", "", false, false,
          "", "", MODULE_ABSENT, -EIO, ACTION_ERROR, 0, "module lookup failed: Input/output error", NULL },
        { "target error before group", "nouveau", "", -1, "", "", false, false,
          "", "", MODULE_ABSENT, -ENOENT, ACTION_ERROR, 0, "no vfio_ alias", NULL },
        { "no IOMMU group", "nouveau", "", -1, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_ERROR, 0,
          "no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on", NULL },
        { "no IOMMU group, even with force", "", "", -1, "", "", true, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_ERROR, 0, "intel_iommu=on", NULL },
        { "in use", "nvme", "", 5, "mounted: /boot", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_ERROR, 0,
          "in use: mounted: /boot; refusing to detach it (set 'force: true' to override)", NULL },
        { "in use, forced", "nvme", "", 5, "mounted: /boot", "", true, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "in use by its vfio driver already", "vfio-pci", "vfio-pci", 5, "open by qemu", "", false,
          false, "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_NONE, 0, NULL, NULL },
        /* IOMMU group viability. */
        { "group shared with a host driver", "nouveau", "", 1, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL,
          "IOMMU group 1 is not viable: 0000:01:00.1 is on snd_hda_intel; select it too or add "
          "'group: all'" },
        { "already bound, group still not viable", "vfio-pci", "vfio-pci", 1, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_NONE, 0, NULL,
          "0000:01:00.1 is on snd_hda_intel" },
        { "group member selected too: no warning, bridge ignored", "nouveau", "", 1, "", "", false,
          true, "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "members unbound or on vfio", "nouveau", "", 2, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "only a bridge besides", "nouveau", "", 6, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "member on a variant vfio driver", "nouveau", "", 7, "", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_BIND, OVR | UNBIND | PROBE, NULL, NULL },
        { "errors do not warn", "nouveau", "", 1, "busy", "", false, false,
          "vfio_pci", "vfio-pci", MODULE_LOADED, 0, ACTION_ERROR, 0, "in use: busy", NULL },
};

struct fixture {
        struct device devices[ELEMENTSOF(neighbours) + 1];
        struct snapshot snapshot;
        struct selected_device items[2];
        struct selection sel;
        struct config_entry entry;
        struct target targets[2];
};

static void set_device(struct device *d, const char *name, uint32_t class_code, int group,
                       const char *driver)
{
        const char *why;

        *d = (struct device){ .bus = BUS_PCI, .class_code = class_code, .iommu_group = group,
                              .boot_vga = -1 };
        assert_int_equal(pci_address_parse(name, false, &d->address, &why), 0);
        pci_address_format(&d->address, d->name);
        snprintf(d->driver, sizeof(d->driver), "%s", driver);
}

/* The device under test sorts between the root port and its audio function, as discover does. */
static void build(struct fixture *f, const struct plan_case *t)
{
        struct device *gpu = &f->devices[1], *audio = &f->devices[2];

        memset(f, 0, sizeof(*f));
        set_device(&f->devices[0], neighbours[0].name, neighbours[0].class_code, neighbours[0].group,
                   neighbours[0].driver);
        set_device(gpu, "0000:01:00.0", 0x030000, t->group, t->driver);
        snprintf(gpu->driver_override, sizeof(gpu->driver_override), "%s", t->override);
        snprintf(gpu->in_use, sizeof(gpu->in_use), "%s", t->in_use);
        snprintf(gpu->problem, sizeof(gpu->problem), "%s", t->problem);
        snprintf(gpu->modalias, sizeof(gpu->modalias), "%s", MODALIAS);
        for (size_t i = 1; i < ELEMENTSOF(neighbours); i++)
                set_device(&f->devices[i + 1], neighbours[i].name, neighbours[i].class_code,
                           neighbours[i].group, neighbours[i].driver);
        f->snapshot = (struct snapshot){ f->devices, ELEMENTSOF(f->devices) };

        f->entry = (struct config_entry){ .loc = { "plan.yaml", 3, 5 }, .force = t->force };
        f->items[0] = (struct selected_device){ .device = gpu, .entry = &f->entry, .driver = "",
                                                .force = t->force };
        f->items[1] = (struct selected_device){ .device = audio, .entry = &f->entry, .driver = "" };
        f->sel = (struct selection){ .items = f->items, .n_items = t->with_audio ? 2 : 1 };
        for (size_t i = 0; i < 2; i++) {
                struct target *tg = &f->targets[i];

                snprintf(tg->module, sizeof(tg->module), "%s", t->module);
                snprintf(tg->driver, sizeof(tg->driver), "%s", t->target);
                tg->module_state = t->state;
                tg->error = t->error;
        }
}

static const char *const step_names[] = { "set-reset-method", "load-module", "set-override",
                                           "unbind", "probe" };

static void format_steps(unsigned steps, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < ELEMENTSOF(step_names); i++)
                if (steps & (1u << i))
                        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", step_names[i]);
}

static void test_plan(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(plan_cases); i++) {
                const struct plan_case *t = &plan_cases[i];
                struct fixture f, before;
                struct plan p = { 0 }, again = { 0 };
                const struct action *a;
                char got[64], want[64];

                build(&f, t);
                memcpy(&before, &f, sizeof(f));
                assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
                assert_int_equal(p.n_actions, f.sel.n_items);
                a = &p.actions[0];
                CHECK(a->item == &f.items[0] && a->target == &f.targets[0], "%s: wrong item", t->name);
                CHECK(a->kind == t->kind, "%s: kind %d, expected %d (%s)", t->name, a->kind, t->kind,
                      a->reason);
                format_steps(a->steps, got, sizeof(got));
                format_steps(t->steps, want, sizeof(want));
                CHECK(a->steps == t->steps, "%s: steps %s, expected %s", t->name, got, want);
                if (t->reason)
                        CHECK(strstr(a->reason, t->reason), "%s: reason '%s'", t->name, a->reason);
                else
                        CHECK(a->reason[0] == '\0', "%s: reason '%s'", t->name, a->reason);
                if (t->warning)
                        CHECK(strstr(a->warning, t->warning), "%s: warning '%s'", t->name, a->warning);
                else
                        CHECK(a->warning[0] == '\0', "%s: warning '%s'", t->name, a->warning);
                if (t->with_audio) /* its partner is selected as well: no warning either way */
                        CHECK(p.actions[1].warning[0] == '\0', "%s: audio warning '%s'", t->name,
                              p.actions[1].warning);

                /* Pure: the inputs are as they were, and the same inputs give the same plan. */
                CHECK(memcmp(&before, &f, sizeof(f)) == 0, "%s: plan_build changed its input", t->name);
                assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &again), 0);
                assert_int_equal(again.n_actions, p.n_actions);
                for (size_t j = 0; j < p.n_actions; j++)
                        CHECK(memcmp(&again.actions[j], &p.actions[j], sizeof(struct action)) == 0,
                              "%s: second plan differs", t->name);
                plan_done(&again);
                plan_done(&p);
                assert_null(p.actions);
        }
}

static void test_plan_empty(void **state)
{
        struct selection sel = { 0 };
        struct snapshot s = { 0 };
        struct plan p;

        memset(&p, 0x5a, sizeof(p));
        assert_int_equal(plan_build(&sel, NULL, &s, &p), 0);
        assert_int_equal(p.n_actions, 0);
        plan_done(&p);
}

static void test_step_name(void **state)
{
        static const struct {
                enum step step;
                const char *name;
        } cases[] = {
                { STEP_LOAD_MODULE, "load-module" }, { STEP_SET_OVERRIDE, "set-override" },
                { STEP_UNBIND, "unbind" },           { STEP_PROBE, "probe" },
                { STEP_SET_RESET_METHOD, "set-reset-method" },
                { (enum step)0, "unknown" },         { (enum step)(STEP_UNBIND | STEP_PROBE), "unknown" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                CHECK(strcmp(step_name(cases[i].step), cases[i].name) == 0, "%u: '%s'",
                      (unsigned)cases[i].step, step_name(cases[i].step));
        /* format_steps() above names the bits as step_name() does. */
        for (unsigned i = 0; i < ELEMENTSOF(step_names); i++)
                assert_string_equal(step_name((enum step)(1u << i)), step_names[i]);
}

static void test_driver_is_vfio(void **state)
{
        static const struct {
                const char *driver;
                bool vfio;
        } cases[] = {
                { "vfio-pci", true },   { "mlx5_vfio_pci", true },     { "nvgrace_gpu_vfio_pci", true },
                { "virtio_vfio_pci", true }, { "", false },            { "nouveau", false },
                { "pcieport", false },  { "nvme", false },             { "vfi0-pci", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                CHECK(driver_is_vfio(cases[i].driver) == cases[i].vfio, "'%s'", cases[i].driver);
}

/* Refused whatever resolution found: a bridge, and a device two entries disagree about. */
static void test_plan_refusals(void **state)
{
        const struct plan_case *t = &plan_cases[4]; /* host driver, module absent */
        struct config_entry other = { .loc = { "other.yaml", 7, 5 }, .driver = "vfio_pci" };
        struct fixture f;
        struct plan p = { 0 };

        assert_string_equal(t->name, "host driver, module absent");
        build(&f, t);
        f.devices[1].header_type = 1;
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_ERROR);
        assert_string_equal(p.actions[0].reason,
                            "a PCI-to-PCI bridge (header type 1): vfio-pci and its variants take "
                            "only normal (type 0) devices; select the devices behind it instead");
        plan_done(&p);

        build(&f, t);
        f.items[0].conflict = &other;
        f.items[0].conflict_kind = CONFLICT_DRIVER;
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_ERROR);
        assert_int_equal(p.actions[0].steps, 0);
        assert_string_equal(p.actions[0].reason,
                            "two entries disagree: 'driver' is '(resolved)' at plan.yaml:3:5 and "
                            "'vfio_pci' at other.yaml:7:5; make them agree");
        plan_done(&p);

        /* reset_method: only methods the device offers; in sync when equal; a step otherwise. */
        /* (the fixture's first item is devices[1], the second devices[0]) */
        build(&f, t);
        snprintf(f.entry.reset_method, sizeof(f.entry.reset_method), "flr bus");
        f.devices[1].has_reset_method = true;
        snprintf(f.devices[1].reset_method, sizeof(f.devices[1].reset_method), "af_flr pm bus");
        snprintf(f.devices[1].reset_offered, sizeof(f.devices[1].reset_offered), "af_flr pm bus");
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_ERROR);
        assert_string_equal(p.actions[0].reason, "reset method 'flr' is not one the device "
                                                 "offers; it offers: af_flr pm bus");
        plan_done(&p);
        f.devices[1].has_reset_method = false;
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_ERROR);
        assert_string_equal(p.actions[0].reason, "the device has no reset_method attribute (a "
                            "kernel older than 5.15, or a device without a reset method); leave "
                            "'reset_method' out for it");
        plan_done(&p);
        f.devices[1].has_reset_method = true;
        snprintf(f.devices[1].reset_method, sizeof(f.devices[1].reset_method), "flr pm bus");
        snprintf(f.devices[1].reset_offered, sizeof(f.devices[1].reset_offered), "flr pm bus");
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_BIND);
        assert_true(p.actions[0].steps & STEP_SET_RESET_METHOD);
        plan_done(&p);
        snprintf(f.devices[1].reset_method, sizeof(f.devices[1].reset_method), "flr bus");
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_false(p.actions[0].steps & STEP_SET_RESET_METHOD);
        plan_done(&p);
        /* Narrowed by hand to 'pm' after an apply: offered still has bus, so a step, no error. */
        snprintf(f.devices[1].reset_method, sizeof(f.devices[1].reset_method), "pm");
        assert_int_equal(plan_build(&f.sel, f.targets, &f.snapshot, &p), 0);
        assert_int_equal(p.actions[0].kind, ACTION_BIND);
        assert_true(p.actions[0].steps & STEP_SET_RESET_METHOD);
        plan_done(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_plan_empty),
                cmocka_unit_test(test_step_name),
                cmocka_unit_test(test_driver_is_vfio),
                cmocka_unit_test(test_plan_refusals),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
