#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mktrees.sh OUTDIR -- module trees for vfio-bind's resolution tests.
#
#   OUTDIR/kver                           the Debian kernel ABI found at run time
#   OUTDIR/debian/lib/modules/$KVER/      Debian's linux-image-$KVER, unpacked, depmod'ed
#   OUTDIR/debian/boot/vmlinuz-$KVER      (its kernel, for the VM tests)
#   OUTDIR/variants/lib/modules/$KVER/    the same + test variant drivers in extra/
#   OUTDIR/builtin/lib/modules/$KVER/     the same as debian, but the vfio chain
#                                         built in (as Ubuntu builds it)
#   OUTDIR/bin/lookup                     tests/kmods/lookup.c (libkmod checker)
#
# Idempotent and cached: each stage keeps a stamp of its inputs and is rebuilt
# only when they change; a warm run does no more than find KVER and compare.
# Prints "kver=$KVER" on stdout; progress goes to stderr.
#
# Environment:
#   KVER           use this kernel ABI instead of asking apt (e.g. 6.1.0-56-amd64)
#   VBT_DEB_CACHE  where downloaded .debs are kept (default: tests/.cache/debs)
#   VBT_BUILTIN    modules made built-in in the builtin tree
#                  (default: "vfio vfio_virqfd vfio_iommu_type1 vfio_pci_core vfio_pci")
#
# Never touches the running system: no module is loaded, nothing under /lib
# or /sys is written.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { echo "mktrees: $*" >&2; exit 1; }
log() { echo "mktrees: $*" >&2; }

[ $# -eq 1 ] || die "usage: mktrees.sh OUTDIR"
mkdir -p "$1"
out=$(cd "$1" && pwd)

builtin_mods=${VBT_BUILTIN:-"vfio vfio_virqfd vfio_iommu_type1 vfio_pci_core vfio_pci"}

# --- KVER: never hard-coded ----------------------------------------------------
find_kver() {
	local k
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
		return
	fi
	# 1. the installed headers meta package: the variants are built against
	#    linux-headers-$KVER, so that is the ABI that works here (fast, no apt
	#    cache read);
	k=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([0-9][^ (]*\).*/\1/p' | head -n1)
	# 2. else what the archive's linux-image-amd64 depends on
	#    ("Depends: linux-image-6.1.0-56-amd64").
	if [ -z "$k" ]; then
		k=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n1)
	fi
	[ -n "$k" ] || die "cannot find the Debian kernel ABI (set KVER=...)"
	echo "$k"
}
kver=$(find_kver)

# --- stamps ------------------------------------------------------------------------
# A stage is up to date when OUTDIR/.stamp-NAME holds exactly its input key.
fresh() { [ -f "$out/.stamp-$1" ] && [ "$(cat "$out/.stamp-$1")" = "$2" ]; }
stamp() { printf '%s\n' "$2" > "$out/.stamp-$1"; }

self_sum=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
src_sum=$(cd "$here/variants" && cat Kbuild ./*.h ./*.c | sha256sum | cut -c1-16)
lookup_sum=$(sha256sum "$here/lookup.c" | cut -c1-16)

# The .deb: by name and size only (hashing 60 MB would spoil the warm run).
find_deb() {
	local d
	for d in "${VBT_DEB_CACHE:-$repo/tests/.cache/debs}" /var/cache/apt/archives; do
		{ ls "$d"/linux-image-"$kver"_*_amd64.deb 2>/dev/null || true; } | sort -V | tail -n1
	done | head -n1
}
deb=$(find_deb)
debkey=""
[ -n "$deb" ] && debkey="$(basename "$deb") $(stat -c %s "$deb")"

key_debian="$kver|$debkey|$self_sum"
key_variants="$key_debian|$src_sum"
key_builtin="$key_debian|$builtin_mods"
key_lookup="$lookup_sum"

if [ -n "$deb" ] && fresh debian "$key_debian" && fresh variants "$key_variants" &&
	fresh builtin "$key_builtin" && fresh lookup "$key_lookup"; then
	echo "kver=$kver"
	exit 0
fi

# --- helpers -------------------------------------------------------------------
# Make a private copy of a module tree: .ko files hard-linked (never modified
# in place), the modules.* index files copied (depmod rewrites them).
copy_tree() {
	local from=$1 to=$2
	mkdir -p "$to/lib/modules/$kver"
	cp -al "$from/lib/modules/$kver/kernel" "$to/lib/modules/$kver/kernel" 2>/dev/null ||
		cp -a "$from/lib/modules/$kver/kernel" "$to/lib/modules/$kver/kernel"
	cp "$from/lib/modules/$kver"/modules.builtin \
		"$from/lib/modules/$kver"/modules.builtin.modinfo \
		"$from/lib/modules/$kver"/modules.order "$to/lib/modules/$kver/"
}

# Swap a freshly built directory into place.
commit_dir() {
	rm -rf "${out:?}/${2:?}"
	mv "$1" "$out/$2"
}

# --- 1. debian ------------------------------------------------------------------
if [ -z "$deb" ]; then
	cache=${VBT_DEB_CACHE:-$repo/tests/.cache/debs}
	mkdir -p "$cache"
	log "downloading linux-image-$kver into $cache"
	(cd "$cache" && apt-get download "linux-image-$kver" >&2) ||
		die "apt-get download linux-image-$kver failed"
	deb=$(find_deb)
	[ -n "$deb" ] || die "no linux-image-$kver .deb after download"
	debkey="$(basename "$deb") $(stat -c %s "$deb")"
	key_debian="$kver|$debkey|$self_sum"
	key_variants="$key_debian|$src_sum"
	key_builtin="$key_debian|$builtin_mods"
fi

if ! fresh debian "$key_debian"; then
	log "unpacking $(basename "$deb")"
	rm -f "$out/.stamp-debian" "$out/.stamp-variants" "$out/.stamp-builtin"
	tmp="$out/.tmp-debian"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg -x "$deb" "$tmp"
	[ -d "$tmp/lib/modules/$kver/kernel" ] || die "$deb holds no lib/modules/$kver"
	rm -rf "${tmp:?}/usr/share"
	depmod -b "$tmp" "$kver"
	commit_dir "$tmp" debian
	printf '%s\n' "$kver" > "$out/kver"
	stamp debian "$key_debian"
fi

# --- 2. variants ----------------------------------------------------------------
if ! fresh variants "$key_variants"; then
	kbuild=/lib/modules/$kver/build
	[ -e "$kbuild/Makefile" ] || kbuild=/usr/src/linux-headers-$kver
	[ -e "$kbuild/Makefile" ] || die "linux-headers-$kver is not installed"
	log "building test variant drivers against $kbuild"
	rm -f "$out/.stamp-variants"
	bdir="$out/.build/variants"
	rm -rf "$bdir"
	mkdir -p "$bdir"
	cp "$here/variants/Kbuild" "$here/variants"/*.h "$here/variants"/*.c "$bdir/"
	make -s -C "$kbuild" M="$bdir" modules 2>&1 |
		grep -v '^Skipping BTF generation' >&2 || true
	ls "$bdir"/*.ko >/dev/null 2>&1 || die "kbuild produced no module"
	tmp="$out/.tmp-variants"
	rm -rf "$tmp"
	copy_tree "$out/debian" "$tmp"
	mkdir -p "$tmp/lib/modules/$kver/extra"
	cp "$bdir"/*.ko "$tmp/lib/modules/$kver/extra/"
	depmod -b "$tmp" "$kver"
	commit_dir "$tmp" variants
	stamp variants "$key_variants"
fi

# --- 3. builtin -----------------------------------------------------------------
# Ubuntu builds vfio-pci in (CONFIG_VFIO_PCI=y); the kernel cannot link built-in
# code against a module, so what vfio-pci needs (vfio-pci-core, vfio, virqfd) is
# built in too, and vfio_iommu_type1 follows VFIO (selected by it). For each
# module: its .ko goes, its path is added to modules.builtin, its .modinfo
# records go to modules.builtin.modinfo as "name.key=value\0" (what the kernel
# build writes, with file=), minus what only modpost adds to modules
# (depends, vermagic, name, intree, retpoline, srcversion).
if ! fresh builtin "$key_builtin"; then
	log "making the built-in vfio tree ($builtin_mods)"
	rm -f "$out/.stamp-builtin"
	tmp="$out/.tmp-builtin"
	rm -rf "$tmp"
	copy_tree "$out/debian" "$tmp"
	mdir="$tmp/lib/modules/$kver"
	for m in $builtin_mods; do
		rel=$(awk -v m="$m" -F: '{
			n = $1; sub(/.*\//, "", n); sub(/\.ko(\..*)?$/, "", n); gsub(/-/, "_", n)
			if (n == m) { print $1; exit }
		}' "$out/debian/lib/modules/$kver/modules.dep")
		[ -n "$rel" ] || die "module $m not found in modules.dep"
		case $rel in *.ko) ;; *) die "$rel: compressed modules not handled" ;; esac
		file=${rel#kernel/}
		file=${file%.ko}
		{
			printf '%s.file=%s\0' "$m" "$file"
			objcopy -O binary --only-section=.modinfo "$mdir/$rel" /dev/stdout |
				tr '\0' '\n' |
				grep -Ev '^(depends|vermagic|name|intree|retpoline|srcversion)=|^$' |
				sed "s/^/$m./" | tr '\n' '\0'
		} >> "$mdir/modules.builtin.modinfo"
		printf '%s\n' "$rel" >> "$mdir/modules.builtin"
		grep -vxF "$rel" "$mdir/modules.order" > "$mdir/modules.order.new" || true
		mv "$mdir/modules.order.new" "$mdir/modules.order"
		rm -f "$mdir/$rel"
	done
	depmod -b "$tmp" "$kver"
	commit_dir "$tmp" builtin
	stamp builtin "$key_builtin"
fi

# --- lookup checker -------------------------------------------------------------
if ! fresh lookup "$key_lookup"; then
	mkdir -p "$out/bin"
	# shellcheck disable=SC2046 # pkg-config prints several words
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$out/bin/lookup" "$here/lookup.c" \
		$(pkg-config --cflags --libs libkmod)
	stamp lookup "$key_lookup"
fi

echo "kver=$kver"
