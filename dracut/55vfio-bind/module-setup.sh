#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2154 # hostonly, kernel, srcmods, dracutsysrootdir, moddir, initdir, udevrulesdir, systemdsystemunitdir, SYSTEMCTL: set by dracut
#
# dracut module for vfio-bind: binds the configured PCI devices to their VFIO drivers in the
# initramfs, before udev coldplug loads the host drivers by modalias.
#
#   non-systemd initramfs: a pre-udev hook runs 'vfio-bind apply --boot'
#   systemd initramfs:     vfio-bind.service (Before=systemd-udev-trigger.service), enabled
#   both:                  70-vfio-bind.rules for devices that appear later (hotplug, VFs)
#
# Building for another machine: the module tree dracut was given (--kmoddir, else
# --sysroot's /lib/modules/VER: dracut's $srcmods) is what 'vfio-bind modules --moddir' reads,
# and with --sysroot ($dracutsysrootdir) vfio-bind's own files come from that root: the binary
# @SBINDIR@/vfio-bind (installed, and run for 'modules' and 'validate': it must be able to run
# on the build host, as any binary dracut runs from a sysroot) and the configuration
# /etc/vfio-bind.yaml, /etc/vfio-bind.d/*.yaml. An 'id' entry brings the variant drivers that
# can match it even when the build host has no such device ('vfio-bind modules').
#
# VFIO_BIND_ROOT (environment of dracut, default: dracut's --sysroot, else /) is a staging root,
# such as the DESTDIR of 'make install', to take vfio-bind's own files from instead. Everything
# else comes from the host (or the sysroot) as usual. It serves building an initramfs for a
# staged install, and the VM tests. With --sysroot it must lie inside the sysroot: dracut-install
# takes every file from there.
#
# (Kept parseable by 'dash -n', as 'make lint' checks every dracut/*.sh.)

vfio_bind_root() {
    printf '%s\n' "${VFIO_BIND_ROOT:-${dracutsysrootdir:-}}"
}

vfio_bind_bin() {
    printf '%s\n' "$(vfio_bind_root)@SBINDIR@/vfio-bind"
}

# What goes into the image as @SBINDIR@/vfio-bind: the initramfs copy (boot.mk: only the verbs
# early boot runs, libyaml and json-c linked in) when the package has it, else the tool itself.
vfio_bind_image_bin() {
    local boot
    boot="$(vfio_bind_root)@BOOTLIBDIR@/vfio-bind-boot"
    if [ -x "$boot" ]; then
        printf '%s\n' "$boot"
    else
        vfio_bind_bin
    fi
}

# The configuration files, one a line: the main file, then the drop-ins in lexical order.
vfio_bind_configs() {
    local root f
    root=$(vfio_bind_root)
    if [ -f "$root/etc/vfio-bind.yaml" ]; then
        printf '%s\n' "$root/etc/vfio-bind.yaml"
    fi
    for f in "$root"/etc/vfio-bind.d/*.yaml; do
        if [ -f "$f" ]; then
            printf '%s\n' "$f"
        fi
    done
}

# 0 in host-only mode when there is a configuration, 255 (only when asked for) otherwise,
# 1 without the binary.
check() {
    if ! [ -x "$(vfio_bind_bin)" ]; then
        dinfo "dracut module 'vfio-bind' will not be installed: $(vfio_bind_bin) not found"
        return 1
    fi
    if [ -n "$hostonly" ] && [ -n "$(vfio_bind_configs)" ]; then
        return 0
    fi
    return 255
}

# udev-rules: the rule needs udev in the initramfs (the early run itself does not).
depends() {
    echo udev-rules
    return 0
}

# The vfio core, and the modules the configuration needs for this kernel, from the module tree
# dracut was given (variant drivers chosen by modalias for the devices of this host, those that
# can match an absent device's 'id', explicit 'driver:' modules).
installkernel() {
    local bin mods rc=0 f tree
    bin=$(vfio_bind_bin)
    tree=${srcmods:-${dracutsysrootdir:-}/lib/modules/$kernel}
    tree=${tree%/}
    instmods vfio vfio_pci vfio_iommu_type1
    if [ -n "$(vfio_bind_root)" ]; then
        # -c takes one file: ask for each, the union is what the initramfs needs
        mods=$(vfio_bind_configs | while read -r f; do
            "$bin" -c "$f" modules --kver "$kernel" --moddir "$tree" || exit 1
        done) || rc=1
    else
        mods=$("$bin" modules --kver "$kernel" --moddir "$tree") || rc=1
    fi
    if [ "$rc" != 0 ]; then
        dwarn "vfio-bind: 'vfio-bind modules --kver $kernel --moddir $tree' failed (above); the initramfs has only vfio, vfio_pci and vfio_iommu_type1 of vfio-bind's modules"
    fi
    if [ -n "$mods" ]; then
        # one module name a line, checked by vfio-bind: split on purpose
        # shellcheck disable=SC2086
        instmods $mods
    fi
    return 0
}

install() {
    local root configs f
    root=$(vfio_bind_root)
    # dracut-install resolves and installs the libraries (ldd)
    inst_binary "$(vfio_bind_image_bin)" "@SBINDIR@/vfio-bind" || return 1

    configs=$(vfio_bind_configs)
    if [ -z "$configs" ]; then
        dwarn "vfio-bind: no $root/etc/vfio-bind.yaml nor $root/etc/vfio-bind.d/*.yaml: the initramfs binds only what rd.vfio-bind.devices= names"
    else
        printf '%s\n' "$configs" | while read -r f; do
            inst_simple -H "$f" "${f#"$root"}"
        done
        # shellcheck disable=SC2086 # file names from vfio_bind_configs, one a line
        if ! (IFS='
'; "$(vfio_bind_bin)" validate $configs > /dev/null); then
            dwarn "vfio-bind: the configuration has errors (above): at boot vfio-bind logs them and binds nothing"
        fi
    fi

    inst_simple "$moddir/70-vfio-bind.rules" "${udevrulesdir:-/lib/udev/rules.d}/70-vfio-bind.rules"

    if dracut_module_included "systemd"; then
        inst_simple "$moddir/vfio-bind.service" "$systemdsystemunitdir/vfio-bind.service"
        $SYSTEMCTL -q --root "$initdir" enable vfio-bind.service
    else
        inst_hook pre-udev 30 "$moddir/vfio-bind-pre-udev.sh"
    fi
    return 0
}
