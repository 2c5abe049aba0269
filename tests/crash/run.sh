#!/bin/bash
# Suite "crash": vfio-bind killed (SIGKILL) after each event of the bed's event log in turn:
# `apply` from the host's first state, `revert` from the applied one, on the demo host with
# examples/demo.yaml and on the SR-IOV host with VFs to create. After each kill, `status`
# must tell the truth (its exit status and each device's result agree with the bed's dump: a
# device is in sync only as an uninterrupted apply leaves it, i.e. on its target driver with
# driver_override naming it, or for a PF with its VFs made), and one more run of the killed
# verb converges: exit 0, the same dump as after an uninterrupted run (and, for apply,
# status exit 0). The kill points come from the bed (TESTBED_KILL_AFTER_EVENT,
# tests/testbed/README.md).
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
SET=setup

# vbx BED ARGS...: the tool on BED; stdout in OUT, exit status in RC
vbx() {
    local bed=$1
    shift
    OUT=$(vb_bed "$bed" "$@" 2>"$work/$SET.err")
    RC=$?
}

# fresh NAME FROM: a copy of the bed FROM in $BED, its event log empty
fresh() {
    BED=$work/$1
    rm -rf "$BED"
    cp -a "$2" "$BED"
    : >"$BED/testbed/log"
}

# state_of DUMP ADDR: the device's line in DUMP, with its PF's VF count; "absent" if none
# states BED: each device's dump line ("device ADDR driver=D override=O"), with " numvfs=N"
# for an SR-IOV PF: the state status judges
states() {
    local kind addr rest
    tests/testbed/dump "$1" | while read -r kind addr rest; do
        [ "$kind" = device ] || continue
        if [ -f "$1/sys/bus/pci/devices/$addr/sriov_numvfs" ]; then
            echo "$addr $rest numvfs=$(cat "$1/sys/bus/pci/devices/$addr/sriov_numvfs")"
        else
            echo "$addr $rest"
        fi
    done
}

# group_viable ADDR: no other device of ADDR's IOMMU group on $BED (bridges aside) is on a
# driver that is not VFIO's: a VM can take the group
group_viable() {
    local mate drv class
    for mate in "$BED/sys/bus/pci/devices/$1/iommu_group/devices/"*; do
        [ "${mate##*/}" = "$1" ] && continue
        [ -L "$mate/driver" ] || continue
        drv=$(basename "$(readlink "$mate/driver")")
        class=$(cat "$mate/class" 2>/dev/null)
        case $class in 0x06*) continue ;; esac
        case $drv in *vfio*) ;; *) return 1 ;; esac
    done
    return 0
}

# truthful WHAT: status on $BED agrees with the bed, device by device and in its exit status:
# a device is in sync only in the state an uninterrupted apply leaves it in
truthful() {
    local what=$1 now addr result want lies=0 drift=0 listed expected
    vbx "$BED" status --json
    now=$(states "$BED")
    if [ "$RC" != 0 ] && [ "$RC" != 3 ]; then
        not_ok "$what: status exit status $RC: $(head -c 300 "$work/$SET.err")"
        return
    fi
    while read -r addr result; do
        if [ "$(grep "^$addr " <<<"$now")" = "$(grep "^$addr " "$work/$SET.applied.states")" ] &&
            group_viable "$addr"; then
            want=in-sync
        else
            want=drift
        fi
        [ "$want" = drift ] && drift=1
        if [ "$result" != "$want" ]; then
            lies=1
            not_ok "$what: status says $addr is $result; bed: $(grep "^$addr " <<<"$now"); after apply: $(grep "^$addr " "$work/$SET.applied.states")"
        fi
    done < <(jq -r '.status.devices[] | "\(.address) \(.result)"' <<<"$OUT" 2>/dev/null)
    # the devices an uninterrupted apply's status lists, those of them that exist now
    listed=$(jq -r '[.status.devices[].address] | sort | join(" ")' <<<"$OUT" 2>/dev/null)
    expected=$(for addr in $DEVICES; do grep -q "^$addr " <<<"$now" && echo "$addr"; done | sort | paste -sd ' ')
    if [ "$listed" != "$expected" ]; then
        lies=1
        not_ok "$what: status lists '$listed', not '$expected'"
    fi
    # a device an uninterrupted apply makes (a VF) and absent now: drift too
    [ "$expected" != "$DEVICES" ] && drift=1
    if [ $((drift * 3)) != "$RC" ]; then
        lies=1
        not_ok "$what: status exit status $RC, but the bed is $([ $drift = 1 ] && echo not) in sync"
    fi
    [ $lies = 0 ] && ok "$what: status tells the truth (exit $RC)"
}

# crash_run VERB FROM N: kill VERB after event N on a copy of the bed FROM, then check status
# and that one more VERB converges to the state after an uninterrupted one
crash_run() {
    local verb=$1 from=$2 n=$3 what="$SET: $1 killed after event $3"
    fresh "$SET.$verb.$n" "$from"
    OUT=$(TESTBED_KILL_AFTER_EVENT=$n vb_bed "$BED" "$verb" 2>"$work/$SET.err")
    RC=$?
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
    if states "$BED" | diff -u "$work/$SET.$verb.states" - >"$work/$SET.diff"; then
        ok "$what: converged to an uninterrupted $verb's state"
    else
        not_ok "$what: state differs from an uninterrupted $verb's: $(grep '^[-+][0-9]' "$work/$SET.diff" | tr '\n' ';')"
    fi
}

# crash_set NAME HOST CONFIG: an uninterrupted apply and revert count the events; each event
# of each is a kill point
crash_set() {
    local base=$work/$1.base n_apply n_revert n
    SET=$1
    tests/testbed/mkbed "$2" "$base" >/dev/null || { not_ok "$SET: mkbed"; return; }
    install -m 0644 "$3" "$base/etc/vfio-bind.yaml"
    fresh "$SET.applied" "$base"
    vbx "$BED" apply
    check "$SET: uninterrupted apply exits 0" 0 "$RC"
    states "$BED" >"$work/$SET.apply.states"
    cp "$work/$SET.apply.states" "$work/$SET.applied.states"
    n_apply=$(wc -l <"$BED/testbed/log")
    vbx "$BED" status --json
    check "$SET: uninterrupted apply: status exits 0" 0 "$RC"
    DEVICES=$(jq -r '[.status.devices[].address] | sort | join(" ")' <<<"$OUT")
    fresh "$SET.reverted" "$work/$SET.applied"
    vbx "$BED" revert
    check "$SET: uninterrupted revert exits 0" 0 "$RC"
    states "$BED" >"$work/$SET.revert.states"
    n_revert=$(wc -l <"$BED/testbed/log")
    if [ "$n_apply" = 0 ] || [ "$n_revert" = 0 ]; then
        not_ok "$SET: no events to kill after"
        return
    fi
    for n in $(seq 1 "$n_apply"); do
        crash_run apply "$base" "$n"
    done
    for n in $(seq 1 "$n_revert"); do
        crash_run revert "$work/$SET.applied" "$n"
    done
    echo "$SET: kill points tried: $((n_apply + n_revert)) ($n_apply in apply, $n_revert in revert)"
}

if [ "${CRASH_ISOLATED:-}" = 1 ]; then
    check "the real /sys is hidden" 0 "$(find /sys -mindepth 1 -maxdepth 1 | wc -l)"
fi
cat >"$work/sriov.yaml" <<'EOF'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4}
EOF
# the two sets side by side (a CI machine has two cores); their lines counted here
crash_set demo tests/testbed/hosts/demo.host examples/demo.yaml >"$work/demo.out" 2>&1 &
crash_set sriov tests/sriov/sriov.host "$work/sriov.yaml" >"$work/sriov.out" 2>&1 &
wait
cat "$work/demo.out" "$work/sriov.out"
PASS=$((PASS + $(cat "$work/demo.out" "$work/sriov.out" | grep -c '^ok - ')))
FAIL=$((FAIL + $(cat "$work/demo.out" "$work/sriov.out" | grep -c '^not ok - ')))
echo "kill points tried: $(cat "$work/demo.out" "$work/sriov.out" |
    awk '/: kill points tried: / { n += $5 } END { print n + 0 }')"
summary
