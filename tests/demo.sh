#!/bin/bash
# The main job on the embedded demo host: list, plan, apply, status over the test bed.
set -eu
cd "$(dirname "$0")/.."
B=${BUILDDIR:-build}
BED=$B/demo-bed
tests/testbed/mkbed tests/testbed/hosts/demo.host "$BED" >/dev/null
install -m 0644 examples/demo.yaml "$BED/etc/vfio-bind.yaml"
run() {
    echo
    echo "\$ vfio-bind $*"
    tests/testbed/run "$BED" -- "$B/vfio-bind" "$@" || echo "(exit status $?)"
}
echo "Demo host: $BED (a fake /sys; nothing on this machine is touched)"
run list
run plan
run apply
run status
run apply --json
