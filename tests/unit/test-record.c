/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* record.c's parser and format, and plan-release.c: pure, so every case is a table row. */
#include <errno.h>

#include "plan.h"
#include "record.h"
#include "plan.h"
#include "unit.h"

#define HEAD "# comment\n" RECORD_MAGIC "\n"

static const struct parse_case {
        const char *name, *text;
        int error;          /* 0 or -EBADMSG */
        unsigned bad_line;  /* with -EBADMSG */
        size_t n;           /* entries, when it parses */
} parse_cases[] = {
        { "empty record", HEAD, 0, 0, 0 },
        { "one PCI line", HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -\n", 0, 0, 1 },
        { "no previous driver, -c origin, platform without ids",
          HEAD "pci 0000:5e:00.1 15b3:101e mlx5_vfio_pci - /etc/x\\x20y.yaml\n"
               "platform fff51000.ethernet - vfio-platform - cmdline\n", 0, 0, 2 },
        { "empty file", "", -EBADMSG, 1, 0 },
        { "no magic", "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -\n", -EBADMSG, 1, 0 },
        { "other version", "vfio-bind-bound 2\n", -EBADMSG, 1, 0 },
        { "cut short", HEAD "pci 0000:02:00.0 10de:2204 vfio-p", -EBADMSG, 1, 0 },
        { "NUL inside", HEAD "pci 0000:02:00.0\0 10de:2204 vfio-pci nvidia -\n", -EBADMSG, 1, 0 },
        { "five fields", HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia\n", -EBADMSG, 3, 0 },
        { "seven fields", HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia - x\n", -EBADMSG, 3, 0 },
        { "two spaces", HEAD "pci  0000:02:00.0 10de:2204 vfio-pci nvidia -\n", -EBADMSG, 3, 0 },
        { "short address", HEAD "pci 02:00.0 10de:2204 vfio-pci nvidia -\n", -EBADMSG, 3, 0 },
        { "PCI without ids", HEAD "pci 0000:02:00.0 - vfio-pci nvidia -\n", -EBADMSG, 3, 0 },
        { "unknown bus", HEAD "usb 1-1 - vfio-pci - -\n", -EBADMSG, 3, 0 },
        { "non-VFIO driver", HEAD "pci 0000:02:00.0 10de:2204 nvme - -\n", -EBADMSG, 3, 0 },
        { "control byte in a driver", HEAD "pci 0000:02:00.0 10de:2204 vfio\x1b-pci - -\n",
          -EBADMSG, 3, 0 },
        { "relative origin", HEAD "pci 0000:02:00.0 10de:2204 vfio-pci - x.yaml\n", -EBADMSG, 3, 0 },
        { "duplicate device",
          HEAD "pci 0000:02:00.0 10de:2204 vfio-pci - -\npci 0000:02:00.0 10de:2204 vfio-pci - -\n",
          -EBADMSG, 4, 0 },
        { "empty line", HEAD "\n", -EBADMSG, 3, 0 },
        { "previous reset methods",
          HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia - reset_method=flr,bus\n"
               "pci 0000:03:00.0 10de:2204 vfio-pci nvidia - reset_method=\n", 0, 0, 2 },
        { "reset methods, bad character",
          HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia - reset_method=flr;bus\n", -EBADMSG, 3, 0 },
        { "eight fields",
          HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia - reset_method=flr x\n", -EBADMSG, 3, 0 },
};

static void test_parse(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
                const struct parse_case *c = &parse_cases[i];
                /* "NUL inside" has one: the size comes from the literal, not strlen. */
                size_t size = strlen(c->text);
                struct record r = { 0 };
                unsigned bad = 0;
                int err;

                if (streq(c->name, "NUL inside"))
                        size = sizeof(HEAD "pci 0000:02:00.0\0 10de:2204 vfio-pci nvidia -\n") - 1;
                err = record_parse(c->text, size, &r, &bad);
                CHECK(err == c->error, "%s: %d", c->name, err);
                if (err == 0)
                        CHECK(r.n_entries == c->n, "%s: %zu entries", c->name, r.n_entries);
                else
                        CHECK(bad == c->bad_line, "%s: line %u", c->name, bad);
                record_done(&r);
        }
}

/* What record_format writes, record_parse reads back as it was. */
static void test_round_trip(void **state)
{
        static const char text[] = HEAD "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -\n"
                                        "pci 0000:5e:00.1 15b3:101e mlx5_vfio_pci - cmdline\n"
                                        "fsl-mc dprc.2 - vfio-fsl-mc - /etc/a\\x5cb\n"
                                        "pci 0000:03:00.0 8086:1533 vfio-pci igb - reset_method=flr,pm,bus\n"
                                        "pci 0000:04:00.0 8086:1533 vfio-pci igb - reset_method=\n";
        struct record a = { 0 }, b = { 0 };
        _cleanup_free_ char *out = NULL;
        unsigned bad;

        assert_int_equal(record_parse(text, strlen(text), &a, &bad), 0);
        assert_int_equal(a.n_entries, 5);
        assert_false(a.entries[0].has_reset_previous);
        assert_true(a.entries[3].has_reset_previous);
        assert_string_equal(a.entries[3].reset_previous, "flr pm bus");
        assert_true(a.entries[4].has_reset_previous);
        assert_string_equal(a.entries[4].reset_previous, "");
        assert_string_equal(a.entries[0].previous, "nvidia");
        assert_string_equal(a.entries[1].previous, "");
        assert_false(a.entries[2].has_id);
        assert_int_equal(record_format(&a, &out), 0);
        assert_int_equal(record_parse(out, strlen(out), &b, &bad), 0);
        assert_true(record_equal(&a, &b));
        record_done(&a);
        record_done(&b);
}

/* What vfio-bind narrowed reset_method from is still offered; another device is left alone. */
static void test_widen_reset_offered(void **state)
{
        static const char text[] =
                HEAD "pci 0000:03:00.0 8086:1533 vfio-pci igb - reset_method=flr,pm,bus\n"
                     "pci 0000:04:00.0 8086:1533 vfio-pci igb - reset_method=flr,bus\n";
        struct device devices[3] = {
                { .bus = BUS_PCI, .name = "0000:03:00.0", .id = { 0x8086, 0x1533 },
                  .has_reset_method = true, .reset_method = "pm", .reset_offered = "pm" },
                /* another card in the recorded slot: its own methods only */
                { .bus = BUS_PCI, .name = "0000:04:00.0", .id = { 0x8086, 0x10d3 },
                  .has_reset_method = true, .reset_method = "bus", .reset_offered = "bus" },
                { .bus = BUS_PCI, .name = "0000:05:00.0", .id = { 0x8086, 0x1533 },
                  .has_reset_method = true, .reset_method = "flr", .reset_offered = "flr" },
        };
        struct snapshot s = { .devices = devices, .n_devices = 3 };
        struct record r = { 0 };
        unsigned bad;

        assert_int_equal(record_parse(text, strlen(text), &r, &bad), 0);
        record_widen_reset_offered(&r, &s);
        assert_string_equal(devices[0].reset_offered, "pm flr bus");
        assert_string_equal(devices[0].reset_method, "pm");
        assert_string_equal(devices[1].reset_offered, "bus");
        assert_string_equal(devices[2].reset_offered, "flr");
        record_done(&r);
}

static void test_origin(void **state)
{
        char buf[RECORD_ORIGIN_MAX];

        record_origin(NULL, buf, sizeof(buf));
        assert_string_equal(buf, "-");
        record_origin("/nonexistent dir/a\\b\n.yaml", buf, sizeof(buf));
        assert_string_equal(buf, "/nonexistent\\x20dir/a\\x5cb\\x0a.yaml");
}

/* The device 0000:02:00.1 on vfio-pci, recorded; variations of it per row. */
static const struct release_case {
        const char *name;
        const char *driver, *override;
        uint16_t device_id;
        const char *origin; /* of the record line; the run's is "-" */
        bool selected;
        bool release;
        unsigned steps;
} release_cases[] = {
        { "ours, selected no more", "vfio-pci", "vfio-pci", 0x1aef, "-", false, true,
          STEP_SET_OVERRIDE | STEP_UNBIND | STEP_PROBE },
        { "ours, unbound by someone", "", "vfio-pci", 0x1aef, "-", false, true,
          STEP_SET_OVERRIDE | STEP_PROBE },
        { "still selected", "vfio-pci", "vfio-pci", 0x1aef, "-", true, false, 0 },
        { "override changed by hand", "vfio-pci", "snd_hda_intel", 0x1aef, "-", false, false, 0 },
        /* half a revert (by hand, or a run killed midway): finished */
        { "override cleared, still bound", "vfio-pci", "", 0x1aef, "-", false, true,
          STEP_UNBIND | STEP_PROBE },
        /* what a release leaves when no host driver takes the device: not again */
        { "no override, no driver", "", "", 0x1aef, "-", false, false, 0 },
        { "override cleared, bound elsewhere", "snd_hda_intel", "", 0x1aef, "-", false, false, 0 },
        { "on another driver", "snd_hda_intel", "vfio-pci", 0x1aef, "-", false, false, 0 },
        { "another card in the slot", "vfio-pci", "vfio-pci", 0x10f0, "-", false, false, 0 },
        { "bound by -c FILE", "vfio-pci", "vfio-pci", 0x1aef, "/etc/x.yaml", false, false, 0 },
        { "from the kernel command line", "vfio-pci", "vfio-pci", 0x1aef, "cmdline", false, false, 0 },
};

static void test_plan_releases(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(release_cases); i++) {
                const struct release_case *c = &release_cases[i];
                struct device devs[2] = {
                        { .bus = BUS_PCI, .name = "0000:02:00.0", .id = { 0x10de, 0x2204 },
                          .driver = "vfio-pci", .driver_override = "vfio-pci" },
                        { .bus = BUS_PCI, .name = "0000:02:00.1", .id = { 0x10de, c->device_id } },
                };
                struct record_entry e = { .bus = BUS_PCI, .name = "0000:02:00.1", .has_id = true,
                                          .id = { 0x10de, 0x1aef }, .driver = "vfio-pci",
                                          .previous = "snd_hda_intel" };
                struct snapshot s = { .devices = devs, .n_devices = 2 };
                struct selected_device items[2] = { { .device = &devs[0] }, { .device = &devs[1] } };
                struct selection sel = { .items = items, .n_items = c->selected ? 2 : 1 };
                struct record rec = { .entries = &e, .n_entries = 1 };
                struct plan p = { 0 };

                snprintf(devs[1].driver, sizeof(devs[1].driver), "%s", c->driver);
                snprintf(devs[1].driver_override, sizeof(devs[1].driver_override), "%s", c->override);
                snprintf(e.origin, sizeof(e.origin), "%s", c->origin);
                assert_int_equal(plan_releases(&p, &rec, "-", &sel, &s), 0);
                CHECK(p.n_releases == (c->release ? 1u : 0u), "%s: %zu releases", c->name,
                      p.n_releases);
                if (c->release) {
                        CHECK(p.releases[0].kind == ACTION_RELEASE, "%s", c->name);
                        CHECK(p.releases[0].item->device == &devs[1], "%s", c->name);
                        CHECK(p.releases[0].steps == c->steps, "%s: steps %x", c->name,
                              p.releases[0].steps);
                        CHECK(streq(p.releases[0].target->driver, "snd_hda_intel"), "%s", c->name);
                        CHECK(plan_action(&p, 0) == &p.releases[0], "%s", c->name);
                }
                plan_done(&p);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_widen_reset_offered),
                cmocka_unit_test(test_origin),
                cmocka_unit_test(test_plan_releases),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
