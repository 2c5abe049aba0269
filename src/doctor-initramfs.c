/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor: what each initramfs image holds of vfio-bind, read with libarchive (opened with
 * dlopen: only doctor needs it, and the copy of the binary in the initramfs must not).
 *
 * An image is one or more cpio archives one after the other, as the kernel unpacks them
 * (init/initramfs.c): uncompressed ones first (early microcode, firmware), NUL padding between
 * them, then usually one compressed archive. libarchive reads one archive at a time, so the end
 * of each uncompressed one is found from its newc headers and the next is opened from there.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "dynlib.h"
#include "initrd.h"
#include "log.h"
#include "macro.h"
#include "verbs.h"

#define LIBARCHIVE_SONAME "libarchive.so.13"
#define BOOT_DIR "/boot"
#define CONFIG_FILE_MAX (1024 * 1024) /* as config.c: a configuration is small */
#define NEWC_HEADER 110

static struct {
        struct archive *(*read_new)(void);
        int (*support_filter_all)(struct archive *);
        int (*support_format_all)(struct archive *);
        int (*open_memory)(struct archive *, const void *, size_t);
        int (*next_header)(struct archive *, struct archive_entry **);
        la_ssize_t (*read_data)(struct archive *, void *, size_t);
        const char *(*error_string)(struct archive *);
        const char *(*filter_name)(struct archive *, int);
        int (*read_free)(struct archive *);
        const char *(*entry_pathname)(struct archive_entry *);
        __LA_MODE_T (*entry_filetype)(struct archive_entry *);
} la;

static int libarchive_load(char *why, size_t size)
{
#define SYM(field, name) DYNLIB_SYMBOL(typeof(la), field, name)
        static const struct dynlib_symbol symbols[] = {
                SYM(read_new, archive_read_new),
                SYM(support_filter_all, archive_read_support_filter_all),
                SYM(support_format_all, archive_read_support_format_all),
                SYM(open_memory, archive_read_open_memory),
                SYM(next_header, archive_read_next_header),
                SYM(read_data, archive_read_data),
                SYM(error_string, archive_error_string),
                SYM(filter_name, archive_filter_name),
                SYM(read_free, archive_read_free),
                SYM(entry_pathname, archive_entry_pathname),
                SYM(entry_filetype, archive_entry_filetype),
        };
#undef SYM
        static int loaded; /* 0 not tried, 1 loaded, < 0 failed */
        static char reason[256];

        if (!loaded)
                loaded = dynlib_open(LIBARCHIVE_SONAME, symbols, ELEMENTSOF(symbols), &la, reason,
                                     sizeof(reason)) < 0 ? -EOPNOTSUPP : 1;
        snprintf(why, size, "%s", reason);
        return loaded < 0 ? loaded : 0;
}

struct image_config {
        char path[PATH_MAX]; /* as on the host: "/etc/vfio-bind.yaml" */
        char *data;
        size_t size;
};

struct image {
        char **paths; /* every entry, without a leading "./" or "/" */
        size_t n_paths;
        struct image_config *configs;
        size_t n_configs;
        char layers[128]; /* "cpio + gzip cpio" */
};

static void image_done(struct image *img)
{
        for (size_t i = 0; i < img->n_paths; i++)
                free(img->paths[i]);
        free(img->paths);
        for (size_t i = 0; i < img->n_configs; i++)
                free(img->configs[i].data);
        free(img->configs);
}

static bool is_config_path(const char *p)
{
        return streq(p, "etc/vfio-bind.yaml") || !fnmatch("etc/vfio-bind.d/*.yaml", p, FNM_PATHNAME);
}

static int keep_config(struct archive *a, const char *path, struct image *img)
{
        struct image_config *grown, *c;

        grown = realloc(img->configs, (img->n_configs + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        img->configs = grown;
        c = &grown[img->n_configs];
        *c = (struct image_config){ 0 };
        snprintf(c->path, sizeof(c->path), "/%s", path);
        if (!(c->data = malloc(CONFIG_FILE_MAX)))
                return -ENOMEM;
        img->n_configs++;
        for (la_ssize_t n; c->size < CONFIG_FILE_MAX &&
                           (n = la.read_data(a, c->data + c->size, CONFIG_FILE_MAX - c->size)) != 0;) {
                if (n < 0)
                        return -EIO;
                c->size += (size_t)n;
        }
        return 0;
}

/* One archive of the image: its entries into img. */
static int read_member(const unsigned char *data, size_t size, struct image *img, char *why,
                       size_t why_size)
{
        struct archive *a = la.read_new();
        struct archive_entry *e;
        size_t len = strlen(img->layers);
        int r = 0, st;

        if (!a)
                return -ENOMEM;
        la.support_filter_all(a);
        la.support_format_all(a);
        if (la.open_memory(a, data, size) != ARCHIVE_OK) {
                snprintf(why, why_size, "%s", la.error_string(a));
                la.read_free(a);
                return -EBADMSG;
        }
        while ((st = la.next_header(a, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN) {
                const char *p = la.entry_pathname(e);
                char **grown;

                if (!p)
                        continue;
                while (p[0] == '.' && p[1] == '/')
                        p += 2;
                while (*p == '/')
                        p++;
                if (!(grown = realloc(img->paths, (img->n_paths + 1) * sizeof(*grown))) ||
                    !(grown[img->n_paths] = strdup(p))) {
                        if (grown)
                                img->paths = grown;
                        r = -ENOMEM;
                        break;
                }
                img->paths = grown;
                img->n_paths++;
                if (la.entry_filetype(e) == AE_IFREG && is_config_path(p) &&
                    (r = keep_config(a, p, img)) < 0)
                        break;
        }
        if (r == 0 && st != ARCHIVE_EOF) {
                snprintf(why, why_size, "%s", la.error_string(a));
                r = -EBADMSG;
        }
        snprintf(img->layers + len, sizeof(img->layers) - len, "%s%s cpio", len ? " + " : "",
                 streq(la.filter_name(a, 0), "none") ? "plain" : la.filter_name(a, 0));
        la.read_free(a);
        return r;
}

static int hex8(const unsigned char *p, size_t *ret)
{
        char buf[9];
        char *end;

        memcpy(buf, p, 8);
        buf[8] = '\0';
        *ret = strtoul(buf, &end, 16);
        return *end ? -EBADMSG : 0;
}

/* The length of the uncompressed newc archive at data, its trailer included; or -EBADMSG. */
static ssize_t newc_length(const unsigned char *data, size_t size)
{
        size_t off = 0;

        while (off + NEWC_HEADER <= size && !memcmp(data + off, "07070", 5)) {
                size_t file_size, name_size;

                if (hex8(data + off + 54, &file_size) < 0 || hex8(data + off + 94, &name_size) < 0)
                        return -EBADMSG;
                if (name_size > size - off - NEWC_HEADER)
                        return -EBADMSG;
                bool trailer = name_size == sizeof("TRAILER!!!") &&
                               !memcmp(data + off + NEWC_HEADER, "TRAILER!!!", name_size);
                off = (off + NEWC_HEADER + name_size + 3) & ~(size_t)3;
                if (file_size > size - off)
                        return trailer ? (ssize_t)size : -EBADMSG;
                off = (off + file_size + 3) & ~(size_t)3;
                if (trailer)
                        return (ssize_t)(off < size ? off : size);
        }
        return -EBADMSG;
}

static int image_read(const char *path, struct image *img, char *why, size_t why_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        const unsigned char *data;
        struct stat st;
        size_t off = 0;
        int r = 0;

        if (fd < 0 || fstat(fd, &st) < 0) {
                snprintf(why, why_size, "%s", strerror(errno));
                return -errno;
        }
        /* mmap() of a directory or a FIFO says "No such device", which names nothing here. */
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, why_size, "%s", S_ISDIR(st.st_mode) ? "it is a directory"
                                                                   : "not a regular file");
                return -EINVAL;
        }
        if (st.st_size == 0) {
                snprintf(why, why_size, "empty file");
                return -EBADMSG;
        }
        data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) {
                snprintf(why, why_size, "%s", strerror(errno));
                return -errno;
        }
        while (r == 0 && off < (size_t)st.st_size) {
                size_t left;
                ssize_t n;

                /* The kernel skips NUL padding between the archives. */
                while (off < (size_t)st.st_size && data[off] == 0)
                        off++;
                if (off >= (size_t)st.st_size)
                        break;
                left = (size_t)st.st_size - off;
                n = memcmp(data + off, "07070", left < 5 ? left : 5) ? -1 : newc_length(data + off, left);
                if (n < 0) { /* compressed: the rest of the file */
                        r = read_member(data + off, left, img, why, why_size);
                        break;
                }
                r = read_member(data + off, (size_t)n, img, why, why_size);
                off += (size_t)n;
        }
        munmap((void *)data, (size_t)st.st_size);
        return r;
}

/* The entry whose path matches pattern (fnmatch, '/' matched by '*' too). */
static const char *image_find(const struct image *img, const char *pattern)
{
        for (size_t i = 0; i < img->n_paths; i++)
                if (!fnmatch(pattern, img->paths[i], 0))
                        return img->paths[i];
        return NULL;
}


/* Whether the image holds module for kernel kver ('-' and '_' alike, any compression). */
static bool image_has_module(const struct image *img, const char *kver, const char *module)
{
        char prefix[PATH_MAX];
        int n = snprintf(prefix, sizeof(prefix), "lib/modules/%s/", kver);

        for (size_t i = 0; i < img->n_paths; i++) {
                const char *p = img->paths[i], *base;
                size_t len;

                if (!strncmp(p, "usr/", 4))
                        p += 4;
                if (strncmp(p, prefix, (size_t)n) || !(base = strrchr(p, '/')))
                        continue;
                base++;
                len = strcspn(base, ".");
                if (len != strlen(module) || strncmp(base + len, ".ko", 3))
                        continue;
                for (size_t j = 0; j <= len; j++) {
                        if (j == len)
                                return true;
                        if ((base[j] == '-' ? '_' : base[j]) != (module[j] == '-' ? '_' : module[j]))
                                break;
                }
        }
        return false;
}

/* The kernel an image is for: from its name (initrd.img-VER, initramfs-VER.img), else from it. */
static void image_kver(const char *path, const struct image *img, char *kver, size_t size)
{
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const char *dir;
        size_t n;

        kver[0] = '\0';
        if (!strncmp(base, "initrd.img-", 11))
                snprintf(kver, size, "%s", base + 11);
        else if (!strncmp(base, "initramfs-", 10) && (n = strlen(base)) > 14 &&
                 streq(base + n - 4, ".img"))
                snprintf(kver, size, "%.*s", (int)(n - 14), base + 10);
        else if (!strncmp(base, "initrd-", 7))
                snprintf(kver, size, "%s", base + 7);
        if (kver[0] && kver_valid(kver)) {
                char dirname[PATH_MAX];
                struct stat st;

                snprintf(dirname, sizeof(dirname), "/lib/modules/%s", kver);
                if (stat(dirname, &st) == 0 || image_find(img, "*lib/modules/*") == NULL)
                        return;
        }
        /* Arch's initramfs-linux.img names no version: the image's module directory does. */
        kver[0] = '\0';
        if ((dir = image_find(img, "lib/modules/?*/*")) || (dir = image_find(img, "usr/lib/modules/?*/*"))) {
                dir = strstr(dir, "modules/") + 8;
                snprintf(kver, size, "%.*s", (int)strcspn(dir, "/"), dir);
        }
}

static void rebuild_fix(const char *image, const char *kver, char *buf, size_t size)
{
        const char *base = strrchr(image, '/') ? strrchr(image, '/') + 1 : image;
        const char *cmd = initrd_rebuild_command("");

        if (!strncmp(base, "initramfs-linux", 15))
                snprintf(buf, size, "rebuild it: mkinitcpio -P");
        else if (cmd && !strncmp(cmd, "dracut", 6))
                snprintf(buf, size, "rebuild it: dracut -f %s %s", image, kver);
        else if (cmd)
                snprintf(buf, size, "rebuild it: update-initramfs -u -k %s", kver);
        else
                snprintf(buf, size, "rebuild it with the initramfs generator of kernel %s", kver);
}

/* The configuration files on disk (main file, drop-ins), as the hooks copy them. */
static int disk_configs(struct image_config **ret, size_t *ret_n)
{
        struct dirent **names = NULL;
        struct image_config *c = calloc(1, sizeof(*c));
        size_t n = 0;
        int n_names, r = 0;

        if (!c)
                return -ENOMEM;
        snprintf(c[0].path, sizeof(c[0].path), "%s", CONFIG_FILE_DEFAULT);
        n_names = scandir(CONFIG_DROPIN_DIR_DEFAULT, &names, NULL, alphasort);
        for (int i = 0; i < n_names; i++) {
                size_t len = strlen(names[i]->d_name);
                struct image_config *grown;

                if (len > 5 && streq(names[i]->d_name + len - 5, ".yaml") &&
                    (grown = realloc(c, (n + 2) * sizeof(*c)))) {
                        c = grown;
                        c[++n] = (struct image_config){ 0 };
                        snprintf(c[n].path, sizeof(c[n].path), CONFIG_DROPIN_DIR_DEFAULT "/%s",
                                 names[i]->d_name);
                }
                free(names[i]);
        }
        free(names);
        n++;
        /* Read each; a file that is not there leaves the list. */
        for (size_t i = 0; i < n;) {
                FILE *f = fopen(c[i].path, "re");

                if (f && (c[i].data = malloc(CONFIG_FILE_MAX)))
                        c[i].size = fread(c[i].data, 1, CONFIG_FILE_MAX, f);
                if (f)
                        fclose(f);
                if (!c[i].data) {
                        memmove(&c[i], &c[i + 1], (n - i - 1) * sizeof(*c));
                        n--;
                } else
                        i++;
        }
        *ret = c;
        *ret_n = n;
        return r;
}

static const struct image_config *config_find(const struct image_config *c, size_t n,
                                              const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (streq(c[i].path, path))
                        return &c[i];
        return NULL;
}

/* What of the configuration differs between the image and the disk, into buf; how many. */
static int config_differences(const struct image *img, const struct image_config *disk,
                              size_t n_disk, char *buf, size_t size)
{
        size_t len = 0;
        int n = 0;

#define SAY(...)                                                                               \
        do {                                                                                   \
                int w = snprintf(buf + len, size - len, __VA_ARGS__);                           \
                len = w > 0 && (size_t)w < size - len ? len + (size_t)w : len;                  \
                n++;                                                                           \
        } while (0)
        buf[0] = '\0';
        for (size_t i = 0; i < n_disk; i++) {
                const struct image_config *in = config_find(img->configs, img->n_configs, disk[i].path);

                if (!in)
                        SAY("%s%s is not in it", n ? "; " : "", disk[i].path);
                else if (in->size != disk[i].size || memcmp(in->data, disk[i].data, in->size))
                        SAY("%s%s differs from the one on disk", n ? "; " : "", disk[i].path);
        }
        for (size_t i = 0; i < img->n_configs; i++)
                if (!config_find(disk, n_disk, img->configs[i].path))
                        SAY("%sit has %s, which is no longer on disk", n ? "; " : "",
                            img->configs[i].path);
#undef SAY
        return n;
}

/* The modules of the configuration for kver that the image lacks, into buf; how many, < 0. */
static int missing_modules(struct doctor *d, const struct image *img, const char *kver, char *buf,
                           size_t size)
{
        struct resolver *saved = d->p.resolver, *r = NULL;
        char **names = NULL, moddir[PATH_MAX];
        size_t n = 0, len = 0;
        int missing = 0, err;

        buf[0] = '\0';
        if (!d->config_loaded || resolver_new(NULL, kver, &r) < 0)
                return -ENOENT;
        d->p.resolver = r;
        err = modules_needed(&d->p, LOG_DEBUG, &names, &n);
        d->p.resolver = saved;
        snprintf(moddir, sizeof(moddir), "%s", resolver_dirname(r));
        for (size_t i = 0; err >= 0 && i < n + 2; i++) {
                /* What the hooks always add, unless built in. */
                const char *m = i < n ? names[i] : i == n ? "vfio" : "vfio_iommu_type1";
                int w;

                if (module_tree_builtin(moddir, m) || image_has_module(img, kver, m))
                        continue;
                w = snprintf(buf + len, size - len, "%s%s", len ? " " : "", m);
                len = w > 0 && (size_t)w < size - len ? len + (size_t)w : len;
                missing++;
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        resolver_free(r);
        return err < 0 ? err : missing;
}

static void check_image(struct doctor *d, const char *path, const struct image_config *disk,
                        size_t n_disk)
{
        struct image img = { 0 };
        char why[256] = "", kver[KVER_MAX], fix[PATH_MAX + 96], diff[512], mods[256], ok[256];
        bool bad = false;
        int r;

        r = libarchive_load(why, sizeof(why));
        if (r < 0) {
                doctor_row(d, "initramfs", CHECK_WARNING, NULL, "install libarchive",
                           "%s: cannot read it: " LIBARCHIVE_SONAME " cannot be loaded (%s)", path, why);
                return;
        }
        r = image_read(path, &img, why, sizeof(why));
        if (r < 0 && img.n_paths == 0) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, NULL, "%s: cannot read it: %s", path, why);
                goto finish;
        }
        image_kver(path, &img, kver, sizeof(kver));
        rebuild_fix(path, kver[0] ? kver : "VER", fix, sizeof(fix));
        if (r < 0)
                doctor_row(d, "initramfs", CHECK_WARNING, NULL, NULL,
                           "%s: read %zu entries (%s), then: %s", path, img.n_paths, img.layers, why);
        if (n_disk == 0 && img.n_configs == 0) {
                doctor_row(d, "initramfs", CHECK_OK, NULL, NULL,
                           "%s (%s): no configuration on disk nor in it: nothing to bind early",
                           path, img.layers);
                goto finish;
        }
        if (!image_find(&img, "*bin/vfio-bind")) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, fix,
                           "%s: no vfio-bind binary in it: nothing binds early", path);
                bad = true;
        }
        if (config_differences(&img, disk, n_disk, diff, sizeof(diff)) > 0) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, fix,
                           "%s: stale: %s (built before the configuration changed)", path, diff);
                bad = true;
        }
        if (!image_find(&img, "*/rules.d/70-vfio-bind.rules")) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, fix,
                           "%s: no 70-vfio-bind.rules in it: devices that appear during the "
                           "initramfs (VFs, hotplug) go to their host drivers", path);
                bad = true;
        }
        r = kver[0] ? missing_modules(d, &img, kver, mods, sizeof(mods)) : -ENOENT;
        if (r > 0) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, fix,
                           "%s: modules the configuration needs on kernel %s are not in it: %s",
                           path, kver, mods);
                bad = true;
        } else if (r < 0)
                doctor_row(d, "initramfs", CHECK_WARNING, NULL, NULL,
                           "%s: which modules it needs is not known: no module tree for kernel %s",
                           path, kver[0] ? kver : "(none named)");
        if (!bad) {
                snprintf(ok, sizeof(ok), "%s", r == 0 ? ", the modules" : "");
                doctor_row(d, "initramfs", CHECK_OK, NULL, NULL,
                           "%s (kernel %s; %s): the binary, the configuration as on disk, the "
                           "rule%s", path, kver[0] ? kver : "unknown", img.layers, ok);
        }
finish:
        image_done(&img);
}

static int image_name_filter(const struct dirent *e)
{
        return !fnmatch("initrd.img-*", e->d_name, 0) || !fnmatch("initramfs-*.img", e->d_name, 0) ||
               (!fnmatch("initrd-*", e->d_name, 0) && !strstr(e->d_name, ".old"));
}

void doctor_check_initramfs(struct doctor *d)
{
        struct image_config *disk = NULL;
        size_t n_disk = 0;
        int r;

        r = disk_configs(&disk, &n_disk);
        if (r < 0) {
                doctor_row(d, "initramfs", CHECK_ERROR, NULL, NULL, "out of memory");
                return;
        }
        if (d->images)
                for (size_t i = 0; d->images[i]; i++)
                        check_image(d, d->images[i], disk, n_disk);
        else {
                struct dirent **names = NULL;
                int n = scandir(BOOT_DIR, &names, image_name_filter, alphasort);

                if (n <= 0)
                        doctor_row(d, "initramfs", n_disk ? CHECK_WARNING : CHECK_OK, NULL,
                                   n_disk ? "name the image with --initramfs FILE" : NULL,
                                   "no initramfs image in " BOOT_DIR " (initrd.img-VER, "
                                   "initramfs-VER.img, initrd-VER)%s",
                                   n_disk ? ": the early run cannot be checked" : "");
                for (int i = 0; i < n; i++) {
                        char path[PATH_MAX];

                        snprintf(path, sizeof(path), BOOT_DIR "/%s", names[i]->d_name);
                        check_image(d, path, disk, n_disk);
                        free(names[i]);
                }
                free(names);
        }
        for (size_t i = 0; i < n_disk; i++)
                free(disk[i].data);
        free(disk);
}
