/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bedfs: file helpers over a test bed.
 *
 * Every path given to these helpers is a "virtual" absolute path as the
 * program under test sees it ("/sys/bus/pci/drivers_probe"); the helpers
 * prefix it with the bed root.  They use the plain libc calls on the
 * prefixed path, which the preload passes through untouched, so the same
 * code serves the builder (mkhost) and the preload.
 *
 * Functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TB_PATH_MAX 4096
#define TB_ATTR_MAX 4096

extern char tb_root[TB_PATH_MAX];
extern size_t tb_root_len;

int tb_set_root(const char *root);
int tb_real(char *buf, size_t size, const char *vpath);
int tb_vpathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The writers below change the bed all or nothing: in a transaction (journal.h) each path's
 * old state is kept first and a new content is renamed into place, never written over.
 */
int tb_write_bytes(const char *vpath, const void *data, size_t len, mode_t mode);
int tb_write_file(const char *vpath, const char *data, mode_t mode);
int tb_writef(const char *vpath, mode_t mode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tb_append(const char *vpath, const char *data);
ssize_t tb_read_file(const char *vpath, char *buf, size_t size);
int tb_read_line(const char *vpath, char *buf, size_t size);
int tb_read_hex(const char *vpath, unsigned int *out);
int tb_mkdir_p(const char *vpath);
int tb_symlink_rel(const char *linkpath, const char *target);
int tb_readlink(const char *vpath, char *buf, size_t size);
int tb_resolve(const char *vpath, char *out, size_t size);
int tb_unlink(const char *vpath);
int tb_rm_rf(const char *vpath);
/* Removes at once, kept by no transaction (the journal's own files). */
int tb_rm_rf_now(const char *vpath);
/* Removes an empty directory; -ENOTEMPTY otherwise. */
int tb_rmdir(const char *vpath);
bool tb_exists(const char *vpath);
bool tb_is_dir(const char *vpath);

/* Remove the line equal to 'line' from a line-based file; -ENOENT if absent. */
int tb_remove_line(const char *vpath, const char *line);

int tb_lock(void);
void tb_unlock(int fd);

/* "EBUSY" or "16" -> 16; negative errno on a bad name. */
int tb_parse_errno(const char *s);
const char *tb_errno_name(int err);

/* Kernel sysfs_streq: equal but for one trailing newline on either side. */
bool tb_sysfs_streq(const char *a, const char *b);

/* Append a line to $ROOT/testbed/log (best effort, for tests to inspect). */
void tb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Last path component of a virtual path, and its parent directory. */
const char *tb_basename(const char *path);
int tb_dirname(const char *path, char *buf, size_t size);
