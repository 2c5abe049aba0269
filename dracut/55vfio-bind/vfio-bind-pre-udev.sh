#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut pre-udev hook (non-systemd initramfs; sourced by dracut's init): bind the configured
# PCI devices to their VFIO drivers before udev coldplug loads the host drivers by modalias.
# The same conditions as vfio-bind.service. It never stops the boot: errors go to the kernel
# log ("vfio-bind: ..."), which also has a line per device bound; the table on stdout is dropped.
if [ -e /etc/vfio-bind.yaml ] || [ -n "$(ls /etc/vfio-bind.d 2> /dev/null)" ] ||
    grep -q 'rd\.vfio-bind\.devices' /proc/cmdline 2> /dev/null; then
    @SBINDIR@/vfio-bind apply --boot > /dev/null || :
fi
