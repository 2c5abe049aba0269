#!/bin/bash
# Suite "fuzz": every fuzz target (tests/fuzz/fuzz-*.c) replays its seed corpus, its
# regressions (inputs that once broke it) and a few generated inputs too big to commit, twice:
# through the replay driver built like the tool ($BUILDDIR: SANITIZE=1 gives ASan+UBSan,
# VALGRIND=1 runs it under valgrind) and through the libFuzzer binary (clang, ASan+UBSan,
# $FUZZ_BUILDDIR). Then each target is fuzzed for FUZZ_CI_SECONDS (10): short, to stay quick,
# but long enough to catch a regression the seeds lead straight to. Longer runs: make fuzz.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
FB=${FUZZ_BUILDDIR:-build-fuzz}
SECS=${FUZZ_CI_SECONDS:-10}
TARGETS="config pci match cmdline"
declare -A OPTS=([config]="-max_len=16384 -dict=tests/fuzz/config.dict" [pci]="-max_len=64"
    [match]="-max_len=256" [cmdline]="-max_len=4096 -dict=tests/fuzz/cmdline.dict")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Generated config inputs: the limits, at and past them.
gen=$tmp/generated-config
mkdir -p "$gen"
python3 - "$gen" <<'PY'
import sys
d = sys.argv[1]
def w(name, text):
    with open(f"{d}/{name}", "w") as f:
        f.write(text)
entry = lambda i: '{id: "%04x:%04x"}' % (i >> 16, i & 0xffff)
w("entries-4096", "version: 1\ndevices: [" + ", ".join(entry(i) for i in range(4096)) + "]\n")
w("entries-4097", "version: 1\ndevices: [" + ", ".join(entry(i) for i in range(4097)) + "]\n")
w("flow-nesting-100000", "version: 1\ndevices: " + "[" * 100000 + "]" * 100000 + "\n")
w("block-nesting-2000", "version: 1\ndevices:\n" + "".join(" " * i + "- \n" for i in range(2000)))
w("mapping-nesting-10000", "version: 1\ndevices:\n" + "".join(" " * i + "k:\n" for i in range(10000)))
pad = "version: 1\ndevices:\n  - address: \"0000:01:00.0\"\n"
w("exactly-1MiB", pad + "#" * (1024 * 1024 - len(pad) - 1) + "\n")
w("key-1MiB", "version: 1\ndevices:\n  - " + "k" * (1024 * 1024 - 40) + ": 1\n")
w("errors-10000", "version: 1\ndevices:\n" + "  - bogus: 1\n" * 10000)
w("aliases-billion-laughs", "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n")
PY

for t in $TARGETS; do
    corpus=tests/fuzz/corpus/$t
    regressions=tests/fuzz/regressions/$t
    # git keeps no empty directory: a target without regressions yet has none.
    mkdir -p "$regressions"
    extra=()
    [ "$t" = config ] && extra=("$gen")
    n_seeds=$(find "$corpus" -type f | wc -l)
    n_regressions=$(find "$regressions" -type f | wc -l)
    if [ "$n_seeds" -gt 0 ]; then ok "$t: $n_seeds seeds"; else not_ok "$t: no seeds in $corpus"; fi

    # 1. The replay driver of this build, under valgrind when asked.
    replay=$B/tests/fuzz-replay-$t
    if [ ! -x "$replay" ]; then
        not_ok "$t: $replay not built (make tests-build)"
    else
        cmd=("$replay")
        [ "${VALGRIND:-}" = 1 ] && cmd=(valgrind -q --error-exitcode=99 --leak-check=full
            "--errors-for-leak-kinds=definite,indirect" "$replay")
        out=$("${cmd[@]}" "$corpus" "$regressions" "${extra[@]}" 2>&1)
        rc=$?
        want=$((n_seeds + n_regressions + $([ "$t" = config ] && find "$gen" -type f | wc -l || echo 0)))
        if [ $rc -eq 0 ] && [ "$out" = "replayed $want inputs" ]; then
            ok "$t: replay of $want inputs ($(basename "$B")${VALGRIND:+, valgrind})"
        else
            not_ok "$t: replay (exit $rc): $(printf '%s\n' "$out" | tail -n 15)"
        fi
    fi

    # 2. The libFuzzer binary: the same inputs, one by one, then a short fuzzing run.
    fuzzer=$FB/fuzz-$t
    if [ ! -x "$fuzzer" ]; then
        not_ok "$t: $fuzzer not built (make fuzz-build)"
        continue
    fi
    mapfile -t files < <(find "$corpus" "$regressions" "${extra[@]}" -type f | sort)
    out=$("$fuzzer" "${files[@]}" 2>&1) # no -max_len: it would cut the big inputs
    rc=$?
    ran=$(printf '%s\n' "$out" | grep -c '^Executed ')
    if [ $rc -eq 0 ] && [ "$ran" -eq "${#files[@]}" ]; then
        ok "$t: libFuzzer replay of ${#files[@]} inputs"
    else
        not_ok "$t: libFuzzer replay (exit $rc, $ran of ${#files[@]} ran): $(printf '%s\n' "$out" |
            grep -E 'ERROR|SUMMARY|property|Running' | tail -n 10)"
    fi

    mkdir -p "$tmp/corpus-$t" "$FB/artifacts/$t"
    read -ra opts <<<"${OPTS[$t]}"
    out=$("$fuzzer" "${opts[@]}" -max_total_time="$SECS" -print_final_stats=1 \
        -artifact_prefix="$FB/artifacts/$t/" "$tmp/corpus-$t" "$corpus" 2>&1)
    rc=$?
    execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
    rate=$(printf '%s\n' "$out" | sed -n 's/^stat::average_exec_per_sec: *//p')
    if [ $rc -eq 0 ] && [ "${execs:-0}" -gt 0 ]; then
        ok "$t: fuzzed ${SECS} s, $execs inputs ($rate/s), nothing found"
    else
        not_ok "$t: fuzzing (exit $rc; the input is in $FB/artifacts/$t/, keep it in $regressions/): $(
            printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|property|Test unit written' | head -n 10)"
    fi
done
summary
