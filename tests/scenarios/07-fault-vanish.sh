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
check_no_grep "mid-run: no confusing 'put back' warning" "could not put the device back" "$ERR"

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
summary
