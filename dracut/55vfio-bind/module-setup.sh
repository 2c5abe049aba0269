#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2154 # hostonly, kernel, moddir, initdir, udevrulesdir, systemdsystemunitdir, SYSTEMCTL: set by dracut
#
# dracut module for vfio-bind: binds the configured PCI devices to their VFIO drivers in the
# initramfs, before udev coldplug loads the host drivers by modalias.
#
#   non-systemd initramfs: a pre-udev hook runs 'vfio-bind apply --boot'
#   systemd initramfs:     vfio-bind.service (Before=systemd-udev-trigger.service), enabled
#   both:                  70-vfio-bind.rules for devices that appear later (hotplug, VFs)
#
# VFIO_BIND_ROOT (environment of dracut, default: empty, i.e. /) is a staging root, such as the
# DESTDIR of 'make install', to take vfio-bind's own files from: the binary @SBINDIR@/vfio-bind
# and the configuration /etc/vfio-bind.yaml, /etc/vfio-bind.d/*.yaml. Everything else comes from
# the host as usual. It serves building an initramfs for a staged install, and the VM tests.
#
# (Kept parseable by 'dash -n', as 'make lint' checks every dracut/*.sh.)

vfio_bind_bin() {
    printf '%s\n' "${VFIO_BIND_ROOT:-}@SBINDIR@/vfio-bind"
}

# The configuration files, one a line: the main file, then the drop-ins in lexical order.
vfio_bind_configs() {
    local root="${VFIO_BIND_ROOT:-}" f
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

# The vfio core, and the modules the configuration needs on this host for this kernel
# (variant drivers chosen by modalias, explicit 'driver:' modules).
installkernel() {
    local bin mods rc=0 f
    bin=$(vfio_bind_bin)
    instmods vfio vfio_pci vfio_iommu_type1
    if [ -n "${VFIO_BIND_ROOT:-}" ]; then
        # -c takes one file: ask for each, the union is what the initramfs needs
        mods=$(vfio_bind_configs | while read -r f; do
            "$bin" -c "$f" modules --kver "$kernel" || exit 1
        done) || rc=1
    else
        mods=$("$bin" modules --kver "$kernel") || rc=1
    fi
    if [ "$rc" != 0 ]; then
        dwarn "vfio-bind: 'vfio-bind modules --kver $kernel' failed (above); the initramfs has only vfio, vfio_pci and vfio_iommu_type1 of vfio-bind's modules"
    fi
    if [ -n "$mods" ]; then
        # one module name a line, checked by vfio-bind: split on purpose
        # shellcheck disable=SC2086
        instmods $mods
    fi
    return 0
}

install() {
    local root="${VFIO_BIND_ROOT:-}" configs f
    # dracut-install resolves and installs the libraries (ldd)
    inst_binary "$(vfio_bind_bin)" "@SBINDIR@/vfio-bind" || return 1

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
