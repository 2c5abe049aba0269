/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bus.c: device references on the command line; plan.c: the fsl-mc container rule. */
#include <errno.h>

#include "bus.h"
#include "plan.h"
#include "unit.h"

static const struct ref_case {
        const char *input;
        bool allow_any;
        int ret;
        bool is_pci;
        unsigned bus_mask; /* when ret == 0 */
        const char *name;  /* when ret == 0: canonical */
        const char *why;   /* when ret < 0: a phrase of *why */
} ref_cases[] = {
        { "0000:01:00.0", false, 0, true, 1u << BUS_PCI, "0000:01:00.0", NULL },
        { "01:00.0", false, 0, true, 1u << BUS_PCI, "0000:01:00.0", NULL },
        { "0000:01:00.*", true, 0, true, 1u << BUS_PCI, "0000:01:00.*", NULL },
        { "fff51000.ethernet", false, 0, false, 1u << BUS_PLATFORM, "fff51000.ethernet", NULL },
        { "ACPI0007:00", false, 0, false, 1u << BUS_PLATFORM, "ACPI0007:00", NULL },
        /* An fsl-mc object name is a valid platform name too: both buses are searched. */
        { "dprc.2", false, 0, false, (1u << BUS_PLATFORM) | (1u << BUS_FSL_MC), "dprc.2", NULL },
        { "cdx-00:01", false, 0, false, (1u << BUS_PLATFORM) | (1u << BUS_CDX), "cdx-00:01",
          NULL },
        /* Hex digits, ':' and '.' only: a PCI address, and PCI's reason when it is a bad one. */
        { "0000:01:00.8", false, -EINVAL, false, 0, NULL, "function is 0 to 7" },
        { "0000:01:20.0", false, -EINVAL, false, 0, NULL, "at most 1f" },
        { "0000:01:00.*", false, -EINVAL, false, 0, NULL, "function is 0 to 7" },
        { "a/b", false, -EINVAL, false, 0, NULL, "or the sysfs name of a platform" },
        { "..", false, -EINVAL, false, 0, NULL, "or the sysfs name" },
        { "", false, -EINVAL, false, 0, NULL, "or the sysfs name" },
        { "x y", false, -EINVAL, false, 0, NULL, "or the sysfs name" },
};

static void test_device_ref_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(ref_cases); i++) {
                const struct ref_case *t = &ref_cases[i];
                struct device_ref r = { 0 };
                const char *why = NULL;
                int ret = device_ref_parse(t->input, t->allow_any, &r, &why);

                CHECK(ret == t->ret, "'%s': returned %d", t->input, ret);
                if (ret == 0)
                        CHECK(r.is_pci == t->is_pci && r.bus_mask == t->bus_mask &&
                                      streq(r.name, t->name),
                              "'%s': is_pci %d mask %x name '%s'", t->input, r.is_pci,
                              r.bus_mask, r.name);
                else
                        CHECK(why && strstr(why, t->why), "'%s': why '%s'", t->input,
                              strempty(why));
        }
}

static void test_device_ref_missing(void **state)
{
        struct device_ref r;
        const char *why;
        char buf[160];

        assert_int_equal(device_ref_parse("0000:09:00.0", false, &r, &why), 0);
        device_ref_describe_missing(&r, buf, sizeof(buf));
        assert_string_equal(buf, "no PCI device 0000:09:00.0");
        assert_int_equal(device_ref_parse("nosuch.eth", false, &r, &why), 0);
        device_ref_describe_missing(&r, buf, sizeof(buf));
        assert_string_equal(buf, "no device nosuch.eth on the platform bus");
        assert_int_equal(device_ref_parse("dpni.7", false, &r, &why), 0);
        device_ref_describe_missing(&r, buf, sizeof(buf));
        assert_string_equal(buf, "no device dpni.7 on the platform or fsl-mc bus");
}

/*
 * A DPAA2 layout: dprc.2 holds dpni.1 and dpbp.1, all in IOMMU group 21 (one ICID per
 * container). Which selections plan refuses, and whether the group warning appears.
 */
enum { DPBP, DPNI, DPRC, N_FSL }; /* plan does not depend on the order */

static const struct fsl_case {
        const char *what;
        bool select[N_FSL];
        const char *container_driver;
        enum action_kind kinds[N_FSL]; /* of the selected devices */
        const char *reason;            /* a phrase of the first error, or NULL */
        bool warns;                    /* the group is not viable */
} fsl_cases[] = {
        { "the container", { [DPRC] = true }, "fsl_mc_dprc", { [DPRC] = ACTION_BIND }, NULL, false },
        { "an object alone, container on its host driver", { [DPNI] = true }, "fsl_mc_dprc",
          { [DPNI] = ACTION_ERROR },
          "dpni.1 is in container dprc.2 (on fsl_mc_dprc); vfio-fsl-mc takes objects only with "
          "their container: select it ('bus: fsl-mc', 'name: dprc.2')", false },
        { "an object with its container", { [DPNI] = true, [DPRC] = true }, "fsl_mc_dprc",
          { [DPNI] = ACTION_BIND, [DPRC] = ACTION_BIND }, NULL, false },
        /* dpbp.1 left on a host driver while its container is on vfio: the group is not viable. */
        { "an object whose container is on vfio-fsl-mc", { [DPNI] = true }, "vfio-fsl-mc",
          { [DPNI] = ACTION_BIND }, NULL, true },
};

static void set_fsl(struct device *d, const char *name, const char *container, const char *driver)
{
        *d = (struct device){ .bus = BUS_FSL_MC, .iommu_group = 21, .boot_vga = -1,
                              .vf_index = -1 };
        snprintf(d->name, sizeof(d->name), "%s", name);
        snprintf(d->container, sizeof(d->container), "%s", container);
        snprintf(d->driver, sizeof(d->driver), "%s", driver);
}

static void test_fsl_mc_container(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(fsl_cases); i++) {
                const struct fsl_case *t = &fsl_cases[i];
                struct device devices[N_FSL];
                struct snapshot s = { devices, N_FSL };
                struct selected_device items[N_FSL];
                struct target targets[N_FSL];
                struct config_entry entry = { .loc = { "fsl.yaml", 3, 5 }, .bus = BUS_FSL_MC };
                struct selection sel = { .items = items };
                struct plan p = { 0 };
                size_t k = 0;

                set_fsl(&devices[DPBP], "dpbp.1", "dprc.2", "fsl_mc_allocator");
                set_fsl(&devices[DPNI], "dpni.1", "dprc.2", "fsl_dpaa2_eth");
                set_fsl(&devices[DPRC], "dprc.2", "dprc.1", t->container_driver);
                for (int slot = 0; slot < N_FSL; slot++) {
                        if (!t->select[slot])
                                continue;
                        items[k] = (struct selected_device){ .device = &devices[slot],
                                                             .entry = &entry, .driver = "" };
                        targets[k] = (struct target){ .module = "vfio_fsl_mc",
                                                      .driver = "vfio-fsl-mc",
                                                      .module_state = MODULE_LOADED };
                        k++;
                }
                sel.n_items = k;
                assert_int_equal(plan_build(&sel, targets, &s, &p), 0);
                for (size_t j = 0; j < k; j++) {
                        const struct action *a = &p.actions[j];
                        size_t slot = (size_t)(a->item->device - devices);

                        CHECK(a->kind == t->kinds[slot], "%s: %s: kind %d", t->what,
                              a->item->device->name, a->kind);
                        CHECK(!a->warning[0] == !t->warns, "%s: %s: warning '%s'", t->what,
                              a->item->device->name, a->warning);
                        if (a->kind == ACTION_ERROR)
                                CHECK(t->reason && strstr(a->reason, t->reason), "%s: reason '%s'",
                                      t->what, a->reason);
                }
                plan_done(&p);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_device_ref_parse),
                cmocka_unit_test(test_device_ref_missing),
                cmocka_unit_test(test_fsl_mc_container),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
