/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsmartcols.h>

/* libsmartcols, opened on first use (dynlib.h): the early run (apply --boot, udev) prints no tables. */
struct smartcols {
        __typeof__(scols_new_table) *new_table;
        __typeof__(scols_unref_table) *unref_table;
        __typeof__(scols_table_new_column) *table_new_column;
        __typeof__(scols_table_new_line) *table_new_line;
        __typeof__(scols_line_set_data) *line_set_data;
        __typeof__(scols_table_enable_raw) *table_enable_raw;
        __typeof__(scols_table_enable_export) *table_enable_export;
        __typeof__(scols_table_enable_noheadings) *table_enable_noheadings;
        __typeof__(scols_table_set_stream) *table_set_stream;
        __typeof__(scols_print_table) *print_table;
};

/* The library's functions, resolved once; -EOPNOTSUPP (logged) when it cannot be opened. */
int smartcols_get(const struct smartcols **ret);
