#!/bin/bash
# Runs the named suites, each a script that ends with "N passed, M failed"; sums them up.
set -u
cd "$(dirname "$0")/.." || exit 1
total_pass=0
total_fail=0
status=0
for suite in "$@"; do
    case "$suite" in
        vm-sriov) script=tests/vm/sriov.sh ;;
        vm-identity) script=tests/vm/identity.sh ;;
        vm-itools) script=tests/vm/itools.sh ;;
        *) script=tests/$suite/run.sh ;;
    esac
    if [ ! -x "$script" ]; then
        echo "run.sh: no suite '$suite' ($script)" >&2
        status=1
        continue
    fi
    echo "=== suite $suite"
    log=$(mktemp)
    "$script" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "=== suite $suite printed no summary (exit $rc)"
        total_fail=$((total_fail + 1))
        status=1
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    # 77: the suite found the platform unable to run it, said SKIP and counted nothing.
    if [ "$rc" -eq 77 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "=== suite $suite skipped"
    elif [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        status=1
    fi
done
echo "$total_pass passed, $total_fail failed"
exit $status
