// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module loading: finit_module/init_module/delete_module never reach the
 * kernel.  libkmod 30 calls syscall(__NR_finit_module, fd, args, flags) for
 * uncompressed modules and init_module() for decompressed images.  The module
 * is named by its file (fd) or by the "name=" string of its .modinfo (image).
 * uname() reports the release in $ROOT/kver so libkmod finds the bed's tree.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bedfs.h"
#include "faults.h"
#include "journal.h"
#include "modstate.h"
#include "pcicore.h"
#include "preload.h"

static int module_load(const char *name, const char *params)
{
	struct tb_modspec m;
	char buf[32];
	int lock, r, i;

	lock = tb_tx_begin();
	if (lock < 0)
		return lock;
	r = tb_fault_load(name);
	if (r < 0)
		goto out;
	if (tb_module_present(name)) {
		r = -EEXIST;
		goto out;
	}
	r = tb_modspec_read(name, &m);
	if (r == -ENOENT) { /* a file the description did not declare: no driver */
		memset(&m, 0, sizeof(m));
		snprintf(m.name, sizeof(m.name), "%s", name);
		r = 0;
	}
	if (r < 0)
		goto out;
	for (i = 0; i < m.ndeps; i++) {
		if (!tb_module_present(m.deps[i])) {
			tb_log("load-failed %s unknown-symbol-from %s", name, m.deps[i]);
			r = -ENOENT; /* "Unknown symbol in module" */
			goto out;
		}
	}
	r = tb_module_instantiate(&m, false, params);
	if (r == 0 && m.driver[0] &&
	    !(tb_read_line("/sys/bus/pci/drivers_autoprobe", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "0")))
		tb_driver_attach(m.driver);
out:
	if (r < 0)
		tb_log("load-failed %s %s", name, tb_errno_name(r));
	tb_tx_end(lock);
	return r;
}

static int module_unload(const char *name)
{
	char p[TB_PATH_MAX], real[TB_PATH_MAX];
	int lock, r;

	if (!tb_valid_name(name))
		return -ENOENT;
	lock = tb_tx_begin();
	if (lock < 0)
		return lock;
	if (!tb_module_live(name)) {
		r = -ENOENT;
		goto out;
	}
	r = tb_vpathf(p, sizeof(p), "/sys/module/%s/holders", name);
	if (r == 0 && (r = tb_real(real, sizeof(real), p)) == 0) {
		DIR *d = opendir(real);
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				r = -EWOULDBLOCK; /* in use by another module */
		if (d)
			closedir(d);
	}
	if (r == 0)
		r = tb_module_destroy(name);
out:
	tb_tx_end(lock);
	return r;
}

/* "vfio-pci.ko.xz" -> "vfio_pci" */
static int name_from_fd(int fd, char *name, size_t size)
{
	char link[64], path[TB_PATH_MAX], *dot;
	const char *base;
	ssize_t n;
	size_t i;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = REAL(readlink)(link, path, sizeof(path) - 1);
	if (n <= 0)
		return -EBADF;
	path[n] = '\0';
	if (strncmp(path, tb_root, tb_root_len) != 0 || path[tb_root_len] != '/')
		return -EPERM; /* never load anything from outside the bed */
	base = tb_basename(path);
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	snprintf(name, size, "%s", base);
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
	return tb_valid_name(name) ? 0 : -ENOEXEC;
}

static int name_from_image(const void *mem, unsigned long len, char *name, size_t size)
{
	const char *p = mem, *end = p + len;

	for (; p + 5 < end; p++) {
		if (p[0] == 'n' && !memcmp(p, "name=", 5) && (p == mem || p[-1] == '\0')) {
			size_t l = strnlen(p + 5, (size_t)(end - p - 5));

			if (l == 0 || l >= size)
				return -ENOEXEC;
			memcpy(name, p + 5, l);
			name[l] = '\0';
			return tb_valid_name(name) ? 0 : -ENOEXEC;
		}
	}
	return -ENOEXEC;
}

static long fail(int r)
{
	errno = -r;
	return -1;
}

static long do_finit(int fd, const char *args)
{
	char name[TB_NAME_MAX];
	int r;

	tb_preload_init();
	r = name_from_fd(fd, name, sizeof(name));
	if (r == 0)
		r = module_load(name, args);
	return r < 0 ? fail(r) : 0;
}

static long do_init(const void *mem, unsigned long len, const char *args)
{
	char name[TB_NAME_MAX];
	int r;

	tb_preload_init();
	r = name_from_image(mem, len, name, sizeof(name));
	if (r == 0)
		r = module_load(name, args);
	return r < 0 ? fail(r) : 0;
}

static long do_delete(const char *name)
{
	int r;

	tb_preload_init();
	r = module_unload(name);
	return r < 0 ? fail(r) : 0;
}

int init_module(void *mem, unsigned long len, const char *args);
int finit_module(int fd, const char *args, int flags);
int delete_module(const char *name, unsigned int flags);

int init_module(void *mem, unsigned long len, const char *args)
{
	return (int)do_init(mem, len, args);
}

int finit_module(int fd, const char *args, int flags)
{
	(void)flags;
	return (int)do_finit(fd, args);
}

int delete_module(const char *name, unsigned int flags)
{
	(void)flags;
	return (int)do_delete(name);
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case SYS_finit_module:
		return do_finit((int)a[0], (const char *)a[1]);
	case SYS_init_module:
		return do_init((const void *)a[0], (unsigned long)a[1], (const char *)a[2]);
	case SYS_delete_module:
		return do_delete((const char *)a[0]);
	default:
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
}

int uname(struct utsname *u)
{
	char kver[sizeof(u->release)];
	int r;

	tb_preload_init();
	r = REAL(uname)(u);
	if (r == 0 && tb_read_line("/kver", kver, sizeof(kver)) == 0 && kver[0])
		snprintf(u->release, sizeof(u->release), "%s", kver);
	return r;
}
