#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Usage: packaging/dist.sh VERSION DIR  (from the top of the tree; make dist runs it)
# Writes DIR/vfio-bind-VERSION.tar.gz, the source the RPM and Arch packages build from: the
# working tree as it is (tracked files and new ones git does not ignore) under
# vfio-bind-VERSION/. The same files give the same bytes (the last commit's time on every file,
# fixed owner, gzip -n), so a hash of the tarball names the tree's content. Prints its path.
set -eu
[ $# -eq 2 ] || { echo "usage: packaging/dist.sh VERSION DIR" >&2; exit 2; }
version=$1
dir=$2
out=$dir/vfio-bind-$version.tar.gz
mtime=$(git log -1 --format=%ct)
mkdir -p "$dir"
tmp=$(mktemp "$dir/.dist.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# a tracked file deleted in the tree is left out, as it would be from the next commit
git ls-files -z -c -o --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - --sort=name --mtime=@"$mtime" --owner=0 --group=0 --numeric-owner \
        --transform "s,^,vfio-bind-$version/," -cf - |
    gzip -n > "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
