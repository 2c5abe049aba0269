# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/vm/lib.sh -- boot Debian's kernel with a dracut initramfs under QEMU
# (TCG) and read what the initramfs reports. Source it from a bash test.
#
#   vm_setup                               module trees, KVER, kernel (called lazily)
#   vm_build_initrd OUT [dracut args...]   dracut --no-hostonly --kver ... -> OUT
#   vm_boot INITRD LOG [qemu args] [kernel cmdline]
#                                          boot, wait for poweroff (VM_TIMEOUT s)
#   vm_report LOG ADDR FIELD               a field of the last report of ADDR
#   vm_mkinitramfs DIR NAME TREE CONFIG PKGROOT [modules...]
#                                          Debian's mkinitramfs in a private mount namespace
#                                          -> DIR/NAME.img (initramfs-tools; itools.sh, bench)
#
# Long-lived VMs (hotplug; kernel cmdline "vbt.hold"):
#   vm_start INITRD LOG [qemu args] [cmdline]   boot in the background
#   vm_wait_for LOG REGEX [SECONDS]        wait until LOG has a line matching REGEX
#   vm_ctl CMD                             send a command to the guest (ttyS1):
#                                          "report", "run SHELL-CMD", "poweroff"
#   vm_monitor CMD                         a QEMU (HMP) monitor command, prints its answer
#   vm_wait                                wait for QEMU to exit; its status
#   vm_kill                                stop QEMU (only the one vm_start started)
#
# Checks, for the suites (run.sh, itools.sh, smoke.sh, sriov.sh):
#   check DESCRIPTION COMMAND...           ok/FAIL line by COMMAND's status; ok, bad count
#   finish                                 "N passed, M failed", exit status
#   now, since T                           seconds, for timings
#   boot KIND NAME IMG [cmdline] [qemu]    vm_boot to $out/KIND-NAME.log (+ .kmsg), checks the
#                                          report ended; drv/ovr LOG ADDR, kmsg LOG REGEX,
#                                          kmsg_time, early_run (figures to $out/early-runs)
#
# Environment (all optional):
#   VM_CACHE       work dir (default tests/.cache/vm)
#   VM_KMODS       mktrees.sh output (default tests/.cache/kmods)
#   VM_TREE        debian | variants | builtin (default variants: has vbt_e1000e_vfio_pci)
#   VM_TIMEOUT     seconds before a VM is killed (default 120)
#   VM_DRACUT_MODULES   extra dracut module dirs (e.g. "$repo/dracut/59vfio-bind"),
#                  copied into a private copy of /usr/lib/dracut (dracutbasedir)
#   VM_COMPRESS    1: let dracut compress the initramfs (default: --no-compress)
#   VBT_REPORT_VIA auto | settled | unit: see dracut/59vbt-report/module-setup.sh
#
# The guest's ttyS0 (console) goes to LOG; its ttyS1 and the QEMU monitor are
# QEMU "pipe" chardevs (FIFOs NAME.in/NAME.out in the VM's run dir): plain bash
# can write and read them, no socat needed; a background cat drains each .out
# into NAME.log so QEMU never blocks on a full FIFO.

vm_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_repo=$(cd "$vm_here/../.." && pwd)

VM_CACHE=${VM_CACHE:-$vm_repo/tests/.cache/vm}
VM_KMODS=${VM_KMODS:-$vm_repo/tests/.cache/kmods}
VM_TREE=${VM_TREE:-variants}
VM_TIMEOUT=${VM_TIMEOUT:-120}
# set by vm_wait: seconds from vm_start to QEMU exit
export VM_SECONDS=

VM_BASE_CMDLINE="intel_iommu=on console=ttyS0 root=/dev/vda1 rd.retry=5 rd.timeout=20 panic=-1"
VM_BASE_DRIVERS="e1000e vfio_pci vfio_iommu_type1"

vm_log() { echo "vm: $*" >&2; }

# Module trees, KVER, kernel image, the dracut base dir copy.
vm_setup() {
	[ -n "${VM_KVER:-}" ] && return 0
	local line
	line=$("$vm_repo/tests/kmods/mktrees.sh" "$VM_KMODS") || return 1
	VM_KVER=${line#kver=}
	VM_KMODDIR=$VM_KMODS/$VM_TREE/lib/modules/$VM_KVER
	[ -d "$VM_KMODDIR" ] || { vm_log "no module tree $VM_KMODDIR"; return 1; }
	VM_KERNEL=$VM_KMODS/debian/boot/vmlinuz-$VM_KVER
	[ -r "$VM_KERNEL" ] || VM_KERNEL=/boot/vmlinuz-$VM_KVER
	[ -r "$VM_KERNEL" ] || { vm_log "no kernel image for $VM_KVER"; return 1; }
	mkdir -p "$VM_CACHE"
	vm_dracut_base || return 1
}

# A private copy of /usr/lib/dracut with the test module (and VM_DRACUT_MODULES)
# in modules.d, refreshed when any of them changes.
vm_dracut_base() {
	local base=$VM_CACHE/dracut key m
	key=$( {
		dpkg-query -W -f='${Version}' dracut-core
		for m in "$vm_here/dracut/59vbt-report" ${VM_DRACUT_MODULES:-}; do
			echo "$m"
			(cd "$m" && find . -type f -exec sha256sum {} + | sort)
		done
	} | sha256sum | cut -c1-16)
	VM_DRACUTBASE=$base
	if [ -f "$base.stamp" ] && [ "$(cat "$base.stamp")" = "$key" ]; then
		return 0
	fi
	rm -rf "$base" "$base.stamp"
	cp -a /usr/lib/dracut "$base" || return 1
	for m in "$vm_here/dracut/59vbt-report" ${VM_DRACUT_MODULES:-}; do
		cp -a "$m" "$base/modules.d/" || return 1
	done
	echo "$key" > "$base.stamp"
}

# vm_build_initrd OUT [dracut args...]
# Without "-m"/"--modules" in the args, a non-systemd initramfs. Pass
# VM_DRACUT_SYSTEMD=1 (or use vm_modules_systemd) for the systemd kind.
vm_modules_plain="base udev-rules kernel-modules rootfs-block vbt-report"
vm_modules_systemd="systemd systemd-initrd dracut-systemd base udev-rules kernel-modules rootfs-block vbt-report"

vm_build_initrd() {
	local out=$1
	shift
	vm_setup || return 1
	local mods=$vm_modules_plain a
	[ "${VM_DRACUT_SYSTEMD:-0}" = 1 ] && mods=$vm_modules_systemd
	for a in "$@"; do
		case $a in -m | --modules | --modules=*) mods= ;; esac
	done
	local tmp=$VM_CACHE/dracut-tmp
	mkdir -p "$tmp" "$(dirname "$out")"
	local args=(--force --quiet --no-hostonly --no-hostonly-cmdline --no-early-microcode
		--kver "$VM_KVER" --kmoddir "$VM_KMODDIR" --tmpdir "$tmp"
		--add-drivers "$VM_BASE_DRIVERS")
	# uncompressed: dracut 7 s instead of 26 s (zstd/gzip of 120 MB on 2 CPUs),
	# same boot time under TCG (unpacking is faster than decompressing)
	[ "${VM_COMPRESS:-0}" = 1 ] || args+=(--no-compress)
	[ -n "$mods" ] && args+=(-m "$mods")
	dracutbasedir=$VM_DRACUTBASE dracut "${args[@]}" "$@" "$out"
}

# vm_usrmerge ROOT: a root unpacked by dpkg -x as on a merged-/usr system (Debian 12): its /lib
# moved into /usr/lib and /lib made a link to it, so that laying ROOT/usr over /usr brings it all.
vm_usrmerge() {
	local root=$1
	if [ -d "$root/lib" ] && [ ! -L "$root/lib" ]; then
		mkdir -p "$root/usr/lib" && cp -a "$root/lib/." "$root/usr/lib/" &&
			rm -rf "${root:?}/lib" && ln -s usr/lib "$root/lib"
	fi
}

# vm_mkinitramfs DIR NAME TREE CONFIG|none PKGROOT|none [modules...]: DIR/NAME.img by Debian's own
# mkinitramfs (initramfs-tools-core), in a private mount namespace (unshare -m): read-only
# overlays put PKGROOT's /usr (a package unpacked by dpkg -x, vm_usrmerge'd) over /usr and a
# layer with CONFIG as /etc/vfio-bind.yaml over /etc; bind mounts put the module tree TREE
# (debian, variants, builtin) on /lib/modules/VER and the unpacked kernel's /boot on /boot.
# mkinitramfs's configuration directory (-d) says MODULES=list with e1000e, virtio_pci,
# virtio_blk, ext4 and the modules given, and holds the test report (tests/vm/initramfs-tools:
# a hook and an init-premount script); VM_ITOOLS_CONF names more directories copied into it
# (hooks/, scripts/PHASE/, files the hooks read from $CONFDIR). Also DIR/NAME.x (the image
# unpacked by unmkinitramfs), DIR/NAME.list (its files), DIR/NAME.build.log. Prints
# "# NAME: mkinitramfs in S s, B bytes"; on failure sets VM_MKINITRAMFS_ERROR and returns 1.
# shellcheck disable=SC2034 # VM_MKINITRAMFS_ERROR: read by the callers
vm_mkinitramfs() {
	local dir=$1 name=$2 tree=$3 config=$4 pkgroot=$5 L t rc d
	shift 5
	VM_MKINITRAMFS_ERROR=
	vm_setup || { VM_MKINITRAMFS_ERROR="vm_setup failed"; return 1; }
	L=$dir/layers/$name
	rm -rf "$L"
	mkdir -p "$L/etc" "$L/usr/lib/modules/$VM_KVER" "$L/tmp" "$L/conf/hooks" "$L/conf/scripts/init-premount"
	[ "$config" != none ] && printf '%s' "$config" > "$L/etc/vfio-bind.yaml"
	# mkinitramfs's configuration directory: Debian's initramfs.conf but MODULES=list
	printf '%s\n' MODULES=list BUSYBOX=y KEYMAP=n COMPRESS=zstd RUNSIZE=10% FSTYPE=auto > "$L/conf/initramfs.conf"
	# e1000e for the NICs; virtio_pci, virtio_blk, ext4 for itools.sh's root disk (in every
	# image, so that they weigh nothing in the size comparison)
	printf '%s\n' e1000e virtio_pci virtio_blk ext4 "$@" > "$L/conf/modules"
	cp "$vm_here/initramfs-tools/hooks/vbt-report" "$L/conf/hooks/"
	cp "$vm_here/initramfs-tools/scripts/init-premount/vbt-report" "$L/conf/scripts/init-premount/"
	cp "$vm_here/dracut/59vbt-report/vbt-report.sh" "$L/conf/vbt-report.sh"
	for d in ${VM_ITOOLS_CONF:-}; do
		cp -a "$d/." "$L/conf/" || { VM_MKINITRAMFS_ERROR="cannot copy $d into the configuration directory"; return 1; }
	done
	local usr=$L/usr:/usr etc=$L/etc:/etc
	if [ "$pkgroot" != none ]; then
		usr=$L/usr:$pkgroot/usr:/usr
		[ -d "$pkgroot/etc" ] && etc=$L/etc:$pkgroot/etc:/etc
	fi
	t=$(now)
	rm -f "$dir/$name.img"
	# shellcheck disable=SC2097,SC2098 # the variables are for the inner shell
	USR_LOWER=$usr ETC_LOWER=$etc TREE=$VM_KMODS/$tree/lib/modules/$VM_KVER \
		BOOTDIR=$VM_KMODS/debian/boot KVER=$VM_KVER IMG=$dir/$name.img L=$L \
		unshare -m --propagation private bash -euc '
			mount -t overlay vbt-usr -o "lowerdir=$USR_LOWER" /usr
			mount -t overlay vbt-etc -o "lowerdir=$ETC_LOWER" /etc
			mount --bind "$TREE" "/usr/lib/modules/$KVER"
			mount --bind "$BOOTDIR" /boot
			TMPDIR=$L/tmp mkinitramfs -v -d "$L/conf" -o "$IMG" "$KVER"
		' > "$dir/$name.build.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ -s "$dir/$name.img" ]; then
		echo "# $name: mkinitramfs in $(since "$t") s, $(stat -c %s "$dir/$name.img") bytes"
		rm -rf "$dir/$name.x"
		unmkinitramfs "$dir/$name.img" "$dir/$name.x" && (cd "$dir/$name.x" && find . | sed 's|^\./||' | sort) > "$dir/$name.list"
		return 0
	fi
	VM_MKINITRAMFS_ERROR="mkinitramfs failed ($rc): $(grep -v '^Adding\|^Calling' "$dir/$name.build.log" | tail -n 3)"
	return 1
}

# vm_qemu_args RUNDIR: the fixed part of the QEMU command line.
# Two identical e1000e NICs at 00:02.0 and 00:03.0 on the q35 root bus.
vm_qemu_args() {
	local run=$1
	printf '%s\n' -accel tcg -machine q35,kernel-irqchip=split \
		-device intel-iommu,intremap=on -m 1G -nographic -no-reboot \
		-nic none \
		-netdev user,id=n0 -device e1000e,netdev=n0,addr=02.0,mac=52:54:00:00:00:02,romfile= \
		-netdev user,id=n1 -device e1000e,netdev=n1,addr=03.0,mac=52:54:00:00:00:03,romfile= \
		-serial stdio -serial "pipe:$run/ctl" \
		-chardev "pipe,id=mon,path=$run/mon" -mon chardev=mon,mode=readline
}

# vm_start INITRD LOG [extra qemu args (one string, word-split)] [extra cmdline]
vm_start() {
	local initrd=$1 log=$2 qextra=${3:-} cextra=${4:-}
	vm_setup || return 1
	VM_RUN=$(mktemp -d "$VM_CACHE/run.XXXXXX")
	local f
	for f in ctl mon; do
		mkfifo "$VM_RUN/$f.in" "$VM_RUN/$f.out"
		# drain .out; opened O_RDWR so it never blocks nor sees EOF
		cat 0<>"$VM_RUN/$f.out" > "$VM_RUN/$f.log" &
		echo $! >> "$VM_RUN/drain.pids"
	done
	local -a qargs
	mapfile -t qargs < <(vm_qemu_args "$VM_RUN")
	# shellcheck disable=SC2206
	[ -n "$qextra" ] && qargs+=($qextra)
	: > "$log"
	VM_LOG=$log
	VM_T0=$(date +%s.%N)
	timeout --kill-after=5 "$VM_TIMEOUT" qemu-system-x86_64 "${qargs[@]}" \
		-kernel "$VM_KERNEL" -initrd "$initrd" \
		-append "$VM_BASE_CMDLINE${cextra:+ $cextra}" \
		< /dev/null > "$log" 2>&1 &
	VM_PID=$!
}

# vm_wait: wait for the VM started by vm_start; returns QEMU's status
# (124 = killed by the timeout). Sets VM_SECONDS.
vm_wait() {
	local rc=0 p
	[ -n "${VM_PID:-}" ] || return 1
	wait "$VM_PID" || rc=$?
	VM_SECONDS=$(awk -v a="$VM_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if [ -f "$VM_RUN/drain.pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done < "$VM_RUN/drain.pids"
		rm -f "$VM_RUN/drain.pids"
	fi
	# keep the control and monitor logs next to the console log
	cp "$VM_RUN/ctl.log" "$VM_LOG.ctl" 2>/dev/null
	cp "$VM_RUN/mon.log" "$VM_LOG.monitor" 2>/dev/null
	rm -rf "$VM_RUN"
	VM_PID=
	return "$rc"
}

vm_kill() {
	[ -n "${VM_PID:-}" ] || return 0
	kill "$VM_PID" 2>/dev/null
	vm_wait
}

# vm_boot INITRD LOG [extra qemu args] [extra kernel cmdline]
vm_boot() {
	vm_start "$@" || return 1
	vm_wait
}

# vm_wait_for LOG REGEX [SECONDS]: 0 when a line matches, 1 on timeout or
# when the VM has exited without it.
vm_wait_for() {
	local log=$1 re=$2 secs=${3:-$VM_TIMEOUT} i=0
	while [ "$i" -lt $((secs * 5)) ]; do
		tr -d '\r' < "$log" | grep -Eq -- "$re" && return 0
		if [ -n "${VM_PID:-}" ] && ! kill -0 "$VM_PID" 2>/dev/null; then
			tr -d '\r' < "$log" | grep -Eq -- "$re" && return 0
			return 1
		fi
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# vm_ctl CMD: one command line to the guest's vbt-report (needs vbt.hold)
vm_ctl() {
	printf '%s\n' "$*" > "$VM_RUN/ctl.in"
}

# vm_monitor CMD: send an HMP command, print what the monitor answered.
vm_monitor() {
	local before after
	before=$(stat -c %s "$VM_RUN/mon.log")
	printf '%s\n' "$*" > "$VM_RUN/mon.in"
	# the answer ends with the next "(qemu) " prompt
	local i=0
	while [ $i -lt 50 ]; do
		sleep 0.1
		after=$(stat -c %s "$VM_RUN/mon.log")
		if [ "$after" -gt "$before" ] &&
			tail -c +"$((before + 1))" "$VM_RUN/mon.log" | tr -d '\r' | grep -q '(qemu) $'; then
			break
		fi
		i=$((i + 1))
	done
	tail -c +"$((before + 1))" "$VM_RUN/mon.log" | tr -d '\r' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'
}

# vm_report LOG ADDR FIELD: FIELD (addr id class driver override group) of
# ADDR in the last VMREPORT block of LOG; empty and status 1 when absent.
vm_report() {
	local log=$1 addr=$2 field=$3 v
	v=$(tr -d '\r' < "$log" | sed -n 's/.*\(VMREPORT addr=.*\)/\1/p' |
		grep -F "VMREPORT addr=$addr " | tail -n1 |
		tr ' ' '\n' | sed -n "s/^$field=//p")
	[ -n "$v" ] || return 1
	printf '%s\n' "$v"
}

# vm_dmesg LOG: the VMDMESG lines of LOG (last report)
vm_dmesg() {
	tr -d '\r' < "$1" | sed -n 's/.*VMDMESG //p'
}

# --- for the suites that boot to power-off and read the report (run.sh, itools.sh); they set
# $out (logs, early-runs) and read LOG, BOOT_SECONDS after boot.

# boot KIND NAME IMG [cmdline] [qemu args]: boot to power-off, log in $out/KIND-NAME.log
boot() {
	local kind=$1 name=$2 img=$3 cmdline=${4:-} qemu=${5:-} rc
	LOG=$out/$kind-$name.log
	vm_boot "$img" "$LOG" "$qemu" "$cmdline"
	rc=$?
	# shellcheck disable=SC2034 # read by the suites
	BOOT_SECONDS=$VM_SECONDS
	vm_dmesg "$LOG" > "$LOG.kmsg"
	echo "# $kind-$name: boot to power-off $VM_SECONDS s"
	check "$kind-$name: boot went on to the end (qemu status $rc, report printed)" \
		report_done "$rc" "$LOG"
}

report_done() { [ "$1" = 0 ] && tr -d '\r' < "$2" | grep -q '^VMREPORT-END'; }
has() { grep -Eq -- "$2" "$1"; }  # has FILE REGEX
lacks() { ! grep -Eq -- "$2" "$1"; }
drv() { vm_report "$1" "$2" driver; }
ovr() { vm_report "$1" "$2" override; }
# kmsg LOG REGEX: a kernel log line (of the last report) matches
kmsg() { vm_dmesg "$1" | grep -Eq -- "$2"; }
kmsg_count() { vm_dmesg "$1" | grep -Ec -- "$2"; }
# kmsg_time LOG REGEX: timestamp of the first matching line
kmsg_time() { vm_dmesg "$1" | grep -E -- "$2" | head -n1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }

# early_run KIND-NAME LOG: record the early run's figures
early_run() {
	local t0 t1 ms cpu first
	t0=$(kmsg_time "$2" 'vfio-bind: early run starting')
	t1=$(kmsg_time "$2" 'vfio-bind: early run done')
	ms=$(vm_dmesg "$2" | sed -n 's/.*vfio-bind: early run done in \([0-9.]*\) ms (\([0-9.]*\) ms CPU).*/\1 \2/p' | head -n1)
	cpu=${ms#* }
	ms=${ms% *}
	first=$(kmsg_time "$2" 'e1000e 0000:')
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		echo "# $1: early run: kernel log $t0 -> $t1 = $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }') ms; own clock $ms ms, CPU $cpu ms; first e1000e probe ${first:--}"
		echo "$1 $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }') $ms $cpu" >> "$out/early-runs"
	fi
}

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Configurations both early-boot suites (run.sh: dracut, itools.sh: initramfs-tools) boot with.
# shellcheck disable=SC2034 # used by the scripts that source this file
{
config_id='version: 1
devices:
  - id: "8086:10d3"
'
# The build host has no device at 0000:00:02.0 with that id: 'modules' finds the variant by the
# id; at boot the address keeps the twin 0000:00:03.0 (same id) on e1000e.
config_variant='version: 1
devices:
  - address: "0000:00:02.0"
    id: "8086:10d3"
'
# a YAML syntax error at 5:1
config_broken='version: 1
devices:
  - address: "0000:00:02.0"
    id: [ "8086:10d3"
'
}

# vm_doctor_row VB IMG CONFIG CHECK: the CHECK row ("result|seen") of 'VB doctor --initramfs IMG'
# on a test bed of kernel $VM_KVER with the vfio modules, one e1000e and CONFIG as its
# configuration: doctor reading an image the generator built as it stands.
vm_doctor_row() {
	local vb=$1 img=$2 config=$3 check=$4 bed=$VM_CACHE/doctor-bed
	rm -rf "$bed"
	cat > "$bed.host" <<HOST
kver $VM_KVER
cmdline BOOT_IMAGE=/vmlinuz-$VM_KVER root=/dev/vda1 intel_iommu=on
module vfio
module vfio_iommu_type1 depends=vfio
module vfio_pci_core depends=vfio
module vfio_pci file=vfio-pci.ko driver=vfio-pci depends=vfio_pci_core,vfio override-ids=*:*
module e1000e driver=e1000e ids=8086:10d3 state=loaded
device 0000:00:02.0 id=8086:10d3 subsys=8086:0000 class=020000 driver=e1000e group=2
HOST
	"$vm_repo/tests/testbed/mkbed" "$bed.host" "$bed" > /dev/null || return 1
	printf '%s' "$config" > "$bed/etc/vfio-bind.yaml"
	chmod 0644 "$bed/etc/vfio-bind.yaml"
	TESTBED_ISOLATE=1 "$vm_repo/tests/testbed/run" "$bed" -- "$vb" doctor --json --initramfs "$img" 2> /dev/null |
		python3 -c 'import json, sys
for r in json.load(sys.stdin)["doctor"]["checks"]:
    if r["check"] == sys.argv[1]:
        print("%s|%s" % (r["result"], r["seen"]))' "$check"
}
