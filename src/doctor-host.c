/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doctor: the host's checks (IOMMU, kernel command line, module trees, other binders, udev). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdline.h"
#include "doctor.h"
#include "log.h"
#include "macro.h"
#include "sysfs.h"

#define IOMMU_GROUPS_DIR "/sys/kernel/iommu_groups"
#define IOMMU_CLASS_DIR "/sys/class/iommu"
#define CMDLINE_FIX_WHERE                                                                      \
        "the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub or " \
        "grub2-mkconfig -o /boot/grub2/grub.cfg; systemd-boot: /etc/kernel/cmdline, then "      \
        "kernel-install or proxmox-boot-tool refresh)"

/* The names in dir (not "." nor ".."), space-separated into buf; how many, or < 0. */
static int dir_names(const char *dir, char *buf, size_t size)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t len = 0;
        int n = 0;

        if (size)
                buf[0] = '\0';
        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                n++;
                if (len < size) {
                        int w = snprintf(buf + len, size - len, "%s%s", len ? " " : "", e->d_name);

                        len += w > 0 ? (size_t)w : 0;
                }
        }
        closedir(d);
        return n;
}

static bool cmdline_says_off(const char *cmdline, const char *key, char *value, size_t size)
{
        /* intel_iommu=on,sm_on and amd_iommu=off,...: the first option is the switch. */
        return cmdline_get(cmdline, key, value, size) && !strncmp(value, "off", 3);
}

static void check_interrupt_remapping(struct doctor *d, const char *units)
{
        char value[64], ecap[64], path[PATH_MAX], seen[256] = "";
        bool nointremap = cmdline_get(d->cmdline, "nointremap", NULL, 0);
        bool supported = false, any = false;

        if (nointremap || (cmdline_get(d->cmdline, "intremap", value, sizeof(value)) &&
                           !strncmp(value, "off", 3))) {
                doctor_row(d, "interrupt-remapping", CHECK_WARNING, NULL,
                           "remove it from " CMDLINE_FIX_WHERE,
                           "%s on the kernel command line: interrupt remapping is off, and "
                           "vfio_iommu_type1 then refuses devices unless allow_unsafe_interrupts=1",
                           nointremap ? "nointremap" : "intremap=off");
                return;
        }
        /* Intel units say it in their extended capabilities: ECAP bit 3 (IR). */
        for (const char *u = units; *u;) {
                size_t n = strcspn(u, " ");
                unsigned long long bits;

                if (path_join(path, sizeof(path), IOMMU_CLASS_DIR "/%.*s/intel-iommu/ecap", (int)n,
                              u) == 0 &&
                    sysfs_read(path, ecap, sizeof(ecap)) == 0 && sscanf(ecap, "%llx", &bits) == 1) {
                        size_t len = strlen(seen);

                        any = true;
                        supported = supported || (bits & 0x8);
                        snprintf(seen + len, sizeof(seen) - len, "%s%.*s: %s", len ? ", " : "",
                                 (int)n, u, bits & 0x8 ? "supported" : "not supported");
                }
                u += n;
                u += *u == ' ';
        }
        if (!any)
                return; /* not visible here (AMD, ARM, no IOMMU): no row rather than a guess */
        if (supported)
                doctor_row(d, "interrupt-remapping", CHECK_OK, NULL, NULL,
                           "interrupt remapping (ECAP IR) %s", seen);
        else
                doctor_row(d, "interrupt-remapping", CHECK_WARNING, NULL,
                           "vfio_iommu_type1 refuses devices without it: a firmware update or "
                           "setting may add it; else vfio_iommu_type1.allow_unsafe_interrupts=1, "
                           "which lets a guest forge interrupts",
                           "interrupt remapping (ECAP IR) %s", seen);
}

void doctor_check_iommu(struct doctor *d)
{
        char units[256], value[64], params[256] = "", off[80] = "";
        static const char *const keys[] = { "intel_iommu", "amd_iommu", "iommu" };
        int n_groups = dir_names(IOMMU_GROUPS_DIR, NULL, 0);
        int n_units = dir_names(IOMMU_CLASS_DIR, units, sizeof(units));

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                size_t len = strlen(params);

                if (!cmdline_get(d->cmdline, keys[i], value, sizeof(value)))
                        continue;
                snprintf(params + len, sizeof(params) - len, "%s%s=%s", len ? " " : "", keys[i],
                         value);
                if (!off[0] && cmdline_says_off(d->cmdline, keys[i], value, sizeof(value)))
                        snprintf(off, sizeof(off), "%s=%s", keys[i], value);
        }
        if (off[0])
                doctor_row(d, "kernel-cmdline", CHECK_ERROR, NULL,
                           "remove it from " CMDLINE_FIX_WHERE, "%s turns the IOMMU off", off);
        else
                doctor_row(d, "kernel-cmdline", CHECK_OK, NULL, NULL, "%s%s",
                           params[0] ? params : "no IOMMU parameter (the kernel's default)",
                           strstr(params, "iommu=pt") ? " (pt: host devices untranslated; VFIO's are)" : "");
        if (n_groups > 0)
                doctor_row(d, "iommu", CHECK_OK, NULL, NULL, "%d IOMMU groups; units: %s", n_groups,
                           n_units > 0 ? units : "none in " IOMMU_CLASS_DIR);
        else if (off[0])
                doctor_row(d, "iommu", CHECK_ERROR, NULL,
                           "remove it from the kernel command line (kernel-cmdline) and reboot",
                           "no IOMMU groups: %s", off);
        else if (n_units > 0)
                doctor_row(d, "iommu", CHECK_ERROR, NULL,
                           "the hardware is there but translation is off: add intel_iommu=on "
                           "to " CMDLINE_FIX_WHERE ", and reboot",
                           "no IOMMU groups; units: %s", units);
        else
                doctor_row(d, "iommu", CHECK_ERROR, NULL,
                           "enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup; on "
                           "Intel also add intel_iommu=on to " CMDLINE_FIX_WHERE "; then reboot",
                           "no IOMMU groups in " IOMMU_GROUPS_DIR ", no unit in " IOMMU_CLASS_DIR);
        check_interrupt_remapping(d, n_units > 0 ? units : "");
}

bool module_tree_builtin(const char *moddir, const char *module)
{
        _cleanup_fclose_ FILE *f = NULL;
        char path[PATH_MAX], line[PATH_MAX];

        if (path_join(path, sizeof(path), "%s/modules.builtin", moddir) < 0 ||
            !(f = fopen(path, "re")))
                return false;
        while (fgets(line, sizeof(line), f)) {
                char *base = strrchr(line, '/');
                size_t n;

                base = base ? base + 1 : line;
                n = strcspn(base, ".\n");
                if (n != strlen(module))
                        continue;
                for (size_t i = 0; i < n; i++)
                        if ((base[i] == '-' ? '_' : base[i]) != (module[i] == '-' ? '_' : module[i]))
                                goto next;
                return true;
        next:;
        }
        return false;
}

void doctor_check_module_tree(struct doctor *d, const char *kver)
{
        struct resolver *r = NULL;
        struct kmod_module *mod = NULL;
        char dir[PATH_MAX], what[80], fix[160];
        struct stat st;
        const char *path;

        snprintf(what, sizeof(what), "kernel %s%s", kver, streq(kver, d->kver) ? " (running)" : "");
        snprintf(dir, sizeof(dir), "/lib/modules/%s", kver);
        if (resolver_new(NULL, kver, &r) < 0) {
                bool there = stat(dir, &st) == 0;

                if (there)
                        snprintf(fix, sizeof(fix), "run 'depmod %s' (as root) to build its index", kver);
                else
                        snprintf(fix, sizeof(fix), "install the modules of kernel %s (its "
                                 "linux-image or kernel-modules package); minimal VMs and "
                                 "containers may have none", kver);
                doctor_row(d, "module-tree", CHECK_ERROR, NULL, fix,
                           "%s: %s %s", what, there ? "no module index (modules.dep.bin) in" : "no",
                           dir);
                if (!there)
                        log_debug("doctor: %s: %m", dir);
                return;
        }
        doctor_row(d, "module-tree", CHECK_OK, NULL, NULL, "%s: %s", what, resolver_dirname(r));
        if (module_tree_builtin(resolver_dirname(r), "vfio_pci"))
                doctor_row(d, "vfio-pci", CHECK_WARNING, NULL,
                           "nothing to load, and binding by driver_override works the same; but "
                           "its options (ids, disable_vga, disable_idle_d3) go on the kernel "
                           "command line as vfio-pci.OPTION=, not in modprobe.d",
                           "%s: vfio_pci is built in (modules.builtin)", what);
        else if (kmod_module_new_from_name(resolver_kmod(r), "vfio_pci", &mod) == 0 &&
                 (path = kmod_module_get_path(mod)))
                doctor_row(d, "vfio-pci", CHECK_OK, NULL, NULL, "%s: module %s", what, path);
        else
                doctor_row(d, "vfio-pci", CHECK_ERROR, NULL,
                           "install that kernel's full module package (Ubuntu: linux-modules-extra) "
                           "or build it with CONFIG_VFIO_PCI",
                           "%s: vfio_pci is neither a module of the tree nor built in", what);
        kmod_module_unref(mod);
        resolver_free(r);
}
