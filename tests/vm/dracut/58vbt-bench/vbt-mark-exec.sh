#!/bin/sh
# pre-udev hook 29 (sourced by dracut's init; test only): a kernel log line just before
# vfio-bind's hook (30-vfio-bind-pre-udev.sh) execs vfio-bind.
echo "vbt-bench: vfio-bind exec" > /dev/kmsg
