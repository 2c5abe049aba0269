#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/vm-boot.sh, make bench-vm (not part of make check nor make bench: it boots 2 x BENCH_VM_BOOTS times): vfio-bind's early
# run against the floor in real boots under QEMU/TCG, non-systemd dracut initramfs.
#   vfio-bind image: the project's dracut module from the .deb stage (as tests/vm/run.sh builds
#     it), config 'address: 0000:00:02.0', plus tests/vm/dracut/58vbt-bench VBT_BENCH=mark: a
#     pre-udev hook (29) writes "vbt-bench: vfio-bind exec" to /dev/kmsg just before vfio-bind's
#     hook (30) execs it. Measured: that line -> "vfio-bind: early run done".
#   vfio-bind-tool image: the same, but the stage without the package's initramfs copy
#     (/usr/lib/vfio-bind/vfio-bind-boot): the module then puts the tool itself in, with its
#     shared libyaml and json-c, as before that copy existed. Measured the same way.
#   floor image: 58vbt-bench VBT_BENCH=floor only: modprobe vfio-pci, driver_override, unbind if
#     bound, drivers_probe for 0000:00:02.0, no check. Measured: its two kernel log lines.
# Both from the same dracut arguments, kernel and command line; each built once, booted
# alternately, niced; every boot must leave 0000:00:02.0 on vfio-pci to count.
#   BENCH_VM_BOOTS=3   boots of each image
#   BENCH_VM_GOAL=1.3  goal for median(vfio-bind) / median(floor)
# Prints each boot, then median and range of each and the ratio; exit 1 if a boot failed.
set -u
# niced, with every QEMU it starts: the machine is shared
renice -n 10 -p $$ > /dev/null
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"
BOOTS=${BENCH_VM_BOOTS:-3}
GOAL=${BENCH_VM_GOAL:-1.3}
out=$VM_CACHE/bench
stage=$out/stage
mkdir -p "$out"
status=0

rm -rf "$stage"
deb=$("$repo/tests/packages/build-deb.sh" 2> "$out/install.log") && dpkg -x "$deb" "$stage" 2>> "$out/install.log" || {
	echo "bench-vm: building or unpacking the .deb failed: $(tail -n 3 "$out/install.log")" >&2
	exit 1
}
mkdir -p "$stage/etc"
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n' > "$stage/etc/vfio-bind.yaml"
export VM_DRACUT_MODULES="$stage/usr/lib/dracut/modules.d/55vfio-bind $repo/tests/vm/dracut/58vbt-bench"
VM_TREE=debian
vm_setup || { echo "bench-vm: vm_setup failed" >&2; exit 1; }

# image NAME VBT_BENCH [dracut args]: $out/NAME.img
image() {
	local name=$1 mode=$2 # and stage, the VFIO_BIND_ROOT
	shift 2
	VFIO_BIND_ROOT=$stage VBT_BENCH=$mode vm_build_initrd "$out/$name.img" "$@" > "$out/$name.build.log" 2>&1 || {
		echo "bench-vm: dracut failed for $name: $(tail -n 3 "$out/$name.build.log")" >&2
		exit 1
	}
}
image vfio-bind mark --add "vfio-bind vbt-bench"
tool_stage=$out/stage-tool
rm -rf "$tool_stage"
cp -a "$stage" "$tool_stage"
rm -f "$tool_stage/usr/lib/vfio-bind/vfio-bind-boot"
stage=$tool_stage image vfio-bind-tool mark --add "vfio-bind vbt-bench"
image floor floor --add vbt-bench

# span LOG START-REGEX END-REGEX: ms between the two kernel log lines
span() {
	local a b
	a=$(kmsg_time "$1" "$2")
	b=$(kmsg_time "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] || return 1
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}
: > "$out/vfio-bind.ms"
: > "$out/vfio-bind-tool.ms"
: > "$out/floor.ms"
for ((i = 1; i <= BOOTS; i++)); do
	for name in vfio-bind vfio-bind-tool floor; do
		log=$out/$name-$i.log
		vm_boot "$out/$name.img" "$log" > /dev/null 2>&1
		rc=$?
		if [ "$name" != floor ]; then
			ms=$(span "$log" 'vbt-bench: vfio-bind exec' 'vfio-bind: early run done')
		else
			ms=$(span "$log" 'vbt-bench: vfio floor start' 'vbt-bench: vfio floor done')
		fi
		drv=$(vm_report "$log" 0000:00:02.0 driver)
		if [ "$rc" != 0 ] || [ -z "$ms" ] || [ "$drv" != vfio-pci ]; then
			echo "bench-vm: $name boot $i: qemu status $rc, span '${ms:-}', 0000:00:02.0 on '${drv:-}' ($log)" >&2
			status=1
			continue
		fi
		echo "$ms" >> "$out/$name.ms"
		echo "$name boot $i: $ms ms (boot to power-off $VM_SECONDS s, load $(cut -d' ' -f1-3 /proc/loadavg))"
	done
done

# stats FILE: "median min max n"
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) printf "%s %s %s %d\n", a[int((NR + 1) / 2)], a[1], a[NR], NR }'; }
read -r vm vmin vmax vn < <(stats "$out/vfio-bind.ms")
read -r tm tmin tmax tn < <(stats "$out/vfio-bind-tool.ms")
read -r fm fmin fmax fn < <(stats "$out/floor.ms")
echo
echo "kernel $VM_KVER, non-systemd dracut initramfs, TCG, 2 CPUs shared, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %6s %10s %18s\n' image boots "median ms" "range ms"
printf '%-14s %6s %10s %18s\n' vfio-bind "${vn:-0}" "${vm:--}" "${vmin:--}-${vmax:--}"
printf '%-14s %6s %10s %18s\n' vfio-bind-tool "${tn:-0}" "${tm:--}" "${tmin:--}-${tmax:--}"
printf '%-14s %6s %10s %18s\n' floor "${fn:-0}" "${fm:--}" "${fmin:--}-${fmax:--}"
if [ -n "${vm:-}" ] && [ -n "${fm:-}" ]; then
	awk -v v="$vm" -v f="$fm" -v g="$GOAL" 'BEGIN { if (f > 0) printf "vfio-bind / floor (medians): %.2f×; goal ≤ %s×: %s\n", v / f, g, (v / f <= g ? "met" : "not met") }'
fi
if [ -n "${tm:-}" ] && [ -n "${fm:-}" ]; then
	awk -v v="$tm" -v f="$fm" 'BEGIN { if (f > 0) printf "vfio-bind-tool / floor (medians): %.2f× (the tool with shared libyaml and json-c)\n", v / f }'
fi
cat << 'EOT'
vfio-bind (the package's initramfs copy) and vfio-bind-tool (the tool itself):
from "vbt-bench: vfio-bind exec" (kmsg, hook 29, just before the hook that execs it)
to "vfio-bind: early run done": exec, ld.so, configuration, enumeration, resolution, six module
loads, override, probe, checks. floor: its own two lines around modprobe vfio-pci and the
writes. Kernel log timestamps; the guest runs on one TCG vCPU, ~25x slower than native.
EOT
exit $status
