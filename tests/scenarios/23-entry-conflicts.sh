#!/bin/bash
# Two entries that disagree about one device, in a way only the host shows (an id entry and an
# address entry landing on it with different drivers; an id entry with 'sriov' and an address
# entry binding the PF): that device is refused, both places named, and the others are bound,
# by plan, apply, status and the early run alike.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

conflict_config() {
    config <<'Y'
version: 1
devices:
  - id: "10de:1aef"
  - address: "0000:02:00.1"
    driver: vfio_pci
  - id: "15b3:101d"
    sriov: {numvfs: 2}
  - address: "0000:5e:00.0"
    id: "15b3:101d"
  - address: "0000:3b:00.2"
Y
}
Y=/etc/vfio-bind.yaml
why_driver="two entries disagree: 'driver' is '(resolved)' at $Y:3:5 and 'vfio_pci' at $Y:4:5; make them agree"
why_sriov="two entries disagree: $Y:6:5 gives it VFs with 'sriov' (the PF stays on its host driver), $Y:8:5 binds it; keep one"

bed demo
conflict_config
run_vb validate "$BED$Y"
check_rc "validate: the file alone cannot tell, exit 0" 0
mark
run_vb plan --json
check_rc "plan: a device refused, exit 1" 1
check "plan: the device both entries select is refused, both places named" "false|$why_driver" \
    "$(jdev 0000:02:00.1 '"\(.changed)|\(.error)"')"
check "plan: the PF both entries select is refused" "false|$why_sriov" \
    "$(jdev 0000:5e:00.0 '"\(.changed)|\(.error)"')"
check "plan: the others will change" "true|null true|null" \
    "$(jdev 0000:01:00.1 '"\(.changed)|\(.error)"') $(jdev 0000:3b:00.2 '"\(.changed)|\(.error)"')"
check "plan: no VF of the refused PF" "" "$(jdev 0000:5e:00.1 .result)$(jdev 0000:5e:00.2 .result)"
check_no_events "plan writes nothing"

run_vb apply --json
check_rc "apply: exit 1" 1
check "apply: the refused device failed, with the reason" "failed|$why_driver" \
    "$(jdev 0000:02:00.1 '"\(.result)|\(.error)"')"
check "apply: the others are bound" "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci" \
    "$(state 0000:01:00.1)|$(state 0000:3b:00.2)"
check "apply: the refused device is untouched" "driver=snd_hda_intel override=-" "$(state 0000:02:00.1)"
check "apply: the refused PF is untouched, no VFs made" "driver=mlx5_core override=-|" \
    "$(state 0000:5e:00.0)|$(events | grep -E 'sriov_numvfs|0000:02:00\.1|0000:5e:00\.0')"

run_vb status --json
check_rc "status: drift, exit 3" 3
check "status: the refused device drifts, with the reason" "drift|$why_driver" \
    "$(jdev 0000:02:00.1 '"\(.result)|\(.error)"')"
check "status: the bound NIC is in sync" "in-sync" "$(jdev 0000:3b:00.2 .result)"
check_grep "status: the bound audio function drifts, its group is not viable" \
    "^drift\|IOMMU group [0-9]+ is not viable: 0000:01:00.0 is on nvidia" \
    "$(jdev 0000:01:00.1 '"\(.result)|\(.error)"')"

# The early run binds the others too, and says in the kernel log which device it left and why.
bed demo
conflict_config
run_vb apply --boot
check_rc "apply --boot: exit 1" 1
check "apply --boot: the others are bound" "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci" \
    "$(state 0000:01:00.1)|$(state 0000:3b:00.2)"
check_grep "apply --boot: the kernel log names the device and both places" \
    "0000:02:00\.1.*'\(resolved\)' at /etc/vfio-bind\.yaml:3:5 and 'vfio_pci' at /etc/vfio-bind\.yaml:4:5" \
    "$(cat "$BED/dev/kmsg")"

# The kernel command line still gives way to the file, with a warning, and binds nothing less.
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.1"
    driver: vfio_pci
Y
cmdline "root=/dev/nvme0n1p2 intel_iommu=on rd.vfio-bind.devices=10de:1aef"
run_vb apply --boot
check_rc "cmdline item against a file entry: exit 0" 0
check "cmdline item against a file entry: both bound" "driver=vfio-pci override=vfio-pci|driver=vfio-pci override=vfio-pci" \
    "$(state 0000:01:00.1)|$(state 0000:02:00.1)"
check_grep "cmdline item against a file entry: the warning" \
    "device 0000:02:00\.1 is selected at /etc/vfio-bind\.yaml:3:5, whose 'driver' is kept" \
    "$(cat "$BED/dev/kmsg")"
summary
