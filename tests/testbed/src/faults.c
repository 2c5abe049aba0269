// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
#include "faults.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bedfs.h"
#include "pcidev.h"

static int errno_or_default(const char *s, int def)
{
	int e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n')
		return -def;
	e = tb_parse_errno(s);
	return e > 0 ? -e : -def;
}

static int simple_fault(const char *kind, const char *name, int def)
{
	char p[TB_PATH_MAX], buf[128];
	ssize_t n;

	if (!tb_valid_name(name) || tb_vpathf(p, sizeof(p), "/faults/%s/%s", kind, name) < 0)
		return 0;
	n = tb_read_file(p, buf, sizeof(buf));
	if (n < 0)
		return 0;
	return errno_or_default(buf, def);
}

int tb_fault_load(const char *module)
{
	return simple_fault("load", module, EPERM);
}

int tb_fault_unbind(const char *addr)
{
	return simple_fault("unbind", addr, EBUSY);
}

int tb_fault_probe(const char *addr, const char *drv)
{
	char p[TB_PATH_MAX], buf[4096], *line, *save = NULL;
	ssize_t n;

	if (!tb_valid_name(addr) || tb_vpathf(p, sizeof(p), "/faults/probe/%s", addr) < 0)
		return 0;
	n = tb_read_file(p, buf, sizeof(buf));
	if (n < 0)
		return 0;
	if (n == 0)
		return -EIO;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		size_t len = sp ? (size_t)(sp - line) : strlen(line);

		if ((len == 1 && line[0] == '*') || (len == strlen(drv) && !strncmp(line, drv, len)))
			return errno_or_default(sp ? sp : "", EIO);
	}
	return 0;
}

int tb_fault_write(const char *vpath)
{
	char buf[8192], res[TB_PATH_MAX], *line, *save = NULL;

	if (tb_read_file("/faults/write", buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp)
			*sp = '\0';
		if (line[0] != '/')
			continue;
		if (strcmp(line, vpath) != 0 &&
		    (tb_resolve(line, res, sizeof(res)) < 0 || strcmp(res, vpath) != 0))
			continue;
		return errno_or_default(sp ? sp + 1 : "", EIO);
	}
	return 0;
}

bool tb_fault_vanish(const char *addr, const char *attr, bool write)
{
	char p[TB_PATH_MAX], buf[256], *mode;
	size_t len;

	if (!tb_valid_name(addr) || tb_vpathf(p, sizeof(p), "/faults/vanish/%s", addr) < 0)
		return false;
	if (tb_read_line(p, buf, sizeof(buf)) < 0)
		return false;
	mode = strchr(buf, ' ');
	len = mode ? (size_t)(mode - buf) : strlen(buf);
	if (len != strlen(attr) || strncmp(buf, attr, len) != 0)
		return false;
	if (mode && !strcmp(mode + 1, write ? "read" : "write"))
		return false;
	(void)tb_unlink(p);
	return true;
}
