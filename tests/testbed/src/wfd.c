// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writes to sysfs attributes.  Opening a file of the bed's /sys for writing
 * returns a memfd named "testbed:<canonical path>" instead of the file.
 * A write() through it is one kernel store: the model runs at once and its
 * errno is write()'s.  Data that reaches the memfd behind our back (stdio
 * flushing through libc's internal write, or a process exec'd with the fd)
 * is applied when the stream is flushed (fflush/fclose, where an error sets
 * the stream's error flag) or the fd is closed (close/dup2/dup3 over it, or
 * at exit).  The memfd is emptied after each store, so dups of one open file
 * apply it once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bedfs.h"
#include "pcicore.h"
#include "preload.h"

#define MEMFD_PREFIX "testbed:"
#define LINK_PREFIX "/memfd:" MEMFD_PREFIX

int tb_sysfs_open(const char *real, int flags)
{
	char *canon, name[TB_PATH_MAX];
	struct stat st;
	int fd, r;

	if (flags & (O_PATH | O_DIRECTORY))
		return 1;
	if (REAL(stat)(real, &st) < 0) {
		if (errno == ENOENT && (flags & O_CREAT))
			return -EACCES; /* sysfs has no create */
		return 1;	/* let the real open report it */
	}
	if (!S_ISREG(st.st_mode))
		return 1;
	canon = REAL(realpath)(real, NULL);
	if (!canon)
		return -errno;
	if (strncmp(canon, tb_root, tb_root_len) != 0) {
		free(canon);
		return -EXDEV;
	}
	r = snprintf(name, sizeof(name), MEMFD_PREFIX "%s", canon + tb_root_len);
	free(canon);
	if (r < 0 || (size_t)r >= sizeof(name) || r > 249)
		return -ENAMETOOLONG;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		r = tb_open_read(name + strlen(MEMFD_PREFIX));
		return r < 0 ? r : 1;
	}
	if (!(st.st_mode & 0222))
		return -EACCES; /* attribute without a store method */
	fd = memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	return fd < 0 ? -errno : fd;
}

/* If fd is one of our memfds, put the attribute's path in vpath. */
static bool tracked(int fd, char *vpath, size_t size)
{
	char link[64], target[TB_PATH_MAX];
	struct stat st;
	size_t plen = strlen(LINK_PREFIX), len;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 0)
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = REAL(readlink)(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (strncmp(target, LINK_PREFIX, plen) != 0)
		return false;
	len = (size_t)n - plen;
	if (len > 10 && !strcmp(target + n - 10, " (deleted)"))
		len -= 10;
	if (len >= size)
		return false;
	memcpy(vpath, target + plen, len);
	vpath[len] = '\0';
	tb_preload_init();
	return true;
}

/* Apply whatever sits in the memfd, then empty it. */
static int apply_pending(int fd, const char *vpath)
{
	char buf[TB_ATTR_MAX + 2];
	off_t size = lseek(fd, 0, SEEK_END);
	ssize_t n;

	if (size <= 0)
		return 0;
	n = pread(fd, buf, sizeof(buf), 0);
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 || n < 0)
		return -errno;
	if (size > TB_ATTR_MAX)
		return -E2BIG;
	return tb_store(vpath, buf, (size_t)n);
}

ssize_t write(int fd, const void *data, size_t len)
{
	char vpath[TB_PATH_MAX];
	int r;

	if (!tracked(fd, vpath, sizeof(vpath)))
		return REAL(write)(fd, data, len);
	r = apply_pending(fd, vpath);
	if (r == 0)
		r = tb_store(vpath, data, len);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)len;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	char vpath[TB_PATH_MAX], buf[TB_ATTR_MAX + 1];
	size_t len = 0;
	int i, r;

	if (!tracked(fd, vpath, sizeof(vpath)))
		return REAL(writev)(fd, iov, cnt);
	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len > sizeof(buf) - len) {
			errno = E2BIG;
			return -1;
		}
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	r = tb_store(vpath, buf, len);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)len;
}

int close(int fd)
{
	char vpath[TB_PATH_MAX];
	int r = 0, k;

	if (tracked(fd, vpath, sizeof(vpath)))
		r = apply_pending(fd, vpath);
	k = REAL(close)(fd);
	if (k == 0 && r < 0) {
		errno = -r;
		return -1;
	}
	return k;
}

int dup2(int oldfd, int newfd)
{
	char vpath[TB_PATH_MAX];

	if (oldfd != newfd && tracked(newfd, vpath, sizeof(vpath)))
		(void)apply_pending(newfd, vpath);
	return REAL(dup2)(oldfd, newfd);
}

int dup3(int oldfd, int newfd, int flags)
{
	char vpath[TB_PATH_MAX];

	if (oldfd != newfd && tracked(newfd, vpath, sizeof(vpath)))
		(void)apply_pending(newfd, vpath);
	return REAL(dup3)(oldfd, newfd, flags);
}

/* Flush a stream on a tracked fd and apply; errors go to the stream like a failed write. */
static int flush_tracked(FILE *f, const char *vpath)
{
	int r;

	if (REAL(fflush)(f) != 0)
		return -errno;
	r = apply_pending(fileno(f), vpath);
	if (r < 0)
		f->_flags |= _IO_ERR_SEEN;
	return r;
}

int fflush(FILE *f)
{
	char vpath[TB_PATH_MAX];
	int r;

	if (!f || !tracked(fileno(f), vpath, sizeof(vpath)))
		return REAL(fflush)(f);
	r = flush_tracked(f, vpath);
	if (r < 0) {
		errno = -r;
		return EOF;
	}
	return 0;
}

int fclose(FILE *f)
{
	char vpath[TB_PATH_MAX];
	int r = 0, k;

	if (f && tracked(fileno(f), vpath, sizeof(vpath)))
		r = flush_tracked(f, vpath);
	k = REAL(fclose)(f);
	if (k == 0 && r < 0) {
		errno = -r;
		return EOF;
	}
	return k;
}

/* A process that exits without closing still made its writes. */
__attribute__((destructor)) static void tb_flush_at_exit(void)
{
	char vpath[TB_PATH_MAX];
	int fd;

	(void)REAL(fflush)(NULL);
	for (fd = 0; fd < 1024; fd++)
		if (tracked(fd, vpath, sizeof(vpath)))
			(void)apply_pending(fd, vpath);
}
