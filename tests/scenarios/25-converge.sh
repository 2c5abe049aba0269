#!/bin/bash
# Convergence: a device vfio-bind bound (recorded in /run/vfio-bind/bound) whose entry is removed
# goes back to its host driver on the next apply ("released"); plan shows it, status calls it
# drift. Devices others put on VFIO (libvirt, driverctl, a hand-written override, another card
# in the slot) are never touched; a bad record releases nothing; revert, -c, the early run, udev.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

REC=run/vfio-bind/bound
# The record's data lines (no comments, no magic line), ';'-separated.
record() {
    [ -f "$BED/$REC" ] || { echo absent; return; }
    grep -v -e '^#' -e '^vfio-bind-bound ' "$BED/$REC" | tr '\n' ';'
}
gpu_and_audio() {
    config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
  - address: "0000:02:00.1"
Y
}
gpu_only() {
    config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
}

# --- an entry removed: plan, status, apply, apply again
bed demo
gpu_and_audio
run_vb apply
check_rc "bind both: exit 0" 0
check "the record lists both, with the drivers they came from" \
    "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;pci 0000:02:00.1 10de:1aef vfio-pci snd_hda_intel -;" \
    "$(record)"
check "the record: root's, 0644" "0 644" "$(stat -c '%u %a' "$BED/$REC" 2>/dev/null)"
gpu_only
mark
run_vb plan
check_rc "plan: exit 0" 0
check_grep "plan: the audio function 'will release'" \
    "^0000:02:00\.1 +10de:1aef +vfio-pci +- +will-release +no entry selects it now" "$OUT"
run_vb plan --json
check "plan --json: will-release, changed, release" "will-release true true" \
    "$(jdev 0000:02:00.1 '"\(.result) \(.changed) \(.release)"')"
check "plan --json: top-level changed" true "$(j .plan.changed)"
run_vb status
check_rc "status: drift, exit 3" 3
check_grep "status: the audio function drifts, saying why" \
    "^0000:02:00\.1 +10de:1aef +vfio-pci +- +drift +no entry selects it now" "$OUT"
run_vb status --json
check "status --json: drift" "drift" "$(jdev 0000:02:00.1 .result)"
check_grep "status --json: the reason names the release" "no entry selects it now" "$(jdev 0000:02:00.1 .reason)"
check "status --json: the GPU in sync" "in-sync" "$(jdev 0000:02:00.0 .result)"
check_no_events "plan and status write nothing"
run_vb apply --json
check_rc "apply: exit 0" 0
check "apply: released, changed, with its steps" "released true clear-override,unbind,probe" \
    "$(jdev 0000:02:00.1 '"\(.result) \(.changed) \(.steps | join(","))"')"
check "apply: the GPU unchanged" "unchanged false" "$(jdev 0000:02:00.0 '"\(.result) \(.changed)"')"
check "apply: top-level changed, failed 0" "true 0" "$(j '"\(.apply.changed) \(.apply.failed)"')"
check "the audio function is back on snd_hda_intel, no override" "driver=snd_hda_intel override=-" \
    "$(state 0000:02:00.1)"
check "the GPU stays on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check "events: override cleared, vfio-pci unbound, the host driver bound" \
    "driver_override 0000:02:00.1 (null);unbind 0000:02:00.1 vfio-pci;bind 0000:02:00.1 snd_hda_intel;" \
    "$(events_line)"
check "the record lists the GPU only" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" "$(record)"
mark
run_vb apply --json
check "second apply: nothing changed" "false 0" "$(j '"\(.apply.changed) \(.apply.failed)"')"
check "second apply: one row, the GPU" "0000:02:00.0" "$(j '[.apply.devices[].address] | join(" ")')"
check_no_events "second apply writes nothing"
run_vb status
# the GPU is where the file wants it, but its audio mate is back on a host driver
check_rc "status after the release: the GPU's group is not viable, exit 3" 3
check_grep "status after the release: says why" \
    "^0000:02:00\.0 .*drift .*IOMMU group [0-9]+ is not viable: 0000:02:00\.1 is on snd_hda_intel" "$OUT"
gpu_and_audio
run_vb apply
gpu_only
run_vb apply
check_grep "text: the released row" "^0000:02:00\.1 +10de:1aef +snd_hda_intel +- +released +clear-override, unbind vfio-pci, probe" "$OUT"

# --- devices others put on VFIO are never touched
bed demo
gpu_and_audio
run_vb apply
# driverctl (as libvirt's managed='yes' does it too): the first GPU's audio, never in the record
sh_bed 'driverctl --nosave set-override 0000:01:00.1 vfio-pci' >/dev/null 2>&1
check "driverctl put 0000:01:00.1 on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.1)"
# a hand-written override on a recorded device: it is not vfio-bind's any more
sh_bed 'echo snd_hda_intel > /sys/bus/pci/devices/0000:02:00.1/driver_override'
# nothing selected now: only what vfio-bind bound, and left as it was, could go
config <<'Y'
version: 1
devices: []
Y
mark
run_vb plan --json
check "plan: only the GPU will release" "0000:02:00.0" \
    "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"
run_vb apply
check_rc "apply: exit 0" 0
check "driverctl's device untouched" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.1)"
check "the hand-overridden device untouched" "driver=vfio-pci override=snd_hda_intel" \
    "$(state 0000:02:00.1)"
check "only the GPU was written" "driver_override 0000:02:00.0 (null);unbind 0000:02:00.0 vfio-pci;bind 0000:02:00.0 nvidia;" \
    "$(events | grep -E '^(driver_override|bind|unbind) ' | tr '\n' ';')"
check "the record is empty" "" "$(record)"
run_vb status
check_rc "status: nothing selected, nothing of ours left: exit 0" 0

# an override cleared while the device stays on vfio-pci (by hand, or a release cut short):
# the release finishes it
bed demo
gpu_and_audio
run_vb apply
sh_bed 'echo > /sys/bus/pci/devices/0000:02:00.1/driver_override'
gpu_only
mark
run_vb apply --json
check "override cleared, still on vfio-pci: released, steps unbind and probe" "released unbind,probe" \
    "$(jdev 0000:02:00.1 '"\(.result) \(.steps | join(","))"')"
check "... back on snd_hda_intel" "driver=snd_hda_intel override=-" "$(state 0000:02:00.1)"

# another card in the slot: the record names other ids
bed demo
gpu_and_audio
run_vb apply
sed -i 's/^pci 0000:02:00.1 10de:1aef /pci 0000:02:00.1 10de:10f0 /' "$BED/$REC"
gpu_only
mark
run_vb plan --json
check "another card in the slot: no release planned" "" \
    "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"
run_vb apply
check "another card in the slot: untouched" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.1)"
check_no_events "another card in the slot: nothing written"
check "another card in the slot: its line leaves the record" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" \
    "$(record)"

# --- a missing or bad record releases nothing
bed demo
gpu_and_audio
run_vb apply
gpu_only
rm "$BED/$REC"
mark
run_vb plan --json
check "no record: no release planned" "" "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"
check "no record: no warning (the state after boot)" "" "$ERR"
run_vb status
check_rc "no record: status exit 0" 0

bed demo
gpu_and_audio
run_vb apply
gpu_only
printf 'pci 0000:02:00.1 10de:1aef vfio-pci snd_hda_intel -\n' >>"$BED/$REC"
sed -i 's/^pci 0000:02:00.0 .*/pci 0000:02:00.0 \x1b[31m/' "$BED/$REC"
mark
run_vb plan --json
check "corrupt record: no release planned" "" "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"
check_grep "corrupt record: a warning names the file and line" \
    "^vfio-bind: /run/vfio-bind/bound:4: not a record vfio-bind wrote$" "$ERR"
check_grep "corrupt record: ... and what it means" "Ignoring /run/vfio-bind/bound: no device is released" "$ERR"
check_no_grep "corrupt record: its bytes are not printed" $'\x1b' "$ERR"
run_vb status
check_rc "corrupt record: status exit 0 (nothing known to be ours)" 0
run_vb apply
check_rc "corrupt record: apply exit 0" 0
check "corrupt record: the audio function stays on vfio-pci" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.1)"
check_no_events "corrupt record: nothing written to sysfs"
check "corrupt record: apply writes a good record again (empty: nothing bound in this run)" "" "$(record)"
run_vb plan
check "the rewritten record reads without a warning" "" "$ERR"

for bad in 'mode 0666' 'a symlink' 'a directory' 'no magic line' 'a line cut short' 'a non-VFIO driver'; do
    bed demo
    gpu_and_audio
    run_vb apply
    gpu_only
    case $bad in
        'mode 0666') chmod 0666 "$BED/$REC" ;;
        'a symlink') mv "$BED/$REC" "$BED/$REC.real"; ln -s bound.real "$BED/$REC" ;;
        'a directory') rm "$BED/$REC"; mkdir "$BED/$REC" ;;
        'no magic line') sed -i '/^vfio-bind-bound /d' "$BED/$REC" ;;
        'a line cut short') printf 'pci 0000:01:00.0 10de:2204 vfio-p' >>"$BED/$REC" ;;
        'a non-VFIO driver') sed -i 's/^pci 0000:02:00.1 10de:1aef vfio-pci /pci 0000:02:00.1 10de:1aef nvidia /' "$BED/$REC" ;;
    esac
    mark
    run_vb apply
    check "record with $bad: exit 0, nothing written to sysfs" "0 " "$RC $(events_line)"
    check_grep "record with $bad: warning" "Ignoring /run/vfio-bind/bound" "$ERR"
done

# --- a bind that fails and is rolled back is not recorded (the record written ahead is corrected)
bed demo
gpu_and_audio
mkdir -p "$BED/faults/probe"
echo "vfio-pci EIO" >"$BED/faults/probe/0000:02:00.1"
run_vb apply
check_rc "probe fault: exit 1" 1
check "probe fault: the audio function back on snd_hda_intel" "driver=snd_hda_intel override=-" \
    "$(state 0000:02:00.1)"
check "probe fault: only the GPU recorded" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" "$(record)"

# --- a release that fails is put back on VFIO: still recorded, drift, released by a later apply
# (it was left on no driver and dropped from the record: later runs said nothing, exit 0)
bed demo
gpu_only
run_vb apply
config <<'Y'
version: 1
devices: []
Y
echo "nvidia EIO" >"$BED/faults/probe/0000:02:00.0"
run_vb apply --json
check_rc "release fails: exit 1" 1
check "release fails: failed at probe, put back, no change" "failed probe true false" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.rolled_back) \(.changed)"')"
check "release fails: back on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check "release fails: still recorded" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" "$(record)"
check_grep "release fails: the error says what comes next" \
    "0000:02:00\.0: cannot release it: probe by host driver 'nvidia' failed: .*; left on VFIO, released again by the next apply" \
    "$ERR"
run_vb status
check_rc "release fails: status drift (exit 3)" 3
run_vb apply
check_rc "release fails again: exit 1 again" 1
rm "$BED/faults/probe/0000:02:00.0"
run_vb apply --json
check_rc "the fault gone: exit 0" 0
check "the fault gone: released, on nvidia, out of the record" "released driver=nvidia override=- absent" \
    "$(jdev 0000:02:00.0 .result) $(state 0000:02:00.0) $( [ -n "$(record | tr -d ';')" ] && record || echo absent)"

# --- a record that cannot be written: a warning; the devices are bound all the same
bed demo
gpu_only
rm -rf "$BED/run/vfio-bind"
echo "not a directory" >"$BED/run/vfio-bind"
run_vb apply
check_rc "record not writable: apply exit 0 (the device is bound)" 0
check "record not writable: bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check_grep "record not writable: a warning says what it costs" \
    "Cannot write /run/vfio-bind/bound, ignoring: .*stays on VFIO when its entry goes" "$ERR"

# --- revert takes devices out of the record
bed demo
gpu_and_audio
run_vb apply
run_vb revert 0000:02:00.1
check_rc "revert one: exit 0" 0
check "revert one: it leaves the record" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" "$(record)"
run_vb revert
check "revert all: the record is empty" "" "$(record)"
run_vb status
check_rc "after revert: status drift (both selected, on their host drivers)" 3
run_vb plan --json
check "after revert: nothing to release" "" "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"

# --- -c FILE: each configuration releases only what it bound itself
bed demo
gpu_and_audio
run_vb apply
cat >"$BED/other.yaml" <<'Y'
version: 1
devices:
  - address: "0000:3b:00.2"
Y
mark
run_vb -c "$BED/other.yaml" plan --json
check "-c other: the host configuration's devices are not released" "" \
    "$(j '[.plan.devices[] | select(.release) | .address] | join(" ")')"
run_vb -c "$BED/other.yaml" apply
check_rc "-c other: apply exit 0" 0
check "-c other: the host's devices stay" "driver=vfio-pci override=vfio-pci driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.0) $(state 0000:02:00.1)"
check_grep "-c other: its device recorded with its file as origin" \
    "^pci 0000:3b:00\.2 15b3:1018 vfio-pci mlx5_core $BED/other\.yaml$" "$(tr ';' '\n' <<<"$(record)")"
run_vb status
check_rc "the host configuration's status: the -c device is not its drift" 0
cat >"$BED/other.yaml" <<'Y'
version: 1
devices: []
Y
run_vb -c "$BED/other.yaml" apply --json
check "-c other, entry removed: its own device released" "0000:3b:00.2 released" \
    "$(j '.apply.devices[] | "\(.address) \(.result)"')"
check "-c other: back on mlx5_core" "driver=mlx5_core override=-" "$(state 0000:3b:00.2)"
check "-c other: the host's devices stay" "driver=vfio-pci override=vfio-pci driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.0) $(state 0000:02:00.1)"

# --- the early run records, and (on the real root, after an older initramfs) releases
bed boot
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0"
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
  - address: "0000:5e:00.1"
Y
run_vb apply --boot
check_rc "--boot: exit 0" 0
check "--boot: the record; the command line's device as 'cmdline', the VF from no driver" \
    "pci 0000:01:00.0 10de:2204 vfio-pci nvidia cmdline;pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;pci 0000:5e:00.1 15b3:101e mlx5_vfio_pci - -;" \
    "$(record)"
config <<'Y'
version: 1
devices: []
Y
cmdline "root=/dev/sda1 intel_iommu=on"
run_vb apply --boot
check_rc "--boot, entries removed: exit 0" 0
check "--boot: the GPU released to nvidia" "driver=nvidia override=-" "$(state 0000:02:00.0)"
# the kernel probes a VF only when its PF's sriov_drivers_autoprobe is 1 or it has an override
check "--boot: the VF released to no driver, as before (PF autoprobe 0)" "driver=- override=-" \
    "$(state 0000:5e:00.1)"
check "--boot: the command line's device of the earlier run stays (one boot's)" \
    "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "--boot: the kernel log says so" \
    "<6>vfio-bind: 0000:02:00.0: released to nvidia;<6>vfio-bind: 0000:5e:00.1: released to no driver;" \
    "$(grep released "$BED/dev/kmsg" | grep -v 'early run done' | tr '\n' ';')"
check_contains "--boot: the last line counts them" "0 devices selected, 0 bound, 0 failed, 2 released" \
    "$(tail -n 1 "$BED/dev/kmsg")"
check "--boot: the record keeps the command line's device only" \
    "pci 0000:01:00.0 10de:2204 vfio-pci nvidia cmdline;" "$(record)"
mark
run_vb apply --boot --json
check "--boot again: the VF left on no driver is not released again" "false" "$(j .apply.changed)"
check_no_events "--boot again: nothing written"
run_vb status
check_rc "a plain status: the command line's device is no drift" 0

# --- udev records what it binds
bed demo
gpu_only
run_vb udev 0000:02:00.0
check "udev: bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check "udev: recorded" "pci 0000:02:00.0 10de:2204 vfio-pci nvidia -;" "$(record)"
config <<'Y'
version: 1
devices: []
Y
run_vb udev 0000:02:00.0
check_no_grep "udev: an event releases nothing (only apply does)" "override=-" "$(state 0000:02:00.0)"
summary
