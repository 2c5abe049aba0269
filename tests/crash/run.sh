#!/bin/bash
# Suite "crash": vfio-bind killed (SIGKILL) after each event of the bed's event log in turn,
# on the demo host with examples/demo.yaml: `apply` from the host's first state, `revert`
# from the applied one. After each kill, `status` must tell the truth (its exit status and
# each device's result agree with the bed's dump: a device is in sync only on its target
# driver with driver_override naming it), and one more run of the killed verb converges:
# exit 0, the same dump as after an uninterrupted run (and, for apply, status exit 0).
# The kill points come from the bed (TESTBED_KILL_AFTER_EVENT, tests/testbed/README.md).
set -u
cd "$(dirname "$0")/../.." || exit 1
# One private namespace for the whole suite, with the real /sys and module trees hidden as
# tests/testbed/run hides them for one command: ~150 runs of the tool then need no
# namespace each (TESTBED_ISOLATE=0 inside it).
if [ "${CRASH_ISOLATED:-}" != 1 ] && [ "${TESTBED_ISOLATE:-auto}" != 0 ] &&
    unshare -r -m true 2>/dev/null; then
    # shellcheck disable=SC2016 # the inner script expands its own variables
    CRASH_ISOLATED=1 exec unshare -r -m bash -c '
        set -e
        for d in /sys /lib/modules /usr/lib/modules /etc/modprobe.d; do
            [ -d "$d" ] && mount -t tmpfs -o ro,size=4k,mode=0555 testbed-hidden "$d"
        done
        exec "$@"' crash "$0" "$@"
fi
[ "${CRASH_ISOLATED:-}" = 1 ] && export TESTBED_ISOLATE=0
. tests/lib.sh

if [ -w /dev/shm ]; then work=$(mktemp -d /dev/shm/vfio-bind-crash.XXXXXX); else work=$(mktemp -d); fi
trap 'rm -rf "$work"' EXIT
KILLS=0

# vbx BED ARGS...: the tool on BED; stdout in OUT, exit status in RC
vbx() {
    local bed=$1
    shift
    OUT=$(vb_bed "$bed" "$@" 2>"$work/err")
    RC=$?
}

# fresh NAME FROM: a copy of the bed FROM in $BED, its event log empty
fresh() {
    BED=$work/$1
    rm -rf "$BED"
    cp -a "$2" "$BED"
    : >"$BED/testbed/log"
}

# target_of ADDR: the device's driver after an uninterrupted apply (the file's target)
target_of() {
    awk -v a="$1" '$1 == "device" && $2 == a { sub("driver=", "", $3); print $3 }' "$work/applied.dump"
}

# truthful WHAT: status on $BED agrees with its dump, device by device and in its exit status
truthful() {
    local what=$1 dumped addr result target drv ovr want lies=0 drift=0
    vbx "$BED" status --json
    dumped=$(tests/testbed/dump "$BED")
    if [ "$RC" != 0 ] && [ "$RC" != 3 ]; then
        not_ok "$what: status exit status $RC: $(head -c 300 "$work/err")"
        return
    fi
    # every device the uninterrupted run's status listed, with its result
    while read -r addr result; do
        target=$(target_of "$addr")
        drv=$(awk -v a="$addr" '$2 == a { sub("driver=", "", $3); print $3 }' <<<"$dumped")
        ovr=$(awk -v a="$addr" '$2 == a { sub("override=", "", $4); print $4 }' <<<"$dumped")
        if [ "$drv" = "$target" ] && [ "$ovr" = "$target" ]; then want=in-sync; else want=drift; fi
        [ "$want" = drift ] && drift=1
        if [ "$result" != "$want" ]; then
            lies=1
            not_ok "$what: status says $addr is $result, bed has driver=$drv override=$ovr (target $target)"
        fi
    done < <(jq -r '.status.devices[] | "\(.address) \(.result)"' <<<"$OUT" 2>/dev/null)
    if [ "$(jq -r '[.status.devices[].address] | sort | join(" ")' <<<"$OUT" 2>/dev/null)" != "$DEVICES" ]; then
        lies=1
        not_ok "$what: status lists other devices than an uninterrupted run's ($DEVICES)"
    fi
    if [ $((drift * 3)) != "$RC" ]; then
        lies=1
        not_ok "$what: status exit status $RC, but the bed is $([ $drift = 1 ] && echo not) in sync"
    fi
    [ $lies = 0 ] && ok "$what: status tells the truth (exit $RC)"
}

# crash_run VERB FROM REFERENCE N: kill VERB after event N on a copy of FROM, then check
# status and that one more VERB converges to REFERENCE (a dump)
crash_run() {
    local verb=$1 from=$2 ref=$3 n=$4 what="$1 killed after event $4"
    fresh "$verb.$n" "$from"
    OUT=$(TESTBED_KILL_AFTER_EVENT=$n vb_bed "$BED" "$verb" 2>"$work/err")
    RC=$?
    KILLS=$((KILLS + 1))
    if [ "$RC" != 137 ]; then
        not_ok "$what: not killed (exit $RC)"
        return
    fi
    truthful "$what"
    vbx "$BED" "$verb"
    check "$what: one more $verb exits 0" 0 "$RC"
    if [ "$verb" = apply ]; then
        vbx "$BED" status
        check "$what: then status exits 0" 0 "$RC"
    fi
    if tests/testbed/dump "$BED" | diff -u "$ref" - >"$work/diff"; then
        ok "$what: converged to an uninterrupted $verb's state"
    else
        not_ok "$what: state differs from an uninterrupted $verb's: $(grep '^[-+][a-z]' "$work/diff" | tr '\n' ';')"
    fi
}

if [ "${CRASH_ISOLATED:-}" = 1 ]; then
    check "the real /sys is hidden" 0 "$(find /sys -mindepth 1 -maxdepth 1 | wc -l)"
fi
# the demo host with its configuration; an uninterrupted apply and revert count the events
base=$work/base
tests/testbed/mkbed tests/testbed/hosts/demo.host "$base" >/dev/null || { not_ok "mkbed"; summary; exit 1; }
install -m 0644 examples/demo.yaml "$base/etc/vfio-bind.yaml"
fresh applied "$base"
vbx "$BED" apply
check "uninterrupted apply exits 0" 0 "$RC"
tests/testbed/dump "$BED" >"$work/applied.dump"
n_apply=$(wc -l <"$BED/testbed/log")
vbx "$BED" status --json
check "uninterrupted apply: status exits 0" 0 "$RC"
DEVICES=$(jq -r '[.status.devices[].address] | sort | join(" ")' <<<"$OUT")
fresh reverted "$work/applied"
vbx "$BED" revert
check "uninterrupted revert exits 0" 0 "$RC"
tests/testbed/dump "$BED" >"$work/reverted.dump"
n_revert=$(wc -l <"$BED/testbed/log")
check "revert gives every device its first driver back" \
    "$(tests/testbed/dump "$base" | grep '^device')" "$(grep '^device' "$work/reverted.dump")"
[ "$n_apply" -gt 0 ] && [ "$n_revert" -gt 0 ] || { not_ok "no events to kill after"; summary; exit 1; }

for n in $(seq 1 "$n_apply"); do
    crash_run apply "$base" "$work/applied.dump" "$n"
done
for n in $(seq 1 "$n_revert"); do
    crash_run revert "$work/applied" "$work/reverted.dump" "$n"
done
echo "kill points tried: $KILLS ($n_apply in apply, $n_revert in revert)"
summary
