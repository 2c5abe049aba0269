#!/bin/bash
# apply --boot: messages go to the kernel log (the bed's /dev/kmsg); rd.vfio-bind=0 on the
# kernel command line turns it off; rd.vfio-bind.devices= adds devices, and a malformed list
# is refused whole, with a message.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# The early run's records, without its first and last line (start, and duration and counts).
kmsg() { grep -v -e 'vfio-bind: early run starting$' -e 'vfio-bind: early run done in ' "$BED/dev/kmsg"; }

# rd.vfio-bind=0
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on rd.vfio-bind=0"
run_vb apply --boot
check_rc "rd.vfio-bind=0: exit 0" 0
check_no_events "rd.vfio-bind=0: nothing written, nothing loaded"
check "rd.vfio-bind=0: the kernel log says so (notice level)" \
    "<5>vfio-bind: disabled on the kernel command line (rd.vfio-bind= or vfio-bind= off); not binding anything" "$(kmsg)"
check "rd.vfio-bind=0: nothing on stdout" "" "$OUT"
run_vb apply --boot
check "rd.vfio-bind=0, second run: a second record, after the first" 2 "$(kmsg | grep -c 'disabled on the kernel command line')"
# without --boot the command line is not read
run_vb apply
check_rc "rd.vfio-bind=0 but no --boot: exit 0" 0
check "rd.vfio-bind=0 but no --boot: it binds" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"

# rd.vfio-bind.devices=: an address and an id, no configuration file at all
bed boot
cmdline "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on rd.vfio-bind.devices=0000:01:00.0,15b3:101e"
run_vb apply --boot --json
check_rc "devices from the command line: exit 0" 0
check_json "devices from the command line: JSON parses"
check "devices from the command line: the address and both VFs of the id" \
    "0000:01:00.0 0000:5e:00.1 0000:5e:00.2" "$(j '[.apply.devices[].address] | join(" ")')"
check "devices from the command line: the source is /proc/cmdline" "/proc/cmdline" \
    "$(j '[.apply.devices[].config] | unique | join(",")')"
check "0000:01:00.0 on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "the VFs on mlx5_vfio_pci" "driver=mlx5_vfio_pci override=mlx5_vfio_pci driver=mlx5_vfio_pci override=mlx5_vfio_pci" \
    "$(state 0000:5e:00.1) $(state 0000:5e:00.2)"
check "its twin 0000:02:00.0 untouched" "driver=nvidia override=-" "$(state 0000:02:00.0)"
check "the kernel log has one line per device bound" \
    "<6>vfio-bind: 0000:01:00.0: bound to vfio-pci;<6>vfio-bind: 0000:5e:00.1: bound to mlx5_vfio_pci;<6>vfio-bind: 0000:5e:00.2: bound to mlx5_vfio_pci;" \
    "$(kmsg | tr '\n' ';')"
check_contains "the kernel log ends with the run's duration and counts" \
    "early run done in " "$(tail -n 1 "$BED/dev/kmsg")"
check_contains "... 3 bound, 0 failed" "3 devices selected, 3 bound, 0 failed" "$(tail -n 1 "$BED/dev/kmsg")"

# --dry-run: the plan with the command line's devices, nothing done
bed boot
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0,15b3:101e"
run_vb apply --boot --dry-run --json
check_rc "--boot --dry-run: exit 0" 0
check "--boot --dry-run: the plan of the command line's devices" \
    "0000:01:00.0/true 0000:5e:00.1/true 0000:5e:00.2/true" \
    "$(j '[.plan.devices[] | "\(.address)/\(.changed)"] | join(" ")')"
check_no_events "--boot --dry-run: nothing written, nothing loaded"
check "--boot --dry-run: nothing moved" "driver=nvidia override=-" "$(state 0000:01:00.0)"

# rd.vfio-bind.devices= together with the configuration: both
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0"
run_vb apply --boot
check_rc "configuration and command line: exit 0" 0
check "configuration and command line: both GPUs bound" \
    "driver=vfio-pci override=vfio-pci driver=vfio-pci override=vfio-pci" \
    "$(state 0000:01:00.0) $(state 0000:02:00.0)"

# a malformed list is refused whole: its valid first item is not taken either
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0,15b3:zz"
run_vb apply --boot
check_rc "malformed list: exit 0 (the configuration still applies)" 0
check_grep "malformed list: the kernel log says why, at error level" \
    "^<3>vfio-bind: /proc/cmdline:1:65: rd\.vfio-bind\.devices: '15b3:zz' is not an address \(0000:01:00\.0\), VENDOR:DEVICE \(10de:2204\), slot:NAME, path:PATH or serial:DSN; ignoring the whole list$" \
    "$(kmsg)"
check "malformed list: 0000:01:00.0 (valid, but in the refused list) untouched" "driver=nvidia override=-" \
    "$(state 0000:01:00.0)"
check "malformed list: the VFs untouched" "driver=- override=- driver=- override=-" \
    "$(state 0000:5e:00.1) $(state 0000:5e:00.2)"
check "malformed list: the configuration's device bound" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.0)"
check "malformed list: only 0000:02:00.0 was written" "" \
    "$(events | grep -E '^(driver_override|unbind|bind) ' | grep -v ' 0000:02:00\.0 ')"

# a quote never closed, last on the line: the word runs to the end of the line, not into the
# newline /proc/cmdline ends with (the kernel never saw it; the device was refused with '\n')
bed demo
config <<'Y'
version: 1
devices: []
Y
cmdline 'root=/dev/sda1 rd.vfio-bind.devices="0000:02:00.0'
run_vb apply --boot
check_rc "unclosed quote: exit 0" 0
check "unclosed quote: the device bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check_no_grep "unclosed quote: no error in the kernel log" "^<3>" "$(kmsg)"

# empty item
bed boot
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0,,15b3:101e"
run_vb apply --boot
check_rc "empty item: exit 0" 0
check_grep "empty item: refused with a message" "rd\.vfio-bind\.devices: an empty item at ',15b3:101e'; ignoring the whole list" "$(kmsg)"
check_no_events "empty item: nothing written"

# an empty list, a trailing comma: refused like any empty item
for list in "" "0000:01:00.0,"; do
    bed boot
    cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=$list"
    run_vb apply --boot
    check_rc "list '$list': exit 0" 0
    check_grep "list '$list': refused with a message" "rd\.vfio-bind\.devices: an empty item at the end; ignoring the whole list" "$(kmsg)"
    check_no_events "list '$list': nothing written"
done

# an item that disagrees with the configuration's entry for the same device gives way to it
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
    driver: vfio_pci
Y
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=01:00.0,0000:02:00.0"
run_vb apply --boot
check_rc "an item against the configuration: exit 0" 0
check_grep "an item against the configuration: a warning naming both places" \
    "^<4>vfio-bind: /proc/cmdline:1:52: device 0000:01:00.0 is selected at .*vfio-bind.yaml:3:5, whose 'driver' is kept; ignoring this item for it$" "$(kmsg)"
check "an item against the configuration: both devices bound" "driver=vfio-pci override=vfio-pci driver=vfio-pci override=vfio-pci" \
    "$(state 0000:01:00.0) $(state 0000:02:00.0)"

# a list longer than any word buffer: 0000:01:00.0 and 90 addresses this host does not have
bed boot
list=0000:01:00.0
for i in $(seq 160 249); do list="$list,0000:$(printf '%02x' "$i"):00.0"; done
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=$list"
run_vb apply --boot
# The 90 others are named by address and absent: "missing", so exit 1 (the boot goes on).
check_rc "a ${#list}-byte list: exit 1 for the 90 absent addresses" 1
check_grep "a ${#list}-byte list: the last line counts them" "early run done in .* 1 bound, 0 failed, 90 missing$" \
    "$(cat "$BED/dev/kmsg")"
check "a ${#list}-byte list: its first device bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"

# a command line longer than 4096 bytes (bootconfig appends to it): the switch at its end works
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on $(printf 'padding.option%04d=1 ' $(seq 1 300))rd.vfio-bind=0"
check "a long command line: the bed's is over 4096 bytes" yes "$([ "$(wc -c <"$BED/proc/cmdline")" -gt 4096 ] && echo yes)"
run_vb apply --boot
check_rc "a long command line: exit 0" 0
check_no_events "a long command line: rd.vfio-bind=0 at its end is honoured"
check_grep "a long command line: the kernel log says disabled" "disabled on the kernel command line" "$(kmsg)"
summary
