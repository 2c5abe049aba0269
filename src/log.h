/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

enum log_target {
        LOG_TARGET_STDERR,
        LOG_TARGET_KMSG, /* early boot: the kernel log is the only log there is */
};

void log_set_target(enum log_target target);
void log_set_max_level(int level);
int log_get_max_level(void);

/*
 * s into buf (NUL-terminated, cut before an escape that does not fit; returns its length), with
 * whatever could drive a terminal or start a record of its own in the kernel log written as an
 * escape: C0 controls and DEL (\n, \t, \x1b), C1 controls in UTF-8 (\u009b), and each byte that
 * is not part of valid UTF-8 (\xff). A backslash is left alone, so that text that went through
 * once comes through again unchanged: nothing is escaped twice.
 */
size_t escape_text(const char *s, char *buf, size_t size);
/* The same, allocated (free it); NULL without memory. */
char *escape_dup(const char *s);
/* s with each byte that is not part of valid UTF-8 replaced by U+FFFD (free it; NULL without memory). */
char *utf8_valid_dup(const char *s);
/* One line on f: formatted, escaped, a newline added (for text that names outside strings). */
void print_line(FILE *f, const char *fmt, ...) _printf_(2, 3);

/*
 * Logs and returns -abs(error) so callers can write "return log_error_errno(r, ...)". The
 * message is escaped (escape_text) on its way out: pass strings from outside as they are.
 */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
#define log_debug_errno(error, ...) log_full_errno(LOG_DEBUG, (error), __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
