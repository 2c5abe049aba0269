/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "macro.h"

/*
 * COMMAND_LINE_SIZE is 2048 on x86 but up to 4096 or more elsewhere, and bootconfig appends to
 * it: read it whole, whatever its length, so that the rescue switch at its end is never lost.
 */
#define CMDLINE_READ_MAX (1024 * 1024)

/* The whole of /proc/cmdline, NUL-terminated, in *ret (free it). */
static int cmdline_read(char **ret)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 4096, len = 0;

        fd = open(CMDLINE_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n;

                if (len + 1 >= size) {
                        char *bigger;

                        if (size >= CMDLINE_READ_MAX)
                                return -E2BIG;
                        bigger = realloc(buf, size * 2);
                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                        size *= 2;
                }
                n = read(fd, buf + len, size - len - 1);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Whether the n bytes at s are exactly word. */
static bool span_is(const char *s, size_t n, const char *word)
{
        return strlen(word) == n && !memcmp(s, word, n);
}

static int add_devices(const char *list, size_t len, struct config *c)
{
        char item[64];
        const char *p = list, *end = list + len;
        size_t n_before = c->n_entries;
        unsigned column = 1;
        const char *source;
        int r;

        r = config_add_source(c, CMDLINE_PATH, &source);
        if (r < 0)
                return r;
        /* Each item up to a ',' or the end, which an empty list or a trailing ',' leave empty. */
        for (;;) {
                size_t n = (size_t)(end - p);
                const char *comma = memchr(p, ',', n);
                struct config_entry e = { .loc = { source, 1, column } };
                const char *why;

                n = comma ? (size_t)(comma - p) : n;
                if (n == 0 || n >= sizeof(item)) {
                        int shown = end - p < 20 ? (int)(end - p) : 20;

                        log_error("%s: rd.vfio-bind.devices: %s item %s%.*s%s; ignoring the "
                                  "whole list", CMDLINE_PATH, n ? "an over-long" : "an empty",
                                  p < end ? "at '" : "at the end", shown, p,
                                  p < end ? "'" : "");
                        goto refuse;
                }
                memcpy(item, p, n);
                item[n] = '\0';
                if (pci_address_parse(item, true, &e.address, &why) == 0)
                        e.has_address = true;
                else if (pci_id_parse(item, &e.id, &why) == 0)
                        e.has_id = true;
                else {
                        log_error("%s: rd.vfio-bind.devices: '%s' is neither an address "
                                  "(0000:01:00.0) nor VENDOR:DEVICE (10de:2204); ignoring the whole list",
                                  CMDLINE_PATH, item);
                        goto refuse;
                }
                r = config_append_entry(c, &e);
                if (r < 0)
                        return r;
                if (!comma)
                        return 0;
                p = comma + 1;
                column += (unsigned)n + 1;
        }
refuse:
        c->n_entries = n_before;
        return -EINVAL;
}

int cmdline_parse(const char *text, bool *disabled, struct config *c)
{
        static const char devices[] = "rd.vfio-bind.devices=";
        const char *p = text;
        int r = 0;

        *disabled = false;
        for (;;) {
                size_t n;

                p += strspn(p, " \t\n");
                n = strcspn(p, " \t\n");
                if (n == 0)
                        break;
                if (span_is(p, n, "rd.vfio-bind=0") || span_is(p, n, "vfio-bind=0"))
                        *disabled = true;
                else if (n >= sizeof(devices) - 1 && !memcmp(p, devices, sizeof(devices) - 1) &&
                         c && r == 0)
                        r = add_devices(p + sizeof(devices) - 1, n - (sizeof(devices) - 1), c);
                p += n;
        }
        return r;
}

void cmdline_load(char **ret, bool *disabled)
{
        int r;

        *ret = NULL;
        r = cmdline_read(ret);

        if (r < 0)
                log_warning_errno(r, "Cannot read %s, ignoring: %m", CMDLINE_PATH);
        (void)cmdline_parse(*ret ? *ret : "", disabled, NULL);
}
