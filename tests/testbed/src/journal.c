// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedfs.h"

#define JOURNAL "/testbed/journal"
#define JOURNAL_DONE "/testbed/journal.done"

static bool active;
static bool created;     /* the journal directory exists for this transaction */
static unsigned int entries;
/* paths whose state is kept already: later changes in the transaction need no entry */
static char **kept;
static size_t nkept, capkept;

bool tb_tx_active(void)
{
	return active;
}

static void forget_kept(void)
{
	size_t i;

	for (i = 0; i < nkept; i++)
		free(kept[i]);
	free(kept);
	kept = NULL;
	nkept = capkept = 0;
}

/* 'Z' when only the size is kept, 'S' (or 'A') when the whole state is; 0 when neither */
static char kept_as(const char *vpath)
{
	size_t i;

	for (i = 0; i < nkept; i++)
		if (!strcmp(kept[i] + 1, vpath))
			return kept[i][0];
	return 0;
}

static bool is_kept(const char *vpath)
{
	return kept_as(vpath) != 0;
}

static int keep(char kind, const char *vpath)
{
	size_t len = strlen(vpath), i;

	for (i = 0; i < nkept; i++) {
		if (!strcmp(kept[i] + 1, vpath)) {
			kept[i][0] = kind;
			return 0;
		}
	}

	if (nkept == capkept) {
		size_t cap = capkept ? capkept * 2 : 64;
		char **k = realloc(kept, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		kept = k;
		capkept = cap;
	}
	kept[nkept] = malloc(len + 2);
	if (!kept[nkept])
		return -ENOMEM;
	kept[nkept][0] = kind;
	memcpy(kept[nkept] + 1, vpath, len + 1);
	nkept++;
	return 0;
}

/* Real path of entry n, or with suffix ".s" of what it keeps. */
static int jpath(char *buf, size_t size, unsigned int n, const char *suffix)
{
	char v[TB_PATH_MAX];
	int r = tb_vpathf(v, sizeof(v), JOURNAL "/%06u%s", n, suffix);

	return r < 0 ? r : tb_real(buf, size, v);
}

/* Entry N, in place at once: written aside, then renamed. */
static int add_entry(char kind, long long size, const char *vpath, unsigned int *n)
{
	char tmp[TB_PATH_MAX], path[TB_PATH_MAX], line[TB_PATH_MAX + 64];
	int fd, len, r;

	if (!created) {
		if ((r = tb_real(path, sizeof(path), JOURNAL)) < 0)
			return r;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		created = true;
	}
	*n = ++entries;
	if (kind == 'Z')
		len = snprintf(line, sizeof(line), "Z %lld %s\n", size, vpath);
	else
		len = snprintf(line, sizeof(line), "%c %s\n", kind, vpath);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -ENAMETOOLONG;
	if ((r = tb_real(tmp, sizeof(tmp), JOURNAL "/entry")) < 0 ||
	    (r = jpath(path, sizeof(path), *n, "")) < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write(fd, line, (size_t)len) == len ? 0 : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	return r;
}

int tb_tx_save(const char *vpath)
{
	char real[TB_PATH_MAX], saved[TB_PATH_MAX];
	struct stat st;
	unsigned int n;
	char was;
	int r;

	/* a file appended to and now replaced: its whole state too (undone before the size) */
	if (!active || ((was = kept_as(vpath)) && was != 'Z'))
		return 0;
	r = tb_real(real, sizeof(real), vpath);
	if (r < 0)
		return r;
	if (lstat(real, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		r = add_entry('A', 0, vpath, &n);
	} else {
		if (S_ISDIR(st.st_mode))
			return -EISDIR; /* a directory is kept by tb_tx_remove only */
		r = add_entry('S', 0, vpath, &n);
		/* the old inode stays in the journal; the new content gets a new one */
		if (r == 0 && (r = jpath(saved, sizeof(saved), n, ".s")) == 0 &&
		    linkat(AT_FDCWD, real, AT_FDCWD, saved, 0) < 0)
			r = -errno;
	}
	return r < 0 ? r : keep('S', vpath);
}

int tb_tx_save_size(const char *vpath)
{
	char real[TB_PATH_MAX];
	struct stat st;
	unsigned int n;
	int r;

	if (!active || is_kept(vpath))
		return 0;
	r = tb_real(real, sizeof(real), vpath);
	if (r < 0)
		return r;
	if (lstat(real, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		r = add_entry('A', 0, vpath, &n);
		return r < 0 ? r : keep('A', vpath);
	}
	r = add_entry('Z', (long long)st.st_size, vpath, &n);
	return r < 0 ? r : keep('Z', vpath);
}

int tb_tx_remove(const char *vpath)
{
	char real[TB_PATH_MAX], saved[TB_PATH_MAX];
	struct stat st;
	unsigned int n;
	int r;

	r = tb_real(real, sizeof(real), vpath);
	if (r < 0)
		return r;
	if (lstat(real, &st) < 0)
		return -errno;
	if (is_kept(vpath))
		return tb_rm_rf_now(vpath);
	r = add_entry('S', 0, vpath, &n);
	if (r == 0 && (r = jpath(saved, sizeof(saved), n, ".s")) == 0 &&
	    rename(real, saved) < 0)
		r = -errno;
	return r < 0 ? r : keep('S', vpath);
}

int tb_tx_scratch(char *buf, size_t size)
{
	return tb_real(buf, size, JOURNAL "/new");
}

/* TESTBED_KILL_IN_ROLLBACK=N: SIGKILL once N entries are undone (a crash during recovery). */
static void kill_in_rollback(unsigned int undone)
{
	const char *n = getenv("TESTBED_KILL_IN_ROLLBACK");

	if (n && *n && undone == strtoul(n, NULL, 10))
		raise(SIGKILL);
}

static int undo(const char *line, unsigned int n)
{
	char real[TB_PATH_MAX], saved[TB_PATH_MAX], vpath[TB_PATH_MAX];
	long long size;
	struct stat st;
	int r;

	if (line[0] == 'Z') {
		if (sscanf(line, "Z %lld %4095s", &size, vpath) != 2 ||
		    tb_real(real, sizeof(real), vpath) < 0)
			return -EINVAL;
		return truncate(real, size) < 0 && errno != ENOENT ? -errno : 0;
	}
	if ((line[0] != 'A' && line[0] != 'S') || line[1] != ' ' ||
	    sscanf(line + 2, "%4095s", vpath) != 1)
		return -EINVAL;
	if (line[0] == 'S') {
		r = jpath(saved, sizeof(saved), n, ".s");
		if (r < 0)
			return r;
		if (lstat(saved, &st) < 0)
			return 0; /* killed before the change, or restored already */
	}
	r = tb_rm_rf_now(vpath);
	if (r < 0 && r != -ENOENT)
		return r;
	if (line[0] == 'S' && (r = tb_real(real, sizeof(real), vpath)) == 0 &&
	    rename(saved, real) < 0)
		r = -errno;
	return r < 0 ? r : 0;
}

static int cmp_desc(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int rollback(void)
{
	char dir[TB_PATH_MAX], entry[TB_PATH_MAX], line[TB_PATH_MAX + 64], *end;
	unsigned int *list = NULL, cnt = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if ((r = tb_real(dir, sizeof(dir), JOURNAL)) < 0)
		return r;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		unsigned long v = strtoul(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
			continue;
		if (cnt == cap) {
			unsigned int *l = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*l));

			if (!l) {
				r = -ENOMEM;
				break;
			}
			list = l;
		}
		list[cnt++] = (unsigned int)v;
	}
	closedir(d);
	if (r == 0)
		qsort(list, cnt, sizeof(*list), cmp_desc);
	for (i = 0; r == 0 && i < cnt; i++) {
		char v[TB_PATH_MAX];

		if ((r = tb_vpathf(v, sizeof(v), JOURNAL "/%06u", list[i])) < 0 ||
		    (r = tb_read_line(v, line, sizeof(line))) < 0 || (r = undo(line, list[i])) < 0)
			break;
		if ((r = tb_real(entry, sizeof(entry), v)) == 0 && unlink(entry) < 0)
			r = -errno;
		kill_in_rollback(i + 1);
	}
	free(list);
	if (r < 0)
		return r;
	if ((r = tb_real(dir, sizeof(dir), JOURNAL)) < 0 ||
	    (r = tb_real(entry, sizeof(entry), JOURNAL_DONE)) < 0)
		return r;
	if (rename(dir, entry) < 0)
		return -errno;
	return tb_rm_rf_now(JOURNAL_DONE);
}

/* Under the lock: finish a commit cut short, roll back a transaction left open. */
static int settle(void)
{
	int r = tb_rm_rf_now(JOURNAL_DONE);

	if (r < 0 && r != -ENOENT)
		return r;
	return tb_exists(JOURNAL) ? rollback() : 0;
}

int tb_tx_begin(void)
{
	int lock = tb_lock(), r;

	if (lock < 0)
		return lock;
	r = settle();
	if (r < 0) {
		tb_unlock(lock);
		return r;
	}
	active = true;
	created = false;
	entries = 0;
	return lock;
}

void tb_tx_end(int lock)
{
	char dir[TB_PATH_MAX], done[TB_PATH_MAX];

	if (created && tb_real(dir, sizeof(dir), JOURNAL) == 0 &&
	    tb_real(done, sizeof(done), JOURNAL_DONE) == 0 && rename(dir, done) == 0)
		(void)tb_rm_rf_now(JOURNAL_DONE);
	active = false;
	created = false;
	forget_kept();
	tb_unlock(lock);
}

int tb_tx_recover(void)
{
	int lock, r;

	if (!tb_exists(JOURNAL) && !tb_exists(JOURNAL_DONE))
		return 0;
	lock = tb_lock();
	if (lock < 0)
		return lock;
	r = settle();
	tb_unlock(lock);
	return r;
}
