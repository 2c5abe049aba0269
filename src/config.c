/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"
#include "log.h"

#define CONFIG_DEPTH_MAX 8
#define CONFIG_ERRORS_MAX 20

struct loader {
        struct config *config;
        const char *file;
        yaml_document_t doc;
        unsigned errors;
};

/* Zero-initialise the parser: error paths return before yaml_parser_initialize(). */
static void yaml_parser_deletep(yaml_parser_t *p)
{
        yaml_parser_delete(p);
}

_printf_(3, 4) static void loader_error(struct loader *l, const yaml_mark_t *mark,
                                        const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        l->errors++;
        if (l->errors > CONFIG_ERRORS_MAX)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s:%zu:%zu: %s", l->file, mark->line + 1, mark->column + 1, msg);
}

/*
 * A first pass over the event stream refuses what the document loader would accept but we do
 * not want: aliases (shared nodes), more than one document, deep nesting. The schema is two
 * levels deep, so anything deeper is an error anyway, and checking it here bounds the loader.
 */
static int precheck_events(struct loader *l, const char *data, size_t size)
{
        _cleanup_(yaml_parser_deletep) yaml_parser_t parser = { 0 };
        unsigned depth = 0, documents = 0;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)data, size);
        for (;;) {
                yaml_event_t event;
                yaml_event_type_t type;

                if (!yaml_parser_parse(&parser, &event)) {
                        loader_error(l, &parser.problem_mark, "invalid YAML: %s%s%s",
                                     parser.problem ? parser.problem : "syntax error",
                                     parser.context ? " " : "",
                                     parser.context ? parser.context : "");
                        return -EINVAL;
                }
                type = event.type;
                if (type == YAML_ALIAS_EVENT ||
                    (type == YAML_SCALAR_EVENT && event.data.scalar.anchor) ||
                    (type == YAML_MAPPING_START_EVENT && event.data.mapping_start.anchor) ||
                    (type == YAML_SEQUENCE_START_EVENT && event.data.sequence_start.anchor)) {
                        loader_error(l, &event.start_mark,
                                     "YAML anchors and aliases (&name, *name) are not supported; "
                                     "write each entry out");
                        yaml_event_delete(&event);
                        return -EINVAL;
                }
                if (type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
                        loader_error(l, &event.start_mark,
                                     "more than one YAML document; put one document per file");
                        yaml_event_delete(&event);
                        return -EINVAL;
                }
                if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
                        if (++depth > CONFIG_DEPTH_MAX) {
                                loader_error(l, &event.start_mark,
                                             "nesting deeper than %d levels; the configuration "
                                             "is a list of flat device entries",
                                             CONFIG_DEPTH_MAX);
                                yaml_event_delete(&event);
                                return -EINVAL;
                        }
                } else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT)
                        depth--;
                yaml_event_delete(&event);
                if (type == YAML_STREAM_END_EVENT)
                        return 0;
        }
}

static const char *node_type_name(const yaml_node_t *n)
{
        switch (n->type) {
        case YAML_SCALAR_NODE:
                return "a scalar";
        case YAML_SEQUENCE_NODE:
                return "a list";
        case YAML_MAPPING_NODE:
                return "a mapping";
        default:
                return "nothing";
        }
}

/* The scalar's text, or NULL after logging why it is not a usable string. */
static const char *scalar_text(struct loader *l, const yaml_node_t *n, const char *key)
{
        const char *s;

        if (n->type != YAML_SCALAR_NODE) {
                loader_error(l, &n->start_mark, "'%s' must be a string, not %s", key,
                             node_type_name(n));
                return NULL;
        }
        s = (const char *)n->data.scalar.value;
        if (strlen(s) != n->data.scalar.length) {
                loader_error(l, &n->start_mark, "'%s' contains a NUL byte", key);
                return NULL;
        }
        if (n->data.scalar.length == 0) {
                loader_error(l, &n->start_mark, "'%s' is empty", key);
                return NULL;
        }
        return s;
}

static bool key_seen(struct loader *l, const yaml_node_t *key, unsigned *seen, unsigned bit)
{
        if (*seen & bit) {
                loader_error(l, &key->start_mark, "'%s' given twice in the same entry",
                             (const char *)key->data.scalar.value);
                return true;
        }
        *seen |= bit;
        return false;
}

bool module_name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n >= MODULE_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
                        return false;
        return true;
}

static const char entry_keys[] = "address, id, subsystem, class, driver, group, force, sriov, bus, name, compatible";
static bool compatible_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n >= COMPATIBLE_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || strchr(",._+-", s[i])))
                        return false;
        return true;
}

static const char sriov_keys[] = "numvfs, replace, vfs";

/* A plain decimal number in [min, max]; NULL after logging why not. */
static bool scalar_uint(struct loader *l, const yaml_node_t *n, const char *key, unsigned min,
                        unsigned max, unsigned *ret)
{
        const char *s = scalar_text(l, n, key);
        unsigned long v = 0;

        if (!s)
                return false;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '9' || v > max) {
                        loader_error(l, &n->start_mark, "invalid %s '%s': expected a whole number "
                                     "from %u to %u", key, s, min, max);
                        return false;
                }
                v = v * 10 + (unsigned long)(*c - '0');
        }
        if (v < min || v > max) {
                loader_error(l, &n->start_mark, "invalid %s '%s': expected a whole number from %u "
                             "to %u", key, s, min, max);
                return false;
        }
        *ret = (unsigned)v;
        return true;
}

static void parse_sriov(struct loader *l, struct config_entry *e, const yaml_node_t *n)
{
        struct config_sriov *sr = &e->sriov;
        const yaml_node_t *vfs = NULL;
        unsigned seen = 0, errors_before = l->errors;

        sr->loc = (struct config_location){ l->file, (unsigned)n->start_mark.line + 1,
                                            (unsigned)n->start_mark.column + 1 };
        if (n->type != YAML_MAPPING_NODE) {
                loader_error(l, &n->start_mark, "'sriov' must be a mapping such as "
                             "'{numvfs: 4}', not %s", node_type_name(n));
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *key = yaml_document_get_node(&l->doc, p->key);
                yaml_node_t *value = yaml_document_get_node(&l->doc, p->value);
                const char *k, *s;

                if (key->type != YAML_SCALAR_NODE ||
                    strlen((const char *)key->data.scalar.value) != key->data.scalar.length) {
                        loader_error(l, &key->start_mark, "keys must be plain words; expected one "
                                     "of: %s", sriov_keys);
                        continue;
                }
                k = (const char *)key->data.scalar.value;
                if (streq(k, "numvfs")) {
                        if (key_seen(l, key, &seen, 1 << 0))
                                continue;
                        if (scalar_uint(l, value, "numvfs", 1, SRIOV_NUMVFS_MAX, &sr->numvfs))
                                sr->numvfs_loc = (struct config_location){
                                        l->file, (unsigned)value->start_mark.line + 1,
                                        (unsigned)value->start_mark.column + 1
                                };
                } else if (streq(k, "replace")) {
                        if (key_seen(l, key, &seen, 1 << 1) || !(s = scalar_text(l, value, k)))
                                continue;
                        if (streq(s, "true") || streq(s, "false"))
                                sr->replace = streq(s, "true");
                        else
                                loader_error(l, &value->start_mark,
                                             "invalid replace '%s': expected true or false", s);
                } else if (streq(k, "vfs")) {
                        if (key_seen(l, key, &seen, 1 << 2))
                                continue;
                        if (value->type != YAML_SEQUENCE_NODE) {
                                loader_error(l, &value->start_mark, "'vfs' must be a list of VF "
                                             "indexes such as [0, 1, 5], not %s",
                                             node_type_name(value));
                                continue;
                        }
                        vfs = value;
                } else
                        loader_error(l, &key->start_mark, "unknown key '%s' in 'sriov'; expected "
                                     "one of: %s", k, sriov_keys);
        }
        if (l->errors != errors_before)
                return;
        if (!(seen & 1)) {
                loader_error(l, &n->start_mark, "'sriov' needs 'numvfs': how many VFs to create");
                return;
        }
        if (vfs) {
                const yaml_node_item_t *start = vfs->data.sequence.items.start;
                const yaml_node_item_t *top = vfs->data.sequence.items.top;

                if (start == top) {
                        loader_error(l, &vfs->start_mark, "'vfs' is empty; leave it out to bind "
                                     "every VF");
                        return;
                }
                if (top - start > SRIOV_VFS_MAX) {
                        loader_error(l, &vfs->start_mark, "'vfs' lists more than %d indexes; "
                                     "leave it out to bind every VF", SRIOV_VFS_MAX);
                        return;
                }
                for (const yaml_node_item_t *i = start; i < top; i++) {
                        const yaml_node_t *item = yaml_document_get_node(&l->doc, *i);
                        unsigned idx;
                        bool dup = false;

                        if (!scalar_uint(l, item, "VF index", 0, SRIOV_NUMVFS_MAX - 1, &idx))
                                continue;
                        if (idx >= sr->numvfs) {
                                loader_error(l, &item->start_mark, "VF index %u is out of range: "
                                             "numvfs is %u, so indexes go from 0 to %u", idx,
                                             sr->numvfs, sr->numvfs - 1);
                                continue;
                        }
                        for (unsigned j = 0; j < sr->n_vfs; j++)
                                dup = dup || sr->vfs[j] == idx;
                        if (dup) {
                                loader_error(l, &item->start_mark, "VF index %u listed twice", idx);
                                continue;
                        }
                        sr->vfs[sr->n_vfs++] = (uint16_t)idx;
                }
                if (l->errors != errors_before)
                        return;
        }
        sr->set = true;
}

static void parse_entry_value(struct loader *l, struct config_entry *e, const yaml_node_t *key,
                              const yaml_node_t *value, unsigned *seen)
{
        const char *k = (const char *)key->data.scalar.value;
        const char *s, *why = NULL;

        if (streq(k, "bus")) {
                if (key_seen(l, key, seen, 1 << 8) || !(s = scalar_text(l, value, k)))
                        return;
                if (bus_from_name(s, &e->bus) < 0)
                        loader_error(l, &value->start_mark, "invalid bus '%s': expected one of: %s",
                                     s, bus_names());
        } else if (streq(k, "address") && e->bus == BUS_CDX) {
                if (key_seen(l, key, seen, 1 << 0) || !(s = scalar_text(l, value, k)))
                        return;
                if (cdx_name_valid(s, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid cdx address '%s': %s", s, why);
                else {
                        snprintf(e->name, sizeof(e->name), "%s", s);
                        e->has_name = true;
                }
        } else if (streq(k, "address")) {
                if (key_seen(l, key, seen, 1 << 0) || !(s = scalar_text(l, value, k)))
                        return;
                if (e->bus != BUS_PCI)
                        loader_error(l, &key->start_mark, "%s devices are selected by 'name'%s, "
                                     "not 'address'", bus_get(e->bus)->name,
                                     e->bus == BUS_PLATFORM ? " or 'compatible'" : "");
                else if (pci_address_parse(s, true, &e->address, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid address '%s': %s", s, why);
                else
                        e->has_address = true;
        } else if (streq(k, "name")) {
                if (key_seen(l, key, seen, 1 << 9) || !(s = scalar_text(l, value, k)))
                        return;
                if (e->bus != BUS_PLATFORM && e->bus != BUS_FSL_MC)
                        loader_error(l, &key->start_mark, "'name' selects platform and fsl-mc "
                                     "devices; add 'bus: platform' or 'bus: fsl-mc'%s",
                                     e->bus == BUS_CDX ? " (cdx devices: 'address')" : "");
                else if (bus_get(e->bus)->name_valid(s, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid %s device name '%s': %s",
                                     bus_get(e->bus)->name, s, why);
                else {
                        snprintf(e->name, sizeof(e->name), "%s", s);
                        e->has_name = true;
                }
        } else if (streq(k, "compatible")) {
                if (key_seen(l, key, seen, 1 << 10) || !(s = scalar_text(l, value, k)))
                        return;
                if (e->bus != BUS_PLATFORM)
                        loader_error(l, &key->start_mark, "'compatible' selects platform devices "
                                     "by their device tree node; add 'bus: platform'");
                else if (!compatible_is_valid(s))
                        loader_error(l, &value->start_mark, "invalid compatible '%s': expected a "
                                     "device tree compatible string such as 'snps,dwmac' "
                                     "(letters, digits, ',', '.', '_', '+', '-'; at most %d "
                                     "characters)", s, COMPATIBLE_MAX - 1);
                else {
                        snprintf(e->compatible, sizeof(e->compatible), "%s", s);
                        e->has_compatible = true;
                }
        } else if (streq(k, "id")) {
                if (key_seen(l, key, seen, 1 << 1) || !(s = scalar_text(l, value, k)))
                        return;
                if (pci_id_parse(s, &e->id, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid id '%s': %s", s, why);
                else
                        e->has_id = true;
        } else if (streq(k, "subsystem")) {
                if (key_seen(l, key, seen, 1 << 2) || !(s = scalar_text(l, value, k)))
                        return;
                if (pci_id_parse(s, &e->subsystem, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid subsystem '%s': %s", s, why);
                else
                        e->has_subsystem = true;
        } else if (streq(k, "class")) {
                if (key_seen(l, key, seen, 1 << 3) || !(s = scalar_text(l, value, k)))
                        return;
                if (pci_class_parse(s, &e->class_code, &e->class_digits, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid class '%s': %s", s, why);
                else
                        e->has_class = true;
        } else if (streq(k, "driver")) {
                if (key_seen(l, key, seen, 1 << 4) || !(s = scalar_text(l, value, k)))
                        return;
                if (!module_name_is_valid(s)) {
                        loader_error(l, &value->start_mark,
                                     "invalid driver '%s': expected a module name such as "
                                     "vfio_pci or mlx5_vfio_pci (letters, digits, '_' and '-', "
                                     "at most %d characters)",
                                     s, MODULE_NAME_MAX - 1);
                        return;
                }
                /* Module names compare with '-' and '_' folded, as kmod does. */
                for (size_t i = 0; s[i]; i++)
                        e->driver[i] = s[i] == '-' ? '_' : s[i];
                e->driver_loc = (struct config_location){ l->file, (unsigned)value->start_mark.line + 1,
                                                          (unsigned)value->start_mark.column + 1 };
        } else if (streq(k, "group")) {
                if (key_seen(l, key, seen, 1 << 5) || !(s = scalar_text(l, value, k)))
                        return;
                if (streq(s, "all"))
                        e->group = GROUP_ALL;
                else if (streq(s, "device"))
                        e->group = GROUP_DEVICE;
                else
                        loader_error(l, &value->start_mark,
                                     "invalid group '%s': expected 'device' (default) or 'all'", s);
        } else if (streq(k, "force")) {
                if (key_seen(l, key, seen, 1 << 6) || !(s = scalar_text(l, value, k)))
                        return;
                if (streq(s, "true"))
                        e->force = true;
                else if (streq(s, "false"))
                        e->force = false;
                else
                        loader_error(l, &value->start_mark,
                                     "invalid force '%s': expected true or false", s);
        } else if (streq(k, "sriov")) {
                if (!key_seen(l, key, seen, 1 << 7))
                        parse_sriov(l, e, value);
        } else
                loader_error(l, &key->start_mark, "unknown key '%s' in device entry; expected one of: %s",
                             k, entry_keys);
}

static int parse_entry(struct loader *l, const yaml_node_t *n)
{
        struct config *c = l->config;
        struct config_entry e = {
                .loc = { l->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1 },
        };
        unsigned seen = 0, errors_before = l->errors;
        int r;

        if (n->type != YAML_MAPPING_NODE) {
                loader_error(l, &n->start_mark,
                             "a device entry must be a mapping such as '- address: \"0000:01:00.0\"', "
                             "not %s",
                             node_type_name(n));
                return 0;
        }
        /* 'bus' first, wherever it is: it says what 'address' and 'name' mean. */
        for (int pass = 0; pass < 2; pass++)
                for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
                     p < n->data.mapping.pairs.top; p++) {
                        yaml_node_t *key = yaml_document_get_node(&l->doc, p->key);
                        yaml_node_t *value = yaml_document_get_node(&l->doc, p->value);
                        bool word = key->type == YAML_SCALAR_NODE &&
                                    strlen((const char *)key->data.scalar.value) ==
                                            key->data.scalar.length;

                        if (!word) {
                                if (pass == 1)
                                        loader_error(l, &key->start_mark, "keys must be plain "
                                                     "words; expected one of: %s", entry_keys);
                                continue;
                        }
                        if (streq((const char *)key->data.scalar.value, "bus") == (pass == 0))
                                parse_entry_value(l, &e, key, value, &seen);
                }
        if (l->errors != errors_before)
                return 0;
        if (e.bus != BUS_PCI) {
                const struct bus_ops *ops = bus_get(e.bus);

                if (e.has_id || e.has_subsystem || e.has_class || e.sriov.set) {
                        loader_error(l, &n->start_mark, "'id', 'subsystem', 'class' and 'sriov' "
                                     "are PCI keys; %s devices are selected by '%s'%s",
                                     ops->name, ops->name_key,
                                     e.bus == BUS_PLATFORM ? " or 'compatible'" : "");
                        return 0;
                }
                if (!e.has_name && !e.has_compatible) {
                        loader_error(l, &n->start_mark, "a %s entry needs '%s'%s, as in '%s: %s'",
                                     ops->name, ops->name_key,
                                     e.bus == BUS_PLATFORM ? " or 'compatible'" : "",
                                     ops->name_key, ops->name_example);
                        return 0;
                }
                if (!ops->vfio_aliases && !e.driver[0]) {
                        loader_error(l, &n->start_mark, "the %s bus has no vfio_ module aliases to "
                                     "choose a driver by; add 'driver: %s' (or another VFIO "
                                     "module for %s devices)", ops->name, ops->vfio_module,
                                     ops->name);
                        return 0;
                }
        } else if (!e.has_address && !e.has_id) {
                loader_error(l, &n->start_mark,
                             "a device entry needs 'address' or 'id' (or both) to select devices");
                return 0;
        }
        if ((e.has_subsystem || e.has_class) && !e.has_id) {
                loader_error(l, &n->start_mark,
                             "'subsystem' and 'class' narrow an 'id' selector; add 'id: VENDOR:DEVICE'");
                return 0;
        }
        r = config_append_entry(c, &e);
        if (r == -E2BIG)
                loader_error(l, &n->start_mark, "more than %d device entries", CONFIG_ENTRIES_MAX);
        return r;
}

int config_append_entry(struct config *c, const struct config_entry *e)
{
        if (c->n_entries >= CONFIG_ENTRIES_MAX)
                return -E2BIG;
        if (c->n_entries % 16 == 0) {
                struct config_entry *grown =
                        realloc(c->entries, (c->n_entries + 16) * sizeof(*c->entries));
                if (!grown)
                        return -ENOMEM;
                c->entries = grown;
        }
        c->entries[c->n_entries++] = *e;
        return 0;
}

static int parse_root(struct loader *l)
{
        yaml_node_t *root = yaml_document_get_root_node(&l->doc);
        const yaml_node_t *devices = NULL;
        yaml_mark_t start = { 0 };
        bool have_version = false;
        int r;

        if (!root) {
                loader_error(l, &start, "empty configuration; expected 'version: 1' and 'devices:'");
                return -EINVAL;
        }
        if (root->type != YAML_MAPPING_NODE) {
                loader_error(l, &root->start_mark,
                             "the configuration must be a mapping with 'version' and 'devices', not %s",
                             node_type_name(root));
                return -EINVAL;
        }
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
                yaml_node_t *key = yaml_document_get_node(&l->doc, p->key);
                yaml_node_t *value = yaml_document_get_node(&l->doc, p->value);
                /* A "\0" escape in a quoted key must not let "version\0x" pass as "version". */
                bool word = key->type == YAML_SCALAR_NODE &&
                            strlen((const char *)key->data.scalar.value) == key->data.scalar.length;
                const char *k = word ? (const char *)key->data.scalar.value : "";
                const char *s;

                if (streq(k, "version")) {
                        if (have_version) {
                                loader_error(l, &key->start_mark, "'version' given twice");
                                continue;
                        }
                        have_version = true;
                        s = scalar_text(l, value, "version");
                        if (s && !streq(s, "1"))
                                loader_error(l, &value->start_mark,
                                             "unsupported version '%s'; this vfio-bind reads version 1", s);
                } else if (streq(k, "devices")) {
                        if (devices) {
                                loader_error(l, &key->start_mark, "'devices' given twice");
                                continue;
                        }
                        devices = value;
                        if (value->type == YAML_SCALAR_NODE && value->data.scalar.length == 0)
                                continue; /* "devices:" with nothing after it: no devices */
                        if (value->type != YAML_SEQUENCE_NODE)
                                loader_error(l, &value->start_mark,
                                             "'devices' must be a list of entries, not %s",
                                             node_type_name(value));
                } else
                        loader_error(l, &key->start_mark,
                                     "unknown top-level key '%s'; expected 'version' or 'devices'",
                                     word ? k : "(not a word)");
        }
        if (!have_version)
                loader_error(l, &root->start_mark, "missing 'version: 1'");
        if (devices && devices->type == YAML_SEQUENCE_NODE)
                for (yaml_node_item_t *i = devices->data.sequence.items.start;
                     i < devices->data.sequence.items.top; i++) {
                        r = parse_entry(l, yaml_document_get_node(&l->doc, *i));
                        if (r < 0)
                                return r;
                }
        return l->errors ? -EINVAL : 0;
}

int config_add_source(struct config *c, const char *name, const char **ret)
{
        char **grown = realloc(c->files, (c->n_files + 1) * sizeof(char *));

        if (!grown)
                return -ENOMEM;
        c->files = grown;
        c->files[c->n_files] = strdup(name);
        if (!c->files[c->n_files])
                return -ENOMEM;
        *ret = c->files[c->n_files++];
        return 0;
}

int config_load_buffer(struct config *c, const char *name, const char *data, size_t size)
{
        _cleanup_(yaml_parser_deletep) yaml_parser_t parser = { 0 };
        struct loader l = { .config = c };
        size_t n_before = c->n_entries;
        int r;

        r = config_add_source(c, name, &l.file);
        if (r < 0)
                return r;
        if (memchr(data, '\0', size)) {
                yaml_mark_t mark = { 0 };
                const char *nul = memchr(data, '\0', size);
                for (const char *p = data; p < nul; p++) {
                        if (*p == '\n') {
                                mark.line++;
                                mark.column = 0;
                        } else
                                mark.column++;
                }
                loader_error(&l, &mark, "NUL byte in the file; it is not a text file");
                return -EINVAL;
        }
        r = precheck_events(&l, data, size);
        if (r < 0)
                return r;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)data, size);
        if (!yaml_parser_load(&parser, &l.doc)) {
                loader_error(&l, &parser.problem_mark, "invalid YAML: %s",
                             parser.problem ? parser.problem : "syntax error");
                return -EINVAL;
        }
        r = parse_root(&l);
        yaml_document_delete(&l.doc);
        if (r < 0)
                c->n_entries = n_before; /* nothing half-loaded */
        return r;
}

int config_load_file(struct config *c, const char *path, enum config_flags flags)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t size = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return log_error_errno(errno, "%s: cannot open configuration: %m", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "%s: cannot stat: %m", path);
        if (S_ISDIR(st.st_mode))
                return log_error_errno(EISDIR, "%s: is a directory, not a configuration file", path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EINVAL, "%s: not a regular file", path);
        if ((flags & CONFIG_STRICT_PERMISSIONS) &&
            ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))))
                return log_error_errno(EPERM,
                                       "%s: refusing a configuration owned by uid %u with mode %04o: "
                                       "it must be owned by root and not writable by group or others "
                                       "(chown root: and chmod go-w it)",
                                       path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        if (st.st_size > CONFIG_FILE_SIZE_MAX)
                return log_error_errno(EFBIG, "%s: %lld bytes; a configuration is at most %d bytes",
                                       path, (long long)st.st_size, CONFIG_FILE_SIZE_MAX);
        data = malloc((size_t)st.st_size + 1);
        if (!data)
                return log_error_errno(ENOMEM, "Out of memory");
        while (size < (size_t)st.st_size) {
                ssize_t n = read(fd, data + size, (size_t)st.st_size - size);
                if (n < 0)
                        return log_error_errno(errno, "%s: read failed: %m", path);
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        return config_load_buffer(c, path, data, size);
}

static int yaml_suffix_filter(const struct dirent *d)
{
        size_t n = strlen(d->d_name);

        return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".yaml");
}

int config_load_default(struct config *c, const char *main_path, const char *dropin_dir,
                        enum config_flags flags)
{
        struct dirent **names = NULL;
        int n, r = 0;

        if (access(main_path, F_OK) == 0) {
                r = config_load_file(c, main_path, flags);
                if (r < 0)
                        return r;
        } else if (errno != ENOENT)
                return log_error_errno(errno, "%s: %m", main_path);

        n = scandir(dropin_dir, &names, yaml_suffix_filter, alphasort);
        if (n < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "%s: cannot read drop-in directory: %m", dropin_dir);
        }
        for (int i = 0; i < n; i++) {
                char path[4096];

                if (r >= 0) {
                        if (snprintf(path, sizeof(path), "%s/%s", dropin_dir, names[i]->d_name) >=
                            (int)sizeof(path))
                                r = log_error_errno(ENAMETOOLONG, "%s/%s: path too long", dropin_dir,
                                                    names[i]->d_name);
                        else
                                r = config_load_file(c, path, flags);
                }
                free(names[i]);
        }
        free(names);
        return r;
}

unsigned config_bus_mask(const struct config *c)
{
        unsigned mask = 0;

        for (size_t i = 0; i < c->n_entries; i++)
                if (c->entries[i].bus != BUS_PCI)
                        mask |= 1u << c->entries[i].bus;
        return mask;
}

static bool same_selector(const struct config_entry *a, const struct config_entry *b)
{
        if (a->bus != b->bus || a->has_name != b->has_name ||
            a->has_compatible != b->has_compatible ||
            (a->has_name && !streq(a->name, b->name)) ||
            (a->has_compatible && !streq(a->compatible, b->compatible)))
                return false;
        if (a->has_address != b->has_address || a->has_id != b->has_id ||
            a->has_subsystem != b->has_subsystem || a->has_class != b->has_class)
                return false;
        /* Not memcmp: struct pci_address has a padding byte. */
        if (a->has_address && pci_address_compare(&a->address, &b->address) != 0)
                return false;
        if (a->has_id && memcmp(&a->id, &b->id, sizeof(a->id)) != 0)
                return false;
        if (a->has_subsystem && memcmp(&a->subsystem, &b->subsystem, sizeof(a->subsystem)) != 0)
                return false;
        if (a->has_class && (a->class_code != b->class_code || a->class_digits != b->class_digits))
                return false;
        return true;
}

int config_check(const struct config *c)
{
        int r = 0;

        for (size_t i = 0; i < c->n_entries; i++)
                for (size_t j = 0; j < i; j++) {
                        const struct config_entry *a = &c->entries[j], *b = &c->entries[i];
                        char what[128];

                        if (!same_selector(a, b))
                                continue;
                        config_entry_describe(b, what, sizeof(what));
                        if (!streq(a->driver, b->driver))
                                log_error("%s:%u:%u: %s contradicts %s:%u:%u: drivers '%s' and '%s'",
                                          b->loc.file, b->loc.line, b->loc.column, what, a->loc.file,
                                          a->loc.line, a->loc.column,
                                          *a->driver ? a->driver : "(resolved)",
                                          *b->driver ? b->driver : "(resolved)");
                        else
                                log_error("%s:%u:%u: duplicate entry for %s, first at %s:%u:%u",
                                          b->loc.file, b->loc.line, b->loc.column, what, a->loc.file,
                                          a->loc.line, a->loc.column);
                        r = -EINVAL;
                        break;
                }
        return r;
}

void config_entry_describe(const struct config_entry *e, char *buf, size_t size)
{
        char addr[PCI_ADDRESS_MAX];
        size_t n = 0;

        buf[0] = '\0';
        if (e->bus != BUS_PCI) {
                const struct bus_ops *ops = bus_get(e->bus);

                if (e->has_name)
                        n += (size_t)snprintf(buf, size, "%s %s %s", ops->name, ops->name_key,
                                              e->name);
                if (e->has_compatible && n < size)
                        snprintf(buf + n, size - n, "%s%s compatible %s", n ? " " : "",
                                 n ? "" : ops->name, e->compatible);
                return;
        }
        if (e->has_address) {
                pci_address_format(&e->address, addr);
                n += (size_t)snprintf(buf + n, size - n, "address %s", addr);
        }
        if (e->has_id && n < size)
                n += (size_t)snprintf(buf + n, size - n, "%sid %04x:%04x", n ? " " : "", e->id.vendor,
                                      e->id.device);
        if (e->has_subsystem && n < size)
                n += (size_t)snprintf(buf + n, size - n, " subsystem %04x:%04x", e->subsystem.vendor,
                                      e->subsystem.device);
        if (e->has_class && n < size)
                snprintf(buf + n, size - n, " class %0*x", (int)e->class_digits, e->class_code);
}

void config_done(struct config *c)
{
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i]);
        free(c->files);
        free(c->entries);
        *c = (struct config){ 0 };
}
