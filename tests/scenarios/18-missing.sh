#!/bin/bash
# An entry that names a device (an address, another bus's name) and matches none: the card was
# moved or removed. That is drift for status (exit 3, result "missing"), a failure for apply and
# plan (exit 1), named with its file position; the other devices are still bound. 'optional:
# true' says it may be absent: then it is a note. An id entry that matches nothing is a note.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
config <<'EOF2'
version: 1
devices:
  - address: "0000:02:00.0"
  - address: "0000:09:00.0"     # no such device
  - address: "0000:01:00.0"     # a device there, but another card than this id
    id: "8086:10d3"
  - id: "1234:5678"             # an id entry: matching nothing is allowed
  - address: "0000:02:00.1"     # the GPU's audio: its IOMMU group moves whole
EOF2
run_vb apply --json
check_rc "apply, two named devices missing: exit 1" 1
check_json "apply: JSON parses"
check "apply: the present device is still bound" "changed driver=vfio-pci override=vfio-pci" \
    "$(jdev 0000:02:00.0 .result) $(state 0000:02:00.0)"
check "apply: missing entries in 'unmatched' with their result" \
    "address 0000:09:00.0=missing/false/4 address 0000:01:00.0 id 8086:10d3=missing/false/5 id 1234:5678=unmatched/false/7" \
    "$(j '[.apply.unmatched[] | "\(.selector)=\(.result)/\(.optional)/\(.config_line)"] | join(" ")')"
check "apply: top-level missing count" 2 "$(j .apply.missing)"
check "apply: the wrong card at 0000:01:00.0 is untouched" "driver=nvidia override=-" "$(state 0000:01:00.0)"
check_grep "apply: stderr names the missing address with its position" \
    "vfio-bind.yaml:4:5: .*no device matches address 0000:09:00.0" "$ERR"

run_vb status --json
check_rc "status, devices missing: drift, exit 3" 3
check "status: missing, the present device in sync" "missing missing in-sync" \
    "$(j '[.status.unmatched[] | select(.optional == false and .result == "missing") | .result] | join(" ")') $(jdev 0000:02:00.0 .result)"
run_vb status
check_rc "status (text): exit 3" 3
check_grep "status (text): a 'missing' line with the position" \
    "^missing: no device matches address 0000:09:00\.0 \(.*vfio-bind\.yaml:4:5\)" "$OUT"
check_grep "status (text): the id entry is a note" "^note: no device matches id 1234:5678" "$OUT"

run_vb plan --json
check_rc "plan, devices missing: exit 1" 1

# optional: true — the entry may match nothing: in sync, exit 0
bed demo
config <<'EOF2'
version: 1
devices:
  - address: "0000:02:00.0"
  - address: "0000:09:00.0"
    optional: true
  - bus: platform
    name: "fff51000.ethernet"
    driver: vfio_platform
    optional: true
  - address: "0000:02:00.1"
EOF2
run_vb apply --json
check_rc "optional entries missing: apply exit 0" 0
check "optional: unmatched, not missing" "unmatched/true unmatched/true" \
    "$(j '[.apply.unmatched[] | "\(.result)/\(.optional)"] | join(" ")')"
check "optional: missing count 0" 0 "$(j .apply.missing)"
run_vb status
check_rc "optional entries missing: status exit 0" 0
check_grep "optional: a note in the text" "^note: no device matches address 0000:09:00\.0 .*optional" "$OUT"

# a name on another bus is as specific as an address
bed demo
config <<'EOF2'
version: 1
devices:
  - bus: platform
    name: "fff51000.ethernet"
    driver: vfio_platform
EOF2
run_vb status --json
check_rc "platform name missing: status exit 3" 3
check "platform name missing: result" "missing" "$(j '.status.unmatched[0].result')"

# validate takes the key and refuses a bad value with its position
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n    optional: yes\n' >"$SCENARIO_WORK/opt.yaml"
RC=0; ERR=$("$B/vfio-bind" validate "$SCENARIO_WORK/opt.yaml" 2>&1) || RC=$?
check_rc "optional: yes is refused" 2
check_grep "optional: yes: file:line:column" "opt\.yaml:4:15: invalid optional 'yes': expected true or false" "$ERR"
summary
