#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vbt-report WHERE -- print a report of every PCI device, then power off.
# Lines (parsed by tests/vm/lib.sh):
#   VMREPORT-BEGIN via=WHERE uptime=S
#   VMREPORT addr=A id=VVVV:DDDD class=0xCCCCCC driver=D override=O group=G
#   VMDMESG <dmesg line matching e1000e|vfio>
#   VMREPORT-END
# Fields with no value are "-"; override is what sysfs shows, "(null)" unset.
# With vbt.hold on the kernel command line, it then reads commands from
# /dev/ttyS1 (tests/vm/lib.sh vm_ctl) until "poweroff":
#   report            print the report again
#   run CMD...        run CMD with sh, output as "VMOUT ..." then "VMDONE rc=N"
#   poweroff

exec > /dev/console 2>&1

via=${1:-?}

field() {
    # field FILE: content of a sysfs attribute, "-" when absent
    if [ -r "$1" ]; then
        cat "$1" 2>/dev/null || echo -
    else
        echo -
    fi
}

link_base() {
    # link_base LINK: basename of a symlink target, "-" when absent
    if [ -L "$1" ]; then
        _t=$(readlink "$1")
        echo "${_t##*/}"
    else
        echo -
    fi
}

report() {
    echo "VMREPORT-BEGIN via=$via uptime=$(cut -d' ' -f1 /proc/uptime)"
    for d in /sys/bus/pci/devices/*; do
        [ -e "$d" ] || continue
        v=$(field "$d/vendor")
        dv=$(field "$d/device")
        echo "VMREPORT addr=${d##*/} id=${v#0x}:${dv#0x} class=$(field "$d/class")" \
            "driver=$(link_base "$d/driver") override=$(field "$d/driver_override")" \
            "group=$(link_base "$d/iommu_group")"
    done
    dmesg | grep -Ei 'e1000e|vfio' | sed 's/^/VMDMESG /'
    echo "VMREPORT-END"
}

report

if grep -qw 'vbt.hold' /proc/cmdline; then
    ctl=/dev/ttyS1
    stty -F "$ctl" raw -echo 2>/dev/null
    exec 3< "$ctl"
    echo "VMHOLD ready"
    while :; do
        if ! IFS= read -r line <&3; then
            sleep 0.2
            continue
        fi
        line=$(printf '%s' "$line" | tr -d '\r')
        case $line in
            report) report ;;
            run\ *)
                sh -c "${line#run }" > /tmp/vbt-run.out 2>&1
                rc=$?
                sed 's/^/VMOUT /' /tmp/vbt-run.out
                echo "VMDONE rc=$rc"
                ;;
            poweroff) break ;;
            '') ;;
            *) echo "VMERR unknown command '$line'" ;;
        esac
    done
fi

echo "VMPOWEROFF"
echo o > /proc/sysrq-trigger
sleep 30
