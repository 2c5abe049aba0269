#!/bin/sh
# Sourced by dracut: say that the pre-mount hook runs, and when.
echo "VMHOOK pre-mount uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
