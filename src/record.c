/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "log.h"
#include "bus.h"
#include "record.h"
#include "sysfs.h"

void record_done(struct record *r)
{
        free(r->entries);
        *r = (struct record){ 0 };
}

struct record_entry *record_find(const struct record *r, enum bus bus, const char *name)
{
        for (size_t i = 0; i < r->n_entries; i++)
                if (r->entries[i].bus == bus && streq(r->entries[i].name, name))
                        return &r->entries[i];
        return NULL;
}

int record_add(struct record *r, const struct record_entry *e)
{
        struct record_entry *n;

        if (r->n_entries >= RECORD_ENTRIES_MAX)
                return -E2BIG;
        n = realloc(r->entries, (r->n_entries + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        r->entries = n;
        r->entries[r->n_entries++] = *e;
        return 0;
}

unsigned record_bus_mask(const struct record *r)
{
        unsigned mask = 0;

        for (size_t i = 0; i < r->n_entries; i++)
                mask |= 1u << r->entries[i].bus;
        return mask;
}

bool record_equal(const struct record *a, const struct record *b)
{
        if (a->n_entries != b->n_entries)
                return false;
        for (size_t i = 0; i < a->n_entries; i++) {
                const struct record_entry *x = &a->entries[i], *y = &b->entries[i];

                if (x->bus != y->bus || !streq(x->name, y->name) || x->has_id != y->has_id ||
                    (x->has_id && (x->id.vendor != y->id.vendor || x->id.device != y->id.device)) ||
                    !streq(x->driver, y->driver) || !streq(x->previous, y->previous) ||
                    !streq(x->origin, y->origin) || x->has_reset_previous != y->has_reset_previous ||
                    !streq(x->reset_previous, y->reset_previous))
                        return false;
        }
        return true;
}

bool record_owns(const struct record_entry *e, const struct device *d)
{
        if (d->bus != e->bus || !streq(d->name, e->name))
                return false;
        if (e->has_id && (d->id.vendor != e->id.vendor || d->id.device != e->id.device))
                return false;
        /*
         * Someone unbound it, or cleared the override while it stays bound (a release or revert
         * killed midway does that too): still vfio-bind's. Not both: that is what a release
         * leaves when no host driver takes the device, and it must not be released again.
         */
        if (streq(d->driver_override, e->driver))
                return !d->driver[0] || streq(d->driver, e->driver);
        return !d->driver_override[0] && streq(d->driver, e->driver);
}

void record_widen_reset_offered(const struct record *r, struct snapshot *s)
{
        char m[32];

        assert(r);
        assert(s);

        for (size_t i = 0; i < s->n_devices; i++) {
                struct device *d = &s->devices[i];
                const struct record_entry *e = record_find(r, d->bus, d->name);

                if (!d->has_reset_method || !e || !e->has_reset_previous ||
                    (e->has_id && (d->id.vendor != e->id.vendor || d->id.device != e->id.device)))
                        continue;
                for (const char *p = e->reset_previous; word_next(&p, m, sizeof(m)) > 0;) {
                        size_t len = strlen(d->reset_offered);

                        if (!word_listed(d->reset_offered, m))
                                snprintf(d->reset_offered + len, sizeof(d->reset_offered) - len,
                                         "%s%s", len ? " " : "", m);
                }
        }
}

/* A driver's name as sysfs shows it: what the kernel's drivers register, nothing else. */
static bool driver_name_ok(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n >= DRIVER_NAME_MAX)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
                        return false;
        return true;
}

static bool origin_ok(const char *s)
{
        if (streq(s, RECORD_ORIGIN_HOST) || streq(s, RECORD_ORIGIN_CMDLINE))
                return true;
        if (s[0] != '/' || strlen(s) >= RECORD_ORIGIN_MAX)
                return false;
        for (; *s; s++)
                if (*s < '!' || *s > '~')
                        return false;
        return true;
}

/* "-" or a driver name, into buf ("" for "-"). */
static bool parse_driver_field(const char *s, bool allow_none, char *buf, size_t size)
{
        if (allow_none && streq(s, "-")) {
                buf[0] = '\0';
                return true;
        }
        if (!driver_name_ok(s))
                return false;
        snprintf(buf, size, "%s", s);
        return true;
}

/* One data line, split in place; false when any field is not as record_format writes it. */
static bool parse_line(char *line, struct record_entry *e)
{
        char *f[8];
        size_t n = 0;
        const char *why;

        for (char *s = line; n < ELEMENTSOF(f); n++) {
                f[n] = s;
                s = strchr(s, ' ');
                if (!s)
                        break;
                *s++ = '\0';
        }
        if (n != 5 && n != 6)
                return false;
        *e = (struct record_entry){ 0 };
        if (bus_from_name(f[0], &e->bus) < 0 || strlen(f[1]) >= sizeof(e->name))
                return false;
        if (e->bus == BUS_PCI) {
                struct pci_address a;
                char canonical[PCI_ADDRESS_MAX];

                if (pci_address_parse(f[1], false, &a, &why) < 0)
                        return false;
                pci_address_format(&a, canonical);
                if (!streq(canonical, f[1]))
                        return false;
        } else if (bus_get(e->bus)->name_valid(f[1], &why) < 0)
                return false;
        snprintf(e->name, sizeof(e->name), "%s", f[1]);
        if (!streq(f[2], "-")) {
                if (pci_id_parse(f[2], &e->id, &why) < 0)
                        return false;
                e->has_id = true;
        } else if (e->bus == BUS_PCI)
                return false;
        /* Only VFIO drivers are ever recorded: a record cannot make apply unbind anything else. */
        if (!parse_driver_field(f[3], false, e->driver, sizeof(e->driver)) ||
            !driver_is_vfio(e->driver))
                return false;
        if (!parse_driver_field(f[4], true, e->previous, sizeof(e->previous)))
                return false;
        if (!origin_ok(f[5]))
                return false;
        snprintf(e->origin, sizeof(e->origin), "%s", f[5]);
        if (n == 6) {
                static const char key[] = "reset_method=";
                const char *m = f[6] + sizeof(key) - 1;

                if (strncmp(f[6], key, sizeof(key) - 1) != 0 ||
                    strlen(m) >= sizeof(e->reset_previous) ||
                    strspn(m, "abcdefghijklmnopqrstuvwxyz_,") != strlen(m))
                        return false;
                e->has_reset_previous = true;
                for (size_t i = 0; m[i]; i++)
                        e->reset_previous[i] = m[i] == ',' ? ' ' : m[i];
        }
        return true;
}

int record_parse(const char *data, size_t size, struct record *ret, unsigned *bad_line)
{
        _cleanup_free_ char *text = NULL;
        struct record r = { 0 };
        bool magic = false;
        unsigned lineno = 0;
        char *line, *next;
        int err = 0;

        *bad_line = 0;
        /* A file cut short (or with a NUL in it) was not written by record_save. */
        if (size == 0 || data[size - 1] != '\n' || memchr(data, '\0', size))
                return *bad_line = 1, -EBADMSG;
        text = strndup(data, size);
        if (!text)
                return -ENOMEM;
        for (line = text; *line; line = next) {
                struct record_entry e;

                next = strchr(line, '\n');
                *next++ = '\0';
                lineno++;
                if (line[0] == '#')
                        continue;
                if (!magic) {
                        if (!streq(line, RECORD_MAGIC))
                                break;
                        magic = true;
                        continue;
                }
                if (!parse_line(line, &e) || record_find(&r, e.bus, e.name)) {
                        err = -EBADMSG;
                        break;
                }
                err = record_add(&r, &e);
                if (err < 0)
                        break;
        }
        if (err == 0 && !magic)
                err = -EBADMSG;
        if (err < 0) {
                *bad_line = lineno ? lineno : 1;
                record_done(&r);
                return err == -E2BIG ? -EBADMSG : err;
        }
        *ret = r;
        return 0;
}

int record_format(const struct record *r, char **ret)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# Devices vfio-bind bound, and no one changed since (vfio-bind(8), FILES).\n"
                   "# BUS NAME VENDOR:DEVICE DRIVER PREVIOUS-DRIVER ORIGIN [reset_method=PREVIOUS]\n" RECORD_MAGIC "\n");
        for (size_t i = 0; i < r->n_entries; i++) {
                const struct record_entry *e = &r->entries[i];
                char id[16] = "-";

                if (e->has_id)
                        snprintf(id, sizeof(id), "%04x:%04x", e->id.vendor, e->id.device);
                fprintf(f, "%s %s %s %s %s %s", bus_get(e->bus)->name, e->name, id, e->driver,
                        e->previous[0] ? e->previous : "-", e->origin);
                if (e->has_reset_previous) {
                        fputs(" reset_method=", f);
                        for (const char *m = e->reset_previous; *m; m++)
                                fputc(*m == ' ' ? ',' : *m, f);
                }
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

void record_origin(const char *config_path, char *buf, size_t size)
{
        _cleanup_free_ char *abs = NULL;
        const char *s;
        size_t n = 0;

        if (!config_path) {
                snprintf(buf, size, RECORD_ORIGIN_HOST);
                return;
        }
        /* The same file named two ways is one origin; a file gone since keeps its spelling. */
        abs = realpath(config_path, NULL);
        s = abs ? abs : config_path;
        if (s[0] != '/' && n + 2 < size)
                buf[n++] = '/'; /* only when realpath failed on a relative path: still an origin */
        for (; *s && n + 5 < size; s++) {
                unsigned char c = (unsigned char)*s;

                if (c < '!' || c > '~' || c == '\\')
                        n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
                else
                        buf[n++] = (char)c;
        }
        buf[n] = '\0';
}

/* The file's text, when it is a regular file of ours that no one else could have written. */
static int read_record_file(const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT
                       : errno == ELOOP ? log_warning_errno(ELOOP, "%s is a symbolic link", path)
                                        : log_warning_errno(errno, "Cannot open %s: %m", path);
        if (fstat(fd, &st) < 0)
                return log_warning_errno(errno, "Cannot stat %s: %m", path);
        if (!S_ISREG(st.st_mode))
                return log_warning_errno(EBADMSG, "%s is not a regular file", path);
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return log_warning_errno(EPERM, "%s is owned by uid %u with mode %04o: others than "
                                         "vfio-bind could have written it", path,
                                         (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        buf = malloc(RECORD_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + size, RECORD_SIZE_MAX + 1 - size);

                if (n < 0)
                        return log_warning_errno(errno, "Cannot read %s: %m", path);
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > RECORD_SIZE_MAX)
                        return log_warning_errno(EFBIG, "%s is over %d bytes", path, RECORD_SIZE_MAX);
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int record_load(const char *path, struct record *ret)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        unsigned bad_line;
        int r;

        *ret = (struct record){ 0 };
        r = read_record_file(path, &data, &size);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return log_debug("%s: no record yet: vfio-bind has bound nothing since boot", path),
                       0;
        if (r == 0) {
                r = record_parse(data, size, ret, &bad_line);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_warning("%s:%u: not a record vfio-bind wrote", path, bad_line);
        }
        if (r < 0) {
                log_warning("Ignoring %s: no device is released on its word; the next 'apply' "
                            "writes it again", path);
                return 1;
        }
        return 0;
}

static int write_all(int fd, const char *data, size_t size)
{
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

int record_save(const char *path, const struct record *r)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1, dir = -1;
        char tmp[PATH_MAX], dirname[PATH_MAX];
        char *slash;
        int err;

        err = path_join(tmp, sizeof(tmp), "%s.new", path);
        if (err >= 0)
                err = path_join(dirname, sizeof(dirname), "%s", path);
        if (err < 0)
                return err;
        slash = strrchr(dirname, '/');
        if (slash && slash != dirname)
                *slash = '\0';
        if (mkdir(dirname, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        err = record_format(r, &text);
        if (err < 0)
                return err;
        /* Under the run lock: no one else writes PATH.new; one left by a killed run is replaced. */
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
        if (fd < 0)
                return negative_errno();
        /* A umask never widens 0644, but an older file of that name may have another mode. */
        if (fchmod(fd, 0644) < 0)
                return negative_errno();
        err = write_all(fd, text, strlen(text));
        if (err == 0 && fsync(fd) < 0)
                err = negative_errno();
        if (err < 0) {
                (void)unlink(tmp);
                return err;
        }
        if (rename(tmp, path) < 0) {
                err = negative_errno();
                (void)unlink(tmp);
                return err;
        }
        /* The rename itself reaches the disk (tmpfs ignores it; /run may be something else). */
        dir = open(dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0)
                (void)fsync(dir);
        return 0;
}
