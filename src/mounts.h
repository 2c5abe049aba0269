/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The filesystems mounted and the swap in use, as the kernel lists them in /proc/self/mountinfo
 * and /proc/swaps, read with libmount (opened on first use, dynlib.h): it undoes the octal escapes
 * of a mount point or source with a space (\040) and parses the optional fields.
 */
struct mount_entry {
        dev_t devnum;   /* mountinfo's major:minor (0:N for btrfs and the like); 0 for swap */
        char *source;   /* "/dev/nvme0n1p2", "/dev/mapper/vg-root", a swap file or partition */
        char *target;   /* the mount point; NULL for swap */
        bool swap_partition; /* swap on the block device itself (a swap file is on a mount) */
};

struct mounts {
        struct mount_entry *entries;
        size_t n_entries;
};

/*
 * Reads both lists: 0, or a negative errno with why the mounts are unknown in why
 * (-EOPNOTSUPP: libmount cannot be loaded).
 */
int mounts_read(struct mounts *m, char *why, size_t why_size);
void mounts_done(struct mounts *m);
