#!/bin/bash
# shellcheck disable=SC2154 # moddir, initdir, systemdsystemunitdir: set by dracut
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only dracut module for tests/vm: prints a machine-readable report of
# every PCI device to the console once udev coldplug has settled, then powers
# off (or, with vbt.hold on the kernel command line, serves commands read
# from the second serial port /dev/ttyS1 until told to power off).
#
# VBT_REPORT_VIA (environment of dracut) chooses how the report runs:
#   auto     (default) a systemd unit ordered after systemd-udev-settle in a
#            systemd initramfs, an initqueue/settled hook otherwise
#   settled  initqueue/settled hook in both kinds; under systemd this needs
#            dracut_need_initqueue, or dracut-initqueue.service is skipped
#            (its ConditionPathExists=|/lib/dracut/need-initqueue)
#   unit     (systemd only) the unit

check() {
    return 255
}

depends() {
    echo base
}

install() {
    local via=${VBT_REPORT_VIA:-auto}

    inst_multiple cat readlink dmesg grep sed sleep ls stty cut tr
    inst_script "$moddir/vbt-report.sh" /sbin/vbt-report

    # hook markers: which hooks run, and when
    inst_hook pre-udev 01 "$moddir/vbt-mark-pre-udev.sh"
    inst_hook pre-trigger 01 "$moddir/vbt-mark-pre-trigger.sh"
    inst_hook pre-mount 01 "$moddir/vbt-mark-pre-mount.sh"

    if dracut_module_included "systemd" && [[ $via != settled ]]; then
        inst_simple "$moddir/vbt-report.service" \
            "$systemdsystemunitdir/vbt-report.service"
        $SYSTEMCTL -q --root "$initdir" enable vbt-report.service
        # still mark the settled hook, to see whether it runs
        inst_hook initqueue/settled 01 "$moddir/vbt-mark-initqueue-settled.sh"
    else
        if dracut_module_included "systemd"; then
            dracut_need_initqueue
        fi
        inst_hook initqueue/settled 01 "$moddir/vbt-mark-initqueue-settled.sh"
        inst_hook initqueue/settled 99 "$moddir/vbt-report-hook.sh"
    fi
}
