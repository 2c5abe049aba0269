/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.c: the YAML language, its errors (file:line:column), drop-ins and cross-entry checks. */
#include <errno.h>

#include "config.h"
#include "unit.h"

#define D54 "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcde_vfio" /* 54 characters */
#define D60 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"

/* Loads a literal (sizeof, so embedded NUL bytes count) and returns what was logged. */
static int load(struct config *c, const char *name, const char *data, size_t size, char **log)
{
        struct capture cap;
        int r;

        capture_begin(&cap);
        r = config_load_buffer(c, name, data, size);
        *log = capture_end(&cap);
        return r;
}

struct expect_entry {
        unsigned line, column;
        const char *address, *id, *subsystem, *class; /* canonical text; NULL: not given */
        const char *driver;                           /* "" when not given */
        unsigned driver_line, driver_column;
        enum group_policy group;
        bool force;
};

static const struct good_case {
        const char *name, *doc;
        size_t n;
        struct expect_entry e[4];
} good_cases[] = {
        { "every key",
          "version: 1\n"
          "devices:\n"
          "  - address: \"0000:01:00.0\"\n"
          "    id: \"10de:2204\"\n"
          "    subsystem: \"1458:403B\"\n"
          "    class: \"0300\"\n"
          "    driver: vfio-pci\n"
          "    group: all\n"
          "    force: true\n",
          1,
          { { 3, 5, "0000:01:00.0", "10de:2204", "1458:403b", "0300", "vfio_pci", 7, 13, GROUP_ALL,
              true } } },
        { "variety",
          "# a comment\n"
          "version: 1\n"
          "devices:\n"
          "  - address: \"01:00.*\"   # every function\n"
          "  - id: \"1b36:0010\"\n"
          "    class: \"010802\"\n"
          "    group: device\n"
          "    force: false\n"
          "  - driver: mlx5_vfio_pci\n"
          "    address: 3b:00.1\n"
          "  - {address: \"10000:e1:00.0\", id: \"8086:0a54\"}\n",
          4,
          { { 4, 5, "0000:01:00.*", NULL, NULL, NULL, "", 0, 0, GROUP_DEVICE, false },
            { 5, 5, NULL, "1b36:0010", NULL, "010802", "", 0, 0, GROUP_DEVICE, false },
            { 9, 5, "0000:3b:00.1", NULL, NULL, NULL, "mlx5_vfio_pci", 9, 13, GROUP_DEVICE, false },
            { 11, 5, "10000:e1:00.0", "8086:0a54", NULL, NULL, "", 0, 0, GROUP_DEVICE, false } } },
        { "devices: empty", "version: 1\ndevices:\n", 0, {} },
        { "devices: []", "version: 1\ndevices: []\n", 0, {} },
        { "no devices key", "version: 1\n", 0, {} },
        { "explicit document markers", "---\nversion: 1\ndevices:\n- id: \"10DE:2204\"\n...\n", 1,
          { { 4, 3, NULL, "10de:2204", NULL, NULL, "", 0, 0, GROUP_DEVICE, false } } },
        { "version after devices", "devices:\n  - address: \"01:00.0\"\nversion: 1\n", 1,
          { { 2, 5, "0000:01:00.0", NULL, NULL, NULL, "", 0, 0, GROUP_DEVICE, false } } },
        { "driver of 55 characters",
          "version: 1\ndevices:\n  - address: \"01:00.0\"\n    driver: " D54 "-\n", 1,
          { { 3, 5, "0000:01:00.0", NULL, NULL, NULL, D54 "_", 4, 13, GROUP_DEVICE, false } } },
        { "no trailing newline", "version: 1\ndevices: [{id: \"10de:2204\"}]", 1,
          { { 2, 11, NULL, "10de:2204", NULL, NULL, "", 0, 0, GROUP_DEVICE, false } } },
};

static void check_entry(const char *what, size_t i, const struct config_entry *e,
                        const struct expect_entry *x, const char *file)
{
        char buf[PCI_ADDRESS_MAX], text[16];

        CHECK(e->loc.line == x->line && e->loc.column == x->column, "%s[%zu]: at %u:%u", what, i,
              e->loc.line, e->loc.column);
        CHECK(strcmp(e->loc.file, file) == 0, "%s[%zu]: file '%s'", what, i, e->loc.file);
        CHECK(e->has_address == !!x->address, "%s[%zu]: has_address", what, i);
        if (x->address) {
                pci_address_format(&e->address, buf);
                CHECK(strcmp(buf, x->address) == 0, "%s[%zu]: address %s", what, i, buf);
        }
        CHECK(e->has_id == !!x->id, "%s[%zu]: has_id", what, i);
        if (x->id) {
                snprintf(text, sizeof(text), "%04x:%04x", e->id.vendor, e->id.device);
                CHECK(strcmp(text, x->id) == 0, "%s[%zu]: id %s", what, i, text);
        }
        CHECK(e->has_subsystem == !!x->subsystem, "%s[%zu]: has_subsystem", what, i);
        if (x->subsystem) {
                snprintf(text, sizeof(text), "%04x:%04x", e->subsystem.vendor, e->subsystem.device);
                CHECK(strcmp(text, x->subsystem) == 0, "%s[%zu]: subsystem %s", what, i, text);
        }
        CHECK(e->has_class == !!x->class, "%s[%zu]: has_class", what, i);
        if (x->class) {
                snprintf(text, sizeof(text), "%0*x", (int)e->class_digits, e->class_code);
                CHECK(strcmp(text, x->class) == 0, "%s[%zu]: class %s", what, i, text);
        }
        CHECK(strcmp(e->driver, x->driver) == 0, "%s[%zu]: driver '%s'", what, i, e->driver);
        if (x->driver[0])
                CHECK(e->driver_loc.line == x->driver_line &&
                              e->driver_loc.column == x->driver_column &&
                              strcmp(e->driver_loc.file, file) == 0,
                      "%s[%zu]: driver at %u:%u", what, i, e->driver_loc.line,
                      e->driver_loc.column);
        CHECK(e->group == x->group, "%s[%zu]: group %d", what, i, e->group);
        CHECK(e->force == x->force, "%s[%zu]: force %d", what, i, e->force);
}

static void test_good(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(good_cases); i++) {
                const struct good_case *t = &good_cases[i];
                struct config c = { 0 };
                char *log;
                int r = load(&c, "good.yaml", t->doc, strlen(t->doc), &log);

                CHECK(r == 0, "%s: returned %d, logged: %s", t->name, r, log);
                CHECK(log[0] == '\0', "%s: logged: %s", t->name, log);
                free(log);
                CHECK(c.n_entries == t->n, "%s: %zu entries", t->name, c.n_entries);
                for (size_t j = 0; j < t->n; j++)
                        check_entry(t->name, j, &c.entries[j], &t->e[j], "good.yaml");
                CHECK(config_check(&c) == 0, "%s: config_check", t->name);
                config_done(&c);
        }
}

static const char preloaded[] = "version: 1\n"
                                "devices:\n"
                                "  - address: \"0000:0a:00.0\"\n"
                                "  - id: \"8086:1521\"\n";

#define BAD(doc, ret, where, phrase) { doc, sizeof(doc) - 1, ret, where, phrase }
#define HEAD "version: 1\ndevices:\n"

static const struct bad_case {
        const char *doc;
        size_t size;
        int ret;
        const char *where;  /* "bad.yaml:LINE:COL: " */
        const char *phrase; /* in the same message */
} bad_cases[] = {
        /* Syntax. */
        BAD(HEAD "\t- address: \"01:00.0\"\n", -EINVAL, "3:1", "cannot start any token"),
        BAD("version: 1\n devices: []\n", -EINVAL, "2:9", "mapping values are not allowed"),
        BAD(HEAD "  - address: \"01:00.0\n", -EINVAL, "4:1", "invalid YAML"),
        BAD(HEAD "  - [address: \"01:00.0\"\n", -EINVAL, "4:1", "invalid YAML"),
        /* Types. */
        BAD(HEAD "  - address: [\"0000:01:00.0\"]\n", -EINVAL, "3:14", "'address' must be a string, not a list"),
        BAD(HEAD "  - id: {vendor: \"10de\"}\n", -EINVAL, "3:9", "'id' must be a string, not a mapping"),
        BAD("version: [1]\n", -EINVAL, "1:10", "'version' must be a string, not a list"),
        BAD("- version: 1\n", -EINVAL, "1:1", "must be a mapping with 'version' and 'devices', not a list"),
        BAD("hello\n", -EINVAL, "1:1", "not a scalar"),
        BAD(HEAD "  - \"0000:01:00.0\"\n", -EINVAL, "3:5", "a device entry must be a mapping"),
        BAD("version: 1\ndevices: \"0000:01:00.0\"\n", -EINVAL, "2:10", "'devices' must be a list of entries, not a scalar"),
        BAD(HEAD "  address: \"01:00.0\"\n", -EINVAL, "3:3", "'devices' must be a list of entries, not a mapping"),
        BAD(HEAD "  - {[address]: \"01:00.0\"}\n", -EINVAL, "3:6", "keys must be plain words"),
        /* Keys. */
        BAD("version: 1\nverbose: true\ndevices: []\n", -EINVAL, "2:1", "unknown top-level key 'verbose'"),
        BAD("version: 1\n[devices]: []\n", -EINVAL, "2:1", "unknown top-level key '(not a word)'"),
        BAD(HEAD "  - address: \"01:00.0\"\n    drvier: vfio_pci\n", -EINVAL, "4:5", "unknown key 'drvier' in device entry; expected one of: address, id"),
        BAD("devices:\n  - address: \"01:00.0\"\n", -EINVAL, "1:1", "missing 'version: 1'"),
        BAD("version: 2\ndevices: []\n", -EINVAL, "1:10", "unsupported version '2'; this vfio-bind reads version 1"),
        BAD("version: 1.0\n", -EINVAL, "1:10", "unsupported version '1.0'"),
        BAD("version: 1\nversion: 1\n", -EINVAL, "2:1", "'version' given twice"),
        BAD("version: 1\ndevices: []\ndevices: []\n", -EINVAL, "3:1", "'devices' given twice"),
        BAD(HEAD "  - address: \"01:00.0\"\n    address: \"02:00.0\"\n", -EINVAL, "4:5", "'address' given twice in the same entry"),
        BAD(HEAD "  - id: \"10de:2204\"\n    driver: vfio_pci\n    driver: vfio_pci\n", -EINVAL, "5:5", "'driver' given twice"),
        BAD(HEAD "  - driver: vfio_pci\n", -EINVAL, "3:5", "needs 'address' or 'id'"),
        BAD(HEAD "  - address: \"01:00.0\"\n    subsystem: \"1458:403b\"\n", -EINVAL, "3:5", "narrow an 'id' selector"),
        BAD(HEAD "  - address: \"01:00.0\"\n    class: \"0300\"\n", -EINVAL, "3:5", "narrow an 'id' selector"),
        /* Values. */
        BAD(HEAD "  - address: \"0000:01:20.0\"\n", -EINVAL, "3:14", "invalid address '0000:01:20.0': the PCI slot (device) number is at most 1f"),
        BAD(HEAD "  - address: ../x\n", -EINVAL, "3:14", "invalid address '../x'"),
        BAD(HEAD "  - address: \"1:00.0\"\n", -EINVAL, "3:14", "invalid address '1:00.0'"),
        BAD(HEAD "  - address: \"\"\n", -EINVAL, "3:14", "'address' is empty"),
        BAD(HEAD "  - id: \"10de:22g4\"\n", -EINVAL, "3:9", "invalid id '10de:22g4': expected VENDOR:DEVICE"),
        BAD(HEAD "  - id: \"10de:*\"\n", -EINVAL, "3:9", "invalid id '10de:*'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    subsystem: \"1458\"\n", -EINVAL, "4:16", "invalid subsystem '1458'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    class: \"03\"\n", -EINVAL, "4:12", "invalid class '03'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    class: \"03000\"\n", -EINVAL, "4:12", "invalid class '03000'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    driver: ../x\n", -EINVAL, "4:13", "invalid driver '../x'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    driver: vfio pci\n", -EINVAL, "4:13", "invalid driver 'vfio pci'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    driver: " D60 "\n", -EINVAL, "4:13", "at most 55 characters"),
        BAD(HEAD "  - id: \"10de:2204\"\n    driver: " D54 "xy\n", -EINVAL, "4:13", "invalid driver"),
        /* 'driver' names a VFIO driver, never a host driver (the device would be bound to it). */
        BAD(HEAD "  - id: \"144d:a80a\"\n    driver: nvme\n", -EINVAL, "4:13",
            "driver 'nvme' is not a VFIO driver"),
        BAD(HEAD "  - id: \"15b3:101e\"\n    driver: mlx5-core\n", -EINVAL, "4:13",
            "driver 'mlx5-core' is not a VFIO driver"),
        BAD(HEAD "  - id: \"10de:2204\"\n    group: iommu\n", -EINVAL, "4:12", "invalid group 'iommu': expected 'device' (default) or 'all'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    force: yes\n", -EINVAL, "4:12", "invalid force 'yes': expected true or false"),
        /* NUL bytes: raw in the file, or written as an escape. */
        BAD(HEAD "  - address: \"0000:01:00.0\"\0\n", -EINVAL, "3:28", "NUL byte in the file"),
        BAD("\0", -EINVAL, "1:1", "NUL byte"),
        BAD(HEAD "  - address: \"0000:01:00.0\\0\"\n", -EINVAL, "3:14", "'address' contains a NUL byte"),
        BAD(HEAD "  - \"address\\0\": \"0000:01:00.0\"\n", -EINVAL, "3:5", "keys must be plain words"),
        BAD("\"version\\0\": 1\n", -EINVAL, "1:1", "unknown top-level key"),
        /* YAML features we refuse. */
        BAD(HEAD "  - &gpu\n    address: \"01:00.0\"\n  - *gpu\n", -EINVAL, "3:5", "anchors and aliases"),
        BAD(HEAD "  - address: &a \"01:00.0\"\n", -EINVAL, "3:14", "anchors and aliases"),
        BAD(HEAD "  - address: *a\n", -EINVAL, "3:14", "anchors and aliases"), /* undefined, too */
        BAD("version: 1\ndevices: []\n---\nversion: 1\n", -EINVAL, "3:1", "more than one YAML document"),
        /* The root mapping is level 1: seven '[' reach level 8, the eighth is one too deep. */
        BAD("version: 1\ndevices: [[[[[[[]]]]]]]\n", -EINVAL, "2:11", "a device entry must be a mapping"),
        BAD("version: 1\ndevices: [[[[[[[[]]]]]]]]\n", -EINVAL, "2:17", "nesting deeper than 8 levels"),
        BAD("version: 1\ndevices: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", -EINVAL, "2:17", "nesting deeper"),
        BAD("", -EINVAL, "1:1", "empty configuration"),
        BAD("# only a comment\n", -EINVAL, "1:1", "empty configuration"),
        /* A good entry before a bad one: neither may stay. */
        BAD(HEAD "  - address: \"0000:02:00.0\"\n  - address: \"0000:02:00.9\"\n", -EINVAL, "4:14", "invalid address"),
        BAD(HEAD "  - address: \"0000:02:00.0\"\n  - driver: vfio_pci\n", -EINVAL, "4:5", "needs 'address' or 'id'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: 4\n", -EINVAL, "4:12", "'sriov' must be a mapping"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 0}\n", -EINVAL, "4:21", "invalid numvfs '0'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 65536}\n", -EINVAL, "4:21", "from 1 to 65535"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: -1}\n", -EINVAL, "4:21", "invalid numvfs '-1'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, numvfs: 4}\n", -EINVAL, "4:24", "'numvfs' given twice in the same 'sriov'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {replace: true}\n", -EINVAL, "4:12", "needs 'numvfs'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, replace: yes}\n", -EINVAL, "4:33", "invalid replace 'yes'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, vfs: 1}\n", -EINVAL, "4:29", "'vfs' must be a list"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, vfs: []}\n", -EINVAL, "4:29", "'vfs' is empty"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, vfs: [0, 4]}\n", -EINVAL, "4:33", "VF index 4 is out of range"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, vfs: [2, 2]}\n", -EINVAL, "4:33", "VF index 2 listed twice"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, vfs: [x]}\n", -EINVAL, "4:30", "invalid VF index 'x'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4, max: 8}\n", -EINVAL, "4:24", "unknown key 'max' in 'sriov'"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4}\n    sriov: {numvfs: 4}\n", -EINVAL, "5:5", "'sriov' given twice"),
        /* Identities that survive renumbering, and functions. */
        BAD(HEAD "  - slot: \"a/b\"\n", -EINVAL, "3:11", "invalid slot 'a/b'"),
        BAD(HEAD "  - path: \"0000:00:1c.4/00.0\"\n", -EINVAL, "3:11", "invalid path '0000:00:1c.4/00.0': expected the root bus"),
        BAD(HEAD "  - path: \"pci0000:00\"\n", -EINVAL, "3:11", "invalid path 'pci0000:00'"),
        BAD(HEAD "  - path: \"pci0000:00/20.0\"\n", -EINVAL, "3:11", "a device number is at most 1f"),
        BAD(HEAD "  - path: \"pci0000:00/1c.8\"\n", -EINVAL, "3:11", "invalid path"),
        BAD(HEAD "  - serial: \"0011223344556677\"\n", -EINVAL, "3:13", "invalid serial '0011223344556677': expected the Device Serial Number"),
        BAD(HEAD "  - serial: \"00-11-22-33-44-55-66\"\n", -EINVAL, "3:13", "invalid serial"),
        BAD(HEAD "  - slot: \"3\"\n    slot: \"4\"\n", -EINVAL, "4:5", "'slot' given twice"),
        BAD(HEAD "  - id: \"10de:2204\"\n    functions: every\n", -EINVAL, "4:16", "invalid functions 'every': expected 'device' (default) or 'all'"),
        BAD(HEAD "  - functions: all\n", -EINVAL, "3:5", "needs 'address' or 'id' (or both), or 'slot', 'path' or 'serial'"),
        BAD(HEAD "  - bus: platform\n    name: x.y\n    driver: vfio_platform\n    slot: \"3\"\n", -EINVAL, "6:5", "'slot' is a PCI key"),
        BAD(HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 4}\n    sriov: {numvfs: 4}\n", -EINVAL, "5:5", "'sriov' given twice"),
        /* reset_method and fallback. */
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: warm\n", -EINVAL, "4:19", "invalid reset_method 'warm'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: \"flr  warm\"\n", -EINVAL, "4:19", "invalid reset_method 'flr  warm'"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: [flr, flr]\n", -EINVAL, "4:25", "reset_method 'flr' listed twice"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: \"bus bus\"\n", -EINVAL, "4:19", "reset_method 'bus' listed twice"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: []\n", -EINVAL, "4:19", "'reset_method' is empty"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: \"  \"\n", -EINVAL, "4:19", "'reset_method' is empty"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: {flr: 1}\n", -EINVAL, "4:19", "'reset_method' must be a string"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: [[flr]]\n", -EINVAL, "4:20", "'reset_method item' must be a string, not a list"),
        BAD(HEAD "  - id: \"10de:2204\"\n    reset_method: [flr_flr_flr_flr_flr_flr_flr_flr_flr]\n", -EINVAL, "4:20", "invalid reset_method"),
        BAD(HEAD "  - id: \"10de:2204\"\n    fallback: true\n", -EINVAL, "4:15", "invalid fallback 'true': expected vfio_pci"),
        BAD(HEAD "  - bus: platform\n    name: a.b\n    driver: vfio_platform\n    fallback: vfio_pci\n", -EINVAL, "3:5", "'reset_method' and 'fallback' are PCI keys"),
};

static void test_bad(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                const struct bad_case *t = &bad_cases[i];
                struct config c = { 0 };
                char want[64], *log, *line;
                int r;

                assert_int_equal(config_load_buffer(&c, "good.yaml", preloaded, sizeof(preloaded) - 1), 0);
                assert_int_equal(c.n_entries, 2);
                r = load(&c, "bad.yaml", t->doc, t->size, &log);
                snprintf(want, sizeof(want), "vfio-bind: bad.yaml:%s: ", t->where);
                line = strstr(log, want);
                CHECK(r == t->ret, "row %zu: returned %d, logged: %s", i, r, log);
                CHECK(line, "row %zu: no '%s' in: %s", i, want, log);
                CHECK(strstr(line, t->phrase) && strstr(line, t->phrase) < strchrnul(line, '\n'),
                      "row %zu: no '%s' in: %s", i, t->phrase, line);
                free(log);
                /* Nothing half-loaded: the earlier file's entries and nothing else. */
                CHECK(c.n_entries == 2, "row %zu: %zu entries after the error", i, c.n_entries);
                assert_int_equal(c.entries[0].address.bus, 0x0a);
                assert_true(c.entries[1].has_id && c.entries[1].id.device == 0x1521);
                config_done(&c);
        }
}

/* A file full of mistakes reports each, up to a limit, and loads nothing. */
static void test_error_limit(void **state)
{
        char doc[4096] = HEAD, *log;
        struct config c = { 0 };
        size_t n = strlen(doc);
        int r;

        for (int i = 0; i < 25; i++)
                n += (size_t)snprintf(doc + n, sizeof(doc) - n, "  - address: \"0000:%02x:00.9\"\n", i);
        r = load(&c, "many.yaml", doc, n, &log);
        assert_int_equal(r, -EINVAL);
        /* 20 errors, then one line saying how many more were not shown. */
        assert_int_equal(count_lines(log), 21);
        assert_non_null(strstr(log, "5 more errors not shown"));
        assert_non_null(strstr(log, "many.yaml:3:14: invalid address '0000:00:00.9'"));
        assert_non_null(strstr(log, "many.yaml:22:14: invalid address '0000:13:00.9'"));
        assert_null(strstr(log, "many.yaml:23:"));
        free(log);
        assert_int_equal(c.n_entries, 0);
        config_done(&c);
}

static void test_entries_max(void **state)
{
        static const char more[] = HEAD "- id: \"10de:0001\"\n- id: \"10de:0002\"\n";
        size_t size = 32 + (CONFIG_ENTRIES_MAX + 1) * 20, n;
        char *doc = malloc(size), *log;
        struct config c = { 0 };
        int r;

        assert_non_null(doc);
        assert_int_equal(config_load_buffer(&c, "good.yaml", preloaded, sizeof(preloaded) - 1), 0);
        n = (size_t)snprintf(doc, size, HEAD);
        for (unsigned i = 0; i < CONFIG_ENTRIES_MAX - 2; i++)
                n += (size_t)snprintf(doc + n, size - n, "- id: \"10de:%04x\"\n", i);
        /* 2 + 4094 = the limit: fits. One more does not, and takes the whole file with it. */
        r = load(&c, "max.yaml", doc, n, &log);
        assert_int_equal(r, 0);
        free(log);
        assert_int_equal(c.n_entries, CONFIG_ENTRIES_MAX);
        /* A configuration error like any other: -EINVAL, so the tool exits 2. */
        r = load(&c, "more.yaml", more, sizeof(more) - 1, &log);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(log, "more.yaml:3:3: more than 4096 device entries"));
        free(log);
        assert_int_equal(c.n_entries, CONFIG_ENTRIES_MAX);
        config_done(&c);
        free(doc);
}

/* A main file and a drop-in: entries accumulate in load order, each naming its own file. */
static void test_dropins(void **state)
{
        static const char main_doc[] = "version: 1\ndevices:\n  - address: \"0000:01:00.0\"\n";
        static const char dropin_doc[] = "version: 1\n"
                                         "devices:\n"
                                         "  - address: \"0000:01:00.1\"\n"
                                         "  - id: \"15b3:101e\"\n"
                                         "    driver: mlx5_vfio_pci\n";
        struct config c = { 0 };
        char *log;

        assert_int_equal(load(&c, "/etc/vfio-bind.yaml", main_doc, sizeof(main_doc) - 1, &log), 0);
        free(log);
        assert_int_equal(load(&c, "/etc/vfio-bind.d/10-nic.yaml", dropin_doc, sizeof(dropin_doc) - 1, &log), 0);
        free(log);
        assert_int_equal(c.n_files, 2);
        assert_int_equal(c.n_entries, 3);
        assert_string_equal(c.entries[0].loc.file, "/etc/vfio-bind.yaml");
        assert_int_equal(c.entries[0].address.function, 0);
        assert_string_equal(c.entries[1].loc.file, "/etc/vfio-bind.d/10-nic.yaml");
        assert_int_equal(c.entries[1].address.function, 1);
        assert_int_equal(c.entries[1].loc.line, 3);
        assert_string_equal(c.entries[2].loc.file, "/etc/vfio-bind.d/10-nic.yaml");
        assert_string_equal(c.entries[2].driver, "mlx5_vfio_pci");
        assert_string_equal(c.entries[2].driver_loc.file, "/etc/vfio-bind.d/10-nic.yaml");
        assert_int_equal(config_check(&c), 0);
        config_done(&c);
        assert_int_equal(c.n_entries, 0);
        assert_null(c.entries);
}

static const struct check_case {
        const char *name, *a, *b; /* a loaded as a.yaml, b as b.yaml */
        int ret;
        const char *message; /* the whole message; NULL: nothing logged */
} check_cases[] = {
        { "duplicate across files", "- address: \"01:00.0\"\n  driver: vfio-pci\n",
          "- address: \"0000:01:00.0\"\n  driver: vfio_pci\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: duplicate entry for address 0000:01:00.0, first at a.yaml:3:3\n" },
        { "contradiction", "- id: \"10de:2204\"\n  class: \"0300\"\n",
          "- id: \"10de:2204\"\n  class: \"0300\"\n  driver: nvgrace_gpu_vfio_pci\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: id 10de:2204 class 0300 contradicts a.yaml:3:3: drivers "
          "'(resolved)' and 'nvgrace_gpu_vfio_pci'\n" },
        { "contradiction, explicit both", "- address: \"3b:00.*\"\n  driver: mlx5_vfio_pci\n",
          "- address: \"0000:3b:00.*\"\n  driver: vfio_pci\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: address 0000:3b:00.* contradicts a.yaml:3:3: drivers "
          "'mlx5_vfio_pci' and 'vfio_pci'\n" },
        { "duplicate with subsystem", "- id: \"10de:2204\"\n  subsystem: \"1458:403b\"\n",
          "- id: \"10DE:2204\"\n  subsystem: \"1458:403B\"\n  force: true\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: duplicate entry for id 10de:2204 subsystem 1458:403b, first at "
          "a.yaml:3:3\n" },
        /* Nested selectors: every device of the narrower one gets both entries, on any host. */
        { "address vs address+id", "- address: \"01:00.0\"\n",
          "- address: \"01:00.0\"\n  id: \"10de:2204\"\n  driver: mlx5_vfio_pci\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: every device that address 0000:01:00.0 id 10de:2204 selects is "
          "also selected by address 0000:01:00.0 at a.yaml:3:3: 'driver' is '(resolved)' at "
          "a.yaml:3:3 and 'mlx5_vfio_pci' at b.yaml:3:3; make them agree\n" },
        { "wildcard vs function, other driver", "- address: \"01:00.1\"\n  driver: vfio_pci\n",
          "- address: \"01:00.*\"\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: address 0000:01:00.* also selects every device that address "
          "0000:01:00.1 at a.yaml:3:3 selects: 'driver' is 'vfio_pci' at a.yaml:3:3 and "
          "'(resolved)' at b.yaml:3:3; make them agree\n" },
        { "class 4 vs 6 digits, other driver", "- id: \"10de:2204\"\n  class: \"0300\"\n",
          "- id: \"10de:2204\"\n  class: \"030000\"\n  driver: vfio_pci\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: every device that id 10de:2204 class 030000 selects is also "
          "selected by id 10de:2204 class 0300 at a.yaml:3:3: 'driver' is '(resolved)' at "
          "a.yaml:3:3 and 'vfio_pci' at b.yaml:3:3; make them agree\n" },
        { "id within id+subsystem is not nested", "- id: \"10de:2204\"\n  subsystem: \"1458:403b\"\n",
          "- id: \"10de:2204\"\n  class: \"0300\"\n  driver: vfio_pci\n", 0, NULL },
        { "sriov PF within a binding wildcard",
          "- address: \"5e:00.0\"\n  sriov: {numvfs: 2}\n", "- address: \"5e:00.*\"\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: address 0000:5e:00.* also selects every device that address "
          "0000:5e:00.0 at a.yaml:3:3 selects: a.yaml:3:3 gives it VFs with 'sriov' (the PF "
          "stays on its host driver), b.yaml:3:3 binds it; keep one\n" },
        { "sriov, nested, other numvfs", "- id: \"15b3:101d\"\n  sriov: {numvfs: 2}\n",
          "- id: \"15b3:101d\"\n  subsystem: \"15b3:0016\"\n  sriov: {numvfs: 4}\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: every device that id 15b3:101d subsystem 15b3:0016 selects is "
          "also selected by id 15b3:101d at a.yaml:3:3: 'sriov' at a.yaml:3:3 and at b.yaml:3:3 "
          "differ (numvfs 2 and 4); make them agree\n" },
        { "platform name within name+compatible", "- bus: platform\n  name: \"fff51000.ethernet\"\n"
          "  driver: vfio_platform\n", "- bus: platform\n  name: \"fff51000.ethernet\"\n"
          "  compatible: \"snps,dwmac\"\n  driver: vfio-amba\n", -EINVAL,
          "vfio-bind: b.yaml:3:3: every device that platform name fff51000.ethernet compatible "
          "snps,dwmac selects is also selected by platform name fff51000.ethernet at a.yaml:3:3: "
          "'driver' is 'vfio_platform' at a.yaml:3:3 and 'vfio_amba' at b.yaml:3:3; make them "
          "agree\n" },
        /* Overlaps only some hosts have: select_devices refuses the device alone. */
        { "id vs address, other driver", "- id: \"10de:2204\"\n",
          "- address: \"01:00.0\"\n  driver: vfio_pci\n", 0, NULL },
        { "a binding entry within an sriov one (the device may be a VF)",
          "- id: \"15b3:101d\"\n  sriov: {numvfs: 2}\n",
          "- address: \"5e:00.0\"\n  id: \"15b3:101d\"\n", 0, NULL },
        { "platform name vs compatible", "- bus: platform\n  name: \"fff51000.ethernet\"\n"
          "  driver: vfio_platform\n", "- bus: platform\n  compatible: \"snps,dwmac\"\n"
          "  driver: vfio-amba\n", 0, NULL },
        { "wildcard vs function", "- address: \"01:00.*\"\n", "- address: \"01:00.0\"\n", 0, NULL },
        { "class 4 vs 6 digits", "- id: \"10de:2204\"\n  class: \"0300\"\n",
          "- id: \"10de:2204\"\n  class: \"030000\"\n", 0, NULL },
        { "other subsystem", "- id: \"10de:2204\"\n  subsystem: \"1458:403b\"\n",
          "- id: \"10de:2204\"\n  subsystem: \"1458:403c\"\n", 0, NULL },
        { "other domain", "- address: \"0000:01:00.0\"\n", "- address: \"10000:01:00.0\"\n", 0, NULL },
};

static void test_check(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(check_cases); i++) {
                const struct check_case *t = &check_cases[i];
                struct config c = { 0 };
                char a[256], b[256], *log;
                struct capture cap;
                int r;

                snprintf(a, sizeof(a), HEAD "%s", t->a);
                snprintf(b, sizeof(b), HEAD "%s", t->b);
                assert_int_equal(load(&c, "a.yaml", a, strlen(a), &log), 0);
                free(log);
                assert_int_equal(load(&c, "b.yaml", b, strlen(b), &log), 0);
                free(log);
                capture_begin(&cap);
                r = config_check(&c);
                log = capture_end(&cap);
                CHECK(r == t->ret, "%s: returned %d", t->name, r);
                CHECK(strcmp(log, t->message ? t->message : "") == 0, "%s: logged '%s'", t->name, log);
                free(log);
                config_done(&c);
        }
}

/* Within one file too, and one message per later entry however many it repeats. */
static void test_check_one_file(void **state)
{
        static const char doc[] = HEAD "  - address: \"01:00.0\"\n"
                                       "  - address: \"01:00.0\"\n"
                                       "  - address: \"01:00.0\"\n"
                                       "    driver: vfio_pci\n";
        struct config c = { 0 };
        struct capture cap;
        char *log;
        int r;

        assert_int_equal(load(&c, "x.yaml", doc, sizeof(doc) - 1, &log), 0);
        free(log);
        capture_begin(&cap);
        r = config_check(&c);
        log = capture_end(&cap);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(log, "vfio-bind: x.yaml:4:5: duplicate entry for address 0000:01:00.0, "
                                 "first at x.yaml:3:5\n"
                                 "vfio-bind: x.yaml:5:5: address 0000:01:00.0 contradicts "
                                 "x.yaml:3:5: drivers '(resolved)' and 'vfio_pci'\n");
        free(log);
        config_done(&c);
}

static const struct {
        const char *doc, *text;
} describe_cases[] = {
        { "- address: \"01:00.0\"\n", "address 0000:01:00.0" },
        { "- address: \"01:00.*\"\n  id: \"10de:2204\"\n", "address 0000:01:00.* id 10de:2204" },
        { "- id: \"10de:2204\"\n  subsystem: \"1458:403b\"\n  class: \"0300\"\n",
          "id 10de:2204 subsystem 1458:403b class 0300" },
        { "- id: \"1b36:0010\"\n  class: \"010802\"\n", "id 1b36:0010 class 010802" },        { "- slot: \"3\"\n  id: \"10de:2204\"\n", "slot 3 id 10de:2204" },
        { "- path: \"PCI0000:00/1C.4/00.1\"\n", "path pci0000:00/1c.4/00.1" },
        { "- serial: \"A0-36-9f-ff-ff-12-34-56\"\n  functions: all\n", "serial a0-36-9f-ff-ff-12-34-56" },
};

/* The identity keys land in the entry; entries with different identities are no duplicates. */
static void test_identity(void **state)
{
        static const char doc[] = HEAD
                "  - slot: \"Slot 3\"\n    functions: all\n"
                "  - slot: \"4\"\n    id: \"10de:2204\"\n"
                "  - path: \"pci0000:00/0e.0/pci10000:00/01.0/00.0\"\n"
                "  - serial: \"00-11-22-33-44-55-66-77\"\n    functions: device\n";
        struct config c = { 0 };

        assert_int_equal(config_load_buffer(&c, "i.yaml", doc, strlen(doc)), 0);
        assert_int_equal(c.n_entries, 4);
        assert_true(c.entries[0].has_slot && strcmp(c.entries[0].slot, "Slot 3") == 0);
        assert_true(c.entries[0].all_functions && !c.entries[0].has_id);
        assert_true(c.entries[1].has_slot && c.entries[1].has_id && !c.entries[1].all_functions);
        assert_true(c.entries[2].has_path && !c.entries[2].has_slot);
        assert_string_equal(c.entries[2].path, "pci0000:00/0e.0/pci10000:00/01.0/00.0");
        assert_true(c.entries[3].has_serial && c.entries[3].serial == 0x0011223344556677ULL);
        assert_false(c.entries[3].all_functions);
        assert_int_equal(config_check(&c), 0);
        config_done(&c);
}

static void test_describe(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(describe_cases); i++) {
                struct config c = { 0 };
                char doc[256], buf[128], tiny[12];

                snprintf(doc, sizeof(doc), HEAD "%s", describe_cases[i].doc);
                assert_int_equal(config_load_buffer(&c, "d.yaml", doc, strlen(doc)), 0);
                config_entry_describe(&c.entries[0], buf, sizeof(buf));
                CHECK(strcmp(buf, describe_cases[i].text) == 0, "got '%s'", buf);
                /* A short buffer gets a cut-off prefix, never an overflow. */
                config_entry_describe(&c.entries[0], tiny, sizeof(tiny));
                CHECK(strncmp(tiny, describe_cases[i].text, sizeof(tiny) - 1) == 0 &&
                              strlen(tiny) == sizeof(tiny) - 1,
                      "short: '%s'", tiny);
                config_done(&c);
        }
}

static const struct {
        const char *name;
        bool valid;
} module_name_cases[] = {
        { "vfio_pci", true },     { "vfio-pci", true },  { "mlx5_vfio_pci", true },
        { "A9_-", true },         { D54 "x", true },     { D54 "xy", false },
        { "", false },            { "vfio pci", false }, { "../x", false },
        { "vfio_pci\n", false },  { "vfio.pci", false }, { "vfio/pci", false },
        { "vfio_pci*", false },   { "ünicode", false },
};

static void test_sriov(void **state)
{
        static const char doc[] = HEAD "  - address: \"5e:00.0\"\n    sriov: {numvfs: 8, vfs: [5, 0, 1], replace: true}\n"
                                       "  - id: \"8086:1572\"\n    sriov:\n      numvfs: 65535\n";
        struct config c = { 0 };
        char *log;

        (void)state;
        assert_int_equal(load(&c, "t.yaml", doc, sizeof(doc) - 1, &log), 0);
        free(log);
        assert_int_equal(c.n_entries, 2);
        assert_true(c.entries[0].sriov.set);
        assert_true(c.entries[0].sriov.replace);
        assert_int_equal(c.entries[0].sriov.numvfs, 8);
        assert_int_equal(c.entries[0].sriov.n_vfs, 3);
        assert_int_equal(c.entries[0].sriov.vfs[0], 5);
        assert_int_equal(c.entries[0].sriov.vfs[2], 1);
        assert_int_equal(c.entries[0].sriov.numvfs_loc.line, 4);
        assert_int_equal(c.entries[0].sriov.numvfs_loc.column, 21);
        assert_true(c.entries[1].sriov.set);
        assert_false(c.entries[1].sriov.replace);
        assert_int_equal(c.entries[1].sriov.numvfs, 65535);
        assert_int_equal(c.entries[1].sriov.n_vfs, 0);
        config_done(&c);
}

static void test_reset_fallback(void **state)
{
        static const char doc[] = HEAD "  - address: \"01:00.0\"\n    reset_method: bus\n    fallback: vfio_pci\n"
                                       "  - address: \"02:00.0\"\n    reset_method: \" flr  bus \"\n"
                                       "  - address: \"03:00.0\"\n    reset_method: [device_specific, af_flr, cxl_bus]\n"
                                       "    fallback: vfio-pci\n"
                                       "  - address: \"04:00.0\"\n";
        struct config c = { 0 };
        char *log;

        (void)state;
        assert_int_equal(load(&c, "t.yaml", doc, sizeof(doc) - 1, &log), 0);
        free(log);
        assert_int_equal(c.n_entries, 4);
        assert_string_equal(c.entries[0].reset_method, "bus");
        assert_true(c.entries[0].fallback);
        assert_int_equal(c.entries[0].reset_method_loc.line, 4);
        assert_int_equal(c.entries[0].reset_method_loc.column, 19);
        /* The kernel's form, spaces squeezed: what is written and compared. */
        assert_string_equal(c.entries[1].reset_method, "flr bus");
        assert_false(c.entries[1].fallback);
        assert_string_equal(c.entries[2].reset_method, "device_specific af_flr cxl_bus");
        assert_true(c.entries[2].fallback);
        assert_string_equal(c.entries[3].reset_method, "");
        assert_false(c.entries[3].fallback);
        config_done(&c);
}

static void test_module_name(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(module_name_cases); i++)
                CHECK(module_name_is_valid(module_name_cases[i].name) == module_name_cases[i].valid,
                      "'%s'", module_name_cases[i].name);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),        cmocka_unit_test(test_bad),
                cmocka_unit_test(test_error_limit), cmocka_unit_test(test_entries_max),
                cmocka_unit_test(test_dropins),     cmocka_unit_test(test_check),
                cmocka_unit_test(test_check_one_file), cmocka_unit_test(test_describe),
                cmocka_unit_test(test_module_name), cmocka_unit_test(test_sriov),
                cmocka_unit_test(test_identity),
                cmocka_unit_test(test_reset_fallback),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
