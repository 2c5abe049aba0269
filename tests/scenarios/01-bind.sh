#!/bin/bash
# apply on the demo host: modules loaded through libkmod with their dependencies, then per
# device driver_override, unbind, probe (bind), verify; nothing else on the host is touched.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
before=$(dump)

mark
run_vb plan
check_rc "plan exits 0" 0
check "plan: five devices will change" 5 "$(grep -c 'will-change' <<<"$OUT")"
check_no_events "plan writes nothing"

run_vb apply
check_rc "apply exits 0" 0
check "apply: five devices changed" 5 "$(grep -c ' changed ' <<<"$OUT")"
check_grep "apply says what it did for 0000:02:00.0" \
    '^0000:02:00\.0 .* changed +load vfio_pci, set-override, unbind nvidia, probe$' "$OUT"

# modules: dependencies first (modules.dep), each once, then the driver registers
check "modules loaded in dependency order, each once" \
    "load vfio;load vfio_pci_core;load vfio_pci;register vfio-pci;load mlx5_vfio_pci;register mlx5_vfio_pci;" \
    "$(events | grep -E '^(load|register|load-failed) ' | tr '\n' ';')"
for m in vfio vfio_pci_core vfio_pci mlx5_vfio_pci; do
    check "module $m is live" live "$(module_state "$m")"
done
check "vfio is held by its three users" "module vfio live refcnt=3" "$(dump | grep '^module vfio ')"
check "the blacklisted nouveau is not loaded" absent "$(module_state nouveau)"

# per device: override, then unbind, then bind by the target driver
check "0000:02:00.0: override, unbind nvidia, bind vfio-pci" \
    "driver_override 0000:02:00.0 vfio-pci;unbind 0000:02:00.0 nvidia;bind 0000:02:00.0 vfio-pci;" \
    "$(events | grep ' 0000:02:00\.0 ' | tr '\n' ';')"
check "0000:3b:00.2: override, unbind mlx5_core, bind vfio-pci" \
    "driver_override 0000:3b:00.2 vfio-pci;unbind 0000:3b:00.2 mlx5_core;bind 0000:3b:00.2 vfio-pci;" \
    "$(events | grep ' 0000:3b:00\.2 ' | tr '\n' ';')"
check "0000:5e:00.1 (unbound VF): override, bind mlx5_vfio_pci, no unbind" \
    "driver_override 0000:5e:00.1 mlx5_vfio_pci;bind 0000:5e:00.1 mlx5_vfio_pci;" \
    "$(events | grep ' 0000:5e:00\.1 ' | tr '\n' ';')"
check "no probe failed" "" "$(events | grep probe-failed)"

for a in 0000:02:00.0 0000:02:00.1 0000:3b:00.2; do
    check "$a is on vfio-pci with the override" "driver=vfio-pci override=vfio-pci" "$(state "$a")"
done
for a in 0000:5e:00.1 0000:5e:00.2; do
    check "$a is on mlx5_vfio_pci with the override" \
        "driver=mlx5_vfio_pci override=mlx5_vfio_pci" "$(state "$a")"
done
# every other device is as it was
others() { grep '^device' | grep -v -E ' (0000:02:00\.[01]|0000:3b:00\.2|0000:5e:00\.[12]) '; }
check "the other 15 devices are untouched" "$(others <<<"$before")" "$(dump | others)"
check "the host driver's netdev went with it (ens1f0v0)" no \
    "$([ -e "$BED/sys/class/net/ens1f0v0" ] && echo yes || echo no)"
check "the PF's netdev stays (ens1f0np0)" yes \
    "$([ -e "$BED/sys/class/net/ens1f0np0" ] && echo yes || echo no)"
summary
