#!/bin/sh
# Sourced by dracut: say that the initqueue-settled hook runs, and when.
echo "VMHOOK initqueue-settled uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
