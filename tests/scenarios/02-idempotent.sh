#!/bin/bash
# A second apply changes nothing and writes nothing; a device already on its vfio driver is
# "unchanged" from the first run; plan --json says what would change.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
run_vb plan --json
check_json "plan --json parses"
check "plan --json: changed (top level)" true "$(j '.plan.changed')"
check "plan --json: every device would change" "true true true true true" \
    "$(j '[.plan.devices[].changed] | map(tostring) | join(" ")')"

mark
run_vb apply --dry-run --json
check "apply --dry-run is the plan" "true 5" "$(j '"\(.plan.changed) \(.plan.devices | length)"')"
check_no_events "apply --dry-run writes nothing"

run_vb apply --json
check_rc "first apply exits 0" 0
check_json "first apply --json parses"
check "first apply: changed" true "$(j '.apply.changed')"
check "first apply: every device changed" "changed changed changed changed changed" \
    "$(j '[.apply.devices[].result] | join(" ")')"
check "first apply: 0000:02:00.0 came from nvidia" nvidia \
    "$(j '.apply.devices[] | select(.address == "0000:02:00.0") | .previous_driver')"
after_first=$(dump)

mark
run_vb apply --json
check_rc "second apply exits 0" 0
check_json "second apply --json parses"
check "second apply: changed false" false "$(j '.apply.changed')"
check "second apply: failed 0" 0 "$(j '.apply.failed')"
check "second apply: each device unchanged, changed=false, no steps" \
    "unchanged/false/0 unchanged/false/0 unchanged/false/0 unchanged/false/0 unchanged/false/0" \
    "$(j '[.apply.devices[] | "\(.result)/\(.changed)/\(.steps | length)"] | join(" ")')"
check_no_events "second apply writes nothing to sysfs and loads nothing"
check "second apply leaves the state as the first did" "$after_first" "$(dump)"

run_vb apply
check_rc "third apply (text) exits 0" 0
check "third apply: five rows say unchanged" 5 "$(grep -c ' unchanged ' <<<"$OUT")"
check_no_events "third apply writes nothing"

run_vb plan --json
check "plan after apply: nothing would change" "false|false false false false false" \
    "$(j '"\(.plan.changed)|" + ([.plan.devices[].changed] | map(tostring) | join(" "))')"

# a device the host already gave to vfio-pci (an earlier boot): unchanged, nothing loaded
bed revert
config <<'Y'
version: 1
devices:
  - address: "0000:03:00.0"
Y
mark
run_vb apply --json
check_rc "already bound: exit 0" 0
check "already bound: unchanged, changed=false" "unchanged false" \
    "$(j '.apply.devices[0] | "\(.result) \(.changed)"')"
check_no_events "already bound: nothing written, nothing loaded"
check "already bound: state as before" "driver=vfio-pci override=vfio-pci" "$(state 0000:03:00.0)"
summary
