/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the cmocka unit tests: includes, row-aware checks, stderr capture. */
#pragma once

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"

/*
 * Table rows fail with the row's name, so that a broken row can be found without a debugger.
 * fmt must be a string literal (cmocka's fail_msg pastes it).
 */
#define CHECK(cond, fmt, ...)                                                              \
        do {                                                                               \
                if (!(cond))                                                               \
                        fail_msg("%s:%d: %s: " fmt, __FILE__, __LINE__, #cond, ##__VA_ARGS__); \
        } while (0)

/*
 * log.c writes "vfio-bind: ..." lines to stderr (fd 2). capture_begin() points fd 2 at an
 * anonymous file; capture_end() puts the old fd 2 back and returns everything written in
 * between (malloc'd, NUL-terminated). Keep cmocka assertions outside the bracket: a failing
 * assertion longjmps out and would leave fd 2 redirected.
 */
struct capture {
        int saved_fd;
        FILE *file;
};

static inline void capture_begin(struct capture *c)
{
        fflush(stderr);
        c->file = tmpfile();
        assert_non_null(c->file);
        c->saved_fd = dup(STDERR_FILENO);
        assert_true(c->saved_fd >= 0);
        assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

static inline char *capture_end(struct capture *c)
{
        char *buf;
        long size;

        fflush(stderr);
        dup2(c->saved_fd, STDERR_FILENO);
        close(c->saved_fd);
        fseek(c->file, 0, SEEK_END);
        size = ftell(c->file);
        rewind(c->file);
        buf = calloc(1, (size_t)(size > 0 ? size : 0) + 1);
        if (buf && size > 0 && fread(buf, 1, (size_t)size, c->file) != (size_t)size)
                buf[0] = '\0';
        fclose(c->file);
        assert_non_null(buf);
        return buf;
}

/* Number of lines (messages) in captured output. */
static inline unsigned count_lines(const char *s)
{
        unsigned n = 0;

        for (; *s; s++)
                n += *s == '\n';
        return n;
}
