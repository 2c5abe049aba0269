/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>

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

int log_internal(int level, int error, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                return -error;

        errno = error; /* so that %m in fmt names this error */
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        errno = saved_errno;

        if (log_target == LOG_TARGET_KMSG)
                log_to_kmsg(level, msg);
        else
                fprintf(stderr, "vfio-bind: %s\n", msg);
        return -error;
}
