/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd.c: the initramfs's configuration copy, its comparison with /etc, the rebuild command. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "initrd.h"

struct tree {
        char root[64];
        char etc_main[128], etc_dropins[128], copy[128];
};

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void mkdirs(const char *path)
{
        char buf[256], *p;

        snprintf(buf, sizeof(buf), "%s", path);
        for (p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        (void)mkdir(buf, 0755);
                        *p = '/';
                }
        (void)mkdir(buf, 0755);
}

static int setup(void **state)
{
        struct tree *t = calloc(1, sizeof(*t));
        char path[128];

        assert_non_null(t);
        snprintf(t->root, sizeof(t->root), "/tmp/test-initrd.XXXXXX");
        assert_non_null(mkdtemp(t->root));
        snprintf(t->etc_main, sizeof(t->etc_main), "%s/etc/vfio-bind.yaml", t->root);
        snprintf(t->etc_dropins, sizeof(t->etc_dropins), "%s/etc/vfio-bind.d", t->root);
        snprintf(t->copy, sizeof(t->copy), "%s/run/vfio-bind/initramfs", t->root);
        mkdirs(t->etc_dropins);
        snprintf(path, sizeof(path), "%s/run", t->root); /* /run exists; /run/vfio-bind is ours */
        mkdirs(path);
        write_file(t->etc_main, "version: 1\ndevices:\n  - address: \"0000:00:02.0\"\n");
        *state = t;
        return 0;
}

static int teardown(void **state)
{
        struct tree *t = *state;
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
        assert_int_equal(system(cmd), 0);
        free(t);
        return 0;
}

static int compare(struct tree *t, char *what, size_t size)
{
        return initrd_config_compare(t->copy, t->etc_main, t->etc_dropins, what, size);
}

static void test_no_copy(void **state)
{
        struct tree *t = *state;
        char what[256];

        assert_int_equal(compare(t, what, sizeof(what)), -ENOENT);
}

static void test_same(void **state)
{
        struct tree *t = *state;
        char path[256], what[256];

        snprintf(path, sizeof(path), "%s/10-nic.yaml", t->etc_dropins);
        write_file(path, "version: 1\ndevices: []\n");
        /* /run/vfio-bind is created; so is the copy's drop-in directory */
        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        snprintf(path, sizeof(path), "%s/vfio-bind.d/10-nic.yaml", t->copy);
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(compare(t, what, sizeof(what)), 0);
        assert_string_equal(what, "");
}

static void test_changed_added_removed(void **state)
{
        struct tree *t = *state;
        char path[256], what[512], expect[512];

        snprintf(path, sizeof(path), "%s/20-old.yaml", t->etc_dropins);
        write_file(path, "version: 1\ndevices: []\n");
        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);

        write_file(t->etc_main, "version: 1\ndevices:\n  - address: \"0000:00:03.0\"\n");
        assert_int_equal(unlink(path), 0);
        snprintf(path, sizeof(path), "%s/10-new.yaml", t->etc_dropins);
        write_file(path, "version: 1\ndevices: []\n");
        /* neither hidden files nor other suffixes count, as for the loader */
        snprintf(path, sizeof(path), "%s/.hidden.yaml", t->etc_dropins);
        write_file(path, "x");
        snprintf(path, sizeof(path), "%s/notes.txt", t->etc_dropins);
        write_file(path, "x");

        assert_int_equal(compare(t, what, sizeof(what)), 1);
        snprintf(expect, sizeof(expect), "%s changed, %s/10-new.yaml added, %s/20-old.yaml removed",
                 t->etc_main, t->etc_dropins, t->etc_dropins);
        assert_string_equal(what, expect);
}

static void test_main_removed(void **state)
{
        struct tree *t = *state;
        char what[256], expect[256];

        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        assert_int_equal(unlink(t->etc_main), 0);
        assert_int_equal(compare(t, what, sizeof(what)), 1);
        snprintf(expect, sizeof(expect), "%s removed", t->etc_main);
        assert_string_equal(what, expect);
}

static void test_empty_copy(void **state)
{
        struct tree *t = *state;
        char what[256], expect[256];

        /* an initramfs without configuration: an empty copy, so a later /etc file shows */
        assert_int_equal(unlink(t->etc_main), 0);
        assert_int_equal(rmdir(t->etc_dropins), 0);
        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        assert_int_equal(compare(t, what, sizeof(what)), 0);
        write_file(t->etc_main, "version: 1\n");
        assert_int_equal(compare(t, what, sizeof(what)), 1);
        snprintf(expect, sizeof(expect), "%s added", t->etc_main);
        assert_string_equal(what, expect);
}

static void test_first_copy_wins(void **state)
{
        struct tree *t = *state;
        char what[256];

        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        write_file(t->etc_main, "version: 1\ndevices: []\n");
        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        assert_int_equal(compare(t, what, sizeof(what)), 1);
}

static void test_small_buffer(void **state)
{
        struct tree *t = *state;
        char what[8];

        assert_int_equal(initrd_save_config(t->etc_main, t->etc_dropins, t->copy), 0);
        write_file(t->etc_main, "changed\n");
        assert_int_equal(compare(t, what, sizeof(what)), 1);
        assert_true(strlen(what) < sizeof(what));
}

static void test_rebuild_command(void **state)
{
        struct tree *t = *state;
        char dir[200], path[256];

        assert_null(initrd_rebuild_command(t->root));
        snprintf(dir, sizeof(dir), "%s/usr/sbin", t->root);
        mkdirs(dir);
        snprintf(path, sizeof(path), "%s/update-initramfs", dir);
        write_file(path, "");
        assert_string_equal(initrd_rebuild_command(t->root), "update-initramfs -u");
        /* dracut wins: only a dracut-built initramfs runs vfio-bind */
        snprintf(dir, sizeof(dir), "%s/usr/bin", t->root);
        mkdirs(dir);
        snprintf(path, sizeof(path), "%s/dracut", dir);
        write_file(path, "");
        assert_string_equal(initrd_rebuild_command(t->root), "dracut -f");
}

static void test_rebuild_command_mkinitcpio(void **state)
{
        struct tree *t = *state;
        char dir[200], path[256];

        snprintf(dir, sizeof(dir), "%s/usr/bin", t->root);
        mkdirs(dir);
        snprintf(path, sizeof(path), "%s/mkinitcpio", dir);
        write_file(path, "");
        assert_string_equal(initrd_rebuild_command(t->root), "mkinitcpio -P");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_no_copy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_added_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_main_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_copy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_first_copy_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_small_buffer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebuild_command, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebuild_command_mkinitcpio, setup, teardown),
        };

        return cmocka_run_group_tests_name("initrd", tests, NULL, NULL);
}
