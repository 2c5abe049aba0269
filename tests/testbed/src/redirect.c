// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Path redirection: absolute paths below the redirected prefixes go to
 * $TESTBED_ROOT/<path>; relative paths whose directory (cwd or dirfd) is
 * already inside the bed are resolved to their real absolute path so that
 * writes into the bed's /sys are seen by the model.  Paths already naming
 * the bed are passed through untouched (that is how the model itself and the
 * tests' own tools reach the raw files).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedfs.h"
#include "journal.h"
#include "preload.h"


static const char *const redirects[] = {
	"/sys", "/proc/cmdline", "/proc/modules", "/proc/mounts", "/proc/swaps", "/proc/self/mountinfo",
	"/proc/thread-self/mountinfo", "/proc/net", "/proc/self/net", "/lib/modules",
	"/usr/lib/modules", "/etc/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d",
	"/usr/local/lib/modprobe.d", "/run", "/var/run", "/dev/kmsg", "/etc/driverctl.d",
	"/etc/vfio-bind.yaml", "/etc/vfio-bind.d", NULL,
};

static char extra[TB_PATH_MAX]; /* TESTBED_REDIRECT, ':' separated */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	const char *root = getenv("TESTBED_ROOT"), *x = getenv("TESTBED_REDIRECT");
	char marker[TB_PATH_MAX];
	struct stat st;

	if (!root || tb_set_root(root) < 0) {
		fprintf(stderr, "libtestbed: TESTBED_ROOT must name the bed (absolute path)\n");
		abort();
	}
	if (tb_real(marker, sizeof(marker), "/testbed/marker") < 0 ||
	    REAL(stat)(marker, &st) < 0) {
		fprintf(stderr, "libtestbed: %s is not a test bed (no testbed/marker)\n", root);
		abort();
	}
	if (x)
		snprintf(extra, sizeof(extra), "%s", x);
}

void tb_preload_init(void)
{
	pthread_once(&once, init_once);
}

__attribute__((constructor)) static void tb_ctor(void)
{
	tb_preload_init();
	/* a store cut short by a dead process is undone before this one looks at the bed */
	if (tb_tx_recover() < 0)
		fprintf(stderr, "libtestbed: cannot roll back %s/testbed/journal\n", tb_root);
}

static bool has_prefix(const char *path, const char *prefix, size_t len)
{
	return !strncmp(path, prefix, len) && (path[len] == '\0' || path[len] == '/');
}

static bool redirected(const char *path)
{
	const char *const *r;
	const char *s;

	for (r = redirects; *r; r++)
		if (has_prefix(path, *r, strlen(*r)))
			return true;
	for (s = extra; *s;) {
		size_t len = strcspn(s, ":");

		if (len > 1 && s[0] == '/' && has_prefix(path, s, len))
			return true;
		s += len;
		if (*s == ':')
			s++;
	}
	return false;
}

bool tb_in_bed(const char *real)
{
	return has_prefix(real, tb_root, tb_root_len);
}

bool tb_in_sys(const char *real)
{
	return tb_in_bed(real) && !strncmp(real + tb_root_len, "/sys/", 5);
}

int tb_map(int dirfd, const char *path, char *out, size_t size)
{
	char dir[TB_PATH_MAX], link[64];
	ssize_t n;
	int k;

	tb_preload_init();
	if (!path || !*path)
		return 0;
	if (path[0] == '/') {
		if (tb_in_bed(path) || !redirected(path))
			return 0;
		k = snprintf(out, size, "%s%s", tb_root, path);
		return k < 0 || (size_t)k >= size ? -ENAMETOOLONG : 1;
	}
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/self/cwd");
	else
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = REAL(readlink)(link, dir, sizeof(dir) - 1);
	if (n <= 0)
		return 0;
	dir[n] = '\0';
	if (!tb_in_bed(dir)) {
		char joined[TB_PATH_MAX];

		if (dir[0] != '/')
			return 0;
		k = snprintf(joined, sizeof(joined), "%s/%s", n == 1 ? "" : dir, path);
		if (k < 0 || (size_t)k >= sizeof(joined) || !redirected(joined))
			return 0;
		k = snprintf(out, size, "%s%s", tb_root, joined);
	} else {
		k = snprintf(out, size, "%s/%s", dir, path);
	}
	return k < 0 || (size_t)k >= size ? -ENAMETOOLONG : 1;
}

/* ---- open family ---- */

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[TB_PATH_MAX];
	int m = tb_map(dirfd, path, buf, sizeof(buf));

	if (m < 0) {
		errno = -m;
		return -1;
	}
	if (m == 0)
		return REAL(openat)(dirfd, path, flags, mode);
	if (tb_in_sys(buf)) {
		int fd = tb_sysfs_open(buf, flags);

		if (fd < 0) {
			errno = -fd;
			return -1;
		}
		if (fd != 1)
			return fd;
	}
	/* /dev/kmsg keeps every record, as the kernel log does: writes never overwrite earlier runs' */
	if ((flags & O_ACCMODE) != O_RDONLY && !strncmp(buf, tb_root, strlen(tb_root)) &&
	    !strcmp(buf + strlen(tb_root), "/dev/kmsg"))
		flags |= O_APPEND;
	return REAL(openat)(AT_FDCWD, buf, flags, mode);
}

#define MODE_ARG(flags)                                                          \
	({                                                                       \
		mode_t m_ = 0;                                                   \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {                         \
			va_list ap_;                                             \
			va_start(ap_, flags);                                    \
			m_ = (mode_t)va_arg(ap_, int);                           \
			va_end(ap_);                                             \
		}                                                                \
		m_;                                                              \
	})

int open(const char *path, int flags, ...)
{
	return do_openat(AT_FDCWD, path, flags, MODE_ARG(flags));
}

int open64(const char *path, int flags, ...)
{
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, MODE_ARG(flags));
}

int openat(int dirfd, const char *path, int flags, ...)
{
	return do_openat(dirfd, path, flags, MODE_ARG(flags));
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, MODE_ARG(flags));
}

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

int creat(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}

static int fopen_flags(const char *mode)
{
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = strchr(mode, '+') ? O_RDWR : O_RDONLY;
		break;
	case 'w':
		flags = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	if (strchr(mode, 'e'))
		flags |= O_CLOEXEC;
	if (strchr(mode, 'x'))
		flags |= O_EXCL;
	return flags;
}

static FILE *do_fopen(const char *path, const char *mode, FILE *(*real)(const char *, const char *))
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);
	int flags;

	if (!p)
		return NULL;
	flags = fopen_flags(mode);
	if (p == buf && tb_in_sys(buf) && flags >= 0) {
		int fd = tb_sysfs_open(buf, flags);
		FILE *f;

		if (fd < 0) {
			errno = -fd;
			return NULL;
		}
		if (fd != 1) {
			f = fdopen(fd, mode);
			if (!f) {
				int e = errno;

				close(fd);
				errno = e;
			}
			return f;
		}
	}
	return real(p, mode);
}

FILE *fopen(const char *path, const char *mode)
{
	return do_fopen(path, mode, REAL(fopen));
}

FILE *fopen64(const char *path, const char *mode)
{
	return do_fopen(path, mode, REAL(fopen64));
}

DIR *opendir(const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(opendir)(p) : NULL;
}

int scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
	    int (*cmp)(const struct dirent **, const struct dirent **))
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(scandir)(p, list, sel, cmp) : -1;
}

