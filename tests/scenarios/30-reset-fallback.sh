#!/bin/bash
# Per-entry 'reset_method': written before binding, only with methods the device offers (the
# refusal lists them), recorded, put back by revert; status reports drift in it.
# Per-entry 'fallback: vfio_pci': the variant driver resolution chose fails to probe or to load;
# with fallback the device ends on vfio-pci ("fallback", the variant's step and errno, exit 1:
# not on its intended driver), recorded, and status says drift from the variant; without it the
# device goes back to where it was, as before.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

RM=/sys/bus/pci/devices/0000:02:00.0/reset_method
bed reset
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    reset_method: bus
Y
run_vb plan --json
check_rc "reset: plan exit 0" 0
check "reset: plan shows set-reset-method first" \
    "will-change set-reset-method,load-module,set-override,unbind,probe" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.steps | join(","))"')"
check_grep "reset: the table says which" "reset_method 'bus', load vfio_pci" "$(run_vb plan; echo "$OUT")"
run_vb status --json
check_rc "reset: status before: exit 3" 3
mark
run_vb apply --json
check_rc "reset: apply exit 0" 0
check "reset: changed, steps" "changed set-reset-method,load-module,set-override,unbind,probe" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.steps | join(","))"')"
check "reset: reset_method is bus" "bus" "$(cat "$BED$RM")"
check "reset: on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check "reset: written first, before the module and the override" \
    "reset_method 0000:02:00.0 bus;load vfio;" "$(events | head -n 2 | tr '\n' ';')"
check_grep "reset: the previous methods recorded" \
    "^pci 0000:02:00.0 8086:1533 vfio-pci igb - reset_method=flr,pm,bus$" \
    "$(cat "$BED/run/vfio-bind/bound")"
run_vb status --json
check_rc "reset: status in sync: exit 0" 0
run_vb apply --json
check "reset: apply again: unchanged" "unchanged" "$(jdev 0000:02:00.0 .result)"
# someone changes it: drift, and apply sets it again without moving the device
sh_bed "echo 'flr bus' > $RM"
run_vb status --json
check_rc "reset: changed by hand: status exit 3" 3
check "reset: drift names the attribute" "drift reset_method is 'flr bus', not 'bus'" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.reason)"')"
mark
run_vb apply --json
check "reset: apply sets it alone" "changed set-reset-method" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.steps | join(","))"')"
check "reset: that write alone" "reset_method 0000:02:00.0 bus" "$(events)"
check "reset: bus again" "bus" "$(cat "$BED$RM")"
# narrowed by hand to a method the entry does not name: the kernel then shows only 'pm', and
# the record knows the device offered bus too: drift, not a refusal; apply sets bus again
sh_bed "echo pm > $RM"
run_vb status --json
check_rc "reset: narrowed by hand to pm: status exit 3" 3
check "reset: narrowed by hand: drift names it" "drift reset_method is 'pm', not 'bus'" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.reason)"')"
run_vb apply --json
check_rc "reset: narrowed by hand: apply exit 0" 0
check "reset: narrowed by hand: bus again" "bus" "$(cat "$BED$RM")"
run_vb revert --json
check_rc "reset: revert exit 0" 0
check "reset: revert puts flr pm bus back" "flr pm bus" "$(cat "$BED$RM")"
check "reset: back on igb" "driver=igb override=-" "$(state 0000:02:00.0)"

# a method the device does not offer: refused at plan time, with those it offers; nothing done
bed reset
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    reset_method: [acpi, bus]
  - address: "0000:03:00.0"
    reset_method: flr
Y
run_vb plan --json
check_rc "refused: plan exit 1" 1
check "refused: the method and those offered" \
    "error reset method 'acpi' is not one the device offers; it offers: flr pm bus" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.error)"')"
check_grep "refused: a device without the attribute" "has no reset_method attribute" \
    "$(jdev 0000:03:00.0 .error)"
mark
run_vb apply --json
check_rc "refused: apply exit 1" 1
check "refused: nothing written" "" "$(events)"
check "refused: reset_method unchanged" "flr pm bus" "$(cat "$BED$RM")"

# the bind fails after reset_method was written: it goes back too
bed reset
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    reset_method: "pm  flr"
Y
echo "vfio-pci EIO" >"$BED/faults/probe/0000:02:00.0"
run_vb apply --json
check_rc "rollback: exit 1" 1
check "rollback: failed at probe, rolled back" "failed probe true" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.rolled_back)"')"
check "rollback: reset_method back" "flr pm bus" "$(cat "$BED$RM")"
check "rollback: on igb" "driver=igb override=-" "$(state 0000:02:00.0)"

# without fallback: the variant's probe fails, the VF goes back to no driver
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:5e:00.1"
Y
echo "mlx5_vfio_pci EINVAL" >"$BED/faults/probe/0000:5e:00.1"
run_vb apply --json
check_rc "no fallback: exit 1" 1
check "no fallback: failed at probe, rolled back" "failed probe 22 true" \
    "$(jdev 0000:5e:00.1 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "no fallback: on no driver" "driver=- override=-" "$(state 0000:5e:00.1)"

# with fallback: on vfio-pci, reported as fallback with the variant's error
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:5e:00.1"
    fallback: vfio_pci
Y
echo "mlx5_vfio_pci EINVAL" >"$BED/faults/probe/0000:5e:00.1"
run_vb plan --json
check_rc "fallback: plan still plans the variant" 0
check "fallback: plan names mlx5_vfio_pci" "will-change mlx5_vfio_pci" \
    "$(jdev 0000:5e:00.1 '"\(.result) \(.vfio_module)"')"
mark
run_vb apply --json
check_rc "fallback: exit 1 (not on its intended driver)" 1
check_json "fallback: JSON parses"
check "fallback: result, the variant's step and errno, changed" \
    "fallback probe 22 true null" \
    "$(jdev 0000:5e:00.1 '"\(.result) \(.failed_step) \(.errno) \(.changed) \(.rolled_back)"')"
check "fallback: vfio_driver is vfio-pci" "vfio-pci" "$(jdev 0000:5e:00.1 .vfio_driver)"
check_grep "fallback: the error names the variant's failure" \
    "probe by 'mlx5_vfio_pci' failed: Invalid argument; on vfio-pci instead" \
    "$(jdev 0000:5e:00.1 .error)"
check "fallback: on vfio-pci with its override" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:5e:00.1)"
check "fallback: the variant's try, undone, then vfio-pci" \
    "driver_override 0000:5e:00.1 mlx5_vfio_pci;probe-failed 0000:5e:00.1 mlx5_vfio_pci EINVAL;driver_override 0000:5e:00.1 (null);driver_override 0000:5e:00.1 vfio-pci;bind 0000:5e:00.1 vfio-pci;" \
    "$(events | grep ' 0000:5e:00\.1' | tr '\n' ';')"
check_grep "fallback: recorded on vfio-pci, so revert and release give it back" \
    "pci 0000:5e:00.1 15b3:101e vfio-pci - -" "$(cat "$BED/run/vfio-bind/bound")"
run_vb status --json
check_rc "fallback: status exit 3" 3
check "fallback: status drift from the variant" "drift on vfio-pci, not mlx5_vfio_pci" \
    "$(jdev 0000:5e:00.1 '"\(.result) \(.reason)"')"

# the fault gone: apply moves it to its variant
rm "$BED/faults/probe/0000:5e:00.1"
run_vb apply --json
check_rc "fault gone: exit 0" 0
check "fault gone: changed, on mlx5_vfio_pci" "changed driver=mlx5_vfio_pci override=mlx5_vfio_pci" \
    "$(jdev 0000:5e:00.1 .result) $(state 0000:5e:00.1)"
run_vb revert
check_rc "revert: exit 0" 0
check "revert: back on no driver" "driver=- override=-" "$(state 0000:5e:00.1)"

# the variant fails to load: fallback too, at load-module
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:5e:00.2"
    fallback: vfio_pci
Y
echo ENOEXEC >"$BED/faults/load/mlx5_vfio_pci"
run_vb apply --json
check_rc "load fault: exit 1" 1
check "load fault: fallback at load-module, errno 8" "fallback load-module 8" \
    "$(jdev 0000:5e:00.2 '"\(.result) \(.failed_step) \(.errno)"')"
check "load fault: on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:5e:00.2)"
mark
run_vb apply
check_rc "again: still exit 1" 1
check_grep "again: the table says fallback" "fallback" "$OUT"
check "again: still on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:5e:00.2)"
check "again: only the variant's load tried, nothing written to the device" \
    "load-failed mlx5_vfio_pci ENOEXEC;" "$(events_line)"
# config management runs it every time: a fallback found in place is no change
run_vb apply --json
check "again, JSON: fallback, not changed, nor the run" "fallback false false" \
    "$(jdev 0000:5e:00.2 '"\(.result) \(.changed)"') $(j .apply.changed)"

# vfio-pci fails too: both errors, back where it was
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:5e:00.2"
    fallback: vfio_pci
Y
printf 'mlx5_vfio_pci EINVAL\nvfio-pci EIO\n' >"$BED/faults/probe/0000:5e:00.2"
run_vb apply --json
check_rc "both fail: exit 1" 1
check "both fail: failed, rolled back" "failed true" \
    "$(jdev 0000:5e:00.2 '"\(.result) \(.rolled_back)"')"
check_grep "both fail: both errors" \
    "probe by 'mlx5_vfio_pci' failed: Invalid argument; fallback to vfio-pci: probe by 'vfio-pci' failed: Input/output error" \
    "$(jdev 0000:5e:00.2 .error)"
check "both fail: on no driver" "driver=- override=-" "$(state 0000:5e:00.2)"
summary
