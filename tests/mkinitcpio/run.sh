#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/mkinitcpio/run.sh -- suite "mkinitcpio": the project's mkinitcpio hooks, installed by
# 'make install DESTDIR=$stage'.
#
# 1. Always (static): the installed files, bash -n / shellcheck (bash) on the install hook,
#    dash -n / busybox ash -n / shellcheck (sh) on the runtime hook, and the install hook
#    sourced in a stub mkinitcpio that records add_binary/add_file/add_module/add_symlink/
#    add_runscript and warnings: what it asks for, per initramfs kind and configuration.
# 2. With MKINITCPIO_SRC (mkinitcpio's source at a release tag, e.g.
#    'git clone -b v41 https://gitlab.archlinux.org/archlinux/mkinitcpio/mkinitcpio.git'),
#    as root: mkinitcpio's real scripts, staged as Arch installs them, run as 'mkinitcpio -k
#    KVER -g OUT' in a private mount namespace (tests/mkinitcpio/build-image.sh: / read-only,
#    /usr and /etc overlays in the work dir) against the module trees of tests/kmods/mktrees.sh;
#    the images listed with mkinitcpio's lsinitcpio; sizes measured; the busybox image booted
#    in QEMU (tests/vm/lib.sh; MKCPIO_BOOT=0 skips it): two identical e1000e, 00:02.0 bound
#    by address to vbt_e1000e_vfio_pci from the variants tree, the twin on e1000e, which is
#    in mkinitcpio.conf's MODULES (loaded between the early hooks and udev's trigger).
#    Without MKINITCPIO_SRC that part prints SKIP.
#
# Environment: MKINITCPIO_SRC, MKCPIO_CACHE (default tests/.cache/mkinitcpio), MKCPIO_BOOT.
# Prints one line per check, "# ..." figures, and "N passed, M failed" last.

# Checks are functions called through check():
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
passed=0
failed=0
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"

W=${MKCPIO_CACHE:-$repo/tests/.cache/mkinitcpio}
stage=$W/stage
mkdir -p "$W"
W=$(cd "$W" && pwd)

# --- 1. installed files ---------------------------------------------------------------------
rm -rf "$stage"
if make -C "$repo" -s install DESTDIR="$stage" PREFIX=/usr BUILDDIR="$W/build" SANITIZE= \
	> "$W/install.log" 2>&1; then
	ok "make install DESTDIR=$stage"
else
	bad "make install failed: $(tail -n 3 "$W/install.log")"
	finish
fi
ihook=$stage/usr/lib/initcpio/install/vfio-bind
rhook=$stage/usr/lib/initcpio/hooks/vfio-bind
check "installed install/vfio-bind (644) and hooks/vfio-bind (755)" \
	test "$(stat -c %a "$ihook" "$rhook" 2> /dev/null | tr '\n' ' ')" = "644 755 "
no_placeholders() { ! grep -q '@[A-Z_]*@' "$ihook" "$rhook"; }
check "no @...@ left in the installed hooks" no_placeholders
check "install hook: bash -n" bash -n "$ihook"
check "install hook: shellcheck (bash)" shellcheck -S style -s bash "$ihook"
check "runtime hook: dash -n" dash -n "$rhook"
if command -v busybox > /dev/null; then
	check "runtime hook: busybox ash -n" busybox ash -n "$rhook"
fi
check "runtime hook: shellcheck (sh)" shellcheck -S style -s sh "$rhook"

# --- 1b. the install hook in a stub mkinitcpio ----------------------------------------------
# stub_build LOG "HOOKS..." KERNELVERSION [MODDIR]: source the installed install hook and run build()
# with VFIO_BIND_ROOT=$stage, recording each add_* call and warning in LOG (one a line).
stub_build() {
	local log=$1 hooks=$2
	: > "$log"
	(
		# shellcheck disable=SC2034 # read by the hook
		read -ra _hooks <<< "$hooks"
		# shellcheck disable=SC2034
		KERNELVERSION=$3 BUILDROOT=/nonexistent _d_kmoduledir=${4:-/lib/modules/$3}
		export VFIO_BIND_ROOT=$stage
		add_binary() { echo "add_binary $*" >> "$log"; [ -x "$1" ]; }
		add_file() { echo "add_file $*" >> "$log"; [ -f "$1" ]; }
		add_module() { echo "add_module $*" >> "$log"; }
		add_symlink() { echo "add_symlink $*" >> "$log"; }
		add_runscript() { echo "add_runscript ${BASH_SOURCE[1]##*/}" >> "$log"; }
		warning() { local f=$1; shift; printf "warning $f\n" "$@" >> "$log"; }
		error() { local f=$1; shift; printf "error $f\n" "$@" >> "$log"; }
		map() { local r=0 f=$1 a; shift; for a; do "$f" "$a" || r=1; done; return "$r"; }
		in_array() { local n=$1 x; shift; for x; do [[ $x == "$n" ]] && return 0; done; return 1; }
		# shellcheck disable=SC1090
		. "$ihook"
		build
	) 2>> "$log.stderr"
}
has() { grep -qxF "$2" "$1"; }
hasnt() { ! grep -qF "$2" "$1"; }

# The kernel version: that of the test module trees when they are built, else this host's; the
# stub's default module dir /lib/modules/KVER has no tree, so 'vfio-bind modules' fails there
# (1b checks the warning); the trees, when built, are given as the module dir (below).
KVER=$(cat "$repo/tests/.cache/kmods/kver" 2> /dev/null || uname -r)
cfg=$stage/etc/vfio-bind.yaml
dropin=$stage/etc/vfio-bind.d/50-test.yaml
mkdir -p "$stage/etc/vfio-bind.d"
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n    driver: vbt_e1000e_vfio_pci\n' > "$cfg"
printf 'version: 1\ndevices:\n  - address: "0000:00:05.0"\n' > "$dropin"
log=$W/stub

stub_build "$log.busybox" "base vfio-bind udev" "$KVER"
check "stub busybox: the initramfs copy, to @SBINDIR@/vfio-bind" \
	has "$log.busybox" "add_binary $stage/usr/lib/vfio-bind/vfio-bind-boot /usr/sbin/vfio-bind"
# a build without the initramfs copy (e.g. a hand-made install): the tool itself goes in
mv "$stage/usr/lib/vfio-bind/vfio-bind-boot" "$W/vfio-bind-boot.away"
stub_build "$log.nocopy" "base vfio-bind udev" "$KVER"
mv "$W/vfio-bind-boot.away" "$stage/usr/lib/vfio-bind/vfio-bind-boot"
check "stub busybox, no initramfs copy installed: the tool, to @SBINDIR@" \
	has "$log.nocopy" "add_binary $stage/usr/sbin/vfio-bind /usr/sbin/vfio-bind"
check "stub busybox: the configuration, to /etc/vfio-bind.yaml" \
	has "$log.busybox" "add_file $cfg /etc/vfio-bind.yaml"
check "stub busybox: the drop-in, to /etc/vfio-bind.d/50-test.yaml" \
	has "$log.busybox" "add_file $dropin /etc/vfio-bind.d/50-test.yaml"
core_mods() { has "$1" "add_module vfio" && has "$1" "add_module vfio_pci" && has "$1" "add_module vfio_iommu_type1"; }
check "stub busybox: vfio, vfio_pci, vfio_iommu_type1" core_mods "$log.busybox"
check "stub busybox: the udev rule (udev is in HOOKS)" \
	has "$log.busybox" "add_file $stage/usr/lib/udev/rules.d/70-vfio-bind.rules /usr/lib/udev/rules.d/70-vfio-bind.rules"
check "stub busybox: the runtime hook (add_runscript), no unit" \
	eval 'has "$log.busybox" "add_runscript vfio-bind" && hasnt "$log.busybox" vfio-bind.service'
if [ -e "/lib/modules/$KVER/modules.dep" ]; then
	echo "# stub: /lib/modules/$KVER/modules.dep exists: 'modules' failure not checked"
else
	check "stub busybox: 'vfio-bind modules' fails without a tree: a warning naming the kernel" \
		grep -q "^warning vfio-bind: 'vfio-bind modules --kver $KVER --moddir /lib/modules/$KVER' failed" "$log.busybox"
fi

stub_build "$log.systemd" "base systemd vfio-bind" "$KVER"
check "stub systemd: the unit, to /usr/lib/systemd/system" \
	has "$log.systemd" "add_file $stage/usr/lib/systemd/system/vfio-bind.service /usr/lib/systemd/system/vfio-bind.service"
check "stub systemd: enabled (sysinit.target.wants)" \
	has "$log.systemd" "add_symlink /usr/lib/systemd/system/sysinit.target.wants/vfio-bind.service ../vfio-bind.service"
check "stub systemd: no runtime hook; the rule" \
	eval 'hasnt "$log.systemd" add_runscript && grep -q "^add_file .*70-vfio-bind.rules" "$log.systemd"'

stub_build "$log.noudev" "base vfio-bind" "$KVER"
check "stub without udev: no rule, the runtime hook" \
	eval 'hasnt "$log.noudev" 70-vfio-bind.rules && has "$log.noudev" "add_runscript vfio-bind"'

stub_build "$log.none" "base vfio-bind udev" none
check "stub KERNELVERSION=none: 'modules' not asked, no warning about it" \
	hasnt "$log.none" "modules --kver"

printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n  bad\n' > "$cfg"
stub_build "$log.broken" "base vfio-bind udev" "$KVER"
stub_rc=$?
check "stub broken config: build() returns 0" test "$stub_rc" = 0
check "stub broken config: a warning, the config still added" \
	eval 'grep -q "^warning vfio-bind: the configuration has errors" "$log.broken" && has "$log.broken" "add_file $cfg /etc/vfio-bind.yaml"'
check "stub broken config: validate's error names the file" grep -q "vfio-bind.yaml:" "$log.broken.stderr"
rm -rf "$stage/etc/vfio-bind.yaml" "$stage/etc/vfio-bind.d"
stub_build "$log.noconf" "base vfio-bind udev" "$KVER"
check "stub no config: a warning, no add_file of a config" \
	eval 'grep -q "^warning vfio-bind: no .*vfio-bind.yaml" "$log.noconf" && hasnt "$log.noconf" "/etc/vfio-bind.yaml /etc"'

# the modules from a real tree, as mkinitcpio gives it (_d_kmoduledir; -r DIR moves it)
trees=$repo/tests/.cache/kmods
if [ -d "$trees/variants/lib/modules/$KVER" ]; then
	printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n    driver: vbt_e1000e_vfio_pci\n' > "$cfg"
	stub_build "$log.tree" "base vfio-bind udev" "$KVER" "$trees/variants/lib/modules/$KVER"
	check "stub with the variants tree as _d_kmoduledir: the configuration's driver module" \
		has "$log.tree" "add_module vbt_e1000e_vfio_pci"
	check "stub with the variants tree: no warning" eval '! grep -q ^warning "$log.tree"'
	rm -f "$cfg"
else
	echo "# SKIP stub with a module tree: needs tests/kmods/mktrees.sh's trees"
fi

# --- 2. mkinitcpio's real scripts -----------------------------------------------------------
skip_real() {
	echo "SKIP mkinitcpio real run: $*"
	finish
}
[ -n "${MKINITCPIO_SRC:-}" ] || skip_real "MKINITCPIO_SRC is not set (mkinitcpio's source at a release tag)"
[ -f "$MKINITCPIO_SRC/mkinitcpio" ] && [ -f "$MKINITCPIO_SRC/functions" ] ||
	skip_real "$MKINITCPIO_SRC has no mkinitcpio and functions"
[ "$(id -u)" = 0 ] || skip_real "needs root (mount namespace, overlays)"
command -v unshare > /dev/null || skip_real "no unshare"
line=$("$repo/tests/kmods/mktrees.sh" "$trees") || skip_real "no module trees (tests/kmods/mktrees.sh)"
KVER=${line#kver=}

# mkinitcpio staged as its meson build installs it on Arch (placeholders filled in), with
# Debian's paths where Arch's differ: PATH gets /usr/sbin (Arch has no separate sbin: blkid,
# switch_root, modinfo), busybox is Debian's, libkmod.so.2 is linked where install/udev looks
# for it. bsdtar and bsdcpio (libarchive-tools) are taken from the host or unpacked from its .deb.
stage_mkinitcpio() { # SRC DEST: prints the version
	local src=$1 dst=$2 ver
	ver=$(sed -n 's/^CHANGES WITH v\([0-9.]*\).*/\1/p' "$src/CHANGELOG" | head -n 1)
	[ -n "$ver" ] || return 1
	rm -rf "$dst"
	mkdir -p "$dst/usr/lib/initcpio" "$dst/usr/bin"
	cp -a "$src/functions" "$src/init" "$src/init_functions" "$src/hooks" "$src/install" \
		"$src/udev" "$dst/usr/lib/initcpio/" || return 1
	cp -a "$src/mkinitcpio" "$src/lsinitcpio" "$dst/usr/bin/" || return 1
	find "$dst" -name meson.build -delete
	find "$dst" -type f -exec sed -i -e "s|@VERSION@|$ver|g" \
		-e 's|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g' -e 's|@SYSCONFDIR@|/etc|g' \
		-e 's|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g' -e 's|@BINDIR@|/usr/bin:/usr/sbin|g' \
		-e 's|@UDEVD_PATH@|/usr/lib/systemd/systemd-udevd|g' \
		-e 's|@TMPFILES_PATH@|/usr/bin/systemd-tmpfiles|g' \
		-e 's|@VCONSOLE_CONF@|/etc/vconsole.conf|g' {} + || return 1
	chmod 755 "$dst/usr/bin/mkinitcpio" "$dst/usr/bin/lsinitcpio"
	# binaries the systemd hook adds from /usr/bin, in /usr/sbin on Debian 12
	local b
	for b in sulogin swapon swapoff; do
		[ -e "/usr/bin/$b" ] || ln -s "../sbin/$b" "$dst/usr/bin/$b"
	done
	cp /usr/bin/busybox "$dst/usr/lib/initcpio/busybox" || return 1
	ln -s "$(dirname "$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)")/libkmod.so.2" \
		"$dst/usr/lib/libkmod.so.2"
	if ! command -v bsdtar > /dev/null || ! command -v bsdcpio > /dev/null; then
		local deb
		deb=$(ls "$repo"/tests/.cache/debs/libarchive-tools_*.deb 2> /dev/null | tail -n 1)
		if [ -z "$deb" ]; then
			(cd "$repo/tests/.cache/debs" && apt-get download libarchive-tools) > /dev/null 2>&1
			deb=$(ls "$repo"/tests/.cache/debs/libarchive-tools_*.deb 2> /dev/null | tail -n 1)
		fi
		[ -n "$deb" ] || return 1
		dpkg -x "$deb" "$dst/bsdtar" && cp "$dst/bsdtar/usr/bin/bsdtar" "$dst/bsdtar/usr/bin/bsdcpio" "$dst/usr/bin/" &&
			rm -rf "$dst/bsdtar" || return 1
	fi
	echo "$ver"
}
mkdir -p "$repo/tests/.cache/debs"
mkver=$(stage_mkinitcpio "$MKINITCPIO_SRC" "$W/mkroot") || skip_real "cannot stage mkinitcpio from $MKINITCPIO_SRC"
echo "# mkinitcpio $mkver (from $MKINITCPIO_SRC), kernel $KVER"

# What the host has before: none of these may exist after (the builds see them in overlays).
host_paths=(/usr/lib/initcpio /usr/bin/mkinitcpio /etc/mkinitcpio.conf /etc/vfio-bind.yaml
	/etc/vfio-bind.d /usr/sbin/vfio-bind "/usr/lib/modules/$KVER/modules.dep")
host_before=$(ls -d "${host_paths[@]}" 2> /dev/null)

# mkimage NAME TREE "HOOKS" "MODULES" COMPRESSION [CONFIG [DROPIN]]: build $W/out/NAME.img, log in
# $W/out/NAME.log; its status is mkinitcpio's
mkdir -p "$W/out"
mkimage() {
	local name=$1
	(
		export W KVER STAGE=$stage MKROOT=$W/mkroot TREE=$trees/$2/lib/modules/$KVER \
			HOOKS=$3 MODULES=$4 COMPRESSION=$5 CONFIG=${6:-} DROPIN=${7:-} EXTRA=${EXTRA:-} \
			OUT=$W/out/$name.img MODROOT=${MODROOT:-}
		exec unshare -m --propagation private "$here/build-image.sh"
	) > "$W/out/$name.log" 2>&1
}
# lsimage NAME: the image's file list (mkinitcpio's lsinitcpio); extracts into $W/out/NAME.d
lsimage() {
	rm -rf "$W/out/$1.d"
	mkdir -p "$W/out/$1.d"
	local lsi=$W/mkroot/usr/bin/lsinitcpio
	export MKINITCPIO_LIBRARY=$W/mkroot/usr/lib/initcpio
	PATH=$W/mkroot/usr/bin:$PATH "$lsi" "$W/out/$1.img" > "$W/out/$1.list" &&
		(cd "$W/out/$1.d" && PATH=$W/mkroot/usr/bin:$PATH "$lsi" -x "$W/out/$1.img")
}
in_image() { grep -qE "^($2)\$" "$W/out/$1.list"; }

addr_cfg=$W/addr.yaml
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n    driver: vbt_e1000e_vfio_pci\n' > "$addr_cfg"
broken_cfg=$W/broken.yaml
printf 'version: 1\ndevices:\n  - address: "0000:00:02.0"\n  bad\n' > "$broken_cfg"
build_ok() { # NAME: mkinitcpio exited 0 without an ERROR line
	grep -q "Running build hook: \[vfio-bind\]" "$W/out/$1.log" && ! grep -q 'ERROR' "$W/out/$1.log"
}
no_vfio_error() { ! grep 'ERROR' "$W/out/$1.log" | grep -qi 'vfio'; }

# --- 2a. busybox initramfs: HOOKS=(base vfio-bind udev), e1000e in MODULES
t=$(now)
dropin_cfg=$W/dropin.yaml
printf 'version: 1\ndevices:\n  - address: "0000:00:05.0"\n' > "$dropin_cfg"
mkimage busybox variants "base vfio-bind udev" e1000e cat "$addr_cfg" "$dropin_cfg"
rc=$?
echo "# busybox image built in $(since "$t") s"
check "busybox: mkinitcpio exits 0, runs the vfio-bind build hook, no ERROR" \
	eval '[ "$rc" = 0 ] && build_ok busybox'
lsimage busybox
check "busybox: lsinitcpio lists the image" test -s "$W/out/busybox.list"
check "busybox: the binary (usr/sbin is usr/bin in the image)" in_image busybox 'usr/bin/vfio-bind'
# the initramfs copy: libyaml and json-c are linked into it
check "busybox: its libraries (libkmod, libudev; no libyaml nor libjson-c: the initramfs copy)" eval \
	'! in_image busybox "usr/lib/.*libyaml-0\.so" && ! in_image busybox "usr/lib/.*libjson-c\.so" &&
	in_image busybox "usr/lib/.*libkmod\.so\.2.*" && in_image busybox "usr/lib/.*libudev\.so\.1.*" &&
	grep -qa "is not in the initramfs copy" "$W/out/busybox.d/usr/bin/vfio-bind"'
check "busybox: the configuration, identical" cmp -s "$addr_cfg" "$W/out/busybox.d/etc/vfio-bind.yaml"
check "busybox: the drop-in, identical" cmp -s "$dropin_cfg" "$W/out/busybox.d/etc/vfio-bind.d/50-test.yaml"
check "busybox: the udev rule" in_image busybox 'usr/lib/udev/rules.d/70-vfio-bind.rules'
check "busybox: the runtime hook" in_image busybox 'hooks/vfio-bind'
# file names have dashes or underscores (vfio-pci.ko, vfio_iommu_type1.ko)
kmod_in() { in_image busybox "usr/lib/modules/$KVER/.*/${1//_/[-_]}\.ko(\.[a-z]+)?"; }
check "busybox: modules vfio, vfio_pci, vfio_iommu_type1" \
	eval 'kmod_in vfio && kmod_in vfio_pci && kmod_in vfio_iommu_type1'
check "busybox: the configuration's driver module vbt_e1000e_vfio_pci (variants tree)" kmod_in vbt_e1000e_vfio_pci
check "busybox: /etc/initrd-release (vfio-bind keeps its copy under /run)" \
	test -e "$W/out/busybox.d/etc/initrd-release" -o -L "$W/out/busybox.d/etc/initrd-release"
# /config: EARLYHOOKS in HOOKS order; vfio-bind has no run_hook
earlyhooks=$(sed -n 's/^EARLYHOOKS="\(.*\)"$/\1/p' "$W/out/busybox.d/config")
runhooks=$(sed -n 's/^HOOKS="\(.*\)"$/\1/p' "$W/out/busybox.d/config")
echo "# busybox /config: EARLYHOOKS=\"$earlyhooks\" HOOKS=\"$runhooks\""
check "busybox: /config runs vfio-bind's early hook before udev's (EARLYHOOKS=\"vfio-bind udev\")" \
	test "$earlyhooks" = "vfio-bind udev"
check "busybox: vfio-bind is no run_hook (HOOKS=\"udev\"); MODULES=\"e1000e\" after early hooks" \
	eval '[ "$runhooks" = udev ] && grep -qx "MODULES=\"e1000e\"" "$W/out/busybox.d/config"'
check "busybox: the hook calls the binary the image has" eval \
	'p=$(sed -n "s|^ *\(/[^ ]*/vfio-bind\) apply --boot.*|\1|p" "$W/out/busybox.d/hooks/vfio-bind");
	[ -n "$p" ] && [ -x "$W/out/busybox.d$p" ]'
# the image's binary runs with the image's libraries only (read-only verb)
check "busybox: the image's vfio-bind validates the image's configuration (chroot)" \
	chroot "$W/out/busybox.d" /usr/bin/vfio-bind validate /etc/vfio-bind.yaml /etc/vfio-bind.d/50-test.yaml

# --- 2b. systemd initramfs: HOOKS=(base systemd vfio-bind)
mkimage systemd debian "base systemd vfio-bind" "" cat "$addr_cfg"
rc=$?
echo "# systemd image: mkinitcpio exit $rc; ERROR lines (Debian's systemd is not Arch's):" \
	"$(grep -c ERROR "$W/out/systemd.log")"
check "systemd: the vfio-bind build hook ran, no ERROR about vfio-bind" \
	eval 'grep -q "Running build hook: \[vfio-bind\]" "$W/out/systemd.log" && no_vfio_error systemd'
lsimage systemd
check "systemd: the unit and its sysinit.target.wants link" eval \
	'in_image systemd usr/lib/systemd/system/vfio-bind.service &&
	[ "$(readlink "$W/out/systemd.d/usr/lib/systemd/system/sysinit.target.wants/vfio-bind.service")" = ../vfio-bind.service ]'
check "systemd: no runtime hook; binary, config, rule" eval \
	'! in_image systemd hooks/vfio-bind && in_image systemd usr/bin/vfio-bind &&
	in_image systemd etc/vfio-bind.yaml && in_image systemd usr/lib/udev/rules.d/70-vfio-bind.rules'
check "systemd: the unit's ExecStart binary is in the image" eval \
	'p=$(sed -n "s/^ExecStart=\([^ ]*\).*/\1/p" "$W/out/systemd.d/usr/lib/systemd/system/vfio-bind.service");
	[ -n "$p" ] && [ -x "$W/out/systemd.d$p" ]'
check "systemd: ordered before systemd-udev-trigger.service" \
	grep -q '^Before=.*systemd-udev-trigger.service' "$W/out/systemd.d/usr/lib/systemd/system/vfio-bind.service"

# --- 2c. a broken configuration: a warning, the image is built
mkimage broken variants "base vfio-bind udev" e1000e cat "$broken_cfg"
rc=$?
check "broken config: mkinitcpio exits 0, no ERROR" eval '[ "$rc" = 0 ] && build_ok broken'
check "broken config: WARNING, validate's error names the file" eval \
	'grep -q "WARNING: vfio-bind: the configuration has errors" "$W/out/broken.log" &&
	grep -q "vfio-bind.yaml:" "$W/out/broken.log"'

# --- 2c'. an image builder's run: 'mkinitcpio -r DIR' with the variants tree, which is not
# in /usr/lib/modules; configuration by id (the build host has no such device): the variant
# driver comes from that tree (needs 'vfio-bind modules --moddir')
id_cfg=$W/id.yaml
printf 'version: 1\ndevices:\n  - id: "8086:10d3"\n' > "$id_cfg"
if "$stage/usr/sbin/vfio-bind" modules --help 2>&1 | grep -q -- --moddir; then
	MODROOT=$trees/variants mkimage moduleroot variants "base vfio-bind udev" "" cat "$id_cfg"
	rc=$?
	check "moduleroot (-r): mkinitcpio exits 0, no ERROR, no warning from vfio-bind" \
		eval '[ "$rc" = 0 ] && build_ok moduleroot && ! grep -q "WARNING: vfio-bind" "$W/out/moduleroot.log"'
	lsimage moduleroot
	check "moduleroot (-r): the variant module for the id, from the -r tree" \
		in_image moduleroot "usr/lib/modules/$KVER/.*/vbt[-_]e1000e[-_]vfio[-_]pci\.ko(\.[a-z]+)?"
else
	echo "# SKIP moduleroot (-r): this vfio-bind's 'modules' has no --moddir"
fi

# --- 2d. sizes: the busybox image with and without vfio-bind (cat and zstd, Arch's default)
mkimage none variants "base udev" e1000e cat
mkimage busybox-zstd variants "base vfio-bind udev" e1000e zstd "$addr_cfg"
mkimage none-zstd variants "base udev" e1000e zstd
size() { stat -c %s "$W/out/$1.img"; }
lsimage none
mods_bytes() { (cd "$W/out/$1.d" && find "usr/lib/modules" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'); }
if [ -s "$W/out/none.img" ] && [ -s "$W/out/busybox-zstd.img" ] && [ -s "$W/out/none-zstd.img" ]; then
	d=$(($(size busybox) - $(size none)))
	dm=$(($(mods_bytes busybox) - $(mods_bytes none)))
	echo "# busybox image: $(size busybox) bytes with vfio-bind, $(size none) without: +$d" \
		"(+$((d / 1024)) KiB; kernel modules +$((dm / 1024)) KiB, the rest +$(((d - dm) / 1024)) KiB)"
	dz=$(($(size busybox-zstd) - $(size none-zstd)))
	echo "# zstd: $(size busybox-zstd) with, $(size none-zstd) without: +$dz (+$((dz / 1024)) KiB)"
	ok "sizes measured"
else
	bad "sizes: an image is missing"
fi

# --- 2e. boots (QEMU, TCG): the busybox image with a test hook that reports after udev's
# run_hook (coldplug and settle) and powers off: HOOKS=(base vfio-bind udev vbt-report)
if [ "${MKCPIO_BOOT:-1}" = 1 ]; then
	extra=$W/extra
	rm -rf "$extra"
	mkdir -p "$extra"
	cp -a "$here/report/." "$extra/"
	cp "$repo/tests/vm/dracut/59vbt-report/vbt-report.sh" "$extra/vbt-report.sh"
	EXTRA=$extra mkimage boot variants "base vfio-bind udev vbt-report" e1000e cat "$addr_cfg"
	check "boot image: mkinitcpio exits 0, no ERROR" build_ok boot
	EXTRA=$extra mkimage boot-broken variants "base vfio-bind udev vbt-report" e1000e cat "$broken_cfg"
	export VM_CACHE=$W/vm VM_KMODS=$trees VM_TREE=variants
	kmsg() { vm_dmesg "$1" | grep -Eq -- "$2"; }
	kmsg_time() { vm_dmesg "$1" | grep -E -- "$2" | head -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
	# vmboot NAME IMAGE [cmdline]: boot to power-off; LOG is the console log
	vmboot() {
		LOG=$W/out/vm-$1.log
		vm_boot "$2" "$LOG" "" "${3:-}"
		local rc=$?
		echo "# vm-$1: boot to power-off $VM_SECONDS s"
		check "vm-$1: boot went on to the report (qemu status $rc)" \
			eval '[ "$rc" = 0 ] && tr -d "\r" < "$LOG" | grep -q "^VMREPORT-END"'
	}
	drv() { echo "$(vm_report "$LOG" "$1" driver)/$(vm_report "$LOG" "$1" override)"; }

	vmboot addr "$W/out/boot.img"
	check "vm-addr: 0000:00:02.0 on vbt_e1000e_vfio_pci (driver/override)" \
		test "$(drv 0000:00:02.0)" = vbt_e1000e_vfio_pci/vbt_e1000e_vfio_pci
	check "vm-addr: its twin 0000:00:03.0 on e1000e" test "$(vm_report "$LOG" 0000:00:03.0 driver)" = e1000e
	check "vm-addr: e1000e (in MODULES) never probed 00:02.0, did probe 00:03.0" \
		eval '! kmsg "$LOG" "e1000e 0000:00:02.0" && kmsg "$LOG" "e1000e 0000:00:03.0 eth[0-9]+: "'
	check "vm-addr: kernel log: bound, early run done with 1 bound, 0 failed" \
		eval 'kmsg "$LOG" "vfio-bind: 0000:00:02.0: bound to vbt_e1000e_vfio_pci$" &&
			kmsg "$LOG" "vfio-bind: early run done in .* 1 bound, 0 failed$"'
	t_done=$(kmsg_time "$LOG" 'vfio-bind: early run done')
	t_e1000e=$(kmsg_time "$LOG" 'e1000e 0000:')
	t_start=$(kmsg_time "$LOG" 'vfio-bind: early run starting')
	echo "# vm-addr: early run $t_start -> $t_done s (kernel log), e1000e's first line $t_e1000e s;" \
		"$(vm_dmesg "$LOG" | sed -n 's/.*vfio-bind: \(early run done in .*\)/\1/p' | head -n 1)"
	check "vm-addr: the early run ended ($t_done s) before e1000e's first line ($t_e1000e s)" \
		awk -v a="${t_done:-99999}" -v b="${t_e1000e:-0}" 'BEGIN { exit !(a < b) }'
	check "vm-addr: /run/vfio-bind/initramfs has the configuration copy (for status)" \
		eval 'tr -d "\r" < "$LOG" | grep -q "^VMCOPY .*vfio-bind.yaml"'

	vmboot off "$W/out/boot.img" "vfio-bind=0"
	check "vm-off (vfio-bind=0): both on e1000e, override unset" eval \
		'[ "$(drv 0000:00:02.0)" = "e1000e/(null)" ] && [ "$(vm_report "$LOG" 0000:00:03.0 driver)" = e1000e ]'
	check "vm-off: nothing bound" eval '! kmsg "$LOG" "vfio-bind: 0000:00:02.0: bound"'

	vmboot broken "$W/out/boot-broken.img"
	check "vm-broken: both on e1000e" eval \
		'[ "$(vm_report "$LOG" 0000:00:02.0 driver)/$(vm_report "$LOG" 0000:00:03.0 driver)" = e1000e/e1000e ]'
	check "vm-broken: the error in the kernel log, naming the file" \
		kmsg "$LOG" "vfio-bind: /etc/vfio-bind.yaml:[0-9]+:[0-9]+: "
else
	echo "# SKIP boots: MKCPIO_BOOT=0"
fi

# --- 2f. nothing on the host changed
check "the host's root is unchanged (no initcpio, mkinitcpio.conf, vfio-bind files, module tree)" \
	test "$(ls -d "${host_paths[@]}" 2> /dev/null)" = "$host_before"
finish
