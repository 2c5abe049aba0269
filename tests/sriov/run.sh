#!/bin/bash
# SR-IOV on the test bed: 'sriov: {numvfs: N}' creates VFs and binds them, not the PF.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

BED=$(mktemp -d)
trap 'rm -rf "$BED"' EXIT
mkbed() { rm -rf "$BED" && mkdir "$BED" && tests/testbed/mkbed tests/sriov/sriov.host "$BED" >/dev/null; }
conf() { cat >"$BED/etc/vfio-bind.yaml" && chmod 0600 "$BED/etc/vfio-bind.yaml"; }
onbed() { tests/testbed/run "$BED" -- "$VB" "$@"; }
# vb under valgrind too (VALGRIND=1): tests/lib.sh
vbbed() { tests/testbed/run "$BED" -- bash -c '. tests/lib.sh; vb "$@"' vb "$@"; }
drv() { local l; l=$(readlink "$BED/sys/bus/pci/devices/$1/driver") && echo "${l##*/}" || echo -; }
ovr() { cat "$BED/sys/bus/pci/devices/$1/driver_override"; }
attr() { cat "$BED/sys/bus/pci/devices/$1/$2"; }
PF=0000:5e:00.0

# --- create and bind: the ConnectX-6 Dx VFs get the variant driver, the PF stays on mlx5_core
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4}
Y
out=$(vbbed plan); rc=$?
check "plan: exit 0" 0 "$rc"
check_contains "plan: PF row says create 4 VFs" "0000:5e:00.0 15b3:101d mlx5_core - will-change create 4 VFs" "$(tr -s ' ' <<< "$out")"
check "plan: creates nothing" 0 "$(attr $PF sriov_numvfs)"
check "plan: no kernel event" "" "$(cat "$BED/testbed/log")"
out=$(onbed plan --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["plan"]["devices"][0]; print(d["address"], d["steps"])')
check "plan --json: steps of the PF" "0000:5e:00.0 ['create-vfs']" "$out"
out=$(vbbed apply); rc=$?
check "apply: exit 0" 0 "$rc"
check "apply: 4 VFs" 4 "$(attr $PF sriov_numvfs)"
check "apply: PF stays on mlx5_core" mlx5_core "$(drv $PF)"
check "apply: PF has no override" "(null)" "$(ovr $PF)"
check "apply: VFs on mlx5_vfio_pci (resolved per VF)" "mlx5_vfio_pci mlx5_vfio_pci mlx5_vfio_pci mlx5_vfio_pci" \
    "$(drv 0000:5e:00.1) $(drv 0000:5e:00.2) $(drv 0000:5e:00.3) $(drv 0000:5e:00.4)"
check "apply: VF overrides" mlx5_vfio_pci "$(ovr 0000:5e:00.4)"
check_contains "apply: PF row" "0000:5e:00.0 15b3:101d mlx5_core - changed created 4 VFs" "$(tr -s ' ' <<< "$out")"
check_contains "apply: VF row" "0000:5e:00.1 15b3:101e mlx5_vfio_pci mlx5_vfio_pci changed load mlx5_vfio_pci, set-override, probe" "$(tr -s ' ' <<< "$out")"
# the order that keeps mlx5_core off the VFs: autoprobe 0, numvfs, overrides, autoprobe 1
log=$(grep -vE '^(load|register)' "$BED/testbed/log" | tr '\n' ';')
check "apply: no host driver ever bound a VF" "" "$(grep -E '^bind 0000:5e:00.[1-4] mlx5_core' "$BED/testbed/log")"
check_contains "apply: numvfs then override then bind" "sriov_numvfs $PF 4;add 0000:5e:00.1;" "$log"
check "apply: autoprobe restored" 1 "$(attr $PF sriov_drivers_autoprobe)"
out=$(onbed apply --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]; print(d["changed"], len(d["devices"]), d["failed"])')
check "idempotent: second apply changes nothing" "False 5 0" "$out"
out=$(vbbed status); rc=$?
check "status: in sync, exit 0" 0 "$rc"
check "status: 5 rows in sync" 5 "$(printf '%s\n' "$out" | grep -c ' in-sync ')"
# drift: one VF taken back by hand
tests/testbed/run "$BED" -- sh -c 'echo > /sys/bus/pci/devices/0000:5e:00.3/driver_override; echo 0000:5e:00.3 > /sys/bus/pci/drivers/mlx5_vfio_pci/unbind'
out=$(onbed status); rc=$?
check "status: drift when a VF is unbound, exit 3" 3 "$rc"
check_contains "status: that VF drifts" "0000:5e:00.3" "$(printf '%s\n' "$out" | grep ' drift ')"
onbed apply >/dev/null
check "apply again: VF back" mlx5_vfio_pci "$(drv 0000:5e:00.3)"

# --- count mismatch: refused without replace, with a clear message; nothing touched
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 2}
Y
before=$(tests/testbed/dump "$BED")
: >"$BED/testbed/log"
out=$(onbed apply 2>&1); rc=$?
check "mismatch: exit 1" 1 "$rc"
check_contains "mismatch: says the kernel wants 0 first" "has 4 VFs, the configuration wants 2" "$out"
check_contains "mismatch: names replace" "add 'replace: true'" "$out"
check_contains "mismatch: config location of numvfs" "/etc/vfio-bind.yaml:4:21" "$out"
check "mismatch: nothing changed" "$before" "$(tests/testbed/dump "$BED")"
check "mismatch: no kernel event" "" "$(cat "$BED/testbed/log")"

# --- replace: 0 first, then 2; the new VFs are bound
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 2, replace: true}
Y
out=$(onbed plan)
check_contains "replace: plan says remove then create" "remove 4 VFs, create 2 VFs" "$out"
out=$(vbbed apply); rc=$?
check "replace: exit 0" 0 "$rc"
check "replace: 2 VFs" 2 "$(attr $PF sriov_numvfs)"
check "replace: old VFs gone" "no no" "$(for f in 3 4; do [ -e "$BED/sys/bus/pci/devices/0000:5e:00.$f" ] && echo yes || echo no; done | tr '\n' ' ' | sed 's/ $//')"
check "replace: new VFs bound" "mlx5_vfio_pci mlx5_vfio_pci" "$(drv 0000:5e:00.1) $(drv 0000:5e:00.2)"
check_contains "replace: PF row" "removed 4 VFs, created 2 VFs" "$out"
check "replace: 0 written before 2" "sriov_numvfs $PF 0;sriov_numvfs $PF 2;" \
    "$(grep '^sriov_numvfs' "$BED/testbed/log" | tr '\n' ';')"

# --- per-VF selection by id; the others go to the host driver (iavf), autoprobe respected
mkbed
conf <<'Y'
version: 1
devices:
  - id: "8086:1572"
    sriov:
      numvfs: 8
      vfs: [0, 1, 5]
Y
out=$(vbbed apply); rc=$?
check "vfs: exit 0" 0 "$rc"
check "vfs: 8 VFs (offset 16: from 81:02.0)" 8 "$(attr 0000:81:00.0 sriov_numvfs)"
check "vfs: VF 0 1 5 on vfio-pci" "vfio-pci vfio-pci vfio-pci" "$(drv 0000:81:02.0) $(drv 0000:81:02.1) $(drv 0000:81:02.5)"
check "vfs: the others on the host VF driver" "iavf iavf iavf iavf iavf" \
    "$(drv 0000:81:02.2) $(drv 0000:81:02.3) $(drv 0000:81:02.4) $(drv 0000:81:02.6) $(drv 0000:81:02.7)"
check "vfs: 4 rows (PF + 3 VFs)" 4 "$(printf '%s\n' "$out" | grep -c '^0000:')"
check "vfs: iavf never had VF 0" "" "$(grep -E '^bind 0000:81:02.[015] iavf' "$BED/testbed/log")"

# --- a VF left out whose host driver's probe fails: not in the report, so the log names it
mkbed
conf <<'Y'
version: 1
devices:
  - id: "8086:1572"
    sriov:
      numvfs: 8
      vfs: [0, 1, 5]
Y
echo "iavf EIO" >"$BED/faults/probe/0000:81:02.2"
out=$(onbed apply 2>&1); rc=$?
check "VF left out, host probe fails: exit 0 (not selected)" 0 "$rc"
check "VF left out, host probe fails: on no driver" - "$(drv 0000:81:02.2)"
check_contains "VF left out, host probe fails: a warning names it" \
    "0000:81:02.2: VF of 0000:81:00.0 left on no driver: no host driver took it" "$out"

# --- a conflict that only the new VFs reveal: that VF alone is refused, the others are bound
mkbed
conf <<'Y'
version: 1
devices:
  - id: "8086:1572"
    sriov: {numvfs: 4}
  - id: "8086:154c"
    driver: vfio_pci
  - address: "0000:81:02.1"
    driver: vfio_iavf_test
Y
out=$(vbbed apply 2>&1); rc=$?
check "conflict after creation: exit 1 (that VF failed)" 1 "$rc"
check_contains "conflict after creation: says why, both places named" \
    "0000:81:02.1: two entries disagree: 'driver' is 'vfio_pci' at /etc/vfio-bind.yaml:5:5 and 'vfio_iavf_test' at /etc/vfio-bind.yaml:7:5" "$out"
check "conflict after creation: 4 VFs" 4 "$(attr 0000:81:00.0 sriov_numvfs)"
check "conflict after creation: autoprobe restored" 1 "$(attr 0000:81:00.0 sriov_drivers_autoprobe)"
check "conflict after creation: the refused VF on the host VF driver, the others bound" \
    "vfio-pci/vfio-pci iavf/(null) vfio-pci/vfio-pci vfio-pci/vfio-pci" \
    "$(for f in 0 1 2 3; do printf '%s/%s ' "$(drv 0000:81:02.$f)" "$(ovr 0000:81:02.$f)"; done | sed 's/ $//')"

# --- autoprobe 0 set by the admin: kept, and the VFs left out stay unbound
mkbed
conf <<'Y'
version: 1
devices:
  - id: "8086:1572"
    sriov: {numvfs: 8, vfs: [0, 1, 5]}
Y
echo 0 >"$BED/sys/bus/pci/devices/0000:81:00.0/sriov_drivers_autoprobe"
onbed apply >/dev/null; rc=$?
check "autoprobe 0: apply exit 0" 0 "$rc"
check "autoprobe 0: kept" 0 "$(attr 0000:81:00.0 sriov_drivers_autoprobe)"
check "autoprobe 0: VF 5 bound" vfio-pci "$(drv 0000:81:02.5)"
check "autoprobe 0: VF 2 left alone, unbound" - "$(drv 0000:81:02.2)"
check "autoprobe 0: autoprobe never written" "" "$(grep autoprobe "$BED/testbed/log")"

# --- numvfs above sriov_totalvfs: refused at plan time; PF without SR-IOV
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 9}
  - address: "0000:00:19.0"
    sriov: {numvfs: 1}
Y
out=$(onbed plan 2>&1); rc=$?
check "totalvfs: plan exit 1" 1 "$rc"
check_contains "totalvfs: message" "numvfs 9 at /etc/vfio-bind.yaml:4:21 is more than the device supports: sriov_totalvfs is 8" "$out"
check_contains "no SR-IOV: message" "the device has no SR-IOV capability" "$out"
check "totalvfs: apply changes nothing" 1 "$(onbed apply >/dev/null 2>&1; echo $?)"
check "totalvfs: still 0 VFs" 0 "$(attr $PF sriov_numvfs)"

# a fresh bed whose configuration gives the ConnectX-6 Dx PF two VFs ([VFS]: only those bound)
mkbed_two_vfs() {
    mkbed
    printf 'version: 1\ndevices:\n  - address: "0000:5e:00.0"\n    sriov: {numvfs: 2%s}\n' "${1:+, vfs: $1}" | conf
}

# --- a write that fails: the PF is reported, autoprobe put back
mkbed_two_vfs
mkdir -p "$BED/faults" && echo "/sys/bus/pci/devices/$PF/sriov_numvfs ENOMEM" >"$BED/faults/write"
out=$(onbed apply --json 2>/dev/null); rc=$?
check "fault: exit 1" 1 "$rc"
check "fault: PF failed at create-vfs" "failed create-vfs" \
    "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin)["apply"]["devices"][0]; print(d["result"], d["failed_step"])')"
check "fault: autoprobe restored" 1 "$(attr $PF sriov_drivers_autoprobe)"
rm "$BED/faults/write"
check "fault: next apply works" 0 "$(onbed apply >/dev/null 2>&1; echo $?)"

# a VF whose bind fails is rolled back to the host VF driver it would have had
mkbed_two_vfs
mkdir -p "$BED/faults/probe" && echo "mlx5_vfio_pci EIO" >"$BED/faults/probe/0000:5e:00.2"
out=$(onbed apply --json 2>/dev/null | python3 -c 'import json,sys; d={x["address"]: x for x in json.load(sys.stdin)["apply"]["devices"]}; x=d["0000:5e:00.2"]; print(x["result"], x["failed_step"], x["rolled_back"])'); rc=$?
check "VF probe fails: reported failed at probe, rolled back" "failed probe True" "$out"
check "VF probe fails: it is on the host VF driver, no override; its sibling on mlx5_vfio_pci" \
    "mlx5_core/(null) mlx5_vfio_pci" "$(drv 0000:5e:00.2)/$(ovr 0000:5e:00.2) $(drv 0000:5e:00.1)"

# --- early boot: the same code under --boot
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 3}
Y
: >"$BED/dev/kmsg" 2>/dev/null || { mkdir -p "$BED/dev" && : >"$BED/dev/kmsg"; }
onbed apply --boot >/dev/null 2>&1; rc=$?
check "boot: exit 0" 0 "$rc"
check "boot: 3 VFs bound" "mlx5_vfio_pci mlx5_vfio_pci mlx5_vfio_pci" "$(drv 0000:5e:00.1) $(drv 0000:5e:00.2) $(drv 0000:5e:00.3)"

# --- a VF that exists is selected by its PF's entry (the rule udev uses): no creation needed
mkbed_two_vfs "[1]"
tests/testbed/run "$BED" -- sh -c "echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs"
check "existing: host driver took them (autoprobe 1)" mlx5_core "$(drv 0000:5e:00.2)"
out=$(onbed plan)
check_contains "existing: VF 1 planned by physfn" "0000:5e:00.2 15b3:101e mlx5_core mlx5_vfio_pci will-change load mlx5_vfio_pci, set-override, unbind mlx5_core, probe" "$(tr -s ' ' <<< "$out")"
check "existing: VF 0 not selected" "" "$(printf '%s\n' "$out" | grep '^0000:5e:00.1')"
onbed apply >/dev/null
check "existing: VF 1 moved, VF 0 kept" "mlx5_core mlx5_vfio_pci" "$(drv 0000:5e:00.1) $(drv 0000:5e:00.2)"

# --- udev: the VFs an admin creates (their add events) go by the PF's entry
mkbed_two_vfs "[1]"
tests/testbed/run "$BED" -- sh -c "echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs"
out=$(onbed udev 0000:5e:00.2 2>&1); rc=$?
check "udev, a VF the PF's entry selects: bound, VFIO_BIND_DRIVER printed" "0 VFIO_BIND_DRIVER=mlx5_vfio_pci mlx5_vfio_pci" \
    "$rc $out $(drv 0000:5e:00.2)"
out=$(onbed udev 0000:5e:00.1 2>&1); rc=$?
check "udev, a VF it leaves out: untouched, silent" "0  mlx5_core" "$rc $out $(drv 0000:5e:00.1)"

# --- udev: the PF's driver binds (the rule's "bind" event): its VFs are created and bound
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 3}
  - address: "0000:81:00.0"
    sriov: {numvfs: 2}
Y
tests/testbed/run "$BED" -- sh -c "echo $PF > /sys/bus/pci/drivers/mlx5_core/unbind"
: >"$BED/testbed/log"
out=$(onbed udev $PF 2>&1); rc=$?
check "udev, PF add event before its driver: exit 0, nothing said" "0:" "$rc:$out"
check "udev, PF add event before its driver: nothing written" "" "$(grep -vE '^(load|register)' "$BED/testbed/log")"
out=$(onbed apply --boot --json 2>/dev/null | python3 -c 'import json,sys; print([(x["address"], x["result"]) for x in json.load(sys.stdin)["apply"]["devices"] if x["address"] == "'$PF'"])')
check "apply --boot, PF without a driver: not a failure" "[('$PF', 'unchanged')]" "$out"
check_contains "apply --boot, PF without a driver: a notice in the kernel log" \
    "vfio-bind: $PF: no driver yet; its VFs are created when the driver binds (udev)" "$(cat "$BED/dev/kmsg")"
tests/testbed/run "$BED" -- sh -c "echo $PF > /sys/bus/pci/drivers/mlx5_core/bind"
: >"$BED/testbed/log"
out=$(onbed udev --driver-bound $PF 2>&1); rc=$?
check "udev, PF bind event: exit 0, no VFIO_BIND_DRIVER for the PF" "0:" "$rc:$(printf '%s\n' "$out" | grep VFIO_BIND_DRIVER)"
check "udev, PF bind event: 3 VFs" 3 "$(attr $PF sriov_numvfs)"
check "udev, PF bind event: the VFs on mlx5_vfio_pci" "mlx5_vfio_pci mlx5_vfio_pci mlx5_vfio_pci" \
    "$(drv 0000:5e:00.1) $(drv 0000:5e:00.2) $(drv 0000:5e:00.3)"
check "udev, PF bind event: autoprobe restored, PF on mlx5_core" "1 mlx5_core" "$(attr $PF sriov_drivers_autoprobe) $(drv $PF)"
check "udev, PF bind event: nothing written for the other PF" "" "$(grep ' 0000:81:' "$BED/testbed/log")"
: >"$BED/testbed/log"
out=$(onbed udev --driver-bound $PF 2>&1); rc=$?
check "udev, PF bind event again: exit 0, nothing written" "0::" "$rc:$out:$(grep -vE '^(load|register)' "$BED/testbed/log")"
# the count changed by hand: the PF's entry is refused, which its bind event says (it was silent, exit 0)
tests/testbed/run "$BED" -- sh -c "echo 0 > /sys/bus/pci/devices/$PF/sriov_numvfs; echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs"
: >"$BED/dev/kmsg"
out=$(onbed udev --driver-bound $PF 2>&1); rc=$?
check "udev, PF bind event, count changed by hand: exit 1" 1 "$rc"
check_contains "udev, PF bind event, count changed by hand: the kernel log says why" \
    "<3>vfio-bind: $PF: has 2 VFs, the configuration wants 3" "$(cat "$BED/dev/kmsg")"

# --- a bind event of a device that an entry of its own selects does nothing (a revert stays)
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
Y
: >"$BED/testbed/log"
out=$(onbed udev --driver-bound $PF 2>&1); rc=$?
check "udev --driver-bound, a PF bound by its own entry: exit 0, nothing written" "0::mlx5_core" \
    "$rc:$out:$(grep -vE '^(load|register)' "$BED/testbed/log")$(drv $PF)"
out=$(onbed udev $PF 2>&1); rc=$?
check "udev, the same PF's add event: it goes to vfio-pci" "0 VFIO_BIND_DRIVER=vfio-pci vfio-pci" "$rc $out $(drv $PF)"
check "udev --driver-bound on another bus: usage error" 2 "$(onbed udev --bus platform --driver-bound x.y >/dev/null 2>&1; echo $?)"

# --- a VF of a PF that no 'sriov' entry selects: left alone
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:81:00.0"
    sriov: {numvfs: 2}
Y
tests/testbed/run "$BED" -- sh -c "echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs"
: >"$BED/testbed/log"
out=$(onbed udev 0000:5e:00.1 2>&1); rc=$?
check "udev, a VF of another PF: exit 0, silent, nothing written" "0::mlx5_core" \
    "$rc:$out:$(grep -vE '^(load|register)' "$BED/testbed/log")$(drv 0000:5e:00.1)"

# --- a VF removed by hand: the ones after it keep their index (they lost it, and VF 1 was
# released as "no entry selects it"), and the PF drifts until 'replace' makes them again
mkbed
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4, vfs: [0, 1]}
Y
onbed apply >/dev/null 2>&1
tests/testbed/run "$BED" -- sh -c 'echo 1 > /sys/bus/pci/devices/0000:5e:00.1/remove'
out=$(onbed status 2>&1); rc=$?
check "VF 0 removed: status exit 3" 3 "$rc"
check_contains "VF 0 removed: the PF drifts, saying why" \
    "1 of its 4 VFs are gone (removed by hand): the kernel makes them again only through 0" "$out"
check "VF 0 removed: VF 1 is still selected" "" "$(grep 'no entry selects it' <<<"$out")"
out=$(onbed apply 2>&1); rc=$?
check "VF 0 removed: apply exit 1, VF 1 kept on mlx5_vfio_pci, no VF made" "1 mlx5_vfio_pci 4" \
    "$rc $(drv 0000:5e:00.2) $(attr $PF sriov_numvfs)"
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4, vfs: [0, 1], replace: true}
Y
out=$(onbed apply 2>&1); rc=$?
check "VF 0 removed, replace: apply exit 0, VFs 0 and 1 on mlx5_vfio_pci" "0 mlx5_vfio_pci mlx5_vfio_pci" \
    "$rc $(drv 0000:5e:00.1) $(drv 0000:5e:00.2)"
out=$(onbed status 2>&1); rc=$?
check "VF 0 removed, replace: status in sync" 0 "$rc"

# --- 'replace' whose PF cannot be changed: its VFs stay as they are, not bound half-way (the
# old VF was bound to vfio-pci while its PF failed, with a warning that it had been made anew)
mkbed
tests/testbed/run "$BED" -- sh -c "echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs"
conf <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4, replace: true}
Y
echo "/sys/bus/pci/devices/$PF/sriov_numvfs EIO" >"$BED/faults/write"
out=$(onbed apply --json 2>/dev/null); rc=$?
check "replace, PF write fails: exit 1" 1 "$rc"
check "replace, PF write fails: the VFs untouched, on mlx5_core" "mlx5_core (null) mlx5_core (null)" \
    "$(drv 0000:5e:00.1) $(ovr 0000:5e:00.1) $(drv 0000:5e:00.2) $(ovr 0000:5e:00.2)"
check "replace, PF write fails: the VF rows say why, with no stale warning" \
    "failed|its PF $PF is not as configured (see there); left as it is|None" \
    "$(python3 -c 'import json,sys; d=[x for x in json.load(sys.stdin)["apply"]["devices"] if x["address"] == "0000:5e:00.1"][0]; print(d["result"], d["error"], d["warning"], sep="|")' <<<"$out")"

summary
