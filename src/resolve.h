/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "discover.h"

#define ALIAS_PATTERN_MAX 256
#define KVER_MAX 65

/* A kernel version that can name /lib/modules/VER: not empty, no '/', under KVER_MAX bytes. */
bool kver_valid(const char *kver);

struct kmod_ctx;
struct resolver;

enum module_state {
        MODULE_ABSENT,  /* known to depmod, not loaded */
        MODULE_LOADED,
        MODULE_BUILTIN, /* nothing to load */
};

struct alias_match {
        char module[MODULE_NAME_MAX];
        char pattern[ALIAS_PATTERN_MAX];
        unsigned stars;
        bool builtin;
};

/* What the kernel puts before a modalias to name a VFIO driver's aliases. */
#define VFIO_ALIAS_PREFIX "vfio_"

struct resolution {
        struct alias_match *matches; /* best first; matches[0] is the choice */
        size_t n_matches;
};

/*
 * moddir: a module tree (what /lib/modules/KVER is on a normal host, e.g. DIR/lib/modules/KVER
 * after depmod -b DIR); else /lib/modules/kver; else /lib/modules/$(uname -r). kver with moddir
 * only names the kernel in messages. Logs nothing.
 */
int resolver_new(const char *moddir, const char *kver, struct resolver **ret);
/*
 * resolver_new(), and when it fails one message at level that names the kernel version and
 * the path it could not read: "PREFIX: cannot read the module index of kernel VER in DIR: why".
 */
int resolver_open(const char *moddir, const char *kver, int level, const char *prefix,
                  struct resolver **ret);
/*
 * Why resolver_new(moddir, kver) failed with err, for a message: "cannot read the module index
 * of kernel VER in DIR: why" (the index file that is missing, when the directory is there).
 * Returns the errno that explains it best. Logs nothing.
 */
int resolver_describe_error(const char *moddir, const char *kver, int err, char *buf,
                            size_t size);
/* Room for that text about /lib/modules/$(uname -r) (a longer --moddir is cut). */
#define INDEX_ERROR_MAX 320
struct resolver *resolver_free(struct resolver *r);
struct kmod_ctx *resolver_kmod(struct resolver *r);
const char *resolver_dirname(struct resolver *r);
/* The kernel version given or uname's; "" when only a directory was given. */
const char *resolver_kver(struct resolver *r);

/*
 * "vfio_" + modalias, every matching alias of every module libkmod returns, fewest '*' first.
 * -ENOENT: no vfio_ alias matches.
 */
int resolver_lookup(struct resolver *r, const char *modalias, struct resolution *ret);
void resolution_done(struct resolution *res);

/* The order of candidates; exposed for tests. */
int alias_match_compare(const struct alias_match *a, const struct alias_match *b);
unsigned count_stars(const char *pattern);

/*
 * Whether the module tree says module is a VFIO driver for bus: "vfio" in its name, a vfio_
 * alias (or it is the bus's own VFIO module), and it depends on the vfio module (unless that
 * or the module is built in). builtin: what the caller already read of the module's state.
 * -EMEDIUMTYPE with why set when it is not; other < 0: lookup failed.
 */
int resolver_vfio_driver(struct resolver *r, enum bus bus, const char *module, bool builtin,
                         char *why, size_t size);
/*
 * The same, for a module the index itself gave for a vfio_ alias (resolver_pick's by_own_alias):
 * that alias is its own, so its modinfo is not read again to find one.
 */
int resolver_vfio_driver_aliased(struct resolver *r, enum bus bus, const char *module,
                                 bool builtin, char *why, size_t size);
/* Whether a modprobe.d "alias" line matches alias ("vfio_" + modalias). */
bool resolver_alias_configured(struct resolver *r, const char *alias);

/* resolver_lookup's choice alone. */
struct module_pick {
        char module[MODULE_NAME_MAX];
        enum module_state state;
        bool by_own_alias; /* the index gave it, by a vfio_ alias in its own modinfo */
};
/*
 * The module resolver_lookup would choose, without reading any modinfo when the index gives
 * a single module and no modprobe.d alias applies: there is then nothing to rank, and modinfo
 * means parsing the module's signature (libkmod does it with libcrypto: ~2.3 M instructions
 * for vfio_pci, more than discovering every device of a host). With debug logging on it takes
 * resolver_lookup's way, which logs the alias that chose. -ENOENT: no vfio_ alias matches.
 */
int resolver_pick(struct resolver *r, const char *modalias, struct module_pick *ret);

/*
 * For an entry whose device is not on this host: the modalias of every PCI device it can
 * select, "vfio_"-prefixed, with a '?' for each hex digit it leaves open ('id' is known,
 * 'subsystem' and 'class' may be). -EINVAL for an entry with no 'id' or not on the pci bus.
 */
#define MODALIAS_QUERY_MAX sizeof("vfio_pci:v12345678d12345678sv12345678sd12345678bc12sc12i12")
int entry_modalias_query(const struct config_entry *e, char *buf, size_t size);
/*
 * Whether glob pattern (an alias: '*', '?', '[...]') can match some string the query stands
 * for, a '?' in query being any hex digit 0-9A-F. A bracket expression is taken to match an
 * unknown digit: may say yes for a pattern that cannot match, never no for one that can.
 */
bool alias_can_match(const char *pattern, const char *query);
/*
 * Adds to *ret (unique, malloc'ed; the caller frees them, also on error) the modules other than
 * vfio_pci with a vfio_pci alias that can match query, from the tree's modules.alias and
 * modprobe.d. -errno when modules.alias cannot be read.
 */
int resolver_query_variants(struct resolver *r, const char *query, char ***ret, size_t *ret_n);

/* State of a module in the running kernel. */
enum module_state resolver_module_state(struct resolver *r, const char *module);
struct kmod_module;
enum module_state module_state_of(struct kmod_module *mod);

/*
 * What resolution found for one selected device (resolve-target.c): the input plan needs besides
 * the snapshot.
 */
struct target {
        char module[MODULE_NAME_MAX];
        char driver[DRIVER_NAME_MAX];
        enum module_state module_state;
        int error; /* < 0: no module; plan reports it */
        /*
         * -EMEDIUMTYPE: why the module is not a VFIO driver; -ENODATA: why the module index
         * cannot be read (resolver_describe_error).
         */
        char why[256];
};

/* An explicit module for a device of bus (which may be absent): known, and a VFIO driver. */
void resolve_module(struct resolver *r, enum bus bus, const char *module, struct target *ret);
/* The resolve stage for one device: an explicit module wins, else the modalias decides. */
void resolve_target(struct resolver *r, const struct device *d, const char *explicit_module,
                    struct target *ret);
/*
 * When there is no module index to resolve against (resolver_new failed, index_error says why):
 * error -ENODATA with why, the explicit module (which cannot be checked) kept as the module;
 * -ENOMSG as resolve_target for a bus without vfio_ aliases and no explicit module.
 */
void resolve_target_without_index(const struct device *d, const char *explicit_module,
                                  const char *index_error, struct target *ret);
