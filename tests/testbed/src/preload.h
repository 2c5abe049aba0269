/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by the preload's translation units. */
#pragma once

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The next definition of fn (libc's), looked up once. */
#define REAL(fn)                                                                 \
	({                                                                       \
		static __typeof__(&fn) real_##fn;                                \
		if (!real_##fn)                                                  \
			real_##fn = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn);      \
		real_##fn;                                                       \
	})

/* Set up tb_root from TESTBED_ROOT; aborts if the bed is missing. */
void tb_preload_init(void);

/*
 * Where an access to (dirfd, path) goes.  Returns 1 and the real absolute path
 * in out when the target is inside the bed (redirected, or relative to a
 * directory already in the bed), 0 to pass the call through untouched.
 */
int tb_map(int dirfd, const char *path, char *out, size_t size);

/* true if real path lies below $ROOT/sys/ */
bool tb_in_sys(const char *real);

/* Open of a file inside the bed's /sys: returns an fd, -errno, or 1 for "not special". */
int tb_sysfs_open(const char *real, int flags);

/* true if real path is the bed root or lies below it */
bool tb_in_bed(const char *real);

/* Real path to use, or NULL with errno set. */
#define MAP(dirfd, path, buf)                                                    \
	({                                                                       \
		int m_ = tb_map((dirfd), (path), (buf), sizeof(buf));            \
		if (m_ < 0)                                                      \
			errno = -m_;                                             \
		m_ < 0 ? NULL : m_ > 0 ? (const char *)(buf) : (path);          \
	})
