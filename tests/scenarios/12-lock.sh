#!/bin/bash
# One run at a time: while /run/vfio-bind.lock is held (flock, under the bed's run: /run is the
# bed's), apply waits, then fails clearly with exit 1 and writes nothing; when the holder lets
# go within the wait, apply goes ahead.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

holder=
stop_holder() {
    if [ -n "$holder" ]; then
        # flock -o: only flock holds the lock; its child sleep is ours too
        kill $(pgrep -P "$holder") "$holder" 2>/dev/null
        wait "$holder" 2>/dev/null
        holder=
    fi
}
trap 'stop_holder; rm -rf "$SCENARIO_WORK"' EXIT
# hold SECONDS: hold the lock from another process, wait until it is held
hold() {
    tests/testbed/run "$BED" -- flock -o /run/vfio-bind.lock sleep "$1" &
    holder=$!
    for _ in $(seq 100); do
        [ -e "$BED/run/vfio-bind.lock" ] && ! flock -n "$BED/run/vfio-bind.lock" true && return 0
        sleep 0.02
    done
    not_ok "$SCENARIO: the lock holder did not start"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
hold 30
mark
t0=$(now_ms)
run_vb apply
t1=$(now_ms)
stop_holder
check_rc "lock held: exit 1" 1
check_grep "lock held: says another run holds it" \
    "Another vfio-bind is running \(/run/vfio-bind\.lock held for 5000 ms\); try again when it is done" "$ERR"
if [ $((t1 - t0)) -ge 4500 ]; then ok "lock held: waited ($((t1 - t0)) ms) before giving up"
else not_ok "lock held: gave up after $((t1 - t0)) ms, expected about 5000"; fi
check_no_events "lock held: nothing written, nothing loaded"
check "lock held: no device moved" "driver=nvidia override=-" "$(state 0000:02:00.0)"


# released during the wait: apply goes on
hold 1
t0=$(now_ms)
run_vb apply
t1=$(now_ms)
stop_holder
check_rc "lock released after 1 s: exit 0" 0
if [ $((t1 - t0)) -ge 700 ]; then ok "lock released after 1 s: apply waited for it ($((t1 - t0)) ms)"
else not_ok "lock released after 1 s: apply did not wait ($((t1 - t0)) ms)"; fi
check "lock released after 1 s: 0000:02:00.0 bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"

# revert is held off the same way
hold 30
mark
run_vb revert 0000:02:00.0
stop_holder
check_rc "revert while held: exit 1" 1
check_no_events "revert while held: nothing written"
check "revert while held: still on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"

# plan and status do not take the lock: read-only, immediate
hold 30
t0=$(now_ms)
run_vb status
t1=$(now_ms)
stop_holder
check "status while held: in sync at once" "0 fast" "$RC $([ $((t1 - t0)) -lt 3000 ] && echo fast || echo slow)"
summary
