/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "macro.h"
#include "mounts.h"

#define LIBMOUNT_SONAME "libmount.so.1"
#define MOUNTINFO "/proc/self/mountinfo"
#define SWAPS "/proc/swaps"

struct libmount {
        __typeof__(mnt_new_table) *new_table;
        __typeof__(mnt_unref_table) *unref_table;
        __typeof__(mnt_table_parse_file) *table_parse_file;
        __typeof__(mnt_table_parse_swaps) *table_parse_swaps;
        __typeof__(mnt_new_iter) *new_iter;
        __typeof__(mnt_free_iter) *free_iter;
        __typeof__(mnt_table_next_fs) *table_next_fs;
        __typeof__(mnt_fs_get_devno) *fs_get_devno;
        __typeof__(mnt_fs_get_source) *fs_get_source;
        __typeof__(mnt_fs_get_target) *fs_get_target;
        __typeof__(mnt_fs_get_swaptype) *fs_get_swaptype;
};

static int libmount_get(const struct libmount **ret, char *why, size_t why_size)
{
        static struct libmount lm;
        static int state; /* 0 not tried, 1 loaded, < 0 the error */
        static char error[256];
        static const struct dynlib_symbol symbols[] = {
#define SYM(field, name) DYNLIB_SYMBOL(struct libmount, field, name)
                SYM(new_table, mnt_new_table),
                SYM(unref_table, mnt_unref_table),
                SYM(table_parse_file, mnt_table_parse_file),
                SYM(table_parse_swaps, mnt_table_parse_swaps),
                SYM(new_iter, mnt_new_iter),
                SYM(free_iter, mnt_free_iter),
                SYM(table_next_fs, mnt_table_next_fs),
                SYM(fs_get_devno, mnt_fs_get_devno),
                SYM(fs_get_source, mnt_fs_get_source),
                SYM(fs_get_target, mnt_fs_get_target),
                SYM(fs_get_swaptype, mnt_fs_get_swaptype),
#undef SYM
        };

        if (state == 0) {
                state = dynlib_open(LIBMOUNT_SONAME, symbols, ELEMENTSOF(symbols), &lm, error,
                                    sizeof(error));
                if (state == 0)
                        state = 1;
        }
        if (state < 0) {
                snprintf(why, why_size, "%s cannot be loaded: %s", LIBMOUNT_SONAME, error);
                return state;
        }
        *ret = &lm;
        return 0;
}

static int add_entry(struct mounts *m, const struct libmount *lm, struct libmnt_fs *fs, bool swap)
{
        const char *source = lm->fs_get_source(fs), *target = lm->fs_get_target(fs);
        const char *type = swap ? lm->fs_get_swaptype(fs) : NULL;
        struct mount_entry *e, *grown;

        grown = reallocarray(m->entries, m->n_entries + 1, sizeof(*m->entries));
        if (!grown)
                return -ENOMEM;
        m->entries = grown;
        e = &m->entries[m->n_entries];
        *e = (struct mount_entry){
                .devnum = swap ? 0 : lm->fs_get_devno(fs),
                .source = source ? strdup(source) : NULL,
                .target = !swap && target ? strdup(target) : NULL,
                .swap_partition = type && streq(type, "partition"),
        };
        m->n_entries++;
        if ((source && !e->source) || (!swap && target && !e->target))
                return -ENOMEM;
        return 0;
}

/* One of the kernel's lists into m; the parser errors are libmount's (a negative errno). */
static int read_list(struct mounts *m, const struct libmount *lm, const char *path, bool swap)
{
        struct libmnt_table *tb = lm->new_table();
        struct libmnt_iter *it = lm->new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        int r = -ENOMEM;

        if (tb && it) {
                r = swap ? lm->table_parse_swaps(tb, path) : lm->table_parse_file(tb, path);
                while (r >= 0 && lm->table_next_fs(tb, it, &fs) == 0)
                        r = add_entry(m, lm, fs, swap);
        }
        if (it)
                lm->free_iter(it);
        if (tb)
                lm->unref_table(tb);
        return r < 0 ? r : 0;
}

int mounts_read(struct mounts *m, char *why, size_t why_size)
{
        const struct libmount *lm;
        int r;

        assert(m && why);
        *m = (struct mounts){ 0 };
        r = libmount_get(&lm, why, why_size);
        if (r < 0)
                return r;
        r = read_list(m, lm, MOUNTINFO, false);
        if (r < 0) {
                snprintf(why, why_size, "cannot read %s: %s", MOUNTINFO, strerror(-r));
                return r;
        }
        r = read_list(m, lm, SWAPS, true);
        if (r < 0 && r != -ENOENT) { /* a kernel without swap has no list */
                snprintf(why, why_size, "cannot read %s: %s", SWAPS, strerror(-r));
                return r;
        }
        return 0;
}

void mounts_done(struct mounts *m)
{
        for (size_t i = 0; m && i < m->n_entries; i++) {
                free(m->entries[i].source);
                free(m->entries[i].target);
        }
        if (m) {
                free(m->entries);
                *m = (struct mounts){ 0 };
        }
}
