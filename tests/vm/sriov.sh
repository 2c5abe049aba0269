#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/sriov.sh -- issue 7 in a real kernel: QEMU's emulated NVMe
# controller with SR-IOV (a PF with sriov_totalvfs=4), Debian's kernel, the
# project's binary in a dracut initramfs with /etc/vfio-bind.yaml saying
# "sriov: {numvfs: 2}" on the PF. In the held guest: vfio-bind apply creates
# exactly 2 VFs, each ends on vfio-pci, the PF stays on nvme,
# sriov_drivers_autoprobe is restored, vfio-bind status exits 0.
#
# Prints one line per check and "N passed, M failed"; exit 1 on any failure.
# When the platform cannot create VFs at all (apply failed AND a plain
# "echo 2 > sriov_numvfs" fails too, or the PF has no SR-IOV capability), it
# prints "SKIP ..." with the kernel's messages, counts nothing as passed
# ("0 passed, 0 failed") and exits 77.
#
# Needs qemu-system-x86_64 >= 7.1 (nvme sriov_* properties), run as root
# like smoke.sh (dracut). Nothing is written outside tests/.cache.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/vm/guest.sh
. "$here/guest.sh"

skip() { # skip REASON: the platform cannot do SR-IOV; nothing counts
	echo "SKIP $* -- the $passed ok and $failed FAIL lines above are not counted"
	echo "0 passed, 0 failed"
	exit 77
}

PF=0000:00:04.0
TOTALVFS=4 # what QEMU offers (sriov_max_vfs)
NUMVFS=2   # what the config asks for
# sriov_vq_flexible >= 2*max_vfs, sriov_vi_flexible >= max_vfs (QEMU 7.2's
# nvme_check_constraints; max_ioqpairs=64 and msix_qsize=65 by default leave
# enough PF-private resources). The subsystem is required for SR-IOV. No
# namespace: the PF probes without one, and the VFs are never brought
# online (no nvme virt-mgmt needed: creating them and binding vfio-pci does
# not touch the NVMe controller state).
NVME_ARGS="-device nvme-subsys,id=vbtsub,nqn=vbt-sriov
 -device nvme,id=vbtnvme,serial=vbtsriov0,subsys=vbtsub,bus=pcie.0,addr=04.0,sriov_max_vfs=$TOTALVFS,sriov_vq_flexible=$((2 * TOTALVFS)),sriov_vi_flexible=$TOTALVFS"

# QEMU < 7.1 has no SR-IOV on nvme: nothing to test there
qemu-system-x86_64 -device nvme,help 2>&1 | grep -q sriov_vq_flexible ||
	skip "$(qemu-system-x86_64 --version | head -n1): its nvme device has no sriov_vq_flexible property (needs QEMU >= 7.1)"

guest_setup sriov
echo "# $(qemu-system-x86_64 --version | head -n1)"

# What goes into the initramfs as is: the project's binary at /usr/sbin (guest_setup), the config.
mkdir -p "$stage/etc"
cat > "$stage/etc/vfio-bind.yaml" << EOF
version: 1
devices:
  - address: "$PF"
    sriov: {numvfs: $NUMVFS}
EOF
# The udev rule, staged where udev does not read it: the "bind" section below puts it in place.
mkdir -p "$stage/etc/vbt"
sed 's|@SBINDIR@|/usr/sbin|g' "$vm_repo/src/data/70-vfio-bind.rules" > "$stage/etc/vbt/70-vfio-bind.rules"
chown 0:0 "$stage/etc/vfio-bind.yaml"
chmod 0644 "$stage/etc/vfio-bind.yaml"
"$bin" validate "$stage/etc/vfio-bind.yaml" > "$out/validate.log" 2>&1 ||
	{ cat "$out/validate.log"; bad "config does not validate"; finish; }

# --install BIN: dracut's inst_binary brings its shared libraries (libyaml,
# libjson-c, ...) along; the copy at that path is left unused, the staged one
# at /usr/sbin/vfio-bind is run. The rest: the guest commands below.
guest_hold "$out" sriov "$NVME_ARGS" --add-drivers nvme \
	--install "$bin stat date seq tail head" --include "$stage" /

# --- before: PF on nvme (its probe is asynchronous), SR-IOV offered, no VFs
grun 30 "$G for i in \$(seq 50); do [ -L $S/$PF/driver ] && break; sleep 0.2; done;" \
	"echo drv=\$(drv $S/$PF); echo total=\$(cat $S/$PF/sriov_totalvfs 2>&1);" \
	"echo num=\$(cat $S/$PF/sriov_numvfs 2>&1); echo ap=\$(cat $S/$PF/sriov_drivers_autoprobe 2>&1);" \
	"echo conf=\$(stat -c '%a %u:%g' /etc/vfio-bind.yaml)"
before=$GOUT
show "before" "$before"
is "before: $PF on nvme" nvme "$(gval drv)"
total=$(gval total)
if [ "$total" != "$TOTALVFS" ]; then
	grun 10 "cat /proc/cmdline; dmesg | grep -Ei 'nvme|iov|$PF'"
	show "guest" "$GOUT"
	vm_ctl poweroff
	vm_wait
	skip "the PF $PF has no SR-IOV capability in the guest (sriov_totalvfs: '$total', expected $TOTALVFS)"
fi
is "before: sriov_totalvfs" "$TOTALVFS" "$total"
is "before: no VFs yet" 0 "$(gval num)"
is "before: sriov_drivers_autoprobe" 1 "$(gval ap)"
is "config /etc/vfio-bind.yaml mode and owner" "644 0:0" "$(gval conf)"

# --- plan, then the timed apply (guest clock)
grun 30 "vfio-bind plan"
show "plan" "$GOUT"
is "plan: exit status" 0 "$GRC"
check "plan: the PF row says 'create $NUMVFS VFs'" \
	grep -Eq "^$PF .*create $NUMVFS VFs" <<< "$GOUT"

grun 60 "t0=\$(date +%s%N); vfio-bind apply > /tmp/apply.out 2>&1; rc=\$?; t1=\$(date +%s%N);" \
	"sed 's/^/apply: /' /tmp/apply.out; echo rc=\$rc; echo ms=\$(( (t1 - t0) / 1000000 ))"
printf '%s\n' "$GOUT" | sed -n 's/^apply: /# apply: /p'
apply_rc=$(gval rc)
apply_ms=$(gval ms)

grun 20 "$G echo num=\$(cat $S/$PF/sriov_numvfs); echo ap=\$(cat $S/$PF/sriov_drivers_autoprobe);" \
	"echo pf=\$(drv $S/$PF); echo warn=\$(dmesg | grep -cE 'WARNING:|BUG:|Oops');" \
	"for k in \$(seq 0 $((TOTALVFS - 1))); do v=$S/$PF/virtfn\$k; [ -L \$v ] || continue;" \
	"a=\$(readlink \$v); a=\${a##*/}; p=\$(readlink $S/\$a/physfn); g=\$(readlink $S/\$a/iommu_group);" \
	"echo vf\$k=\$a drv=\$(drv $S/\$a) ovr=\$(cat $S/\$a/driver_override) id=\$(cat $S/\$a/vendor):\$(cat $S/\$a/device)" \
	"physfn=\${p##*/} group=\${g##*/} dev=\$(ls /dev/vfio/\${g##*/} 2>&1); done"
after=$GOUT
show "after" "$after"

if [ "$apply_rc" != 0 ] && [ "$(gval num)" != "$NUMVFS" ]; then
	# vfio-bind failed to create the VFs: can the kernel create them at all?
	grun 30 "echo 0 > $S/$PF/sriov_drivers_autoprobe; echo $NUMVFS > $S/$PF/sriov_numvfs; echo wrc=\$?;" \
		"echo num=\$(cat $S/$PF/sriov_numvfs); dmesg | grep -Ei 'iov|nvme|vfio|$PF' | tail -n 30"
	show "by hand" "$GOUT"
	if [ "$(gval wrc)" != 0 ] || [ "$(gval num)" != "$NUMVFS" ]; then
		vm_ctl poweroff
		vm_wait
		skip "the kernel cannot create VFs on the emulated NVMe PF: 'echo $NUMVFS > sriov_numvfs' failed by hand too (dmesg above)"
	fi
	echo "# by hand it works: vfio-bind's fault"
fi

is "apply: exit status (guest time ${apply_ms:-?} ms)" 0 "$apply_rc"
GOUT=$after
is "apply: sriov_numvfs" "$NUMVFS" "$(gval num)"
is "apply: sriov_drivers_autoprobe restored" 1 "$(gval ap)"
is "apply: PF $PF stays on nvme" nvme "$(gval pf)"
is "apply: no kernel WARNING/BUG/Oops in dmesg" 0 "$(gval warn)"
nvf=$(printf '%s\n' "$after" | grep -c '^vf[0-9]*=')
is "apply: number of virtfn links" "$NUMVFS" "$nvf"
for k in $(seq 0 $((NUMVFS - 1))); do
	line=$(printf '%s\n' "$after" | grep "^vf$k=")
	if [ -z "$line" ]; then
		bad "VF $k: no virtfn$k link"
		continue
	fi
	vf=$(sed -n 's/^vf[0-9]*=\([^ ]*\) .*/\1/p' <<< "$line")
	f() { tr ' ' '\n' <<< "$line" | sed -n "s/^$1=//p"; }
	is "VF $k ($vf): driver link" vfio-pci "$(f drv)"
	is "VF $k ($vf): physfn is the PF" "$PF" "$(f physfn)"
	check "VF $k ($vf): IOMMU group $(f group), /dev/vfio/$(f group) exists" \
		[ "$(f dev)" = "/dev/vfio/$(f group)" ]
done

grun 30 "vfio-bind status"
show "status" "$GOUT"
is "status: exit status" 0 "$GRC"
check "status: PF row nvme, in-sync" \
	grep -Eq "^$PF +[0-9a-f]{4}:[0-9a-f]{4} +nvme +- +in-sync" <<< "$GOUT"
for vf in $(printf '%s\n' "$after" | sed -n 's/^vf[0-9]*=\([^ ]*\) .*/\1/p'); do
	check "status: VF $vf row vfio-pci -> vfio-pci, in-sync" \
		grep -Eq "^$vf +[0-9a-f]{4}:[0-9a-f]{4} +vfio-pci +vfio-pci +in-sync" <<< "$GOUT"
done

# a second apply changes nothing
grun 30 "vfio-bind apply; echo rc=\$?; echo num=\$(cat $S/$PF/sriov_numvfs)"
show "apply again" "$GOUT"
is "apply again: exit status" 0 "$(gval rc)"
is "apply again: sriov_numvfs unchanged" "$NUMVFS" "$(gval num)"

# --- the udev rule: the PF's driver binds, and its "bind" event brings the VFs back. Start from
# no VFs and the PF unbound, as after coldplug loads the driver.
grun 90 "$G cp /etc/vbt/70-vfio-bind.rules /etc/udev/rules.d/ && udevadm control --reload;" \
	"echo 0 > $S/$PF/sriov_numvfs; echo $PF > /sys/bus/pci/drivers/nvme/unbind; udevadm settle -t 30;" \
	"echo num0=\$(cat $S/$PF/sriov_numvfs) pf0=\$(drv $S/$PF);" \
	"echo $PF > /sys/bus/pci/drivers/nvme/bind; udevadm settle -t 60;" \
	"echo num=\$(cat $S/$PF/sriov_numvfs); echo pf=\$(drv $S/$PF); echo ap=\$(cat $S/$PF/sriov_drivers_autoprobe);" \
	"for k in 0 1; do v=$S/$PF/virtfn\$k; [ -L \$v ] || continue; a=\$(readlink \$v); a=\${a##*/};" \
	"echo vfdrv\$k=\$(drv $S/\$a); echo vfprop\$k=\$(udevadm info -q property -p $S/\$a | grep VFIO_BIND_DRIVER); done;" \
	"dmesg | grep 'vfio-bind: ' | tail -n 8 | sed 's/^/kmsg: /'"
show "bind event" "$GOUT"
is "bind event: before, no VFs and the PF unbound" "0 -" "$(gval num0 | cut -d' ' -f1) $(printf '%s\n' "$GOUT" | sed -n 's/.*pf0=//p')"
is "bind event: the rule created $NUMVFS VFs" "$NUMVFS" "$(gval num)"
is "bind event: the PF back on nvme, autoprobe 1" "nvme 1" "$(gval pf) $(gval ap)"
is "bind event: both VFs on vfio-pci" "vfio-pci vfio-pci" "$(gval vfdrv0) $(gval vfdrv1)"
is "bind event: the VFs' own add events left VFIO_BIND_DRIVER in the udev database" \
	"VFIO_BIND_DRIVER=vfio-pci VFIO_BIND_DRIVER=vfio-pci" "$(gval vfprop0) $(gval vfprop1)"

# --- a PF that a plain entry binds: its add event binds it and the property survives the
# vfio-pci bind event that follows; after a revert, the host driver's bind event leaves it there.
grun 90 "$G echo 0 > $S/$PF/sriov_numvfs; printf 'version: 1\\ndevices:\\n  - address: \"$PF\"\\n' > /etc/vfio-bind.yaml;" \
	"udevadm trigger --action=add --settle $S/$PF; sleep 1; udevadm settle -t 30;" \
	"echo added=\$(drv $S/$PF); echo prop=\$(udevadm info -q property -p $S/$PF | grep VFIO_BIND_DRIVER);" \
	"vfio-bind revert $PF > /dev/null 2>&1; echo rrc=\$?; udevadm settle -t 60; sleep 1; udevadm settle -t 30;" \
	"echo reverted=\$(drv $S/$PF) ovr=\$(cat $S/$PF/driver_override)"
show "plain PF" "$GOUT"
is "plain PF: the add event put it on vfio-pci" vfio-pci "$(gval added)"
is "plain PF: VFIO_BIND_DRIVER kept through the vfio-pci bind event" "VFIO_BIND_DRIVER=vfio-pci" "$(gval prop)"
is "plain PF: revert exit status" 0 "$(gval rrc)"
is "plain PF: after revert, the nvme bind event left it on nvme" "nvme ovr=(null)" "$(gval reverted)"

if [ "$failed" -ne 0 ]; then
	grun 10 "dmesg | grep -Ei 'iov|nvme|vfio|$PF' | tail -n 40"
	show "dmesg" "$GOUT"
fi
echo "# guest-side apply: ${apply_ms:-?} ms"
vm_ctl poweroff
vm_wait
rc=$?
check "VM powered off on request (qemu status $rc, $VM_SECONDS s)" [ $rc -eq 0 ]
finish
