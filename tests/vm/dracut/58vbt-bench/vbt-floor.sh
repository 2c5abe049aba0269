#!/bin/sh
# The floor for one device, by address (test only, make bench-vm): sourced by a pre-udev hook
# (dracut), run by vbt-floor.service (systemd dracut), sourced by an init-top script
# (initramfs-tools). POSIX sh.
read -r vbt_addr < /etc/vbt-floor.addr
echo "vbt-bench: vfio floor start $vbt_addr" > /dev/kmsg
modprobe vfio-pci
echo vfio-pci > "/sys/bus/pci/devices/$vbt_addr/driver_override"
if [ -e "/sys/bus/pci/devices/$vbt_addr/driver" ]; then
    echo "$vbt_addr" > "/sys/bus/pci/devices/$vbt_addr/driver/unbind"
fi
echo "$vbt_addr" > /sys/bus/pci/drivers_probe
echo "vbt-bench: vfio floor done" > /dev/kmsg
