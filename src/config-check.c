/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks between entries. Two entries that disagree about one device can be found from the file
 * alone when one of them selects only devices the other selects too: any device the narrower
 * one finds, on any host, gets both. Other overlaps (an id entry and an address entry) exist
 * only on some hosts; select_devices finds those and refuses the device alone.
 */
#include "config.h"
#include "log.h"

/* Every device that a selects, b selects too (a PCI address names at most one device). */
static bool selector_within(const struct config_entry *a, const struct config_entry *b)
{
        if (a->bus != b->bus)
                return false;
        if (b->has_name && !(a->has_name && streq(a->name, b->name)))
                return false;
        if (b->has_compatible && !(a->has_compatible && streq(a->compatible, b->compatible)))
                return false;
        if (b->has_address && !(a->has_address && pci_address_match(&b->address, &a->address)))
                return false;
        if ((b->has_slot && !(a->has_slot && streq(a->slot, b->slot))) ||
            (b->has_path && !(a->has_path && streq(a->path, b->path))) ||
            (b->has_serial && !(a->has_serial && a->serial == b->serial)))
                return false;
        if (b->has_id && !(a->has_id && a->id.vendor == b->id.vendor && a->id.device == b->id.device))
                return false;
        if (b->has_subsystem &&
            !(a->has_subsystem && a->subsystem.vendor == b->subsystem.vendor &&
              a->subsystem.device == b->subsystem.device))
                return false;
        if (b->has_class) {
                uint32_t cls;

                if (!a->has_class || a->class_digits < b->class_digits)
                        return false;
                cls = a->class_digits == b->class_digits ? a->class_code : a->class_code >> 8;
                if (cls != b->class_code)
                        return false;
        }
        return true;
}

static bool same_vfs(const struct config_sriov *a, const struct config_sriov *b)
{
        if (a->n_vfs != b->n_vfs)
                return false;
        for (unsigned i = 0; i < a->n_vfs; i++) {
                bool found = false;

                for (unsigned j = 0; j < b->n_vfs && !found; j++)
                        found = a->vfs[i] == b->vfs[j];
                if (!found)
                        return false;
        }
        return true;
}

enum entry_conflict config_entries_conflict(const struct config_entry *a,
                                            const struct config_entry *b)
{
        if (a->sriov.set != b->sriov.set)
                return CONFLICT_SRIOV_BIND;
        if (!streq(a->driver, b->driver))
                return CONFLICT_DRIVER;
        if (a->sriov.set && (a->sriov.numvfs != b->sriov.numvfs ||
                             a->sriov.replace != b->sriov.replace || !same_vfs(&a->sriov, &b->sriov)))
                return CONFLICT_SRIOV_SETTINGS;
        return CONFLICT_NONE;
}

static const char *driver_text(const struct config_entry *e)
{
        return *e->driver ? e->driver : "(resolved)";
}

void config_conflict_describe(enum entry_conflict kind, const struct config_entry *a,
                              const struct config_entry *b, char *buf, size_t size)
{
        switch (kind) {
        case CONFLICT_DRIVER:
                snprintf(buf, size, "'driver' is '%s' at %.100s:%u:%u and '%s' at %.100s:%u:%u; "
                         "make them agree", driver_text(a), a->loc.file, a->loc.line,
                         a->loc.column, driver_text(b), b->loc.file, b->loc.line, b->loc.column);
                break;
        case CONFLICT_SRIOV_BIND: {
                const struct config_entry *s = a->sriov.set ? a : b, *o = a->sriov.set ? b : a;

                snprintf(buf, size, "%.100s:%u:%u gives it VFs with 'sriov' (the PF stays on its "
                         "host driver), %.100s:%u:%u binds it; keep one", s->loc.file, s->loc.line,
                         s->loc.column, o->loc.file, o->loc.line, o->loc.column);
                break;
        }
        case CONFLICT_SRIOV_SETTINGS:
                snprintf(buf, size, "'sriov' at %.100s:%u:%u and at %.100s:%u:%u differ "
                         "(numvfs %u and %u); make them agree", a->loc.file, a->loc.line,
                         a->loc.column, b->loc.file, b->loc.line, b->loc.column, a->sriov.numvfs,
                         b->sriov.numvfs);
                break;
        case CONFLICT_NONE:
                snprintf(buf, size, "no conflict");
                break;
        }
}

/*
 * An entry with 'sriov' takes PFs only: it meets another entry on every host only when every
 * device it selects, the other selects too (the other way round, the device might be a VF).
 */
static bool always_meet(const struct config_entry *a, const struct config_entry *b,
                        enum entry_conflict kind)
{
        if (kind == CONFLICT_SRIOV_BIND)
                return a->sriov.set ? selector_within(a, b) : selector_within(b, a);
        return selector_within(a, b) || selector_within(b, a);
}

int config_check(const struct config *c)
{
        int r = 0;

        for (size_t i = 0; i < c->n_entries; i++)
                for (size_t j = 0; j < i; j++) {
                        const struct config_entry *a = &c->entries[j], *b = &c->entries[i];
                        enum entry_conflict kind = config_entries_conflict(a, b);
                        char what[128], other[128], why[512];

                        config_entry_describe(b, what, sizeof(what));
                        if (selector_within(a, b) && selector_within(b, a)) {
                                if (kind == CONFLICT_DRIVER)
                                        log_error("%s:%u:%u: %s contradicts %s:%u:%u: drivers "
                                                  "'%s' and '%s'", b->loc.file, b->loc.line,
                                                  b->loc.column, what, a->loc.file, a->loc.line,
                                                  a->loc.column, driver_text(a), driver_text(b));
                                else
                                        log_error("%s:%u:%u: duplicate entry for %s, first at "
                                                  "%s:%u:%u", b->loc.file, b->loc.line,
                                                  b->loc.column, what, a->loc.file, a->loc.line,
                                                  a->loc.column);
                        } else if (kind != CONFLICT_NONE && always_meet(a, b, kind)) {
                                config_entry_describe(a, other, sizeof(other));
                                config_conflict_describe(kind, a, b, why, sizeof(why));
                                if (selector_within(b, a))
                                        log_error("%s:%u:%u: every device that %s selects is "
                                                  "also selected by %s at %s:%u:%u: %s",
                                                  b->loc.file, b->loc.line, b->loc.column, what,
                                                  other, a->loc.file, a->loc.line, a->loc.column,
                                                  why);
                                else
                                        log_error("%s:%u:%u: %s also selects every device that "
                                                  "%s at %s:%u:%u selects: %s", b->loc.file,
                                                  b->loc.line, b->loc.column, what, other,
                                                  a->loc.file, a->loc.line, a->loc.column, why);
                        } else
                                continue;
                        r = -EINVAL;
                        break;
                }
        return r;
}
