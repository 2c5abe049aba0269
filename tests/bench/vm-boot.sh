#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/vm-boot.sh, make bench-vm (not part of make check nor make bench: it boots 3 images
# x BENCH_VM_BOOTS times per kind): vfio-bind's early run against the floor in real boots under
# QEMU/TCG, in the three kinds of initramfs the project supports (BENCH_VM_KINDS):
#   dracut           non-systemd dracut (tests/vm/lib.sh vm_build_initrd, as tests/vm/run.sh)
#   dracut-systemd   systemd dracut (the same, VM_DRACUT_SYSTEMD=1)
#   initramfs-tools  Debian's mkinitramfs (tests/vm/lib.sh vm_mkinitramfs, as tests/vm/itools.sh)
# Per kind, three images from the same kernel, arguments and command line, each built once:
#   vfio-bind       the project's files from the .deb stage (the package's initramfs copy
#                   vfio-bind-boot goes in), config 'address: 0000:00:02.0', and a kernel log
#                   line just before vfio-bind's exec (tests/vm/dracut/58vbt-bench VBT_BENCH=mark:
#                   a pre-udev hook 29 before vfio-bind's hook 30; under systemd a drop-in that
#                   runs vfio-bind.service's own ExecStart from sh -c after the line, with exec;
#                   initramfs-tools: init-top 00-vbt-bench-mark, the script just before
#                   00-vfio-bind). Measured: that line -> "vfio-bind: early run done".
#   vfio-bind-tool  the same from the stage without /usr/lib/vfio-bind/vfio-bind-boot: the tool
#                   itself goes in, with its shared libyaml and json-c. Measured the same way.
#   floor           no vfio-bind: modprobe vfio-pci, driver_override, unbind if bound,
#                   drivers_probe for 0000:00:02.0 (58vbt-bench/vbt-floor.sh), no check, where
#                   vfio-bind runs: pre-udev hook 30; vbt-floor.service ordered as
#                   vfio-bind.service; init-top 00-vbt-floor after the same mark. Measured: its
#                   two kernel log lines (dracut kinds); from the mark to its last line
#                   (initramfs-tools, as vfio-bind there; its own two lines are printed too).
# Boots go round all images of all kinds BENCH_VM_BOOTS times, niced; every boot must leave
# 0000:00:02.0 on vfio-pci to count.
#   BENCH_VM_KINDS="dracut dracut-systemd initramfs-tools"   the kinds (default all three)
#   BENCH_VM_BOOTS=3        boots of each image
#   BENCH_VM_GOAL=1.3       goal for median(vfio-bind) / median(floor)
#   BENCH_VM_BREAKDOWN=1    also a dracut image whose mark hook runs 'vfio-bind -v apply --boot'
#                           itself (VBT_BENCH=debug), booted BENCH_VM_BOOTS times: the early
#                           run per stage from the debug lines' kernel log timestamps
# Prints each boot, per kind the median and range of each image and the ratios, one summary
# table; exit 1 if a build or a boot failed.
set -u
# niced, with every QEMU it starts: the machine is shared
renice -n 10 -p $$ > /dev/null
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"
KINDS=${BENCH_VM_KINDS:-dracut dracut-systemd initramfs-tools}
BOOTS=${BENCH_VM_BOOTS:-3}
GOAL=${BENCH_VM_GOAL:-1.3}
BREAKDOWN=${BENCH_VM_BREAKDOWN:-0}
IMAGES="vfio-bind vfio-bind-tool floor"
out=$VM_CACHE/bench
stage=$out/stage
tool_stage=$out/stage-tool
mkdir -p "$out"
status=0

for kind in $KINDS; do
	case $kind in
		dracut | dracut-systemd | initramfs-tools) ;;
		*)
			echo "bench-vm: BENCH_VM_KINDS: '$kind' is not dracut, dracut-systemd nor initramfs-tools" >&2
			exit 1
			;;
	esac
done
echo "bench-vm: kinds: $KINDS; $BOOTS boots of each image; load average $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$stage" "$tool_stage"
deb=$("$repo/tests/packages/build-deb.sh" 2> "$out/install.log") && dpkg -x "$deb" "$stage" 2>> "$out/install.log" || {
	echo "bench-vm: building or unpacking the .deb failed: $(tail -n 3 "$out/install.log")" >&2
	exit 1
}
# mkinitramfs takes the package's files from /usr only (vm_mkinitramfs lays $stage/usr over it)
vm_usrmerge "$stage"
mkdir -p "$stage/etc"
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n' > "$stage/etc/vfio-bind.yaml"
cp -a "$stage" "$tool_stage"
rm -f "$tool_stage/usr/lib/vfio-bind/vfio-bind-boot"
export VM_DRACUT_MODULES="$stage/usr/lib/dracut/modules.d/55vfio-bind $repo/tests/vm/dracut/58vbt-bench"
VM_TREE=debian
vm_setup || { echo "bench-vm: vm_setup failed" >&2; exit 1; }

# the floor's files for mkinitramfs's configuration directory (its hook reads them from there)
itools_floor=$out/itools-floor-conf
rm -rf "$itools_floor"
mkdir -p "$itools_floor"
cp "$repo/tests/vm/dracut/58vbt-bench/vbt-floor.sh" "$itools_floor/vbt-floor.sh"
echo 0000:00:02.0 > "$itools_floor/vbt-floor.addr"
itools_bench=$repo/tests/vm/initramfs-tools/bench

# built KIND IMAGE: the image file
built() { echo "$out/$1-$2.img"; }

# next_in_order IMG-DIR SCRIPT: the init-top script that ORDER runs right after SCRIPT
next_in_order() {
	grep -o '^/scripts/init-top/[^ ]*' "$1/scripts/init-top/ORDER" | sed 's|.*/||' |
		awk -v s="$2" 'p { print; exit } $0 == s { p = 1 }'
}

# image KIND IMAGE: build it once ($out/KIND-IMAGE.img, log KIND-IMAGE.build.log)
image() {
	local kind=$1 name=$2 root mode want next
	root=$stage
	[ "$name" = vfio-bind-tool ] && root=$tool_stage
	case $name in floor) mode=floor ;; debug) mode=debug ;; *) mode=mark ;; esac
	if [ "$kind" = initramfs-tools ]; then
		local conf=$itools_bench/mark
		want=00-vfio-bind
		if [ "$mode" = floor ]; then
			root=none
			want=00-vbt-floor
			conf="$conf $itools_bench/floor $itools_floor"
		fi
		VM_ITOOLS_CONF=$conf vm_mkinitramfs "$out" "$kind-$name" debian none "$root" > /dev/null || {
			echo "bench-vm: $kind $name: $VM_MKINITRAMFS_ERROR" >&2
			return 1
		}
		next=$(next_in_order "$out/$kind-$name.x" 00-vbt-bench-mark)
		if [ "$next" != "$want" ]; then
			echo "bench-vm: $kind $name: init-top runs '${next:-nothing}' after 00-vbt-bench-mark, not $want (ORDER)" >&2
			return 1
		fi
		return 0
	fi
	local systemd=0 add="vfio-bind vbt-bench"
	[ "$kind" = dracut-systemd ] && systemd=1
	[ "$mode" = floor ] && add=vbt-bench
	VFIO_BIND_ROOT=$root VBT_BENCH=$mode VM_DRACUT_SYSTEMD=$systemd \
		vm_build_initrd "$(built "$kind" "$name")" --add "$add" > "$out/$kind-$name.build.log" 2>&1 || {
		echo "bench-vm: $kind $name: dracut failed: $(tail -n 3 "$out/$kind-$name.build.log")" >&2
		return 1
	}
}

# span LOG START-REGEX END-REGEX: ms between the first two kernel log lines that match
span() {
	local a b
	a=$(kmsg_time "$1" "$2")
	b=$(kmsg_time "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] || return 1
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# The spans: start and end of each image's, per kind.
mark_re() {
	case $1 in
		initramfs-tools) echo 'vbt-bench: vfio init-top mark' ;;
		*) echo 'vbt-bench: vfio-bind exec' ;;
	esac
}
start_re() { # KIND IMAGE
	if [ "$2" = floor ] && [ "$1" != initramfs-tools ]; then
		echo 'vbt-bench: vfio floor start'
	else
		mark_re "$1"
	fi
}
end_re() { # IMAGE
	if [ "$1" = floor ]; then echo 'vbt-bench: vfio floor done'; else echo 'vfio-bind: early run done'; fi
}

t_build=$(now)
built_kinds=
for kind in $KINDS; do
	ok_kind=1
	names=$IMAGES
	[ "$BREAKDOWN" = 1 ] && [ "$kind" = dracut ] && names="$names debug"
	for name in $names; do
		image "$kind" "$name" || { ok_kind=0; status=1; break; }
	done
	if [ "$ok_kind" = 1 ]; then
		built_kinds="$built_kinds $kind"
		mkdir -p "$out/$kind"
		for name in $names floor-own; do : > "$out/$kind/$name.ms"; done
	fi
done
echo "bench-vm: images built in $(since "$t_build") s"

# debug_stages LOG: the early run per stage (ms) from its debug lines' kernel log timestamps, its
# whole span, and the own clock of the run that follows (vfio-bind's hook, nothing left to do)
debug_stages() {
	local t=() re
	for re in 'vbt-bench: vfio-bind exec' 'vfio-bind: early run starting' 'vfio-bind: config: ' \
		'vfio-bind: resolve: pci:' 'vfio-bind: discover: ' 'VFIO - User Level meta-driver' \
		'vfio-bind: 0000:00:02.0: bound to' 'vfio-bind: early run done'; do
		t+=("$(kmsg_time "$1" "$re")")
	done
	local v noop
	for v in "${t[@]}"; do [ -n "$v" ] || return 1; done
	# the second run, vfio-bind's own hook with the device bound: its own clock
	noop=$(vm_dmesg "$1" | sed -n 's/.*vfio-bind: early run done in \([0-9.]*\) ms.*/\1/p' | sed -n 2p)
	awk -v s="${t[*]}" -v noop="${noop:--}" 'BEGIN { n = split(s, t, " ")
		for (i = 2; i <= n; i++) printf "%.1f ", (t[i] - t[i - 1]) * 1000
		printf "%.1f %s\n", (t[n] - t[1]) * 1000, noop }'
}

for ((i = 1; i <= BOOTS; i++)); do
	for kind in $built_kinds; do
		names=$IMAGES
		[ "$BREAKDOWN" = 1 ] && [ "$kind" = dracut ] && names="$names debug"
		for name in $names; do
			log=$out/$kind/$name-$i.log
			vm_boot "$(built "$kind" "$name")" "$log" > /dev/null 2>&1
			rc=$?
			if [ "$name" = debug ]; then
				ms=$(debug_stages "$log")
			else
				ms=$(span "$log" "$(start_re "$kind" "$name")" "$(end_re "$name")")
			fi
			drv=$(vm_report "$log" 0000:00:02.0 driver)
			if [ "$rc" != 0 ] || [ -z "$ms" ] || [ "$drv" != vfio-pci ]; then
				echo "bench-vm: $kind $name boot $i: qemu status $rc, span '${ms:-}', 0000:00:02.0 on '${drv:-}' ($log)" >&2
				status=1
				continue
			fi
			echo "$ms" >> "$out/$kind/$name.ms"
			if [ "$name" = floor ] && [ "$kind" = initramfs-tools ]; then
				span "$log" 'vbt-bench: vfio floor start' 'vbt-bench: vfio floor done' >> "$out/$kind/floor-own.ms"
			fi
			echo "$kind $name boot $i: $ms ms (boot to power-off $VM_SECONDS s, load $(cut -d' ' -f1-3 /proc/loadavg))"
		done
	done
done

# stats FILE [COLUMN]: "median min max n"
stats() {
	awk -v c="${2:-1}" '{ print $c }' "$1" | sort -n |
		awk '{ a[NR] = $1 } END { if (NR) printf "%s %s %s %d\n", a[int((NR + 1) / 2)], a[1], a[NR], NR }'
}
ratio() { awk -v v="$1" -v f="$2" 'BEGIN { if (v != "" && f > 0) printf "%.2f", v / f; else printf "-" }'; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A med rng
echo
echo "kernel $VM_KVER, TCG 1 vCPU, $(nproc) CPUs shared, load average $load"
for kind in $built_kinds; do
	echo
	case $kind in
		dracut) echo "== dracut (non-systemd): mark (pre-udev hook 29) -> early run done; floor: pre-udev hook 30, its two lines" ;;
		dracut-systemd) echo "== dracut-systemd: mark (vfio-bind.service, sh -c before exec) -> early run done; floor: vbt-floor.service, its two lines" ;;
		initramfs-tools) echo "== initramfs-tools: mark (init-top 00-vbt-bench-mark) -> early run done (00-vfio-bind); floor: the same mark -> its last line (00-vbt-floor)" ;;
	esac
	printf '%-16s %6s %10s %18s\n' image boots "median ms" "range ms"
	for name in $IMAGES floor-own; do
		[ "$name" = floor-own ] && [ "$kind" != initramfs-tools ] && continue
		read -r m lo hi n < <(stats "$out/$kind/$name.ms")
		med[$kind.$name]=${m:-}
		rng[$kind.$name]=${lo:--}-${hi:--}
		printf '%-16s %6s %10s %18s\n' "$name" "${n:-0}" "${m:--}" "${lo:--}-${hi:--}"
		m='' lo='' hi='' n=''
	done
	r=$(ratio "${med[$kind.vfio-bind]}" "${med[$kind.floor]}")
	rt=$(ratio "${med[$kind.vfio-bind-tool]}" "${med[$kind.floor]}")
	met=$(awk -v r="$r" -v g="$GOAL" 'BEGIN { print (r != "-" && r <= g) ? "met" : "not met" }')
	echo "vfio-bind / floor (medians): ${r}×; goal ≤ ${GOAL}×: $met"
	echo "vfio-bind-tool / floor (medians): ${rt}× (the tool with shared libyaml and json-c)"
	if [ "$kind" = initramfs-tools ]; then
		echo "(floor-own: the floor's own two lines, without the start of its script's shell)"
	fi
	if [ "$kind" = dracut ] && [ "$BREAKDOWN" = 1 ] && [ -s "$out/$kind/debug.ms" ]; then
		echo "early run per stage, vfio-bind -v (VBT_BENCH=debug), $(wc -l < "$out/$kind/debug.ms") boots, median (range) ms:"
		col=1
		for st in "exec, ld.so, start to its first line" "copy to /run, command line, configuration" \
			"record, enumeration, selection, console check, libkmod, resolution" \
			"plan (and the debug lines)" "lock, module lookup and loads up to vfio's init" \
			"the other module loads, override, unbind, probe, check" "record, last line" \
			"whole early run (mark -> done)" "a second run, nothing to do (hook 30, own clock)"; do
			read -r m lo hi n < <(stats "$out/$kind/debug.ms" "$col")
			printf '  %-68s %7s (%s-%s)\n' "$st" "$m" "$lo" "$hi"
			col=$((col + 1))
		done
	fi
done
echo
echo "Summary (medians in ms, ranges, load average $load at the end):"
printf '| %-15s | %-22s | %-22s | %-22s | %-8s | %-8s |\n' kind vfio-bind vfio-bind-tool floor "vb/floor" "tool/fl"
echo '|---|---|---|---|---|---|'
for kind in $built_kinds; do
	printf '| %-15s | %-22s | %-22s | %-22s | %7s× | %7s× |\n' "$kind" \
		"${med[$kind.vfio-bind]:--} (${rng[$kind.vfio-bind]})" \
		"${med[$kind.vfio-bind-tool]:--} (${rng[$kind.vfio-bind-tool]})" \
		"${med[$kind.floor]:--} (${rng[$kind.floor]})" \
		"$(ratio "${med[$kind.vfio-bind]}" "${med[$kind.floor]}")" \
		"$(ratio "${med[$kind.vfio-bind-tool]}" "${med[$kind.floor]}")"
done
cat << EOT
goal vfio-bind / floor ≤ ${GOAL}× in every kind. vfio-bind, vfio-bind-tool: from the mark just before
vfio-bind's exec (initramfs-tools: before its init-top script) to "vfio-bind: early run done":
exec, ld.so, configuration, enumeration, resolution, six module loads, override, probe, checks.
floor: modprobe vfio-pci and the writes. Kernel log timestamps; the guest runs on one TCG vCPU,
~25x slower than native.
EOT
exit $status
