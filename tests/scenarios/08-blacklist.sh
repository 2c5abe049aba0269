#!/bin/bash
# "blacklist vfio_pci" in modprobe.d is honoured: vfio_pci is not loaded, its devices fail with
# a message that says so, untouched; devices of other modules go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "blacklist vfio_pci" >"$BED/etc/modprobe.d/no-vfio.conf"
before=$(dump)
run_vb apply --json
check_rc "exit 1" 1
check_json "JSON parses"
for a in 0000:02:00.0 0000:02:00.1 0000:3b:00.2; do
    check "$a: failed at load-module, untouched" "failed load-module $(grep " $a " <<<"$before")" \
        "$(jdev "$a" '"\(.result) \(.failed_step)"') $(dump | grep " $a ")"
done
check "the message names the module and modprobe.d" \
    "module 'vfio_pci' is blacklisted in modprobe.d ('blacklist vfio_pci'); not loading it" \
    "$(jdev 0000:3b:00.2 .error)"
check_grep "stderr says it too" "0000:02:00\.0: module 'vfio_pci' is blacklisted in modprobe\.d" "$ERR"
check "vfio_pci was never inserted" "" "$(events | grep -E '^load(-failed)? vfio_pci( |$)')"
check "vfio_pci is not loaded" absent "$(module_state vfio_pci)"
check "no override written for its devices" "" \
    "$(events | grep -E '^driver_override (0000:02:00\.[01]|0000:3b:00\.2) ')"
check "mlx5_vfio_pci (not blacklisted) still binds the VFs" \
    "driver=mlx5_vfio_pci override=mlx5_vfio_pci driver=mlx5_vfio_pci override=mlx5_vfio_pci" \
    "$(state 0000:5e:00.1) $(state 0000:5e:00.2)"

# plan does not load anything, so it cannot know: it plans the load; apply is where it fails
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "blacklist vfio_pci" >"$BED/etc/modprobe.d/no-vfio.conf"
run_vb plan
check_rc "plan: exit 0" 0
check_no_events "plan: nothing written"

# once the blacklist is gone, apply works
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo "blacklist nouveau" >"$BED/etc/modprobe.d/no-vfio.conf"
run_vb apply
check_rc "another module blacklisted: exit 0" 0
check "another module blacklisted: vfio_pci loads" live "$(module_state vfio_pci)"
summary
