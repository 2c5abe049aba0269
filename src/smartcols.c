/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dynlib.h"
#include "log.h"
#include "macro.h"
#include "smartcols.h"

#define SMARTCOLS_SONAME "libsmartcols.so.1"

int smartcols_get(const struct smartcols **ret)
{
        static struct smartcols sc;
        static int state; /* 0 not tried, 1 loaded, < 0 the error */
        static const struct dynlib_symbol symbols[] = {
#define SYM(field, name) DYNLIB_SYMBOL(struct smartcols, field, name)
                SYM(new_table, scols_new_table),
                SYM(unref_table, scols_unref_table),
                SYM(table_new_column, scols_table_new_column),
                SYM(table_new_line, scols_table_new_line),
                SYM(line_set_data, scols_line_set_data),
                SYM(table_enable_raw, scols_table_enable_raw),
                SYM(table_enable_export, scols_table_enable_export),
                SYM(table_enable_noheadings, scols_table_enable_noheadings),
                SYM(table_set_stream, scols_table_set_stream),
                SYM(print_table, scols_print_table),
#undef SYM
        };
        char why[256];

        if (state == 0) {
                state = dynlib_open(SMARTCOLS_SONAME, symbols, ELEMENTSOF(symbols), &sc, why,
                                    sizeof(why));
                if (state < 0)
                        log_error("Tables need %s (util-linux), which cannot be loaded: %s; "
                                  "--json needs no library",
                                  SMARTCOLS_SONAME, why);
                else
                        state = 1;
        }
        if (state < 0)
                return state;
        *ret = &sc;
        return 0;
}
