/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>

#include "log.h"
#include "macro.h"
#include "smartcols.h"
#include "table.h"

static int column_find(const struct column *cols, size_t n_cols, const char *name, size_t len)
{
        for (size_t i = 0; i < n_cols; i++)
                if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, name, len) == 0)
                        return (int)i;
        return -ENOENT;
}

/*
 * The columns list names, as indexes into cols; no list or "+LIST" puts the default ones first.
 * Logs nothing: returns -ENOENT with *bad at an unknown name (*bad_len its length), -E2BIG for
 * more than OUTPUT_COLUMNS_MAX, -ENODATA for none at all.
 */
static int columns_parse(const struct column *cols, size_t n_cols, const char *list,
                         struct column_set *ret, const char **bad, size_t *bad_len)
{
        struct column_set set = { 0 };
        const char *p = list;

        if (!list || *list == '+') {
                for (size_t i = 0; i < n_cols && set.n < OUTPUT_COLUMNS_MAX; i++)
                        if (cols[i].flags & COLUMN_DEFAULT)
                                set.idx[set.n++] = i;
                p = list ? list + 1 : NULL;
        }
        while (p && *p) {
                size_t len = strcspn(p, ",");
                int c = column_find(cols, n_cols, p, len);

                if (c < 0) {
                        *bad = p;
                        *bad_len = len;
                        return -ENOENT;
                }
                if (set.n >= OUTPUT_COLUMNS_MAX)
                        return -E2BIG;
                set.idx[set.n++] = (size_t)c;
                p += len;
                p += *p == ',';
        }
        if (set.n == 0)
                return -ENODATA;
        *ret = set;
        return 0;
}

int columns_select(const struct column *cols, size_t n_cols, const char *list,
                   struct column_set *ret)
{
        const char *bad = NULL;
        size_t bad_len = 0;
        int r;

        assert(cols);
        assert(ret);

        r = columns_parse(cols, n_cols, list, ret, &bad, &bad_len);
        if (r == -ENOENT)
                log_error("unknown column '%.*s' (see --help for the list)", (int)bad_len, bad);
        else if (r == -E2BIG)
                log_error("too many columns (at most %d)", OUTPUT_COLUMNS_MAX);
        else if (r == -ENODATA)
                log_error("no columns given to -o");
        return r < 0 ? -EINVAL : 0;
}

bool columns_show(const struct column *cols, size_t n_cols, const char *list, bool json,
                  const char *name)
{
        struct column_set set;
        const char *bad;
        size_t bad_len;
        int c;

        assert(cols);
        assert(name);

        c = column_find(cols, n_cols, name, strlen(name));
        if (c < 0)
                return false;
        if (!list && json)
                return !(cols[c].flags & COLUMN_TABLE_ONLY);
        if (columns_parse(cols, n_cols, list, &set, &bad, &bad_len) < 0)
                return false;
        for (size_t i = 0; i < set.n; i++)
                if (set.idx[i] == (size_t)c)
                        return true;
        return false;
}

void columns_help(const struct column *cols, size_t n_cols, FILE *f)
{
        fprintf(f, "\nColumns (-o NAME,...; -o +NAME,... adds to the default, marked *):\n");
        for (size_t i = 0; i < n_cols; i++)
                fprintf(f, " %c%-16s %s%s\n", cols[i].flags & COLUMN_DEFAULT ? '*' : ' ',
                        cols[i].name, cols[i].help,
                        cols[i].flags & COLUMN_TABLE_ONLY ? " (not in JSON)" : "");
}

void cell_text(struct json_object *v, const char *none, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        switch (json_object_get_type(v)) {
        case json_type_null:
                break;
        case json_type_boolean:
                snprintf(buf, size, "%s", json_object_get_boolean(v) ? "yes" : "no");
                break;
        case json_type_int:
                snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
                break;
        case json_type_array:
                for (size_t i = 0; i < json_object_array_length(v) && n < size; i++) {
                        char item[256];

                        cell_text(json_object_array_get_idx(v, i), "", item, sizeof(item));
                        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", item);
                }
                break;
        default:
                snprintf(buf, size, "%s", json_object_get_string(v));
                break;
        }
        if (!buf[0])
                snprintf(buf, size, "%s", none);
}

static void header_of(const char *name, char *buf, size_t size)
{
        size_t i;

        for (i = 0; name[i] && i + 1 < size; i++)
                buf[i] = (char)toupper((unsigned char)name[i]);
        buf[i] = '\0';
}

int table_print_rows(const struct column *cols, size_t n_cols, const struct output_options *o,
                     struct json_object *rows, FILE *f)
{
        const struct smartcols *sc;
        struct libscols_table *tb;
        struct column_set set;
        int r;

        r = columns_select(cols, n_cols, o->columns, &set);
        if (r < 0)
                return r;
        r = smartcols_get(&sc);
        if (r < 0)
                return r;
        tb = sc->new_table();
        if (!tb)
                return log_error_errno(ENOMEM, "Out of memory");
        sc->table_set_stream(tb, f);
        sc->table_enable_raw(tb, o->mode == OUTPUT_RAW);
        sc->table_enable_export(tb, o->mode == OUTPUT_PAIRS);
        sc->table_enable_noheadings(tb, o->noheadings);
        for (size_t c = 0; c < set.n && r >= 0; c++) {
                const struct column *col = &cols[set.idx[c]];
                char header[64];
                int flags = 0;

                header_of(col->name, header, sizeof(header));
                flags |= col->flags & COLUMN_RIGHT ? SCOLS_FL_RIGHT : 0;
                flags |= col->flags & COLUMN_TRUNC ? SCOLS_FL_TRUNC : 0;
                if (!sc->table_new_column(tb, header, 0, flags))
                        r = -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < json_object_array_length(rows); i++) {
                struct json_object *row = json_object_array_get_idx(rows, i);
                struct libscols_line *ln = sc->table_new_line(tb, NULL);

                for (size_t c = 0; ln && r >= 0 && c < set.n; c++) {
                        struct json_object *v = NULL;
                        _cleanup_free_ char *text = NULL;
                        char buf[1024];

                        json_object_object_get_ex(row, cols[set.idx[c]].name, &v);
                        /* Pairs say nothing as "", as lsblk does; columns need a placeholder. */
                        cell_text(v, o->mode == OUTPUT_PAIRS ? "" : "-", buf, sizeof(buf));
                        /*
                         * Cells name devices, drivers, files, mount points: all from outside.
                         * libsmartcols escapes control bytes (\x1b) in every mode, as lsblk's
                         * output does; raw and pairs also blanks and quotes.
                         */
                        text = strdup(buf);
                        if (!text || sc->line_set_data(ln, c, text) < 0)
                                r = -ENOMEM;
                }
                if (!ln)
                        r = -ENOMEM;
        }
        if (r >= 0 && sc->print_table(tb) < 0)
                r = -EIO;
        sc->unref_table(tb);
        return r == -ENOMEM ? log_error_errno(r, "Out of memory") : r;
}

int rows_for_json(const struct column *cols, size_t n_cols, const char *list,
                  struct json_object *rows)
{
        struct column_set set = { 0 };
        int r;

        if (list) {
                r = columns_select(cols, n_cols, list, &set);
                if (r < 0)
                        return r;
        } else
                for (size_t i = 0; i < n_cols && set.n < OUTPUT_COLUMNS_MAX; i++)
                        set.idx[set.n++] = i;
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
                struct json_object *row = json_object_array_get_idx(rows, i);
                struct json_object *kept = json_object_new_object();

                if (!kept)
                        return log_error_errno(ENOMEM, "Out of memory");
                for (size_t c = 0; c < set.n; c++) {
                        struct json_object *v = NULL;
                        const char *key = cols[set.idx[c]].name;

                        /* A table's column alone, even named by -o: the schema has no such key. */
                        if (cols[set.idx[c]].flags & COLUMN_TABLE_ONLY)
                                continue;
                        json_object_object_get_ex(row, key, &v);
                        json_object_object_add(kept, key, json_object_get(v));
                }
                json_object_array_put_idx(rows, i, kept);
        }
        return 0;
}
