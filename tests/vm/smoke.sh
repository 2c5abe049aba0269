#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/smoke.sh -- the VM harness works: a non-systemd and a systemd
# initramfs both boot Debian's kernel, both e1000e NICs end on e1000e with an
# IOMMU group, and a held VM takes a hot-plugged NIC from the QEMU monitor.
# Prints one line per check and "N passed, M failed"; exit 1 on any failure.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"



out=$VM_CACHE/smoke
mkdir -p "$out"
vm_setup || { echo "vm_setup failed"; echo "0 passed, 1 failed"; exit 1; }
echo "# kernel $VM_KVER ($VM_KERNEL), modules $VM_KMODDIR"

nic_ok() { # nic_ok LOG ADDR: on e1000e, in an IOMMU group
	local drv grp
	drv=$(vm_report "$1" "$2" driver) || return 1
	grp=$(vm_report "$1" "$2" group) || return 1
	[ "$drv" = e1000e ] && [ "$grp" != - ]
}

for kind in plain systemd; do
	img=$out/$kind.img
	log=$out/$kind.log
	t=$(now)
	if VM_DRACUT_SYSTEMD=$([ $kind = systemd ] && echo 1 || echo 0) \
		vm_build_initrd "$img" --add-drivers vbt_e1000e_vfio_pci; then
		ok "$kind: initramfs built in $(since "$t") s, $(du -m "$img" | cut -f1) MB"
	else
		bad "$kind: dracut failed"
		continue
	fi
	vm_boot "$img" "$log"
	rc=$?
	check "$kind: VM powered off by itself (qemu status $rc, $VM_SECONDS s)" \
		[ $rc -eq 0 ]
	check "$kind: report printed" vm_wait_for "$log" '^VMREPORT-END' 1
	for addr in 0000:00:02.0 0000:00:03.0; do
		check "$kind: $addr on e1000e, group $(vm_report "$log" $addr group)" \
			nic_ok "$log" $addr
	done
	grep -a -o 'VMHOOK [a-z/-]* uptime=[0-9.]*' "$log" | sed "s/^/# $kind: /"
done

# Held VM + hotplug through the monitor: a PCIe root port to plug into.
log=$out/hotplug.log
vm_start "$out/plain.img" "$log" \
	"-device pcie-root-port,id=rp1,bus=pcie.0,addr=04.0,chassis=1" "vbt.hold"
if vm_wait_for "$log" '^VMHOLD ready' 60; then
	ok "hold: VM waits for commands"
	vm_monitor "device_add e1000e,id=hp0,bus=rp1,mac=52:54:00:00:00:10,romfile=" > "$out/hotplug.mon"
	# pciehp and udev need a moment under TCG
	found=no
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 2
		vm_ctl report
		sleep 1
		if [ "$(vm_report "$log" 0000:01:00.0 driver)" = e1000e ]; then
			found=yes
			break
		fi
	done
	check "hotplug: 0000:01:00.0 appeared on e1000e, group $(vm_report "$log" 0000:01:00.0 group)" \
		[ $found = yes ]
	vm_ctl "run cat /sys/bus/pci/devices/0000:01:00.0/device"
	check "run: command output comes back" vm_wait_for "$log" '^VMOUT 0x10d3' 20
	# the real variant driver binds (vbt_e1000e_vfio_pci, override only)
	vm_ctl "run D=/sys/bus/pci/devices/0000:00:03.0;" \
		"echo vbt_e1000e_vfio_pci > \$D/driver_override &&" \
		"echo 0000:00:03.0 > \$D/driver/unbind &&" \
		"modprobe vbt_e1000e_vfio_pci &&" \
		"echo 0000:00:03.0 > /sys/bus/pci/drivers_probe &&" \
		"g=\$(readlink \$D/iommu_group) && ls /dev/vfio/\${g##*/}"
	vm_wait_for "$log" '^VMOUT /dev/vfio/[0-9]+$' 30
	vm_ctl report
	sleep 2
	check "variant: 0000:00:03.0 bound to vbt_e1000e_vfio_pci" \
		[ "$(vm_report "$log" 0000:00:03.0 driver)" = vbt_e1000e_vfio_pci ]
	check "variant: its twin 0000:00:02.0 stays on e1000e" \
		[ "$(vm_report "$log" 0000:00:02.0 driver)" = e1000e ]
	check "variant: /dev/vfio/GROUP exists" \
		vm_wait_for "$log" '^VMOUT /dev/vfio/[0-9]+$' 1
	vm_monitor "info pci" > /dev/null
	vm_ctl poweroff
	vm_wait
	rc=$?
	check "hold: powered off on request (qemu status $rc, $VM_SECONDS s)" [ $rc -eq 0 ]
else
	bad "hold: no VMHOLD line"
	vm_kill
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
