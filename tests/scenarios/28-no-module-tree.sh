#!/bin/bash
# No module tree for the running kernel (minimal VMs, containers): one error line naming the
# path and the kernel version, then a row per device with why it cannot be resolved and what
# else is wrong with it (no IOMMU group, in use, a group not viable); nothing written.
# plan, apply, apply --boot, udev exit 1, status 1 (not 3: it cannot compare), list 0.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

KVER=6.1.0-testbed
TREE=/lib/modules/$KVER
kmsg() { cat "$BED/dev/kmsg" 2>/dev/null; }

# The IOMMU off and no /lib/modules/KVER at all.
bed nogroup
rm -rf "${BED:?}/lib/modules/$KVER"
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
mark
run_vb plan
check_rc "no tree: plan exits 1" 1
check "no tree: one error line naming the kernel and the path" \
    "vfio-bind: cannot read the module index of kernel $KVER in $TREE: No such file or directory; no device can get a VFIO module" \
    "$ERR"
check_grep "no tree: plan has the device's row" "^0000:02:00\.0 .* error " "$OUT"
check_grep "no tree: its row says why it cannot be resolved" \
    "no VFIO module: cannot read the module index of kernel $KVER in $TREE" "$OUT"
check_grep "no tree: and that the IOMMU is off" "no IOMMU group: enable the IOMMU" "$OUT"
run_vb plan --json
check_rc "no tree: plan --json exits 1" 1
check_json "no tree: plan --json parses"
check "no tree: plan --json: the device is an error" "error" "$(jdev 0000:02:00.0 .result)"
check "no tree: plan --json: the error names the tree, then the IOMMU" \
    "no VFIO module: cannot read the module index of kernel $KVER in $TREE: No such file or directory; no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on on the kernel command line, VT-d or AMD-Vi in the firmware)" \
    "$(jdev 0000:02:00.0 .error)"
run_vb status
check_rc "no tree: status exits 1 (cannot compare)" 1
check_grep "no tree: status has the device, drift, with why" \
    "^0000:02:00\.0 .* drift .*no VFIO module: cannot read the module index of kernel $KVER in $TREE" "$OUT"
check_grep "no tree: status names the tree on stderr" "cannot read the module index of kernel $KVER in $TREE" "$ERR"
run_vb status --json
check "no tree: status --json: drift with the IOMMU in the reason" "drift yes" \
    "$(jdev 0000:02:00.0 '"\(.result) \(if (.reason | test("no IOMMU group: enable the IOMMU")) then "yes" else "no" end)"')"
run_vb apply --json
check_rc "no tree: apply exits 1" 1
check "no tree: apply: the device failed before any step" "failed null 0" \
    "$(jdev 0000:02:00.0 '"\(.result) \(.failed_step) \(.steps | length)"')"
check_grep "no tree: apply's stderr names the tree" "cannot read the module index of kernel $KVER in $TREE" "$ERR"
run_vb apply --boot
check_rc "no tree: apply --boot exits 1 (the boot goes on: the hooks ignore it)" 1
check_grep "no tree: the kernel log names the tree" \
    "^<3>vfio-bind: cannot read the module index of kernel $KVER in $TREE: No such file or directory" "$(kmsg)"
check_grep "no tree: the kernel log has the device's reason" "0000:02:00\.0: no VFIO module: .*no IOMMU group" "$(kmsg)"
check_grep "no tree: the early run's last line counts it failed" "1 device selected, 0 bound, 1 failed" "$(kmsg)"
: >"$BED/dev/kmsg"
run_vb udev 0000:02:00.0
check_rc "no tree: udev exits 1" 1
check "no tree: udev prints nothing for udev" "" "$OUT"
check_grep "no tree: udev's kernel log names the tree" "cannot read the module index of kernel $KVER in $TREE" "$(kmsg)"
run_vb list
check_rc "no tree: list exits 0" 0
check_grep "no tree: list still lists the device" "^0000:02:00\.0 " "$OUT"
check_grep "no tree: list warns, naming the tree" "list: cannot read the module index of kernel $KVER in $TREE" "$ERR"
run_vb resolve 0000:02:00.0
check_rc "no tree: resolve exits 1" 1
check "no tree: resolve names the tree" \
    "vfio-bind: resolve: cannot read the module index of kernel $KVER in $TREE: No such file or directory" "$ERR"
run_vb resolve --kver 6.2.0-other 0000:02:00.0
check "no tree: resolve --kver names that kernel's tree" \
    "1 vfio-bind: resolve: cannot read the module index of kernel 6.2.0-other in /lib/modules/6.2.0-other: No such file or directory" "$RC $ERR"
run_vb modules
check "no tree: modules names the tree" \
    "1 vfio-bind: modules: cannot read the module index of kernel $KVER in $TREE: No such file or directory" "$RC $ERR"
check_no_events "no tree: nothing written, no module loaded"

# The tree is there but empty (no depmod): the index file is named. The boot VGA with its
# console and the NVMe disk holding /boot/efi say they are in use; the other GPU that its
# group is not viable; an entry's explicit 'driver' cannot be checked either.
bed demo
rm -rf "${BED:?}/lib/modules/$KVER"
mkdir "$BED/lib/modules/$KVER"
config <<'Y'
version: 1
devices:
  - id: "10de:2204"
  - address: "0000:04:00.0"
    driver: vfio_pci
Y
mark
run_vb plan --json
check_rc "empty tree: plan exits 1" 1
check "empty tree: the error line names the missing index" \
    "vfio-bind: cannot read the module index of kernel $KVER in $TREE: $TREE/modules.dep.bin: No such file or directory (was depmod run on this tree?); no device can get a VFIO module" \
    "$ERR"
check "empty tree: three rows, all errors" "error error error" "$(j '[.plan.devices[].result] | join(" ")')"
check_grep "empty tree: the boot VGA is in use" \
    "^no VFIO module: .*modules\.dep\.bin.*; in use: boot VGA device with the active console on fb0" \
    "$(jdev 0000:01:00.0 .error)"
check_grep "empty tree: the other GPU: its group is not viable" \
    "IOMMU group 11 is not viable: 0000:02:00\.1 is on snd_hda_intel" "$(jdev 0000:02:00.0 .warning)"
check_grep "empty tree: the explicit driver cannot be checked" \
    "^module 'vfio_pci' \(the entry's 'driver'\) cannot be checked: cannot read the module index of kernel $KVER" \
    "$(jdev 0000:04:00.0 .error)"
check "empty tree: the explicit driver is named as the module" "vfio_pci" "$(jdev 0000:04:00.0 .vfio_module)"
check_grep "empty tree: the disk is in use" "; in use: nvme0n1p[0-9] is mounted on /[a-z/]*; refusing to detach it" "$(jdev 0000:04:00.0 .error)"
run_vb status
check_rc "empty tree: status exits 1" 1
run_vb apply
check_rc "empty tree: apply exits 1" 1
check_no_events "empty tree: nothing written, no module loaded"

# An SR-IOV PF needs no VFIO module: its VFs are made, and then refused; the error line once,
# though the pipeline runs again over the new VFs.
bed demo
rm -rf "${BED:?}/lib/modules/$KVER"
config <<'Y'
version: 1
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 1, replace: true}
Y
run_vb apply --json
check_rc "sriov, no tree: apply exits 1" 1
check "sriov, no tree: the PF changed, its new VF failed" "changed failed" \
    "$(jdev 0000:5e:00.0 .result) $(jdev 0000:5e:00.1 .result)"
check "sriov, no tree: one VF now" "1" "$(cat "$BED/sys/bus/pci/devices/0000:5e:00.0/sriov_numvfs")"
check "sriov, no tree: the error line once" "1" "$(grep -c '^vfio-bind: cannot read the module index of kernel' <<<"$ERR")"

# Revert needs no VFIO module: a host driver that is loaded takes its device back; one whose
# module would have to be loaded fails, saying why.
bed revert
rm -rf "${BED:?}/lib/modules/$KVER"
config <<'Y'
version: 1
devices:
  - address: "0000:00:19.0"
  - address: "0000:03:00.0"
Y
run_vb revert --json
check_rc "revert, no tree: exits 1 (one host module cannot be loaded)" 1
check "revert, no tree: the loaded host driver took its device" "driver=igb override=-" "$(state 0000:03:00.0)"
check "revert, no tree: 0000:03:00.0 changed" "changed" "$(jdev 0000:03:00.0 .result)"
check "revert, no tree: 0000:00:19.0 failed at load-module" "failed load-module" \
    "$(jdev 0000:00:19.0 '"\(.result) \(.failed_step)"')"
check_grep "revert, no tree: its error names the tree" \
    "cannot load its host module: cannot read the module index of kernel $KVER in $TREE" \
    "$(jdev 0000:00:19.0 .error)"
check_no_grep "revert, no tree: no 'no device can get a VFIO module' line" "no device can get" "$ERR"
summary
