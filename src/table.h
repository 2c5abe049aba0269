/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* Left-aligned text columns, widths from the content; the last column is not padded. */
struct table {
        size_t n_columns;
        char ***rows; /* rows[0] is the header */
        size_t n_rows;
};

int table_init(struct table *t, size_t n_columns, const char *const *headers);
int table_add_row(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);
void table_done(struct table *t);
