#!/bin/bash
# Prints the path of the .deb built from this tree as it is (tests/.cache/pkg/HASH/deb/...),
# building it the first time for this content. For the VM suites, which install the tool from
# it with dpkg -x. The build log is named on failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/packages/lib.sh
. tests/packages/lib.sh
pkg_lock
pkg_tree || { echo "build-deb: cannot make the source tarball" >&2; exit 1; }
if ! pkg_build_deb; then
    tail -n 30 "$PKG_LOG" >&2
    echo "build-deb: dpkg-buildpackage failed, see $PKG_LOG" >&2
    exit 1
fi
echo "$PKG_DEB"
