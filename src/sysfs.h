/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* sysfs attributes are at most a page; anything longer is not what we expect. */
#define SYSFS_VALUE_MAX 4096

/*
 * One read() of an attribute into buf, trailing newline removed.
 * -ENOENT if absent, -E2BIG if the value fills the buffer (pciutils: "value too long").
 */
int sysfs_read(const char *path, char *buf, size_t size);
/* The same, path relative to dirfd (a device's directory: one lookup instead of a path's walk). */
int sysfs_read_at(int dirfd, const char *path, char *buf, size_t size);
/*
 * Name of the symlink's target's last component (driver, iommu_group, physfn).
 * -EBADMSG if that is not a name ("", ".", ".."), -E2BIG if it does not fit.
 */
int sysfs_read_link_name(const char *path, char *buf, size_t size);
int sysfs_read_link_name_at(int dirfd, const char *path, char *buf, size_t size);
/* snprintf into buf, -ENAMETOOLONG on truncation. */
int path_join(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
