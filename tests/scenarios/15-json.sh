#!/bin/bash
# --json of apply, plan, status, revert and list: one document on stdout (messages on stderr),
# under the verb's own key, with per-device "changed" for the verbs that act.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
cp examples/demo.yaml "$BED/etc/vfio-bind.yaml"
# a failing device too, so that the failure fields are in the document
echo "vfio-pci EIO" >"$BED/faults/probe/0000:3b:00.2"
for verb in plan apply status revert; do
    run_vb "$verb" --json
    check_json "$verb --json parses"
    check "$verb --json: the one top-level key is '$verb'" "$verb" "$(j 'keys | join(",")')"
    check "$verb --json: five devices, each with a boolean 'changed'" 5 \
        "$(j "[.\"$verb\".devices[] | select(.changed | type == \"boolean\")] | length")"
    check "$verb --json: top level has changed, failed, unmatched" "boolean number array" \
        "$(j ".\"$verb\" | \"\(.changed | type) \(.failed | type) \(.unmatched | type)\"")"
    check "$verb --json: each device has address, id, result, config_line" 5 \
        "$(j "[.\"$verb\".devices[] | select(.address and .id and .result and .config_line)] | length")"
done
# apply with a failure: the failure fields
run_vb apply --json
check "apply --json: the failed device has failed_step, errno, rolled_back, error" \
    "probe 5 true probe by 'vfio-pci' failed: Input/output error" \
    "$(jdev 0000:3b:00.2 '"\(.failed_step) \(.errno) \(.rolled_back) \(.error)"')"
check_grep "apply --json: stderr has the message, stdout only JSON" "0000:3b:00\.2: probe by" "$ERR"
check "apply --json: failed counts it" 1 "$(j '.apply.failed')"

run_vb list --json
check_rc "list --json: exit 0" 0
check_json "list --json parses"
check "list --json: the top-level key is 'list'" list "$(j 'keys | join(",")')"
check "list --json: the 20 devices of the demo host" 20 "$(j '.list.devices | length')"
check "list --json: 0000:5e:00.1 would get mlx5_vfio_pci, is a VF of 0000:5e:00.0" \
    "mlx5_vfio_pci mlx5_vfio_pci 0000:5e:00.0 31" \
    "$(jdev 0000:5e:00.1 '"\(.vfio_module) \(.vfio_driver) \(.physfn) \(.iommu_group)"')"
check "list --json: in_use of the NVMe" "nvme0n1p2 is mounted on /" "$(jdev 0000:04:00.0 .in_use)"

# unmatched entries are listed, not errors
config <<'Y'
version: 1
devices:
  - id: "abcd:1234"
  - address: "0000:3b:00.3"
Y
run_vb apply --json
check_rc "unmatched entry: exit 0" 0
check "unmatched entry: listed with its line" "id abcd:1234 3" \
    "$(j '.apply.unmatched[0] | "\(.selector) \(.config_line)"')"

# -o with --json: the columns named, never a table-only one (the schema has no "detail", "name")
for verb in plan status; do
    run_vb "$verb" --json -o address,detail
    check "$verb --json -o address,detail: address alone" address \
        "$(j '[.[] | .devices[] | keys[]] | unique | join(",")')"
    run_vb "$verb" --json -o +serial
    check "$verb --json -o +serial: no detail key" "" \
        "$(j '[.[] | .devices[] | keys[]] | unique | map(select(. == "detail")) | join(",")')"
done
run_vb list --json -o address,name
check "list --json -o address,name: address alone" address \
    "$(j '[.list.devices[] | keys[]] | unique | join(",")')"
summary
