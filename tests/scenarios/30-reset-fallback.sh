#!/bin/bash
# Per-entry 'fallback: vfio_pci': the variant driver resolution chose fails to probe or to load;
# with fallback the device ends on vfio-pci ("fallback", the variant's step and errno, exit 1:
# not on its intended driver), recorded, and status says drift from the variant; without it the
# device goes back to where it was, as before.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

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
run_vb apply
check_rc "again: still exit 1" 1
check_grep "again: the table says fallback" "fallback" "$OUT"
check "again: still on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:5e:00.2)"

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
