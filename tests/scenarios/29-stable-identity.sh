#!/bin/bash
# Selectors that survive bus renumbering, and whole cards. One configuration on two boots of a
# machine (stable-a, stable-b): between them a card went in and the GPU's bus went from 03 to
# 04, the NIC moved to another slot. The 'slot', 'path' and 'serial' entries still find their
# devices; the 'address' entry finds another device there and its 'id' guard refuses it
# (missing). Each identity entry that matches nothing is missing too. Then 'functions: all' on
# a four-function GPU in one IOMMU group (card.host): plan shows the four, apply binds each to
# its own resolution (a variant driver for the USB function), revert gives them all back.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

stable_config() {
    config <<'EOF2'
version: 1
devices:
  - slot: "4"                       # the GPU's VGA function, by its physical slot
    id: "10de:1e84"
  - path: "pci0000:00/1c.4/00.1"    # its HDMI audio, by its place behind root port 1c.4
  - serial: "a0-36-9f-ff-ff-12-34-56"   # the NIC, wherever it is plugged
  - address: "0000:03:00.3"         # the UCSI function, by bus number
    id: "10de:1ad9"
EOF2
}

bed stable-a
run_vb list --json
check "list: slot, path and serial of each device" \
    "0000:00:1c.4 null pci0000:00/1c.4 null|0000:02:00.0 1 pci0000:00/1c.0/00.0 a0-36-9f-ff-ff-12-34-56|0000:03:00.1 4 pci0000:00/1c.4/00.1 00-00-00-00-de-ad-be-ef" \
    "$(j '[.list.devices[] | select(.address == "0000:02:00.0" or .address == "0000:03:00.1" or .address == "0000:00:1c.4") | "\(.address) \(.slot) \(.path) \(.serial)"] | sort | join("|")')"
run_vb list
check_grep "list (table): the path column, ready to copy" "^0000:03:00\.1 .* pci0000:00/1c\.4/00\.1 " "$OUT"

stable_config
run_vb apply --json
check_rc "first boot: apply exit 0" 0
check "first boot: each entry binds its device" \
    "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=xhci_hcd override=-" \
    "$(state 0000:03:00.0)|$(state 0000:03:00.1)|$(state 0000:02:00.0)|$(state 0000:03:00.3)|$(state 0000:03:00.2)"
check "first boot: nothing missing" 0 "$(j .apply.missing)"

# The second boot: the same configuration, the GPU on bus 04, an NVMe drive at 0000:03:00.0.
cp "$BED/etc/vfio-bind.yaml" "$SCENARIO_WORK/stable.yaml"
bed stable-b
cp "$SCENARIO_WORK/stable.yaml" "$BED/etc/vfio-bind.yaml"
run_vb plan --json
check_rc "renumbered: plan exit 1 (the address entry is missing)" 1
check "renumbered: slot, path and serial entries found their devices" \
    "0000:04:00.0=will-change 0000:04:00.1=will-change 0000:05:00.0=will-change" \
    "$(j '[.plan.devices[] | "\(.address)=\(.result)"] | join(" ")')"
check "renumbered: the plan rows carry the identities" "4 pci0000:00/1c.4/00.0 00-00-00-00-de-ad-be-ef" \
    "$(jdev 0000:04:00.0 '"\(.slot) \(.path) \(.serial)"')"
run_vb apply --json
check_rc "renumbered: apply exit 1 (missing)" 1
check "renumbered: the address entry is refused by its id guard" \
    "address 0000:03:00.3 id 10de:1ad9=missing" \
    "$(j '[.apply.unmatched[] | "\(.selector)=\(.result)"] | join(" ")')"
check_grep "renumbered: stderr names the missing entry and its line" \
    "vfio-bind.yaml:7:5: .*no device matches address 0000:03:00.3 id 10de:1ad9" "$ERR"
check "renumbered: the GPU functions and the NIC bound, the NVMe and the UCSI function left alone" \
    "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=nvme override=-|driver=ucsi_ccg override=-" \
    "$(state 0000:04:00.0)|$(state 0000:04:00.1)|$(state 0000:05:00.0)|$(state 0000:03:00.0)|$(state 0000:04:00.3)"

# Each identity selector that matches nothing is missing, with its place.
bed stable-b
config <<'EOF2'
version: 1
devices:
  - slot: "9"
  - path: "pci0000:00/1d.0/00.0"
  - serial: "01-02-03-04-05-06-07-08"
  - slot: "3"                       # a slot that is there, but not with this card
    id: "10de:1e84"
EOF2
run_vb status --json
check_rc "identities matching nothing: status exit 3" 3
check "identities matching nothing: each missing" \
    "slot 9=missing path pci0000:00/1d.0/00.0=missing serial 01-02-03-04-05-06-07-08=missing slot 3 id 10de:1e84=missing" \
    "$(j '[.status.unmatched[] | "\(.selector)=\(.result)"] | join(" ")')"
run_vb apply
check_rc "identities matching nothing: apply exit 1" 1
check_grep "identities matching nothing: the slot entry's line" \
    "vfio-bind.yaml:3:5: .*no device matches slot 9" "$ERR"

# The same identities from the kernel command line, for one boot: no configuration at all.
# slot:3 now holds the NVMe drive (for SPDK), the path names the GPU's audio function only.
kmsg() { grep -v -e 'vfio-bind: early run starting$' -e 'vfio-bind: early run done in ' "$BED/dev/kmsg"; }
bed stable-b
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=slot:3,path:pci0000:00/1c.4/00.1,serial:a0-36-9f-ff-ff-12-34-56"
run_vb apply --boot --json
check_rc "rd.vfio-bind.devices= with slot:, path:, serial:: exit 0" 0
check "rd.vfio-bind.devices=: each identity found its device on the renumbered bus" \
    "0000:03:00.0 0000:04:00.1 0000:05:00.0" "$(j '[.apply.devices[].address] | sort | join(" ")')"
check "rd.vfio-bind.devices=: the three on vfio-pci, the GPU's VGA function left alone" \
    "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=nouveau override=-" \
    "$(state 0000:03:00.0)|$(state 0000:04:00.1)|$(state 0000:05:00.0)|$(state 0000:04:00.0)"
bed stable-b
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=slot:3,path:0000:04:00.1"
run_vb apply --boot --json
check_rc "rd.vfio-bind.devices= with a malformed path: the run goes on (exit 0)" 0
check "rd.vfio-bind.devices= with a malformed path: the whole list ignored" "0" "$(j '.apply.devices | length')"
check_contains "rd.vfio-bind.devices= with a malformed path: said in the kernel log" \
    "/proc/cmdline:1:59: rd.vfio-bind.devices: invalid path '0000:04:00.1': expected the root bus" \
    "$(kmsg)"

# functions: all — the whole card, its group viable only with every function in it
bed card
config <<'EOF2'
version: 1
devices:
  - id: "10de:1e84"
EOF2
run_vb plan --json
check "one function of a card whose group it shares: the group is not viable" \
    "will-change|IOMMU group 10 is not viable: 0000:03:00.1 is on snd_hda_intel; select it too or add 'group: all'" \
    "$(jdev 0000:03:00.0 '"\(.result)|\(.warning)"')"

config <<'EOF2'
version: 1
devices:
  - id: "10de:1e84"
    functions: all
EOF2
run_vb plan --json
check_rc "functions: all: plan exit 0" 0
check "functions: all: plan shows the four functions, three via_functions" \
    "0000:03:00.0=will-change/false 0000:03:00.1=will-change/true 0000:03:00.2=will-change/true 0000:03:00.3=will-change/true" \
    "$(j '[.plan.devices[] | "\(.address)=\(.result)/\(.via_functions)"] | join(" ")')"
check "functions: all: the group viable, no warning" "null null null null" \
    "$(j '[.plan.devices[].warning] | map(tostring) | join(" ")')"
check "functions: all: each resolved on its own (a variant driver for the USB function)" \
    "vfio_pci vfio_pci xhci_vfio_pci vfio_pci" \
    "$(j '[.plan.devices[].vfio_module] | join(" ")')"
before=$(dump | grep '^device')
run_vb apply --json
check_rc "functions: all: apply exit 0" 0
check "functions: all: each bound to its own driver" \
    "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci|driver=xhci-vfio-pci override=xhci-vfio-pci|driver=vfio-pci override=vfio-pci" \
    "$(state 0000:03:00.0)|$(state 0000:03:00.1)|$(state 0000:03:00.2)|$(state 0000:03:00.3)"
run_vb status
check_rc "functions: all: status in sync" 0
run_vb revert --json
check_rc "functions: all: revert exit 0" 0
check "functions: all: revert gives the four back" "changed changed changed changed" \
    "$(j '[.revert.devices[].result] | join(" ")')"
check "functions: all: every function as before apply" "$before" "$(dump | grep '^device')"

summary
