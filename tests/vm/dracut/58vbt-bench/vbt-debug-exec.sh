#!/bin/sh
# pre-udev hook 29 (sourced by dracut's init; test only, make bench-vm BENCH_VM_BREAKDOWN=1): the
# mark, then the early run with debug lines (-v) for a per-stage breakdown from their kernel log
# timestamps; vfio-bind's own hook (30) runs after it and finds the device bound.
echo "vbt-bench: vfio-bind exec" > /dev/kmsg
/usr/sbin/vfio-bind -v apply --boot > /dev/null
