/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which vfio_pci aliases could match what an entry selects: modalias globs matched against a
 * partial modalias ('?' for what an id entry leaves open), without a module tree.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "resolve.h"

/*
 * How many characters of glob pattern p its first element takes, when that element can match
 * the query character c, else 0. A '?' in the query stands for any hex digit of a modalias
 * (upper case, as the kernel writes them). A bracket expression is tried with fnmatch against a
 * known character and taken to match an unknown one (this can only add a module, never miss
 * one); an unclosed '[' is a literal.
 */
static size_t glob_element_match(const char *p, char c)
{
        const char *end;
        char cls[ALIAS_PATTERN_MAX], one[2] = { c, '\0' };

        if (*p == '?')
                return 1;
        if (*p == '[') {
                end = p + 1;
                if (*end == '!' || *end == '^')
                        end++;
                if (*end == ']')
                        end++;
                end = strchr(end, ']');
                if (end && (size_t)(end - p + 1) < sizeof(cls)) {
                        memcpy(cls, p, end - p + 1);
                        cls[end - p + 1] = '\0';
                        return c == '?' || fnmatch(cls, one, 0) == 0 ? (size_t)(end - p + 1) : 0;
                }
        }
        if (c == '?')
                return (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F');
        return *p == c;
}

bool alias_can_match(const char *pattern, const char *query)
{
        const char *p = pattern, *q = query, *star_p = NULL, *star_q = NULL;
        size_t n;

        /* Glob matching with backtracking to the last '*' (enough: query has no '*'). */
        while (*q) {
                if (*p == '*') {
                        star_p = ++p;
                        star_q = q;
                        continue;
                }
                if (*p && (n = glob_element_match(p, *q)) > 0) {
                        p += n;
                        q++;
                        continue;
                }
                if (!star_p)
                        return false;
                p = star_p;
                q = ++star_q;
        }
        while (*p == '*')
                p++;
        return *p == '\0';
}

/* n hex digits of value, or n '?' when the entry does not give it. */
static void query_field(char *buf, size_t size, bool known, unsigned n, uint32_t value)
{
        size_t len = strlen(buf);

        if (known)
                snprintf(buf + len, size - len, "%0*X", (int)n, value);
        else
                snprintf(buf + len, size - len, "%.*s", (int)n, "????????");
}

int entry_modalias_query(const struct config_entry *e, char *buf, size_t size)
{
        bool prog_if = e->has_class && e->class_digits == 6;
        uint32_t class24 = prog_if ? e->class_code : e->class_code << 8;

        if (e->bus != BUS_PCI || !e->has_id)
                return -EINVAL;
        if (size < MODALIAS_QUERY_MAX)
                return -ENOBUFS;
        snprintf(buf, size, "vfio_pci:v");
        query_field(buf, size, true, 8, e->id.vendor);
        strcat(buf, "d");
        query_field(buf, size, true, 8, e->id.device);
        strcat(buf, "sv");
        query_field(buf, size, e->has_subsystem, 8, e->subsystem.vendor);
        strcat(buf, "sd");
        query_field(buf, size, e->has_subsystem, 8, e->subsystem.device);
        strcat(buf, "bc");
        query_field(buf, size, e->has_class, 2, class24 >> 16);
        strcat(buf, "sc");
        query_field(buf, size, e->has_class, 2, (class24 >> 8) & 0xff);
        strcat(buf, "i");
        query_field(buf, size, prog_if, 2, class24 & 0xff);
        return 0;
}
