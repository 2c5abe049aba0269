#!/bin/bash
# The vfio module does not load (the kernel refuses it, or a dependency fails): the devices
# that need it fail at load-module, untouched; the others go on; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# vfio_pci refused by the kernel (EPERM: lockdown, signature, no CAP_SYS_MODULE)
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
: >"$BED/faults/load/vfio_pci"
before=$(dump)
run_vb apply --json
check_rc "load fails: exit 1" 1
check_json "load fails: JSON parses"
check "load fails: three failed" 3 "$(j '.apply.failed')"
for a in 0000:02:00.0 0000:02:00.1 0000:3b:00.2; do
    check "$a: failed at load-module, errno 1 (EPERM)" "failed load-module 1 false" \
        "$(jdev "$a" '"\(.result) \(.failed_step) \(.errno) \(.changed)"')"
    check "$a: untouched" "$(grep " $a " <<<"$before")" "$(dump | grep " $a ")"
    check "$a: nothing written" "" "$(events | grep " $a ")"
done
check "EPERM from the kernel is not called a blacklist" \
    "cannot load module 'vfio_pci': Operation not permitted" "$(jdev 0000:02:00.0 .error)"
check_grep "the error is on stderr too" "0000:3b:00\.2: cannot load module 'vfio_pci'" "$ERR"
check "the dependencies did load" "live live" "$(module_state vfio) $(module_state vfio_pci_core)"
check "vfio_pci is not loaded" absent "$(module_state vfio_pci)"
check_grep "the event log has the refusal" '^load-failed vfio_pci EPERM' "$(events)"
for a in 0000:5e:00.1 0000:5e:00.2; do
    check "$a (other module) still goes to mlx5_vfio_pci" \
        "changed driver=mlx5_vfio_pci override=mlx5_vfio_pci" "$(jdev "$a" .result) $(state "$a")"
done

# a dependency of vfio_pci fails: vfio_pci cannot load either
bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
echo ENOMEM >"$BED/faults/load/vfio_pci_core"
run_vb apply --json
check_rc "dependency fails: exit 1" 1
check "dependency fails: every device failed at load-module, errno 12" \
    "failed/load-module/12 failed/load-module/12 failed/load-module/12 failed/load-module/12 failed/load-module/12" \
    "$(j '[.apply.devices[] | "\(.result)/\(.failed_step)/\(.errno)"] | join(" ")')"
check "dependency fails: vfio_pci never inserted (dependency first)" "" \
    "$(events | grep -E '^load(-failed)? vfio_pci( |$)')"
check "dependency fails: no sysfs write" "" "$(events | grep -E '^(driver_override|unbind|bind) ')"
check "dependency fails: every device as before" "$(grep '^device' <<<"$before")" "$(dump | grep '^device')"
summary
