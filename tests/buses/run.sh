#!/bin/bash
# Buses other than PCI on the test bed: platform devices by name and by compatible to
# vfio-platform; a missing driver and bad names are config errors; PCI-only configs unchanged.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

BED=$(mktemp -d)
trap 'rm -rf "$BED"' EXIT
mkbed() { rm -rf "$BED" && mkdir "$BED" && tests/testbed/mkbed tests/buses/buses.host "$BED" >/dev/null; }
conf() { cat >"$BED/etc/vfio-bind.yaml" && chmod 0600 "$BED/etc/vfio-bind.yaml"; }
# One platform device by name, to vfio-platform.
conf_name() { printf 'version: 1\ndevices:\n  - bus: platform\n    name: "%s"\n    driver: vfio_platform\n' "$1" | conf; }
onbed() { tests/testbed/run "$BED" -- "$VB" "$@"; }
vbbed() { tests/testbed/run "$BED" -- bash -c '. tests/lib.sh; vb "$@"' vb "$@"; }
pdrv() { local l; l=$(readlink "$BED/sys/bus/platform/devices/$1/driver") && echo "${l##*/}" || echo -; }
povr() { cat "$BED/sys/bus/platform/devices/$1/driver_override"; }
E1=fff51000.ethernet
E2=fff52000.ethernet
UART=ffc02000.serial

# --- the model: driver_override, unbind and drivers_probe as drivers/base/platform.c
mkbed
check "bed: $E1 on stmmaceth" stmmaceth "$(pdrv $E1)"
check "bed: OF modalias" "of:NethernetT(null)Csnps,dwmac-3.70aCsnps,dwmac" \
    "$(cat "$BED/sys/bus/platform/devices/$E1/modalias")"
tests/testbed/run "$BED" -- sh -c "echo nosuchdrv > /sys/bus/platform/devices/$E1/driver_override; echo $E1 > /sys/bus/platform/devices/$E1/driver/unbind; echo $E1 > /sys/bus/platform/drivers_probe"
check "model: an override naming no driver keeps the device unbound" - "$(pdrv $E1)"
tests/testbed/run "$BED" -- sh -c "echo > /sys/bus/platform/devices/$E1/driver_override; echo $E1 > /sys/bus/platform/drivers_probe"
check "model: cleared override, drivers_probe: back on stmmaceth by compatible" stmmaceth "$(pdrv $E1)"
check "model: cleared override reads (null)" "(null)" "$(povr $E1)"
tests/testbed/run "$BED" -- sh -c "echo dw-apb-uart > /sys/bus/platform/devices/$E1/driver_override; echo $E1 > /sys/bus/platform/drivers/stmmaceth/unbind; echo $E1 > /sys/bus/platform/drivers_probe"
check "model: an override matches whatever the compatible (platform_match)" dw-apb-uart "$(pdrv $E1)"

# --- by name, to vfio-platform
mkbed
conf_name fff51000.ethernet
out=$(vbbed plan); rc=$?
check "name: plan exits 0" 0 "$rc"
check_contains "name: plan row" "fff51000.ethernet  platform  stmmaceth  vfio-platform  will change  load vfio_platform, set-override, unbind stmmaceth, probe" "$out"
check "name: plan changes nothing" "" "$(cat "$BED/testbed/log")"
out=$(vbbed apply); rc=$?
check "name: apply exits 0" 0 "$rc"
check "name: bound to vfio-platform" vfio-platform "$(pdrv $E1)"
check "name: override set" vfio-platform "$(povr $E1)"
check "name: the twin stays on stmmaceth" stmmaceth "$(pdrv $E2)"
log=$(grep -vE '^(load|register)' "$BED/testbed/log" | tr '\n' ';')
check "name: override, unbind, bind in that order" "driver_override $E1 vfio-platform;unbind $E1 stmmaceth;bind $E1 vfio-platform;" "$log"
out=$(onbed apply --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print(d["changed"], [(x["address"], x.get("bus"), x["id"], x["result"]) for x in d["devices"]])')
check "name: second apply changes nothing; JSON names the bus" "False [('$E1', 'platform', None, 'unchanged')]" "$out"
onbed status >/dev/null; rc=$?
check "name: status in sync" 0 "$rc"

# --- by compatible: both Ethernet controllers, not the UART; whole strings only
mkbed
conf <<'Y'
version: 1
devices:
  - bus: platform
    compatible: "snps,dwmac"
    driver: vfio-platform
  - bus: platform
    compatible: "snps"
    driver: vfio_platform
Y
out=$(vbbed apply 2>&1); rc=$?
check "compatible: apply exits 0" 0 "$rc"
check "compatible: both controllers on vfio-platform" "vfio-platform vfio-platform" "$(pdrv $E1) $(pdrv $E2)"
check "compatible: the UART is left alone" dw-apb-uart "$(pdrv $UART)"
check_contains "compatible: a prefix of a compatible string matches nothing" "no device matches platform compatible snps" "$out"

# --- revert, list, resolve and udev take platform devices by name
mkbed
conf_name fff51000.ethernet
vbbed apply >/dev/null
check "revert by name: bound first" vfio-platform "$(pdrv $E1)"
: >"$BED/testbed/log"
out=$(onbed -c /dev/null revert $E1 2>&1); rc=$?
check "revert by name: exit 0" 0 "$rc"
check "revert by name: back on stmmaceth" stmmaceth "$(pdrv $E1)"
check "revert by name: override cleared" "(null)" "$(povr $E1)"
check_contains "revert by name: reported" "$E1" "$out"
out=$(onbed revert nosuch.ethernet 2>&1); rc=$?
check "revert: unknown name: exit 1" 1 "$rc"
check_contains "revert: unknown name: says which buses" "no device nosuch.ethernet on the platform bus" "$out"
out=$(onbed revert 'a/b' 2>&1); rc=$?
check "revert: a name with '/': exit 2" 2 "$rc"
check_contains "revert: a name with '/': says what is expected" "invalid device 'a/b': expected a PCI address" "$out"
out=$(onbed revert 0000:00:19.9 2>&1); rc=$?
check "revert: a bad PCI address is still a PCI error" 2 "$rc"
check_contains "revert: PCI's reason" "function is 0 to 7" "$out"
out=$(onbed list --bus platform); rc=$?
check "list --bus platform: exit 0" 0 "$rc"
check "list --bus platform: a platform row" "fff51000.ethernet platform - stmmaceth 10 -" "$(printf '%s\n' "$out" | awk '$1 == "'$E1'" { print $1, $2, $3, $4, $5, $6 }')"
check_contains "list --bus platform: PCI rows stay" "0000:00:19.0" "$out"
check "list: without --bus, PCI only (header and one row)" 2 "$(onbed list | grep -c .)"
n=$(onbed list --bus all --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["list"]["devices"]; print(len(d), sorted({x.get("bus","pci") for x in d}), [x["id"] for x in d if x["address"]=="'$E1'"])')
check "list --bus all --json: every device, bus named, no PCI id" "5 ['pci', 'platform'] [None]" "$n"
out=$(onbed list --bus usb 2>&1); rc=$?
check "list --bus usb: exit 2" 2 "$rc"
check_contains "list --bus usb: names the buses" "invalid bus 'usb': expected one of: pci, platform, fsl-mc, cdx, all" "$out"
out=$(onbed resolve $E1 2>&1); rc=$?
check "resolve a platform device: exit 1" 1 "$rc"
check_contains "resolve a platform device: says to name the module" "the platform bus has no vfio_ module aliases: name its VFIO module in the configuration ('driver: vfio_platform')" "$out"
# udev: the rule's call for a platform device that appears; only the selected one moves
mkbed
conf_name fff52000.ethernet
out=$(onbed udev --bus platform $E1); rc=$?
check "udev --bus platform, not selected: exit 0, nothing printed" "0 " "$rc $out"
check "udev --bus platform, not selected: untouched" stmmaceth "$(pdrv $E1)"
out=$(onbed udev --bus platform $E2); rc=$?
check "udev --bus platform, selected: prints the driver for udev" "0 VFIO_BIND_DRIVER=vfio-platform" "$rc $out"
check "udev --bus platform, selected: bound" vfio-platform "$(pdrv $E2)"
check_contains "udev: logs to the kernel log" "$E2: bound to vfio-platform" "$(cat "$BED/dev/kmsg" 2>/dev/null)"
out=$(onbed udev --bus platform 'x..y' 2>&1); rc=$?
check "udev --bus platform, bad name: exit 2" 2 "$rc"
out=$(onbed udev --bus usb 1-1 2>&1); rc=$?
check "udev --bus usb: exit 2" 2 "$rc"
rule=$(sed -n '/^SUBSYSTEM/p' src/data/70-vfio-bind.rules)
check_contains "rule: platform, fsl-mc and cdx events reach 'udev --bus'" 'SUBSYSTEM!="pci|platform|fsl-mc|cdx", GOTO="vfio_bind_end"' "$rule"
check_contains "rule: the bus is passed" 'udev --bus $env{SUBSYSTEM} $kernel' "$rule"

# --- in use: a platform NIC that is up with routes is not taken without force
mkbed
n="$BED/sys/devices/platform/$E1/net/eth1"
mkdir -p "$n" && printf '0x1003\n' >"$n/flags" && ln -s "../../devices/platform/$E1/net/eth1" "$BED/sys/class/net/eth1"
chmod u+w "$BED/proc/net/route" && printf 'eth1\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >>"$BED/proc/net/route"
conf <<'Y'
version: 1
devices:
  - bus: platform
    compatible: "snps,dwmac"
    driver: vfio_platform
Y
out=$(vbbed apply 2>&1); rc=$?
check "in use: apply exits 1" 1 "$rc"
check_contains "in use: says why" "in use: interface eth1 is up with routes" "$out"
check "in use: the NIC with routes stays" stmmaceth "$(pdrv $E1)"
check "in use: its idle twin moves" vfio-platform "$(pdrv $E2)"

# --- no IOMMU group: a plan-time error, nothing written
mkbed
conf <<'Y'
version: 1
devices:
  - bus: platform
    name: "fff53000.dma"
    driver: vfio_platform
Y
out=$(onbed plan 2>&1); rc=$?
check "no group: plan exits 1" 1 "$rc"
check_contains "no group: says so" "no IOMMU group" "$out"

# --- configuration errors, with file:line:column
T=$(mktemp -d)
bad() { # NAME EXPECTED-PHRASE YAML
    printf '%s\n' "$3" >"$T/c.yaml"
    out=$(vb validate "$T/c.yaml" 2>&1); rc=$?
    check "$1: exit 2" 2 "$rc"
    check_contains "$1: message" "$2" "$out"
}
bad "missing driver" "c.yaml:3:5: the platform bus has no vfio_ module aliases to choose a driver by; add 'driver: vfio_platform'" \
    "$(printf 'version: 1\ndevices:\n  - bus: platform\n    name: "fff51000.ethernet"')"
bad "fsl-mc missing driver names its module" "add 'driver: vfio_fsl_mc'" \
    "$(printf 'version: 1\ndevices:\n  - bus: fsl-mc\n    name: "dpni.2"')"
bad "name with '/'" "c.yaml:4:11: invalid platform device name 'a/b'" \
    "$(printf 'version: 1\ndevices:\n  - bus: platform\n    name: "a/b"\n    driver: vfio_platform')"
bad "name with '..'" "invalid platform device name 'x..y'" \
    "$(printf 'version: 1\ndevices:\n  - bus: platform\n    name: "x..y"\n    driver: vfio_platform')"
bad "name of 65 characters" "expected 1 to 64 characters" \
    "$(printf 'version: 1\ndevices:\n  - bus: platform\n    name: "%065d"\n    driver: vfio_platform' 0)"
bad "fsl-mc name without a number" "invalid fsl-mc device name 'dpni.'" \
    "$(printf 'version: 1\ndevices:\n  - bus: fsl-mc\n    name: "dpni."\n    driver: vfio_fsl_mc')"
bad "cdx address, one digit" "invalid cdx address 'cdx-0:01'" \
    "$(printf 'version: 1\ndevices:\n  - bus: cdx\n    address: "cdx-0:01"')"
bad "unknown bus" "invalid bus 'usb': expected one of: pci, platform, fsl-mc, cdx" \
    "$(printf 'version: 1\ndevices:\n  - bus: usb\n    name: "x"')"
bad "PCI keys on a platform entry" "'id', 'subsystem', 'class' and 'sriov' are PCI keys; platform devices" \
    "$(printf 'version: 1\ndevices:\n  - id: "10de:2204"\n    bus: platform\n    name: "x"\n    driver: vfio_platform')"
bad "compatible on PCI" "'compatible' selects platform devices" \
    "$(printf 'version: 1\ndevices:\n  - address: "0000:01:00.0"\n    compatible: "snps,dwmac"')"
bad "duplicate platform entries" "duplicate entry for platform name fff51000.ethernet" \
    "$(printf 'version: 1\ndevices:\n  - {bus: platform, name: "fff51000.ethernet", driver: vfio_platform}\n  - {name: "fff51000.ethernet", bus: platform, driver: vfio_platform}')"
rm -rf "$T"

# --- fsl-mc and cdx: parsed and planned (no such devices on this bed: a note, exit 0)
mkbed
conf <<'Y'
version: 1
devices:
  - bus: fsl-mc
    name: "dpni.2"
    driver: vfio_fsl_mc
  - bus: cdx
    address: "cdx-00:01"
Y
out=$(vbbed plan 2>&1); rc=$?
check "fsl-mc, cdx: plan exits 0" 0 "$rc"
check_contains "fsl-mc: planned" "no device matches fsl-mc name dpni.2" "$out"
check_contains "cdx: planned" "no device matches cdx address cdx-00:01" "$out"

# --- PCI only: the same plan as before, and no platform device read
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:00:19.0"
Y
out=$(vbbed plan); rc=$?
check "pci: plan exits 0" 0 "$rc"
check "pci: plan output unchanged" "DEVICE        ID         DRIVER  TARGET    RESULT       DETAIL
0000:00:19.0  8086:10d3  e1000e  vfio-pci  will change  load vfio_pci, set-override, unbind e1000e, probe" "$out"
out=$(onbed plan --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["plan"]["devices"][0]; print(sorted(d))')
check_contains "pci: JSON has no bus key" "'id'" "$out"
case "$out" in *"'bus'"*) not_ok "pci: JSON has no bus key: $out" ;; *) ok "pci: JSON without 'bus'" ;; esac
out=$(tests/testbed/run "$BED" -- strace -f -e trace=openat,open -o /dev/stdout "$VB" plan 2>/dev/null | grep -c 'bus/platform' || true)
if command -v strace >/dev/null; then check "pci: no platform device is read" 0 "$out"; fi

summary
