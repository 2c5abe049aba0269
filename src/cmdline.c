/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <strings.h>
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
        /* The newline the file ends with is not the kernel's: an open quote would take it in. */
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The kernel splits its command line on its own isspace(): Latin-1's, with 0xa0 (no-break space). */
static bool kernel_isspace(char c)
{
        return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

/* Whether the n bytes at s are exactly word, letter case aside when icase. */
static bool span_is(const char *s, size_t n, const char *word, bool icase)
{
        return strlen(word) == n && !(icase ? strncasecmp(s, word, n) : memcmp(s, word, n));
}

/* 1 for true, 0 for false, -EINVAL for neither: the spellings of systemd's parse_boolean(). */
static int parse_boolean(const char *s, size_t n)
{
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (span_is(s, n, yes[i], true))
                        return 1;
                if (span_is(s, n, no[i], true))
                        return 0;
        }
        return -EINVAL;
}

/* One word of the command line as the kernel's next_arg() sees it: quotes taken off. */
struct word {
        const char *key, *value; /* value: NULL without '=' */
        size_t key_len, value_len;
};

/*
 * The next word at or after *p (advanced past it); false at the end. As next_arg() in the
 * kernel's lib/cmdline.c: a double quote anywhere toggles whether spaces end the word; the key
 * ends at the first '=' that is not the word's first byte; a value that starts with a quote
 * loses it and the word's last quote, else a word that starts with a quote loses both of its own.
 */
static bool next_word(const char **p, struct word *w)
{
        const char *s = *p;
        size_t end, equals = 0;
        bool quoted, in_quote, value_unquoted = false;

        while (kernel_isspace(*s))
                s++;
        if (!*s)
                return false;
        quoted = in_quote = *s == '"';
        s += quoted;
        for (end = 0; s[end] && (in_quote || !kernel_isspace(s[end])); end++) {
                if (equals == 0 && s[end] == '=')
                        equals = end;
                if (s[end] == '"')
                        in_quote = !in_quote;
        }
        *p = s + end;
        *w = (struct word){ .key = s, .key_len = equals ? equals : end };
        if (equals) {
                const char *value_end = s + end;

                w->value = s + equals + 1;
                if (w->value < value_end && *w->value == '"') {
                        w->value++;
                        if (s[end - 1] == '"') {
                                value_end--;
                                value_unquoted = true;
                        }
                }
                if (quoted && !value_unquoted && s[end - 1] == '"')
                        value_end--;
                w->value_len = value_end > w->value ? (size_t)(value_end - w->value) : 0;
        } else if (quoted && end > 0 && s[end - 1] == '"')
                w->key_len--;
        return true;
}

/* The kernel's parameq(): '-' and '_' are the same in a parameter's name. */
static bool key_is(const struct word *w, const char *key)
{
        if (strlen(key) != w->key_len)
                return false;
        for (size_t i = 0; i < w->key_len; i++) {
                char a = w->key[i] == '-' ? '_' : w->key[i], b = key[i] == '-' ? '_' : key[i];

                if (a != b)
                        return false;
        }
        return true;
}

bool cmdline_get(const char *text, const char *key, char *value, size_t size)
{
        struct word w;
        bool found = false;

        /* The last one wins, as when the kernel sets a parameter twice. */
        while (next_word(&text, &w))
                if (key_is(&w, key)) {
                        found = true;
                        if (size)
                                snprintf(value, size, "%.*s", w.value ? (int)w.value_len : 0,
                                         w.value ? w.value : "");
                }
        return found;
}

/* The text after prefix at the start of s, else NULL. */
static const char *after_prefix(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/*
 * One item: an address, a vendor:device ID, or one of the identities that survive renumbering
 * as "slot:NAME", "path:PATH", "serial:DSN" (the configuration's keys). -EINVAL when it is
 * none of these; a prefixed item that is malformed also says why in reason.
 */
static int parse_item(const char *item, struct config_entry *e, char *reason, size_t size)
{
        const char *v, *why;

        reason[0] = '\0';
        if ((v = after_prefix(item, "slot:"))) {
                if (!*v || strchr(v, '/') || strlen(v) >= sizeof(e->slot)) {
                        snprintf(reason, size, "invalid slot '%s': expected a name from "
                                 "/sys/bus/pci/slots", v);
                        return -EINVAL;
                }
                snprintf(e->slot, sizeof(e->slot), "%s", v);
                e->has_slot = true;
        } else if ((v = after_prefix(item, "path:"))) {
                if (pci_path_parse(v, e->path, sizeof(e->path), &why) < 0) {
                        snprintf(reason, size, "invalid path '%s': %s", v, why);
                        return -EINVAL;
                }
                e->has_path = true;
        } else if ((v = after_prefix(item, "serial:"))) {
                if (pci_serial_parse(v, &e->serial, &why) < 0) {
                        snprintf(reason, size, "invalid serial '%s': %s", v, why);
                        return -EINVAL;
                }
                e->has_serial = true;
        } else if (pci_address_parse(item, true, &e->address, &why) == 0)
                e->has_address = true;
        else if (pci_id_parse(item, &e->id, &why) == 0)
                e->has_id = true;
        else
                return -EINVAL;
        return 0;
}

/* The list of one rd.vfio-bind.devices= (at column 'column' of text) into c, or none of it. */
static int add_devices(const char *list, size_t len, unsigned column, struct config *c)
{
        char item[PCI_PATH_MAX + 8], reason[PCI_PATH_MAX + 256];
        const char *p = list, *end = list + len;
        size_t n_before = c->n_entries;
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

                n = comma ? (size_t)(comma - p) : n;
                if (n == 0 || n >= sizeof(item)) {
                        int shown = end - p < 20 ? (int)(end - p) : 20;

                        log_error("%s:1:%u: rd.vfio-bind.devices: %s item %s%.*s%s; ignoring the "
                                  "whole list", CMDLINE_PATH, column,
                                  n ? "an over-long" : "an empty", p < end ? "at '" : "at the end",
                                  shown, p, p < end ? "'" : "");
                        goto refuse;
                }
                memcpy(item, p, n);
                item[n] = '\0';
                r = parse_item(item, &e, reason, sizeof(reason));
                if (r < 0 && reason[0]) {
                        log_error("%s:1:%u: rd.vfio-bind.devices: %s; ignoring the whole list",
                                  CMDLINE_PATH, column, reason);
                        goto refuse;
                } else if (r < 0) {
                        log_error("%s:1:%u: rd.vfio-bind.devices: '%s' is not an address "
                                  "(0000:01:00.0), VENDOR:DEVICE (10de:2204), slot:NAME, "
                                  "path:PATH or serial:DSN; ignoring the whole list",
                                  CMDLINE_PATH, column, item);
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

/* Where in text a word's key starts, 1-based: the column the messages about it name. */
static unsigned column_of(const char *text, const struct word *w)
{
        return (unsigned)(w->key - text) + 1;
}

/* rd.vfio-bind=BOOL or vfio-bind=BOOL: true when it says off (or cannot be read, said so). */
static bool switch_says_off(const char *text, const struct word *w)
{
        int b;

        if (!w->value)
                return false; /* the bare word: on, as a boolean without a value is in systemd */
        b = parse_boolean(w->value, w->value_len);
        if (b >= 0)
                return b == 0;
        /* A rescue switch is typed at a boot prompt by someone in trouble: err on the host's side. */
        log_warning("%s:1:%u: %.*s='%.*s' is not a boolean (1/yes/y/true/t/on, "
                    "0/no/n/false/f/off); taking it as off: not binding anything", CMDLINE_PATH,
                    column_of(text, w), (int)w->key_len, w->key, (int)w->value_len, w->value);
        return true;
}

/* A word in our namespace that is none of ours: a typo that would otherwise do nothing, silently. */
static bool in_our_namespace(const struct word *w)
{
        return (w->key_len > 13 && !memcmp(w->key, "rd.vfio-bind.", 13)) ||
               (w->key_len > 10 && !memcmp(w->key, "vfio-bind.", 10));
}

int cmdline_parse(const char *text, bool *disabled, struct config *c)
{
        const char *p = text;
        struct word w;
        int r = 0;

        if (disabled)
                *disabled = false;
        while (next_word(&p, &w)) {

                if (span_is(w.key, w.key_len, "rd.vfio-bind", false) ||
                    span_is(w.key, w.key_len, "vfio-bind", false)) {
                        if (disabled && switch_says_off(text, &w))
                                *disabled = true;
                } else if (span_is(w.key, w.key_len, "rd.vfio-bind.devices", false)) {
                        int k;

                        if (!w.value) {
                                if (disabled)
                                        log_warning("%s:1:%u: rd.vfio-bind.devices without '=', "
                                                    "ignoring", CMDLINE_PATH, column_of(text, &w));
                                continue;
                        }
                        if (!c)
                                continue;
                        /* Each occurrence on its own: a refused list costs only its own items. */
                        k = add_devices(w.value, w.value_len, (unsigned)(w.value - text) + 1, c);
                        if (k == -ENOMEM)
                                return k;
                        if (k < 0)
                                r = k;
                } else if (disabled && in_our_namespace(&w))
                        log_warning("%s:1:%u: unknown option '%.*s%s%.*s', ignoring", CMDLINE_PATH,
                                    column_of(text, &w), (int)w.key_len, w.key, w.value ? "=" : "",
                                    (int)w.value_len, strempty(w.value));
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
