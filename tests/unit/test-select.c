/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* select.c: which config entry takes which device, over a hand-built snapshot. */
#include <errno.h>

#include "select.h"
#include "unit.h"

static const struct dev_spec {
        const char *name;
        const char *id, *subsystem;
        uint32_t class_code;
        int group;
        const char *driver;
} dev_specs[] = {
        { "0000:00:00.0", "8086:3e30", "1458:5000", 0x060000, 0, "" },            /* host bridge */
        { "0000:00:01.0", "8086:1901", "1458:5000", 0x060400, 1, "pcieport" },    /* root port */
        { "0000:01:00.0", "10de:2204", "1458:403b", 0x030000, 1, "nouveau" },     /* GPU */
        { "0000:01:00.1", "10de:1aef", "1458:403b", 0x040300, 1, "snd_hda_intel" },
        { "0000:02:00.0", "144d:a808", "144d:a801", 0x010802, 2, "nvme" },
        { "0000:03:00.0", "144d:a808", "144d:a801", 0x010802, 3, "nvme" },
        { "0000:41:00.0", "10de:2204", "10de:147d", 0x030000, 4, "nvidia" },      /* twin GPU */
        { "0000:41:00.1", "10de:1aef", "10de:147d", 0x040300, 4, "snd_hda_intel" },
        { "0000:41:00.2", "10de:1ada", "10de:147d", 0x0c0330, 4, "xhci_hcd" },
        { "0000:41:00.3", "10de:1adb", "10de:147d", 0x0c8000, 4, "" },
        { "10000:e1:00.0", "8086:0a54", "8086:3901", 0x010802, -1, "nvme" },      /* behind VMD */
        { "10000:e2:00.0", "8086:0a54", "8086:3901", 0x010802, -1, "nvme" },
};

static struct device devices[ELEMENTSOF(dev_specs)];
static const struct snapshot snapshot = { devices, ELEMENTSOF(devices) };

static int setup(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(dev_specs); i++) {
                const struct dev_spec *s = &dev_specs[i];
                struct device *d = &devices[i];
                const char *why;

                *d = (struct device){ .bus = BUS_PCI, .class_code = s->class_code,
                                      .iommu_group = s->group, .boot_vga = -1 };
                assert_int_equal(pci_address_parse(s->name, false, &d->address, &why), 0);
                pci_address_format(&d->address, d->name);
                assert_string_equal(d->name, s->name);
                assert_int_equal(pci_id_parse(s->id, &d->id, &why), 0);
                assert_int_equal(pci_id_parse(s->subsystem, &d->subsystem, &why), 0);
                snprintf(d->driver, sizeof(d->driver), "%s", s->driver);
                if (i > 0) /* the snapshot's contract */
                        assert_true(pci_address_compare(&devices[i - 1].address, &d->address) < 0);
        }
        return 0;
}

static void load_entries(struct config *c, const char *entries)
{
        char doc[1024];

        snprintf(doc, sizeof(doc), "version: 1\ndevices:\n%s", entries);
        assert_int_equal(config_load_buffer(c, "sel.yaml", doc, strlen(doc)), 0);
}

static const struct {
        const char *entry;   /* one device entry, YAML, at line 3 */
        const char *matches; /* the devices it matches, in snapshot order */
} match_cases[] = {
        { "- address: \"01:00.0\"", "0000:01:00.0" },
        { "- address: \"01:00.*\"", "0000:01:00.0 0000:01:00.1" },
        { "- address: \"41:00.*\"", "0000:41:00.0 0000:41:00.1 0000:41:00.2 0000:41:00.3" },
        { "- address: \"02:00.1\"", "" },
        { "- address: \"e1:00.0\"", "" }, /* domain 0000 */
        { "- address: \"10000:e1:00.0\"", "10000:e1:00.0" },
        { "- address: \"10000:e1:00.*\"", "10000:e1:00.0" },
        { "- id: \"10de:2204\"", "0000:01:00.0 0000:41:00.0" },
        { "- id: \"144d:a808\"", "0000:02:00.0 0000:03:00.0" },
        { "- id: \"10de:2205\"", "" },
        { "- id: \"2204:10de\"", "" },
        { "- id: \"10de:2204\"\n  subsystem: \"1458:403b\"", "0000:01:00.0" },
        { "- id: \"10de:2204\"\n  subsystem: \"10de:147d\"", "0000:41:00.0" },
        { "- id: \"10de:2204\"\n  subsystem: \"1458:403c\"", "" },
        { "- id: \"10de:2204\"\n  subsystem: \"403b:1458\"", "" },
        { "- id: \"10de:2204\"\n  class: \"0300\"", "0000:01:00.0 0000:41:00.0" },
        { "- id: \"10de:2204\"\n  class: \"030000\"", "0000:01:00.0 0000:41:00.0" },
        { "- id: \"10de:2204\"\n  class: \"0302\"", "" },
        { "- id: \"10de:2204\"\n  class: \"030200\"", "" },
        { "- id: \"10de:2204\"\n  class: \"0003\"", "" },
        { "- id: \"144d:a808\"\n  class: \"0108\"", "0000:02:00.0 0000:03:00.0" },
        { "- id: \"144d:a808\"\n  class: \"010802\"", "0000:02:00.0 0000:03:00.0" },
        { "- id: \"144d:a808\"\n  class: \"010801\"", "" },
        { "- id: \"144d:a808\"\n  class: \"0802\"", "" },
        { "- id: \"10de:1ada\"\n  class: \"0c03\"", "0000:41:00.2" },
        { "- id: \"10de:1ada\"\n  subsystem: \"10de:147d\"\n  class: \"0c0330\"", "0000:41:00.2" },
        { "- id: \"8086:0a54\"\n  class: \"0108\"", "10000:e1:00.0 10000:e2:00.0" },
        /* Address and id together: both must hold. */
        { "- address: \"41:00.0\"\n  id: \"10de:2204\"", "0000:41:00.0" },
        { "- address: \"41:00.0\"\n  id: \"10de:1aef\"", "" },
        { "- address: \"41:00.*\"\n  id: \"10de:1aef\"", "0000:41:00.1" },
        { "- address: \"03:00.0\"\n  id: \"144d:a808\"\n  class: \"010802\"", "0000:03:00.0" },
        { "- address: \"03:00.0\"\n  id: \"144d:a808\"\n  subsystem: \"0000:0000\"", "" },
};

static void test_entry_matches(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                struct config c = { 0 };
                char got[256] = "";
                size_t n = 0;

                load_entries(&c, match_cases[i].entry);
                assert_int_equal(c.n_entries, 1);
                for (size_t j = 0; j < snapshot.n_devices; j++)
                        if (entry_matches(&c.entries[0], &devices[j]))
                                n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? " " : "",
                                                      devices[j].name);
                CHECK(strcmp(got, match_cases[i].matches) == 0, "'%s' matched '%s', expected '%s'",
                      match_cases[i].entry, got, match_cases[i].matches);
                config_done(&c);
        }
}

/* One line per selected device: address, line of its entry, driver, group, force, via_group. */
static void format_selection(const struct selection *sel, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < sel->n_items; i++) {
                const struct selected_device *it = &sel->items[i];

                n += (size_t)snprintf(buf + n, size - n, "%s @%u %s %s%s%s", it->device->name,
                                      it->entry->loc.line, *it->driver ? it->driver : "-",
                                      it->group == GROUP_ALL ? "all" : "device",
                                      it->force ? " force" : "", it->via_group ? " via" : "");
                if (it->conflict)
                        n += (size_t)snprintf(buf + n, size - n, " conflict @%u kind %d",
                                              it->conflict->loc.line, (int)it->conflict_kind);
                n += (size_t)snprintf(buf + n, size - n, "\n");
                assert_true(n < size);
        }
        for (size_t i = 0; i < sel->n_unmatched; i++) {
                n += (size_t)snprintf(buf + n, size - n, "unmatched @%u\n", sel->unmatched[i]->loc.line);
                assert_true(n < size);
        }
}

static const struct select_case {
        const char *name;
        const char *entries; /* the first at line 3 */
        int ret;
        const char *expect; /* format_selection() on success, the logged message on error */
} select_cases[] = {
        { "nothing", "", 0, "" },
        { "sorted by address, not by entry",
          "- address: \"41:00.0\"\n"
          "- address: \"03:00.0\"\n"
          "- address: \"01:00.0\"\n",
          0,
          "0000:01:00.0 @5 - device\n"
          "0000:03:00.0 @4 - device\n"
          "0000:41:00.0 @3 - device\n" },
        { "unmatched entries, in config order",
          "- address: \"05:00.0\"\n"
          "- id: \"144d:a808\"\n"
          "- id: \"dead:beef\"\n"
          "- address: \"01:00.0\"\n"
          "  id: \"10de:1aef\"\n",
          0,
          "0000:02:00.0 @4 - device\n"
          "0000:03:00.0 @4 - device\n"
          "unmatched @3\n"
          "unmatched @5\n"
          "unmatched @6\n" },
        /* Found on this host only: the device is refused (plan says why), the others go on. */
        { "two entries, different drivers for one device",
          "- id: \"10de:2204\"\n"
          "- address: \"41:00.0\"\n"
          "  driver: nvgrace_gpu_vfio_pci\n",
          0,
          "0000:01:00.0 @3 - device\n"
          "0000:41:00.0 @3 - device conflict @4 kind 1\n" },
        { "two explicit drivers: only the device both select",
          "- address: \"02:00.0\"\n"
          "  driver: vfio_pci\n"
          "- id: \"144d:a808\"\n"
          "  driver: vbt_nvme_id_vfio_pci\n",
          0,
          "0000:02:00.0 @3 vfio_pci device conflict @5 kind 1\n"
          "0000:03:00.0 @5 vbt_nvme_id_vfio_pci device\n" },
        { "a refused device brings no group along",
          "- id: \"10de:2204\"\n"
          "  group: all\n"
          "- address: \"41:00.0\"\n"
          "  driver: vfio_pci\n",
          0,
          "0000:01:00.0 @3 - all\n"
          "0000:01:00.1 @3 - all via\n"
          "0000:41:00.0 @3 - all conflict @5 kind 1\n" },
        { "same driver merges: force OR'd, group all wins, first entry kept",
          "- id: \"144d:a808\"\n"
          "  driver: vfio-pci\n"
          "- address: \"03:00.0\"\n"
          "  driver: vfio_pci\n"
          "  force: true\n"
          "- address: \"03:00.0\"\n"
          "  id: \"144d:a808\"\n"
          "  driver: vfio_pci\n"
          "  group: all\n",
          0,
          "0000:02:00.0 @3 vfio_pci device\n"
          "0000:03:00.0 @3 vfio_pci all force\n" },
        { "force is not taken back by a later false",
          "- address: \"02:00.0\"\n"
          "  force: true\n"
          "- id: \"144d:a808\"\n"
          "  force: false\n",
          0,
          "0000:02:00.0 @3 - device force\n"
          "0000:03:00.0 @5 - device\n" },
        { "group all: the other endpoints, not the bridge",
          "- address: \"01:00.0\"\n"
          "  driver: vfio_pci\n"
          "  group: all\n"
          "  force: true\n",
          0,
          "0000:01:00.0 @3 vfio_pci all force\n"
          "0000:01:00.1 @3 - all force via\n" },
        { "group all: members with their own entry keep it",
          "- address: \"41:00.1\"\n"
          "  driver: vfio_pci\n"
          "- id: \"10de:2204\"\n"
          "  subsystem: \"10de:147d\"\n"
          "  group: all\n",
          0,
          "0000:41:00.0 @5 - all\n"
          "0000:41:00.1 @3 vfio_pci device\n"
          "0000:41:00.2 @5 - all via\n"
          "0000:41:00.3 @5 - all via\n" },
        { "group all from a later, merged entry",
          "- address: \"01:00.0\"\n"
          "- id: \"10de:2204\"\n"
          "  group: all\n",
          0,
          "0000:01:00.0 @3 - all\n"
          "0000:01:00.1 @3 - all via\n"
          "0000:41:00.0 @4 - all\n"
          "0000:41:00.1 @4 - all via\n"
          "0000:41:00.2 @4 - all via\n"
          "0000:41:00.3 @4 - all via\n" },
        { "group all without an IOMMU group pulls nothing",
          "- address: \"10000:e1:00.0\"\n"
          "  group: all\n",
          0,
          "10000:e1:00.0 @3 - all\n" },
        { "group all on a bridge's group",
          "- address: \"00:00.0\"\n"
          "  group: all\n",
          0,
          "0000:00:00.0 @3 - all\n" },
};

static void test_select_devices(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(select_cases); i++) {
                const struct select_case *t = &select_cases[i];
                struct selection sel = { 0 };
                struct config c = { 0 };
                struct capture cap;
                char got[2048], *log;
                int r;

                load_entries(&c, t->entries);
                assert_int_equal(config_check(&c), 0);
                capture_begin(&cap);
                r = select_devices(&c, &snapshot, &sel);
                log = capture_end(&cap);
                CHECK(r == t->ret, "%s: returned %d, logged: %s", t->name, r, log);
                if (r < 0) {
                        CHECK(strcmp(log, t->expect) == 0, "%s: logged '%s'", t->name, log);
                        CHECK(sel.items == NULL && sel.n_items == 0, "%s: selection set on error",
                              t->name);
                } else {
                        CHECK(log[0] == '\0', "%s: logged '%s'", t->name, log);
                        format_selection(&sel, got, sizeof(got));
                        CHECK(strcmp(got, t->expect) == 0, "%s: got\n%s", t->name, got);
                }
                free(log);
                selection_done(&sel);
                config_done(&c);
        }
}

/* Whatever the order of the entries, the same selection. */
static void test_select_order_independent(void **state)
{
        static const char *const entries[] = {
                "- id: \"144d:a808\"\n",
                "- address: \"41:00.*\"\n",
                "- address: \"01:00.1\"\n",
                "- address: \"10000:e2:00.0\"\n",
        };
        static const unsigned orders[][4] = { { 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 3, 0, 2 } };
        char first[1024] = "";

        for (size_t o = 0; o < ELEMENTSOF(orders); o++) {
                struct selection sel = { 0 };
                struct config c = { 0 };
                char doc[512] = "", got[1024];
                size_t n = 0;

                for (size_t i = 0; i < 4; i++)
                        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s", entries[orders[o][i]]);
                load_entries(&c, doc);
                assert_int_equal(select_devices(&c, &snapshot, &sel), 0);
                assert_int_equal(sel.n_items, 8);
                got[0] = '\0';
                n = 0;
                for (size_t i = 0; i < sel.n_items; i++)
                        n += (size_t)snprintf(got + n, sizeof(got) - n, "%s ", sel.items[i].device->name);
                assert_string_equal(got, "0000:01:00.1 0000:02:00.0 0000:03:00.0 0000:41:00.0 "
                                         "0000:41:00.1 0000:41:00.2 0000:41:00.3 10000:e2:00.0 ");
                if (o == 0)
                        strcpy(first, got);
                assert_string_equal(got, first);
                selection_done(&sel);
                config_done(&c);
        }
}

/* slot, path, serial and functions: all over a card of four functions and a PF with a VF. */
static void test_identity(void **state)
{
        static const struct {
                const char *name, *slot, *path;
                uint64_t serial;
                bool virtfn;
        } specs[] = {
                { "0000:03:00.0", "4", "pci0000:00/1c.4/00.0", 0xbeef, false },
                { "0000:03:00.1", "4", "pci0000:00/1c.4/00.1", 0xbeef, false },
                { "0000:03:00.2", "4", "pci0000:00/1c.4/00.2", 0, false },
                { "0000:03:00.3", "4", "pci0000:00/1c.4/00.3", 0, false },
                { "0000:3b:00.0", "7", "pci0000:00/02.0/00.0", 0x1234, false }, /* PF */
                { "0000:3b:00.2", "7", "pci0000:00/02.0/00.2", 0x1234, true },  /* its VF */
        };
        static const struct {
                const char *entry, *expect;
        } cases[] = {
                { "- slot: \"4\"\n", "0000:03:00.0 0000:03:00.1 0000:03:00.2 0000:03:00.3 " },
                { "- slot: \"4\"\n  id: \"10de:10f8\"\n", "0000:03:00.1 " },
                { "- slot: \"7\"\n", "0000:3b:00.0 " },
                { "- serial: \"00-00-00-00-00-00-12-34\"\n", "0000:3b:00.0 " },
                { "- serial: \"00-00-00-00-00-00-be-ef\"\n", "0000:03:00.0 0000:03:00.1 " },
                { "- path: \"pci0000:00/02.0/00.2\"\n", "0000:3b:00.2 " },
                { "- id: \"10de:1e84\"\n  functions: all\n",
                  "0000:03:00.0 0000:03:00.1+ 0000:03:00.2+ 0000:03:00.3+ " },
                { "- address: \"3b:00.0\"\n  functions: all\n", "0000:3b:00.0 " },
                { "- slot: \"9\"\n", "missing " },
                { "- path: \"pci0000:00/1c.4/00.4\"\n  optional: true\n", "unmatched " },
        };
        struct device devs[ELEMENTSOF(specs)];
        struct snapshot snap = { devs, ELEMENTSOF(devs) };
        const char *ids[] = { "10de:1e84", "10de:10f8", "10de:1ad8", "10de:1ad9", "15b3:1017", "15b3:1018" };

        for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
                const char *why;

                devs[i] = (struct device){ .bus = BUS_PCI, .class_code = 0x030000, .iommu_group = 1,
                                           .has_serial = specs[i].serial != 0,
                                           .serial = specs[i].serial, .is_virtfn = specs[i].virtfn };
                assert_int_equal(pci_address_parse(specs[i].name, false, &devs[i].address, &why), 0);
                pci_address_format(&devs[i].address, devs[i].name);
                assert_int_equal(pci_id_parse(ids[i], &devs[i].id, &why), 0);
                strcpy(devs[i].slot, specs[i].slot);
                strcpy(devs[i].path, specs[i].path);
        }
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct selection sel = { 0 };
                struct config c = { 0 };
                char got[256] = "";
                size_t n = 0;

                load_entries(&c, cases[i].entry);
                assert_int_equal(select_devices(&c, &snap, &sel), 0);
                for (size_t j = 0; j < sel.n_items; j++)
                        n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s ",
                                              sel.items[j].device->name,
                                              sel.items[j].via_functions ? "+" : "");
                for (size_t j = 0; j < sel.n_unmatched; j++)
                        n += (size_t)snprintf(got + n, sizeof(got) - n, "%s ",
                                              entry_is_missing(sel.unmatched[j]) ? "missing"
                                                                                 : "unmatched");
                CHECK(strcmp(got, cases[i].expect) == 0, "%s: got '%s'", cases[i].entry, got);
                selection_done(&sel);
                config_done(&c);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_entry_matches),
                cmocka_unit_test(test_select_devices),
                cmocka_unit_test(test_select_order_independent),
                cmocka_unit_test(test_identity),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
