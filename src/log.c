/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>

#include "log.h"

static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_NOTICE;
static int kmsg_fd = -1;
static unsigned kmsg_lines; /* written through kmsg_fd */

/*
 * With printk.devkmsg=ratelimit (the default) the kernel drops lines beyond 10 per 5 s on one
 * open /dev/kmsg ("N output lines suppressed due to ratelimiting"): the state belongs to the open
 * file, so a fresh one every few lines keeps a run over many devices whole in the log.
 */
#define KMSG_LINES_PER_OPEN 8

void log_set_target(enum log_target target)
{
        log_target = target;
}

void log_set_max_level(int level)
{
        log_max_level = level;
}

int log_get_max_level(void)
{
        return log_max_level;
}

static void log_to_kmsg(int level, const char *msg)
{
        char line[1024];
        int n;

        if (kmsg_fd >= 0 && kmsg_lines >= KMSG_LINES_PER_OPEN) {
                close(kmsg_fd);
                kmsg_fd = -1;
        }
        if (kmsg_fd < 0) {
                /* O_APPEND: no effect on the device; a file standing in for it (the test bed)
                 * keeps the lines of every process */
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC | O_APPEND);
                kmsg_lines = 0;
        }
        kmsg_lines++;
        /* "<N>" sets the record's level; one write() is one kernel log record. */
        n = snprintf(line, sizeof(line), "<%d>vfio-bind: %s\n", level, msg);
        if (n < 0)
                return;
        if ((size_t)n >= sizeof(line))
                n = sizeof(line) - 1;
        if (kmsg_fd < 0 || write(kmsg_fd, line, (size_t)n) < 0)
                fputs(line + 3, stderr);
}

/* The length of the valid UTF-8 sequence at p (2 to 4 bytes), 0 if there is none. */
static size_t utf8_sequence(const unsigned char *p)
{
        size_t n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
        /* the second byte's range rules out overlong forms, surrogates and above U+10FFFF */
        unsigned char lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
        unsigned char hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;

        if (p[0] < 0xc2 || p[0] > 0xf4 || p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        return n;
}

size_t escape_text(const char *s, char *buf, size_t size)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = 0;

        if (size == 0)
                return 0;
        while (*p) {
                char esc[8];
                size_t len = 0, seq = *p >= 0x80 ? utf8_sequence(p) : 0;

                if (*p == '\n')
                        len = (size_t)snprintf(esc, sizeof(esc), "\\n");
                else if (*p == '\t')
                        len = (size_t)snprintf(esc, sizeof(esc), "\\t");
                else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && seq == 0))
                        len = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
                else if (seq == 2 && p[0] == 0xc2 && p[1] <= 0x9f) /* U+0080..U+009F: C1 */
                        len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", p[1]);
                if (len) {
                        if (n + len >= size)
                                break;
                        memcpy(buf + n, esc, len);
                        n += len;
                        p += seq ? seq : 1;
                        continue;
                }
                seq = seq ? seq : 1;
                if (n + seq >= size)
                        break;
                memcpy(buf + n, p, seq);
                n += seq;
                p += seq;
        }
        buf[n] = '\0';
        return n;
}

char *escape_dup(const char *s)
{
        /* at most 4 bytes for one: "\xff" */
        size_t size = strlen(s) * 4 + 1;
        char *buf = malloc(size);

        if (buf)
                escape_text(s, buf, size);
        return buf;
}

char *utf8_valid_dup(const char *s)
{
        /* U+FFFD is 3 bytes for each byte it replaces */
        char *buf = malloc(strlen(s) * 3 + 1), *q = buf;
        const unsigned char *p = (const unsigned char *)s;

        if (!buf)
                return NULL;
        while (*p) {
                size_t seq = *p < 0x80 ? 1 : utf8_sequence(p);

                if (seq == 0) {
                        memcpy(q, "\xef\xbf\xbd", 3);
                        q += 3;
                        p++;
                        continue;
                }
                memcpy(q, p, seq);
                q += seq;
                p += seq;
        }
        *q = '\0';
        return buf;
}

void print_line(FILE *f, const char *fmt, ...)
{
        _cleanup_free_ char *line = NULL, *escaped = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        escaped = escape_dup(line);
        if (escaped)
                fprintf(f, "%s\n", escaped);
}

int log_internal(int level, int error, const char *fmt, ...)
{
        char raw[1024], msg[4 * sizeof(raw)];
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                return -error;

        errno = error; /* so that %m in fmt names this error */
        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        errno = saved_errno;
        /* Once, here: every message may carry a file name, a command line word, a sysfs name. */
        escape_text(raw, msg, sizeof(msg));

        if (log_target == LOG_TARGET_KMSG)
                log_to_kmsg(level, msg);
        else
                fprintf(stderr, "vfio-bind: %s\n", msg);
        return -error;
}
