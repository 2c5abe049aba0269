#!/bin/bash
# make bench: runs every tests/bench/*.sh benchmark (each prints its own figures).
set -u
cd "$(dirname "$0")/../.." || exit 1
status=0
for b in tests/bench/bench-*.sh; do
    [ -x "$b" ] || continue
    echo "=== $(basename "$b" .sh)"
    "$b" || status=1
done
exit $status
