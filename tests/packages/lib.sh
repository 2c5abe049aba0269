# Builds the packages from the working tree, once per content: a tarball of the tree
# (packaging/dist.sh) names a directory $PKG_CACHE/HASH in which the .deb, the RPM and the Arch
# package are built, out of the tree, which stays as it was. Sourced from the top of the tree.
# shellcheck shell=bash
PKG_CACHE=${PKG_CACHE:-$PWD/tests/.cache/pkg}
PKG_VERSION=$(make -s --no-print-directory print-version)

# pkg_lock: one builder at a time (a VM suite and this one), until the shell exits.
pkg_lock() {
    mkdir -p "$PKG_CACHE"
    exec 9> "$PKG_CACHE/.lock"
    flock 9
}

# pkg_tree: PKG_DIR, the directory of this tree's content, with PKG_TAR, its tarball, in it.
# Keeps the four newest directories.
pkg_tree() {
    local tmp hash
    mkdir -p "$PKG_CACHE"
    tmp=$(mktemp -d "$PKG_CACHE/.new.XXXXXX")
    packaging/dist.sh "$PKG_VERSION" "$tmp" >/dev/null || { rm -rf "$tmp"; return 1; }
    hash=$(sha256sum "$tmp/vfio-bind-$PKG_VERSION.tar.gz" | cut -c1-16)
    PKG_DIR=$PKG_CACHE/$hash
    PKG_TAR=$PKG_DIR/vfio-bind-$PKG_VERSION.tar.gz
    if [ -f "$PKG_TAR" ]; then
        rm -rf "$tmp"
        touch "$PKG_DIR"
    else
        rm -rf "$PKG_DIR"
        chmod 755 "$tmp"
        mv "$tmp" "$PKG_DIR"
    fi
    # shellcheck disable=SC2012 # names are hex digests
    ls -1td "$PKG_CACHE"/*/ | tail -n +5 | xargs -r rm -rf
}

# pkg_build_deb: PKG_DEB, the .deb dpkg-buildpackage makes from PKG_TAR (tests skipped: the
# suites run them), with the .changes beside it; PKG_LOG its build log.
pkg_build_deb() {
    local d=$PKG_DIR/deb
    PKG_DEB=$d/vfio-bind_${PKG_VERSION}_$(dpkg --print-architecture).deb
    PKG_LOG=$d/build.log
    [ -f "$PKG_DEB" ] && return 0
    rm -rf "$d"
    mkdir -p "$d"
    tar -xzf "$PKG_TAR" -C "$d" &&
        (cd "$d/vfio-bind-$PKG_VERSION" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
            dpkg-buildpackage -us -uc -b) > "$PKG_LOG" 2>&1 && [ -f "$PKG_DEB" ]
}

# pkg_build_rpm: PKG_RPM, built by rpmbuild from PKG_TAR (--nodeps: Debian has no RPM database
# of the build dependencies).
pkg_build_rpm() {
    local d=$PKG_DIR/rpm
    PKG_RPM=$d/RPMS/$(uname -m)/vfio-bind-$PKG_VERSION-1.$(uname -m).rpm
    PKG_LOG=$d/build.log
    [ -f "$PKG_RPM" ] && return 0
    rm -rf "$d"
    mkdir -p "$d"
    rpmbuild -bb --nodeps --define "_topdir $d" --define "_sourcedir $PKG_DIR" \
        --define "vb_version $PKG_VERSION" "$PWD/packaging/rpm/vfio-bind.spec" > "$PKG_LOG.tmp" 2>&1
    local rc=$?
    mv "$PKG_LOG.tmp" "$PKG_LOG"
    [ $rc -eq 0 ] && [ -f "$PKG_RPM" ]
}

# pkg_build_arch: PKG_ARCH, built by makepkg --nodeps from the PKGBUILD in PKG_TAR. makepkg
# refuses root: it runs as nobody, in a directory of its own under /tmp (nobody may not reach
# the tree). PACMAN=true: Debian has no pacman, and --nodeps needs none.
pkg_build_arch() {
    local d=$PKG_DIR/arch w rc
    PKG_ARCH=$d/vfio-bind-$PKG_VERSION-1-$(uname -m).pkg.tar.gz
    PKG_LOG=$d/build.log
    [ -f "$PKG_ARCH" ] && return 0
    rm -rf "$d"
    mkdir -p "$d"
    w=$(mktemp -d /tmp/vfio-bind-arch.XXXXXX)
    mkdir "$w/home" "$w/build" "$w/out"
    tar -xzf "$PKG_TAR" -C "$w" && cp "$PKG_TAR" "$w/"
    chown -R nobody:nogroup "$w"
    chmod 755 "$w"
    (cd "$w/vfio-bind-$PKG_VERSION/packaging/arch" &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env HOME="$w/home" PACMAN=true SRCDEST="$w" BUILDDIR="$w/build" PKGDEST="$w/out" \
            LOGDEST="$w/build" makepkg --nodeps --noconfirm) > "$PKG_LOG" 2>&1
    rc=$?
    [ $rc -eq 0 ] && cp "$w"/out/*.pkg.tar.* "$d/"
    rm -rf "$w"
    [ $rc -eq 0 ] && [ -f "$PKG_ARCH" ]
}
