#!/bin/bash
# status: exit 0 in sync, exit 3 on drift (someone unbinds a device, or clears its override),
# --json with per-device result and changed=false; status itself writes nothing.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
run_vb status --json
check_rc "before apply: drift, exit 3" 3
check_json "before apply: JSON parses"
check "before apply: every device drifts" "drift drift drift drift drift" \
    "$(j '[.status.devices[].result] | join(" ")')"
check_no_events "status writes nothing"

run_vb apply
check_rc "apply: exit 0" 0
mark
run_vb status
check_rc "after apply: in sync, exit 0" 0
check "after apply: five rows in-sync" 5 "$(grep -c ' in-sync ' <<<"$OUT")"
run_vb status --json
check_rc "after apply (JSON): exit 0" 0
check_json "after apply: JSON parses"
check "after apply: in-sync, changed=false for each" \
    "in-sync/false in-sync/false in-sync/false in-sync/false in-sync/false" \
    "$(j '[.status.devices[] | "\(.result)/\(.changed)"] | join(" ")')"
check "after apply: top-level changed=false, failed=0" "false 0" "$(j '"\(.status.changed) \(.status.failed)"')"
check_no_events "status after apply writes nothing"

# someone unbinds a device behind vfio-bind's back
sh_bed 'echo 0000:3b:00.2 > /sys/bus/pci/drivers/vfio-pci/unbind'
mark
run_vb status --json
check_rc "after an unbind: drift, exit 3" 3
check "after an unbind: that device drifts, with its state" "drift null vfio-pci vfio-pci" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.driver) \(.driver_override) \(.vfio_driver)"')"
check "after an unbind: the reason says so" "on no driver, not vfio-pci" "$(jdev 0000:3b:00.2 .reason)"
check "in sync: no reason" null "$(jdev 0000:02:00.0 .reason)"
check "after an unbind: the others are in sync" 4 "$(j '[.status.devices[] | select(.result == "in-sync")] | length')"
check_no_events "status does not repair"
check "status does not repair: still unbound" "driver=- override=vfio-pci" "$(state 0000:3b:00.2)"
run_vb status
check_grep "text: the drifting row, why in DETAIL" "^0000:3b:00\.2 +15b3:1018 +- +vfio-pci +drift +on no driver, not vfio-pci$" "$OUT"

# someone clears an override (the device stays bound until the next reprobe): drift too
sh_bed 'echo > /sys/bus/pci/devices/0000:02:00.0/driver_override'
run_vb status --json
check_rc "after an override is cleared: exit 3" 3
check "after an override is cleared: drift" "drift vfio-pci null" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.driver) \(.driver_override)"')"
check "after an override is cleared: the reason" "driver_override is not set, not 'vfio-pci'" \
    "$(jdev 0000:02:00.0 .reason)"

# apply repairs both, only those
mark
run_vb apply
check_rc "repair: exit 0" 0
check "repair: only the two drifting devices were written" \
    "driver_override 0000:02:00.0 vfio-pci;bind 0000:3b:00.2 vfio-pci;" \
    "$(events | grep -E '^(driver_override|bind|unbind) ' | tr '\n' ';')"
run_vb status
check_rc "after repair: in sync, exit 0" 0

# a device that moved to another driver
sh_bed 'echo 0000:02:00.1 > /sys/bus/pci/drivers/vfio-pci/unbind; echo snd_hda_intel > /sys/bus/pci/devices/0000:02:00.1/driver_override; echo 0000:02:00.1 > /sys/bus/pci/drivers_probe'
run_vb status --json
check "moved back to snd_hda_intel: drift, exit 3" "3 drift snd_hda_intel" \
    "$RC $(jdev 0000:02:00.1 '"\(.result) \(.driver)"')"
check "moved back: the reason names both drivers" "on snd_hda_intel, not vfio-pci" "$(jdev 0000:02:00.1 .reason)"
summary
