// SPDX-License-Identifier: LGPL-2.1-or-later
/* bedfs's writers: each is all or nothing inside a transaction (journal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedfs.h"
#include "journal.h"

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Crash points for tests: SIGKILL, as a crash would, where a store is half done.
 * TESTBED_KILL_IN_WRITE=SUFFIX: in the model's write of a path ending in SUFFIX, once its
 * new content is opened and before a byte of it is written.
 * TESTBED_KILL_AFTER_EVENT=N: right after this process logs its Nth event.
 */
static void kill_in_write(const char *vpath)
{
	const char *s = getenv("TESTBED_KILL_IN_WRITE");
	size_t ls, lp = strlen(vpath);

	if (!s || !*s)
		return;
	ls = strlen(s);
	if (lp >= ls && !strcmp(vpath + lp - ls, s))
		raise(SIGKILL);
}

static void kill_after_event(void)
{
	static unsigned long logged;
	const char *n = getenv("TESTBED_KILL_AFTER_EVENT");

	if (n && *n && ++logged == strtoul(n, NULL, 10))
		raise(SIGKILL);
}

/* The builder's way (no transaction): over the file. */
/* The content and mode of an open file, then close: the one place a kill can tear a write. */
static int fill_and_close(int fd, const char *vpath, const void *data, size_t len, mode_t mode)
{
	int r;

	kill_in_write(vpath);
	r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int write_in_place(const char *path, const char *vpath, const void *data, size_t len,
			  mode_t mode)
{
	int fd, r;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EACCES) {
		/* read-only attribute of ours being rewritten */
		if (chmod(path, 0644) < 0)
			return -errno;
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	}
	if (fd < 0)
		return -errno;
	r = fill_and_close(fd, vpath, data, len, mode);
	return r;
}

int tb_write_bytes(const char *vpath, const void *data, size_t len, mode_t mode)
{
	char path[TB_PATH_MAX], tmp[TB_PATH_MAX];
	int fd, r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0)
		return r;
	if (!tb_tx_active())
		return write_in_place(path, vpath, data, len, mode);
	if ((r = tb_tx_save(vpath)) < 0 || (r = tb_tx_scratch(tmp, sizeof(tmp))) < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = fill_and_close(fd, vpath, data, len, mode);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	return r;
}

int tb_write_file(const char *vpath, const char *data, mode_t mode)
{
	return tb_write_bytes(vpath, data, strlen(data), mode);
}

int tb_writef(const char *vpath, mode_t mode, const char *fmt, ...)
{
	char buf[TB_ATTR_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENOBUFS;
	return tb_write_file(vpath, buf, mode);
}

int tb_append(const char *vpath, const char *data)
{
	char path[TB_PATH_MAX];
	int fd, r;

	r = tb_real(path, sizeof(path), vpath);
	if (r < 0 || (r = tb_tx_save_size(vpath)) < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, strlen(data));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int tb_remove_line(const char *vpath, const char *line)
{
	char buf[65536], out[65536];
	size_t olen = 0, llen = strlen(line);
	bool found = false;
	char *p, *nl;
	ssize_t n;

	n = tb_read_file(vpath, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (p = buf; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!found && len == llen && !strncmp(p, line, len)) {
			found = true;
			continue;
		}
		memcpy(out + olen, p, len);
		olen += len;
		out[olen++] = '\n';
	}
	out[olen] = '\0';
	if (!found)
		return -ENOENT;
	return tb_write_file(vpath, out, 0644);
}

void tb_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n] = '\n';
	buf[n + 1] = '\0';
	(void)tb_append("/testbed/log", buf);
	kill_after_event();
}
