/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Between the configuration's loader (config.c) and its entry parser (config-entry.c). */
#pragma once

#include <yaml.h>

#include "config.h"
#include "macro.h"

#define CONFIG_ERRORS_MAX 20

struct loader {
        struct config *config;
        const char *file;
        yaml_document_t doc;
        unsigned errors;
};

/* file:line:column: message (escaped by the logger); counts errors, prints the first few. */
void loader_error(struct loader *l, const yaml_mark_t *mark, const char *fmt, ...) _printf_(3, 4);
const char *node_type_name(const yaml_node_t *n);
/* The scalar's text, or NULL after logging why it is not a usable string. */
const char *scalar_text(struct loader *l, const yaml_node_t *n, const char *key);
/* One item of "devices:"; appends it to l->config when it is good. */
int parse_entry(struct loader *l, const yaml_node_t *n);
