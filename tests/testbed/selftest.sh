#!/bin/bash
# Self-test of the test bed: builds it if needed, then checks enumeration through
# libudev, the PCI core semantics, module loading through kmod, every fault type and
# driverctl.  Last line: "N passed, M failed"; exit status 1 if anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export BUILDDIR=${BUILDDIR:-build}
case $BUILDDIR in /*) out=$BUILDDIR/testbed ;; *) out=$top/$BUILDDIR/testbed ;; esac
make -s -C "$top" -f tests/testbed/testbed.mk testbed >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/testbed-selftest.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
# check NAME CMD...: CMD must succeed
check() { local name=$1; shift; if "$@"; then ok; else ko "$name"; fi; }
# expect_err NAME ERRTEXT CMD...: CMD must fail and print ERRTEXT on stderr
expect_err() {
	local name=$1 text=$2 err; shift 2
	if err=$("$@" 2>&1 >/dev/null); then ko "$name (succeeded)"; return; fi
	if [[ $err == *"$text"* ]]; then ok; else ko "$name (stderr: $err)"; fi
}
bed=$work/bed
tb() { "$here/run" "$bed" -- "$@"; }
sh_tb() { tb bash -c "$1"; }
mk() { "$here/mkbed" "$1" "$bed" >/dev/null || ko "mkbed $1"; }
drv() { local l; l=$(readlink "$bed/sys/bus/pci/devices/$1/driver") && echo "${l##*/}" || echo -; }
is() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'" >&2; return 1; }; }
logged() { grep -qx "$1" "$bed/testbed/log"; }

# ---------------------------------------------------------------- demo host
mk "$here/hosts/demo.host"
probe=$(tb "$out/udev-probe")
check "libudev sees 20 devices" is "$(echo "$probe" | wc -l)" 20
check "libudev modalias+driver+group" grep -qx \
	'0000:01:00.0 modalias=pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00 driver=nvidia override=- group=10' <<<"$probe"
check "libudev unbound VF" grep -q '^0000:5e:00.1 .* driver=- ' <<<"$probe"
check "uname from kver" is "$(tb uname -r)" 6.1.0-testbed
check "/proc/cmdline" grep -q intel_iommu=on <(tb cat /proc/cmdline)
check "/proc/mounts" grep -q '^/dev/nvme0n1p2 / ext4' <(tb cat /proc/mounts)
tb "$out/udev-probe" write /dev/kmsg "<6>first" && tb "$out/udev-probe" write /dev/kmsg "<6>second"
check "/dev/kmsg appends: records of earlier writers stay" is "$(cat "$bed/dev/kmsg")" "<6>first<6>second"
check "mountinfo: / on the device number of nvme0n1p2" is \
	"$(tb awk '$5 == "/" { print $3 }' /proc/self/mountinfo)" "$(cat "$bed/sys/class/block/nvme0n1p2/dev")"
check "block minors are distinct" is "$(cat "$bed"/sys/class/block/*/dev | sort -u | wc -l)" 3
check "/proc/net/route default via eno1" grep -q '^eno1	00000000	0101A8C0	0003' <(tb cat /proc/net/route)
check "modprobe.d redirected" grep -q '^blacklist nouveau' <(tb modprobe -c)
check "realpath is virtual" is "$(tb realpath /sys/bus/pci/devices/0000:01:00.0)" \
	/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0
if [ "${TESTBED_ISOLATE:-auto}" != 0 ] && unshare -r -m true 2>/dev/null; then
	check "isolation hides the real /sys" is "$(tb env -u LD_PRELOAD ls -A /sys | wc -l)" 0
fi

check "libkmod lookup in a C program (variant + catch-all)" is \
	"$(tb "$out/udev-probe" lookup vfio_pci:v000015B3d0000101Esv000015B3sd00000016bc02sc00i00 | sort | tr '\n' ' ')" \
	"mlx5_vfio_pci - vfio_pci - "
check "libkmod initstate live" is "$(tb "$out/udev-probe" lookup pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00)" "e1000e live"
# libudev writes driver_override (fopen + fputs + fflush)
tb "$out/udev-probe" set 0000:02:00.0 driver_override vfio-pci
check "libudev set driver_override" is "$(cat "$bed/sys/bus/pci/devices/0000:02:00.0/driver_override")" vfio-pci
sh_tb 'echo > /sys/bus/pci/devices/0000:02:00.0/driver_override'
check "newline clears driver_override" is "$(cat "$bed/sys/bus/pci/devices/0000:02:00.0/driver_override")" "(null)"
sh_tb 'printf "vfio-pci\nrest" > /sys/bus/pci/devices/0000:02:00.0/driver_override'
check "driver_override stops at newline" is "$(cat "$bed/sys/bus/pci/devices/0000:02:00.0/driver_override")" vfio-pci
expect_err "over-long driver_override" "Invalid argument" \
	tb bash -c 'head -c 4095 /dev/zero | tr "\0" a > /sys/bus/pci/devices/0000:02:00.0/driver_override'
expect_err "read-only attribute" "Permission denied" tb bash -c 'echo 1 > /sys/bus/pci/devices/0000:02:00.0/vendor'
expect_err "no creating files in sysfs" "Permission denied" tb bash -c 'echo 1 > /sys/bus/pci/devices/0000:02:00.0/newfile'

# unbind + drivers_probe without the vfio module: device stays unbound
expect_err "unbind from a driver not bound" "No such device" \
	tb bash -c 'echo 0000:02:00.0 > /sys/bus/pci/drivers/e1000e/unbind'
sh_tb 'echo 0000:02:00.0 > /sys/bus/pci/devices/0000:02:00.0/driver/unbind'
check "unbind through device/driver/unbind" is "$(drv 0000:02:00.0)" -
check "driver's link removed" test ! -e "$bed/sys/bus/pci/drivers/nvidia/0000:02:00.0"
sh_tb 'echo 0000:02:00.0 > /sys/bus/pci/drivers_probe'
check "drivers_probe with override and no such driver" is "$(drv 0000:02:00.0)" -
expect_err "drivers_probe unknown device" "No such device" tb bash -c 'echo 0000:99:00.0 > /sys/bus/pci/drivers_probe'

# loading vfio_pci (modprobe, kmod 30: finit_module) attaches the overridden device
check "modprobe vfio_pci" tb modprobe vfio_pci
check "bound to vfio-pci on load" is "$(drv 0000:02:00.0)" vfio-pci
check "driver link is relative" is "$(readlink "$bed/sys/bus/pci/devices/0000:02:00.0/driver")" \
	../../../../bus/pci/drivers/vfio-pci
check "module link" is "$(readlink "$bed/sys/bus/pci/drivers/vfio-pci/module")" ../../../../module/vfio_pci
check "sys/module drivers link" test -L "$bed/sys/module/vfio_pci/drivers/pci:vfio-pci"
check "deps loaded first" logged "load vfio_pci_core"
check "/proc/modules" grep -q '^vfio_pci_core 16384 1 vfio_pci, Live' "$bed/proc/modules"
check "uevent DRIVER=" grep -qx DRIVER=vfio-pci "$bed/sys/bus/pci/devices/0000:02:00.0/uevent"
check "override-only: no override, no bind" is "$(drv 0000:5e:00.1)" -
expect_err "insmod of a loaded module" "File exists" \
	tb insmod "/lib/modules/6.1.0-testbed/kernel/drivers/testbed/vfio-pci.ko"
check "modprobe of a loaded module is a no-op" tb modprobe vfio_pci
expect_err "bind when bound" "Device or resource busy" \
	tb bash -c 'echo 0000:02:00.0 > /sys/bus/pci/drivers/vfio-pci/bind'
expect_err "bind that does not match" "No such device" \
	tb bash -c 'echo 0000:00:19.0 > /sys/bus/pci/drivers/vfio-pci/bind'

# clear the override and reprobe: the host driver comes back
sh_tb 'echo 0000:02:00.0 > /sys/bus/pci/drivers/vfio-pci/unbind; echo > /sys/bus/pci/devices/0000:02:00.0/driver_override; echo 0000:02:00.0 > /sys/bus/pci/drivers_probe'
check "reprobe gives the host driver back" is "$(drv 0000:02:00.0)" nvidia

# host driver children: the net interface goes with the driver
sh_tb 'echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/unbind'
check "unbind removes net interface" test ! -e "$bed/sys/class/net/eno1"
sh_tb 'echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/bind'
check "bind restores net interface" grep -qx up "$bed/sys/class/net/eno1/operstate"
sh_tb 'echo 0000:04:00.0 > /sys/bus/pci/drivers/nvme/unbind'
check "unbind removes block devices" test ! -e "$bed/sys/class/block/nvme0n1p2"
sh_tb 'echo 0000:04:00.0 > /sys/bus/pci/drivers/nvme/bind'
check "bind restores block devices, same numbers" is "$(cat "$bed/sys/class/block/nvme0n1p2/dev")" 259:2

# new_id / remove_id (dynamic ids)
sh_tb 'echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/unbind; echo "8086 10d3" > /sys/bus/pci/drivers/vfio-pci/new_id'
check "new_id binds matching unbound device" is "$(drv 0000:00:19.0)" vfio-pci
expect_err "new_id twice" "File exists" tb bash -c 'echo "8086 10d3" > /sys/bus/pci/drivers/vfio-pci/new_id'
check "remove_id" sh_tb 'echo "8086 10d3" > /sys/bus/pci/drivers/vfio-pci/remove_id'
expect_err "remove_id of an absent id" "No such device" \
	tb bash -c 'echo "8086 10d3" > /sys/bus/pci/drivers/vfio-pci/remove_id'
expect_err "new_id with one field" "Invalid argument" tb bash -c 'echo 8086 > /sys/bus/pci/drivers/vfio-pci/new_id'

# variant driver: override-only id, and SR-IOV drivers_autoprobe=0 on the PF
sh_tb 'echo 0000:5e:00.2 > /sys/bus/pci/drivers_probe'
check "VF with autoprobe off stays unbound" is "$(drv 0000:5e:00.2)" -
sh_tb 'echo mlx5_vfio_pci > /sys/bus/pci/devices/0000:5e:00.1/driver_override'
check "modprobe mlx5_vfio_pci" tb modprobe mlx5_vfio_pci
check "variant driver binds overridden VF" is "$(drv 0000:5e:00.1)" mlx5_vfio_pci
check "variant driver leaves the other VF" is "$(drv 0000:5e:00.2)" -

# module removal
expect_err "rmmod of a module in use" "in use" tb rmmod vfio_pci_core
check "modprobe -r mlx5_vfio_pci" tb modprobe -r mlx5_vfio_pci
check "removal unbinds" is "$(drv 0000:5e:00.1)" -
check "driver directory gone" test ! -e "$bed/sys/bus/pci/drivers/mlx5_vfio_pci"

# stdio writers see errors too (glibc stdio writes behind the preload's back)
expect_err "coreutils echo gets write error" "No such device" \
	tb bash -c '/bin/echo 0000:01:00.0 > /sys/bus/pci/drivers/e1000e/unbind'

expect_err "direct write() gets the errno at once" "write /sys/bus/pci/drivers/e1000e/unbind: No such device" \
	tb "$out/udev-probe" write /sys/bus/pci/drivers/e1000e/unbind 0000:01:00.0
check "direct write() unbinds" tb "$out/udev-probe" write /sys/bus/pci/drivers/nvidia/unbind 0000:01:00.0
check "... once" is "$(grep -c '^unbind 0000:01:00.0' "$bed/testbed/log")" 1
sh_tb 'cd /sys/bus/pci/devices/0000:01:00.0 && echo nvidia > driver_override && cd /sys/bus/pci/drivers/nvidia && echo 0000:01:00.0 > bind'
check "relative paths below a bed cwd" is "$(drv 0000:01:00.0)" nvidia
# driverctl (bash: echo, readlink, basename, realpath, modprobe)
mk "$here/hosts/demo.host"
check "driverctl set-override" tb driverctl --nosave set-override 0000:01:00.0 vfio-pci
check "driverctl: bound to vfio-pci" is "$(drv 0000:01:00.0)" vfio-pci
check "driverctl: console framebuffer gone with nvidia" test ! -e "$bed/sys/class/graphics/fb0"
check "driverctl list-overrides" is "$(tb driverctl list-overrides)" "0000:01:00.0 vfio-pci"
check "driverctl unset-override" tb driverctl --nosave unset-override 0000:01:00.0
check "driverctl: back on nvidia" is "$(drv 0000:01:00.0)" nvidia
check "driverctl saves into the bed" tb driverctl set-override 0000:02:00.1 vfio-pci
check "driverctl.d in the bed" is "$(cat "$bed/etc/driverctl.d/pci-0000:02:00.1")" vfio-pci

# ---------------------------------------------------------------- small hosts
cat >"$work/mini.host" <<'H'
kver 6.1.0-mini
module vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module e1000e driver=e1000e ids=8086:10d3
device 0000:00:19.0 id=8086:10d3 class=020000 driver=e1000e group=4 net=eno1 up
device 0000:00:1f.6 id=8086:10d3 class=020000 driver=e1000e net=eno2
device 0000:00:01.0 id=8086:1901 class=060400 driver=pcieport group=1
H
mk "$work/mini.host"
tb modprobe vfio_pci
sh_tb 'echo vfio-pci > /sys/bus/pci/devices/0000:00:1f.6/driver_override; echo 0000:00:1f.6 > /sys/bus/pci/drivers/e1000e/unbind; echo 0000:00:1f.6 > /sys/bus/pci/drivers_probe'
check "no IOMMU group: vfio-pci refuses" is "$(drv 0000:00:1f.6)" -
check "refusal logged" logged "probe-failed 0000:00:1f.6 vfio-pci EINVAL"
expect_err "no IOMMU group: bind fails EINVAL" "Invalid argument" \
	tb bash -c 'echo 0000:00:1f.6 > /sys/bus/pci/drivers/vfio-pci/bind'
sh_tb 'echo vfio-pci > /sys/bus/pci/devices/0000:00:01.0/driver_override; echo 0000:00:01.0 > /sys/bus/pci/drivers/pcieport/unbind'
expect_err "bridge: vfio-pci refuses" "Invalid argument" \
	tb bash -c 'echo 0000:00:01.0 > /sys/bus/pci/drivers/vfio-pci/bind'
mk "$work/mini.host"
check "insmod without dependencies fails" bash -c "! '$here/run' '$bed' -- insmod /lib/modules/6.1.0-mini/kernel/drivers/testbed/vfio-pci.ko 2>/dev/null"
check "... as unknown symbol (ENOENT)" logged "load-failed vfio_pci unknown-symbol-from vfio_pci_core"

cat >"$work/builtin.host" <<'H'
kver 6.1.0-builtin
module vfio state=builtin
module vfio_pci_core depends=vfio state=builtin
module vfio_pci driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:* state=builtin
device 0000:00:19.0 id=8086:10d3 class=020000 driver=e1000e group=4
H
mk "$work/builtin.host"
check "built-in module has no initstate" bash -c "[ -d '$bed/sys/module/vfio_pci' ] && [ ! -e '$bed/sys/module/vfio_pci/initstate' ]"
check "kmod (modinfo) reports built-in" grep -q '^filename: *(builtin)' <(tb modinfo vfio_pci)
check "libkmod initstate builtin" is "$(tb "$out/udev-probe" lookup vfio_pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00)" "vfio_pci builtin"
tb modprobe vfio_pci
check "modprobe of a built-in loads nothing" bash -c "! grep -q '^load' '$bed/testbed/log'"
expect_err "modprobe --first-time of a built-in" "already in kernel" tb modprobe --first-time vfio_pci
check "built-in driver registered" test -d "$bed/sys/bus/pci/drivers/vfio-pci"
check "implicit host driver e1000e" is "$(drv 0000:00:19.0)" e1000e
sh_tb 'echo vfio-pci > /sys/bus/pci/devices/0000:00:19.0/driver_override; echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/unbind; echo 0000:00:19.0 > /sys/bus/pci/drivers_probe'
check "built-in vfio-pci binds on reprobe" is "$(drv 0000:00:19.0)" vfio-pci

# ---------------------------------------------------------------- faults
mk "$work/mini.host"
echo EPERM >"$bed/faults/load/vfio_pci"
expect_err "fault load" "Operation not permitted" tb modprobe vfio_pci
rm "$bed/faults/load/vfio_pci"
check "load after fault removed" tb modprobe vfio_pci
echo >"$bed/faults/unbind/0000:00:19.0"
expect_err "fault unbind (default EBUSY)" "Device or resource busy" \
	tb bash -c 'echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/unbind'
check "still bound after failed unbind" is "$(drv 0000:00:19.0)" e1000e
rm "$bed/faults/unbind/0000:00:19.0"
echo "vfio-pci EIO" >"$bed/faults/probe/0000:00:19.0"
sh_tb 'echo vfio-pci > /sys/bus/pci/devices/0000:00:19.0/driver_override; echo 0000:00:19.0 > /sys/bus/pci/drivers/e1000e/unbind; echo 0000:00:19.0 > /sys/bus/pci/drivers_probe'
check "fault probe: unbound after drivers_probe" is "$(drv 0000:00:19.0)" -
expect_err "fault probe: bind gets the errno" "Input/output error" \
	tb bash -c 'echo 0000:00:19.0 > /sys/bus/pci/drivers/vfio-pci/bind'
rm "$bed/faults/probe/0000:00:19.0"
echo "/sys/bus/pci/devices/0000:00:19.0/driver_override ENOSPC" >"$bed/faults/write"
expect_err "fault write (through the bus link)" "No space left on device" \
	tb bash -c 'echo e1000e > /sys/bus/pci/devices/0000:00:19.0/driver_override'
: >"$bed/faults/write"
echo "driver_override write" >"$bed/faults/vanish/0000:00:19.0"
expect_err "fault vanish on write" "No such device" \
	tb bash -c 'echo x > /sys/bus/pci/devices/0000:00:19.0/driver_override'
check "vanished device is gone" test ! -e "$bed/sys/bus/pci/devices/0000:00:19.0"
check "vanish is one-shot" test ! -e "$bed/faults/vanish/0000:00:19.0"
echo "modalias read" >"$bed/faults/vanish/0000:00:1f.6"
expect_err "fault vanish on read" "No such file" tb cat /sys/bus/pci/devices/0000:00:1f.6/modalias
check "vanished from libudev" bash -c "! '$here/run' '$bed' -- '$out/udev-probe' | grep -q 0000:00:1f.6"


# description lines for faults and files; dump format; misc
cat >"$work/faulty.host" <<'H'
kver 6.1.0-faulty
module e1000e driver=e1000e ids=8086:10d3
device 0000:00:19.0 id=8086:10d3 class=020000 driver=e1000e group=4 override=vfio-pci
device 0000:00:1f.6 id=8086:10d3 class=020000 driver=e1000e group=5
fault unbind 0000:00:19.0 EAGAIN
fault probe 0000:00:1f.6 * ENXIO
fault load e1000e
file /proc/net/dev Inter-|   Receive
H
mk "$work/faulty.host"
check "description fault unbind" is "$(cat "$bed/faults/unbind/0000:00:19.0")" EAGAIN
check "description fault probe" is "$(cat "$bed/faults/probe/0000:00:1f.6")" "* ENXIO"
check "description fault load (default)" test -f "$bed/faults/load/e1000e"
check "description file" is "$(tb cat /proc/net/dev)" "Inter-|   Receive"
check "dump" is "$("$here/dump" "$bed" | tr '\n' ';')" \
	"device 0000:00:19.0 driver=e1000e override=vfio-pci;device 0000:00:1f.6 driver=e1000e override=-;module e1000e live refcnt=0;driver e1000e dynids=-;"
expect_err "write over a page" "Argument list too long" \
	tb "$out/udev-probe" write /sys/bus/pci/devices/0000:00:1f.6/driver_override "$(head -c 4097 /dev/zero | tr '\0' a)"
cp "$bed/lib/modules/6.1.0-faulty/kernel/drivers/testbed/e1000e.ko" "$work/e1000e.ko"
expect_err "never load a module from outside the bed" "Operation not permitted" tb insmod "$work/e1000e.ko"
sh_tb 'echo 1 > /sys/bus/pci/devices/0000:00:1f.6/remove'
check "remove attribute removes the device" test ! -e "$bed/sys/bus/pci/devices/0000:00:1f.6"
check "... and its IOMMU group entry" test ! -e "$bed/sys/kernel/iommu_groups/5/devices/0000:00:1f.6"

# boot order (DESIGN.md "At boot"): override first, vfio loaded, then coldplug loads the
# host module by modalias; it takes only the twin without an override
cat >"$work/boot.host" <<'H'
kver 6.1.0-boot
module vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module e1000e driver=e1000e ids=8086:10d3 state=unloaded
device 0000:00:02.0 id=8086:10d3 class=020000 group=2 net=ens2
device 0000:00:03.0 id=8086:10d3 class=020000 group=3 net=ens3
H
mk "$work/boot.host"
check "boot: nothing bound before coldplug" is "$(drv 0000:00:02.0)$(drv 0000:00:03.0)" --
sh_tb 'echo vfio-pci > /sys/bus/pci/devices/0000:00:02.0/driver_override' && tb modprobe vfio_pci
check "boot: vfio-pci takes the overridden NIC on load" is "$(drv 0000:00:02.0)" vfio-pci
check "boot: coldplug loads the host module by modalias" \
	tb modprobe "$(cat "$bed/sys/bus/pci/devices/0000:00:03.0/modalias")"
check "boot: the twin gets e1000e" is "$(drv 0000:00:03.0)" e1000e
check "boot: its interface appears" test -e "$bed/sys/class/net/ens3"
check "boot: the overridden NIC stays on vfio-pci" is "$(drv 0000:00:02.0)" vfio-pci
check "boot: event order" is "$(grep -E '^(driver_override|bind|load e1000e)' "$bed/testbed/log" | tr '\n' ';')" \
	"driver_override 0000:00:02.0 vfio-pci;bind 0000:00:02.0 vfio-pci;load e1000e;bind 0000:00:03.0 e1000e;"

# compressed modules: libkmod decompresses and calls init_module() with the image
cat >"$work/zmod.host" <<'H'
kver 6.1.0-z
module vfio compress=xz
module vfio_pci_core depends=vfio compress=zst
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
device 0000:00:02.0 id=8086:10d3 class=020000 group=2 override=vfio-pci
H
mk "$work/zmod.host"
check "compressed module files" test -f "$bed/lib/modules/6.1.0-z/kernel/drivers/testbed/vfio.ko.xz" -a \
	-f "$bed/lib/modules/6.1.0-z/kernel/drivers/testbed/vfio_pci_core.ko.zst"
check "modprobe through init_module (xz, zst)" tb modprobe vfio_pci
check "compressed deps loaded" is "$(grep -c '^load vfio' "$bed/testbed/log")" 3
check "device bound after compressed load" is "$(drv 0000:00:02.0)" vfio-pci

# SR-IOV: writing sriov_numvfs creates and removes VFs (drivers/pci/iov.c)
cat >"$work/sriov.host" <<'H'
kver 6.1.0-sriov
module mlx5_core driver=mlx5_core ids=15b3:101d,15b3:101e
module i40e driver=i40e ids=8086:1572
device 0000:5e:00.0 id=15b3:101d subsys=15b3:0016 class=020000 driver=mlx5_core group=30 sriov-total=4 vf-id=15b3:101e vf-group-base=40
device 0000:81:00.0 id=8086:1572 class=020000 driver=i40e group=50 sriov-total=300 vf-id=8086:154c vf-offset=16 vf-stride=2 autoprobe=0
device 0000:a0:00.0 id=8086:1572 class=020000 group=51 sriov-total=4
# described VFs: sriov_numvfs is derived (2), virtfn0 gives the VF id, offset and group base
device 0000:90:00.0 id=15b3:101d class=020000 driver=mlx5_core group=60 sriov-total=4
device 0000:90:00.2 id=15b3:101e class=020000 physfn=0000:90:00.0 vf=0 group=61
device 0000:90:00.3 id=15b3:101e class=020000 physfn=0000:90:00.0 vf=1 group=62
device 0000:90:00.5 id=8086:10d3 class=020000 group=63
H
mk "$work/sriov.host"
PF=/sys/bus/pci/devices/0000:5e:00.0
numvfs() { cat "$bed/sys/bus/pci/devices/$1/sriov_numvfs"; }
nlinks() { local n=0 f; for f in "$bed/sys/bus/pci/devices/$1"/virtfn*; do [ -L "$f" ] && n=$((n + 1)); done; echo $n; }
check "sriov: write 2 creates 2 VFs" tb "$out/udev-probe" write $PF/sriov_numvfs 2
check "sriov: sriov_numvfs reads 2" is "$(numvfs 0000:5e:00.0)" 2
check "sriov: virtfn0 -> next function" is "$(readlink "$bed$PF/virtfn0")" ../0000:5e:00.1
check "sriov: virtfn1" is "$(readlink "$bed$PF/virtfn1")" ../0000:5e:00.2
check "sriov: physfn link back" is "$(readlink "$bed/sys/bus/pci/devices/0000:5e:00.2/physfn")" ../0000:5e:00.0
check "sriov: VF id from vf-id=" is "$(cat "$bed/sys/bus/pci/devices/0000:5e:00.1/device")" 0x101e
check "sriov: own IOMMU groups from vf-group-base" is \
	"$(tb "$out/udev-probe" | sed -n 's/^\(0000:5e:00.[12]\) .* group=\(.*\)$/\1=\2/p' | tr '\n' ' ')" \
	"0000:5e:00.1=40 0000:5e:00.2=41 "
check "sriov: group lists the VF" test -L "$bed/sys/kernel/iommu_groups/41/devices/0000:5e:00.2"
check "sriov: autoprobe 1 probes the new VFs" is "$(drv 0000:5e:00.1)$(drv 0000:5e:00.2)" mlx5_coremlx5_core
check "sriov: events" is "$(grep -E '^(sriov_numvfs|add|bind)' "$bed/testbed/log" | tr '\n' ';')" \
	"sriov_numvfs 0000:5e:00.0 2;add 0000:5e:00.1;add 0000:5e:00.2;bind 0000:5e:00.1 mlx5_core;bind 0000:5e:00.2 mlx5_core;"
expect_err "sriov: 2 -> 3 is EBUSY" "Device or resource busy" tb "$out/udev-probe" write $PF/sriov_numvfs 3
check "sriov: same count again is a no-op" tb "$out/udev-probe" write $PF/sriov_numvfs 2
expect_err "sriov: above sriov_totalvfs is ERANGE" "Numerical result out of range" \
	tb "$out/udev-probe" write $PF/sriov_numvfs 5
expect_err "sriov: not a number is EINVAL" "Invalid argument" tb "$out/udev-probe" write $PF/sriov_numvfs two
check "sriov: write 0 removes the VFs" tb "$out/udev-probe" write $PF/sriov_numvfs 0
check "sriov: gone from the bus" test ! -e "$bed/sys/bus/pci/devices/0000:5e:00.1" -a ! -e "$bed/sys/bus/pci/devices/0000:5e:00.2"
check "sriov: virtfn links gone" test ! -e "$bed$PF/virtfn0" -a ! -L "$bed$PF/virtfn1"
check "sriov: empty groups freed" test ! -e "$bed/sys/kernel/iommu_groups/40"
check "sriov: driver links gone" test ! -e "$bed/sys/bus/pci/drivers/mlx5_core/0000:5e:00.1"
check "sriov: 0 then 3" tb "$out/udev-probe" write $PF/sriov_numvfs 3
check "sriov: three VFs" is "$(nlinks 0000:5e:00.0)" 3
# offset 16, stride 2 from 81:00.0: VFs at 81:02.0, 81:02.2, ...; autoprobe 0 leaves them unbound
check "sriov: 200 VFs across buses" tb "$out/udev-probe" write /sys/bus/pci/devices/0000:81:00.0/sriov_numvfs 200
check "sriov: offset and stride" is "$(readlink "$bed/sys/bus/pci/devices/0000:81:00.0/virtfn1")" ../0000:81:02.2
check "sriov: routing id carries into the next bus" is \
	"$(readlink "$bed/sys/bus/pci/devices/0000:81:00.0/virtfn199")" ../0000:82:13.6
check "sriov: no vf-group-base: no IOMMU group" test ! -e "$bed/sys/bus/pci/devices/0000:81:02.0/iommu_group"
check "sriov: autoprobe 0: VFs stay unbound" is "$(drv 0000:81:02.0)" -
check "sriov: libudev sees them" is "$(tb "$out/udev-probe" | grep -c 'modalias=pci:v00008086d0000154C')" 200
check "sriov: override-named driver may still probe" sh_tb \
	'echo i40e > /sys/bus/pci/devices/0000:81:02.0/driver_override && echo 0000:81:02.0 > /sys/bus/pci/drivers_probe'
check "sriov: ... and binds" is "$(drv 0000:81:02.0)" i40e
check "sriov: 0 removes all 200" tb "$out/udev-probe" write /sys/bus/pci/devices/0000:81:00.0/sriov_numvfs 0
check "sriov: none left" is "$(tb "$out/udev-probe" | grep -c 'd0000154C')" 0
expect_err "sriov: PF without a driver is ENOENT" "No such file or directory" \
	tb "$out/udev-probe" write /sys/bus/pci/devices/0000:a0:00.0/sriov_numvfs 1
check "sriov: described VFs counted" is "$(numvfs 0000:90:00.0)" 2
check "sriov: described VFs removed by 0" tb "$out/udev-probe" write /sys/bus/pci/devices/0000:90:00.0/sriov_numvfs 0
check "sriov: ... all of them" test ! -e "$bed/sys/bus/pci/devices/0000:90:00.2" -a ! -e "$bed/sys/bus/pci/devices/0000:90:00.3"
check "sriov: recreated from virtfn0's description" tb "$out/udev-probe" write /sys/bus/pci/devices/0000:90:00.0/sriov_numvfs 1
check "sriov: at virtfn0's address and group" is \
	"$(tb "$out/udev-probe" | sed -n 's/^\(0000:90:00.2\) .*d0000101E.* group=\(.*\)$/\1 \2/p')" "0000:90:00.2 61"
check "sriov: back to 0" tb "$out/udev-probe" write /sys/bus/pci/devices/0000:90:00.0/sriov_numvfs 0
expect_err "sriov: a VF where a device sits fails the write (EEXIST)" "File exists" \
	tb "$out/udev-probe" write /sys/bus/pci/devices/0000:90:00.0/sriov_numvfs 4
check "sriov: ... and the VFs made before it go again" is \
	"$(numvfs 0000:90:00.0) $(nlinks 0000:90:00.0) $(drv 0000:90:00.5)" "0 0 -"
check "sriov: ... the device in the way stays" test -e "$bed/sys/bus/pci/devices/0000:90:00.5/vendor"

# fsl-mc (drivers/bus/fsl-mc) and cdx (drivers/cdx): hosts/buses-all.host
mk "$here/hosts/buses-all.host"
FM=/sys/bus/fsl-mc/devices
fdrv() { local l; l=$(readlink "$bed$FM/$1/driver") && echo "${l##*/}" || echo -; }
# fstate NAME...: "NAME=DRIVER/OVERRIDE ..." ("absent" for a removed object)
fstate() {
	local n out=
	for n; do
		if [ -e "$bed$FM/$n" ]; then out+="$n=$(fdrv "$n")/$(cat "$bed$FM/$n/driver_override") "
		else out+="$n=absent "; fi
	done
	echo "$out"
}
DPRC2=/sys/devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2
check "fsl-mc: object below its container" is "$(tb realpath $FM/dpni.1)" "$DPRC2/dpni.1"
check "fsl-mc: root container below the fsl-mc bus device" is "$(tb realpath $FM/dprc.1)" \
	/sys/devices/platform/soc/80c000000.fsl-mc/dprc.1
check "fsl-mc: subsystem link" is "$(readlink "$bed$DPRC2/dpni.1/subsystem")" ../../../../../../../bus/fsl-mc
check "fsl-mc: modalias (modalias_show)" is "$(cat "$bed$FM/dpni.1/modalias")" fsl-mc:v00001957ddpni
check "fsl-mc: uevent" is "$(cat "$bed$FM/dpni.1/uevent" | tr '\n' ';')" \
	"DRIVER=fsl_dpaa2_eth;MODALIAS=fsl-mc:v00001957ddpni;"
check "fsl-mc: objects share their container's IOMMU group" is \
	"$(readlink "$bed$FM/dpbp.1/iommu_group")" ../../../../../../../kernel/iommu_groups/21
check "fsl-mc: override unset reads (null)" is "$(cat "$bed$FM/dpni.1/driver_override")" "(null)"
check "fsl-mc: host drivers built in" is "$(fstate dprc.1 dprc.2 dpni.1 dpbp.1 dpmcp.1)" \
	"dprc.1=fsl_mc_dprc/(null) dprc.2=fsl_mc_dprc/(null) dpni.1=fsl_dpaa2_eth/(null) dpbp.1=fsl_mc_allocator/(null) dpmcp.1=fsl_mc_allocator/(null) "
check "fsl-mc: unbind a container" tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind dprc.2
check "fsl-mc: its objects are removed (dprc_remove_devices)" is "$(fstate dprc.2 dpni.1 dpbp.1 dpmcp.1)" \
	"dprc.2=-/(null) dpni.1=absent dpbp.1=absent dpmcp.1=absent "
check "fsl-mc: ... and their bus links" test ! -e "$bed$FM/dpni.1" -a ! -L "$bed$FM/dpmcp.1"
check "fsl-mc: ... and group entries" test ! -L "$bed/sys/kernel/iommu_groups/21/devices/dpbp.1"
check "fsl-mc: removal events" is "$(tr '\n' ';' <"$bed/testbed/log")" \
	"unbind dprc.2 fsl_mc_dprc;unbind dpni.1 fsl_dpaa2_eth;remove dpni.1;unbind dpbp.1 fsl_mc_allocator;remove dpbp.1;unbind dpmcp.1 fsl_mc_allocator;remove dpmcp.1;"
check "fsl-mc: modprobe vfio_fsl_mc" tb modprobe vfio_fsl_mc
check "fsl-mc: vfio-fsl-mc has no table: takes nothing on load" is "$(fdrv dprc.2)" -
check "fsl-mc: sys/module drivers link" test -L "$bed/sys/module/vfio_fsl_mc/drivers/fsl-mc:vfio-fsl-mc"
: >"$bed/testbed/log"
check "fsl-mc: override the container + drivers_probe" sh_tb \
	"echo vfio-fsl-mc > $FM/dprc.2/driver_override && echo dprc.2 > /sys/bus/fsl-mc/drivers_probe"
check "fsl-mc: container and all its objects on vfio-fsl-mc, overrides set" \
	is "$(fstate dprc.2 dpni.1 dpbp.1 dpmcp.1)" \
	"dprc.2=vfio-fsl-mc/vfio-fsl-mc dpni.1=vfio-fsl-mc/vfio-fsl-mc dpbp.1=vfio-fsl-mc/vfio-fsl-mc dpmcp.1=vfio-fsl-mc/vfio-fsl-mc "
check "fsl-mc: scan events (dprc_scan_container)" is "$(tr '\n' ';' <"$bed/testbed/log")" \
	"driver_override dprc.2 vfio-fsl-mc;bind dprc.2 vfio-fsl-mc;add dpni.1;bind dpni.1 vfio-fsl-mc;add dpbp.1;bind dpbp.1 vfio-fsl-mc;add dpmcp.1;bind dpmcp.1 vfio-fsl-mc;"
check "fsl-mc: re-added objects have their group" test -L "$bed/sys/kernel/iommu_groups/21/devices/dpni.1"
check "fsl-mc: clear overrides, unbind the container, drivers_probe" sh_tb \
	"for d in dprc.2 dpni.1 dpbp.1 dpmcp.1; do echo > $FM/\$d/driver_override; done &&
	 echo dprc.2 > /sys/bus/fsl-mc/drivers/vfio-fsl-mc/unbind && echo dprc.2 > /sys/bus/fsl-mc/drivers_probe"
check "fsl-mc: everything back on the host drivers" is "$(fstate dprc.2 dpni.1 dpbp.1 dpmcp.1)" \
	"dprc.2=fsl_mc_dprc/(null) dpni.1=fsl_dpaa2_eth/(null) dpbp.1=fsl_mc_allocator/(null) dpmcp.1=fsl_mc_allocator/(null) "
sh_tb "echo vfio-fsl-mc > $FM/dpni.1/driver_override && echo dpni.1 > $FM/dpni.1/driver/unbind"
expect_err "fsl-mc: an object alone to vfio-fsl-mc: ENODEV (container not on vfio-fsl-mc)" "No such device" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/vfio-fsl-mc/bind dpni.1
check "fsl-mc: ... refusal logged" logged "probe-failed dpni.1 vfio-fsl-mc ENODEV"
expect_err "fsl-mc: bind without a match: ENODEV" "No such device" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_allocator/bind dpni.1
expect_err "fsl-mc: bind a bound object: EBUSY" "Device or resource busy" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/bind dprc.2
expect_err "fsl-mc: unbind from a driver it is not on: ENODEV" "No such device" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind dpbp.1
sh_tb "echo > $FM/dpni.1/driver_override && echo dpni.1 > /sys/bus/fsl-mc/drivers_probe"
check "fsl-mc: override cleared, drivers_probe: host driver by type" is "$(fdrv dpni.1)" fsl_dpaa2_eth
check "fsl-mc: unbind the root container: everything below goes" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind dprc.1
check "fsl-mc: ... recursively" is "$(ls "$bed$FM" | tr '\n' ' ')" "dprc.1 "
check "fsl-mc: bind it again: everything below comes back" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/bind dprc.1
check "fsl-mc: ... on the host drivers" is "$(fstate dprc.2 dpni.1 dpio.1)" \
	"dprc.2=fsl_mc_dprc/(null) dpni.1=fsl_dpaa2_eth/(null) dpio.1=fsl_mc_dpio/(null) "
echo EAGAIN >"$bed/faults/unbind/dprc.2"
expect_err "fsl-mc: fault unbind" "Resource temporarily unavailable" \
	tb "$out/udev-probe" write /sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind dprc.2
check "fsl-mc: ... objects stay" is "$(fstate dpni.1)" "dpni.1=fsl_dpaa2_eth/(null) "
rm "$bed/faults/unbind/dprc.2"
echo "fsl_mc_allocator EPERM" >"$bed/faults/probe/dpmcp.1"
sh_tb "echo dprc.2 > /sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind && echo dprc.2 > /sys/bus/fsl-mc/drivers_probe"
check "fsl-mc: fault probe: the re-added object stays unbound" is "$(fstate dpmcp.1 dpbp.1)" \
	"dpmcp.1=-/(null) dpbp.1=fsl_mc_allocator/(null) "
check "fsl-mc: modprobe -r vfio_fsl_mc" tb modprobe -r vfio_fsl_mc
check "fsl-mc: dump lines" is "$("$here/dump" "$bed" | grep -c '^device dp')" 6

CX=/sys/bus/cdx/devices
cdrv() { local l; l=$(readlink "$bed$CX/$1/driver") && echo "${l##*/}" || echo -; }
check "cdx: device below the controller" is "$(tb realpath $CX/cdx-00:00)" \
	/sys/devices/platform/cdx-controller.0/cdx-00/cdx-00:00
check "cdx: modalias (cdx_uevent format)" is "$(cat "$bed$CX/cdx-00:00/modalias")" \
	cdx:v10EEd8084sv10EEsd0001c000000
check "cdx: attributes" is "$(cd "$bed$CX/cdx-00:01" && cat vendor device subsystem_vendor subsystem_device class | tr '\n' ' ')" \
	"0x10ee 0x8084 0x10ee 0x0002 0x020000 "
check "cdx: modpost aliases" is "$(tb modinfo -F alias vfio_cdx cdx_host | tr '\n' ' ')" \
	"vfio_cdx:v*d*sv*sd*c* cdx:v10EEd8084sv*sd*c* "
check "cdx: libkmod finds vfio_cdx for vfio_ + modalias" is \
	"$(tb "$out/udev-probe" lookup "vfio_$(cat "$bed$CX/cdx-00:01/modalias")")" "vfio_cdx -"
check "cdx: ... and the host module for the modalias" is \
	"$(tb "$out/udev-probe" lookup "$(cat "$bed$CX/cdx-00:01/modalias")")" "cdx_host live"
check "cdx: modprobe vfio_cdx" tb modprobe vfio_cdx
check "cdx: override-only: no override, vfio-cdx takes nothing on load" is "$(cdrv cdx-00:01)" -
sh_tb "echo cdx-00:00 > /sys/bus/cdx/drivers/cdx_host/unbind && echo cdx-00:00 > /sys/bus/cdx/drivers_probe"
check "cdx: no override: drivers_probe gives the host driver" is "$(cdrv cdx-00:00)" cdx_host
expect_err "cdx: no override: bind to vfio-cdx is ENODEV" "No such device" \
	tb "$out/udev-probe" write /sys/bus/cdx/drivers/vfio-cdx/bind cdx-00:01
check "cdx: override + unbind + drivers_probe" sh_tb \
	"echo vfio-cdx > $CX/cdx-00:00/driver_override && echo cdx-00:00 > /sys/bus/cdx/drivers/cdx_host/unbind && echo cdx-00:00 > /sys/bus/cdx/drivers_probe"
check "cdx: ... binds vfio-cdx" is "$(cdrv cdx-00:00)" vfio-cdx
check "cdx: uevent DRIVER=" grep -qx DRIVER=vfio-cdx "$bed$CX/cdx-00:00/uevent"
tb "$out/udev-probe" write $CX/cdx-00:01/driver_override vfio-cdx
check "cdx: an override naming another driver: no match (cdx_bus_match)" bash -c \
	"! '$here/run' '$bed' -- '$out/udev-probe' write /sys/bus/cdx/drivers/cdx_host/bind cdx-00:01 2>/dev/null"
check "cdx: drivers_probe with the override" tb "$out/udev-probe" write /sys/bus/cdx/drivers_probe cdx-00:01
check "cdx: ... vfio-cdx" is "$(cdrv cdx-00:01)" vfio-cdx
tb "$out/udev-probe" write $CX/cdx-01:00/driver_override vfio-cdx
expect_err "cdx: no IOMMU group: vfio-cdx refuses (EINVAL)" "Invalid argument" \
	tb "$out/udev-probe" write /sys/bus/cdx/drivers/vfio-cdx/bind cdx-01:00
check "cdx: ... logged" logged "probe-failed cdx-01:00 vfio-cdx EINVAL"
check "cdx: unload unbinds" bash -c "'$here/run' '$bed' -- modprobe -r vfio_cdx && [ ! -e '$bed$CX/cdx-00:00/driver' ]"
check "cdx: dump line" grep -qx "device cdx-00:01 driver=- override=vfio-cdx" <("$here/dump" "$bed")

# ---------------------------------------------------------------- crashes
# A SIGKILL in the middle of a store leaves the bed as before the store (the kernel's
# stores are atomic); the next process under the preload rolls the dead one's store back.
mk "$here/hosts/demo.host"
P=/sys/bus/pci/devices
# crash KNOB CMD...: CMD under the preload with KNOB (VAR=VALUE) must die of SIGKILL (137);
# then a process of the bed's (true) runs.
crash() {
	local knob=$1 rc; shift
	rc=$({ env "$knob" "$here/run" "$bed" -- "$@" >/dev/null 2>&1; echo $?; } 2>/dev/null)
	[ "$rc" = 137 ] || ko "crash $knob $*: exit status $rc, not killed"
	tb true
}
# bound ADDR DRV yes|no: the device's driver link, the driver's link to it and uevent's
# DRIVER= all say bound to DRV, or none does
bound() {
	local n=0
	[ "$(drv "$1")" = "$2" ] && n=$((n + 1))
	[ -L "$bed/sys/bus/pci/drivers/$2/$1" ] && n=$((n + 1))
	grep -qx "DRIVER=$2" "$bed$P/$1/uevent" && n=$((n + 1))
	if [ "$3" = yes ]; then is "$n of 3" "3 of 3"; else is "$n of 3" "0 of 3"; fi
}
crash TESTBED_KILL_IN_WRITE=0000:02:00.0/driver_override "$out/udev-probe" write $P/0000:02:00.0/driver_override vfio-pci
check "crash: torn driver_override store: the old value stays" is "$(cat "$bed$P/0000:02:00.0/driver_override")" "(null)"
(TESTBED_KILL_AFTER_EVENT=1 tb "$out/udev-probe" write $P/0000:02:00.0/driver_override vfio-pci) >/dev/null 2>&1
check "crash: dump rolls a dead process's store back first" \
	grep -qx "device 0000:02:00.0 driver=nvidia override=-" <("$here/dump" "$bed")
check "crash: a store rolled back leaves no event line" is "$(grep -c 'driver_override 0000:02:00.0' "$bed/testbed/log")" 0
crash TESTBED_KILL_AFTER_EVENT=3 modprobe vfio_pci
check "crash: module load: no half-made /sys/module" test ! -e "$bed/sys/module/vfio_pci"
check "crash: module load: not in /proc/modules" is "$(grep -c '^vfio_pci ' "$bed/proc/modules")" 0
check "crash: module load: dependencies' holders and refcnt" is \
	"$(ls "$bed/sys/module/vfio/holders" | tr '\n' ' ')$(cat "$bed/sys/module/vfio/refcnt")" "vfio_pci_core 1"
check "crash: module load: the modules loaded before the crash stay" grep -q '^vfio_pci_core ' "$bed/proc/modules"
check "crash: module load: a load after it converges" tb modprobe vfio_pci
check "crash: module load: ... and registers the driver" test -f "$bed/sys/bus/pci/drivers/vfio-pci/bind"
before=$(cat "$bed/proc/modules")
# killed in the store, then killed again in the rollback: the third process finishes it
(TESTBED_KILL_IN_WRITE=/proc/modules tb modprobe -r e1000e) >/dev/null 2>&1
check "crash: a dead process's journal is left" test -d "$bed/testbed/journal"
crash TESTBED_KILL_IN_ROLLBACK=3 true
check "crash: rollback done: no journal left" test ! -e "$bed/testbed/journal" -a ! -e "$bed/testbed/journal.done"
check "crash: torn /proc/modules: all its lines stay" is "$(cat "$bed/proc/modules")" "$before"
check "crash: unload rolled back: e1000e live, its NIC bound" is "$(cat "$bed/sys/module/e1000e/initstate") $(drv 0000:00:19.0)" "live e1000e"
check "crash: unload rolled back: the NIC's children back" test -e "$bed/sys/class/net/eno1"
crash TESTBED_KILL_IN_WRITE=0000:02:00.1/uevent "$out/udev-probe" write /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:02:00.1
check "crash: unbind: links and uevent agree (still bound)" bound 0000:02:00.1 snd_hda_intel yes
tb "$out/udev-probe" write /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:02:00.1
crash TESTBED_KILL_IN_WRITE=0000:02:00.1/uevent "$out/udev-probe" write /sys/bus/pci/drivers/snd_hda_intel/bind 0000:02:00.1
check "crash: bind: links and uevent agree (still unbound)" bound 0000:02:00.1 snd_hda_intel no
crash TESTBED_KILL_AFTER_EVENT=2 "$out/udev-probe" write $P/0000:5e:00.0/sriov_numvfs 0
check "crash: VFs going: sriov_numvfs, virtfn links and VFs agree" is \
	"$(numvfs 0000:5e:00.0) $(nlinks 0000:5e:00.0) $(ls -d "$bed$P"/0000:5e:00.[12] | wc -l)" "2 2 2"
tb "$out/udev-probe" write $P/0000:5e:00.0/sriov_numvfs 0
crash TESTBED_KILL_AFTER_EVENT=2 "$out/udev-probe" write $P/0000:5e:00.0/sriov_numvfs 2
check "crash: VFs coming: none half made" is \
	"$(numvfs 0000:5e:00.0) $(nlinks 0000:5e:00.0) $(ls -d "$bed$P"/0000:5e:00.[12] 2>/dev/null | wc -l)" "0 0 0"
check "crash: VFs coming: a write after it converges" tb "$out/udev-probe" write $P/0000:5e:00.0/sriov_numvfs 2
check "crash: ... two VFs" is "$(numvfs 0000:5e:00.0) $(nlinks 0000:5e:00.0)" "2 2"

# reset_method (reset_method_store): supported methods only, "default" restores them all
printf 'device 0000:01:00.0 id=8086:10d3 class=020000 reset=flr,pm,bus\ndevice 0000:02:00.0 id=8086:10d3 class=020000\n' >"$work/reset.host"
mk "$work/reset.host"
rm_attr=/sys/bus/pci/devices/0000:01:00.0/reset_method
check "reset_method: lists the supported methods" is "$(cat "$bed$rm_attr")" "flr pm bus"
check "reset_method: absent on a device without reset" test ! -e "$bed/sys/bus/pci/devices/0000:02:00.0/reset_method"
check "reset_method: a list in the order given" tb "$out/udev-probe" write $rm_attr "bus flr"
check "reset_method: ... stored" is "$(cat "$bed$rm_attr")" "bus flr"
expect_err "reset_method: an unsupported method is EINVAL" "write $rm_attr: Invalid argument" \
	tb "$out/udev-probe" write $rm_attr "bus acpi"
check "reset_method: ... and changes nothing" is "$(cat "$bed$rm_attr")" "bus flr"
check "reset_method: default" tb "$out/udev-probe" write $rm_attr default
check "reset_method: ... every supported method back" is "$(cat "$bed$rm_attr")" "flr pm bus"

# description errors
for line in "fslmc dpni.1" "fslmc dprc.1;fslmc dpni.1 parent=dprc.9" "fslmc dprc.1;fslmc dpni.1 parent=dprc.1;fslmc dpbp.1 parent=dpni.1" \
	"fslmc dprc.1;fslmc dpni.1 parent=dprc.1 driver=x" "fslmc DPNI.1" "cdx cdx-0:0 id=10ee:8084" "cdx cdx-00:0A id=10ee:8084" \
	"cdx cdx-00:00" "module m driver=d bus=fsl-mc ids=1:2"; do
	tr ';' '\n' <<<"$line" >"$work/bad.host"
	check "bad description: $line" bash -c "! '$here/mkbed' '$work/bad.host' '$work/badbed' 2>/dev/null"
done
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
