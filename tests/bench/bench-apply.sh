#!/bin/bash
# Benchmark: vfio-bind plan and apply against Debian's driverctl, on the test bed, for hosts of
# 1, 64, 1024 and 4096 e1000e-like NICs (each in its own IOMMU group, bound to e1000e, with a
# netdev that is down). Wall time (date +%s%N) and CPU time (user+sys of the whole process
# tree, bash's `time`), median of several runs, each on a fresh copy of the bed. driverctl runs
# `driverctl --nosave set-override ADDR vfio-pci` per device, all in one test bed invocation,
# on an identical fresh bed. Every run's end state is checked in the bed (the NICs on vfio-pci
# with the override) before its time counts. Then each size's ratios to the floor (the same
# writes from one bash process): apply / floor and plan / floor, goal at most 1.2× at every size,
# and driverctl / vfio-bind (see the footer it prints).
#   BENCH_SIZES="1 64 1024 4096"   host sizes
#   BENCH_SAMPLE=128               driverctl (and the floor) time at most this many devices,
#                                  spread over the host, and extrapolate; marked in the table
#   BENCH_RUNS=                    runs per measurement (default 5; 3 from 1024 devices)
#   BENCH_GOAL=1.2                 the ratio apply / floor must not exceed, at every size
set -u
# the test bed in its own user and mount namespace: nothing can reach this machine's /sys
export TESTBED_ISOLATE=1
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
SIZES=${BENCH_SIZES:-1 64 1024 4096}
SAMPLE=${BENCH_SAMPLE:-128}
GOAL=${BENCH_GOAL:-1.2}
VB=$B/vfio-bind
for f in "$VB" "$B/testbed/libtestbed.so" "$B/testbed/mkhost"; do
    [ -e "$f" ] || { echo "bench-apply: $f missing (make all testbed)" >&2; exit 1; }
done
command -v driverctl >/dev/null || { echo "bench-apply: driverctl not installed" >&2; exit 1; }
if [ -w /dev/shm ]; then work=$(mktemp -d /dev/shm/vfio-bind-bench.XXXXXX); else work=$(mktemp -d); fi
trap 'rm -rf "$work"' EXIT
status=0

# host N: N NICs 8086:10d3 on e1000e, 32 per bus, group 100+i, netdev enpBsD (down)
host() {
    local n=$1 i
    cat <<'H'
kver 6.1.0-testbed
cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on
module vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module e1000e driver=e1000e ids=8086:10d3
H
    for ((i = 0; i < n; i++)); do
        printf 'device 0000:%02x:%02x.0 id=8086:10d3 subsys=8086:a01f class=020000 driver=e1000e group=%d net=enp%ds%d\n' \
            $((i / 32 + 1)) $((i % 32)) $((i + 100)) $((i / 32 + 1)) $((i % 32))
    done
}

# timed CMD...: runs CMD (output discarded); T_WALL and T_CPU in µs, T_RC its exit status
timed() {
    local s e t TIMEFORMAT='%U %S'
    s=$(date +%s%N)
    t=$({ time run_rc "$@" >/dev/null 2>"$work/stderr"; } 2>&1)
    T_RC=$(tail -n 1 "$work/rc" 2>/dev/null || echo 0)
    e=$(date +%s%N)
    T_WALL=$(((e - s) / 1000))
    T_CPU=$(awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000000 }')
}
# run_rc CMD...: CMD, its exit status kept in $work/rc (timed runs it in a command substitution)
run_rc() {
    "$@"
    echo $? >"$work/rc"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
fresh() { rm -rf "$work/run"; cp -a "$work/bed.$1" "$work/run"; }
# on_vfio ADDR...: how many of them are on vfio-pci with the override
on_vfio() {
    local x l got=0
    for x in "$@"; do
        l=$(readlink "$work/run/sys/bus/pci/devices/$x/driver") || continue
        [ "${l##*/}" = vfio-pci ] && [ "$(cat "$work/run/sys/bus/pci/devices/$x/driver_override")" = vfio-pci ] &&
            got=$((got + 1))
    done
    echo "$got"
}
# expect WHAT ADDR...: the run worked and left them all on vfio-pci
expect() {
    local what=$1 got
    shift
    got=$(on_vfio "$@")
    if [ "$T_RC" != 0 ] || [ "$got" != $# ]; then
        echo "bench-apply: $what: exit $T_RC, $got of $# NICs on vfio-pci: $(head -c 300 "$work/stderr")" >&2
        status=1
    fi
}
# per TOTAL START N: (TOTAL - START) / N, not below 1
per() { awk -v t="$1" -v s="$2" -v n="$3" 'BEGIN { v = (t - s) / n; printf "%d", v < 1 ? 1 : v }'; }
# a / b; "-" when b is at the noise floor (per() gave 1: the run took no longer than start-up)
x_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 1 && a > 1) printf "%.1f×", a / b; else print "-" }'; }
# the same with two decimals, for the ratios to the floor
x_ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 1 && a > 1) printf "%.2f×", a / b; else print "-" }'; }
# verdict A B: "met" when A / B <= GOAL, "not met" otherwise, "-" without a ratio
verdict() {
    awk -v a="$1" -v b="$2" -v g="$GOAL" 'BEGIN { if (b > 1 && a > 1) print (a / b <= g ? "met" : "not met"); else print "-" }'
}

mkdir -p "$work/tiny"
host 1 >"$work/tiny.host"
tests/testbed/mkbed "$work/tiny.host" "$work/tiny" >/dev/null
fl=()
flc=()
for _ in 1 2 3 4 5; do timed tests/testbed/run "$work/tiny" -- true; fl+=("$T_WALL") flc+=("$T_CPU"); done
S=$(printf '%s\n' "${fl[@]}" | median)
SC=$(printf '%s\n' "${flc[@]}" | median)
echo "Test bed start-up (unshare, tmpfs mounts, sh; \`run BED -- true\`): $((S / 1000)) ms wall," \
    "$((SC / 1000)) ms CPU; taken out of every per-device figure below (each measurement pays it once)"
echo
printf '%7s | %8s %9s | %8s %9s %9s %9s | %10s %9s %9s | %9s %9s | %8s %8s %8s\n' \
    devices "plan ms" "plan µs/d" "apply ms" "apply µs/d" "cpu µs/d" "noop µs/d" \
    "driverctl" "dctl µs/d" "cpu µs/d" "floor µs/d" "cpu µs/d" "speed-up" "cpu ×" "max ×"
last=
ratios=() unmet=()
for n in $SIZES; do
    runs=${BENCH_RUNS:-$([ "$n" -ge 1024 ] && echo 3 || echo 5)}
    host "$n" >"$work/h.$n"
    tests/testbed/mkbed "$work/h.$n" "$work/bed.$n" >/dev/null || { status=1; continue; }
    printf 'version: 1\ndevices:\n  - id: "8086:10d3"\n' >"$work/bed.$n/etc/vfio-bind.yaml"
    chmod 0644 "$work/bed.$n/etc/vfio-bind.yaml"
    mapfile -t addrs < <(ls "$work/bed.$n/sys/bus/pci/devices")

    plan=() apply=() applycpu=() noop=()
    for ((r = 0; r < runs; r++)); do
        fresh "$n"
        timed tests/testbed/run "$work/run" -- "$VB" plan
        plan+=("$T_WALL")
        timed tests/testbed/run "$work/run" -- "$VB" apply
        apply+=("$T_WALL") applycpu+=("$T_CPU")
        expect "vfio-bind apply, $n NICs" "${addrs[@]}"
        timed tests/testbed/run "$work/run" -- "$VB" apply
        noop+=("$T_WALL")
        expect "vfio-bind apply again, $n NICs" "${addrs[@]}"
    done
    p=$(printf '%s\n' "${plan[@]}" | median)
    a=$(printf '%s\n' "${apply[@]}" | median)
    ac=$(printf '%s\n' "${applycpu[@]}" | median)
    o=$(printf '%s\n' "${noop[@]}" | median)

    # driverctl and the floor: all devices, or an even sample of SAMPLE of them
    if [ "$n" -gt "$SAMPLE" ]; then
        step=$((n / SAMPLE)) sel=()
        for ((i = 0; i < SAMPLE; i++)); do sel+=("${addrs[$((i * step))]}"); done
        mark='*'
    else
        sel=("${addrs[@]}") mark=
    fi
    k=${#sel[@]}
    dctl=() dctlcpu=() raw=() rawcpu=() loop=() load=()
    for ((r = 0; r < runs; r++)); do
        fresh "$n"
        timed tests/testbed/run "$work/run" -- bash -c \
            'for a in "$@"; do driverctl --nosave set-override "$a" vfio-pci || exit 1; done' \
            driverctl-loop "${sel[@]}"
        dctl+=("$T_WALL") dctlcpu+=("$T_CPU")
        expect "driverctl, $k of $n NICs" "${sel[@]}"
        # the floor: the same three writes from one bash process (builtins: no process per
        # write, no reads, no checks), vfio_pci loaded beforehand
        # (the module load timed apart: apply pays it, the floor does not)
        fresh "$n"
        timed tests/testbed/run "$work/run" -- modprobe vfio_pci
        load+=("$T_WALL")
        # the loop's own time (bash's clock around it, in µs, on stderr): no process start-up
        timed tests/testbed/run "$work/run" -- bash -c \
            't0=${EPOCHREALTIME/[.,]/}
            for a in "$@"; do echo vfio-pci >/sys/bus/pci/devices/$a/driver_override || exit 1
                echo $a >/sys/bus/pci/devices/$a/driver/unbind || exit 1
                echo $a >/sys/bus/pci/drivers/vfio-pci/bind || exit 1; done
            echo "floor-loop $((${EPOCHREALTIME/[.,]/} - t0))" >&2' raw-writes "${sel[@]}"
        raw+=("$T_WALL") rawcpu+=("$T_CPU")
        expect "raw writes, $k of $n NICs" "${sel[@]}"
        loop+=("$(sed -n 's/^floor-loop \([0-9]*\)$/\1/p' "$work/stderr")")
    done
    d=$(printf '%s\n' "${dctl[@]}" | median)
    dc=$(printf '%s\n' "${dctlcpu[@]}" | median)
    w=$(printf '%s\n' "${raw[@]}" | median)
    wc=$(printf '%s\n' "${rawcpu[@]}" | median)
    wl=$(printf '%s\n' "${loop[@]}" | median)
    ld=$(printf '%s\n' "${load[@]}" | median)
    aper=$(per "$a" "$S" "$n") acper=$(per "$ac" "$SC" "$n") dper=$(per "$d" "$S" "$k")
    dcper=$(per "$dc" "$SC" "$k") wper=$(per "$w" "$S" "$k") wcper=$(per "$wc" "$SC" "$k")
    if [ -n "$mark" ]; then dtotal="~$((dper * n / 1000)) ms*"; else dtotal="$((d / 1000)) ms"; fi
    printf '%7d | %8d %9d | %8d %9d %9d %9d | %10s %9d %9d | %9d%1s %9d | %8s %8s %8s\n' \
        "$n" $((p / 1000)) "$(per "$p" "$S" "$n")" $((a / 1000)) "$aper" "$acper" "$(per "$o" "$S" "$n")" \
        "$dtotal" "$dper" "$dcper" "$wper" "$mark" "$wcper" \
        "$(x_ratio "$dper" "$aper")" "$(x_ratio "$dcper" "$acper")" "$(x_ratio "$dper" "$wper")"
    last="$n $aper $dper $acper $dcper"
    # ratios: floor per device from the loop's own clock (no start-up noise), apply and plan per
    # device as above (their start-up included)
    pper=$(per "$p" "$S" "$n") lper=$(per "${wl:-0}" 0 "$k")
    ratios+=("$(printf '%7d | %9d%1s %10d %9d | %9s %8s | %9s %8s | %10s | %7d | %s' \
        "$n" "$lper" "$mark" "$aper" "$pper" "$(x_ratio2 "$aper" "$lper")" "$(x_ratio2 "$acper" "$wcper")" \
        "$(x_ratio2 "$pper" "$lper")" "$(x_ratio2 "$aper" "$wper")" "$(x_ratio2 "$dper" "$aper")" \
        $(((ld > S ? ld - S : 0) / 1000)) "$(verdict "$aper" "$lper")")")
    [ "$(verdict "$aper" "$lper")" = met ] || unmet+=("$n")
    rm -rf "$work/bed.$n"
done
cat <<EOF

µs/d: time less the test bed's start-up, over the number of devices (ms columns: the whole
run). plan, apply, noop (apply again: nothing to do): one vfio-bind process for all the devices,
its own start-up (config, libkmod indexes, enumeration) included. driverctl: one set-override per
device (a bash script that starts modprobe, realpath, cut, basename, readlink ... each time),
all in one test bed invocation. floor: the same three writes (override, unbind, bind) from one
bash process with builtins, vfio_pci loaded beforehand: what the bed's kernel model costs per
device whoever does the writing. * = timed on $SAMPLE devices spread over the host and
extrapolated to all of them. cpu: user+sys time of the whole process tree. speed-up =
driverctl / apply per device (wall), cpu × the same in CPU time, max × = driverctl / floor:
the best speed-up any tool could show on this bed.
Both tools run under the same LD_PRELOAD test bed, so both pay its cost: every open, stat and
readlink below /sys goes through the preload, and every sysfs write runs the bed's PCI-core
model (device files re-read, lock, event log, netdev removed and created); driverctl also pays
the preload's set-up in each of the processes it starts. Neither figure is what real hardware
costs. Machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (other jobs share them).

Against the floor (per device, wall time unless said; goal: apply / floor ≤ ${GOAL}× at every size)
EOF
printf '%7s | %10s %10s %9s | %9s %8s | %9s %8s | %10s | %7s | %s\n' \
    devices "floor µs/d" "apply µs/d" "plan µs/d" "apply/fl" "cpu" "plan/fl" "vs outer" "dctl/vb" "load ms" "≤ ${GOAL}×"
printf '%s\n' "${ratios[@]}"
cat <<EOF

floor µs/d here: the floor's write loop timed by bash's own clock (EPOCHREALTIME) around it, over
the number of devices it wrote to: no process start-up at all, so it does not drown in the test
bed's start-up at small sizes (the floor column above, timed from outside, does). * = sampled:
above $SAMPLE devices the loop writes to $SAMPLE of them spread over the host (an even stride),
on a bed of the full size, and the per-device figure stands for all of them.
apply/fl = apply µs/d / floor µs/d: what vfio-bind apply costs per device over the bare writes,
its whole process included (exec, libraries, configuration, libkmod indexes, enumeration,
resolution, checks, the record under /run, the module load). cpu = the same in CPU time against
the outer floor's CPU (both with their process start-up). plan/fl = plan (no write at all) /
floor: the read-only part of the pipeline against the writes. vs outer = apply / the floor
timed from outside (bash's start-up in it): the table above. dctl/vb = driverctl / vfio-bind
apply per device (the speed-up above, two decimals). load ms = \`modprobe vfio_pci\` on the same
bed less the bed's start-up: the module load apply does and the floor does not (done before;
0 when it is lost in the start-up noise). ≤ ${GOAL}×: met when apply/fl ≤ ${GOAL}, per size.
EOF
if [ ${#ratios[@]} -gt 0 ]; then
    if [ ${#unmet[@]} -eq 0 ]; then
        echo "Goal apply / floor ≤ ${GOAL}× at every size ($SIZES): met."
    else
        echo "Goal apply / floor ≤ ${GOAL}× at every size ($SIZES): not met (at ${unmet[*]} devices)."
    fi
fi
if [ -n "$last" ]; then
    read -r n aper dper acper dcper <<<"$last"
    echo "Speed-up per device at $n devices (target ≥ 20×): $(x_ratio "$dper" "$aper") wall time," \
        "$(awk -v d="$dper" -v a="$aper" 'BEGIN { print (d / a >= 20 ? "met" : "not met") }');" \
        "$(x_ratio "$dcper" "$acper") CPU time," \
        "$(awk -v d="$dcper" -v a="$acper" 'BEGIN { print (d / a >= 20 ? "met" : "not met") }')." \
        "On a shared machine the CPU figure is the steadier one."
fi
exit $status
