/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "log.h"
#include "macro.h"
#include "table.h"

int table_init(struct table *t, size_t n_columns, const char *const *headers)
{
        *t = (struct table){ .n_columns = n_columns };
        return table_add_row(t, headers);
}

int table_add_row(struct table *t, const char *const *cells)
{
        char **row;

        if (t->n_rows % 32 == 0) {
                char ***grown = realloc(t->rows, (t->n_rows + 32) * sizeof(*grown));
                if (!grown)
                        return -ENOMEM;
                t->rows = grown;
        }
        row = calloc(t->n_columns, sizeof(char *));
        if (!row)
                return -ENOMEM;
        t->rows[t->n_rows++] = row;
        for (size_t c = 0; c < t->n_columns; c++) {
                /* cells name devices, drivers, files, mount points: all from outside */
                row[c] = escape_dup(cells[c] ? cells[c] : "-");
                if (!row[c])
                        return -ENOMEM;
        }
        return 0;
}

void table_print(const struct table *t, FILE *f)
{
        size_t width[16] = { 0 };

        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t c = 0; c < t->n_columns && c < ELEMENTSOF(width); c++)
                        if (strlen(t->rows[r][c]) > width[c])
                                width[c] = strlen(t->rows[r][c]);
        for (size_t r = 0; r < t->n_rows; r++) {
                for (size_t c = 0; c < t->n_columns; c++) {
                        bool last = c + 1 == t->n_columns;
                        fprintf(f, "%-*s%s", last ? 0 : (int)width[c], t->rows[r][c],
                                last ? "\n" : "  ");
                }
        }
}

void table_done(struct table *t)
{
        for (size_t r = 0; r < t->n_rows; r++) {
                for (size_t c = 0; c < t->n_columns; c++)
                        free(t->rows[r][c]);
                free(t->rows[r]);
        }
        free(t->rows);
        *t = (struct table){ 0 };
}
