#!/bin/bash
# Benchmark: vfio-bind plan and apply against Debian's driverctl, on the test bed, for hosts of
# 1, 64, 1024 and 4096 e1000e-like NICs (each in its own IOMMU group, bound to e1000e, with a
# netdev that is down). Wall time (date +%s%N), median of several runs, each apply on a fresh
# copy of the bed; driverctl runs `driverctl --nosave set-override ADDR vfio-pci` per device, all
# in one test bed invocation, on an identical fresh bed. Every run's result is checked in the
# bed (all NICs on vfio-pci with the override) before its time counts.
#   BENCH_SIZES="1 64 1024 4096"   host sizes
#   BENCH_SAMPLE=128               driverctl times at most this many devices (spread over the
#                                  host) and extrapolates; said so in the table
#   BENCH_RUNS=                    runs per measurement (default: 5, 3 from 1024 devices)
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
SIZES=${BENCH_SIZES:-1 64 1024 4096}
SAMPLE=${BENCH_SAMPLE:-128}
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

now() { date +%s%N; }
# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
fresh() { rm -rf "$work/run"; cp -a "$work/bed.$1" "$work/run"; }
# bound N [ADDR...]: the given NICs (or all N) are on vfio-pci with the override
bound() {
    local n=$1 got x
    shift
    if [ $# -eq 0 ]; then
        got=$(tests/testbed/dump "$work/run" | grep -c '^device .* driver=vfio-pci override=vfio-pci$')
    else
        got=0
        for x in "$@"; do
            [ "$(readlink "$work/run/sys/bus/pci/devices/$x/driver")" != "" ] &&
                [ "$(basename "$(readlink "$work/run/sys/bus/pci/devices/$x/driver")")" = vfio-pci ] &&
                [ "$(cat "$work/run/sys/bus/pci/devices/$x/driver_override")" = vfio-pci ] &&
                got=$((got + 1))
        done
    fi
    [ "$got" = "$n" ] || { echo "bench-apply: expected $n NICs on vfio-pci, found $got" >&2; return 1; }
}

printf 'Test bed per-invocation floor (unshare + preload, `run BED -- true`): '
mkdir -p "$work/tiny"
host 1 >"$work/tiny.host"
tests/testbed/mkbed "$work/tiny.host" "$work/tiny" >/dev/null
t=$(for _ in 1 2 3 4 5; do s=$(now); tests/testbed/run "$work/tiny" -- true; e=$(now); echo $(((e - s) / 1000)); done | median)
echo "$((t / 1000)) ms"
echo
printf '%7s %9s %9s %10s %10s %9s %12s %11s %9s %10s %9s\n' devices "plan ms" "plan µs/d" "apply ms" \
    "apply µs/d" "noop µs/d" "driverctl" "dctl µs/d" speed-up "floor µs/d" "max ×"
results=()
for n in $SIZES; do
    runs=${BENCH_RUNS:-$([ "$n" -ge 1024 ] && echo 3 || echo 5)}
    host "$n" >"$work/h.$n"
    tests/testbed/mkbed "$work/h.$n" "$work/bed.$n" >/dev/null || { status=1; continue; }
    printf 'version: 1\ndevices:\n  - id: "8086:10d3"\n' >"$work/bed.$n/etc/vfio-bind.yaml"
    chmod 0644 "$work/bed.$n/etc/vfio-bind.yaml"

    plan=() apply=() noop=()
    for ((r = 0; r < runs; r++)); do
        fresh "$n"
        s=$(now); tests/testbed/run "$work/run" -- "$VB" plan >/dev/null; e=$(now)
        plan+=($(((e - s) / 1000)))
        s=$(now); tests/testbed/run "$work/run" -- "$VB" apply >/dev/null; rc=$?; e=$(now)
        apply+=($(((e - s) / 1000)))
        [ $rc -eq 0 ] && bound "$n" || { echo "bench-apply: vfio-bind apply failed ($n devices)" >&2; status=1; }
        s=$(now); tests/testbed/run "$work/run" -- "$VB" apply >/dev/null; e=$(now)
        noop+=($(((e - s) / 1000)))
    done
    p=$(printf '%s\n' "${plan[@]}" | median)
    a=$(printf '%s\n' "${apply[@]}" | median)
    o=$(printf '%s\n' "${noop[@]}" | median)

    # driverctl: all devices, or an even sample of SAMPLE of them
    mapfile -t addrs < <(ls "$work/bed.$n/sys/bus/pci/devices")
    if [ "$n" -gt "$SAMPLE" ]; then
        step=$((n / SAMPLE))
        sel=()
        for ((i = 0; i < SAMPLE; i++)); do sel+=("${addrs[$((i * step))]}"); done
        how="sampled $SAMPLE"
    else
        sel=("${addrs[@]}")
        how="all"
    fi
    dctl=()
    druns=$([ "$n" -ge 1024 ] && echo 1 || echo "$runs")
    for ((r = 0; r < druns; r++)); do
        fresh "$n"
        s=$(now)
        tests/testbed/run "$work/run" -- bash -c \
            'for a in "$@"; do driverctl --nosave set-override "$a" vfio-pci || exit 1; done' \
            driverctl-loop "${sel[@]}"
        rc=$?
        e=$(now)
        dctl+=($(((e - s) / 1000)))
        [ $rc -eq 0 ] && bound "${#sel[@]}" "${sel[@]}" || { echo "bench-apply: driverctl failed ($n devices)" >&2; status=1; }
    done
    d=$(printf '%s\n' "${dctl[@]}" | median)

    # the bed's floor: the same three writes per device from one bash process (builtins, no
    # reads, no checks), vfio_pci already loaded: no tool can do the job for less on this bed
    raw=()
    for ((r = 0; r < druns; r++)); do
        fresh "$n"
        tests/testbed/run "$work/run" -- modprobe vfio_pci
        s=$(now)
        tests/testbed/run "$work/run" -- bash -c \
            'for a in "$@"; do echo vfio-pci >/sys/bus/pci/devices/$a/driver_override
                echo $a >/sys/bus/pci/devices/$a/driver/unbind
                echo $a >/sys/bus/pci/drivers/vfio-pci/bind; done' raw-writes "${addrs[@]}"
        rc=$?
        e=$(now)
        raw+=($(((e - s) / 1000)))
        [ $rc -eq 0 ] && bound "$n" || { echo "bench-apply: raw writes failed ($n devices)" >&2; status=1; }
    done
    w=$(printf '%s\n' "${raw[@]}" | median)
    dper=$((d / ${#sel[@]}))
    aper=$((a / n))
    ratio=$(awk -v d="$dper" -v a="$aper" 'BEGIN { printf "%.1f×", d / a }')
    if [ "$how" = all ]; then dtotal="$((d / 1000)) ms"; else dtotal="~$((dper * n / 1000)) ms*"; fi
    wper=$((w / n))
    best=$(awk -v d="$dper" -v w="$wper" 'BEGIN { printf "%.1f×", d / w }')
    printf '%7d %9d %9d %10d %10d %9d %12s %11d %9s %10d %9s\n' "$n" $((p / 1000)) $((p / n)) $((a / 1000)) \
        "$aper" $((o / n)) "$dtotal" "$dper" "$ratio" "$wper" "$best"
    results+=("$n $aper $dper")
    rm -rf "$work/bed.$n"
done
echo
echo "plan/apply/noop: one vfio-bind process for all devices (noop: apply again, nothing to do);"
echo "µs/d is its wall time over the device count, start-up included. driverctl: one"
echo "set-override per device (bash, modprobe, realpath, ... per call), all in one test bed"
echo "invocation. * = timed on $SAMPLE devices spread over the host and extrapolated."
echo "Both run under the same LD_PRELOAD test bed: each open/stat/readlink below /sys goes"
echo "through it and each sysfs write runs the bed's PCI-core model under a lock, so neither"
echo "figure is what real hardware costs; both pay the same model for the same writes, and"
echo "driverctl also pays the preload's set-up in every process it starts."
echo "floor: the three writes alone (override, unbind, bind) from one bash process, vfio_pci"
echo "loaded beforehand: what the bed's kernel model costs per device whoever writes; max × ="
echo "driverctl / floor, the best speed-up any tool could show on this bed."
if [ ${#results[@]} -gt 0 ]; then
    read -r n aper dper <<<"${results[-1]}"
    verdict=$(awk -v d="$dper" -v a="$aper" 'BEGIN { r = d / a; printf "%.1f× %s", r, (r >= 20 ? "(target ≥ 20×: met)" : "(target ≥ 20×: NOT met)") }')
    echo "Speed-up per device at $n devices: $verdict"
fi
exit $status
