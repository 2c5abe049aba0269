#!/bin/bash
# IOMMU groups: a group that VFIO cannot use is warned about, naming the other member;
# "group: all" binds every endpoint of the group and leaves the bridge alone.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed groups
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
Y
run_vb plan --json
check_rc "one function of four: plan exits 0" 0
check "one function of four: the warning names the first other endpoint" \
    "IOMMU group 10 is not viable: 0000:01:00.1 is on snd_hda_intel; select it too or add 'group: all'" \
    "$(jdev 0000:01:00.0 .warning)"
check_no_grep "the bridge in the group is not named" "0000:00:01\.0" "$(jdev 0000:01:00.0 .warning)"
run_vb apply
check_rc "one function of four: apply exits 0 (a warning, not an error)" 0
check_grep "apply shows the warning" "warning: IOMMU group 10 is not viable: 0000:01:00\.1 is on snd_hda_intel" "$OUT"
check "only 0000:01:00.0 moved" \
    "driver=vfio-pci override=vfio-pci|driver=snd_hda_intel override=-|driver=xhci_hcd override=-" \
    "$(state 0000:01:00.0)|$(state 0000:01:00.1)|$(state 0000:01:00.2)"

# group: all
bed groups
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
    group: all
Y
run_vb apply --json
check_rc "group: all: exit 0" 0
check_json "group: all: JSON parses"
check "group: all: the four endpoints, in address order" \
    "0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3" "$(j '[.apply.devices[].address] | join(" ")')"
check "group: all: via_group only for the three that came along" "false true true true" \
    "$(j '[.apply.devices[].via_group] | map(tostring) | join(" ")')"
check "group: all: no warning" "" "$(j '[.apply.devices[].warning | select(. != null)] | join(",")')"
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do
    check "group: all: $a on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state "$a")"
done
check "group: all: the root port stays on pcieport" "driver=pcieport override=-" "$(state 0000:00:01.0)"
check "group: all: nothing written to the bridge" "" "$(events | grep ' 0000:00:01\.0')"
check "group: all: the NIC of another group untouched" "driver=e1000e override=-" "$(state 0000:00:19.0)"
mark
run_vb status
check_rc "group: all: status in sync (exit 0)" 0
check "group: all: status lists the four" 4 "$(grep -c ' in-sync ' <<<"$OUT")"
run_vb apply
check "group: all: second apply writes nothing" "0 unchanged=4" \
    "$RC unchanged=$(grep -c ' unchanged ' <<<"$OUT")"
check_no_events "group: all: second apply, no events"

# selecting the sibling too makes the group viable without group: all
bed groups
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.*"
Y
run_vb plan --json
check "all four by address: no warning" "null null null null" \
    "$(j '[.plan.devices[].warning] | map(tostring) | join(" ")')"
summary
