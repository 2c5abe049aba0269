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
# the ConnectX-5 PF bound above is selected no more: it goes back to mlx5_core (18-converge)
check "force: all three changed, the PF released" "changed changed changed released" \
    "$(j '[.apply.devices[].result] | join(" ")')"
check "force: NVMe on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:04:00.0)"
check "force: eno1's NIC on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:00:19.0)"
check "force: boot VGA on vfio-pci" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "force: the disk, the interface and the framebuffer went with their drivers" "no no no" \
    "$(for f in class/block/nvme0n1p2 class/net/eno1 class/graphics/fb0; do
    [ -e "$BED/sys/$f" ] && echo yes || echo no; done | tr '\n' ' ' | sed 's/ $//')"
check "force: unbind events for the three (and the released PF)" \
    "unbind 0000:00:19.0 e1000e;unbind 0000:01:00.0 nvidia;unbind 0000:04:00.0 nvme;unbind 0000:3b:00.0 vfio-pci;" \
    "$(events | grep '^unbind ' | sort | tr '\n' ';')"

# --- stacks: what is mounted or up is not the device itself
mountinfo() { chmod u+w "$BED/proc/self/mountinfo" && printf '%s\n' "$@" >"$BED/proc/self/mountinfo"; }
nvme_refused() { # LABEL WHY: apply refuses the NVMe with WHY and writes nothing for it
    config <<'Y'
version: 1
devices:
  - address: "0000:04:00.0"
Y
    mark
    run_vb apply --json
    check_rc "$1: exit 1" 1
    check "$1: the NVMe refused, saying why" "failed|in use: $2; refusing to detach it (set 'force: true' to override)" \
        "$(jdev 0000:04:00.0 '"\(.result)|\(.error)"')"
    check "$1: nothing written" "" "$(events | grep ' 0000:04:00\.0 ')"
}

# / on LVM (dm-0, /dev/mapper/vg-root) on nvme0n1p2: found through dm-0's slaves/
bed demo
mkdir -p "$BED/sys/devices/virtual/block/dm-0/slaves" "$BED/sys/devices/virtual/block/dm-0/dm"
echo 253:0 >"$BED/sys/devices/virtual/block/dm-0/dev"
echo vg-root >"$BED/sys/devices/virtual/block/dm-0/dm/name"
ln -s "../../../../pci0000:00/0000:00:1d.0/0000:04:00.0/block/nvme0n1/nvme0n1p2" "$BED/sys/devices/virtual/block/dm-0/slaves/nvme0n1p2"
ln -s ../../devices/virtual/block/dm-0 "$BED/sys/class/block/dm-0"
mountinfo "20 1 253:0 / / rw,relatime shared:20 - ext4 /dev/mapper/vg-root rw"
nvme_refused "/ on LVM" "dm-0 is mounted on /"

# btrfs: mountinfo has an anonymous 0:N; the source names the partition
bed demo
mountinfo "20 1 0:31 / / rw,relatime shared:20 - btrfs /dev/nvme0n1p2 rw,ssd,subvol=/@"
nvme_refused "/ on btrfs" "nvme0n1p2 is mounted on /"

# a btrfs over two disks names the other one in mountinfo: /sys/fs/btrfs/FSID/devices/ has both
bed demo
mountinfo "20 1 0:31 / / rw,relatime shared:20 - btrfs /dev/sdz1 rw,ssd,subvol=/@"
mkdir -p "$BED/sys/fs/btrfs/features" "$BED/sys/fs/btrfs/3f0c2d1e-0000-4000-8000-000000000001/devices"
ln -s "../../../../devices/pci0000:00/0000:00:1d.0/0000:04:00.0/block/nvme0n1/nvme0n1p2" \
    "$BED/sys/fs/btrfs/3f0c2d1e-0000-4000-8000-000000000001/devices/nvme0n1p2"
nvme_refused "btrfs RAID1 member" "nvme0n1p2 is in a mounted btrfs filesystem"

# swap on a partition, nothing mounted from the disk
bed demo
mountinfo "20 1 0:31 / / rw,relatime shared:20 - tmpfs tmpfs rw"
chmod u+w "$BED/proc/swaps" && printf '/dev/nvme0n1p1                          partition\t1048572\t\t0\t\t-2\n' >>"$BED/proc/swaps"
nvme_refused "swap" "nvme0n1p1 is active swap"
nvme_in_use() { tests/testbed/run "$BED" -- "$VB" list --json | python3 -c 'import json,sys; print([d["in_use"] for d in json.load(sys.stdin)["list"]["devices"] if d["address"] == "0000:04:00.0"][0] or "-")'; }
check "swap: list shows why" "nvme0n1p1 is active swap" "$(nvme_in_use)"
printf 'Filename\tType\tSize\tUsed\tPriority\n' >"$BED/proc/swaps"
check "nothing mounted and no swap: the NVMe is free" "-" "$(nvme_in_use)"

# mountinfo escapes a space as \040: the reason names the mount point as it is (libmount decodes it)
bed demo
mountinfo "20 1 0:31 / / rw,relatime shared:20 - tmpfs tmpfs rw" \
    "21 20 $(cat "$BED/sys/class/block/nvme0n1p1/dev") / /srv/vm\\040images rw,relatime shared:21 - ext4 /dev/nvme0n1p1 rw"
nvme_refused "a mount point with a space" "nvme0n1p1 is mounted on /srv/vm images"
check "a mount point with a space: list says the same" "nvme0n1p1 is mounted on /srv/vm images" "$(nvme_in_use)"

# a bridge that is up with routes: its port, the ConnectX-5 PF, is in use
bed demo
br="$BED/sys/devices/virtual/net/br0"
mkdir -p "$br" && printf '0x1003\n' >"$br/flags"
ln -s ../../../pci0000:00/0000:00:02.0/0000:3b:00.0/net/ens1f0np0 "$br/lower_ens1f0np0"
ln -s ../../devices/virtual/net/br0 "$BED/sys/class/net/br0"
chmod u+w "$BED/proc/net/route" && printf 'br0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >>"$BED/proc/net/route"
config <<'Y'
version: 1
devices:
  - address: "0000:3b:00.0"
Y
mark
run_vb apply --json
check_rc "bridge port: exit 1" 1
check "bridge port: the PF refused, naming the bridge" \
    "failed|in use: interface br0 is up with routes; refusing to detach it (set 'force: true' to override)" \
    "$(jdev 0000:3b:00.0 '"\(.result)|\(.error)"')"
check "bridge port: nothing written" "" "$(events | grep ' 0000:3b:00\.0 ')"

# Before coldplug no selected device has a driver: only the console can hold one, and the boot
# GPU that efifb draws on has no driver at all. It is still refused; its twin goes.
bed efifb
config <<'Y'
version: 1
devices:
  - address: "0000:01:00.0"
  - address: "0000:02:00.0"
Y
run_vb apply --json
check_rc "efifb: apply exit 1" 1
check "efifb: the boot GPU without a driver is refused, the console named" \
    "failed|in use: boot VGA device with an active framebuffer console; refusing to detach it (set 'force: true' to override)" \
    "$(jdev 0000:01:00.0 '"\(.result)|\(.error)"')"
check "efifb: its twin goes" "changed driver=vfio-pci override=vfio-pci" \
    "$(jdev 0000:02:00.0 .result) $(state 0000:02:00.0)"
summary
