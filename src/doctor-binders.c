/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor: what else binds the same devices (vfio-pci.ids=, modprobe.d, driverctl) or stops
 * their driver (a blacklist), and whether the udev rule and the unit are installed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "doctor.h"
#include "log.h"
#include "macro.h"
#include "sysfs.h"

#define DRIVERCTL_DIR "/etc/driverctl.d"

/* modprobe.d, in kmod's order of precedence. */
static const char *const modprobe_dirs[] = {
        "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
        "/lib/modprobe.d",
};

static bool module_is(const char *a, const char *b)
{
        for (; *a && *b; a++, b++)
                if ((*a == '-' ? '_' : *a) != (*b == '-' ? '_' : *b))
                        return false;
        return *a == *b;
}

/* The module selected device i will get, "" when unknown. */
static const char *target_module(const struct doctor *d, size_t i)
{
        return d->p.targets && d->p.targets[i].error == 0 ? d->p.targets[i].module : "";
}

/* One line of a modprobe.d file: the rows it deserves. */
static int modprobe_line(struct doctor *d, const char *file, unsigned line_no, char *line)
{
        char *save = NULL, *cmd = strtok_r(line, " \t\n", &save), *mod, *rest;
        char fix[PATH_MAX + 64];
        int found = 0;

        if (!cmd || cmd[0] == '#' || !(mod = strtok_r(NULL, " \t\n", &save)))
                return 0;
        rest = strtok_r(NULL, "\n", &save);
        snprintf(fix, sizeof(fix), "remove line %u of %s", line_no, file);
        if (streq(cmd, "options") && module_is(mod, "vfio_pci") && rest && strstr(rest, "ids=")) {
                doctor_row(d, "other-binder", CHECK_WARNING, NULL, fix,
                           "options vfio-pci %s: binds every device with those ids to vfio-pci "
                           "when it loads, whatever the configuration says", rest);
                found++;
        } else if (streq(cmd, "softdep") && rest &&
                   (strstr(rest, "vfio-pci") || strstr(rest, "vfio_pci"))) {
                doctor_row(d, "other-binder", CHECK_WARNING, NULL, fix,
                           "softdep %s %s: the old way to have vfio-pci first; not needed with "
                           "vfio-bind, which binds before the host drivers load", mod, rest);
                found++;
        } else if (streq(cmd, "blacklist") || streq(cmd, "install")) {
                bool blocks = streq(cmd, "blacklist") || (rest && strstr(rest, "/bin/false")) ||
                              (rest && strstr(rest, "/bin/true"));

                for (size_t i = 0; blocks && i < d->p.selection.n_items; i++) {
                        const char *m = target_module(d, i);

                        if (!m[0] || !module_is(m, mod))
                                continue;
                        doctor_row(d, "other-binder", CHECK_ERROR,
                                   d->p.selection.items[i].device->name, fix,
                                   "%s %s%s%s (%s:%u): vfio-bind loads modules with the "
                                   "blacklist applied, so %s, which this device needs, will not "
                                   "load", cmd, mod, rest ? " " : "", strempty(rest), file, line_no,
                                   m);
                        found++;
                        break;
                }
        }
        return found;
}

static int check_modprobe_d(struct doctor *d)
{
        int found = 0;

        for (size_t i = 0; i < ELEMENTSOF(modprobe_dirs); i++) {
                struct dirent **names = NULL;
                int n = scandir(modprobe_dirs[i], &names, NULL, alphasort);

                for (int j = 0; j < n; j++) {
                        char path[PATH_MAX], line[1024];
                        size_t len = strlen(names[j]->d_name);
                        unsigned line_no = 0;
                        FILE *f;

                        if (len < 5 || !streq(names[j]->d_name + len - 5, ".conf") ||
                            path_join(path, sizeof(path), "%s/%s", modprobe_dirs[i],
                                      names[j]->d_name) < 0 ||
                            !(f = fopen(path, "re")))
                                continue;
                        while (fgets(line, sizeof(line), f))
                                found += modprobe_line(d, path, ++line_no, line);
                        fclose(f);
                }
                for (int j = 0; j < n; j++)
                        free(names[j]);
                free(names);
        }
        return found;
}

/* driverctl's saved overrides: /etc/driverctl.d/BUS-DEVICE holds the driver's name. */
static int check_driverctl(struct doctor *d)
{
        struct dirent **names = NULL;
        int n = scandir(DRIVERCTL_DIR, &names, NULL, alphasort), found = 0;

        for (int j = 0; j < n; j++) {
                const char *name = names[j]->d_name;
                char path[PATH_MAX], driver[128] = "", fix[2 * PATH_MAX];

                if (strncmp(name, "pci-", 4) ||
                    path_join(path, sizeof(path), DRIVERCTL_DIR "/%s", name) < 0)
                        continue;
                (void)sysfs_read(path, driver, sizeof(driver));
                for (size_t i = 0; i < d->p.selection.n_items; i++) {
                        const struct device *dev = d->p.selection.items[i].device;

                        if (dev->bus != BUS_PCI || !streq(dev->name, name + 4))
                                continue;
                        snprintf(fix, sizeof(fix), "driverctl unset-override %s (removes %s)",
                                 dev->name, path);
                        doctor_row(d, "other-binder", CHECK_WARNING, dev->name, fix,
                                   "driverctl sets its override to '%s' at every boot (%s), "
                                   "and the configuration selects it too", driver, path);
                        found++;
                }
        }
        for (int j = 0; j < n; j++)
                free(names[j]);
        free(names);
        return found;
}

void doctor_check_other_binders(struct doctor *d)
{
        char ids[256];
        int found = 0;

        if (cmdline_get(d->cmdline, "vfio-pci.ids", ids, sizeof(ids))) {
                doctor_row(d, "other-binder", CHECK_WARNING, NULL,
                           "remove it from the kernel command line and select those devices in "
                           "/etc/vfio-bind.yaml",
                           "vfio-pci.ids=%s on the kernel command line: vfio-pci takes every "
                           "device with those ids as it loads, variant drivers and in-use checks "
                           "aside", ids);
                found++;
        }
        found += check_modprobe_d(d);
        found += check_driverctl(d);
        if (!found)
                doctor_row(d, "other-binder", CHECK_OK, NULL, NULL,
                           "none: no vfio-pci.ids=, no vfio-pci options or softdeps in modprobe.d, "
                           "no blacklisted VFIO driver, no driverctl override of a selected device");
}

static bool first_existing(const char *const *paths, size_t n, const char **ret)
{
        for (size_t i = 0; i < n; i++)
                if (access(paths[i], F_OK) == 0) {
                        *ret = paths[i];
                        return true;
                }
        return false;
}

void doctor_check_udev(struct doctor *d)
{
        static const char *const rules[] = {
                "/etc/udev/rules.d/70-vfio-bind.rules", "/run/udev/rules.d/70-vfio-bind.rules",
                "/usr/lib/udev/rules.d/70-vfio-bind.rules", "/lib/udev/rules.d/70-vfio-bind.rules",
        };
        static const char *const units[] = {
                "/etc/systemd/system/vfio-bind.service", "/usr/lib/systemd/system/vfio-bind.service",
                "/lib/systemd/system/vfio-bind.service",
        };
        static const char *const wants[] = {
                "/etc/systemd/system/sysinit.target.wants/vfio-bind.service",
        };
        /* A configuration that cannot be loaded is still meant to bind something. */
        bool needed = !d->config_loaded || d->p.config.n_entries > 0;
        const char *path;

        if (first_existing(rules, ELEMENTSOF(rules), &path))
                doctor_row(d, "udev-rule", CHECK_OK, NULL, NULL, "%s", path);
        else
                doctor_row(d, "udev-rule", needed ? CHECK_ERROR : CHECK_OK, NULL,
                           needed ? "install vfio-bind's package (or 'make install')" : NULL,
                           "70-vfio-bind.rules not installed%s",
                           needed ? ": devices that appear later (hotplug, SR-IOV VFs) stay with "
                                    "their host drivers"
                                  : "; no configuration needs it");
        if (!first_existing(units, ELEMENTSOF(units), &path))
                doctor_row(d, "unit", needed ? CHECK_WARNING : CHECK_OK, NULL,
                           needed ? "install vfio-bind's package (or 'make install')" : NULL,
                           "vfio-bind.service not installed%s",
                           needed ? ": without an initramfs hook nothing binds at boot" : "");
        else if (first_existing(wants, ELEMENTSOF(wants), &path))
                doctor_row(d, "unit", CHECK_OK, NULL, NULL, "%s, enabled", path);
        else
                doctor_row(d, "unit", needed ? CHECK_WARNING : CHECK_OK, NULL,
                           needed ? "systemctl enable vfio-bind.service" : NULL,
                           "%s installed, not enabled%s", path,
                           needed ? ": only the initramfs binds at boot" : "");
}
