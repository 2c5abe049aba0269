#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/run.sh -- suite "vm": the project's own dracut module, installed by
# its .deb (dpkg -x into $stage), in real boots of Debian's kernel under QEMU/TCG,
# for a non-systemd ("plain") and a systemd initramfs.
#
# The module takes vfio-bind's binary and configuration from VFIO_BIND_ROOT=$stage
# ($stage/usr/sbin/vfio-bind, $stage/etc/vfio-bind.yaml), as it would take them
# from / on a host; the test writes the configuration there before each build.
#
#   addr     config: address 0000:00:02.0 (+ 0000:01:00.0, absent at boot), debian tree
#   off      the addr initramfs booted with rd.vfio-bind=0
#   hotplug  the addr initramfs, held: device_add e1000e on a PCIe root port
#   id       config: id 8086:10d3, debian tree
#   variant  config: address 0000:00:02.0 + id 8086:10d3 in one entry, tree with
#            vbt_e1000e_vfio_pci given only as dracut's --kmoddir (no --add-drivers): the
#            module comes from 'vfio-bind modules --moddir', by the entry's id
#   badtree  (build only) a copy of that tree without modules.alias.bin: dracut's output
#            names the kernel and the file
#   broken   config with a YAML syntax error
#   none     no vfio-bind (size and boot-time baseline)
#
# Environment: VM_KINDS (default "plain systemd"), VM_ONLY (scenarios, default all),
# VM_BASELINE=0 skips booting the baseline. Prints "# ..." figures, one line per
# check, and "N passed, M failed" last; exit 1 on any failure.

# Checks are functions or eval strings called through check():
# shellcheck disable=SC2016,SC2317
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

t_suite=$(now)

VM_CACHE=${VM_CACHE:-$repo/tests/.cache/vm}
out=$VM_CACHE/boot
stage=$out/stage
mkdir -p "$out"

# --- the project as its package installs it: the .deb built from this tree, unpacked
rm -rf "$stage"
if deb=$("$repo/tests/packages/build-deb.sh" 2> "$out/install.log") && dpkg -x "$deb" "$stage" 2>> "$out/install.log"; then
	ok "package: dpkg -x $(basename "$deb") into $stage"
else
	bad "building or unpacking the .deb failed: $(tail -n 3 "$out/install.log")"
	finish
fi
mkdir -p "$stage/etc" # the test writes the configuration there before each build
mod=$stage/usr/lib/dracut/modules.d/55vfio-bind
# the udev rule and the unit where this Debian release puts them (/lib on bookworm)
rules=$(pkg-config --variable=udevdir udev)/rules.d
units=$(pkg-config --variable=systemdsystemunitdir systemd)
for f in usr/sbin/vfio-bind "${rules#/}/70-vfio-bind.rules" "${units#/}/vfio-bind.service" \
	usr/lib/dracut/modules.d/55vfio-bind/module-setup.sh \
	usr/lib/dracut/modules.d/55vfio-bind/vfio-bind-pre-udev.sh; do
	check "installed $f" [ -s "$stage/$f" ]
done
check "installed hook and module pass shellcheck" \
	shellcheck -S style "$mod/module-setup.sh" "$mod/vfio-bind-pre-udev.sh"
dash_ok() { dash -n "$1" && dash -n "$2"; }
check "installed hook and module pass dash -n" dash_ok "$mod/module-setup.sh" "$mod/vfio-bind-pre-udev.sh"
paths_ok() {
	! grep -rqE '@(SBINDIR|BOOTLIBDIR)@' "$1" &&
		grep -qF 'IMPORT{program}="/usr/sbin/vfio-bind udev $kernel"' "$1$rules/70-vfio-bind.rules"
}
check "installed files name /usr/sbin/vfio-bind (no @SBINDIR@ nor @BOOTLIBDIR@ left)" paths_ok "$stage"
# (the man page it names is not ours to check here). --root: ExecStart= must exist in the staged
# tree, not on this machine, where nothing is installed.
unit_ok() { ! systemd-analyze verify --root="$stage" "$1" 2>&1 | grep -v "man vfio-bind" | grep -q .; }
check "vfio-bind.service passes systemd-analyze verify" unit_ok "$stage$units/vfio-bind.service"

export VM_DRACUT_MODULES=$mod
if ! vm_setup; then
	bad "vm_setup"
	finish
fi
echo "# kernel $VM_KVER ($VM_KERNEL)"

config_addr='version: 1
devices:
  - address: "0000:00:02.0"
  - address: "0000:01:00.0"    # hot-added later: absent at boot, not "missing"
    optional: true
'

# build KIND NAME TREE CONFIG|none [dracut args]: $out/KIND-NAME.img; TREE: a tree of
# mktrees.sh (debian, variants, builtin) or a module directory. Only dracut's --kmoddir
# says which: no --add-drivers for a variant.
build() {
	local kind=$1 name=$2 tree=$3 config=$4 t img
	shift 4
	img=$out/$kind-$name.img
	rm -rf "${stage:?}/etc"
	local -a args=()
	if [ "$config" != none ]; then
		mkdir -p "$stage/etc"
		printf '%s' "$config" > "$stage/etc/vfio-bind.yaml"
		args+=(--add vfio-bind)
	fi
	case $tree in
		/*) VM_KMODDIR=$tree ;;
		*) VM_KMODDIR=$VM_KMODS/$tree/lib/modules/$VM_KVER ;;
	esac
	t=$(now)
	if VFIO_BIND_ROOT=$stage VM_DRACUT_SYSTEMD=$([ "$kind" = systemd ] && echo 1 || echo 0) \
		vm_build_initrd "$img" "${args[@]}" "$@" > "$out/$kind-$name.build.log" 2>&1; then
		echo "# $kind-$name: initramfs built in $(since "$t") s, $(stat -c %s "$img") bytes"
		return 0
	fi
	bad "$kind-$name: dracut failed: $(tail -n 3 "$out/$kind-$name.build.log")"
	return 1
}

# in_image IMG PATH-REGEX: the initramfs has a matching path
in_image() {
	cpio -it --quiet < "$1" 2> /dev/null | grep -Eq -- "$2"
}

# files_bytes IMG: bytes of everything but kernel modules
files_bytes() {
	cpio -itv --quiet < "$1" 2> /dev/null |
		awk '$9 !~ /^(usr\/)?lib\/modules\// && $1 !~ /^l/ { s += $5 } END { print s + 0 }'
}

# ctl_run TAG CMD: run CMD in the held guest; its output in $out/ctl.TAG
ctl_run() {
	local tag=$1
	shift
	vm_ctl "run echo $tag-BEGIN; $*; echo $tag-END"
	vm_wait_for "$LOG" "VMOUT $tag-END" 60 || return 1
	# A marker may follow text on its line: systemd's emergency prompt, printed on the same
	# console at any time, once stood before it and the output was lost (CI, 2026-12-06).
	tr -d '\r' < "$LOG" | sed -n "/VMOUT $tag-BEGIN/,/VMOUT $tag-END/p" | sed 's/^.*VMOUT //' > "$out/ctl.$tag"
}

# wait_driver ADDR DRIVER [TRIES]: ask for reports until ADDR is on DRIVER
wait_driver() {
	local i=0
	while [ "$i" -lt "${3:-15}" ]; do
		vm_ctl report
		sleep 2
		[ "$(drv "$LOG" "$1")" = "$2" ] && return 0
		i=$((i + 1))
	done
	return 1
}

want() { # want SCENARIO: in VM_ONLY (default all)
	[ -z "${VM_ONLY:-}" ] && return 0
	case " $VM_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

: > "$out/early-runs"
: > "$out/boot-times"
kinds=${VM_KINDS:-plain systemd}
first_kind=${kinds%% *}
for kind in $kinds; do
	echo "## $kind initramfs"

	# --- size: the same dracut run with and without the module (same drivers)
	if want addr || want off || want hotplug || want size; then
		if build "$kind" addr debian "$config_addr" && build "$kind" none debian none; then
			img=$out/$kind-addr.img
			base=$out/$kind-none.img
			list=$img.list
			cpio -it --quiet < "$img" > "$list" 2> /dev/null
			check "$kind: initramfs has the binary, the config and the rule" \
				eval 'has "$list" "^usr/sbin/vfio-bind$" && has "$list" "^etc/vfio-bind.yaml$" &&
					has "$list" "^(usr/)?lib/udev/rules.d/70-vfio-bind.rules$"'
			if [ "$kind" = systemd ]; then
				check "$kind: vfio-bind.service enabled in the initramfs (sysinit.target.wants), no pre-udev hook" \
					eval 'has "$list" "sysinit.target.wants/vfio-bind.service$" && lacks "$list" "hooks/pre-udev/.*vfio-bind"'
			else
				check "$kind: pre-udev hook in the initramfs, no unit" \
					eval 'has "$list" "lib/dracut/hooks/pre-udev/30-vfio-bind-pre-udev.sh$" && lacks "$list" "vfio-bind.service"'
			fi
			# the package's initramfs copy, not the tool: libyaml and json-c are linked into it
			check "$kind: the image's vfio-bind is the initramfs copy (vfio-bind-boot), no libyaml nor libjson-c" \
				eval 'lacks "$list" "/libyaml-0\.so" && lacks "$list" "/libjson-c\.so" &&
					cpio -i --quiet --to-stdout usr/sbin/vfio-bind < "$img" 2> /dev/null |
						grep -qa "is not in the initramfs copy"'
			check "$kind: initramfs has vfio_pci and vfio_iommu_type1" \
				eval 'has "$list" "/vfio-pci.ko$" && has "$list" "/vfio_iommu_type1.ko$"'
			# doctor reads what dracut built: the same configuration is ok, another one stale
			row=$(vm_doctor_row "$stage/usr/sbin/vfio-bind" "$img" "$config_addr" initramfs)
			check "$kind: doctor --initramfs reads dracut's image: binary, configuration, rule, modules ($row)" \
				eval '[ "$row" = "ok|$img (kernel $VM_KVER; plain cpio): the binary, the configuration as on disk, the rule, the modules" ]'
			row=$(vm_doctor_row "$stage/usr/sbin/vfio-bind" "$img" "$config_id" initramfs)
			check "$kind: doctor: the image is stale for another configuration ($row)" \
				eval 'case $row in "error|$img: stale: /etc/vfio-bind.yaml differs from the one on disk"*) true ;; *) false ;; esac'
			b1=$(stat -c %s "$img")
			b0=$(stat -c %s "$base")
			f1=$(files_bytes "$img")
			f0=$(files_bytes "$base")
			cpio -it --quiet < "$base" 2> /dev/null | sort > "$out/without.list"
			sort "$list" | comm -23 - "$out/without.list" |
				grep -v '^\(usr/\)\?lib/modules/' > "$out/$kind-added.list"
			# what the added files weigh in dracut's default compression (gzip -9)
			rm -rf "$out/$kind-added"
			mkdir -p "$out/$kind-added"
			(cd "$out/$kind-added" && cpio -id --quiet -E "$out/$kind-added.list" < "$img")
			gz=$(cd "$out/$kind-added" && find . -mindepth 1 | cpio -o -H newc --quiet | gzip -n -9 | wc -c)
			echo "# $kind: initramfs $b1 bytes with the module, $b0 without: +$(((b1 - b0) / 1024)) KiB;" \
				"files other than kernel modules +$(((f1 - f0) / 1024)) KiB, gzip -9 $((gz / 1024)) KiB"
			echo "# $kind: added: $(tr '\n' ' ' < "$out/$kind-added.list")"
			check "$kind: the module adds < 200 KiB in the initramfs as dracut compresses it by default: $((gz / 1024)) KiB (uncompressed $(((f1 - f0) / 1024)) KiB)" \
				eval '[ "$gz" -gt 0 ] && [ "$gz" -lt $((200 * 1024)) ]'
		fi
	fi

	# --- 1. address: the selected twin on vfio-pci, e1000e never probed it
	if want addr && [ -f "$out/$kind-addr.img" ]; then
		boot "$kind" addr "$out/$kind-addr.img"
		check "$kind-addr: 0000:00:02.0 on vfio-pci, override vfio-pci" \
			[ "$(drv "$LOG" 0000:00:02.0)/$(ovr "$LOG" 0000:00:02.0)" = vfio-pci/vfio-pci ]
		check "$kind-addr: its twin 0000:00:03.0 on e1000e" [ "$(drv "$LOG" 0000:00:03.0)" = e1000e ]
		check "$kind-addr: e1000e never probed 0000:00:02.0, and did probe 0000:00:03.0 (eth)" \
			eval 'lacks "$LOG.kmsg" "e1000e 0000:00:02.0" && has "$LOG.kmsg" "e1000e 0000:00:03.0 eth[0-9]+: "'
		check "$kind-addr: kernel log: 'vfio-bind: 0000:00:02.0: bound to vfio-pci', run done with 0 failed" \
			eval 'has "$LOG.kmsg" "vfio-bind: 0000:00:02.0: bound to vfio-pci$" &&
				has "$LOG.kmsg" "vfio-bind: early run done in .* 1 bound, 0 failed$"'
		t_done=$(kmsg_time "$LOG" 'vfio-bind: early run done')
		t_e1000e=$(kmsg_time "$LOG" 'e1000e 0000:00:03.0')
		check "$kind-addr: the early run ended ($t_done s) before e1000e's first probe ($t_e1000e s)" \
			awk -v a="${t_done:-99999}" -v b="${t_e1000e:-0}" 'BEGIN { exit !(a < b) }'
		early_run "$kind-addr" "$LOG"
		echo "$kind-addr $BOOT_SECONDS" >> "$out/boot-times"
	fi

	# --- 5a. rd.vfio-bind=0: everything on its host driver
	if want off && [ -f "$out/$kind-addr.img" ]; then
		boot "$kind" off "$out/$kind-addr.img" "rd.vfio-bind=0"
		check "$kind-off: both NICs on e1000e" \
			[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = e1000e/e1000e ]
		check "$kind-off: override left unset" [ "$(ovr "$LOG" 0000:00:02.0)" = "(null)" ]
		check "$kind-off: kernel log says it is disabled, nothing bound" \
			eval 'has "$LOG.kmsg" "vfio-bind: disabled on the kernel command line" && lacks "$LOG.kmsg" "bound to"'
	fi

	# --- 4. hotplug: the udev rule binds a device added after boot
	if want hotplug && [ -f "$out/$kind-addr.img" ]; then
		LOG=$out/$kind-hotplug.log
		vm_start "$out/$kind-addr.img" "$LOG" \
			"-device pcie-root-port,id=rp1,bus=pcie.0,addr=04.0,chassis=1" "vbt.hold"
		if vm_wait_for "$LOG" '^VMHOLD ready' 90; then
			ctl_run st1 "vfio-bind status > /dev/null; ls /run/vfio-bind/initramfs"
			check "$kind-hotplug: /run/vfio-bind/initramfs has the config, status has no note" \
				eval 'has "$out/ctl.st1" "^vfio-bind.yaml$" && lacks "$out/ctl.st1" "note: the initramfs"'
			# 14 error lines from one run: the kernel's ratelimit (10 a file) must not eat any
			ctl_run rl 'i=0; { echo "version: 1"; echo "devices:"; while [ $i -lt 14 ]; do echo "  - address: \"zz:$i\""; i=$((i + 1)); done; } > /tmp/bad.yaml; vfio-bind -c /tmp/bad.yaml apply --boot > /dev/null 2>&1; dmesg | grep -c "vfio-bind: /tmp/bad.yaml:"'
			check "$kind-hotplug: 14 kernel log lines from one run, none lost to the ratelimit" \
				has "$out/ctl.rl" "^14$"
			vm_monitor "device_add e1000e,id=hp0,bus=rp1,mac=52:54:00:00:00:10,romfile=" > "$out/$kind-hotplug.mon"
			check "$kind-hotplug: 0000:01:00.0 hot-added and on vfio-pci" wait_driver 0000:01:00.0 vfio-pci
			check "$kind-hotplug: override vfio-pci, twin 0000:00:02.0 still on vfio-pci" \
				[ "$(ovr "$LOG" 0000:01:00.0)/$(drv "$LOG" 0000:00:02.0)" = vfio-pci/vfio-pci ]
			ctl_run udev "udevadm info -q property -p /sys/bus/pci/devices/0000:01:00.0"
			check "$kind-hotplug: the udev rule did it: VFIO_BIND_DRIVER=vfio-pci in the udev database" \
				grep -qx VFIO_BIND_DRIVER=vfio-pci "$out/ctl.udev"
			check "$kind-hotplug: kernel log 'vfio-bind: 0000:01:00.0: bound to vfio-pci'" \
				kmsg "$LOG" 'vfio-bind: 0000:01:00.0: bound to vfio-pci$'
			if kmsg "$LOG" 'e1000e 0000:01:00.0'; then
				echo "# $kind-hotplug: e1000e (already loaded) probed 0000:01:00.0 in the kernel first; vfio-bind moved it at $(kmsg_time "$LOG" 'vfio-bind: 0000:01:00.0: bound') s"
			fi
			# The rule on another bus, with the real udev: a platform device's "add" reaches
			# 'vfio-bind udev --bus platform'. Debian's amd64 kernel has no vfio_platform, so
			# the plan refuses it and says so; the device stays where it is.
			ctl_run plat 'mkdir -p /etc/vfio-bind.d; f=/etc/vfio-bind.d/50-plat.yaml; { echo "version: 1"; echo "devices:"; echo "  - bus: platform"; echo "    name: serial8250"; echo "    driver: vfio_platform"; } > $f; chmod 600 $f; d=/sys/bus/platform/devices/serial8250; before=$(readlink $d/driver); udevadm trigger --action=add --settle $d; echo "drivers ${before##*/} $(readlink $d/driver | sed "s|.*/||") override $(cat $d/driver_override)"; dmesg | grep "vfio-bind: serial8250"; rm -f $f'
			check "$kind-hotplug: a platform device's add event runs 'vfio-bind udev --bus platform': kernel log names it" \
				grep -q "vfio-bind: serial8250: module 'vfio_platform' is not in this kernel's module tree" "$out/ctl.plat"
			check "$kind-hotplug: serial8250 keeps its driver, no override ($(tr -d '\r' < "$out/ctl.plat" | grep '^drivers'))" \
				grep -Eq '^drivers (serial8250|[a-z0-9_-]+) \1 override \(null\)' "$out/ctl.plat"
			ctl_run st2 "echo '# edited' >> /etc/vfio-bind.yaml; vfio-bind status 2>&1 > /dev/null"
			check "$kind-hotplug: status notes that the initramfs config differs from /etc" \
				grep -q "note: the initramfs .*(/etc/vfio-bind.yaml changed).* Rebuild the initramfs" "$out/ctl.st2"
			vm_ctl poweroff
			vm_wait
			rc=$?
			echo "# $kind-hotplug: held VM $VM_SECONDS s"
			check "$kind-hotplug: powered off on request (qemu status $rc)" [ "$rc" -eq 0 ]
		else
			bad "$kind-hotplug: no VMHOLD line"
			vm_kill
		fi
	fi

	# --- 2. vendor:device: both NICs go
	if want id && build "$kind" id debian "$config_id"; then
		boot "$kind" id "$out/$kind-id.img"
		check "$kind-id: both NICs on vfio-pci" \
			[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = vfio-pci/vfio-pci ]
		check "$kind-id: e1000e probed neither" lacks "$LOG.kmsg" "e1000e 0000:"
		check "$kind-id: kernel log: 2 bound, 0 failed" kmsg "$LOG" 'early run done in .* 2 bound, 0 failed$'
		early_run "$kind-id" "$LOG"
		echo "$kind-id $BOOT_SECONDS" >> "$out/boot-times"
	fi

	# --- 3. variant driver: found by 'modules' in the tree given with --kmoddir, by the
	# entry's id (no such device on the build host), then chosen at boot by modalias
	if want variant && build "$kind" variant variants "$config_variant"; then
		check "$kind-variant: dracut was not told about the variant (no --add-drivers)" \
			lacks "$out/$kind-variant.build.log" "vbt_e1000e_vfio_pci.*--add-drivers|--add-drivers.*vbt_e1000e"
		check "$kind-variant: initramfs has vbt-e1000e-vfio-pci.ko (from 'vfio-bind modules --moddir')" \
			in_image "$out/$kind-variant.img" '/vbt-e1000e-vfio-pci.ko$'
		check "$kind-variant: dracut printed no vfio-bind warning" \
			lacks "$out/$kind-variant.build.log" "vfio-bind: "
		boot "$kind" variant "$out/$kind-variant.img"
		check "$kind-variant: 0000:00:02.0 on vbt_e1000e_vfio_pci (driver link), override too" \
			[ "$(drv "$LOG" 0000:00:02.0)/$(ovr "$LOG" 0000:00:02.0)" = vbt_e1000e_vfio_pci/vbt_e1000e_vfio_pci ]
		check "$kind-variant: twin on e1000e, e1000e never probed 0000:00:02.0" \
			eval '[ "$(drv "$LOG" 0000:00:03.0)" = e1000e ] && lacks "$LOG.kmsg" "e1000e 0000:00:02.0"'
		check "$kind-variant: kernel log 'bound to vbt_e1000e_vfio_pci'" \
			kmsg "$LOG" 'vfio-bind: 0000:00:02.0: bound to vbt_e1000e_vfio_pci$'
		early_run "$kind-variant" "$LOG"
	fi

	# --- 3b. a broken module tree given with --kmoddir: dracut's output names the kernel
	# and the file vfio-bind could not read; the image still has the vfio core (build only)
	if want badtree && [ "$kind" = "$first_kind" ]; then
		bad_tree=$out/badtree/lib/modules/$VM_KVER
		rm -rf "$out/badtree"
		mkdir -p "${bad_tree%/*}"
		cp -al "$VM_KMODS/variants/lib/modules/$VM_KVER" "$bad_tree"
		rm "$bad_tree/modules.alias.bin"
		if build "$kind" badtree "$bad_tree" "$config_variant"; then
			check "$kind-badtree: dracut's output: 'cannot read the module index of kernel $VM_KVER in $bad_tree: $bad_tree/modules.alias.bin: No such file or directory'" \
				grep -qF "vfio-bind: modules: cannot read the module index of kernel $VM_KVER in $bad_tree: $bad_tree/modules.alias.bin: No such file or directory" "$out/$kind-badtree.build.log"
			check "$kind-badtree: dracut warned that the image has only the vfio core, naming the tree" \
				grep -qF "vfio-bind: 'vfio-bind modules --kver $VM_KVER --moddir $bad_tree' failed" "$out/$kind-badtree.build.log"
			check "$kind-badtree: the image has vfio_pci, not the variant" \
				eval 'in_image "$out/$kind-badtree.img" "/vfio-pci.ko$" && ! in_image "$out/$kind-badtree.img" "/vbt-e1000e-vfio-pci.ko$"'
		fi
		rm -rf "$out/badtree"
	fi

	# --- 5b. a broken configuration: the boot goes on, the kernel log says why
	if want broken && build "$kind" broken debian "$config_broken"; then
		check "$kind-broken: dracut warned about the configuration" \
			grep -q "vfio-bind: the configuration has errors" "$out/$kind-broken.build.log"
		boot "$kind" broken "$out/$kind-broken.img"
		check "$kind-broken: both NICs on e1000e" \
			[ "$(drv "$LOG" 0000:00:02.0)/$(drv "$LOG" 0000:00:03.0)" = e1000e/e1000e ]
		check "$kind-broken: kernel log names the file and line: '$(vm_dmesg "$LOG" | grep -m1 -o 'vfio-bind: /etc/vfio-bind.yaml:[0-9]*:[0-9]*: .*' | cut -c1-90)'" \
			kmsg "$LOG" 'vfio-bind: /etc/vfio-bind.yaml:[0-9]+:[0-9]+: '
		check "$kind-broken: early run ends with 'configuration error, nothing bound'" \
			kmsg "$LOG" 'vfio-bind: early run done in .*configuration error, nothing bound'
		n=$(kmsg_count "$LOG" 'vfio-bind: configuration has errors: devices that appear')
		check "$kind-broken: the udev rule logged the error once, not per device ($n)" [ "$n" = 1 ]
	fi

	# --- baseline boot without the module
	if want addr && [ "${VM_BASELINE:-1}" = 1 ] && [ -f "$out/$kind-none.img" ]; then
		boot "$kind" none "$out/$kind-none.img"
		echo "$kind-none $BOOT_SECONDS" >> "$out/boot-times"
	fi
done

check "no 'vfio-bind' kernel log lines lost to ratelimiting in any boot" \
	eval '! cat "$out"/*.log | grep -aq "vfio-bind: [0-9]* output lines suppressed"'
if [ -s "$out/early-runs" ]; then
	echo "# early runs (kernel-log ms / own clock ms / CPU ms): $(awk '{ printf "%s %s/%s/%s; ", $1, $2, $3, $4 }' "$out/early-runs")"
fi
if [ -s "$out/boot-times" ]; then
	echo "# boot to power-off: $(awk '{ printf "%s %s s; ", $1, $2 }' "$out/boot-times")"
fi
echo "# vm suite: $(since "$t_suite") s"
finish
