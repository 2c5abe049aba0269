#!/bin/bash
# IOMMU groups are moved whole or not at all. 'group: all': when one member fails, apply puts
# the members it moved back (failed, rolled back, naming the member that failed) and leaves the
# rest alone; a member refused at plan time refuses the group. Without 'group: all', a group
# left half-moved (a refused mate, a member rebound by hand) is a warning in plan and apply and
# drift in status, every time, naming the member in the way.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# --- group: all, the third of four functions fails at probe
bed groups
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
    group: all
Y
before=$(dump | grep '^device')
echo "vfio-pci EIO" >"$BED/faults/probe/0000:01:00.2"
mark
run_vb apply --json
check_rc "a member fails: exit 1" 1
check "a member fails: all four failed" "failed failed failed failed" \
    "$(j '[.apply.devices[].result] | join(" ")')"
check "a member fails: the failed one at probe, EIO, rolled back" "probe 5 true" \
    "$(jdev 0000:01:00.2 '"\(.failed_step) \(.errno) \(.rolled_back)"')"
for a in 0000:01:00.0 0000:01:00.1; do
    check "a member fails: $a moved back, naming the member that failed" \
        "true|moved back: 0000:01:00.2 of IOMMU group 10 failed, and 'group: all' moves the group whole" \
        "$(jdev $a '"\(.rolled_back)|\(.error)"')"
done
check "a member fails: 0000:01:00.3 not moved, saying why" \
    "not moved: 0000:01:00.2 of IOMMU group 10 failed, and 'group: all' moves the group whole" \
    "$(jdev 0000:01:00.3 .error)"
check "a member fails: nothing written for 0000:01:00.3" "" "$(events | grep ' 0000:01:00\.3 ')"
check "a member fails: every device as before" "$before" "$(dump | grep '^device')"
run_vb status
check_rc "a member fails: status drift" 3
rm "$BED/faults/probe/0000:01:00.2"
run_vb apply
check_rc "fault gone: apply exit 0" 0
run_vb status
check_rc "fault gone: status in sync" 0

# --- someone hands one member back by hand: status says the group is not viable, every time
sh_bed 'echo > /sys/bus/pci/devices/0000:01:00.1/driver_override; echo 0000:01:00.1 > /sys/bus/pci/drivers/vfio-pci/unbind; echo 0000:01:00.1 > /sys/bus/pci/drivers/snd_hda_intel/bind'
for n in 1 2; do
    run_vb status --json
    check_rc "rebound by hand ($n): status exit 3" 3
    check "rebound by hand ($n): 0000:01:00.0 drift, naming the member in the way" \
        "drift|IOMMU group 10 is not viable: 0000:01:00.1 is on snd_hda_intel" \
        "$(jdev 0000:01:00.0 '"\(.result)|\(.error)"')"
done
run_vb apply
check_rc "rebound by hand: apply repairs it" 0
run_vb status
check_rc "rebound by hand: in sync again" 0

# --- without group: all, one function of four: the device goes, the group is not viable
bed groups
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
Y
run_vb apply
check_rc "one of four: apply exit 0 (a warning)" 0
run_vb status
check_rc "one of four: status drift" 3
check_grep "one of four: status names the member in the way" \
    "^0000:01:00\.0 .* drift +IOMMU group 10 is not viable: 0000:01:00\.1 is on snd_hda_intel" "$OUT"

# --- a mate refused at plan time (boot VGA with the console), selected by its own entry
bed split
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
  - address: "0000:01:00.1"
Y
run_vb plan --json
check "refused mate before: plan warns on the audio function, naming the VGA and why" \
    "IOMMU group 10 is not viable: 0000:01:00.0 is on nvidia and refused (in use: boot VGA device with the active console on fb0)" \
    "$(jdev 0000:01:00.1 .warning)"
run_vb apply --json
check_rc "refused mate before: apply exit 1" 1
check_grep "refused mate before: apply warns too" "0000:01:00\.0 is on nvidia" "$(jdev 0000:01:00.1 .warning)"
run_vb status
check_rc "refused mate before: status drift" 3
check_grep "refused mate before: status names the VGA" \
    "^0000:01:00\.1 .* drift +IOMMU group 10 is not viable: 0000:01:00\.0 is on nvidia" "$OUT"

# the refused mate comes after the device in address order
bed split
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
  - address: "0000:02:00.1"
Y
run_vb plan --json
check "refused mate after: plan warns on the GPU, naming the NIC" \
    "IOMMU group 11 is not viable: 0000:02:00.1 is on e1000e and refused (in use: interface eno1 is up with routes)" \
    "$(jdev 0000:02:00.0 .warning)"

# --- group: all with a member refused at plan time: the whole group is refused, nothing written
bed split
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.1"
    group: all
Y
mark
run_vb plan --json
check_rc "group: all, refused member: plan exit 1" 1
check "group: all, refused member: the audio function is refused too, naming the VGA" \
    "error|IOMMU group 10 moves whole ('group: all') and 0000:01:00.0 is refused: in use: boot VGA device with the active console on fb0" \
    "$(jdev 0000:01:00.1 '"\(.result)|\(.error)"' | sed 's/^planned/error/')"
run_vb apply
check_rc "group: all, refused member: apply exit 1" 1
check "group: all, refused member: nothing written" "" "$(events_line)"
summary
