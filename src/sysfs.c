/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>

#include "macro.h"
#include "sysfs.h"

int path_join(char *buf, size_t size, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        if ((size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

int sysfs_read_at(int dirfd, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (size < 2)
                return -EINVAL;
        buf[0] = '\0'; /* callers that go on after an error read an empty value, not garbage */
        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, size);
        if (n < 0)
                return negative_errno();
        if ((size_t)n >= size || memchr(buf, '\0', (size_t)n) != NULL) {
                /* Too long, or an embedded NUL: not a text attribute. */
                buf[0] = '\0';
                return (size_t)n >= size ? -E2BIG : -EBADMSG;
        }
        buf[n] = '\0';
        if (n > 0 && buf[n - 1] == '\n')
                buf[n - 1] = '\0';
        return 0;
}

int sysfs_read(const char *path, char *buf, size_t size)
{
        return sysfs_read_at(AT_FDCWD, path, buf, size);
}

int sysfs_read_link_name_at(int dirfd, const char *path, char *buf, size_t size)
{
        char target[SYSFS_VALUE_MAX];
        const char *base;
        ssize_t n;

        n = readlinkat(dirfd, path, target, sizeof(target) - 1);
        if (n < 0)
                return negative_errno();
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        /* "drivers/.." or "drivers/" name no driver, and would lead paths astray. */
        if (*base == '\0' || streq(base, ".") || streq(base, ".."))
                return -EBADMSG;
        if (strlen(base) >= size)
                return -E2BIG;
        strcpy(buf, base);
        return 0;
}

int sysfs_read_link_name(const char *path, char *buf, size_t size)
{
        return sysfs_read_link_name_at(AT_FDCWD, path, buf, size);
}
