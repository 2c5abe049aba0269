#!/bin/bash
# Only VFIO drivers, and only devices a VFIO driver takes. A 'driver' that the module tree
# shows is no VFIO driver (a library of the stack, a module built on nothing of VFIO, a host
# driver that a modprobe.d alias offers for vfio_) is refused at plan time, and status never
# calls such a device in sync. PCI bridges (header type 1, CardBus 2) get no VFIO module in
# list and are refused by plan; a normal header with the multi-function bit is taken.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed notvfio
# try NAME ADDRESS DRIVER-LINE REASON: plan refuses the device, apply writes nothing for it
try() {
    config <<Y
version: 1
devices:
  - address: "$2"
$3
Y
    mark
    run_vb plan --json
    check_rc "$1: plan exit 1" 1
    check "$1: plan says why" "$4" "$(jdev "$2" .error)"
    run_vb apply
    check_rc "$1: apply exit 1" 1
    check_no_events "$1: apply writes nothing"
    run_vb status --json
    check_rc "$1: status: drift, exit 3" 3
    check "$1: status: drift" drift "$(jdev "$2" .result)"
}
try "a library of the VFIO stack" 0000:01:00.0 "    driver: vfio_pci_core" \
    "module 'vfio_pci_core' is not a VFIO driver: it has no vfio_ alias and is not vfio_pci: a part of the VFIO stack (as vfio_pci_core, vfio_iommu_type1), not a driver; refusing to bind the device to it"
try "a module built on nothing of VFIO" 0000:01:00.0 "    driver: pretend-vfio-pci" \
    "module 'pretend_vfio_pci' is not a VFIO driver: it does not depend on the vfio module; refusing to bind the device to it"
try "resolution by modalias finds it too" 0000:01:00.0 "" \
    "module 'pretend_vfio_pci' is not a VFIO driver: it does not depend on the vfio module; refusing to bind the device to it"
try "a modprobe.d alias to a host driver" 0000:00:14.0 "" \
    "module 'xhci_pci' is not a VFIO driver: its name has no 'vfio', as every VFIO driver's has; refusing to bind the device to it"
check "the xHCI stays on its host driver, no override" "driver=xhci_hcd override=-" "$(state 0000:00:14.0)"
try "a PCI bridge" 0000:00:01.0 "" \
    "a PCI-to-PCI bridge (header type 1): vfio-pci and its variants take only normal (type 0) devices; select the devices behind it instead"
try "a CardBus bridge" 0000:00:1e.0 "" \
    "a CardBus bridge (header type 2): vfio-pci and its variants take only normal (type 0) devices; select the devices behind it instead"

# The multi-function bit is not part of the header type: that ISA bridge is a normal device.
config <<'Y'
version: 1
devices:
  - address: "0000:00:1f.0"
Y
run_vb apply
check_rc "header type 0x80: apply exit 0" 0
check "header type 0x80: bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:1f.0)"

# list: no VFIO module for what no VFIO driver takes, or for a refused module.
run_vb list --json
check_rc "list: exit 0" 0
check "list: header types" "1 0 2 0 0" \
    "$(j '[.list.devices[] | .header_type] | map(tostring) | join(" ")')"
check "list: a VFIO module only for the normal devices a VFIO driver takes" \
    "0000:00:01.0=null 0000:00:14.0=null 0000:00:1e.0=null 0000:00:1f.0=vfio_pci 0000:01:00.0=null" \
    "$(j '[.list.devices[] | "\(.address)=\(.vfio_module)"] | join(" ")')"
run_vb list -o address,id,class,driver,iommu_group,vfio_module
check_grep "list (table): the bridge has no VFIO module" '^0000:00:01\.0 +8086:1901 +060400 +pcieport +1 +-$' "$OUT"

# resolve ADDRESS says the same.
run_vb resolve 0000:00:01.0
check_rc "resolve a bridge: exit 1" 1
check "resolve a bridge: why" "vfio-bind: resolve: 0000:00:01.0 is a PCI-to-PCI bridge (header type 1): vfio-pci and its variants take only normal (type 0) devices" "$ERR"
run_vb resolve 0000:00:14.0
check_rc "resolve through a modprobe.d alias to a host driver: exit 1" 1
check_grep "resolve through a modprobe.d alias to a host driver: why" "module 'xhci_pci' is not a VFIO driver: its name has no 'vfio'" "$ERR"
run_vb resolve 0000:00:1f.0
check "resolve the ISA bridge (header type 0x80)" "0 vfio_pci" "$RC $OUT"

# The demo host's root ports too.
bed demo
run_vb list --json
check "demo: no root port is offered a VFIO module" "" \
    "$(j '[.list.devices[] | select(.class == "060400") | .vfio_module | select(. != null)] | join(" ")')"
check "demo: the endpoints are" "vfio_pci" "$(j '.list.devices[] | select(.address == "0000:02:00.0") | .vfio_module')"
summary
