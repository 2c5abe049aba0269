// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "bedfs.h"
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char tb_root[TB_PATH_MAX];
size_t tb_root_len;

int tb_set_root(const char *root)
{
	size_t len;

	if (!root || root[0] != '/')
		return -EINVAL;
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len >= sizeof(tb_root) - 256)
		return -ENAMETOOLONG;
	memcpy(tb_root, root, len);
	tb_root[len] = '\0';
	tb_root_len = len;
	return 0;
}

int tb_real(char *buf, size_t size, const char *vpath)
{
	int n;

	if (!vpath || vpath[0] != '/')
		return -EINVAL;
	n = snprintf(buf, size, "%s%s", tb_root, vpath);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int tb_vpathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

ssize_t tb_read_file(const char *vpath, char *buf, size_t size)
{
	char path[TB_PATH_MAX];
	size_t len = 0;
	int fd, r;

	if (size == 0)
		return -EINVAL;
	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			close(fd);
			return -ENOBUFS;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

int tb_read_line(const char *vpath, char *buf, size_t size)
{
	ssize_t n = tb_read_file(vpath, buf, size);
	char *nl;

	if (n < 0)
		return (int)n;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

int tb_read_hex(const char *vpath, unsigned int *out)
{
	char buf[64], *end;
	unsigned long v;
	int r;

	r = tb_read_line(vpath, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || v > 0xffffffffUL)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int mkdir_kept(char *path)
{
	struct stat st;
	int r;

	if (lstat(path, &st) == 0)
		return 0;
	if (tb_tx_active() && (r = tb_tx_save(path + tb_root_len)) < 0)
		return r;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int tb_mkdir_p(const char *vpath)
{
	char path[TB_PATH_MAX];
	char *p;
	int r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	for (p = path + tb_root_len + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		r = mkdir_kept(path);
		*p = '/';
		if (r < 0)
			return r;
	}
	return mkdir_kept(path);
}

/* Relative link text from the directory holding 'linkpath' to 'target'. */
static int rel_target(const char *linkpath, const char *target, char *out, size_t size)
{
	const char *l = linkpath, *t = target, *lastl = linkpath, *lastt = target;
	const char *dir_end = strrchr(linkpath, '/');
	size_t len = 0;
	int n;

	/* find the common directory prefix */
	while (*l && *t && *l == *t) {
		if (*l == '/') {
			lastl = l;
			lastt = t;
		}
		l++;
		t++;
	}
	if ((*l == '/' && *t == '\0') || (*t == '/' && *l == '\0')) {
		lastl = l;
		lastt = t;
	}
	/* one ".." per component between the common prefix and the link's directory */
	for (l = lastl; l < dir_end; l++) {
		if (*l != '/')
			continue;
		n = snprintf(out + len, size - len, "../");
		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)n;
	}
	n = snprintf(out + len, size - len, "%s", *lastt == '/' ? lastt + 1 : lastt);
	if (n < 0 || (size_t)n >= size - len)
		return -ENAMETOOLONG;
	return 0;
}

int tb_symlink_rel(const char *linkpath, const char *target)
{
	char path[TB_PATH_MAX], rel[TB_PATH_MAX];
	int r;

	r = rel_target(linkpath, target, rel, sizeof(rel));
	if (r < 0)
		return r;
	r = tb_real(path, sizeof(path), linkpath);
	if (r < 0 || (r = tb_tx_save(linkpath)) < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (symlink(rel, path) < 0)
		return -errno;
	return 0;
}

int tb_readlink(const char *vpath, char *buf, size_t size)
{
	char path[TB_PATH_MAX];
	ssize_t n;
	int r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	n = readlink(path, buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

int tb_resolve(const char *vpath, char *out, size_t size)
{
	char path[TB_PATH_MAX], *res;
	int r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	res = realpath(path, NULL);
	if (!res)
		return -errno;
	if (strncmp(res, tb_root, tb_root_len) != 0 ||
	    (res[tb_root_len] != '/' && res[tb_root_len] != '\0')) {
		free(res);
		return -EXDEV; /* a link escaped the bed */
	}
	r = snprintf(out, size, "%s", res[tb_root_len] ? res + tb_root_len : "/");
	free(res);
	if (r < 0 || (size_t)r >= size)
		return -ENAMETOOLONG;
	return 0;
}

int tb_unlink(const char *vpath)
{
	char path[TB_PATH_MAX];
	int r;

	if (tb_tx_active())
		return tb_tx_remove(vpath);
	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

static int rm_rf_at(int dfd, const char *name)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 ? -errno : 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int k;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		k = rm_rf_at(dirfd(d), de->d_name);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && r == 0)
		r = -errno;
	return r;
}

int tb_rm_rf_now(const char *vpath)
{
	char path[TB_PATH_MAX];
	int r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	if (strlen(vpath) < 2)
		return -EINVAL; /* never the whole bed */
	return rm_rf_at(AT_FDCWD, path);
}

int tb_rm_rf(const char *vpath)
{
	if (strlen(vpath) < 2)
		return -EINVAL;
	if (tb_tx_active()) {
		int r = tb_tx_remove(vpath);

		return r == -ENOENT ? 0 : r;
	}
	return tb_rm_rf_now(vpath);
}

int tb_rmdir(const char *vpath)
{
	char path[TB_PATH_MAX];
	struct dirent *de;
	bool empty = true;
	DIR *d;
	int r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return -errno;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty ? tb_rm_rf(vpath) : -ENOTEMPTY;
}

bool tb_exists(const char *vpath)
{
	char path[TB_PATH_MAX];
	struct stat st;

	return tb_real(path, sizeof(path), vpath) == 0 && lstat(path, &st) == 0;
}

bool tb_is_dir(const char *vpath)
{
	char path[TB_PATH_MAX];
	struct stat st;

	return tb_real(path, sizeof(path), vpath) == 0 && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

int tb_lock(void)
{
	char path[TB_PATH_MAX];
	int fd, r;

	r = tb_real(path, sizeof(path), "/testbed/lock");
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	return fd;
}

void tb_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int tb_parse_errno(const char *s)
{
	char *end;
	long v;
	int i;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || v <= 0 || v > 4095 || (*end && *end != '\n' && *end != ' '))
			return -EINVAL;
		return (int)v;
	}
	for (i = 1; i < 4096; i++) {
		const char *name = strerrorname_np(i);
		size_t len;

		if (!name)
			continue;
		len = strlen(name);
		if (!strncmp(s, name, len) &&
		    (s[len] == '\0' || s[len] == '\n' || s[len] == ' '))
			return i;
	}
	if (!strncmp(s, "EPROBE_DEFER", 12))
		return 517;
	return -EINVAL;
}

const char *tb_errno_name(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	return name ? name : "E?";
}

bool tb_sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (*a == '\0' && b[0] == '\n' && b[1] == '\0')
		return true;
	if (*b == '\0' && a[0] == '\n' && a[1] == '\0')
		return true;
	return false;
}

const char *tb_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int tb_dirname(const char *path, char *buf, size_t size)
{
	const char *s = strrchr(path, '/');
	size_t len;

	if (!s)
		return -EINVAL;
	len = s == path ? 1 : (size_t)(s - path);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return 0;
}
