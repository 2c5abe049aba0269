# Shared helpers for the shell suites: counting, assertions, the summary line.
# shellcheck shell=bash
PASS=0
FAIL=0
B=${BUILDDIR:-build}
VB=$B/vfio-bind

ok() {
    PASS=$((PASS + 1))
    echo "ok - $*"
}

not_ok() {
    FAIL=$((FAIL + 1))
    echo "not ok - $*"
}

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
    case "$3" in
        *"$2"*) ok "$1" ;;
        *) not_ok "$1: '$2' not in: $3" ;;
    esac
}

# demo_bed: $tmp, a directory removed at exit, with the demo host's test bed in $BED; TOP and
# ABS_VB for the commands that change directory. Exits the suite when the bed cannot be made.
# shellcheck disable=SC2034 # the suites use them
demo_bed() {
    TOP=$PWD
    case $VB in /*) ABS_VB=$VB ;; *) ABS_VB=$TOP/$VB ;; esac
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    BED=$tmp/bed
    tests/testbed/mkbed tests/testbed/hosts/demo.host "$BED" >/dev/null || { not_ok "mkbed"; summary; exit 1; }
}

summary() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# valgrind as the suites run it: any error or definite/indirect leak makes the command exit 99.
# shellcheck disable=SC2054 # the comma is valgrind's list syntax
VALGRIND_CMD=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --)

# The tool, under valgrind when VALGRIND=1 (errors fail the command with 99).
vb() {
    if [ "${VALGRIND:-}" = 1 ]; then
        "${VALGRIND_CMD[@]}" "$VB" "$@"
    else
        "$VB" "$@"
    fi
}

# vb_bed BED ARGS...: the same, on the test bed BED (tests/testbed/run: preload, isolation).
vb_bed() {
    local bed=$1
    shift
    if [ "${VALGRIND:-}" = 1 ]; then
        tests/testbed/run "$bed" -- "${VALGRIND_CMD[@]}" "$VB" "$@"
    else
        tests/testbed/run "$bed" -- "$VB" "$@"
    fi
}

# ASan wants to be the first library; the test bed's LD_PRELOAD comes before it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0:detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
