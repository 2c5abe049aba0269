#!/bin/bash
# revert tells the truth about the host driver: a module that fails to load, or a probe that
# fails, leaves the device on no driver and is reported failed (step, errno, exit 1, text and
# JSON); a device with no host driver by design (module blacklisted, or none matches its
# modalias) is changed, with a note saying so. apply's rollback says where a device was left
# when it cannot be put back.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# the host module fails to load (EPERM)
bed revert
echo EPERM >"$BED/faults/load/e1000e"
run_vb revert --json 0000:00:19.0
check_rc "load fails: exit 1" 1
check "load fails: failed at load-module, errno 1" "failed load-module 1" \
    "$(jdev 0000:00:19.0 '"\(.result) \(.failed_step) \(.errno)"')"
check "load fails: the message names the module and the error" \
    "cannot load host module 'e1000e': Operation not permitted" "$(jdev 0000:00:19.0 .error)"
check "load fails: left on no driver, no override" "driver=- override=-" "$(state 0000:00:19.0)"
check "load fails: the report says no driver" null "$(jdev 0000:00:19.0 .driver)"
run_vb revert 0000:00:19.0
check_rc "load fails, again (text): exit 1" 1
check_grep "load fails, text: failed with the error" \
    "^0000:00:19\.0 .* failed +cannot load host module 'e1000e': Operation not permitted" "$OUT"
# the fault is gone: the next revert finishes the job
rm "$BED/faults/load/e1000e"
run_vb revert --json 0000:00:19.0
check_rc "load works now: exit 0" 0
check "load works now: changed, on e1000e" "changed driver=e1000e override=-" \
    "$(jdev 0000:00:19.0 .result) $(state 0000:00:19.0)"

# the host driver's probe fails (EIO), its module already loaded
bed revert
echo "igb EIO" >"$BED/faults/probe/0000:03:00.0"
run_vb revert --json 0000:03:00.0
check_rc "probe fails: exit 1" 1
check "probe fails: failed at probe, errno 5" "failed probe 5" \
    "$(jdev 0000:03:00.0 '"\(.result) \(.failed_step) \(.errno)"')"
check "probe fails: the message" "probe by host driver 'igb' failed: Input/output error" \
    "$(jdev 0000:03:00.0 .error)"
check "probe fails: nothing loaded, so no load-module step" '["clear-override","unbind","probe"]' \
    "$(jdev 0000:03:00.0 '.steps' | tr -d ' \n')"
check "probe fails: on no driver" "driver=- override=-" "$(state 0000:03:00.0)"

# the host module loads, then its probe fails
bed revert
echo "e1000e EIO" >"$BED/faults/probe/0000:00:19.0"
run_vb revert --json 0000:00:19.0
check_rc "load then probe fails: exit 1" 1
check "load then probe fails: failed at probe, errno 5, module loaded" "failed probe 5 live" \
    "$(jdev 0000:00:19.0 '"\(.result) \(.failed_step) \(.errno)"') $(module_state e1000e)"

# no host driver by design: not a failure, and not silent
bed nohost
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
  - address: "0000:06:00.0"
Y
run_vb revert --json
check_rc "no host driver by design: exit 0" 0
check "blacklisted: changed, no driver, the note says why" \
    "changed|null|no host driver: module 'nouveau' is blacklisted in modprobe.d" \
    "$(jdev 0000:01:00.0 '"\(.result)|\(.driver)|\(.note)"')"
check "blacklisted: nouveau not loaded" absent "$(module_state nouveau)"
check "no module: changed, no driver, the note says why" \
    "changed|null|no host driver: no module matches its modalias" \
    "$(jdev 0000:06:00.0 '"\(.result)|\(.driver)|\(.note)"')"
check "by design: no error" "null null" "$(jdev 0000:01:00.0 .error) $(jdev 0000:06:00.0 .error)"
run_vb revert
check_grep "by design, text: the note in the table" \
    "^0000:01:00\.0 .* unchanged +no host driver: module 'nouveau' is blacklisted in modprobe\.d" "$OUT"

# apply cannot put a device back (the host driver's probe fails too): failed, not rolled back,
# and the message says where the device is
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:3b:00.2"
Y
printf 'vfio-pci EIO\nmlx5_core EIO\n' >"$BED/faults/probe/0000:3b:00.2"
run_vb apply --json
check_rc "rollback fails: exit 1" 1
check "rollback fails: failed at probe, not rolled back" "failed probe false" \
    "$(jdev 0000:3b:00.2 '"\(.result) \(.failed_step) \(.rolled_back)"')"
check "rollback fails: the message says where it was left" \
    "probe by 'vfio-pci' failed: Input/output error; not put back on 'mlx5_core': left on no driver" \
    "$(jdev 0000:3b:00.2 .error)"
check "rollback fails: left on no driver, which is a change" "true true" \
    "$(jdev 0000:3b:00.2 .changed) $(j .apply.changed)"
check "rollback fails: the warning says where it was left" \
    "vfio-bind: 0000:3b:00.2: rolling back failed: not put back on 'mlx5_core': left on no driver" \
    "$(grep 'rolling back' <<<"$ERR")"
summary
