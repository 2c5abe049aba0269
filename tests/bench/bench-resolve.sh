#!/bin/bash
# Resolution: per-lookup time over a 5000-modalias snapshot (target < 20 us after start-up) and
# start-up of the whole tool (target < 5 ms), on Debian's module tree with test variant drivers.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILDDIR:-build}
KM=tests/.cache/kmods
tests/kmods/mktrees.sh "$KM" >/dev/null
KVER=$(cat "$KM/kver")
VAR=$KM/variants/lib/modules/$KVER
DEB=$KM/debian/lib/modules/$KVER
make -s "$B/tests/resolve-bench"
echo "-- variants tree ($VAR)"
"$B/tests/resolve-bench" "$VAR" 5000
echo "-- Debian tree ($DEB)"
"$B/tests/resolve-bench" "$DEB" 5000

# Whole-tool start-up: exec, dynamic linking, kmod_new, index load, one lookup, exit.
MA=pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00
echo "-- whole tool (hyperfine, 300 runs, no shell)"
hyperfine -N -w 20 -r 300 --style basic \
    "$B/vfio-bind --version" \
    "$B/vfio-bind resolve --moddir $DEB --modalias $MA" \
    "$B/vfio-bind resolve --moddir $VAR --modalias $MA" 2>&1 | grep -E 'Benchmark|Time'
