#!/bin/bash
# In-use protection on the demo host: the NVMe holding /, the NIC that is up with routes
# (e1000e eno1) and the boot VGA with the console are refused without "force: true", with it
# they go.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:04:00.0"
  - address: "0000:00:19.0"
  - address: "0000:01:00.0"
  - address: "0000:3b:00.0"
Y
before=$(dump)
run_vb plan
check_rc "plan: exit 1 (errors)" 1
check_grep "plan: the NVMe is refused" "^0000:04:00\.0 .* error +in use: nvme0n1p2 is mounted on /;" "$OUT"
run_vb apply --json
check_rc "apply: exit 1" 1
check_json "apply: JSON parses"
check "NVMe: refused, / named" \
    "failed|in use: nvme0n1p2 is mounted on /; refusing to detach it (set 'force: true' to override)" \
    "$(jdev 0000:04:00.0 '"\(.result)|\(.error)"')"
check "eno1: refused, routes named" \
    "failed|in use: interface eno1 is up with routes; refusing to detach it (set 'force: true' to override)" \
    "$(jdev 0000:00:19.0 '"\(.result)|\(.error)"')"
check "boot VGA: refused, console named" \
    "failed|in use: boot VGA device with the active console on fb0; refusing to detach it (set 'force: true' to override)" \
    "$(jdev 0000:01:00.0 '"\(.result)|\(.error)"')"
for a in 0000:04:00.0 0000:00:19.0 0000:01:00.0; do
    check "$a: untouched, nothing written" "$(grep " $a " <<<"$before")|" \
        "$(dump | grep " $a ")|$(events | grep " $a ")"
done
# up but without routes or global addresses: not in use
check "the ConnectX-5 PF (up, no routes) is not in use: it goes" "changed driver=vfio-pci override=vfio-pci" \
    "$(jdev 0000:3b:00.0 .result) $(state 0000:3b:00.0)"
check "the interfaces are still there" "yes yes yes" "$(for f in class/block/nvme0n1p2 class/net/eno1 class/graphics/fb0; do
    [ -e "$BED/sys/$f" ] && echo yes || echo no; done | tr '\n' ' ' | sed 's/ $//')"

# force: true
config <<'Y'
version: 1
devices:
  - address: "0000:04:00.0"
    force: true
  - address: "0000:00:19.0"
    force: true
  - address: "0000:01:00.0"
    force: true
Y
mark
run_vb apply --json
check_rc "force: exit 0" 0
check "force: all three changed" "changed changed changed" "$(j '[.apply.devices[].result] | join(" ")')"
check "force: NVMe on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:04:00.0)"
check "force: eno1's NIC on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:19.0)"
check "force: boot VGA on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "force: the disk, the interface and the framebuffer went with their drivers" "no no no" \
    "$(for f in class/block/nvme0n1p2 class/net/eno1 class/graphics/fb0; do
    [ -e "$BED/sys/$f" ] && echo yes || echo no; done | tr '\n' ' ' | sed 's/ $//')"
check "force: unbind events for the three" \
    "unbind 0000:00:19.0 e1000e;unbind 0000:01:00.0 nvidia;unbind 0000:04:00.0 nvme;" \
    "$(events | grep '^unbind ' | sort | tr '\n' ';')"
summary
