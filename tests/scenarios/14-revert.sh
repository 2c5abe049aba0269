#!/bin/bash
# revert: clears the overrides and gives devices back to their host drivers, loading the host
# module by modalias when it is not loaded; the configuration's devices, or given addresses.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
before=$(dump | grep '^device')
run_vb apply
check_rc "apply: exit 0" 0
mark
run_vb revert --json
check_rc "revert (config devices): exit 0" 0
check_json "revert --json parses"
check "revert: every device changed" "true true true true true" \
    "$(j '[.revert.devices[].changed] | map(tostring) | join(" ")')"
check "revert: 0000:02:00.0 previous driver vfio-pci, now nvidia" "vfio-pci nvidia null" \
    "$(jdev 0000:02:00.0 '"\(.previous_driver) \(.driver) \(.driver_override)"')"
check "revert: 0000:02:00.0 override cleared, unbound, reprobed onto nvidia" \
    "driver_override 0000:02:00.0 (null);unbind 0000:02:00.0 vfio-pci;bind 0000:02:00.0 nvidia;" \
    "$(events | grep ' 0000:02:00\.0 ' | tr '\n' ';')"
check "revert: every device as before apply (VFs unbound: autoprobe is off on their PF)" \
    "$before" "$(dump | grep '^device')"
check "revert: ens1f0v0 is back with mlx5_core" yes \
    "$([ -e "$BED/sys/class/net/ens1f0v0" ] && echo yes || echo no)"
check "revert: the VFs say why no host driver took them, not as an error" \
    "null|no host driver: sriov_drivers_autoprobe is 0 on its PF 0000:5e:00.0" \
    "$(jdev 0000:5e:00.1 '"\(.error)|\(.note)"')"
check "revert: modules stay loaded (unloading is not revert's job)" live "$(module_state vfio_pci)"

mark
run_vb revert --json
check_rc "revert again: exit 0" 0
check "revert again: all unchanged" "unchanged unchanged unchanged unchanged unchanged" \
    "$(j '[.revert.devices[].result] | join(" ")')"
check "revert again: changed=false" false "$(j '.revert.changed')"
check_no_events "revert again: nothing written"

# the host module is not loaded: revert loads it by the device's modalias
bed revert
config <<'Y'
version: 1
devices:
  - address: "0000:00:19.0"
  - address: "0000:02:00.0"
Y
check "e1000e is not loaded to begin with" absent "$(module_state e1000e)"
run_vb revert --json
check_rc "host module not loaded: exit 0" 0
check "host module not loaded: e1000e loaded by modalias" live "$(module_state e1000e)"
check "host module not loaded: 0000:00:19.0 on e1000e, no override" "driver=e1000e override=-" \
    "$(state 0000:00:19.0)"
check "host module not loaded: eno1 came back" yes "$([ -e "$BED/sys/class/net/eno1" ] && echo yes || echo no)"
check "host module not loaded: steps" '["load-module","clear-override","unbind","probe"]' \
    "$(jdev 0000:00:19.0 '.steps' | tr -d ' \n')"
check "a config device already on its host driver: unchanged" "unchanged driver=igb override=-" \
    "$(jdev 0000:02:00.0 .result) $(state 0000:02:00.0)"
check "a device not in the config: untouched" "driver=vfio-pci override=vfio-pci" "$(state 0000:03:00.0)"

# the host module is blacklisted: not loaded, and not reported as loaded
bed revert
config <<'Y'
version: 1
devices:
  - address: "0000:00:19.0"
Y
mkdir -p "$BED/etc/modprobe.d" && echo "blacklist e1000e" >"$BED/etc/modprobe.d/no-e1000e.conf"
run_vb revert --json
check "host module blacklisted: e1000e not loaded" absent "$(module_state e1000e)"
check "host module blacklisted: no driver, no override" "driver=- override=-" "$(state 0000:00:19.0)"
check "host module blacklisted: steps without load-module" '["clear-override","unbind","probe"]' \
    "$(jdev 0000:00:19.0 '.steps' | tr -d ' \n')"
check "host module blacklisted: changed, with a note, exit 0" \
    "0 changed|no host driver: module 'e1000e' is blacklisted in modprobe.d" \
    "$RC $(jdev 0000:00:19.0 '"\(.result)|\(.note)"')"

# given addresses: no configuration needed (revert is the way back from a broken one)
printf 'version: 1\ndevices: [\n' >"$BED/etc/vfio-bind.yaml"
mark
run_vb revert 0000:03:00.0
check_rc "by address, broken config: exit 0" 0
check "by address: 0000:03:00.0 back on igb" "driver=igb override=-" "$(state 0000:03:00.0)"
check "by address: only that device was written" \
    "driver_override 0000:03:00.0 (null);unbind 0000:03:00.0 vfio-pci;bind 0000:03:00.0 igb;" \
    "$(events | tr '\n' ';')"
# vfio-pci will not let go (a VM holds the device): failed, the override put back
sh_bed 'echo vfio-pci > /sys/bus/pci/devices/0000:00:19.0/driver_override; d=/sys/bus/pci/devices/0000:00:19.0; if [ -e $d/driver ]; then echo 0000:00:19.0 > $d/driver/unbind; fi; echo 0000:00:19.0 > /sys/bus/pci/drivers/vfio-pci/bind'
echo EBUSY >"$BED/faults/unbind/0000:00:19.0"
mark
run_vb revert --json 0000:00:19.0
check_rc "unbind refused: exit 1" 1
check "unbind refused: failed at unbind, errno 16, rolled back" "failed unbind 16 true" \
    "$(jdev 0000:00:19.0 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "unbind refused: still on vfio-pci with its override" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:00:19.0)"
check "unbind refused: the report says what is there" "vfio-pci vfio-pci" \
    "$(jdev 0000:00:19.0 '"\(.driver) \(.driver_override)"')"
check "unbind refused: override cleared, then put back" \
    "driver_override 0000:00:19.0 (null);driver_override 0000:00:19.0 vfio-pci;" "$(events_line)"
rm "$BED/faults/unbind/0000:00:19.0"

run_vb revert 0000:09:00.0
check_rc "an address with no device: exit 1" 1
check_grep "an address with no device: says so" "revert: no PCI device 0000:09:00.0" "$ERR"
check_grep "an address with no device: the report lists it missing" \
    "^missing: no device matches address 0000:09:00.0 \(command line:1:1\)" "$OUT"
# --json: the document says why it exits 1 (it said failed 0, missing 0, unmatched [])
run_vb revert --json 0000:00:19.0 0000:09:00.*
check_rc "--json, an operand with no device: exit 1" 1
check_json "--json, an operand with no device: JSON parses"
check "--json: the other operand reverted, the missing one listed with its position" \
    "changed|1|address 0000:09:00.*|missing|command line|1" \
    "$(jdev 0000:00:19.0 .result)|$(j '.revert.missing')|$(j '.revert.unmatched[0] | "\(.selector)|\(.result)|\(.config)|\(.config_line)"')"
run_vb revert 0000:9:00
check_rc "a malformed address: exit 2" 2
run_vb revert
check_rc "no address, broken config: exit 2" 2
summary
