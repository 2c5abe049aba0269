#!/bin/sh
# Sourced by dracut: say that the pre-trigger hook runs, and when.
echo "VMHOOK pre-trigger uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
