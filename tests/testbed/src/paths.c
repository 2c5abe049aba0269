// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Path wrappers other than open: metadata, links, directory changes.  Each maps
 * its path(s) with tb_map() and calls libc's function; realpath() and getcwd()
 * give paths inside the bed back in their virtual form.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bedfs.h"
#include "preload.h"

#define SYSFS_MAGIC 0x62656572

/* ---- metadata ---- */

int stat(const char *path, struct stat *st)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(stat)(p, st) : -1;
}

int stat64(const char *path, struct stat64 *st)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(stat64)(p, st) : -1;
}

int lstat(const char *path, struct stat *st)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(lstat)(p, st) : -1;
}

int lstat64(const char *path, struct stat64 *st)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(lstat64)(p, st) : -1;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(fstatat)(p == buf ? AT_FDCWD : dirfd, p, st, flags) : -1;
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(fstatat64)(p == buf ? AT_FDCWD : dirfd, p, st, flags) : -1;
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(statx)(p == buf ? AT_FDCWD : dirfd, p, flags, mask, stx) : -1;
}

static void fake_sysfs_magic(const char *p, const char *buf, long *type)
{
	if (p == buf && (tb_in_sys(buf) || !strcmp(buf + tb_root_len, "/sys")))
		*type = SYSFS_MAGIC;
}

int statfs(const char *path, struct statfs *sf)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);
	int r;

	if (!p)
		return -1;
	r = REAL(statfs)(p, sf);
	if (r == 0)
		fake_sysfs_magic(p, buf, &sf->f_type);
	return r;
}

int statfs64(const char *path, struct statfs64 *sf)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);
	int r;

	if (!p)
		return -1;
	r = REAL(statfs64)(p, sf);
	if (r == 0)
		fake_sysfs_magic(p, buf, &sf->f_type);
	return r;
}

int access(const char *path, int mode)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(access)(p, mode) : -1;
}

int eaccess(const char *path, int mode)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(eaccess)(p, mode) : -1;
}

int euidaccess(const char *path, int mode)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(euidaccess)(p, mode) : -1;
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(faccessat)(p == buf ? AT_FDCWD : dirfd, p, mode, flags) : -1;
}

ssize_t readlink(const char *path, char *out, size_t size)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(readlink)(p, out, size) : -1;
}

ssize_t readlinkat(int dirfd, const char *path, char *out, size_t size)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(readlinkat)(p == buf ? AT_FDCWD : dirfd, p, out, size) : -1;
}

/* Results of realpath()/getcwd() inside the bed are given back as virtual paths. */
static char *unmap_result(char *res)
{
	if (res && tb_in_bed(res)) {
		size_t len = strlen(res + tb_root_len);

		if (len == 0)
			strcpy(res, "/");
		else
			memmove(res, res + tb_root_len, len + 1);
	}
	return res;
}

char *realpath(const char *path, char *resolved)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	if (!p)
		return NULL;
	/* only a path we mapped is given back virtual: the bed's own paths stay real */
	return p == buf ? unmap_result(REAL(realpath)(p, resolved)) : REAL(realpath)(p, resolved);
}

/*
 * What realpath() becomes in a build with _FORTIFY_SOURCE (the distributions' packages): without
 * it such a binary resolved the real host's paths, not the bed's.
 */
char *__realpath_chk(const char *path, char *resolved, size_t resolved_len);
char *__realpath_chk(const char *path, char *resolved, size_t resolved_len)
{
	(void)resolved_len; /* glibc checks it against PATH_MAX; the caller's buffer is that size */
	return realpath(path, resolved);
}

char *canonicalize_file_name(const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	if (!p)
		return NULL;
	return p == buf ? unmap_result(REAL(canonicalize_file_name)(p))
			: REAL(canonicalize_file_name)(p);
}

char *getcwd(char *out, size_t size)
{
	tb_preload_init();
	return unmap_result(REAL(getcwd)(out, size));
}

int chdir(const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(chdir)(p) : -1;
}

/* ---- changes to the tree ---- */

int mkdir(const char *path, mode_t mode)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(mkdir)(p, mode) : -1;
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(mkdirat)(p == buf ? AT_FDCWD : dirfd, p, mode) : -1;
}

int unlink(const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(unlink)(p) : -1;
}

int unlinkat(int dirfd, const char *path, int flags)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(unlinkat)(p == buf ? AT_FDCWD : dirfd, p, flags) : -1;
}

int rmdir(const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(rmdir)(p) : -1;
}

int rename(const char *from, const char *to)
{
	char b1[TB_PATH_MAX], b2[TB_PATH_MAX];
	const char *p1 = MAP(AT_FDCWD, from, b1), *p2;

	if (!p1)
		return -1;
	p2 = MAP(AT_FDCWD, to, b2);
	return p2 ? REAL(rename)(p1, p2) : -1;
}

int symlink(const char *target, const char *path)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(symlink)(target, p) : -1;
}

int truncate(const char *path, off_t len)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(truncate)(p, len) : -1;
}

ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(getxattr)(p, name, value, size) : -1;
}

ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(lgetxattr)(p, name, value, size) : -1;
}

int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(AT_FDCWD, path, buf);

	return p ? REAL(inotify_add_watch)(fd, p, mask) : -1;
}

int name_to_handle_at(int dirfd, const char *path, struct file_handle *h, int *mount_id, int flags)
{
	char buf[TB_PATH_MAX];
	const char *p = MAP(dirfd, path, buf);

	return p ? REAL(name_to_handle_at)(p == buf ? AT_FDCWD : dirfd, p, h, mount_id, flags) : -1;
}

/* sd-device checks that what it opened below /sys is sysfs */
static void fake_sysfs_magic_fd(int fd, long *type)
{
	char link[64], target[TB_PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = REAL(readlink)(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (tb_in_sys(target) || !strcmp(target + (tb_in_bed(target) ? tb_root_len : 0), "/sys"))
		*type = SYSFS_MAGIC;
}

int fstatfs(int fd, struct statfs *sf)
{
	int r;

	tb_preload_init();
	r = REAL(fstatfs)(fd, sf);
	if (r == 0)
		fake_sysfs_magic_fd(fd, &sf->f_type);
	return r;
}

int fstatfs64(int fd, struct statfs64 *sf)
{
	int r;

	tb_preload_init();
	r = REAL(fstatfs64)(fd, sf);
	if (r == 0)
		fake_sysfs_magic_fd(fd, &sf->f_type);
	return r;
}
