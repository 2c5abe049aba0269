#!/bin/bash
# The device disappears (surprise removal, hot unplug) in the middle of the run: it is reported
# failed with ENODEV and "gone", nothing is put back because nothing is there; the other
# devices go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# gone when its override is written (after vfio_pci was loaded for an earlier device)
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "driver_override write" >"$BED/faults/vanish/0000:3b:00.2"
run_vb apply --json
check_rc "mid-run: exit 1" 1
check_json "mid-run: JSON parses"
check "mid-run: failed at set-override, errno 19 (ENODEV), not rolled back" \
    "failed set-override 19 false" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check_grep "mid-run: the message says the device is gone" "the device is gone" \
    "$(jdev 0000:3b:00.2 .error)"
check "mid-run: the report shows no driver" "null null" \
    "$(jdev 0000:3b:00.2 '"\(.driver) \(.driver_override)"')"
check "mid-run: the device is gone from the bed" gone "$(state 0000:3b:00.2)"
check "mid-run: no probe or write was tried on it afterwards" "unbind 0000:3b:00.2 mlx5_core;remove 0000:3b:00.2;" \
    "$(events | grep ' 0000:3b:00\.2' | tr '\n' ';')"
check "mid-run: the others went on" "changed changed changed changed" \
    "$(j '[.apply.devices[] | select(.address != "0000:3b:00.2") | .result] | join(" ")')"
check_no_grep "mid-run: no confusing 'put back' warning" "rolling back failed|put the device back" "$ERR"

# gone between enumeration and the first read of its state
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "driver_override read" >"$BED/faults/vanish/0000:02:00.0"
run_vb apply --json
check_rc "at discovery: exit 1" 1
check "at discovery: failed, no step attempted" "failed null 0" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.steps | length)"')"
check_grep "at discovery: the message says No such device" "No such device" "$(jdev 0000:02:00.0 .error)"
check "at discovery: no write to it" "" "$(events | grep -E '^(driver_override|bind) 0000:02:00\.0 ')"
check "at discovery: its audio function goes on" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.1)"

# gone before its ID was read: no made-up ID, and no errno no system call gave
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
echo "vendor read" >"$BED/faults/vanish/0000:02:00.0"
run_vb apply --json
check_rc "before its ID: exit 1" 1
check "before its ID: failed, id and errno null (were 0000:0000 and 0)" "failed null null" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.id) \(.errno)"')"

# revert: gone when its override is cleared; the report does not show it as it was
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
run_vb apply
echo "driver_override write" >"$BED/faults/vanish/0000:02:00.0"
run_vb revert --json 0000:02:00.0
check_rc "revert, gone: exit 1" 1
check "revert, gone: failed at clear-override, no driver shown, says it is gone" \
    "failed clear-override null null|cannot clear driver_override: No such device (the device is gone)" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.driver) \(.driver_override)|\(.error)"')"
summary
