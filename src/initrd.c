/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "initrd.h"
#include "log.h"
#include "sysfs.h"

bool in_initrd(void)
{
        return access(INITRD_RELEASE, F_OK) == 0 ||
               (access(INITRAMFS_TOOLS_CONF, F_OK) == 0 &&
                access(INITRAMFS_TOOLS_FUNCTIONS, F_OK) == 0);
}

uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t cpu_usec(void)
{
        struct rusage ru;

        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return 0;
        return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
               (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* The same filter as the configuration loader: NAME.yaml, not hidden. */
static int yaml_filter(const struct dirent *d)
{
        size_t n = strlen(d->d_name);

        return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".yaml");
}

static const char *base_name(const char *path)
{
        const char *s = strrchr(path, '/');

        return s ? s + 1 : path;
}

/* The whole file, at most CONFIG_FILE_SIZE_MAX bytes (the loader refuses more anyway). */
static int read_file(const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        buf = malloc(CONFIG_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + size, CONFIG_FILE_SIZE_MAX + 1 - size);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > CONFIG_FILE_SIZE_MAX)
                        return -EFBIG;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int copy_file(const char *src, const char *dst)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -1;
        size_t size = 0, done = 0;
        int r;

        r = read_file(src, &data, &size);
        if (r < 0)
                return r;
        fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        while (done < size) {
                ssize_t n = write(fd, data + done, size - done);
                if (n < 0)
                        return negative_errno();
                done += (size_t)n;
        }
        return 0;
}

/* Removes a copy made by initrd_save_config (two levels, regular files only). */
static void remove_copy(const char *dir, const char *dropin_name)
{
        char sub[4096];
        struct dirent *e;
        DIR *d;

        if (path_join(sub, sizeof(sub), "%s/%s", dir, dropin_name) == 0 && (d = opendir(sub))) {
                while ((e = readdir(d)))
                        if (e->d_name[0] != '.')
                                (void)unlinkat(dirfd(d), e->d_name, 0);
                closedir(d);
                (void)rmdir(sub);
        }
        if ((d = opendir(dir))) {
                while ((e = readdir(d)))
                        if (e->d_name[0] != '.')
                                (void)unlinkat(dirfd(d), e->d_name, 0);
                closedir(d);
        }
        (void)rmdir(dir);
}

static int save_into(const char *main_path, const char *dropin_dir, const char *tmp)
{
        const char *dropin_name = base_name(dropin_dir);
        struct dirent **names = NULL;
        char path[4096], sub[4096];
        int n, r;

        if (access(main_path, F_OK) == 0) {
                r = path_join(path, sizeof(path), "%s/%s", tmp, base_name(main_path));
                if (r < 0 || (r = copy_file(main_path, path)) < 0)
                        return log_debug_errno(r, "Cannot copy %s: %m", main_path);
        }
        r = path_join(sub, sizeof(sub), "%s/%s", tmp, dropin_name);
        if (r < 0)
                return r;
        if (mkdir(sub, 0755) < 0)
                return negative_errno();
        n = scandir(dropin_dir, &names, yaml_filter, alphasort);
        if (n < 0)
                return errno == ENOENT ? 0 : negative_errno();
        r = 0;
        for (int i = 0; i < n; i++) {
                char src[4096];

                if (r == 0 &&
                    (r = path_join(src, sizeof(src), "%s/%s", dropin_dir, names[i]->d_name)) == 0 &&
                    (r = path_join(path, sizeof(path), "%s/%s", sub, names[i]->d_name)) == 0)
                        r = copy_file(src, path);
                if (r < 0)
                        log_debug_errno(r, "Cannot copy %s/%s: %m", dropin_dir, names[i]->d_name);
                free(names[i]);
        }
        free(names);
        return r;
}

int initrd_save_config(const char *main_path, const char *dropin_dir, const char *dest)
{
        char parent[4096], tmp[4096];
        int r;

        if (access(dest, F_OK) == 0)
                return 0;
        r = path_join(parent, sizeof(parent), "%s", dest);
        if (r < 0)
                return r;
        if (mkdir(dirname(parent), 0755) < 0 && errno != EEXIST)
                return negative_errno();
        /* not mkdtemp(): glibc's calls its internal mkdir, which the test bed cannot redirect */
        r = path_join(tmp, sizeof(tmp), "%s.tmp%d", dest, (int)getpid());
        if (r < 0)
                return r;
        if (mkdir(tmp, 0755) < 0 && errno == EEXIST) {
                remove_copy(tmp, base_name(dropin_dir)); /* left by a run killed midway */
                r = mkdir(tmp, 0755);
        }
        if (access(tmp, F_OK) < 0)
                return negative_errno();
        r = save_into(main_path, dropin_dir, tmp);
        if (r == 0 && rename(tmp, dest) < 0)
                r = errno == EEXIST || errno == ENOTEMPTY ? 0 : negative_errno();
        if (access(tmp, F_OK) == 0)
                remove_copy(tmp, base_name(dropin_dir));
        return r;
}

static void append(char *what, size_t size, const char *path, const char *how)
{
        size_t n = strlen(what);

        if (n + 1 >= size)
                return;
        snprintf(what + n, size - n, "%s%s %s", n ? ", " : "", path, how);
}

/* 0 same, 1 differ (described in what), < 0 error. Either file may be absent. */
static int compare_file(const char *saved, const char *now, char *what, size_t size)
{
        _cleanup_free_ char *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        int ra, rb;

        ra = read_file(saved, &a, &na);
        rb = read_file(now, &b, &nb);
        if (ra == -ENOENT && rb == -ENOENT)
                return 0;
        if (ra < 0 && ra != -ENOENT)
                return ra;
        if (rb < 0 && rb != -ENOENT)
                return rb;
        if (ra == -ENOENT) {
                append(what, size, now, "added");
                return 1;
        }
        if (rb == -ENOENT) {
                append(what, size, now, "removed");
                return 1;
        }
        if (na == nb && memcmp(a, b, na) == 0)
                return 0;
        append(what, size, now, "changed");
        return 1;
}

/* Sorted NAME.yaml entries of dir; an absent dir is empty. */
static int list_yaml(const char *dir, struct dirent ***ret)
{
        int n = scandir(dir, ret, yaml_filter, alphasort);

        if (n < 0 && errno == ENOENT) {
                *ret = NULL;
                return 0;
        }
        return n < 0 ? negative_errno() : n;
}

static void free_list(struct dirent **l, int n)
{
        for (int i = 0; i < n; i++)
                free(l[i]);
        free(l);
}

int initrd_config_compare(const char *saved, const char *main_path, const char *dropin_dir,
                          char *what, size_t size)
{
        struct dirent **old = NULL, **cur = NULL;
        char path[4096], sub[4096];
        int n_old, n_cur, r, differ = 0, i = 0, j = 0;

        what[0] = '\0';
        if (access(saved, F_OK) < 0)
                return negative_errno();
        r = path_join(path, sizeof(path), "%s/%s", saved, base_name(main_path));
        if (r < 0)
                return r;
        r = compare_file(path, main_path, what, size);
        if (r < 0)
                return r;
        differ |= r;

        r = path_join(sub, sizeof(sub), "%s/%s", saved, base_name(dropin_dir));
        if (r < 0)
                return r;
        n_old = list_yaml(sub, &old);
        if (n_old < 0)
                return n_old;
        n_cur = list_yaml(dropin_dir, &cur);
        if (n_cur < 0) {
                free_list(old, n_old);
                return n_cur;
        }
        /* Merge the two sorted lists: a name in one only was added or removed. */
        while (r >= 0 && (i < n_old || j < n_cur)) {
                int c = i >= n_old ? 1 : j >= n_cur ? -1 : strcmp(old[i]->d_name, cur[j]->d_name);
                const char *name = c <= 0 ? old[i]->d_name : cur[j]->d_name;
                char a[4096], b[4096];

                r = path_join(a, sizeof(a), "%s/%s", sub, name);
                if (r >= 0)
                        r = path_join(b, sizeof(b), "%s/%s", dropin_dir, name);
                if (r >= 0) {
                        if (c < 0)
                                append(what, size, b, "removed");
                        else if (c > 0)
                                append(what, size, b, "added");
                        r = c == 0 ? compare_file(a, b, what, size) : 1;
                }
                if (r > 0)
                        differ = 1;
                i += c <= 0;
                j += c >= 0;
        }
        free_list(old, n_old);
        free_list(cur, n_cur);
        return r < 0 ? r : differ;
}

const char *initrd_rebuild_command(const char *root)
{
        static const struct {
                const char *marker, *command;
        } tools[] = {
                /* dracut: the kernel's hook (Debian's package, kernel-install), or installed;
                 * Debian's dracut and initramfs-tools conflict, so one of them is there */
                { "/etc/kernel/postinst.d/dracut", "dracut -f" },
                { "/usr/lib/kernel/install.d/50-dracut.install", "dracut -f" },
                { "/usr/bin/dracut", "dracut -f" },
                { "/usr/sbin/dracut", "dracut -f" },
                { "/sbin/dracut", "dracut -f" },
                { "/usr/sbin/update-initramfs", "update-initramfs -u" },
                { "/sbin/update-initramfs", "update-initramfs -u" },
                /* mkinitcpio (Arch): -P rebuilds every preset, as its pacman hook does */
                { "/usr/bin/mkinitcpio", "mkinitcpio -P" },
        };
        char path[4096];

        for (size_t i = 0; i < ELEMENTSOF(tools); i++)
                if (path_join(path, sizeof(path), "%s%s", root, tools[i].marker) == 0 &&
                    access(path, F_OK) == 0)
                        return tools[i].command;
        return NULL;
}

void initrd_status_note(void)
{
        char what[1024];
        const char *fix;
        int r;

        r = initrd_config_compare(INITRD_CONFIG_COPY, CONFIG_FILE_DEFAULT,
                                  CONFIG_DROPIN_DIR_DEFAULT, what, sizeof(what));
        if (r == -ENOENT || r == 0)
                return;
        if (r < 0) {
                log_debug_errno(r, "Cannot compare with %s: %m", INITRD_CONFIG_COPY);
                return;
        }
        fix = initrd_rebuild_command("");
        log_warning("note: the initramfs this system booted with has another configuration (%s); "
                    "the next boot binds devices by the old one. Rebuild the initramfs%s%s%s.",
                    what, fix ? " with '" : "", fix ? fix : "", fix ? "'" : "");
}
