#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/itools.sh -- suite "vm-itools": the project's initramfs-tools hook and boot script,
# in images built by Debian's own mkinitramfs (initramfs-tools-core) from the installed
# package's files, booted with Debian's kernel under QEMU/TCG.
#
# mkinitramfs takes a package's hooks and scripts only from /usr/share/initramfs-tools, modules
# only from /lib/modules/VER, and wants /boot/config-VER; the hook reads /etc/vfio-bind.yaml.
# Each image is built in a private mount namespace (unshare -m): read-only overlays put the
# package's files over /usr and the test's configuration over /etc, and bind mounts put the test
# module tree on /lib/modules/VER and the unpacked kernel's /boot on /boot. The suite checks
# that this machine's own root is the same afterwards. The test report (a hook and an
# init-premount script from tests/vm/initramfs-tools/) comes from mkinitramfs's own
# configuration directory (-d), which also says MODULES=list with e1000e.
#
#   addr     config: address 0000:00:02.0, debian tree
#   off      the addr image booted with vfio-bind=0
#   root     the addr image booted on to a real root (its own files on an ext4 disk)
#   id       config: id 8086:10d3, debian tree
#   variant  config: address 0000:00:02.0 + id 8086:10d3, tree with vbt_e1000e_vfio_pci
#   broken   config with a YAML syntax error
#   noconf   the package, no config: booted with rd.vfio-bind.devices=
#   none     no package, no config: the size baseline
#
# Environment: VM_ONLY (scenarios, default all). Prints "# ..." figures (bytes the hook adds,
# the early run's time), one line per check, "N passed, M failed" last; exit 1 on a failure.

# Checks are functions or eval strings called through check():
# shellcheck disable=SC2016,SC2317
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

t_suite=$(now)
VM_CACHE=${VM_CACHE:-$repo/tests/.cache/vm}
out=$VM_CACHE/itools
pkgroot=$out/pkg
mkdir -p "$out"
: > "$out/early-runs"

want() { # want SCENARIO: in VM_ONLY (default all)
	[ -z "${VM_ONLY:-}" ] && return 0
	case " $VM_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

if ! command -v mkinitramfs > /dev/null || ! [ -f /usr/share/initramfs-tools/hook-functions ]; then
	bad "no mkinitramfs: install initramfs-tools-core (tests/install-deps.sh)"
	finish
fi

# --- the package's files: the .deb built from this tree (tests/packages/build-deb.sh), unpacked
rm -rf "$pkgroot"
if deb=$("$repo/tests/packages/build-deb.sh" 2> "$out/install.log") && dpkg -x "$deb" "$pkgroot" 2>> "$out/install.log"; then
	# as dpkg unpacks into a merged-/usr root (Debian 12): /lib is /usr/lib, and only /usr is
	# laid over the build's root below
	vm_usrmerge "$pkgroot"
	ok "package files: dpkg -x $(basename "$deb")"
else
	bad "building or unpacking the .deb failed: $(tail -n 3 "$out/install.log")"
	finish
fi
pkg_ok() {
	local hook=$pkgroot/usr/share/initramfs-tools/hooks/vfio-bind
	local script=$pkgroot/usr/share/initramfs-tools/scripts/init-top/00-vfio-bind
	[ -x "$hook" ] && [ -x "$script" ] && ! grep -q "@[A-Z]*@" "$hook" "$script"
}
check "package has the hook and the init-top script, executable, @SBINDIR@ replaced" pkg_ok

if ! vm_setup; then
	bad "vm_setup"
	finish
fi
echo "# kernel $VM_KVER ($VM_KERNEL), $(dpkg-query -W -f='initramfs-tools-core ${Version}' initramfs-tools-core)"

# What of this machine's root the builds could touch: listed before and compared after.
host_state() {
	local f
	for f in /usr/share/initramfs-tools/hooks/vfio-bind /usr/share/initramfs-tools/scripts/init-top/00-vfio-bind \
		/usr/sbin/vfio-bind /etc/vfio-bind.yaml /etc/vfio-bind.d "/usr/lib/modules/$VM_KVER/kernel"; do
		[ -e "$f" ] && echo "present $f"
	done
	ls -la --time-style=full-iso /boot "/usr/lib/modules/$VM_KVER" /etc/initramfs-tools 2>&1
	find /usr/share/initramfs-tools /etc/initramfs-tools -printf '%p %s %T@\n' | sort | sha256sum
	ls -d /var/tmp/mkinitramfs* 2>/dev/null
}
host_state > "$out/host.before"
check "before: this machine has no vfio-bind hook, binary nor configuration" \
	eval '! grep -q "^present" "$out/host.before"'

config_addr='version: 1
devices:
  - address: "0000:00:02.0"
'

# mkimg NAME TREE CONFIG|none PKG(yes|no) [modules...]: $out/NAME.img by mkinitramfs (lib.sh)
mkimg() {
	local name=$1 tree=$2 config=$3 pkg=$4 root=none
	shift 4
	[ "$pkg" = yes ] && root=$pkgroot
	vm_mkinitramfs "$out" "$name" "$tree" "$config" "$root" "$@" && return 0
	bad "$name: $VM_MKINITRAMFS_ERROR"
	return 1
}

in_list() { grep -Eq -- "$2" "$out/$1.list"; } # in_list NAME REGEX
# order_ok NAME: in init-top's ORDER, vfio-bind's script runs before udev's
order_ok() {
	local o=$out/$1.x/scripts/init-top/ORDER a u
	a=$(grep -n '^/scripts/init-top/00-vfio-bind ' "$o" | cut -d: -f1)
	u=$(grep -n '^/scripts/init-top/udev ' "$o" | cut -d: -f1)
	[ -n "$a" ] && [ -n "$u" ] && [ "$a" -lt "$u" ]
}
# bytes_of DIR [LIST]: uncompressed bytes of the files (all, or those in LIST)
bytes_of() {
	if [ $# -eq 2 ]; then
		(cd "$1" && xargs -d '\n' -r stat -c %s < "$2") | awk '{ s += $1 } END { print s + 0 }'
	else
		find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
	fi
}
# cpio_bytes IMG: the image's cpio archive, uncompressed (mkinitramfs: one zstd stream here)
cpio_bytes() { zstd -dc "$1" | wc -c; }

# --- addr and none: what the hook puts in, what it adds
if want addr || want off || want size; then
	if mkimg addr debian "$config_addr" yes && mkimg none debian none no; then
		check "addr: the build log shows the hook ran (Calling hook vfio-bind), no warning" \
			eval 'grep -q "^Calling hook vfio-bind" "$out/addr.build.log" && ! grep -q "W: vfio-bind" "$out/addr.build.log"'
		# the package's initramfs copy, not the tool: libyaml and json-c are linked into it
		check "addr: image has the binary (the initramfs copy: no libyaml nor libjson-c), the configuration, the rule" \
			eval 'in_list addr "^usr/sbin/vfio-bind$" && ! in_list addr "/libyaml-0" && ! in_list addr "/libjson-c" &&
				grep -qa "is not in the initramfs copy" "$out/addr.x/usr/sbin/vfio-bind" &&
				in_list addr "^etc/vfio-bind.yaml$" && in_list addr "^usr/lib/udev/rules.d/70-vfio-bind.rules$"'
		check "addr: image has the init-top script and vfio_pci, vfio_iommu_type1, vfio" \
			eval 'in_list addr "^scripts/init-top/00-vfio-bind$" && in_list addr "/vfio-pci.ko$" &&
				in_list addr "/vfio_iommu_type1.ko$" && in_list addr "/vfio.ko$"'
		check "addr: init-top's ORDER runs 00-vfio-bind before udev ($(grep -o 'init-top/[^ ]*' "$out/addr.x/scripts/init-top/ORDER" | tr '\n' ' '))" \
			order_ok addr
		check "addr: the image's /init moves /run to the real root (the copy reaches status)" \
			grep -q 'mount -n -o move /run \${rootmnt}/run' "$out/addr.x/init"
		# doctor reads what mkinitramfs built (zstd): all there, for the configuration it holds
		row=$(vm_doctor_row "$pkgroot/usr/sbin/vfio-bind" "$out/addr.img" "$config_addr" initramfs)
		check "addr: doctor --initramfs reads mkinitramfs's image: binary, configuration, rule, modules ($row)" \
			eval '[ "$row" = "ok|$out/addr.img (kernel $VM_KVER; zstd cpio): the binary, the configuration as on disk, the rule, the modules" ]'
		check "none: without the package, no vfio-bind file and no vfio module" \
			eval '! in_list none "vfio"'
		u1=$(cpio_bytes "$out/addr.img")
		u0=$(cpio_bytes "$out/none.img")
		c1=$(stat -c %s "$out/addr.img")
		c0=$(stat -c %s "$out/none.img")
		comm -23 "$out/addr.list" "$out/none.list" > "$out/added.list"
		grep -v '^usr/lib/modules/' "$out/added.list" > "$out/added-files.list"
		fb=$(bytes_of "$out/addr.x" "$out/added-files.list")
		mb=$(bytes_of "$out/addr.x/usr/lib/modules")
		mb0=$(bytes_of "$out/none.x/usr/lib/modules")
		# the added files other than kernel modules, compressed alone as mkinitramfs does
		fz=$(cd "$out/addr.x" && cpio -o -H newc --quiet < "$out/added-files.list" | zstd -q -9 | wc -c)
		echo "# size: image $c1 bytes with the hook, $c0 without: +$((c1 - c0)) bytes (+$(((c1 - c0) / 1024)) KiB) in mkinitramfs's zstd -9;" \
			"uncompressed cpio $u1 / $u0: +$((u1 - u0)) bytes (+$(((u1 - u0) / 1024)) KiB): kernel modules +$(((mb - mb0) / 1024)) KiB," \
			"other files $((fb / 1024)) KiB ($((fz / 1024)) KiB zstd -9 alone)"
		echo "# size: added: $(grep -v '/$' "$out/added.list" | sed 's|.*/||' | sort -u | tr '\n' ' ')"
		check "the hook adds < 300 KiB compressed ($(((c1 - c0) / 1024)) KiB), files other than modules < 200 KiB ($((fz / 1024)) KiB)" \
			eval '[ "$c1" -gt "$c0" ] && [ $((c1 - c0)) -lt $((300 * 1024)) ] && [ "$fz" -gt 0 ] && [ "$fz" -lt $((200 * 1024)) ]'
	fi
fi

# --- 1. address: the selected twin on vfio-pci, e1000e never probed it
if want addr && [ -s "$out/addr.img" ]; then
	boot itools addr "$out/addr.img"
	check "addr: 0000:00:02.0 on vfio-pci, override vfio-pci" \
		[ "$(drv "$LOG" 0000:00:02.0)/$(ovr "$LOG" 0000:00:02.0)" = vfio-pci/vfio-pci ]
	check "addr: its twin 0000:00:03.0 on e1000e" [ "$(drv "$LOG" 0000:00:03.0)" = e1000e ]
	check "addr: no 'e1000e 0000:00:02.0' kernel line at all; 'e1000e 0000:00:03.0 ethN:' present" \
		eval 'lacks "$LOG.kmsg" "e1000e 0000:00:02.0" && has "$LOG.kmsg" "e1000e 0000:00:03.0 eth[0-9]+: "'
	check "addr: kernel log: starting in the initramfs, bound to vfio-pci, 1 bound, 0 failed" \
		eval 'has "$LOG.kmsg" "vfio-bind: early run starting in the initramfs$" &&
			has "$LOG.kmsg" "vfio-bind: 0000:00:02.0: bound to vfio-pci$" &&
			has "$LOG.kmsg" "vfio-bind: early run done in .* 1 bound, 0 failed$"'
	t_done=$(kmsg_time "$LOG" 'vfio-bind: early run done')
	t_e1000e=$(kmsg_time "$LOG" 'e1000e 0000:00:03.0')
	check "addr: the early run ended ($t_done s) before e1000e's first probe ($t_e1000e s)" \
		awk -v a="${t_done:-99999}" -v b="${t_e1000e:-0}" 'BEGIN { exit !(a < b) }'
	check "addr: /run/vfio-bind/initramfs/vfio-bind.yaml is the image's configuration, for status" \
		eval 'tr -d "\r" < "$LOG" | grep -q "^VMRUNCOPY same /run/vfio-bind/initramfs/vfio-bind.yaml$"'
	early_run itools-addr "$LOG"
fi

# --- 6. a real root: /init moves /run there; status reads the early run's copy and notes an
# edit of /etc/vfio-bind.yaml with the rebuild command. The root is the addr image's own files
# on an ext4 disk, with tests/vm/initramfs-tools/realroot-init as /sbin/init.
root_ok() { tr -d '\r' < "$LOG" | grep -q -- "^VMROOT $1"; }
if want root && [ -s "$out/addr.img" ]; then
	r=$out/root.d
	rm -rf "$r" "$out/root.img"
	cp -a "$out/addr.x" "$r"
	# not an initramfs any more: without initramfs-tools' files, as a real root
	rm -rf "$r/init" "$r/conf" "$r/scripts"
	mkdir -p "$r/dev" "$r/proc" "$r/sys" "$r/run" "$r/tmp" "$r/root"
	rm -f "$r/usr/sbin/init" # busybox's link: cp would write through it
	cp "$here/initramfs-tools/realroot-init" "$r/usr/sbin/init"
	: > "$r/usr/sbin/update-initramfs" # what status looks for to name the rebuild command
	if mke2fs -q -t ext4 -d "$r" -L vbtroot "$out/root.img" 64M; then
		boot itools root "$out/addr.img" "root=/dev/vda rw vbt.realroot" \
			"-drive file=$out/root.img,if=virtio,format=raw"
		check "root: the real root's init ran, 0000:00:02.0 still on vfio-pci" \
			eval 'root_ok init && [ "$(drv "$LOG" 0000:00:02.0)" = vfio-pci ]'
		check "root: /run/vfio-bind/initramfs/vfio-bind.yaml reached the real root" root_ok "run-copy vfio-bind.yaml$"
		check "root: status in sync, no note" root_ok "status rc=0 note=0$"
		check "root: after an edit, status notes it: '$(tr -d '\r' < "$LOG" | grep -m1 -o "note: .*" | cut -c1-100)...'" \
			root_ok "edited .*note: the initramfs .*\(/etc/vfio-bind.yaml changed\).* Rebuild the initramfs with 'update-initramfs -u'"
	else
		bad "root: mke2fs failed"
	fi
fi

# --- 5a. vfio-bind=0: everything on its host driver
if want off && [ -s "$out/addr.img" ]; then
	boot itools off "$out/addr.img" "vfio-bind=0"
	check "off: both NICs on e1000e, override unset" \
		[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)/$(ovr "$LOG" 0000:00:02.0)" = "e1000e/e1000e/(null)" ]
	check "off: kernel log says it is disabled, nothing bound" \
		eval 'has "$LOG.kmsg" "vfio-bind: disabled on the kernel command line" && lacks "$LOG.kmsg" "bound to"'
fi

# --- 2. vendor:device: both NICs go
if want id && mkimg id debian "$config_id" yes; then
	boot itools id "$out/id.img"
	check "id: both NICs on vfio-pci" \
		[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = vfio-pci/vfio-pci ]
	check "id: e1000e probed neither; kernel log: 2 bound, 0 failed" \
		eval 'lacks "$LOG.kmsg" "e1000e 0000:" && kmsg "$LOG" "early run done in .* 2 bound, 0 failed$"'
	early_run itools-id "$LOG"
fi

# --- 3. variant driver: resolution picks vbt_e1000e_vfio_pci, and it binds. 'vfio-bind modules'
# runs on the build host, whose devices are not the VM's: the hook finds the variant by the
# entry's id in the tree mkinitramfs builds from ($MODULESDIR), with no module named by hand.
if want variant && mkimg variant variants "$config_variant" yes; then
	check "variant: image has vbt-e1000e-vfio-pci.ko (found by 'modules --moddir' from the id)" \
		in_list variant '/vbt-e1000e-vfio-pci.ko$'
	boot itools variant "$out/variant.img"
	check "variant: 0000:00:02.0 on vbt_e1000e_vfio_pci (driver link), override too" \
		[ "$(drv "$LOG" 0000:00:02.0)/$(ovr "$LOG" 0000:00:02.0)" = vbt_e1000e_vfio_pci/vbt_e1000e_vfio_pci ]
	check "variant: twin on e1000e, e1000e never probed 0000:00:02.0" \
		eval '[ "$(drv "$LOG" 0000:00:03.0)" = e1000e ] && lacks "$LOG.kmsg" "e1000e 0000:00:02.0"'
	early_run itools-variant "$LOG"
fi

# --- 5b. a broken configuration: mkinitramfs warns and succeeds, the boot goes on
if want broken && mkimg broken debian "$config_broken" yes; then
	check "broken: mkinitramfs succeeded with the hook's warning" \
		grep -q "W: vfio-bind: the configuration has errors" "$out/broken.build.log"
	check "broken: the build log names the error with file:line:col" \
		grep -Eq "/etc/vfio-bind.yaml:[0-9]+:[0-9]+: " "$out/broken.build.log"
	boot itools broken "$out/broken.img"
	check "broken: both NICs on e1000e" \
		[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = e1000e/e1000e ]
	check "broken: kernel log: '$(vm_dmesg "$LOG" | grep -m1 -o 'vfio-bind: /etc/vfio-bind.yaml:[0-9]*:[0-9]*: .*' | cut -c1-80)'" \
		kmsg "$LOG" 'vfio-bind: /etc/vfio-bind.yaml:[0-9]+:[0-9]+: '
	check "broken: early run ends with 'configuration error, nothing bound'" \
		kmsg "$LOG" 'vfio-bind: early run done in .*configuration error, nothing bound'
fi

# --- without a configuration the hook adds nothing; the script says so when asked for devices
if want noconf && mkimg noconf debian none yes; then
	check "noconf: the image has the init-top script but no vfio-bind binary nor vfio module" \
		eval 'in_list noconf "^scripts/init-top/00-vfio-bind$" && ! in_list noconf "^usr/sbin/vfio-bind$" && ! in_list noconf "/vfio"'
	boot itools noconf "$out/noconf.img" "rd.vfio-bind.devices=0000:00:02.0"
	check "noconf: rd.vfio-bind.devices= given: both NICs on e1000e, the kernel log says why" \
		eval '[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = e1000e/e1000e ] &&
			kmsg "$LOG" "vfio-bind: not in this initramfs"'
fi

host_state > "$out/host.after"
check "after: this machine's root is unchanged (no hook, binary, configuration; /boot, modules, initramfs-tools dirs as before)" \
	cmp -s "$out/host.before" "$out/host.after"
if [ -s "$out/early-runs" ]; then
	echo "# early runs (kernel-log ms / own clock ms / CPU ms): $(awk '{ printf "%s %s/%s/%s; ", $1, $2, $3, $4 }' "$out/early-runs")"
fi
echo "# vm-itools suite: $(since "$t_suite") s"
finish
