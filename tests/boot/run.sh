#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/boot/run.sh -- suite "boot": the early-boot entry points on the test bed (no root, no
# real /sys; the VM suite tests/vm/run.sh is the real kernel's word):
#   apply --boot   before coldplug, kernel log, rd.vfio-bind=0, rd.vfio-bind.devices=, a broken
#                  configuration, the initramfs's configuration copy and 'status' about it
#   udev ADDRESS   the udev rule's entry point: not selected, hotplug with the host driver
#                  bound, in sync, disabled, broken configuration logged once, bad arguments
# Last line "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
export TESTBED_REDIRECT=/etc/initrd-release:/conf:/scripts

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# bed NAME [CMDLINE-EXTRA] [e1000e state: unloaded|loaded]: two e1000e NICs, groups 2 and 3.
# unloaded: the state before coldplug (no driver); loaded: both on e1000e (a hotplug with the
# host driver in the kernel).
bed() {
    local name=$1 extra=${2:-} state=${3:-unloaded} drv=
    [ "$state" = loaded ] && drv="driver=e1000e"
    cat > "$work/$name.host" <<EOF
kver 6.1.0-testbed
cmdline BOOT_IMAGE=/vmlinuz root=/dev/vda1 intel_iommu=on $extra
module vfio
module vfio_iommu_type1 depends=vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module e1000e driver=e1000e ids=8086:10d3 state=$state
device 0000:00:02.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=2 $drv
device 0000:00:03.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=3 $drv
${BED_EXTRA:-}
EOF
    B=$work/$name
    tests/testbed/mkbed "$work/$name.host" "$B" > /dev/null || { not_ok "mkbed $name"; return 1; }
    printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n' > "$B/etc/vfio-bind.yaml"
}
in_bed() { tests/testbed/run "$B" -- "$@"; }
state() { tests/testbed/dump "$B" | sed -n "s/^device $1 //p"; }
kmsg() { cat "$B/dev/kmsg"; }

# --- apply --boot in the initramfs, before coldplug
bed early && touch "$B/etc/initrd-release"
in_bed "$VB" apply --boot > "$work/out" 2>&1
check "early: apply --boot exits 0" 0 $?
check "early: 0000:00:02.0 on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:02.0)"
check "early: its twin untouched" "driver=- override=-" "$(state 0000:00:03.0)"
check "early: kernel log: start, device, done (levels 6)" \
    "<6>vfio-bind: early run starting in the initramfs|<6>vfio-bind: 0000:00:02.0: bound to vfio-pci|<6>vfio-bind: early run done in X ms (X ms CPU): 1 device selected, 1 bound, 0 failed" \
    "$(kmsg | sed 's/in [0-9.]* ms ([0-9.]* ms CPU)/in X ms (X ms CPU)/' | paste -sd '|')"
check "early: no table (the kernel log has it all), nothing on stderr" "" "$(cat "$work/out")"
if cmp -s "$B/etc/vfio-bind.yaml" "$B/run/vfio-bind/initramfs/vfio-bind.yaml"; then
    ok "early: the configuration is copied to /run/vfio-bind/initramfs/"
else
    not_ok "early: no copy in /run/vfio-bind/initramfs/"
fi
in_bed modprobe e1000e
check "coldplug after it: e1000e takes the twin only" "driver=e1000e|driver=vfio-pci override=vfio-pci" \
    "$(state 0000:00:03.0 | cut -d' ' -f1)|$(state 0000:00:02.0)"
check "coldplug after it: e1000e never bound 0000:00:02.0" "" "$(grep 'bind 0000:00:02.0 e1000e' "$B/testbed/log")"
check "order: override of 0000:00:02.0 before e1000e registers" "driver_override 0000:00:02.0 vfio-pci|register e1000e" \
    "$(grep -E '^(driver_override 0000:00:02.0|register e1000e)' "$B/testbed/log" | paste -sd '|')"

# --- serial numbers: the early run prints no row, so it reads none unless an entry selects by one
# (each costs up to ~15 reads of config space per device; strace shows them as preads past the
# 64-byte header, which only the serial's capability walk makes)
dsn=a0369fffff123456
config_preads() { # ARGS...: vfio-bind ARGS's preads of config space beyond the header
    # (stderr aside: LeakSanitizer says there that it cannot run under ptrace)
    in_bed strace -f -e trace=openat,pread64 -o "$work/strace" "$VB" "$@" > "$work/out" 2> "$work/err"
    awk '/openat\(/ { delete fd[$NF] } /openat\(.*\/config", / { fd[$NF] = 1 }
         /pread64\(/ { split($0, a, /[(,)]/); off = a[5] + 0
                        if (a[2] in fd && off >= 64) n++ }
         END { print n + 0 }' "$work/strace"
}
if command -v strace > /dev/null; then
    BED_EXTRA="device 0000:00:05.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=5 dsn=$dsn" \
        bed serials && touch "$B/etc/initrd-release"
    check "serials: an address entry: no config space read past the header" 0 "$(config_preads apply --boot)"
    check "serials: ... and it binds" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:02.0)"
    BED_EXTRA="device 0000:00:05.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=5 dsn=$dsn" \
        bed serials && touch "$B/etc/initrd-release"
    printf 'version: 1\ndevices:\n  - serial: "a0-36-9f-ff-ff-12-34-56"\n' > "$B/etc/vfio-bind.yaml"
    n=$(config_preads apply --boot)
    check "serials: a serial entry reads them (preads past the header)" yes "$([ "$n" -gt 0 ] && echo yes || echo "no: $n")"
    check "serials: ... and binds the card with that serial" "driver=vfio-pci override=vfio-pci|driver=- override=-" \
        "$(state 0000:00:05.0)|$(state 0000:00:02.0)"
    BED_EXTRA="device 0000:00:05.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=5 dsn=$dsn" \
        bed serials "rd.vfio-bind.devices=serial:a0-36-9f-ff-ff-12-34-56" && touch "$B/etc/initrd-release"
    printf 'version: 1\ndevices: []\n' > "$B/etc/vfio-bind.yaml"
    config_preads apply --boot > /dev/null
    check "serials: a serial: item of rd.vfio-bind.devices= binds its card" "driver=vfio-pci override=vfio-pci" \
        "$(state 0000:00:05.0)"
    BED_EXTRA="device 0000:00:05.0 id=8086:10d3 subsys=8086:0000 class=020000 hostdriver=e1000e group=5 dsn=$dsn" \
        bed serials && touch "$B/etc/initrd-release"
    printf 'version: 1\ndevices:\n  - address: "0000:00:05.0"\n' > "$B/etc/vfio-bind.yaml"
    in_bed "$VB" apply --boot --json > "$work/out" 2> "$work/err"
    check "serials: apply --boot --json prints rows, so its row has the serial" "a0-36-9f-ff-ff-12-34-56" \
        "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["apply"]["devices"][0]["serial"])' < "$work/out" 2>&1)"
    # plan, status, apply, revert print tables: serial is no default column, so a table reads
    # them only when -o names it; JSON rows have every column
    check "serials: plan's table reads none" 0 "$(config_preads plan)"
    check "serials: ... nor status's" 0 "$(config_preads status)"
    n=$(config_preads plan -o address,serial)
    check "serials: plan -o address,serial reads them and shows it" "yes|0000:00:05.0 a0-36-9f-ff-ff-12-34-56" \
        "$([ "$n" -gt 0 ] && echo yes || echo "no: $n")|$(sed -n 2p "$work/out" | tr -s ' ')"
    n=$(config_preads plan --json)
    check "serials: plan --json reads them and shows it" "yes|a0-36-9f-ff-ff-12-34-56" \
        "$([ "$n" -gt 0 ] && echo yes || echo "no: $n")|$(python3 -c 'import json,sys; print(json.load(sys.stdin)["plan"]["devices"][0]["serial"])' < "$work/out" 2>&1)"
    # One candidate module (vfio_pci): nothing to rank, so its modinfo (libkmod parses the
    # module's signature with libcrypto) is not read; the file is opened once, to load it.
    bed modinfo && touch "$B/etc/initrd-release"
    in_bed strace -f -e trace=openat -o "$work/strace" "$VB" apply --boot > /dev/null 2>&1
    check "modinfo: the early run opens vfio-pci.ko once (the load), no modinfo read before" \
        "1:driver=vfio-pci override=vfio-pci" \
        "$(grep -c '/vfio-pci\.ko", O_RDONLY' "$work/strace"):$(state 0000:00:02.0)"
    # reset_method: read by discovery and once more before the first write; unbind and probe
    # leave it as it is, so the checks between and after them do not read it again
    check "reset_method: the early run reads it twice for the device it binds" 2 \
        "$(grep -c '0000:00:02\.0/reset_method", O_RDONLY' "$work/strace")"
else
    echo "# strace is missing: the serial and modinfo reads of the early run are not counted"
fi

# --- status and the initramfs's copy
in_bed "$VB" status > /dev/null 2> "$work/err"
check "status: in sync, no note while /etc matches the copy" "0:" "$?:$(cat "$work/err")"
cp "$B/etc/vfio-bind.yaml" "$work/orig.yaml"
printf '  - address: "0000:00:03.0"\n' >> "$B/etc/vfio-bind.yaml"
mkdir -p "$B/etc/vfio-bind.d"
printf 'version: 1\ndevices: []\n' > "$B/etc/vfio-bind.d/10-more.yaml"
in_bed "$VB" status > /dev/null 2> "$work/err"
rc=$?
check_contains "status: notes what differs from the initramfs" \
    "(/etc/vfio-bind.yaml changed, /etc/vfio-bind.d/10-more.yaml added)" "$(cat "$work/err")"
check_contains "status: and how to rebuild it" "Rebuild the initramfs with '" "$(cat "$work/err")"
check "status: exit status is about devices (0000:00:03.0 drifts: 3)" 3 "$rc"
in_bed "$VB" -c "$B/etc/vfio-bind.yaml" status > /dev/null 2> "$work/err"
check "status -c FILE: no note (the initramfs holds the default files)" "" "$(grep note "$work/err")"
in_bed "$VB" apply --boot > /dev/null 2>&1
if cmp -s "$work/orig.yaml" "$B/run/vfio-bind/initramfs/vfio-bind.yaml"; then
    ok "a second early run leaves the first copy alone"
else
    not_ok "a second early run replaced the copy"
fi
rm -f "$B/etc/initrd-release"
rm -rf "$B/run/vfio-bind/initramfs"
in_bed "$VB" apply --boot > /dev/null 2>&1
check "outside the initramfs (no /etc/initrd-release) no copy is made" no "$([ -e "$B/run/vfio-bind/initramfs" ] && echo yes || echo no)"
# initramfs-tools writes no /etc/initrd-release; its image has /conf/initramfs.conf and
# /scripts/functions, which /init sources
mkdir -p "$B/conf" "$B/scripts"
touch "$B/conf/initramfs.conf"
in_bed "$VB" apply --boot > /dev/null 2>&1
check "/conf/initramfs.conf alone (no /scripts/functions) is not an initramfs: no copy" no \
    "$([ -e "$B/run/vfio-bind/initramfs" ] && echo yes || echo no)"
touch "$B/scripts/functions"
in_bed "$VB" apply --boot > /dev/null 2>&1
if cmp -s "$B/etc/vfio-bind.yaml" "$B/run/vfio-bind/initramfs/vfio-bind.yaml" &&
    grep -q 'early run starting in the initramfs' "$B/dev/kmsg"; then
    ok "in an initramfs-tools image (/conf/initramfs.conf, /scripts/functions) the copy is made"
else
    not_ok "in an initramfs-tools image no copy in /run/vfio-bind/initramfs/"
fi
bed dry && touch "$B/etc/initrd-release"
in_bed "$VB" apply --boot --dry-run > /dev/null 2>&1
check "apply --boot --dry-run: exit 0, nothing written, no copy, no early-run lines" "0:driver=- override=-:::" \
    "$?:$(state 0000:00:02.0):$(cat "$B/testbed/log"):$(ls "$B/run"):$(kmsg | grep 'early run')"

# --- the kernel command line
for arg in rd.vfio-bind=0 vfio-bind=0; do
    bed "off-$arg" "$arg"
    printf 'version: [broken\n' > "$B/etc/vfio-bind.yaml"
    in_bed "$VB" apply --boot > /dev/null 2>&1
    check "$arg: exit 0, even with a broken configuration" 0 $?
    check "$arg: nothing touched" "driver=- override=-" "$(state 0000:00:02.0)"
    check "$arg: the kernel log says so" \
        "<5>vfio-bind: disabled on the kernel command line (rd.vfio-bind= or vfio-bind= off); not binding anything" \
        "$(kmsg | tail -n1)"
done
bed devices "rd.vfio-bind.devices=0000:00:03.0"
in_bed "$VB" apply --boot > /dev/null 2>&1
check "rd.vfio-bind.devices= adds to the configuration" "driver=vfio-pci|driver=vfio-pci" \
    "$(state 0000:00:02.0 | cut -d' ' -f1)|$(state 0000:00:03.0 | cut -d' ' -f1)"

bed broken
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n    id: [ "8086:10d3"\n' > "$B/etc/vfio-bind.yaml"
in_bed "$VB" apply --boot > /dev/null 2> "$work/err"
check "broken: exit 2" 2 $?
check "broken: nothing touched" "driver=- override=-" "$(state 0000:00:02.0)"
check_contains "broken: the kernel log names file:line:column, at error level" \
    "<3>vfio-bind: /etc/vfio-bind.yaml:5:1: " "$(kmsg)"
check_contains "broken: the run ends saying nothing was bound" \
    "configuration error, nothing bound" "$(kmsg | tail -n1)"
check "broken: nothing on stderr (the kernel log has it)" "" "$(cat "$work/err")"

# --- udev ADDRESS: the rule's entry point, host driver already bound (hotplug)
bed hot "" loaded
printf 'version: 1\ndevices:\n  - address: "0000:00:03.0"\n' > "$B/etc/vfio-bind.yaml"
: > "$B/testbed/log"
out=$(in_bed "$VB" udev 0000:00:02.0 2>&1)
check "udev, not selected: exit 0, no output" "0:" "$?:$out"
check "udev, not selected: nothing logged, nothing written" ":" "$(kmsg):$(cat "$B/testbed/log")"
out=$(in_bed "$VB" udev 0000:00:03.0 2> "$work/err")
check "udev, selected: exit 0, prints VFIO_BIND_DRIVER for IMPORT{program}" "0:VFIO_BIND_DRIVER=vfio-pci" "$?:$out"
check "udev, selected: moved from e1000e to vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:03.0)"
check "udev, selected: override first, then unbind e1000e, then vfio-pci binds" \
    "driver_override 0000:00:03.0 vfio-pci|unbind 0000:00:03.0 e1000e|bind 0000:00:03.0 vfio-pci" \
    "$(grep -E '0000:00:03.0' "$B/testbed/log" | paste -sd '|')"
check "udev, selected: one kernel log line, nothing on stderr" \
    "<6>vfio-bind: 0000:00:03.0: bound to vfio-pci|" "$(kmsg | paste -sd '|')|$(cat "$work/err")"
: > "$B/testbed/log"
out=$(in_bed "$VB" udev 0000:00:03.0 2>&1)
check "udev, in sync (a later add event): exit 0, the property, no change, no log" \
    "0:VFIO_BIND_DRIVER=vfio-pci::1" "$?:$out:$(cat "$B/testbed/log"):$(kmsg | wc -l)"
check "udev, no such device: exit 0 silently" "0:" "$(in_bed "$VB" udev 0000:00:09.0 2>&1; echo "$?:")"
check "udev without ADDRESS: usage error" 2 "$(in_bed "$VB" udev > /dev/null 2>&1; echo $?)"
check "udev with a bad ADDRESS: usage error" 2 "$(in_bed "$VB" udev 00:zz.0 > /dev/null 2>&1; echo $?)"

bed hot-locked "" loaded
printf 'version: 1\ndevices:\n  - address: "0000:00:03.0"\n' > "$B/etc/vfio-bind.yaml"
# an apply holding the lock for longer than apply itself would wait (5 s), as one creating VFs
in_bed flock /run/vfio-bind.lock sleep 6 &
holder=$!
sleep 0.5
t0=$(date +%s)
out=$(in_bed "$VB" udev 0000:00:03.0 2>&1)
rc=$?
waited=$(($(date +%s) - t0))
wait "$holder"
check "udev waits for a long-held lock (${waited} s), then binds" "0:VFIO_BIND_DRIVER=vfio-pci:driver=vfio-pci" \
    "$rc:$out:$(state 0000:00:03.0 | cut -d' ' -f1)"

bed hot-off "rd.vfio-bind=0" loaded
printf 'version: 1\ndevices:\n  - address: "0000:00:03.0"\n' > "$B/etc/vfio-bind.yaml"
out=$(in_bed "$VB" udev 0000:00:03.0 2>&1)
check "udev with rd.vfio-bind=0: exit 0, nothing done" "0::driver=e1000e override=-" "$?:$out:$(state 0000:00:03.0)"

bed hot-broken "" loaded
printf 'version: [broken\n' > "$B/etc/vfio-bind.yaml"
for a in 0000:00:02.0 0000:00:03.0 0000:00:02.0; do
    in_bed "$VB" udev "$a" > /dev/null 2>&1
    rc=$?
done
check "udev, broken configuration: exit 2" 2 "$rc"
check "udev, broken configuration: logged once for three events" 1 \
    "$(kmsg | grep -c 'configuration has errors: devices that appear are not bound')"
check_contains "udev, broken configuration: with file:line:column" "<3>vfio-bind: /etc/vfio-bind.yaml:" "$(kmsg)"
check "udev, broken configuration: nothing touched" "driver=e1000e override=-" "$(state 0000:00:03.0)"

# --- libsmartcols: opened with dlopen() for tables only, so the initramfs does not carry it
# (the hooks copy the binary with its ELF dependencies: ldd's list).
needed=$(readelf -d "$VB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd ' ')
check_contains "NEEDED: the libraries the early run uses (libkmod)" "libkmod.so.2" "$needed"
check "NEEDED: no libsmartcols" "" "$(grep -o 'libsmartcols[^ ]*' <<< "$needed")"
check "ldd: no libsmartcols" "" "$(ldd "$VB" | grep smartcols)"
bed cols
check "tables come from libsmartcols (--pairs)" 'ADDRESS="0000:00:02.0" DRIVER=""' \
    "$(in_bed "$VB" list --pairs -o address,driver 0000:00:02.0 2>&1)"
check_contains "the library is opened at run time" "libsmartcols.so.1" \
    "$(LD_DEBUG=files in_bed "$VB" list -o address 0000:00:02.0 2>&1 | grep 'file=libsmartcols')"
# Without the library (hidden in a private mount namespace, as in an initramfs): the early run
# and JSON work, a table says what is missing.
# The libraries opened with dlopen(), hidden in a private mount namespace as in an initramfs
# that lacks them.
lib_path() { ldconfig -p | sed -n "s/.*$1 .*=> //p" | head -n 1; }
hidden() { # LIBRARY-PATH VB-ARGS...: the tool on $B without that library
    local lib=$1
    shift
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -r -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh \
        "$(readlink -f "$lib")" env TESTBED_ISOLATE=0 tests/testbed/run "$B" -- "$VB" "$@"
}
cols_lib=$(lib_path 'libsmartcols\.so\.1')
mount_lib=$(lib_path 'libmount\.so\.1')
if [ -n "$cols_lib" ] && [ -n "$mount_lib" ] && unshare -r -m true 2>/dev/null; then
    out=$(hidden "$cols_lib" list -o address 2>&1)
    check "no libsmartcols: a table fails (exit 1)" 1 $?
    check_contains "no libsmartcols: ... saying which library and that --json needs none" \
        "Tables need libsmartcols.so.1 (util-linux), which cannot be loaded" "$out"
    check_contains "no libsmartcols: list --json works" '"address": "0000:00:02.0"' "$(hidden "$cols_lib" list --json 2>&1)"
    hidden "$cols_lib" apply --boot > "$work/out" 2>&1
    check "no libsmartcols: apply --boot binds, prints nothing" "0:driver=vfio-pci override=vfio-pci:" \
        "$?:$(state 0000:00:02.0):$(cat "$work/out")"
else
    echo "# cannot hide libsmartcols or libmount here (no user namespaces): their absence is not tested"
fi

# --- libmount: opened with dlopen() to read the mounts (in use or not), not carried either
check "NEEDED: no libmount" "" "$(grep -o 'libmount[^ ]*' <<< "$needed")"
check "ldd: no libmount" "" "$(ldd "$VB" | grep libmount)"
BED_EXTRA='module nvme driver=nvme ids=144d:a80a
device 0000:00:04.0 id=144d:a80a class=010802 driver=nvme group=4 block=nvme0n1 parts=nvme0n1p1
mount /dev/nvme0n1p1 / ext4 rw,relatime' bed mounts
nvme_in_use() { python3 -c 'import json,sys; print([d["in_use"] for d in json.load(sys.stdin)["list"]["devices"] if d["address"] == "0000:00:04.0"][0])'; }
check "libmount: the mounted disk's controller is in use" "nvme0n1p1 is mounted on /" \
    "$(in_bed "$VB" list --json | nvme_in_use)"
check_contains "libmount: opened at run time" "libmount.so.1" \
    "$(LD_DEBUG=files in_bed "$VB" list --json 2>&1 >/dev/null | grep 'file=libmount.*dynamically loaded')"
# In use needs a host driver on the device or below it: when the selected devices have none (the
# early run before coldplug), the mounts are not read and libmount is not even opened.
check "libmount: not opened when no selected device has a driver (plan of 0000:00:02.0, unbound)" "" \
    "$(LD_DEBUG=files in_bed "$VB" plan 2>&1 >/dev/null | grep 'file=libmount.*dynamically loaded')"
printf 'version: 1\ndevices:\n  - address: "0000:00:04.0"\n' > "$B/etc/vfio-bind.yaml"
check_contains "libmount: opened when one has (plan of the nvme)" "libmount.so.1" \
    "$(LD_DEBUG=files in_bed "$VB" plan 2>&1 >/dev/null | grep 'file=libmount.*dynamically loaded')"
check_contains "libmount: ... which plan refuses, mounted" "in use: nvme0n1p1 is mounted on /" \
    "$(in_bed "$VB" plan 2>&1)"
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n' > "$B/etc/vfio-bind.yaml"
if [ -n "$mount_lib" ] && unshare -r -m true 2>/dev/null; then
    hidden "$mount_lib" list --json > "$work/out" 2> "$work/err"
    check "no libmount: list exits 0" 0 $?
    check_contains "no libmount: a disk cannot be known free, so its controller is in use" \
        "cannot tell whether nvme0n1" "$(nvme_in_use < "$work/out")"
    check_contains "no libmount: a warning says why" "Cannot read the mounts: libmount.so.1 cannot be loaded" \
        "$(cat "$work/err")"
    printf 'version: 1\ndevices:\n  - address: "0000:00:04.0"\n' > "$B/etc/vfio-bind.yaml"
    hidden "$mount_lib" plan > "$work/out" 2>&1
    check "no libmount: plan refuses the disk's controller (exit 1)" 1 $?
    check_contains "no libmount: ... saying why" "in use: cannot tell whether nvme0n1" "$(cat "$work/out")"
    # In the initramfs nothing is mounted from a disk yet: the early run goes on, logging at debug.
    printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n' > "$B/etc/vfio-bind.yaml"
    touch "$B/etc/initrd-release"
    hidden "$mount_lib" apply --boot > "$work/out" 2>&1
    check "no libmount, initramfs: apply --boot binds, prints nothing" "0:driver=vfio-pci override=vfio-pci:" \
        "$?:$(state 0000:00:02.0):$(cat "$work/out")"
    check "no libmount, initramfs: no warning in the kernel log" "" "$(kmsg | grep -i 'mounts')"
fi

# --- libarchive: opened with dlopen() by doctor alone, to read initramfs images; not carried
check "NEEDED: no libarchive" "" "$(grep -o 'libarchive[^ ]*' <<< "$needed")"
check "ldd: no libarchive" "" "$(ldd "$VB" | grep libarchive)"
bed archive
mkdir -p "$work/img/etc" && echo 'version: 1' > "$work/img/etc/vfio-bind.yaml"
(cd "$work/img" && find . | cpio -o -H newc --quiet | gzip) > "$work/initrd.img"
doctor_image() { python3 -c 'import json,sys; print([r["seen"] for r in json.load(sys.stdin)["doctor"]["checks"] if r["check"] == "initramfs"][0])'; }
check_contains "libarchive: doctor reads the image with it (what it lacks)" "initrd.img: no vfio-bind binary in it" \
    "$(in_bed "$VB" doctor --json --initramfs "$work/initrd.img" 2>/dev/null | doctor_image)"
check_contains "libarchive: opened at run time" "libarchive.so.13" \
    "$(LD_DEBUG=files in_bed "$VB" doctor --initramfs "$work/initrd.img" 2>&1 >/dev/null | grep 'file=libarchive')"
check "libarchive: not opened by the other verbs" "" \
    "$(LD_DEBUG=files in_bed "$VB" list 2>&1 >/dev/null | grep 'file=libarchive')"
archive_lib=$(lib_path 'libarchive\.so\.13')
if [ -n "$archive_lib" ] && unshare -r -m true 2>/dev/null; then
    check_contains "no libarchive: doctor says the image cannot be read, and why" \
        "cannot read it: libarchive.so.13 cannot be loaded" \
        "$(hidden "$archive_lib" doctor --json --initramfs "$work/initrd.img" 2>/dev/null | doctor_image)"
fi

summary
