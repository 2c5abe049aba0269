/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <libkmod.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bus.h"
#include "log.h"
#include "resolve.h"
#include "sysfs.h"

/*
 * libkmod answers "which modules match this alias" (modules.alias.bin, the built-in index and
 * modprobe.d, the same answer modprobe gives) but not "through which pattern". The cheapest
 * correct source of the patterns is each candidate module's own modinfo (what depmod read to
 * build the index), which libkmod gives per module; only the few vfio modules a host has are
 * ever read, once each. Parsing the 1.3 MB modules.alias text instead would cost milliseconds
 * at every start and would miss built-in modules and modprobe.d aliases.
 */
struct module_aliases {
        char module[MODULE_NAME_MAX];
        bool builtin;
        char **patterns;
        size_t n_patterns;
};

struct resolver {
        struct kmod_ctx *ctx;
        char kver[KVER_MAX]; /* "" when only a directory was given */
        struct module_aliases *cache;
        size_t n_cache;
        struct module_aliases config_aliases; /* "alias vfio_... module" lines in modprobe.d */
        char **config_targets;
};

_printf_(6, 0) static void kmod_log_to_ours(void *data _unused_, int priority,
                                            const char *file _unused_, int line _unused_,
                                            const char *fn _unused_, const char *format,
                                            va_list args)
{
        char msg[512];

        if (priority > log_get_max_level())
                return;
        vsnprintf(msg, sizeof(msg), format, args);
        msg[strcspn(msg, "\n")] = '\0';
        log_full_errno(priority, 0, "libkmod: %s", msg);
}

static int add_pattern(struct module_aliases *m, char ***targets, const char *pattern,
                       const char *target)
{
        char **grown = realloc(m->patterns, (m->n_patterns + 1) * sizeof(char *));

        if (!grown)
                return -ENOMEM;
        m->patterns = grown;
        if (targets) {
                grown = realloc(*targets, (m->n_patterns + 1) * sizeof(char *));
                if (!grown)
                        return -ENOMEM;
                *targets = grown;
                (*targets)[m->n_patterns] = strdup(target);
                if (!(*targets)[m->n_patterns])
                        return -ENOMEM;
        }
        m->patterns[m->n_patterns] = strdup(pattern);
        if (!m->patterns[m->n_patterns]) {
                if (targets)
                        free((*targets)[m->n_patterns]);
                return -ENOMEM;
        }
        m->n_patterns++;
        return 0;
}

static int load_config_aliases(struct resolver *r)
{
        struct kmod_config_iter *it = kmod_config_get_aliases(r->ctx);
        int err = 0;

        if (!it)
                return 0;
        while (err == 0 && kmod_config_iter_next(it)) {
                const char *pattern = kmod_config_iter_get_key(it);
                const char *module = kmod_config_iter_get_value(it);

                if (strncmp(pattern, VFIO_ALIAS_PREFIX, strlen(VFIO_ALIAS_PREFIX)) == 0)
                        err = add_pattern(&r->config_aliases, &r->config_targets, pattern, module);
        }
        kmod_config_iter_free_iter(it);
        return err;
}

bool kver_valid(const char *kver)
{
        /* A release as uname -r prints it: one path component, no blank or control character. */
        if (!*kver || streq(kver, ".") || streq(kver, "..") || strlen(kver) >= KVER_MAX)
                return false;
        for (const char *c = kver; *c; c++)
                if (*c == '/' || (unsigned char)*c <= ' ' || *c == 0x7f)
                        return false;
        return true;
}

static int resolver_init(struct resolver *r, const char *moddir, const char *kver)
{
        _cleanup_free_ char *dir = NULL;
        struct utsname u;
        int err;

        if (kver && !kver_valid(kver))
                return -EINVAL;
        if (!kver && !moddir) {
                if (uname(&u) < 0)
                        return -errno;
                kver = u.release;
        }
        if (kver)
                strcpy(r->kver, kver);
        if (!moddir) {
                if (asprintf(&dir, "/lib/modules/%s", kver) < 0)
                        return -ENOMEM;
                moddir = dir;
        }
        r->ctx = kmod_new(moddir, NULL);
        if (!r->ctx)
                return -ENOMEM;
        kmod_set_log_fn(r->ctx, kmod_log_to_ours, NULL);
        /* Keeps the indexes mapped: every lookup after the first is a few microseconds. */
        err = kmod_load_resources(r->ctx);
        if (err < 0)
                return err;
        return load_config_aliases(r);
}

int resolver_new(const char *moddir, const char *kver, struct resolver **ret)
{
        struct resolver *r = calloc(1, sizeof(*r));
        int err;

        if (!r)
                return -ENOMEM;
        err = resolver_init(r, moddir, kver);
        if (err < 0) {
                resolver_free(r);
                return err;
        }
        *ret = r;
        return 0;
}

/*
 * The indexes kmod_load_resources() opens, in its order (libkmod.c, index_files[]); it gives
 * up at the first it cannot open, except modules.builtin.alias.bin (new in kmod 30, optional).
 */
static const char *const kmod_index_files[] = {
        "modules.dep.bin", "modules.alias.bin", "modules.symbols.bin", "modules.builtin.bin",
};

int resolver_describe_error(const char *moddir, const char *kver, int err, char *buf,
                            size_t size)
{
        char where[PATH_MAX + 96], dir[PATH_MAX], path[PATH_MAX];
        struct utsname u;
        struct stat st;
        int fd, dir_err;

        if (kver && !kver_valid(kver)) {
                snprintf(buf, size, "invalid kernel version '%s' (not empty, no '/', under %d "
                         "characters)", kver, KVER_MAX);
                return err;
        }
        if (!kver && !moddir)
                kver = uname(&u) == 0 ? u.release : NULL;
        if (!moddir)
                snprintf(dir, sizeof(dir), "/lib/modules/%s", kver ? kver : "");
        else {
                /* "DIR/" as dracut's $srcmods has it: named without the '/' */
                snprintf(dir, sizeof(dir), "%s", moddir);
                for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
                        dir[n - 1] = '\0';
        }
        moddir = dir;
        if (kver)
                snprintf(where, sizeof(where), "of kernel %s in %s", kver, moddir);
        else
                snprintf(where, sizeof(where), "in %s", moddir);
        dir_err = stat(moddir, &st) < 0 ? -errno : !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
        if (dir_err < 0) {
                err = dir_err;
                snprintf(buf, size, "cannot read the module index %s: %s", where, strerror(-err));
                return err;
        }
        /* Name the index that is missing or unreadable, as kmod does not. */
        for (size_t i = 0; i < ELEMENTSOF(kmod_index_files); i++) {
                if (path_join(path, sizeof(path), "%s/%s", streq(moddir, "/") ? "" : moddir,
                              kmod_index_files[i]) < 0)
                        break;
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        err = -errno;
                        snprintf(buf, size, "cannot read the module index %s: %s: %s%s", where,
                                 path, strerror(-err),
                                 err == -ENOENT ? " (was depmod run on this tree?)" : "");
                        return err;
                }
                close(fd);
        }
        snprintf(buf, size, "cannot read the module index %s: %s", where, strerror(-err));
        return err;
}

int resolver_open(const char *moddir, const char *kver, int level, const char *prefix,
                  struct resolver **ret)
{
        char why[PATH_MAX + 256];
        int err;

        err = resolver_new(moddir, kver, ret);
        if (err >= 0)
                return err;
        err = resolver_describe_error(moddir, kver, err, why, sizeof(why));
        return log_full_errno(level, err, "%s: %s", prefix, why);
}

static void module_aliases_done(struct module_aliases *m)
{
        for (size_t i = 0; i < m->n_patterns; i++)
                free(m->patterns[i]);
        free(m->patterns);
}

struct resolver *resolver_free(struct resolver *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_cache; i++)
                module_aliases_done(&r->cache[i]);
        free(r->cache);
        for (size_t i = 0; i < r->config_aliases.n_patterns; i++)
                free(r->config_targets[i]);
        free(r->config_targets);
        module_aliases_done(&r->config_aliases);
        kmod_unref(r->ctx);
        free(r);
        return NULL;
}

struct kmod_ctx *resolver_kmod(struct resolver *r)
{
        return r->ctx;
}

const char *resolver_dirname(struct resolver *r)
{
        return kmod_get_dirname(r->ctx);
}

const char *resolver_kver(struct resolver *r)
{
        return r->kver;
}

static int module_aliases_get(struct resolver *r, struct kmod_module *mod,
                              const struct module_aliases **ret)
{
        const char *name = kmod_module_get_name(mod);
        struct kmod_list *info = NULL, *l;
        struct module_aliases *m;
        int err;

        for (size_t i = 0; i < r->n_cache; i++)
                if (streq(r->cache[i].module, name)) {
                        *ret = &r->cache[i];
                        return 0;
                }
        if (strlen(name) >= MODULE_NAME_MAX)
                return -ENAMETOOLONG;
        m = realloc(r->cache, (r->n_cache + 1) * sizeof(*m));
        if (!m)
                return -ENOMEM;
        r->cache = m;
        m = &r->cache[r->n_cache++];
        *m = (struct module_aliases){ 0 };
        strcpy(m->module, name);
        m->builtin = kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN;

        /* Reads the module's .modinfo, or modules.builtin.modinfo for a built-in one. */
        err = kmod_module_get_info(mod, &info);
        if (err < 0) {
                log_debug_errno(err, "Cannot read modinfo of '%s': %m", name);
                *ret = m;
                return 0;
        }
        err = 0;
        kmod_list_foreach(l, info)
        {
                const char *key = kmod_module_info_get_key(l);
                const char *value = kmod_module_info_get_value(l);

                if (err == 0 && streq(key, "alias") && value &&
                    strncmp(value, VFIO_ALIAS_PREFIX, strlen(VFIO_ALIAS_PREFIX)) == 0)
                        err = add_pattern(m, NULL, value, NULL);
        }
        kmod_module_info_free_list(info);
        *ret = m;
        return err;
}

unsigned count_stars(const char *pattern)
{
        unsigned n = 0;

        for (; *pattern; pattern++)
                n += *pattern == '*';
        return n;
}

/*
 * The kernel's rule: fewest '*' wins. Ties (an ID alias and a class alias both have five, since
 * modpost appends one after a full class) go to the longer pattern, which has more literal
 * characters and so names the device more precisely; then to the module name, then the
 * pattern, in byte order, so that the answer never depends on index or file order.
 */
int alias_match_compare(const struct alias_match *a, const struct alias_match *b)
{
        size_t la = strlen(a->pattern), lb = strlen(b->pattern);
        int c;

        if (a->stars != b->stars)
                return a->stars < b->stars ? -1 : 1;
        if (la != lb)
                return la > lb ? -1 : 1;
        c = strcmp(a->module, b->module);
        if (c)
                return c;
        return strcmp(a->pattern, b->pattern);
}

static int alias_match_qsort(const void *a, const void *b)
{
        return alias_match_compare(a, b);
}

static int add_match(struct resolution *res, const char *module, const char *pattern, bool builtin)
{
        struct alias_match *grown;
        struct alias_match *m;

        if (strlen(module) >= MODULE_NAME_MAX || strlen(pattern) >= ALIAS_PATTERN_MAX)
                return 0; /* cannot be a kernel module alias */
        grown = realloc(res->matches, (res->n_matches + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        res->matches = grown;
        m = &res->matches[res->n_matches++];
        *m = (struct alias_match){ .stars = count_stars(pattern), .builtin = builtin };
        strcpy(m->module, module);
        strcpy(m->pattern, pattern);
        return 0;
}

int resolver_lookup(struct resolver *r, const char *modalias, struct resolution *ret)
{
        struct resolution res = { 0 };
        struct kmod_list *list = NULL, *l;
        char alias[MODALIAS_MAX + sizeof(VFIO_ALIAS_PREFIX)];
        int err;

        if (path_join(alias, sizeof(alias), VFIO_ALIAS_PREFIX "%s", modalias) < 0)
                return -EINVAL;
        err = kmod_module_new_from_lookup(r->ctx, alias, &list);
        if (err < 0)
                return err;
        kmod_list_foreach(l, list)
        {
                struct kmod_module *mod = kmod_module_get_module(l);
                const struct module_aliases *m = NULL;
                bool found = false;

                err = module_aliases_get(r, mod, &m);
                for (size_t i = 0; err >= 0 && i < m->n_patterns; i++)
                        if (fnmatch(m->patterns[i], alias, 0) == 0) {
                                err = add_match(&res, m->module, m->patterns[i], m->builtin);
                                found = true;
                        }
                for (size_t i = 0; err >= 0 && i < r->config_aliases.n_patterns; i++)
                        if (streq(r->config_targets[i], m->module) &&
                            fnmatch(r->config_aliases.patterns[i], alias, 0) == 0) {
                                err = add_match(&res, m->module, r->config_aliases.patterns[i],
                                                m->builtin);
                                found = true;
                        }
                /*
                 * libkmod matched it but its modinfo is unreadable: last resort, worst rank.
                 * "*" has a single star, which would rank it first: rank it by hand.
                 */
                if (err >= 0 && !found) {
                        size_t n = res.n_matches;

                        err = add_match(&res, m->module, "*", m->builtin);
                        if (err >= 0 && res.n_matches > n)
                                res.matches[n].stars = UINT_MAX;
                }
                kmod_module_unref(mod);
                if (err < 0)
                        break;
        }
        kmod_module_unref_list(list);
        if (err < 0) {
                resolution_done(&res);
                return err;
        }
        if (res.n_matches == 0)
                return -ENOENT;
        qsort(res.matches, res.n_matches, sizeof(*res.matches), alias_match_qsort);
        log_debug("resolve: %s: %s, alias %s with %u '*' (fewest; %zu alias%s matched)", modalias,
                  res.matches[0].module, res.matches[0].pattern, res.matches[0].stars,
                  res.n_matches, res.n_matches == 1 ? "" : "es");
        *ret = res;
        return 0;
}

void resolution_done(struct resolution *res)
{
        free(res->matches);
        *res = (struct resolution){ 0 };
}

static bool module_is_builtin(struct resolver *r, const char *name)
{
        struct kmod_module *mod = NULL;
        bool builtin;

        if (kmod_module_new_from_name(r->ctx, name, &mod) < 0)
                return false;
        builtin = kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN;
        kmod_module_unref(mod);
        return builtin;
}

/* modules.dep lists every module a module needs, those it needs through others included. */
static bool module_depends_on(struct kmod_module *mod, const char *name)
{
        struct kmod_list *deps = kmod_module_get_dependencies(mod), *l;
        bool found = false;

        kmod_list_foreach(l, deps)
        {
                struct kmod_module *dep = kmod_module_get_module(l);

                found = found || streq(kmod_module_get_name(dep), name);
                kmod_module_unref(dep);
        }
        kmod_module_unref_list(deps);
        return found;
}

static int vfio_driver_check(struct resolver *r, enum bus bus, const char *module,
                             bool own_vfio_alias, bool builtin, char *why, size_t size)
{
        const char *bus_module = bus_get(bus)->vfio_module;
        const struct module_aliases *m = NULL;
        struct kmod_module *mod = NULL;
        int err;

        if (!strstr(module, "vfio")) {
                snprintf(why, size, "its name has no 'vfio', as every VFIO driver's has");
                return -EMEDIUMTYPE;
        }
        err = kmod_module_new_from_name(r->ctx, module, &mod);
        if (err < 0)
                return err;
        if (!own_vfio_alias) {
                err = module_aliases_get(r, mod, &m);
                if (err < 0)
                        goto finish;
                /* Kernels before 5.16 gave vfio_pci no alias: the bus's own module needs none. */
                if (m->n_patterns == 0 && !streq(m->module, bus_module)) {
                        snprintf(why, size, "it has no vfio_ alias and is not %s: a part of the "
                                 "VFIO stack (as vfio_pci_core, vfio_iommu_type1), not a driver",
                                 bus_module);
                        err = -EMEDIUMTYPE;
                        goto finish;
                }
        }
        /* depmod records no dependency on built-in code: then the name and alias decide. */
        if (!builtin && !module_is_builtin(r, "vfio") && !module_depends_on(mod, "vfio")) {
                snprintf(why, size, "it does not depend on the vfio module");
                err = -EMEDIUMTYPE;
        }
finish:
        kmod_module_unref(mod);
        return err;
}

int resolver_vfio_driver(struct resolver *r, enum bus bus, const char *module, bool builtin,
                         char *why, size_t size)
{
        return vfio_driver_check(r, bus, module, false, builtin, why, size);
}

int resolver_vfio_driver_aliased(struct resolver *r, enum bus bus, const char *module,
                                 bool builtin, char *why, size_t size)
{
        return vfio_driver_check(r, bus, module, true, builtin, why, size);
}

bool resolver_alias_configured(struct resolver *r, const char *alias)
{
        for (size_t i = 0; i < r->config_aliases.n_patterns; i++)
                if (fnmatch(r->config_aliases.patterns[i], alias, 0) == 0)
                        return true;
        return false;
}

enum module_state module_state_of(struct kmod_module *mod)
{
        int state = kmod_module_get_initstate(mod);

        if (state == KMOD_MODULE_BUILTIN)
                return MODULE_BUILTIN;
        if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING)
                return MODULE_LOADED;
        return MODULE_ABSENT;
}

enum module_state resolver_module_state(struct resolver *r, const char *module)
{
        struct kmod_module *mod = NULL;
        enum module_state state;

        if (kmod_module_new_from_name(r->ctx, module, &mod) < 0)
                return MODULE_ABSENT;
        state = module_state_of(mod);
        kmod_module_unref(mod);
        return state;
}

static int add_name(char ***names, size_t *n, const char *name)
{
        char **grown;

        for (size_t i = 0; i < *n; i++)
                if (streq((*names)[i], name))
                        return 0;
        grown = realloc(*names, (*n + 1) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        *names = grown;
        grown[*n] = strdup(name);
        if (!grown[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

int resolver_query_variants(struct resolver *r, const char *query, char ***ret, size_t *ret_n)
{
        _cleanup_free_ char *line = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t cap = 0;
        char path[PATH_MAX];
        int err = 0;

        /*
         * libkmod looks up an alias (a device's modalias) but cannot list the patterns of an
         * index: the text file depmod writes next to modules.alias.bin has them all.
         */
        if (path_join(path, sizeof(path), "%s/modules.alias", resolver_dirname(r)) < 0)
                return -ENAMETOOLONG;
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (err == 0 && getline(&line, &cap, f) > 0) {
                char *pattern, *module, *save = NULL;

                if (strncmp(line, "alias vfio_pci:", strlen("alias vfio_pci:")) != 0)
                        continue;
                strtok_r(line, " \t\n", &save);
                pattern = strtok_r(NULL, " \t\n", &save);
                module = strtok_r(NULL, " \t\n", &save);
                if (pattern && module && !streq(module, bus_get(BUS_PCI)->vfio_module) &&
                    alias_can_match(pattern, query))
                        err = add_name(ret, ret_n, module);
        }
        if (err == 0 && ferror(f))
                err = -EIO;
        /* modprobe.d's "alias vfio_pci:... module" lines, which modprobe honours too. */
        for (size_t i = 0; err == 0 && i < r->config_aliases.n_patterns; i++)
                if (!streq(r->config_targets[i], bus_get(BUS_PCI)->vfio_module) &&
                    alias_can_match(r->config_aliases.patterns[i], query))
                        err = add_name(ret, ret_n, r->config_targets[i]);
        return err;
}
