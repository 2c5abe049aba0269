#!/bin/sh
# Sourced by dracut: say that the pre-udev hook runs, and when.
echo "VMHOOK pre-udev uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
