#!/bin/bash
# 'vfio-bind doctor' on the test bed: a healthy host (tests/doctor/healthy.host) reports all ok;
# one host per failure, each the healthy one plus the failure, reports it with its fix; the
# initramfs images are cpio archives built here (an uncompressed early archive first, then a
# gzip or zstd one), read with libarchive; doctor writes nothing (the bed's event log and files).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

HOST=tests/doctor/healthy.host
KVER=6.1.0-testbed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Paths doctor reads that the bed does not redirect by default.
export TESTBED_ISOLATE=1
export TESTBED_REDIRECT=/boot:/proc/iomem:/etc/udev:/usr/lib/udev:/lib/udev:/etc/systemd:/usr/lib/systemd:/lib/systemd
N=0

# bed [--sed EXPR] [EXTRA-LINE...]: a fresh bed of the healthy host (edited by EXPR) plus these
# lines, in $BED, with the configuration that selects the GPU and its audio (one group: viable).
bed() {
    local edit=''
    if [ "${1:-}" = --sed ]; then edit=$2; shift 2; fi
    N=$((N + 1))
    BED=$work/bed$N
    { sed -e "$edit" "$HOST"; printf '%s\n' "$@"; } >"$work/host$N"
    tests/testbed/mkbed "$work/host$N" "$BED" >/dev/null || { not_ok "mkbed host$N"; return 1; }
    conf <<'EOF'
version: 1
devices:
  - address: "0000:01:00.0"
  - address: "0000:01:00.1"
EOF
}

conf() { cat >"$BED/etc/vfio-bind.yaml" && chmod 0644 "$BED/etc/vfio-bind.yaml"; }

# image FILE COMPRESSOR [--no-module NAME] [--no-config]: an initramfs as the hooks build it
# from the bed's files (binary, configuration, rule, vfio modules), after an uncompressed early
# microcode archive.
image() {
    local out=$1 comp=$2 skip='' noconf=0 root=$work/root early=$work/early m
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
            --no-module) skip=$2; shift ;;
            --no-config) noconf=1 ;;
        esac
        shift
    done
    rm -rf "$root" "$early"
    mkdir -p "$root/usr/sbin" "$root/etc" "$root/usr/lib/udev/rules.d" \
        "$root/usr/lib/modules/$KVER/kernel/drivers/testbed" "$early/kernel/x86/microcode"
    echo microcode >"$early/kernel/x86/microcode/GenuineIntel.bin"
    cp "$VB" "$root/usr/sbin/vfio-bind"
    [ "$noconf" = 1 ] || cp "$BED/etc/vfio-bind.yaml" "$root/etc/vfio-bind.yaml"
    cp "$BED/usr/lib/udev/rules.d/70-vfio-bind.rules" "$root/usr/lib/udev/rules.d/"
    for m in "$BED/lib/modules/$KVER/kernel/drivers/testbed/"*.ko; do
        case ${m##*/} in "$skip.ko" | "${skip//_/-}.ko") continue ;; esac
        cp "$m" "$root/usr/lib/modules/$KVER/kernel/drivers/testbed/"
    done
    mkdir -p "$(dirname "$out")"
    { (cd "$early" && find . | cpio -o -H newc --quiet)
      (cd "$root" && find . | cpio -o -H newc --quiet) | $comp; } >"$out"
}

doctor() {
    OUT=$(tests/testbed/run "$BED" -- "$VB" doctor "$@" 2>"$work/err")
    RC=$?
}

# row CHECK [DEVICE]: the rows of that check (and device) as "result|seen|fix", from --json.
row() {
    python3 -c '
import json, sys
doc = json.loads(sys.stdin.read())["doctor"]
for r in doc["checks"]:
    if r["check"] == sys.argv[1] and (len(sys.argv) < 3 or r["device"] == sys.argv[2]):
        print("%s|%s|%s" % (r["result"], r["seen"], r["fix"]))
' "$@" <<<"$OUT"
}

results() {
    python3 -c '
import json, sys
doc = json.loads(sys.stdin.read())["doctor"]
print(" ".join(sorted(set(r["result"] for r in doc["checks"]))))' <<<"$OUT"
}

# --- a healthy host: every check ok, exit 0
bed
image "$BED/boot/initrd.img-$KVER" gzip
touch "$work/stamp"
sleep 1
doctor --json
check "healthy: exit 0" 0 "$RC"
check "healthy: every check ok" ok "$(results)"
check_contains "healthy: the IOMMU: groups and units" "ok|2 IOMMU groups; units: dmar0" "$(row iommu)"
check_contains "healthy: interrupt remapping seen in dmar0's ECAP" "dmar0: supported" "$(row interrupt-remapping)"
check_contains "healthy: the image read (early cpio, then gzip)" "plain cpio + gzip cpio): the binary, the configuration as on disk, the rule, the modules" "$(row initramfs)"
check_contains "healthy: the group is viable" "group 10: 0000:01:00.0 (selected), 0000:01:00.1 (selected), viable" "$(row iommu-group 0000:01:00.0)"
check_contains "healthy: the resolution and the alias that won" "vfio_pci by alias vfio_pci:v*d*sv*sd*bc*sc*i*" "$(row resolution 0000:01:00.0)"
check_contains "healthy: reset methods" "reset_method: flr bus" "$(row reset 0000:01:00.0)"
check_contains "healthy: a VGA device that is not the boot one, its memory free" "not the boot VGA device; no firmware framebuffer" "$(row boot-framebuffer 0000:01:00.0)"
check_contains "healthy: unit enabled" "enabled" "$(row unit)"
check "read-only: no event in the bed's log" "" "$(cat "$BED/testbed/log" 2>/dev/null)"
check "read-only: no file of the bed changed" "" "$(find "$BED" -newer "$work/stamp" ! -type d | grep -v "/testbed/lock$")"
# The same two checks see a command that writes: apply on a copy of this bed.
cp -a "$BED" "$work/applied" && touch "$work/stamp2" && sleep 1
tests/testbed/run "$work/applied" -- "$VB" apply >/dev/null 2>&1
check_contains "read-only check can fail: apply logs its binds" "bind 0000:01:00.0 vfio-pci" "$(cat "$work/applied/testbed/log")"
check_contains "read-only check can fail: apply changes files" "driver_override" "$(find "$work/applied" -newer "$work/stamp2" ! -type d)"
doctor
check "healthy: the table, exit 0" 0 "$RC"
check_contains "healthy: the table has the columns" "CHECK" "$(head -n1 <<<"$OUT")"
doctor -o check,result --raw
check_contains "healthy: -o and --raw" "iommu ok" "$OUT"

# zstd, and an image named as dracut names them
bed
image "$BED/boot/initramfs-$KVER.img" "zstd -q -c"
doctor --json
check_contains "zstd image (dracut's name): read" "plain cpio + zstd cpio" "$(row initramfs)"
check "zstd image: exit 0" 0 "$RC"

# An image dracut built (no kernel: the bed's modules come with the files), zstd: read as well.
if command -v dracut >/dev/null; then
    image "$work/unused.img" cat
    if dracut --no-kernel --no-hostonly -m base --compress=zstd --include "$work/root" / --force \
        --tmpdir "$work" "$work/dracut.img" >"$work/dracut.log" 2>&1; then
        doctor --json --initramfs "$work/dracut.img"
        check_contains "dracut's image: read, all there" "ok|$work/dracut.img (kernel $KVER; zstd cpio): the binary, the configuration as on disk, the rule, the modules" "$(row initramfs)"
    else
        not_ok "dracut --no-kernel failed: $(tail -n 3 "$work/dracut.log")"
    fi
else
    echo "# no dracut: an image it builds is not read here"
fi

# --- the IOMMU off: no groups, intel_iommu=off
bed "cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=off"
rm -rf "$BED/sys/kernel/iommu_groups"/* "$BED/sys/bus/pci/devices/"*/iommu_group
image "$BED/boot/initrd.img-$KVER" gzip
doctor --json
check "IOMMU off: exit 1" 1 "$RC"
check_contains "IOMMU off: the command line says it, with the fix" "error|intel_iommu=off turns the IOMMU off|remove it from the kernel command line (GRUB_CMDLINE_LINUX" "$(row kernel-cmdline)"
check_contains "IOMMU off: no groups, error" "error|no IOMMU groups: intel_iommu=off" "$(row iommu)"
check_contains "IOMMU off: each device has no group" "error|no IOMMU group: VFIO drivers refuse it|enable the IOMMU" "$(row iommu-group 0000:01:00.0)"

# --- IOMMU off in the firmware: no unit either
bed "cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro"
rm -rf "$BED/sys/kernel/iommu_groups"/* "$BED/sys/bus/pci/devices/"*/iommu_group "$BED/sys/class/iommu"
doctor --json
check_contains "IOMMU not enabled: the firmware and the command line to change" "error|no IOMMU groups in /sys/kernel/iommu_groups, no unit in /sys/class/iommu|enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup" "$(row iommu)"

# --- vfio_pci built in
bed --sed 's/^module vfio_pci file=.*/module vfio_pci driver=vfio-pci override-ids=*:* state=builtin/'
image "$BED/boot/initrd.img-$KVER" gzip
doctor --json
check_contains "vfio_pci built in: a warning with what it changes" "warning|kernel $KVER (running): vfio_pci is built in (modules.builtin)|nothing to load" "$(row vfio-pci)"
check_contains "vfio_pci built in: ... options on the command line" "vfio-pci.OPTION=" "$(row vfio-pci)"
check "vfio_pci built in: the image need not carry it" ok "$(row initramfs | cut -d'|' -f1 | sort -u)"

# --- a stale initramfs: the configuration changed after the image was built
bed
image "$BED/boot/initrd.img-$KVER" gzip
printf '  - address: "0000:03:00.0"\n    optional: true\n' >>"$BED/etc/vfio-bind.yaml"
doctor --json
check "stale initramfs: exit 1" 1 "$RC"
check_contains "stale initramfs: said, with the rebuild" "error|/boot/initrd.img-$KVER: stale: /etc/vfio-bind.yaml differs from the one on disk (built before the configuration changed)|rebuild it" "$(row initramfs)"
bed
image "$BED/boot/initrd.img-$KVER" gzip --no-config
doctor --json
check_contains "initramfs without the configuration" "stale: /etc/vfio-bind.yaml is not in it" "$(row initramfs)"

# --- a missing module: in the image, and in the module tree
bed
image "$BED/boot/initrd.img-$KVER" gzip --no-module vfio_pci
doctor --json
check "module missing from the image: exit 1" 1 "$RC"
check_contains "module missing from the image: named, with the rebuild" "error|/boot/initrd.img-$KVER: modules the configuration needs on kernel $KVER are not in it: vfio_pci|rebuild it" "$(row initramfs)"
bed --sed '/^module vfio_pci file=/d'
doctor --json
check "vfio_pci not in the tree: exit 1" 1 "$RC"
check_contains "vfio_pci not in the tree: said, with the fix" "error|kernel $KVER (running): vfio_pci is neither a module of the tree nor built in|install that kernel's full module package" "$(row vfio-pci)"
check_contains "vfio_pci not in the tree: the device cannot be resolved" "error|" "$(row resolution 0000:01:00.0)"
doctor --json --kver 6.9.9-absent
check_contains "--kver: a kernel without a module tree" "error|kernel 6.9.9-absent: no /lib/modules/6.9.9-absent|install the modules of kernel 6.9.9-absent" "$(row module-tree)"

# --- vfio-pci.ids= on the command line, in modprobe.d; a blacklist of the module needed
bed "cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on vfio-pci.ids=10de:2204,10de:1aef" \
    "modprobe-conf vfio.conf options vfio-pci ids=10de:2204" "modprobe-conf vfio.conf softdep nvidia pre: vfio-pci"
image "$BED/boot/initrd.img-$KVER" gzip
doctor --json
check_contains "vfio-pci.ids= on the command line: a warning, the fix" "warning|vfio-pci.ids=10de:2204,10de:1aef on the kernel command line: vfio-pci takes every device with those ids as it loads" "$(row other-binder)"
check_contains "options vfio-pci ids= in modprobe.d: the file and line" "remove line 1 of /etc/modprobe.d/vfio.conf" "$(row other-binder)"
check_contains "softdep: said" "softdep nvidia pre: vfio-pci" "$(row other-binder)"
bed "modprobe-conf nogpu.conf blacklist vfio_pci"
doctor --json
check_contains "blacklisted VFIO module: an error for the device" "error|blacklist vfio_pci (/etc/modprobe.d/nogpu.conf:1)" "$(row other-binder 0000:01:00.0)"
bed
mkdir -p "$BED/etc/driverctl.d" && echo vfio-pci >"$BED/etc/driverctl.d/pci-0000:01:00.0"
doctor --json
check_contains "driverctl override of a selected device" "warning|driverctl sets its override to 'vfio-pci' at every boot (/etc/driverctl.d/pci-0000:01:00.0), and the configuration selects it too|driverctl unset-override 0000:01:00.0" "$(row other-binder 0000:01:00.0)"

# --- the firmware framebuffer holds the boot GPU's memory
bed --sed 's/^\(device 0000:01:00.0 .*\)$/\1 boot_vga/; s/ boot_vga console$/ console/' \
    "file /proc/iomem d0000000-d02fffff : BOOTFB"
doctor --json
check "framebuffer on the boot GPU: exit 1" 1 "$RC"
check_contains "framebuffer on the boot GPU: said, with the fix" "error|BOOTFB holds d0000000-d02fffff in this GPU's memory (the boot VGA device): vfio-pci cannot reserve that BAR|add initcall_blacklist=sysfb_init" "$(row boot-framebuffer 0000:01:00.0)"

# --- a group that is not viable: the audio function stays with the host
bed
printf 'version: 1\ndevices:\n  - address: "0000:01:00.0"\n' | conf
doctor --json
check "non-viable group: exit 1" 1 "$RC"
check_contains "non-viable group: the member that stays, the fix" "error|group 10: 0000:01:00.0 (selected), 0000:01:00.1 (snd_hda_intel): not viable, 0000:01:00.1 stays with the host|select 0000:01:00.1 too" "$(row iommu-group 0000:01:00.0)"

# --- no reset method; the rule missing
bed
: >"$BED/sys/bus/pci/devices/0000:01:00.1/reset_method"
rm "$BED/usr/lib/udev/rules.d/70-vfio-bind.rules" "$BED/etc/systemd/system/sysinit.target.wants/vfio-bind.service"
doctor --json
check_contains "no reset method: a warning" "warning|no reset method" "$(row reset 0000:01:00.1)"
check_contains "no udev rule: an error" "error|70-vfio-bind.rules not installed" "$(row udev-rule)"
check_contains "unit not enabled: the fix" "warning|/usr/lib/systemd/system/vfio-bind.service installed, not enabled: only the initramfs binds at boot|systemctl enable vfio-bind.service" "$(row unit)"

# --- a configuration that cannot be used: an error, and the rule still counts as needed
bed
printf 'version: 1\ndevices: [\n' | conf
rm "$BED/usr/lib/udev/rules.d/70-vfio-bind.rules"
doctor --json
check "broken configuration: exit 1" 1 "$RC"
check_contains "broken configuration: said, with the fix" "error|/etc/vfio-bind.yaml cannot be used (the errors are above)|vfio-bind validate" "$(row config)"
check_contains "broken configuration: its errors on stderr" "/etc/vfio-bind.yaml:" "$(cat "$work/err")"
check_contains "broken configuration: the rule is still needed" "error|70-vfio-bind.rules not installed: devices" "$(row udev-rule)"

# --- usage
doctor --bogus
check "usage: unknown option, exit 2" 2 "$RC"
doctor --kver a/b
check "usage: a bad --kver, exit 2" 2 "$RC"
doctor extra
check "usage: an operand, exit 2" 2 "$RC"
doctor --initramfs "$work/none.img" --json
check_contains "an image that cannot be read: said" "error|$work/none.img: cannot read it: No such file or directory" "$(row initramfs)"
# a directory given for the image: said so (mmap's "No such device" was)
doctor --initramfs "$work" --json
check_contains "a directory for an image: said" "error|$work: cannot read it: it is a directory" "$(row initramfs)"

summary
