# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # GOUT, GRC, S, G: for the scripts that source it
#
# tests/vm/guest.sh -- commands in a held guest (kernel cmdline "vbt.hold", see lib.sh's
# vm_ctl), for the suites that run vfio-bind by hand in the initramfs (sriov.sh, identity.sh).
# Source it after lib.sh; the console log of vm_start must be in $log.
#
#   grun SECONDS CMD...    run CMD (sh) in the guest: its output in GOUT, its status in GRC
#                          (GRC=timeout, status 1, when no VMDONE line came back)
#   gval NAME              the value of "NAME=..." in GOUT
#   is DESC EXPECTED ACTUAL   ok/FAIL by equality
#   show PREFIX TEXT       TEXT as "# PREFIX: " comment lines
#   guest_setup NAME       the VM set-up, out=VM_CACHE/NAME, the project's binary built (bin) and
#                          staged at STAGE/usr/sbin/vfio-bind (stage=OUT/root); on failure: exit
#   guest_hold OUT NAME QEMU_ARGS DRACUT_ARGS...
#                          build OUT/NAME.img (vm_build_initrd DRACUT_ARGS...), boot it held with
#                          QEMU_ARGS, console in OUT/NAME.log (sets log); on failure: finish

GOUT=
GRC=
grun() {
	local secs=$1 start i=0 part
	shift
	start=$(wc -l < "${log:?}")
	vm_ctl "run $*"
	GOUT=
	GRC=timeout
	while [ $i -lt $((secs * 5)) ]; do
		part=$(tail -n +"$((start + 1))" "$log" | tr -d '\r')
		if printf '%s\n' "$part" | grep -q '^VMDONE rc='; then
			GOUT=$(printf '%s\n' "$part" | sed -n '/^VMDONE rc=/q; s/^VMOUT //p')
			GRC=$(printf '%s\n' "$part" | sed -n 's/^VMDONE rc=//p' | head -n1)
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
gval() { printf '%s\n' "$GOUT" | sed -n "s/^$1=//p" | head -n1; }
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}
show() {
	local l
	while IFS= read -r l; do echo "# $1: $l"; done <<< "$2"
}

S=/sys/bus/pci/devices
# a guest shell function: drv DEVDIR prints the bound driver's name, or -
G="drv() { if [ -L \$1/driver ]; then l=\$(readlink \$1/driver); echo \${l##*/}; else echo -; fi; };"

guest_hold() {
	local out=$1 name=$2 qemu_args=$3 img t
	shift 3
	img=$out/$name.img
	t=$(now)
	if vm_build_initrd "$img" "$@" > "$out/dracut.log" 2>&1; then
		ok "initramfs built in $(since "$t") s, $(du -m "$img" | cut -f1) MB"
	else
		cat "$out/dracut.log"
		bad "dracut failed"
		finish
	fi
	log=$out/$name.log
	vm_start "$img" "$log" "$qemu_args" "vbt.hold loglevel=4"
	if ! vm_wait_for "$log" '^VMHOLD ready' 90; then
		bad "hold: no VMHOLD line (see $log)"
		tail -n 20 "$log"
		vm_kill
		finish
	fi
}

guest_setup() {
	out=$VM_CACHE/$1
	mkdir -p "$out"
	vm_setup || { echo "vm_setup failed"; echo "0 passed, 1 failed"; exit 1; }
	echo "# kernel $VM_KVER ($VM_KERNEL), modules $VM_KMODDIR"
	make -s -C "${vm_repo:?}" > "$out/make.log" 2>&1 ||
		{ cat "$out/make.log"; bad "make failed"; finish; }
	bin=$vm_repo/build/vfio-bind
	stage=$out/root
	rm -rf "$stage"
	mkdir -p "$stage/usr/sbin"
	install -m 0755 "$bin" "$stage/usr/sbin/vfio-bind"
}
