/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* dracut and systemd both mark an initramfs with this file (systemd's in_initrd() checks it). */
#define INITRD_RELEASE "/etc/initrd-release"
/*
 * initramfs-tools (Debian, Ubuntu, Proxmox) writes no initrd-release: its /init sources these two
 * files, which mkinitramfs always puts into the image and a real root does not have.
 */
#define INITRAMFS_TOOLS_CONF "/conf/initramfs.conf"
#define INITRAMFS_TOOLS_FUNCTIONS "/scripts/functions"
/* Where the early run in the initramfs keeps the configuration it used; /run survives switch-root.
 */
#define INITRD_CONFIG_COPY "/run/vfio-bind/initramfs"

/* Running in an initramfs: dracut's or systemd's (INITRD_RELEASE), or initramfs-tools'. */
bool in_initrd(void);

/*
 * In the initramfs: copy the configuration it holds (main file, drop-in *.yaml) to dest as
 * dest/<basename of main_path> and dest/<basename of dropin_dir>/NAME.yaml. The first copy of a
 * boot wins (an existing dest is left alone); written to a temporary directory, then renamed.
 */
int initrd_save_config(const char *main_path, const char *dropin_dir, const char *dest);

/*
 * Compares the copy in saved with the files now at main_path and dropin_dir. Returns 0 when they
 * are the same, 1 when they differ (what: "/etc/vfio-bind.yaml changed, /etc/vfio-bind.d/x.yaml
 * added"), -ENOENT when there is no copy, another negative errno on error.
 */
int initrd_config_compare(const char *saved, const char *main_path, const char *dropin_dir,
                          char *what, size_t size);

/*
 * The command that rebuilds the initramfs on the host below root ("" for /): "dracut -f" when
 * dracut is installed (Debian's dracut replaces initramfs-tools, so the copy then comes from an
 * initramfs dracut built), else "update-initramfs -u" (initramfs-tools' hook), else NULL.
 */
const char *initrd_rebuild_command(const char *root);

/* For status with the default configuration: a note on stderr when the initramfs used another. */
void initrd_status_note(void);

/* Early-run timing for the kernel log: a monotonic clock, and this process's CPU time (user and
 * system, module loading included), in microseconds. */
uint64_t now_usec(void);
uint64_t cpu_usec(void);
