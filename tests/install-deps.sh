#!/bin/sh
# Installs what building vfio-bind, its packages (.deb, .rpm, Arch) and running every test
# needs on Debian 12. Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# linux-headers-amd64 builds the test variant drivers; the matching linux-image .deb is fetched
# and unpacked by tests/kmods/mktrees.sh, not installed.
apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config make gcc clang libclang-rt-14-dev \
    libkmod-dev libyaml-dev libudev-dev libjson-c-dev libsmartcols-dev libmount-dev libarchive-dev libcmocka-dev \
    kmod udev valgrind python3 python3-yaml python3-jsonschema \
    qemu-system-x86 dracut-core initramfs-tools-core busybox cpio linux-headers-amd64 \
    driverctl hyperfine jq strace ansible-core scdoc shellcheck dash ca-certificates \
    debhelper dpkg-dev fakeroot lintian rpm makepkg libarchive-tools >/dev/null
