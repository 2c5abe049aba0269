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
check_contains "name: plan row" "fff51000.ethernet - stmmaceth vfio-platform will-change load vfio_platform, set-override, unbind stmmaceth, probe" "$(tr -s ' ' <<< "$out")"
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
out=$(onbed list --bus platform -o +bus); rc=$?
check "list --bus platform: exit 0" 0 "$rc"
check "list --bus platform: a platform row (address id class driver override group module ... bus)" \
    "fff51000.ethernet - - stmmaceth - 10 - platform" \
    "$(printf '%s\n' "$out" | awk '$1 == "'$E1'" { print $1, $2, $3, $4, $5, $6, $7, $NF }')"
check_contains "list --bus platform: PCI rows stay" "0000:00:19.0" "$out"
check "list: without --bus, PCI only (header and one row)" 2 "$(onbed list | grep -c .)"
n=$(onbed list --bus all --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["list"]["devices"]; print(len(d), sorted({x["bus"] for x in d}), [x["id"] for x in d if x["address"]=="'$E1'"])')
check "list --bus all --json: every device, bus named, no PCI id" "5 ['pci', 'platform'] [None]" "$n"
out=$(onbed list --bus usb 2>&1); rc=$?
check "list --bus usb: exit 2" 2 "$rc"
check_contains "list --bus usb: names the buses" "invalid bus 'usb': expected one of: pci, platform, fsl-mc, cdx, all" "$out"
out=$(onbed plan --bus platform 2>&1); rc=$?
check "plan --bus: not an option of plan (the configuration names buses): exit 2" 2 "$rc"
check_contains "plan --bus: says so" "plan: unknown option '--bus'" "$out"
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

# --- fsl-mc and cdx: parsed and planned (no such devices on this bed: "missing", exit 1;
# with 'optional: true' a note, exit 0)
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
check "fsl-mc, cdx: named and absent: plan exits 1" 1 "$rc"
check_contains "fsl-mc: planned" "missing: no device matches fsl-mc name dpni.2" "$out"
check_contains "cdx: planned" "missing: no device matches cdx address cdx-00:01" "$out"
conf <<'Y'
version: 1
devices:
  - {bus: fsl-mc, name: "dpni.2", driver: vfio_fsl_mc, optional: true}
  - {bus: cdx, address: "cdx-00:01", optional: true}
Y
out=$(vbbed plan 2>&1); rc=$?
check "fsl-mc, cdx: optional: plan exits 0" 0 "$rc"
check_contains "cdx: optional: a note" "note: no device matches cdx address cdx-00:01" "$out"

# --- fsl-mc: a container goes to vfio-fsl-mc and takes its objects along (buses-all.host)
ALL=tests/testbed/hosts/buses-all.host
mkall() { rm -rf "$BED" && mkdir "$BED" && tests/testbed/mkbed "$ALL" "$BED" >/dev/null; }
fdrv() { local l; l=$(readlink "$BED/sys/bus/fsl-mc/devices/$1/driver") && echo "${l##*/}" || echo -; }
fovr() { cat "$BED/sys/bus/fsl-mc/devices/$1/driver_override" 2>/dev/null || echo gone; }
cdrv() { local l; l=$(readlink "$BED/sys/bus/cdx/devices/$1/driver") && echo "${l##*/}" || echo -; }
covr() { cat "$BED/sys/bus/cdx/devices/$1/driver_override"; }
# dpni.1 carries the host's eth2, up with a default route: its container is in use.
eth2_up_on_dpni1() {
    local n="$BED/sys/devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2/dpni.1/net/eth2"
    mkdir -p "$n" && printf '0x1003\n' >"$n/flags" && ln -s "../../devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2/dpni.1/net/eth2" "$BED/sys/class/net/eth2"
    chmod u+w "$BED/proc/net/route" && printf 'eth2\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >>"$BED/proc/net/route"
}
# apply_refused LABEL MESSAGE DEVICE DRIVER: apply exits 1 saying MESSAGE, writes nothing, DEVICE stays on DRIVER
apply_refused() {
    local out rc
    : >"$BED/testbed/log"
    out=$(vbbed apply 2>&1); rc=$?
    check "$1: apply exits 1" 1 "$rc"
    check_contains "$1: says why" "$2" "$out"
    check "$1: nothing written" "" "$(grep -vE '^(load|register)' "$BED/testbed/log")"
    check "$1: $3 still on $4" "$4" "$(fdrv "$3")"
}
fsl_conf() { printf 'version: 1\ndevices:\n' >"$BED/c.yaml"; for n in "$@"; do printf '  - bus: fsl-mc\n    name: "%s"\n    driver: vfio_fsl_mc\n' "$n" >>"$BED/c.yaml"; done; conf <"$BED/c.yaml"; }
mkall
check "fsl-mc bed: dprc.2 on fsl_mc_dprc, dpni.1 on fsl_dpaa2_eth" "fsl_mc_dprc fsl_dpaa2_eth" "$(fdrv dprc.2) $(fdrv dpni.1)"
fsl_conf dprc.2
out=$(vbbed plan 2>&1); rc=$?
check "fsl-mc container: plan exits 0" 0 "$rc"
check_contains "fsl-mc container: plan row" "dprc.2 - fsl_mc_dprc vfio-fsl-mc will-change load vfio_fsl_mc, set-override, unbind fsl_mc_dprc, probe" "$(tr -s ' ' <<< "$out")"
case "$out" in *"not viable"*) not_ok "fsl-mc container: its own objects do not make the group unviable: $out" ;; *) ok "fsl-mc container: no group warning for its own objects" ;; esac
: >"$BED/testbed/log"
out=$(vbbed apply 2>&1); rc=$?
check "fsl-mc container: apply exits 0" 0 "$rc"
check "fsl-mc container: dprc.2 on vfio-fsl-mc, override set" "vfio-fsl-mc vfio-fsl-mc" "$(fdrv dprc.2) $(fovr dprc.2)"
check "fsl-mc container: its objects followed, overrides set by the kernel" \
    "vfio-fsl-mc/vfio-fsl-mc vfio-fsl-mc/vfio-fsl-mc vfio-fsl-mc/vfio-fsl-mc" \
    "$(fdrv dpni.1)/$(fovr dpni.1) $(fdrv dpbp.1)/$(fovr dpbp.1) $(fdrv dpmcp.1)/$(fovr dpmcp.1)"
check "fsl-mc container: the root container and its dpio stay" "fsl_mc_dprc fsl_mc_dpio" "$(fdrv dprc.1) $(fdrv dpio.1)"
check "fsl-mc container: the kernel removed and added the objects" "2 2 2" \
    "$(grep -cE '^(remove|add) dpni.1' "$BED/testbed/log") $(grep -cE '^(remove|add) dpbp.1' "$BED/testbed/log") $(grep -cE '^(remove|add) dpmcp.1' "$BED/testbed/log")"
check "fsl-mc container: vfio-bind wrote one override, for the container only" "driver_override dprc.2 vfio-fsl-mc" \
    "$(grep '^driver_override' "$BED/testbed/log")"
out=$(onbed apply --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print(d["changed"], [(x["address"], x["result"]) for x in d["devices"]])')
check "fsl-mc container: second apply changes nothing" "False [('dprc.2', 'unchanged')]" "$out"
onbed status >/dev/null; rc=$?
check "fsl-mc container: status in sync" 0 "$rc"
out=$(onbed list --bus fsl-mc --json | python3 -c 'import json,sys; d={x["address"]: x for x in json.load(sys.stdin)["list"]["devices"]}; print(d["dpni.1"]["container"], d["dpni.1"]["driver"], d["dprc.2"]["container"], d["dprc.1"]["container"])')
check "fsl-mc list --json: objects name their container (null at the root)" "dprc.2 vfio-fsl-mc dprc.1 None" "$out"
out=$(onbed revert dprc.2 2>&1); rc=$?
check "fsl-mc revert dprc.2: exit 0" 0 "$rc"
check "fsl-mc revert dprc.2: container and objects back on host drivers, no overrides" \
    "fsl_mc_dprc/(null) fsl_dpaa2_eth/(null) fsl_mc_allocator/(null)" \
    "$(fdrv dprc.2)/$(fovr dprc.2) $(fdrv dpni.1)/$(fovr dpni.1) $(fdrv dpbp.1)/$(fovr dpbp.1)"

# in use: the container of the host's network interface is not taken without force
mkall
eth2_up_on_dpni1
fsl_conf dprc.2
out=$(vbbed apply 2>&1); rc=$?
check "fsl-mc in use: apply exits 1" 1 "$rc"
check_contains "fsl-mc in use: the container is refused, naming the interface" "dprc.2: in use: interface eth2 is up with routes" "$out"
check "fsl-mc in use: nothing moved" "fsl_mc_dprc fsl_dpaa2_eth" "$(fdrv dprc.2) $(fdrv dpni.1)"

# an object alone is refused while its container stays on the host; with its container it goes
mkall
fsl_conf dpni.1
apply_refused "fsl-mc object alone" \
    "dpni.1 is in container dprc.2 (on fsl_mc_dprc); vfio-fsl-mc takes objects only with their container: select it ('bus: fsl-mc', 'name: dprc.2')" \
    dpni.1 fsl_dpaa2_eth
fsl_conf dpni.1 dprc.2
out=$(onbed apply --json 2>&1 | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print(d["changed"], sorted((x["address"], x["result"]) for x in d["devices"]))')
check "fsl-mc object with its container: both reported changed" "True [('dpni.1', 'changed'), ('dprc.2', 'changed')]" "$out"
check "fsl-mc object with its container: on vfio-fsl-mc" "vfio-fsl-mc vfio-fsl-mc" "$(fdrv dpni.1) $(fdrv dprc.2)"

# revert: an object alone stays while its container is on vfio; the container brings it back
: >"$BED/testbed/log"
out=$(onbed revert dpni.1 2>&1); rc=$?
check "fsl-mc revert of an object alone: exit 1" 1 "$rc"
check_contains "fsl-mc revert of an object alone: says to revert the container" \
    "its container dprc.2 is on vfio-fsl-mc; revert the container, which brings its objects back with it" "$out"
check "fsl-mc revert of an object alone: nothing written" "" "$(cat "$BED/testbed/log")"
: >"$BED/testbed/log"
out=$(onbed revert --json 2>&1 | python3 -c 'import json,sys; d=json.load(sys.stdin)["revert"]; print(d["changed"], sorted((x["address"], x["result"]) for x in d["devices"]))')
check "fsl-mc revert of container and object: both reported changed" "True [('dpni.1', 'changed'), ('dprc.2', 'changed')]" "$out"
check "fsl-mc revert of container and object: back on host drivers, no overrides" \
    "fsl_mc_dprc/(null) fsl_dpaa2_eth/(null)" "$(fdrv dprc.2)/$(fovr dprc.2) $(fdrv dpni.1)/$(fovr dpni.1)"
check "fsl-mc revert of container and object: the object, made anew by the kernel, is left on its host driver" \
    "add dpni.1;bind dpni.1 fsl_dpaa2_eth;" "$(sed -n '/^add dpni.1/,$p' "$BED/testbed/log" | grep dpni.1 | tr '\n' ';')"

# a container refused (in use) holds back the objects selected with it
mkall
eth2_up_on_dpni1
fsl_conf dprc.2 dpbp.1
apply_refused "fsl-mc container refused, its object" \
    "dpbp.1 is in container dprc.2, which cannot go to vfio-fsl-mc (see its own error)" dpbp.1 fsl_mc_allocator

# the container's bind fails at run time: its object is not tried, and the report says why
mkall
fsl_conf dprc.2 dpbp.1
mkdir -p "$BED/faults/probe" && echo 'vfio-fsl-mc EIO' >"$BED/faults/probe/dprc.2"
out=$(onbed apply --json 2>/dev/null | python3 -c 'import json,sys; d={x["address"]: x for x in json.load(sys.stdin)["apply"]["devices"]}; print(d["dprc.2"]["failed_step"], d["dprc.2"]["rolled_back"], d["dpbp.1"]["failed_step"], d["dpbp.1"]["error"])')
check "fsl-mc container fails to bind: the object is refused before any write, naming its container" \
    "probe True None its container dprc.2 is on fsl_mc_dprc, not vfio-fsl-mc; the object goes only with its container" "$out"
check "fsl-mc container fails to bind: both back on host drivers" "fsl_mc_dprc fsl_mc_allocator" "$(fdrv dprc.2) $(fdrv dpbp.1)"
check "fsl-mc container fails to bind: after the kernel made dpbp.1 anew, nothing touched it" \
    "add dpbp.1;bind dpbp.1 fsl_mc_allocator;" "$(tac "$BED/testbed/log" | sed '/^add dpbp.1/q' | tac | grep dpbp.1 | tr '\n' ';')"

# nested containers: the outer one goes first (by nesting, not by name: dprc.10 sorts before
# dprc.2), and takes the inner one along, so vfio-bind writes one override
{ cat "$ALL"; printf 'fslmc dprc.10 parent=dprc.2 driver=fsl_mc_dprc\nfslmc dpni.5 parent=dprc.10 driver=fsl_dpaa2_eth\n'; } >"$BED.host"
rm -rf "$BED" && mkdir "$BED" && tests/testbed/mkbed "$BED.host" "$BED" >/dev/null
fsl_conf dprc.10 dprc.2
: >"$BED/testbed/log"
out=$(onbed apply --json 2>&1 | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print([(x["address"], x["result"]) for x in d["devices"]])')
check "fsl-mc nested containers: outer first, both changed" "[('dprc.2', 'changed'), ('dprc.10', 'changed')]" "$out"
check "fsl-mc nested containers: all on vfio-fsl-mc" "vfio-fsl-mc vfio-fsl-mc vfio-fsl-mc" "$(fdrv dprc.2) $(fdrv dprc.10) $(fdrv dpni.5)"
check "fsl-mc nested containers: one override written, for the outer one" "driver_override dprc.2 vfio-fsl-mc" \
    "$(grep '^driver_override' "$BED/testbed/log")"
# the outer one refused (in use), the inner one selected too: the inner one takes its object
rm -rf "$BED" && mkdir "$BED" && tests/testbed/mkbed "$BED.host" "$BED" >/dev/null
eth2_up_on_dpni1
fsl_conf dprc.2 dprc.10 dpni.5
out=$(onbed apply --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print([(x["address"], x["result"]) for x in d["devices"]])')
check "fsl-mc nested, the outer one in use: the inner one and its object go" \
    "[('dprc.2', 'failed'), ('dprc.10', 'changed'), ('dpni.5', 'changed')]" "$out"
check "fsl-mc nested, the outer one in use: where they are" "fsl_mc_dprc vfio-fsl-mc vfio-fsl-mc fsl_dpaa2_eth" \
    "$(fdrv dprc.2) $(fdrv dprc.10) $(fdrv dpni.5) $(fdrv dpni.1)"
rm -f "$BED.host"

# --- cdx: resolved by its vfio_cdx alias, bound like PCI
mkall
check "cdx bed: cdx-00:00 on cdx_host" cdx_host "$(cdrv cdx-00:00)"
out=$(onbed resolve cdx-00:00 2>&1); rc=$?
check "cdx resolve: vfio_cdx from the device's modalias" "0 vfio_cdx" "$rc $out"
out=$(onbed resolve --json cdx-00:00 | python3 -c 'import json,sys; d=json.load(sys.stdin)["resolve"]; print(d["modalias"], d["vfio_driver"], [(m["vfio_module"], m["stars"]) for m in d["matches"]])')
check_contains "cdx resolve --json: the alias and the driver" "vfio-cdx [('vfio_cdx', " "$out"
ma=$(cat "$BED/sys/bus/cdx/devices/cdx-00:00/modalias")
out=$(onbed resolve --json --modalias "$ma" | python3 -c 'import json,sys; d=json.load(sys.stdin)["resolve"]; print(d["vfio_driver"])')
check "cdx resolve --modalias: the bus comes from the modalias, and with it the driver name" vfio-cdx "$out"
conf <<'Y'
version: 1
devices:
  - bus: cdx
    address: "cdx-00:00"
  - bus: cdx
    address: "cdx-01:00"
Y
out=$(vbbed plan 2>&1); rc=$?
check "cdx plan: exit 1 (one device has no IOMMU group)" 1 "$rc"
check_contains "cdx plan: resolved without 'driver:'" "cdx-00:00 - cdx_host vfio-cdx will-change load vfio_cdx, set-override, unbind cdx_host, probe" "$(tr -s ' ' <<< "$out")"
check_contains "cdx plan: no group, says so" "no IOMMU group" "$out"
out=$(vbbed apply 2>&1); rc=$?
check "cdx apply: exit 1 for the device without a group" 1 "$rc"
check "cdx apply: cdx-00:00 on vfio-cdx, override set" "vfio-cdx vfio-cdx" "$(cdrv cdx-00:00) $(covr cdx-00:00)"
check "cdx apply: cdx-01:00 untouched" "- (null)" "$(cdrv cdx-01:00) $(covr cdx-01:00)"
check "cdx apply: cdx-00:01, not selected, untouched" "- (null)" "$(cdrv cdx-00:01) $(covr cdx-00:01)"
out=$(onbed revert cdx-00:00 2>&1); rc=$?
check "cdx revert by name: back on cdx_host" "0 cdx_host (null)" "$rc $(cdrv cdx-00:00) $(covr cdx-00:00)"
conf <<'Y'
version: 1
devices:
  - bus: cdx
    address: "cdx-00:01"
Y
out=$(onbed udev --bus cdx cdx-00:01); rc=$?
check "cdx udev: the rule's call binds it" "0 VFIO_BIND_DRIVER=vfio-cdx" "$rc $out"
check "cdx udev: on vfio-cdx" vfio-cdx "$(cdrv cdx-00:01)"

# --- PCI only: the same plan as before, and no platform device read
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:00:19.0"
Y
out=$(vbbed plan); rc=$?
check "pci: plan exits 0" 0 "$rc"
check "pci: plan output" "ADDRESS      ID        DRIVER VFIO_DRIVER RESULT      DETAIL
0000:00:19.0 8086:10d3 e1000e vfio-pci    will-change load vfio_pci, set-override, unbind e1000e, probe" "$out"
out=$(onbed plan --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["plan"]["devices"][0]; print(d["bus"], d["id"])')
check "pci: JSON names the bus, as on every bus" "pci 8086:10d3" "$out"
out=$(tests/testbed/run "$BED" -- strace -f -e trace=openat,open -o /dev/stdout "$VB" plan 2>/dev/null | grep -c 'bus/platform' || true)
if command -v strace >/dev/null; then check "pci: no platform device is read" 0 "$out"; fi

summary
