/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"

int dynlib_open(const char *soname, const struct dynlib_symbol *symbols, size_t n_symbols,
                void *table, char *why, size_t why_size)
{
        void *dl;

        assert(soname && symbols && table && why);
        /* RTLD_NODELETE: the functions stay valid for the rest of the run. */
        dl = dlopen(soname, RTLD_NOW | RTLD_NODELETE);
        if (!dl) {
                snprintf(why, why_size, "%s", dlerror());
                return -EOPNOTSUPP;
        }
        for (size_t i = 0; i < n_symbols; i++) {
                void *f = dlsym(dl, symbols[i].name);

                if (!f) {
                        snprintf(why, why_size, "%s has no %s", soname, symbols[i].name);
                        dlclose(dl);
                        return -EOPNOTSUPP;
                }
                memcpy((char *)table + symbols[i].offset, &f, sizeof(f));
        }
        return 0;
}
