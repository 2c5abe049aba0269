#!/bin/bash
# The host driver refuses to let go (unbind EBUSY): the override is cleared again, the device
# stays on its driver, reported failed at "unbind" with errno 16; the others go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo EBUSY >"$BED/faults/unbind/0000:3b:00.2"
run_vb apply --json
check_rc "exit 1" 1
check_json "JSON parses"
check "one device failed" 1 "$(j '.apply.failed')"
check "0000:3b:00.2: failed at unbind, errno 16, rolled back" "failed unbind 16 true false" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.failed_step) \(.errno) \(.rolled_back) \(.changed)"')"
check "0000:3b:00.2: the message names the driver and the error" \
    "cannot unbind 'mlx5_core': Device or resource busy" "$(jdev 0000:3b:00.2 .error)"
check "0000:3b:00.2: the report shows it on mlx5_core, no override" "mlx5_core null" \
    "$(jdev 0000:3b:00.2 '"\(.driver) \(.driver_override)"')"
check "0000:3b:00.2: override set, then cleared; never unbound" \
    "driver_override 0000:3b:00.2 vfio-pci;driver_override 0000:3b:00.2 (null);" \
    "$(events | grep ' 0000:3b:00\.2 ' | tr '\n' ';')"
check "0000:3b:00.2: still on mlx5_core, no override" "driver=mlx5_core override=-" "$(state 0000:3b:00.2)"
check "0000:3b:00.2: its netdev is still there" yes \
    "$([ -e "$BED/sys/class/net/ens1f0v0" ] && echo yes || echo no)"
for a in 0000:02:00.0 0000:02:00.1; do
    check "$a goes on to vfio-pci" "changed driver=vfio-pci override=vfio-pci" \
        "$(jdev "$a" .result) $(state "$a")"
done
check "0000:5e:00.1 goes on to mlx5_vfio_pci" "changed driver=mlx5_vfio_pci override=mlx5_vfio_pci" \
    "$(jdev 0000:5e:00.1 .result) $(state 0000:5e:00.1)"

# text output: the row says failed, with the step's error
run_vb apply
check_rc "again (text): exit 1" 1
check_grep "text: the row says failed and why" \
    "^0000:3b:00\.2 .* failed +cannot unbind 'mlx5_core': Device or resource busy" "$OUT"
check "text: the others are unchanged" 4 "$(grep -c ' unchanged ' <<<"$OUT")"

# the fault is gone: the next apply binds it
rm "$BED/faults/unbind/0000:3b:00.2"
run_vb apply
check_rc "fault cleared: exit 0" 0
check "fault cleared: 0000:3b:00.2 on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:3b:00.2)"
summary
