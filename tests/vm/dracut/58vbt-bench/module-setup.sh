#!/bin/sh
# shellcheck disable=SC2154 # moddir, initdir, systemdsystemunitdir, SYSTEMCTL: set by dracut
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only dracut module for 'make bench-vm' (tests/bench/vm-boot.sh): marks the early run in
# the kernel log, at the same point of boot as vfio-bind's own module runs it. VBT_BENCH
# (environment of dracut) chooses:
#   floor  the floor, exactly the module load and sysfs writes vfio-bind does for one device
#          (modprobe vfio-pci, driver_override, unbind if bound, drivers_probe), no check, a
#          kernel log line just before and just after (VBT_BENCH_ADDR, default 0000:00:02.0):
#          vbt-floor.sh, sourced by a pre-udev hook (30) where vfio-bind's module has its hook,
#          run by vbt-floor.service where it has vfio-bind.service (the same ordering)
#   mark   a kernel log line just before vfio-bind's exec: a pre-udev hook (29) right before
#          vfio-bind's hook (30); under systemd a drop-in for vfio-bind.service whose ExecStart
#          is its own, run from sh -c after the line with exec (the command is read from the
#          unit vfio-bind's module installed: modules install in order, 55 before 58)
#   debug  as mark, and the hook (29) runs 'vfio-bind -v apply --boot' itself (non-systemd
#          only): the debug lines give a per-stage breakdown; vfio-bind's hook then finds it done
# POSIX sh (dash -n in make lint).

check() {
    return 255
}

depends() {
    echo base
}

# The unit's ExecStart run from sh after the kernel log line, in a drop-in.
vbt_mark_unit() {
    vbt_unit=$initdir$systemdsystemunitdir/vfio-bind.service
    vbt_cmd=$(sed -n 's/^ExecStart=//p' "$vbt_unit" 2> /dev/null)
    if [ -z "$vbt_cmd" ]; then
        derror "vbt-bench: no ExecStart in $vbt_unit (add the vfio-bind module)"
        return 1
    fi
    mkdir -p "$vbt_unit.d"
    printf '%s\n' '# vbt-bench (test only): a kernel log line just before the exec' '[Service]' \
        'ExecStart=' \
        "ExecStart=/bin/sh -c 'echo \"vbt-bench: vfio-bind exec\" > /dev/kmsg; exec $vbt_cmd'" \
        > "$vbt_unit.d/50-vbt-bench.conf"
}

install() {
    case ${VBT_BENCH:-} in
        floor)
            inst_multiple modprobe
            printf '%s\n' "${VBT_BENCH_ADDR:-0000:00:02.0}" > "$initdir/etc/vbt-floor.addr"
            if dracut_module_included "systemd"; then
                inst_simple "$moddir/vbt-floor.sh" /sbin/vbt-floor
                inst_simple "$moddir/vbt-floor.service" "$systemdsystemunitdir/vbt-floor.service"
                $SYSTEMCTL -q --root "$initdir" enable vbt-floor.service
            else
                inst_hook pre-udev 30 "$moddir/vbt-floor.sh"
            fi
            ;;
        mark)
            if dracut_module_included "systemd"; then
                vbt_mark_unit || return 1
            else
                inst_hook pre-udev 29 "$moddir/vbt-mark-exec.sh"
            fi
            ;;
        debug)
            if dracut_module_included "systemd"; then
                derror "vbt-bench: VBT_BENCH=debug is for the non-systemd kind"
                return 1
            fi
            inst_hook pre-udev 29 "$moddir/vbt-debug-exec.sh"
            ;;
        *)
            derror "vbt-bench: VBT_BENCH must be floor, mark or debug"
            return 1
            ;;
    esac
}
