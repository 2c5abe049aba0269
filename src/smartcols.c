/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <stddef.h>

#include "log.h"
#include "macro.h"
#include "smartcols.h"

#define SMARTCOLS_SONAME "libsmartcols.so.1"

int smartcols_get(const struct smartcols **ret)
{
        static struct smartcols sc;
        static int state; /* 0 not tried, 1 loaded, < 0 the error */
        static const struct {
                const char *name;
                size_t offset;
        } symbols[] = {
#define SYM(field, name) { #name, offsetof(struct smartcols, field) }
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
        void *dl;

        if (state == 0) {
                dl = dlopen(SMARTCOLS_SONAME, RTLD_NOW | RTLD_NODELETE);
                state = 1;
                for (size_t i = 0; dl && i < ELEMENTSOF(symbols); i++) {
                        void *f = dlsym(dl, symbols[i].name);

                        if (!f) {
                                log_error("%s has no %s: %s", SMARTCOLS_SONAME, symbols[i].name,
                                          dlerror());
                                state = -EOPNOTSUPP;
                                break;
                        }
                        memcpy((char *)&sc + symbols[i].offset, &f, sizeof(f));
                }
                if (!dl) {
                        log_error("Tables need %s (util-linux), which cannot be loaded: %s; "
                                  "--json needs no library",
                                  SMARTCOLS_SONAME, dlerror());
                        state = -EOPNOTSUPP;
                }
                if (dl && state < 0)
                        dlclose(dl);
        }
        if (state < 0)
                return state;
        *ret = &sc;
        return 0;
}
