#!/bin/sh
# shellcheck disable=SC2154 # moddir, initdir: set by dracut
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only dracut module for 'make bench-vm' (tests/bench/bench-vm.sh): pre-udev hooks that
# mark the early run in the kernel log. VBT_BENCH (environment of dracut) chooses:
#   floor  hook 30: the floor, exactly the module load and sysfs writes vfio-bind does for one
#          device (modprobe vfio-pci, driver_override, unbind if bound, drivers_probe), no
#          check, a kernel log line just before and just after (VBT_BENCH_ADDR, default
#          0000:00:02.0)
#   mark   hook 29: a kernel log line just before vfio-bind's own hook (30) execs vfio-bind
# POSIX sh (dash -n in make lint).

check() {
    return 255
}

depends() {
    echo base
}

install() {
    case ${VBT_BENCH:-} in
        floor)
            inst_multiple modprobe
            printf '%s\n' "${VBT_BENCH_ADDR:-0000:00:02.0}" > "$initdir/etc/vbt-floor.addr"
            inst_hook pre-udev 30 "$moddir/vbt-floor.sh"
            ;;
        mark)
            inst_hook pre-udev 29 "$moddir/vbt-mark-exec.sh"
            ;;
        *)
            derror "vbt-bench: VBT_BENCH must be floor or mark"
            return 1
            ;;
    esac
}
