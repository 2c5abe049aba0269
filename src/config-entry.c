/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device entries of the configuration: each key, its value and the checks between keys. */
#include <stdarg.h>
#include <yaml.h>

#include "bus.h"
#include "config-loader.h"
#include "log.h"

const char *node_type_name(const yaml_node_t *n)
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

const char *scalar_text(struct loader *l, const yaml_node_t *n, const char *key)
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

/* where: the mapping that holds key, as the error names it. */
static bool key_seen_in(struct loader *l, const yaml_node_t *key, unsigned *seen, unsigned bit,
                        const char *where)
{
        if (*seen & bit) {
                loader_error(l, &key->start_mark, "'%s' given twice in the same %s",
                             (const char *)key->data.scalar.value, where);
                return true;
        }
        *seen |= bit;
        return false;
}

static bool key_seen(struct loader *l, const yaml_node_t *key, unsigned *seen, unsigned bit)
{
        return key_seen_in(l, key, seen, bit, "entry");
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

static const char entry_keys[] = "address, id, subsystem, class, driver, group, force, optional, sriov, bus, name, compatible, slot, path, serial, functions, reset_method, fallback";
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

/* YAML's true or false, no other spelling (a typo must not flip a switch); false after logging. */
static bool scalar_bool(struct loader *l, const yaml_node_t *n, const char *key, bool *ret)
{
        const char *s = scalar_text(l, n, key);

        if (!s)
                return false;
        if (!streq(s, "true") && !streq(s, "false")) {
                loader_error(l, &n->start_mark, "invalid %s '%s': expected true or false", key, s);
                return false;
        }
        *ret = streq(s, "true");
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
                const char *k;

                if (key->type != YAML_SCALAR_NODE ||
                    strlen((const char *)key->data.scalar.value) != key->data.scalar.length) {
                        loader_error(l, &key->start_mark, "keys must be plain words; expected one "
                                     "of: %s", sriov_keys);
                        continue;
                }
                k = (const char *)key->data.scalar.value;
                if (streq(k, "numvfs")) {
                        if (key_seen_in(l, key, &seen, 1 << 0, "'sriov'"))
                                continue;
                        if (scalar_uint(l, value, "numvfs", 1, SRIOV_NUMVFS_MAX, &sr->numvfs))
                                sr->numvfs_loc = (struct config_location){
                                        l->file, (unsigned)value->start_mark.line + 1,
                                        (unsigned)value->start_mark.column + 1
                                };
                } else if (streq(k, "replace")) {
                        if (!key_seen_in(l, key, &seen, 1 << 1, "'sriov'"))
                                (void)scalar_bool(l, value, k, &sr->replace);
                } else if (streq(k, "vfs")) {
                        if (key_seen_in(l, key, &seen, 1 << 2, "'sriov'"))
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

/* The PCI selectors that survive renumbering, and 'functions'; seen bits 20 and up. */
static void parse_identity(struct loader *l, struct config_entry *e, const yaml_node_t *key,
                           const yaml_node_t *value, unsigned *seen)
{
        const char *k = (const char *)key->data.scalar.value;
        const char *s, *why = NULL;

        if (key_seen(l, key, seen, streq(k, "slot") ? 1u << 20 : streq(k, "path") ? 1u << 21
                                   : streq(k, "serial") ? 1u << 22 : 1u << 23) ||
            !(s = scalar_text(l, value, k)))
                return;
        if (e->bus != BUS_PCI)
                loader_error(l, &key->start_mark, "'%s' is a PCI key; %s devices are selected by "
                             "'%s'", k, bus_get(e->bus)->name, bus_get(e->bus)->name_key);
        else if (streq(k, "slot")) {
                if (strlen(s) >= sizeof(e->slot) || strchr(s, '/'))
                        loader_error(l, &value->start_mark, "invalid slot '%s': expected a name "
                                     "from /sys/bus/pci/slots (no '/', at most %d characters)",
                                     s, PCI_SLOT_NAME_MAX - 1);
                else {
                        snprintf(e->slot, sizeof(e->slot), "%s", s);
                        e->has_slot = true;
                }
        } else if (streq(k, "path")) {
                if (pci_path_parse(s, e->path, sizeof(e->path), &why) < 0)
                        loader_error(l, &value->start_mark, "invalid path '%s': %s", s, why);
                else
                        e->has_path = true;
        } else if (streq(k, "serial")) {
                if (pci_serial_parse(s, &e->serial, &why) < 0)
                        loader_error(l, &value->start_mark, "invalid serial '%s': %s", s, why);
                else
                        e->has_serial = true;
        } else if (streq(s, "all") || streq(s, "device"))
                e->all_functions = streq(s, "all");
        else
                loader_error(l, &value->start_mark, "invalid functions '%s': expected 'device' "
                             "(default) or 'all' (every function of the card)", s);
}

/* The methods of drivers/pci/pci.c's pci_reset_fn_methods, as reset_method_store takes them. */
static const char *const reset_methods[] = { "device_specific", "acpi", "flr", "af_flr", "pm",
                                             "bus", "cxl_bus" };

static bool reset_method_known(const char *m)
{
        for (size_t i = 0; i < ELEMENTSOF(reset_methods); i++)
                if (streq(reset_methods[i], m))
                        return true;
        return false;
}

/* A method, or several space-separated as the kernel takes them, appended to e->reset_method. */
static bool add_reset_method(struct loader *l, struct config_entry *e, const yaml_node_t *item,
                             bool in_list)
{
        /* A list is allowed, so a list's item that is not text is what the error names. */
        const char *text = scalar_text(l, item, in_list ? "reset_method item" : "reset_method");
        char m[32];
        size_t n;

        if (!text)
                return false;
        for (const char *p = text; (n = word_next(&p, m, sizeof(m))) > 0;) {
                size_t len = strlen(e->reset_method);

                if (n >= sizeof(m) || !reset_method_known(m)) {
                        loader_error(l, &item->start_mark, "invalid reset_method '%s': expected "
                                     "device_specific, acpi, flr, af_flr, pm, bus or cxl_bus, or "
                                     "several of them such as [flr, bus]", text);
                        return false;
                }
                if (word_listed(e->reset_method, m)) {
                        loader_error(l, &item->start_mark, "reset_method '%s' listed twice", m);
                        return false;
                }
                snprintf(e->reset_method + len, sizeof(e->reset_method) - len, "%s%s",
                         len ? " " : "", m);
        }
        return true;
}

/* One method, or a list in the order the kernel is to try them. */
static void parse_reset_method(struct loader *l, struct config_entry *e, const yaml_node_t *n)
{
        if (n->type == YAML_SEQUENCE_NODE) {
                const yaml_node_item_t *start = n->data.sequence.items.start;

                if (start == n->data.sequence.items.top) {
                        loader_error(l, &n->start_mark, "'reset_method' is empty; leave it out "
                                     "to keep the device's own");
                        return;
                }
                for (const yaml_node_item_t *i = start; i < n->data.sequence.items.top; i++)
                        if (!add_reset_method(l, e, yaml_document_get_node(&l->doc, *i), true))
                                return;
        } else if (!add_reset_method(l, e, n, false))
                return;
        if (!e->reset_method[0]) {
                loader_error(l, &n->start_mark, "'reset_method' is empty; leave it out to keep the "
                             "device's own");
                return;
        }
        e->reset_method_loc = (struct config_location){ l->file, (unsigned)n->start_mark.line + 1,
                                                        (unsigned)n->start_mark.column + 1 };
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
        } else if (streq(k, "slot") || streq(k, "path") || streq(k, "serial") ||
                   streq(k, "functions")) {
                parse_identity(l, e, key, value, seen);
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
                /* The host has the final word (resolve.c); this is what the file alone shows. */
                if (!strstr(e->driver, "vfio")) {
                        loader_error(l, &value->start_mark,
                                     "driver '%s' is not a VFIO driver: 'driver' names the VFIO "
                                     "module to bind with, and every VFIO driver's module name "
                                     "contains 'vfio' (vfio_pci, mlx5_vfio_pci, vfio_platform, "
                                     "vfio_fsl_mc, vfio_cdx ...); leave it out to resolve one",
                                     s);
                        e->driver[0] = '\0';
                        return;
                }
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
                if (!key_seen(l, key, seen, 1 << 6))
                        (void)scalar_bool(l, value, k, &e->force);
        } else if (streq(k, "optional")) {
                if (!key_seen(l, key, seen, 1 << 11))
                        (void)scalar_bool(l, value, k, &e->optional);
        } else if (streq(k, "sriov")) {
                if (!key_seen(l, key, seen, 1 << 7))
                        parse_sriov(l, e, value);
        } else if (streq(k, "reset_method")) {
                if (!key_seen(l, key, seen, 1u << 24))
                        parse_reset_method(l, e, value);
        } else if (streq(k, "fallback")) {
                if (key_seen(l, key, seen, 1u << 25) || !(s = scalar_text(l, value, k)))
                        return;
                /* Only vfio-pci serves every PCI device: it is the one fallback there is. */
                if (streq(s, "vfio_pci") || streq(s, "vfio-pci"))
                        e->fallback = true;
                else
                        loader_error(l, &value->start_mark, "invalid fallback '%s': expected "
                                     "vfio_pci (bind to vfio-pci when the chosen module fails to "
                                     "load or probe)", s);
        } else
                loader_error(l, &key->start_mark, "unknown key '%s' in device entry; expected one of: %s",
                             k, entry_keys);
}

int parse_entry(struct loader *l, const yaml_node_t *n)
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
        if (e.bus != BUS_PCI && (e.reset_method[0] || e.fallback)) {
                loader_error(l, &n->start_mark, "'reset_method' and 'fallback' are PCI keys, not "
                             "for %s devices", bus_get(e.bus)->name);
                return 0;
        }
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
        } else if (!e.has_address && !e.has_id && !e.has_slot && !e.has_path && !e.has_serial) {
                loader_error(l, &n->start_mark,
                             "a device entry needs 'address' or 'id' (or both), or 'slot', 'path' "
                             "or 'serial', to select devices");
                return 0;
        }
        if ((e.has_subsystem || e.has_class) && !e.has_id) {
                loader_error(l, &n->start_mark,
                             "'subsystem' and 'class' narrow an 'id' selector; add 'id: VENDOR:DEVICE'");
                return 0;
        }
        r = config_append_entry(c, &e);
        if (r == -E2BIG) {
                /* A configuration error like any other: -EINVAL, which callers make exit 2. */
                loader_error(l, &n->start_mark, "more than %d device entries", CONFIG_ENTRIES_MAX);
                return -EINVAL;
        }
        return r;
}

