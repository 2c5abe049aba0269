#!/bin/bash
# No IOMMU group (IOMMU off): a clear error that names intel_iommu=on; nothing is written,
# no module is loaded; exit 1.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed nogroup
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
before=$(dump)
run_vb plan
check_rc "plan exits 1" 1
check_grep "plan: the error names intel_iommu=on" "no IOMMU group: enable the IOMMU \(intel_iommu=on or amd_iommu=on" "$OUT"
run_vb apply --json
check_rc "apply exits 1" 1
check_json "apply --json parses"
check "failed before any step" "failed null 0" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.steps | length)"')"
check_grep "the error names intel_iommu=on and the firmware setting" \
    "intel_iommu=on or amd_iommu=on on the kernel command line, VT-d or AMD-Vi in the firmware" \
    "$(jdev 0000:02:00.0 .error)"
check_grep "stderr names it too" "0000:02:00\.0: no IOMMU group" "$ERR"
check_no_events "nothing written, no module loaded"
check "state as before" "$before" "$(dump)"
run_vb status
check_rc "status: drift (exit 3)" 3
run_vb list --json
check "list shows no group" "null" "$(jdev 0000:02:00.0 .iommu_group)"
summary
