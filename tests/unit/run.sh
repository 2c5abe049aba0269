#!/bin/bash
# Runs every cmocka binary; under VALGRIND=1 each runs in valgrind and any error fails it.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
pass=0
fail=0
for t in "$B"/tests/test-*; do
    [ -x "$t" ] || continue
    if [ "${VALGRIND:-}" = 1 ]; then
        # shellcheck disable=SC2054 # the comma is valgrind's list syntax
        cmd=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect -- "$t")
    else
        cmd=("$t")
    fi
    out=$("${cmd[@]}" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^\[  (PASSED|FAILED) \]|FAILED|ERROR' | sed "s|^|$(basename "$t"): |"
    n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
    m=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
    pass=$((pass + ${n:-0}))
    fail=$((fail + ${m:-0}))
    if [ $rc -ne 0 ] && [ -z "$m" ]; then
        printf '%s\n' "$out" | tail -n 20
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
