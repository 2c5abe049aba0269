#!/bin/bash
# The vfio driver's probe fails: the device goes back to its host driver (override cleared or
# restored to what it was, host driver probes it again, its netdev comes back), reported failed
# at "probe" with the probe's own errno; the others go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "vfio-pci EIO" >"$BED/faults/probe/0000:3b:00.2"
echo "mlx5_vfio_pci EINVAL" >"$BED/faults/probe/0000:5e:00.1"
run_vb apply --json
check_rc "exit 1" 1
check_json "JSON parses"
check "two devices failed" 2 "$(j '.apply.failed')"
check "0000:3b:00.2: failed at probe, errno 5 (EIO), rolled back" "failed probe 5 true" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "0000:3b:00.2: the message" "probe by 'vfio-pci' failed: Input/output error" \
    "$(jdev 0000:3b:00.2 .error)"
check "0000:3b:00.2: override, unbind, probe fails, override cleared, host driver back" \
    "driver_override 0000:3b:00.2 vfio-pci;unbind 0000:3b:00.2 mlx5_core;probe-failed 0000:3b:00.2 vfio-pci EIO;driver_override 0000:3b:00.2 (null);bind 0000:3b:00.2 mlx5_core;" \
    "$(events | grep ' 0000:3b:00\.2 ' | tr '\n' ';')"
check "0000:3b:00.2: back on mlx5_core, no override" "driver=mlx5_core override=-" "$(state 0000:3b:00.2)"
check "0000:3b:00.2: its netdev ens1f0v0 is back" yes \
    "$([ -e "$BED/sys/class/net/ens1f0v0" ] && echo yes || echo no)"
# an unbound VF goes back to unbound
check "0000:5e:00.1: failed at probe, errno 22 (EINVAL), rolled back" "failed probe 22 true" \
    "$(jdev 0000:5e:00.1 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "0000:5e:00.1: unbound again, no override" "driver=- override=-" "$(state 0000:5e:00.1)"
check "0000:5e:00.2 (same driver) goes on" "changed driver=mlx5_vfio_pci override=mlx5_vfio_pci" \
    "$(jdev 0000:5e:00.2 .result) $(state 0000:5e:00.2)"
check "0000:02:00.0 goes on" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"

# a device that had an override of its own gets that override back, not an empty one
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:3b:00.3"
Y
sh_bed 'echo mlx5_core > /sys/bus/pci/devices/0000:3b:00.3/driver_override'
echo "vfio-pci EIO" >"$BED/faults/probe/0000:3b:00.3"
mark
run_vb apply --json
check_rc "own override: exit 1" 1
check "own override: failed at probe, rolled back" "failed probe 5 true" \
    "$(jdev 0000:3b:00.3 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back)"')"
check "own override: restored to mlx5_core, on mlx5_core" "driver=mlx5_core override=mlx5_core" \
    "$(state 0000:3b:00.3)"
check "own override: the event sequence" \
    "driver_override 0000:3b:00.3 vfio-pci;unbind 0000:3b:00.3 mlx5_core;probe-failed 0000:3b:00.3 vfio-pci EIO;driver_override 0000:3b:00.3 mlx5_core;bind 0000:3b:00.3 mlx5_core;" \
    "$(events | grep ' 0000:3b:00\.3 ' | tr '\n' ';')"
summary
