#!/bin/bash
# Suite "scenarios": the real vfio-bind over the test bed (tests/testbed), one script per
# scenario (tests/scenarios/NN-name.sh, each runnable alone). Every scenario checks the state
# left in the bed's /sys and its event log, not only the output.
#   VALGRIND=1  the tool runs in valgrind (tests/lib.sh vb_bed)
#   ONLY=NN     run the scenarios whose name starts with NN
# Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
if [ ! -x "$B/vfio-bind" ] || [ ! -f "$B/testbed/libtestbed.so" ]; then
    echo "scenarios: build first (make tests-build BUILDDIR=$B)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ -w /dev/shm ]; then work=$(mktemp -d /dev/shm/vfio-bind-scen.XXXXXX); else work=$(mktemp -d); fi
trap 'rm -rf "$work"' EXIT
export SCENARIO_WORK=$work SCENARIO_CACHE=$work/cache

pass=0
fail=0
start=$(date +%s%N)
for s in tests/scenarios/[0-9][0-9]-*.sh; do
    case $(basename "$s") in "${ONLY:-}"*) ;; *) continue ;; esac
    name=$(basename "$s" .sh)
    t0=$(date +%s%N)
    out=$(bash "$s" 2>&1)
    rc=$?
    t1=$(date +%s%N)
    printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "not ok - $name printed no summary (exit $rc)"
        fail=$((fail + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited $rc"
        fail=$((fail + 1))
    fi
    printf '# %s: %s passed, %s failed, %d.%02d s\n' "$name" "$p" "$f" \
        $(((t1 - t0) / 1000000000)) $(((t1 - t0) / 10000000 % 100))
done
end=$(date +%s%N)
printf '# scenarios: %d.%02d s in all\n' $(((end - start) / 1000000000)) $(((end - start) / 10000000 % 100))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
