/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * Optional libraries opened with dlopen() on first use, as systemd opens its own, so that the
 * binary does not need them: the initramfs hooks copy it with its ELF dependencies only, and the
 * early run needs neither tables (libsmartcols) nor libmount.
 */

/* A function of the library and where its pointer goes in the caller's table of them. */
struct dynlib_symbol {
        const char *name;
        size_t offset;
};

#define DYNLIB_SYMBOL(type, field, name) { #name, offsetof(type, field) }

/*
 * Opens soname and stores each symbol's address at its offset in table. 0, or -EOPNOTSUPP with
 * dlerror()'s text in why (the library missing, or a function missing from it).
 */
int dynlib_open(const char *soname, const struct dynlib_symbol *symbols, size_t n_symbols,
                void *table, char *why, size_t why_size);
