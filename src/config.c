/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config-loader.h"
#include "log.h"

#define CONFIG_DEPTH_MAX 8


/* Zero-initialise the parser: error paths return before yaml_parser_initialize(). */
static void yaml_parser_deletep(yaml_parser_t *p)
{
        yaml_parser_delete(p);
}

void loader_error(struct loader *l, const yaml_mark_t *mark, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        l->errors++;
        if (l->errors > CONFIG_ERRORS_MAX)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        /* Quoted values put any control character in msg ("\e", "\x9b"): the logger escapes them. */
        log_error("%s:%zu:%zu: %s", l->file, mark->line + 1, mark->column + 1, msg);
}

/* A mark for a byte offset: lines as libyaml counts them, columns in UTF-8 characters. */
static yaml_mark_t mark_at_offset(const char *data, size_t size, size_t offset)
{
        yaml_mark_t m = { .index = offset };

        for (size_t i = 0; i < offset && i < size; i++) {
                unsigned char ch = (unsigned char)data[i];

                if (ch == '\n' || (ch == '\r' && (i + 1 >= size || data[i + 1] != '\n'))) {
                        m.line++;
                        m.column = 0;
                } else if ((ch & 0xc0) != 0x80)
                        m.column++;
        }
        return m;
}

static void parser_error(struct loader *l, const yaml_parser_t *parser, const char *data,
                         size_t size)
{
        const char *problem = parser->problem ? parser->problem : "syntax error";
        char where[64] = "";
        yaml_mark_t mark;

        if (parser->error == YAML_READER_ERROR) {
                /* Bad UTF-8, a control character: libyaml gives a byte offset, and no mark. */
                mark = mark_at_offset(data, size, parser->problem_offset);
                if (parser->problem_value >= 0)
                        loader_error(l, &mark, "invalid YAML: %s (0x%x)", problem,
                                     (unsigned)parser->problem_value);
                else
                        loader_error(l, &mark, "invalid YAML: %s", problem);
                return;
        }
        /* "while scanning a quoted scalar": where that scalar began. */
        if (parser->context && (parser->context_mark.line != parser->problem_mark.line ||
                                parser->context_mark.column != parser->problem_mark.column))
                snprintf(where, sizeof(where), " that started at %zu:%zu",
                         parser->context_mark.line + 1, parser->context_mark.column + 1);
        loader_error(l, &parser->problem_mark, "invalid YAML: %s%s%s%s", problem,
                     parser->context ? " " : "", parser->context ? parser->context : "", where);
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
                        parser_error(l, &parser, data, size);
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
        const char *nul;
        int r;

        r = config_add_source(c, name, &l.file);
        if (r < 0)
                return r;
        nul = memchr(data, '\0', size);
        if (nul) {
                yaml_mark_t mark = mark_at_offset(data, size, (size_t)(nul - data));

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
                parser_error(&l, &parser, data, size);
                return -EINVAL;
        }
        r = parse_root(&l);
        yaml_document_delete(&l.doc);
        if (l.errors > CONFIG_ERRORS_MAX)
                log_error("%s: %u more errors not shown", l.file, l.errors - CONFIG_ERRORS_MAX);
        if (r < 0)
                c->n_entries = n_before; /* nothing half-loaded */
        return r;
}

/* A file that cannot be used is a configuration error too: its cause logged, -EINVAL returned. */
#define file_error(err, ...) (log_error_errno((err), __VA_ARGS__), -EINVAL)

/* The owner a file shows when its real owner is not mapped into our user namespace. */
static unsigned long overflow_uid(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");
        unsigned long uid;

        return f && fscanf(f, "%lu", &uid) == 1 ? uid : 65534;
}

/*
 * In a user namespace that does not map the host's root (the test bed's 'unshare -r' as a user),
 * root's files show up owned by the overflow uid. Such a process has no power over the host's
 * devices, so an owner it cannot name is no threat there; in the initial namespace it never is.
 */
static bool unmapped_owner_is_root(uid_t uid)
{
        _cleanup_fclose_ FILE *f = NULL;
        unsigned long inside, outside, count;
        bool root_mapped = false;

        if (uid != overflow_uid() || !(f = fopen("/proc/self/uid_map", "re")))
                return false;
        while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
                root_mapped |= outside == 0 && count > 0;
        return !root_mapped;
}

static bool owner_is_trusted(uid_t uid)
{
        return uid == 0 || uid == geteuid() || unmapped_owner_is_root(uid);
}

static int check_file(const char *path, const struct stat *st, enum config_flags flags)
{
        if (S_ISDIR(st->st_mode))
                return file_error(EISDIR, "%s: is a directory, not a configuration file", path);
        if (!S_ISREG(st->st_mode))
                return file_error(EINVAL, "%s: is %s, not a regular file", path,
                                  S_ISCHR(st->st_mode)    ? "a character device"
                                  : S_ISBLK(st->st_mode)  ? "a block device"
                                  : S_ISFIFO(st->st_mode) ? "a FIFO"
                                  : S_ISSOCK(st->st_mode) ? "a socket"
                                                          : "a special file");
        if ((flags & CONFIG_STRICT_PERMISSIONS) &&
            (!owner_is_trusted(st->st_uid) || (st->st_mode & (S_IWGRP | S_IWOTH))))
                return file_error(EPERM,
                                  "%s: refusing a configuration owned by uid %u with mode %04o: "
                                  "it must be owned by root and not writable by group or others "
                                  "(chown root: and chmod go-w it)",
                                  path, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777));
        if (st->st_size > CONFIG_FILE_SIZE_MAX)
                return file_error(EFBIG, "%s: %lld bytes; a configuration is at most %d bytes", path,
                                  (long long)st->st_size, CONFIG_FILE_SIZE_MAX);
        return 0;
}

/* An absolute path's parent, in place: "/etc/vfio-bind.d" becomes "/etc", "/etc" becomes "/". */
static void cut_last_component(char *path)
{
        char *slash = strrchr(path, '/');

        if (slash)
                slash[slash == path] = '\0';
}

/*
 * Whoever can write a directory on the way to a configuration file can put another file in its
 * place, and root binds what it says (the root disk's NVMe). As sshd's StrictModes (safe_path()
 * in OpenSSH's misc.c): the real path's directories, from the file's up to /, each owned by root
 * (or by the user running vfio-bind) and not writable by group or others. A file named with -c
 * is the admin's choice of place: only its own directory is checked, and a sticky one (/tmp) may
 * be writable by all, since others cannot rename or remove a file they do not own there.
 */
static int check_directories(const char *path, bool to_root, bool is_dir)
{
        char real[PATH_MAX];
        struct stat st;

        if (!realpath(path, real))
                return file_error(errno, "%s: cannot resolve the path: %m", path);
        if (!is_dir)
                cut_last_component(real);
        for (;;) {
                if (stat(real, &st) < 0)
                        return file_error(errno, "%s: cannot stat: %m", real);
                if (!owner_is_trusted(st.st_uid) ||
                    ((st.st_mode & (S_IWGRP | S_IWOTH)) && (to_root || !(st.st_mode & S_ISVTX))))
                        return file_error(EPERM,
                                          "%s: refusing a configuration directory owned by uid %u "
                                          "with mode %04o: it must be owned by root and not "
                                          "writable by group or others (chown root: and chmod "
                                          "go-w it)",
                                          real, (unsigned)st.st_uid,
                                          (unsigned)(st.st_mode & 07777));
                if (!to_root || streq(real, "/"))
                        return 0;
                cut_last_component(real);
        }
}

static int load_file(struct config *c, const char *path, enum config_flags flags)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t size = 0;
        int r;

        /*
         * Look before opening: opening a device can act (a watchdog starts counting, a tape
         * rewinds) and a FIFO would wake its writer. fstat() below is what counts; this only
         * keeps a wrong path from being opened at all.
         */
        if (stat(path, &st) < 0)
                return file_error(errno, "%s: cannot open configuration: %m", path);
        r = check_file(path, &st, flags);
        if (r < 0)
                return r;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return file_error(errno, "%s: cannot open configuration: %m", path);
        if (fstat(fd, &st) < 0)
                return file_error(errno, "%s: cannot stat: %m", path);
        r = check_file(path, &st, flags);
        if (r < 0)
                return r;
        data = malloc((size_t)st.st_size + 1);
        if (!data)
                return log_error_errno(ENOMEM, "Out of memory");
        while (size < (size_t)st.st_size) {
                ssize_t n = read(fd, data + size, (size_t)st.st_size - size);
                if (n < 0)
                        return file_error(errno, "%s: read failed: %m", path);
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        return config_load_buffer(c, path, data, size);
}

int config_load_file(struct config *c, const char *path, enum config_flags flags)
{
        if ((flags & CONFIG_STRICT_PERMISSIONS) && access(path, F_OK) == 0) {
                int r = check_directories(path, false, false);
                if (r < 0)
                        return r;
        }
        return load_file(c, path, flags);
}

/* A file at the default paths: the directories up to / too (the file itself: load_file). */
static int load_default_file(struct config *c, const char *path, enum config_flags flags)
{
        if (flags & CONFIG_STRICT_PERMISSIONS) {
                int r = check_directories(path, true, false);
                if (r < 0)
                        return r;
        }
        return load_file(c, path, flags);
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
                r = load_default_file(c, main_path, flags);
                if (r < 0)
                        return r;
        } else if (errno != ENOENT)
                return file_error(errno, "%s: %m", main_path);

        n = scandir(dropin_dir, &names, yaml_suffix_filter, alphasort);
        if (n < 0) {
                if (errno == ENOENT)
                        return 0;
                return file_error(errno, "%s: cannot read drop-in directory: %m", dropin_dir);
        }
        /* even empty: whoever can write it can add a file to the next run */
        if (flags & CONFIG_STRICT_PERMISSIONS)
                r = check_directories(dropin_dir, true, true);
        for (int i = 0; i < n; i++) {
                char path[4096];

                if (r >= 0) {
                        if (snprintf(path, sizeof(path), "%s/%s", dropin_dir, names[i]->d_name) >=
                            (int)sizeof(path))
                                r = file_error(ENAMETOOLONG, "%s/%s: path too long", dropin_dir,
                                               names[i]->d_name);
                        else
                                r = load_default_file(c, path, flags);
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

bool config_has_serial_entry(const struct config *c)
{
        for (size_t i = 0; i < c->n_entries; i++)
                if (c->entries[i].has_serial)
                        return true;
        return false;
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
                        snprintf(buf + n, size - n, "%s compatible %s", n ? "" : ops->name,
                                 e->compatible);
                return;
        }
        if (e->has_address) {
                pci_address_format(&e->address, addr);
                n += (size_t)snprintf(buf + n, size - n, "address %s", addr);
        }
        if (e->has_slot && n < size)
                n += (size_t)snprintf(buf + n, size - n, "%sslot %s", n ? " " : "", e->slot);
        if (e->has_path && n < size)
                n += (size_t)snprintf(buf + n, size - n, "%spath %s", n ? " " : "", e->path);
        if (e->has_serial && n < size) {
                char serial[PCI_SERIAL_MAX];

                pci_serial_format(e->serial, serial);
                n += (size_t)snprintf(buf + n, size - n, "%sserial %s", n ? " " : "", serial);
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
