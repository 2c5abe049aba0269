#!/bin/bash
# A sysfs write fails with EIO (driver_override, or the host driver's unbind file): the device is
# left as it was, reported failed at that step with errno 5; the others go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "/sys/bus/pci/devices/0000:02:00.1/driver_override EIO" >"$BED/faults/write"
run_vb apply --json
check_rc "override EIO: exit 1" 1
check_json "override EIO: JSON parses"
check "override EIO: 0000:02:00.1 failed at set-override, errno 5, rolled back" \
    "failed set-override 5 true" \
    "$(jdev 0000:02:00.1 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "override EIO: the message" "cannot set driver_override to 'vfio-pci': Input/output error" \
    "$(jdev 0000:02:00.1 .error)"
check "override EIO: 0000:02:00.1 still on snd_hda_intel, no override" \
    "driver=snd_hda_intel override=-" "$(state 0000:02:00.1)"
check "override EIO: 0000:02:00.1 never unbound" "" "$(events | grep '^unbind 0000:02:00\.1 ')"
check "override EIO: its group sibling 0000:02:00.0 goes on" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.0)"
check "override EIO: the rest go on" 4 "$(j '[.apply.devices[] | select(.result == "changed")] | length')"

# the unbind file of the host driver fails
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "/sys/bus/pci/drivers/mlx5_core/unbind EIO" >"$BED/faults/write"
run_vb apply --json
check_rc "unbind EIO: exit 1" 1
check "unbind EIO: 0000:3b:00.2 failed at unbind, errno 5, rolled back" "failed unbind 5 true" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "unbind EIO: 0000:3b:00.2 on mlx5_core, override cleared" "driver=mlx5_core override=-" \
    "$(state 0000:3b:00.2)"
check "unbind EIO: override set then cleared" \
    "driver_override 0000:3b:00.2 vfio-pci;driver_override 0000:3b:00.2 (null);" \
    "$(events | grep ' 0000:3b:00\.2 ' | tr '\n' ';')"
summary
