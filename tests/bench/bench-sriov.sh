#!/bin/bash
# make bench: time to create and bind 256 VFs on the test bed (one 'vfio-bind apply' from no VF
# to 256 VFs on vfio-pci), then a second, idempotent apply and a status.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
N=${SRIOV_BENCH_VFS:-256}
BED=$(mktemp -d)
trap 'rm -rf "$BED"' EXIT
cat >"$BED.host" <<H
kver 6.1.0-testbed
module vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module ice driver=ice ids=8086:1592
module iavf driver=iavf ids=8086:1889 state=loaded
device 0000:00:04.0 id=8086:190e class=060400 driver=pcieport group=8
device 0000:81:00.0 id=8086:1592 class=020000 parent=0000:00:04.0 driver=ice group=50 sriov-total=$N vf-id=8086:1889 vf-offset=8 vf-group-base=1000
H
tests/testbed/mkbed "$BED.host" "$BED" >/dev/null || { rm -f "$BED.host"; echo "mkbed failed"; exit 1; }
rm -f "$BED.host"
printf 'version: 1\ndevices:\n  - address: "0000:81:00.0"\n    sriov: {numvfs: %s}\n' "$N" >"$BED/etc/vfio-bind.yaml"
chmod 0600 "$BED/etc/vfio-bind.yaml"
run() { tests/testbed/run "$BED" -- "$B/vfio-bind" "$@"; }
now() { date +%s.%N; }
t0=$(now); run apply >/dev/null; rc=$?; t1=$(now)
bound=$(grep -c '^bind .* vfio-pci$' "$BED/testbed/log")
run apply >/dev/null; rc2=$?; t2=$(now)
run status >/dev/null; rc3=$?; t3=$(now)
printf 'create+bind %s VFs: %.2f s (exit %s, %s bound to vfio-pci)\n' "$N" "$(echo "$t1 - $t0" | bc)" "$rc" "$bound"
printf 'second apply (no change): %.2f s (exit %s)\n' "$(echo "$t2 - $t1" | bc)" "$rc2"
printf 'status: %.2f s (exit %s)\n' "$(echo "$t3 - $t2" | bc)" "$rc3"
[ "$rc" -eq 0 ] && [ "$bound" -eq "$N" ] && [ "$rc2" -eq 0 ] && [ "$rc3" -eq 0 ]
