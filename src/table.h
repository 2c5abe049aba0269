/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

/*
 * One row model for every verb that prints devices (util-linux's lsblk is the model): a row is a
 * JSON object whose keys are the verb's columns, every column present (null when it does not
 * apply). The same rows print as JSON (typed: numbers, booleans, arrays, null) or, through
 * libsmartcols, as a table, raw columns, or KEY="value" pairs. A column's -o name is its JSON
 * key; its header is the key in capitals.
 */
enum column_flag {
        COLUMN_DEFAULT = 1 << 0,    /* in the table when -o is not given */
        COLUMN_TABLE_ONLY = 1 << 1, /* for people (names, a summary): not in JSON */
        COLUMN_RIGHT = 1 << 2,      /* numbers */
        COLUMN_TRUNC = 1 << 3,      /* may be cut to fit the terminal */
};

struct column {
        const char *name;
        unsigned flags;
        const char *help;
};

enum output_mode {
        OUTPUT_TABLE,
        OUTPUT_RAW,   /* --raw: columns split by one space, no padding, blanks escaped */
        OUTPUT_PAIRS, /* --pairs: NAME="value" ... */
        OUTPUT_JSON,
};

struct output_options {
        enum output_mode mode;
        bool noheadings;
        const char *columns; /* -o LIST; "+LIST" adds to the default; NULL: the default */
};

#define OUTPUT_COLUMNS_MAX 64

struct column_set {
        size_t idx[OUTPUT_COLUMNS_MAX];
        size_t n;
};

/* The columns -o asks for (or the default ones); logs and returns -EINVAL for an unknown name. */
int columns_select(const struct column *cols, size_t n_cols, const char *list,
                   struct column_set *ret);
/*
 * Whether rows printed with -o list (NULL: none given), as JSON or not, show column name: so
 * that what no row shows need not be read. A list columns_select refuses shows nothing (the
 * verb's option parsing says why and stops first).
 */
bool columns_show(const struct column *cols, size_t n_cols, const char *list, bool json,
                  const char *name);
/* The "Columns:" part of a verb's --help. */
void columns_help(const struct column *cols, size_t n_cols, FILE *f);
/* A row's cell as text: null and "" are none, booleans yes/no, arrays joined with ','. */
void cell_text(struct json_object *v, const char *none, char *buf, size_t size);

/*
 * Prints rows (a JSON array of objects) as o->mode says, except JSON: a table, raw, or pairs.
 * -EOPNOTSUPP when libsmartcols cannot be loaded (logged).
 */
int table_print_rows(const struct column *cols, size_t n_cols, const struct output_options *o,
                     struct json_object *rows, FILE *f);
/*
 * For JSON: keeps in each row only the columns -o names (all when -o is not given), in that
 * order, never a table-only one.
 */
int rows_for_json(const struct column *cols, size_t n_cols, const char *list,
                  struct json_object *rows);
