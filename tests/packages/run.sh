#!/bin/bash
# Suite "packages": builds the .deb (dpkg-buildpackage), the RPM (rpmbuild --nodeps) and the
# Arch package (makepkg --nodeps, as nobody) from the tree as it is, out of the tree, and checks
# what each ships and where: every file in its distribution's place and nothing else, the
# version, the control fields, lintian, the initramfs trigger, the scriptlets; the .deb and the
# RPM unpacked (dpkg -x, rpm2cpio) run their binary. Installs nothing on this machine. Root
# (makepkg runs as nobody).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/packages/lib.sh
. tests/packages/lib.sh

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TREE_BEFORE=$(git status --porcelain --ignored=no; git diff | sha256sum)

# expected SBINDIR UDEVRULESDIR UNITDIR GENERATOR...: the files a package ships (not its
# documentation), without the leading '/', man pages without their compression suffix.
# GENERATOR: itools, initcpio (the hooks of the tree's initramfs-tools/ and mkinitcpio/), lintian
# (the .deb's overrides).
expected() {
    local sbin=$1 rules=$2 unit=$3 f
    shift 3
    {
        echo "${sbin#/}/vfio-bind"
        echo usr/lib/vfio-bind/vfio-bind-boot # the initramfs copy (boot.mk)
        echo "${rules#/}/70-vfio-bind.rules"
        echo "${unit#/}/vfio-bind.service"
        echo usr/share/man/man8/vfio-bind.8
        echo usr/share/man/man5/vfio-bind.yaml.5
        echo usr/share/bash-completion/completions/vfio-bind
        for f in dracut/55vfio-bind/*.sh 70-vfio-bind.rules vfio-bind.service; do
            echo "usr/lib/dracut/modules.d/55vfio-bind/${f##*/}"
        done
        for g in "$@"; do
            case $g in
                itools) git ls-files initramfs-tools/hooks initramfs-tools/scripts |
                    sed 's|^|usr/share/|' ;;
                initcpio) git ls-files mkinitcpio/install mkinitcpio/hooks |
                    sed 's|^mkinitcpio/|usr/lib/initcpio/|' ;;
                lintian) echo usr/share/lintian/overrides/vfio-bind ;;
            esac
        done
    } | sort
}

# check_files NAME EXPECTED ACTUAL: one check per expected file, one for "nothing else".
# ACTUAL: the package's files, normalized like EXPECTED; documentation left out.
check_files() {
    local name=$1 exp=$2 act=$3 f extra
    while read -r f; do
        if grep -qxF "$f" <<< "$act"; then ok "$name ships /$f"; else not_ok "$name: no /$f"; fi
    done <<< "$exp"
    extra=$(comm -13 <(printf '%s\n' "$exp") <(printf '%s\n' "$act" | sort) | tr '\n' ' ')
    check "$name ships nothing else" "" "$extra"
}
# normalize: file names from a listing, no leading './' or '/', man pages uncompressed, the
# documentation and the package manager's own files left out.
normalize() {
    sed -e 's|^\./||' -e 's|^/||' -e 's|^\(usr/share/man/.*\)\.gz$|\1|' |
        grep -vE '^(usr/share/doc/|usr/lib/\.build-id|\.(PKGINFO|BUILDINFO|MTREE)$)' | sort
}
# the generators whose hooks the tree has
TREE_ITOOLS=$(git ls-files initramfs-tools/hooks | head -n 1)
TREE_INITCPIO=$(git ls-files mkinitcpio/install | head -n 1)

pkg_lock
pkg_tree || { not_ok "source tarball (packaging/dist.sh)"; summary; exit 1; }
echo "# tree $PKG_DIR"

# --- Debian ----------------------------------------------------------------------------------
if pkg_build_deb; then
    ok "dpkg-buildpackage -us -uc -b builds $(basename "$PKG_DEB")"
    DEB_RULES=$(pkg-config --variable=udevdir udev)/rules.d
    DEB_UNIT=$(pkg-config --variable=systemdsystemunitdir systemd)
    DEB_FILES=$(dpkg-deb -c "$PKG_DEB" | grep -v '^d' | awk '{ print $6 }' | normalize)
    check_files deb "$(expected /usr/sbin "$DEB_RULES" "$DEB_UNIT" ${TREE_ITOOLS:+itools} lintian)" "$DEB_FILES"
    [ -n "$TREE_ITOOLS" ] || echo "# no initramfs-tools hooks in this tree: none expected"
    check "deb: /usr/sbin/vfio-bind is executable" "-rwxr-xr-x" \
        "$(dpkg-deb -c "$PKG_DEB" | awk '$6 == "./usr/sbin/vfio-bind" { print $1 }')"
    field() { dpkg-deb -f "$PKG_DEB" "$1"; }
    check "deb: Package" vfio-bind "$(field Package)"
    check "deb: Version is the Makefile's" "$PKG_VERSION" "$(field Version)"
    check "deb: Architecture" "$(dpkg --print-architecture)" "$(field Architecture)"
    DEPS=$(field Depends)
    for lib in libkmod2 libyaml-0-2 libjson-c5 libudev1 libc6; do
        check_contains "deb: Depends on $lib (shlibs)" "$lib" "$DEPS"
    done
    # opened with dlopen() for tables, so shlibs cannot see it
    check_contains "deb: Depends on libsmartcols1 (dlopen)" "libsmartcols1" "$DEPS"
    check_contains "deb: Depends on libmount1 (dlopen)" "libmount1" "$DEPS"
    lint_out=$(lintian --fail-on error "${PKG_DEB%_*}"_*.changes 2>&1)
    check "lintian --fail-on error passes" 0 "$?"
    echo "# lintian: $(grep -c '^E:' <<< "$lint_out") errors, $(grep -c '^W:' <<< "$lint_out") warnings"
    grep -E '^[EW]:' <<< "$lint_out" | sed 's/^/#   /'
    dpkg-deb -e "$PKG_DEB" "$TMP/control"
    # dh_installinitramfs: a package that ships an initramfs-tools hook asks for a rebuild by a
    # noawait trigger, none without one.
    triggers=$(grep -v "^#" "$TMP/control/triggers" 2>/dev/null)
    if grep -q '^usr/share/initramfs-tools/hooks/' <<< "$DEB_FILES"; then
        check "deb: triggers activate-noawait update-initramfs (ships a hook)" \
            "activate-noawait update-initramfs" "$triggers"
    else
        check "deb: no initramfs trigger (ships no hook)" "" "$triggers"
    fi
    postinst=$(cat "$TMP/control/postinst" 2>/dev/null)
    case $postinst in
        *deb-systemd-invoke*) not_ok "deb: postinst starts the unit (installing binds nothing)" ;;
        *"was-enabled 'vfio-bind.service'"*) ok "deb: postinst neither enables nor starts the unit" ;;
        *) not_ok "deb: postinst has no dh_installsystemd section: $postinst" ;;
    esac
    dpkg-deb -x "$PKG_DEB" "$TMP/deb"
    check "deb: the unpacked binary runs" "vfio-bind $PKG_VERSION" "$("$TMP/deb/usr/sbin/vfio-bind" --version 2>&1)"
    out=$("$TMP/deb/usr/sbin/vfio-bind" validate examples/two-identical-gpus.yaml 2>&1)
    check "deb: the unpacked binary validates an example" "0" "$?"
    out=$("$TMP/deb/usr/sbin/vfio-bind" validate tests/packages/broken.yaml 2>&1)
    check "deb: ... and refuses a broken one (exit 2)" "2" "$?"
    check_contains "deb: ... naming file:line:column" "broken.yaml:3:" "$out"
    rule=$(cat "$TMP/deb/${DEB_RULES#/}/70-vfio-bind.rules" 2>/dev/null)
    check_contains "deb: the udev rule runs /usr/sbin/vfio-bind" 'IMPORT{program}="/usr/sbin/vfio-bind udev' "$rule"
    check_contains "deb: the dracut module installs /usr/sbin/vfio-bind" "/usr/sbin/vfio-bind" \
        "$(cat "$TMP/deb/usr/lib/dracut/modules.d/55vfio-bind/module-setup.sh")"
    check "deb: no @...@ left in the installed files" "" \
        "$(grep -rl '@[A-Z]*DIR@' "$TMP/deb" | sed "s|^$TMP/deb||" | tr '\n' ' ')"
else
    not_ok "dpkg-buildpackage failed: $PKG_LOG"
    tail -n 20 "$PKG_LOG"
fi

# --- RPM (Fedora, RHEL, openSUSE: dracut) ----------------------------------------------------
if pkg_build_rpm; then
    ok "rpmbuild -bb --nodeps builds $(basename "$PKG_RPM")"
    RPM_FILES=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$PKG_RPM" 2>/dev/null |
        awk '!/^d/ { print $2 }' | normalize)
    # the fallbacks of the spec: systemd's and udev's places under /usr/lib
    check_files rpm "$(expected /usr/sbin /usr/lib/udev/rules.d /usr/lib/systemd/system)" "$RPM_FILES"
    check_contains "rpm: Requires libsmartcols (dlopen)" "libsmartcols" \
        "$(rpm -qp --requires "$PKG_RPM" 2>/dev/null)"
    check_contains "rpm: Requires libmount (dlopen)" "libmount" \
        "$(rpm -qp --requires "$PKG_RPM" 2>/dev/null)"
    check "rpm: Version is the Makefile's" "$PKG_VERSION" "$(rpm -qp --qf '%{VERSION}' "$PKG_RPM" 2>/dev/null)"
    scripts=$(rpm -qp --scripts "$PKG_RPM" 2>/dev/null)
    check_contains "rpm: %post presets the unit (the systemd_post fallback, with its argument)" \
        "systemctl --no-reload preset vfio-bind.service" "$scripts"
    check_contains "rpm: %preun disables it on removal" "disable --now vfio-bind.service" "$scripts"
    mkdir "$TMP/rpm"
    (cd "$TMP/rpm" && rpm2cpio "$PKG_RPM" | cpio -idm --quiet)
    check "rpm: the unpacked binary runs" "vfio-bind $PKG_VERSION" "$("$TMP/rpm/usr/sbin/vfio-bind" --version 2>&1)"
    check_contains "rpm: the udev rule runs /usr/sbin/vfio-bind" 'IMPORT{program}="/usr/sbin/vfio-bind udev' \
        "$(cat "$TMP/rpm/usr/lib/udev/rules.d/70-vfio-bind.rules")"
else
    not_ok "rpmbuild failed: $PKG_LOG"
    tail -n 20 "$PKG_LOG"
fi

# --- Arch (mkinitcpio; dracut too) -----------------------------------------------------------
if pkg_build_arch; then
    ok "makepkg --nodeps (as nobody) builds $(basename "$PKG_ARCH")"
    ARCH_FILES=$(tar -tzf "$PKG_ARCH" | grep -v '/$' | normalize)
    check_files arch "$(expected /usr/bin /usr/lib/udev/rules.d /usr/lib/systemd/system ${TREE_INITCPIO:+initcpio})" "$ARCH_FILES"
    [ -n "$TREE_INITCPIO" ] || echo "# no mkinitcpio hooks in this tree: none expected"
    check "arch: depends on util-linux-libs (libsmartcols, libmount: dlopen)" "depend = util-linux-libs" \
        "$(tar -xzOf "$PKG_ARCH" .PKGINFO | grep '^depend = util-linux-libs')"
    check "arch: pkgver is the Makefile's" "pkgver = $PKG_VERSION-1" \
        "$(tar -xzOf "$PKG_ARCH" .PKGINFO | grep '^pkgver = ')"
    mkdir "$TMP/arch"
    tar -xzf "$PKG_ARCH" -C "$TMP/arch"
    check_contains "arch: the udev rule runs /usr/bin/vfio-bind" 'IMPORT{program}="/usr/bin/vfio-bind udev' \
        "$(cat "$TMP/arch/usr/lib/udev/rules.d/70-vfio-bind.rules")"
    check "arch: the unpacked binary runs" "vfio-bind $PKG_VERSION" "$("$TMP/arch/usr/bin/vfio-bind" --version 2>&1)"
else
    not_ok "makepkg failed: $PKG_LOG"
    tail -n 20 "$PKG_LOG"
fi

check "the tree is as it was (packages built out of it)" "$TREE_BEFORE" \
    "$(git status --porcelain --ignored=no; git diff | sha256sum)"
summary
