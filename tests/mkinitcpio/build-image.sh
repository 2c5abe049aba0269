#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-image.sh -- run mkinitcpio as an Arch user runs it (plain 'mkinitcpio -k KVER -g OUT'
# with /etc/mkinitcpio.conf, the hooks in /usr/lib/initcpio, the modules in
# /usr/lib/modules/KVER), in a private mount namespace where / is read-only and /usr and /etc
# are overlays whose writes land in the work dir. Called by run.sh through
# 'unshare -m --propagation private'; refuses to run in the host's mount namespace.
#
# Environment (all set by run.sh):
#   W        work dir (the only place written to)
#   STAGE    'make install DESTDIR=' of vfio-bind (the package's files)
#   MKROOT   mkinitcpio staged by run.sh (usr/bin/mkinitcpio, usr/lib/initcpio/...)
#   KVER     kernel version; TREE its module tree (mktrees.sh), seen as /usr/lib/modules/KVER
#   MODROOT  instead: 'mkinitcpio -r MODROOT' (MODROOT/lib/modules/KVER), as image builders run it
#   HOOKS    the HOOKS array's words; MODULES the MODULES array's words (may be empty)
#   COMPRESSION  mkinitcpio.conf's COMPRESSION (cat, zstd, ...)
#   CONFIG   a file to install as /etc/vfio-bind.yaml (empty: none)
#   DROPIN   a file to install as /etc/vfio-bind.d/50-test.yaml (empty: none)
#   EXTRA    a dir with install/ and hooks/ copied into /usr/lib/initcpio (test hooks; optional)
#   OUT      the image to write; mkinitcpio's output goes to stdout/stderr
set -euo pipefail

die() { echo "build-image: $*" >&2; exit 1; }

# the namespace must be private: compare with PID 1's mount namespace
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
	die "not in a private mount namespace (run it with unshare -m)"

ov=$(mktemp -d "$W/ov.XXXXXX")
mkdir -p "$ov/usr.upper" "$ov/usr.work" "$ov/etc.upper" "$ov/etc.work" "$ov/tmp"
mount --make-rprivate /
mount --bind "$W" "$W"
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$ov/usr.upper,workdir=$ov/usr.work" /usr
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ov/etc.upper,workdir=$ov/etc.work" /etc
# from here on, a write anywhere but $W, /usr, /etc (both into $ov) and the pseudo
# file systems fails with EROFS
mount -o remount,bind,ro /
if touch /vfio-bind-mkinitcpio-test 2> /dev/null; then
	die "/ is writable"
fi

# the package's files, as pacman would put them (and mkinitcpio itself)
cp -a "$STAGE/usr/." /usr/
if [ -d "$STAGE/etc" ]; then cp -a "$STAGE/etc/." /etc/; fi
cp -a "$MKROOT/usr/." /usr/
if [ -n "${EXTRA:-}" ]; then cp -a "$EXTRA/." /usr/lib/initcpio/; fi
# Arch's udev hook adds /etc/udev/hwdb.bin, which Debian does not have: a link to its own
if [ ! -e /etc/udev/hwdb.bin ] && [ -e /usr/lib/udev/hwdb.bin ]; then
	ln -s /usr/lib/udev/hwdb.bin /etc/udev/hwdb.bin
fi
rm -f /etc/vfio-bind.yaml
rm -rf /etc/vfio-bind.d
if [ -n "${CONFIG:-}" ]; then install -m 644 "$CONFIG" /etc/vfio-bind.yaml; fi
if [ -n "${DROPIN:-}" ]; then install -D -m 644 "$DROPIN" /etc/vfio-bind.d/50-test.yaml; fi
printf 'MODULES=(%s)\nBINARIES=()\nFILES=()\nHOOKS=(%s)\nCOMPRESSION="%s"\n' \
	"${MODULES:-}" "$HOOKS" "${COMPRESSION:-cat}" > /etc/mkinitcpio.conf
rc=0
if [ -n "${MODROOT:-}" ]; then
	# an image builder's run: the tree is not at /usr/lib/modules, mkinitcpio is told
	TMPDIR=$ov/tmp mkinitcpio -k "$KVER" -r "$MODROOT" -g "$OUT" || rc=$?
else
	mkdir -p "/usr/lib/modules/$KVER"
	mount --bind "$TREE" "/usr/lib/modules/$KVER"
	TMPDIR=$ov/tmp mkinitcpio -k "$KVER" -g "$OUT" || rc=$?
	umount -l "/usr/lib/modules/$KVER"
fi
umount -l /usr /etc
rm -rf "$ov"
exit "$rc"
