/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libudev.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "discover.h"
#include "log.h"
#include "sysfs.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)

/* The first problem found is the one reported. */
_printf_(2, 3) static void set_problem(struct device *d, const char *fmt, ...)
{
        va_list ap;

        if (d->problem[0])
                return;
        va_start(ap, fmt);
        vsnprintf(d->problem, sizeof(d->problem), fmt, ap);
        va_end(ap);
}

int device_attr_path(const struct device *d, const char *attr, char *path, size_t size)
{
        const char *dir = bus_get(d->bus)->devices_dir;

        if (!*attr)
                return path_join(path, size, "%s/%s", dir, d->name);
        return path_join(path, size, "%s/%s/%s", dir, d->name, attr);
}

/*
 * dir: the device's directory, opened once by discovery, so that each attribute costs one
 * lookup; -1 (a refresh after a write): the attribute's whole path.
 */
static int read_link_attr(const struct device *d, int dir, const char *attr, char *buf,
                          size_t size)
{
        char path[256];
        int r;

        if (dir >= 0)
                return sysfs_read_link_name_at(dir, attr, buf, size);
        r = device_attr_path(d, attr, path, sizeof(path));
        if (r < 0)
                return r;
        return sysfs_read_link_name(path, buf, size);
}

static int read_text_attr(const struct device *d, int dir, const char *attr, char *buf,
                          size_t size)
{
        char path[256];
        int r;

        if (dir >= 0)
                return sysfs_read_at(dir, attr, buf, size);
        r = device_attr_path(d, attr, path, sizeof(path));
        if (r < 0)
                return r;
        return sysfs_read(path, buf, size);
}

/* An attribute that is there but cannot be read as text is said to be malformed, not missing. */
static bool attr_missing(int r)
{
        return r < 0 && r != -E2BIG && r != -EBADMSG;
}

static int read_id(struct device *d, int dir, const char *attr, unsigned digits, uint32_t *ret)
{
        char v[SYSFS_VALUE_MAX];
        int r = read_text_attr(d, dir, attr, v, sizeof(v));

        if (r < 0 || parse_hex_attr(v, digits, ret) < 0) {
                set_problem(d, "sysfs attribute '%s' is %s", attr,
                            attr_missing(r) ? "missing" : "not a hex number");
                *ret = 0;
                return -EBADMSG;
        }
        return 0;
}

/* A decimal count as sysfs gives it, at most 65535 (the SR-IOV counts are u16). */
static int parse_count(const char *v, unsigned *ret)
{
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || end == v || (*end && *end != '\n') || n > SRIOV_NUMVFS_MAX)
                return -EINVAL;
        *ret = (unsigned)n;
        return 0;
}

static unsigned read_uint_attr(struct device *d, int dir, const char *attr)
{
        char v[SYSFS_VALUE_MAX];
        unsigned n;

        if (read_text_attr(d, dir, attr, v, sizeof(v)) < 0 || parse_count(v, &n) < 0)
                return 0;
        return n;
}

/*
 * The driver link and driver_override, and reset_method when with_reset. *what says which
 * went wrong: -EBADMSG the link names no driver, -ENOLINK it points to a driver that is not
 * there, -E2BIG a value is too long.
 */
static int refresh(struct device *d, int dir, bool with_reset, const char **what)
{
        char buf[SYSFS_VALUE_MAX], path[256];
        struct stat st;
        int r;

        *what = "driver";
        r = read_link_attr(d, dir, "driver", d->driver, sizeof(d->driver));
        if (r == -ENOENT)
                d->driver[0] = '\0';
        else if (r < 0)
                return r;
        else if (dir >= 0 ? fstatat(dir, "driver", &st, 0) < 0 && errno == ENOENT
                          : device_attr_path(d, "driver", path, sizeof(path)) == 0 &&
                                    stat(path, &st) < 0 && errno == ENOENT)
                return -ENOLINK; /* the kernel removes the link before the driver */
        *what = "driver_override";
        r = read_text_attr(d, dir, "driver_override", buf, sizeof(buf));
        /* Gone (hot-unplugged, removed, surprise-removed) rather than unbound. */
        if (r == -ENOENT &&
            device_attr_path(d, "", path, sizeof(path)) == 0 &&
            access(path, F_OK) < 0 && errno == ENOENT)
                return -ENODEV;
        if (r == -ENOENT || (r == 0 && streq(buf, "(null)")))
                d->driver_override[0] = '\0';
        else if (r < 0)
                return r;
        else if (strlen(buf) >= sizeof(d->driver_override))
                return -E2BIG;
        else
                strcpy(d->driver_override, buf);
        if (!with_reset)
                return 0;
        /* Optional: older kernels, and devices without a reset, have none. */
        r = d->bus == BUS_PCI ? read_text_attr(d, dir, "reset_method", buf, sizeof(buf)) : -ENOENT;
        d->has_reset_method = r == 0 && strlen(buf) < sizeof(d->reset_method);
        if (d->has_reset_method)
                strcpy(d->reset_method, buf);
        else
                d->reset_method[0] = '\0';
        strcpy(d->reset_offered, d->reset_method); /* same size */
        return 0;
}

static void read_iommu_group(struct device *d, int dir)
{
        char buf[64];
        int r;

        d->iommu_group = -1;
        r = read_link_attr(d, dir, "iommu_group", buf, sizeof(buf));
        if (r == 0) {
                char *end;
                long g;

                errno = 0;
                g = strtol(buf, &end, 10);
                if (errno == 0 && *end == '\0' && end != buf && g >= 0 && g < 1000000)
                        d->iommu_group = (int)g;
                else
                        /* Not "no IOMMU": that would send the user to the firmware settings. */
                        set_problem(d, "sysfs link 'iommu_group' points to '%.40s', not a group number",
                                    buf);
        } else if (r != -ENOENT)
                set_problem(d, "cannot read sysfs link 'iommu_group': %s", strerror(-r));
}

int device_refresh(struct device *d)
{
        const char *what;

        return refresh(d, -1, true, &what);
}

int device_refresh_binding(struct device *d)
{
        const char *what;

        return refresh(d, -1, false, &what);
}

static void refresh_problem(struct device *d, const char *what, int r)
{
        char target[SYSFS_VALUE_MAX] = "";
        char path[256];

        if (streq(what, "driver")) {
                if (device_attr_path(d, "driver", path, sizeof(path)) == 0) {
                        ssize_t n = readlink(path, target, sizeof(target) - 1);
                        target[n > 0 ? n : 0] = '\0';
                }
                if (r == -ENOLINK)
                        set_problem(d, "sysfs link 'driver' points to '%.60s', which does not exist",
                                    target);
                else if (r == -EBADMSG || r == -E2BIG)
                        set_problem(d, "sysfs link 'driver' does not name a driver: '%.60s'", target);
                else
                        set_problem(d, "cannot read sysfs link 'driver': %s", strerror(-r));
        } else if (r == -E2BIG)
                set_problem(d, "sysfs attribute 'driver_override' is too long for a driver name");
        else
                set_problem(d, "cannot read sysfs attribute 'driver_override': %s", strerror(-r));
}

/*
 * platform, fsl-mc, cdx: the name, modalias, driver, driver_override and IOMMU group are all
 * that selection and binding need. PCI's ids, class and SR-IOV do not apply.
 */
static void fill_other_device(struct udev_device *u, struct device *d)
{
        const char *s = udev_device_get_sysattr_value(u, "modalias"), *what;
        int r;

        if (s && strlen(s) < sizeof(d->modalias)) {
                strcpy(d->modalias, s);
                d->modalias[strcspn(d->modalias, "\n")] = '\0';
        } else if (s)
                set_problem(d, "sysfs attribute 'modalias' is too long");
        r = refresh(d, -1, true, &what);
        if (r < 0)
                refresh_problem(d, what, r);
        read_iommu_group(d, -1);
        d->vf_index = -1;
        d->boot_vga = -1;
        if (d->bus == BUS_FSL_MC) {
                /* Objects are children of their container's device, which is on fsl-mc too. */
                struct udev_device *parent = udev_device_get_parent_with_subsystem_devtype(
                        u, bus_get(BUS_FSL_MC)->name, NULL);
                const char *name = parent ? udev_device_get_sysname(parent) : NULL;

                if (name && strlen(name) < sizeof(d->container))
                        strcpy(d->container, name);
        }
}

/*
 * vfio-pci takes only normal (type 0) headers: bridges are refused at probe. The header type is
 * in the first 64 bytes of config space, which sysfs lets anyone read. Without it, the class
 * says what a bridge's header is.
 */
int pci_read_header_type_at(int dirfd, const char *config_path)
{
        _cleanup_close_ int fd = -1;
        uint8_t config[64];
        ssize_t n;

        fd = openat(dirfd, config_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = pread(fd, config, sizeof(config), 0);
        if (n < 0)
                return -errno;
        return pci_config_header_type(config, (size_t)n);
}

int pci_read_header_type(const char *config_path)
{
        return pci_read_header_type_at(AT_FDCWD, config_path);
}

static void read_header_type(struct device *d, int dir)
{
        d->header_type = pci_read_header_type_at(dir, "config");
        if (d->header_type < 0)
                d->header_type = pci_class_header_type(d->class_code);
}

/*
 * dir: the device's directory in sysfs. -EBADMSG when an ID or the class cannot be read (problem
 * says which); the rest is filled.
 */
static int fill_device(struct device *d, int dir)
{
        struct pci_modalias m;
        uint32_t v;
        char buf[SYSFS_VALUE_MAX];
        const char *what;
        int r, ids;

        ids = read_id(d, dir, "vendor", 4, &v);
        d->id.vendor = (uint16_t)v;
        ids |= read_id(d, dir, "device", 4, &v);
        d->id.device = (uint16_t)v;
        ids |= read_id(d, dir, "subsystem_vendor", 4, &v);
        d->subsystem.vendor = (uint16_t)v;
        ids |= read_id(d, dir, "subsystem_device", 4, &v);
        d->subsystem.device = (uint16_t)v;
        ids |= read_id(d, dir, "class", 6, &d->class_code);
        read_header_type(d, dir);

        r = read_text_attr(d, dir, "modalias", buf, sizeof(buf));
        buf[strcspn(buf, "\n")] = '\0';
        if (attr_missing(r))
                set_problem(d, "sysfs attribute 'modalias' is missing");
        else if (r == -E2BIG || strlen(buf) >= sizeof(d->modalias))
                set_problem(d, "sysfs attribute 'modalias' is too long");
        else if (r < 0 || pci_modalias_parse(buf, &m) < 0)
                set_problem(d, "sysfs attribute 'modalias' is not a PCI modalias");
        else
                strcpy(d->modalias, buf);

        r = refresh(d, dir, true, &what);
        if (r < 0)
                refresh_problem(d, what, r);

        read_iommu_group(d, dir);

        if (read_link_attr(d, dir, "physfn", buf, sizeof(buf)) == 0) {
                const char *why;
                if (pci_address_parse(buf, false, &d->physfn, &why) == 0)
                        d->is_virtfn = true;
        }
        d->sriov_totalvfs = read_uint_attr(d, dir, "sriov_totalvfs");
        d->sriov_numvfs = read_uint_attr(d, dir, "sriov_numvfs");

        d->boot_vga = -1;
        if (read_text_attr(d, dir, "boot_vga", buf, sizeof(buf)) == 0)
                d->boot_vga = buf[0] == '1';
        return ids ? -EBADMSG : 0;
}

static int fsl_mc_nesting(const struct snapshot *s, const struct device *d)
{
        int depth = 0;

        while (d && d->bus == BUS_FSL_MC && d->container[0] && depth < FSL_MC_NESTING_MAX) {
                d = snapshot_find_name(s, BUS_FSL_MC, d->container);
                depth++;
        }
        return depth;
}

static int device_compare_void(const void *a, const void *b)
{
        return device_compare(a, b);
}

/* A new zeroed device at the end of s, or NULL when out of memory. */
static struct device *snapshot_append(struct snapshot *s, size_t *allocated)
{
        if (s->n_devices == *allocated) {
                size_t n = *allocated ? *allocated * 2 : 64;
                struct device *grown = realloc(s->devices, n * sizeof(*grown));

                if (!grown)
                        return NULL;
                s->devices = grown;
                *allocated = n;
        }
        s->devices[s->n_devices] = (struct device){ 0 };
        return &s->devices[s->n_devices++];
}

/*
 * PCI: the kernel's list in /sys/bus/pci/devices, as pciutils reads it. libudev's enumeration
 * walks each entry's path component by component and checks its subsystem (~55 syscalls a
 * device, more than reading all its attributes), which a directory of that one bus needs not.
 */
static int scan_pci(struct snapshot *s, size_t *allocated)
{
        _cleanup_(closedirp) DIR *devices = opendir(SYSFS_PCI_DEVICES);
        struct dirent *de;

        if (!devices)
                return errno == ENOENT ? 0 : -errno; /* no PCI bus */
        while ((errno = 0, de = readdir(devices))) {
                _cleanup_close_ int dir = -1;
                struct pci_address a;
                struct device *d;
                const char *why;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (bus_get(BUS_PCI)->name_valid(de->d_name, &why) < 0 ||
                    pci_address_parse(de->d_name, false, &a, &why) < 0) {
                        log_warning("Ignoring PCI device with unexpected name '%s'", de->d_name);
                        continue;
                }
                /* Its directory: each attribute is then one lookup relative to it. */
                dir = openat(dirfd(devices), de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dir < 0)
                        continue; /* gone since the listing */
                d = snapshot_append(s, allocated);
                if (!d)
                        return -ENOMEM;
                d->bus = BUS_PCI;
                d->address = a;
                pci_address_format(&a, d->name);
                (void)fill_device(d, dir); /* kept with its problem, for the report */
        }
        return errno > 0 ? -errno : 0;
}

/* The other buses, through libudev. */
static int scan_bus(struct udev *udev, enum bus bus, struct snapshot *s, size_t *allocated)
{
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        const struct bus_ops *ops = bus_get(bus);
        struct udev_list_entry *entry;
        int r;

        e = udev_enumerate_new(udev);
        if (!e)
                return -ENOMEM;
        r = udev_enumerate_add_match_subsystem(e, ops->name);
        if (r < 0)
                return r;
        r = udev_enumerate_scan_devices(e);
        if (r < 0)
                return r;

        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e))
        {
                _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
                const char *name, *why;
                struct device *d;

                u = udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
                if (!u)
                        continue; /* gone since the scan */
                name = udev_device_get_sysname(u);
                if (!name || ops->name_valid(name, &why) < 0) {
                        log_debug("Ignoring %s device with unexpected name '%s': %s", ops->name,
                                  strempty(name), name ? why : "none");
                        continue;
                }
                d = snapshot_append(s, allocated);
                if (!d)
                        return -ENOMEM;
                d->bus = bus;
                snprintf(d->name, sizeof(d->name), "%s", name);
                fill_other_device(u, d);
        }
        return 0;
}

/* The device name the PF's virtfnK link names. */
static int virtfn_name(const char *pf, unsigned k, char *name, size_t size)
{
        char path[256];
        int r;

        r = path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/virtfn%u", pf, k);
        return r < 0 ? r : sysfs_read_link_name(path, name, size);
}

int sriov_vf_index(const char *pf, const char *vf)
{
        char path[256], name[PCI_ADDRESS_MAX + 8], value[16];
        unsigned numvfs;

        if (path_join(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_numvfs", pf) < 0 ||
            sysfs_read(path, value, sizeof(value)) < 0 || parse_count(value, &numvfs) < 0)
                return -ENOENT;
        /* As sriov_discover: a link missing below sriov_numvfs (a VF removed) is skipped. */
        for (unsigned k = 0; k < numvfs; k++)
                if (virtfn_name(pf, k, name, sizeof(name)) == 0 && streq(name, vf))
                        return (int)k;
        return -ENOENT;
}

static void sriov_discover(struct snapshot *s)
{
        for (size_t i = 0; i < s->n_devices; i++)
                s->devices[i].vf_index = -1;
        for (size_t i = 0; i < s->n_devices; i++) {
                struct device *pf = &s->devices[i];

                if (pf->is_virtfn || pf->sriov_totalvfs == 0)
                        continue;
                /*
                 * virtfnK for K below sriov_numvfs, each looked at: one VF removed by hand (its
                 * link gone, or left dangling) must not take their indexes from the VFs after it.
                 */
                for (unsigned k = 0; k < pf->sriov_numvfs && k < pf->sriov_totalvfs; k++) {
                        char name[PCI_ADDRESS_MAX + 8];
                        struct pci_address a;
                        struct device *vf;
                        const char *why;

                        if (virtfn_name(pf->name, k, name, sizeof(name)) < 0 ||
                            pci_address_parse(name, false, &a, &why) < 0) {
                                pf->sriov_vfs_missing++;
                                continue;
                        }
                        vf = (struct device *)snapshot_find(s, &a);
                        if (vf && vf->is_virtfn && pci_address_compare(&vf->physfn, &pf->address) == 0)
                                vf->vf_index = (int)k;
                        else
                                pf->sriov_vfs_missing++;
                }
        }
}

int discover_snapshot_buses(unsigned bus_mask, unsigned flags, struct snapshot *ret)
{
        _cleanup_(udev_unrefp) struct udev *udev = NULL;
        struct snapshot s = { 0 };
        size_t allocated = 0;
        int r;

        /* Other buses only when asked for: a PCI-only run reads nothing more than before. */
        for (enum bus b = BUS_PCI; b < _BUS_MAX; b++) {
                if (b != BUS_PCI && !(bus_mask & (1u << b)))
                        continue;
                if (b != BUS_PCI && !udev) {
                        udev = udev_new();
                        if (!udev) {
                                snapshot_done(&s);
                                return -ENOMEM;
                        }
                }
                r = b == BUS_PCI ? scan_pci(&s, &allocated) : scan_bus(udev, b, &s, &allocated);
                if (r < 0) {
                        snapshot_done(&s);
                        return r;
                }
        }
        for (size_t i = 0; i < s.n_devices; i++)
                s.devices[i].nesting = fsl_mc_nesting(&s, &s.devices[i]);
        if (s.n_devices)
                qsort(s.devices, s.n_devices, sizeof(*s.devices), device_compare_void);
        sriov_discover(&s);
        discover_identity(s.devices, s.n_devices, flags);
        *ret = s;
        return 0;
}

int discover_one(enum bus bus, const char *name, struct device *ret)
{
        _cleanup_(udev_unrefp) struct udev *udev = NULL;
        _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
        const char *why;
        int r = 0;

        *ret = (struct device){ .bus = bus, .iommu_group = -1, .vf_index = -1, .boot_vga = -1 };
        if (bus_get(bus)->name_valid(name, &why) < 0 ||
            (bus == BUS_PCI && pci_address_parse(name, false, &ret->address, &why) < 0))
                return -EINVAL;
        udev = udev_new();
        if (!udev)
                return -ENOMEM;
        u = udev_device_new_from_subsystem_sysname(udev, bus_get(bus)->name, name);
        if (!u)
                return -ENODEV;
        if (bus == BUS_PCI) {
                _cleanup_close_ int dir = open(udev_device_get_syspath(u),
                                               O_PATH | O_DIRECTORY | O_CLOEXEC);

                if (dir < 0)
                        return -ENODEV;
                pci_address_format(&ret->address, ret->name);
                r = fill_device(ret, dir);
                discover_identity(ret, 1, DISCOVER_SERIALS);
        } else {
                snprintf(ret->name, sizeof(ret->name), "%s", name);
                fill_other_device(u, ret);
        }
        /* A VF's index among its PF's virtfnK links: only a snapshot sets it otherwise. */
        if (ret->is_virtfn) {
                char pf[PCI_ADDRESS_MAX];
                int k;

                pci_address_format(&ret->physfn, pf);
                k = sriov_vf_index(pf, ret->name);
                ret->vf_index = k < 0 ? -1 : k;
        }
        return r;
}

int discover_snapshot(struct snapshot *ret)
{
        return discover_snapshot_buses(0, DISCOVER_SERIALS, ret);
}
