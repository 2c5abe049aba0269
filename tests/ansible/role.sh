#!/bin/bash
# The role of the collection, for tests/ansible/run.sh (which sets up Ansible's environment
# and runs this meanwhile): TMP a directory of that run. Package manager and initramfs
# generators are recorders; vfio-bind runs on a test bed of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
tmp=$1
TOP=$PWD
case $VB in /*) ABS_VB=$VB ;; *) ABS_VB=$TOP/$VB ;; esac
recap() { printf '%s\n' "$1" | sed -n 's/^localhost *: \(.*\)/\1/p' | tr -s ' '; }
state() { tests/testbed/dump "$1"; }
# not run.sh's result file nor its temporary directories
unset ANSIBLE_CALLBACKS_ENABLED ANSIBLE_CALLBACK_TREE_DIR
export ANSIBLE_LOCAL_TEMP=$tmp/role-local ANSIBLE_REMOTE_TEMP=$tmp/role-remote

# --- the role: package, configuration, initramfs ------------------------------------------------
RBED=$tmp/rolebed
tests/testbed/mkbed tests/testbed/hosts/demo.host "$RBED" >/dev/null || not_ok "mkbed demo.host"
mkdir -p "$RBED/etc"
REC=$tmp/rec
mkdir -p "$REC/debian" "$REC/fedora" "$REC/arch" "$REC/none"
# recorders: each appends its name and arguments to $REC/calls
recorder() {
    printf '#!/bin/sh\necho "${0##*/} $*" >>"%s/calls"\n%s\n' "$REC" "$2" >"$1"
    chmod +x "$1"
}
recorder "$REC/install-package" "touch '$REC/installed'"
recorder "$REC/debian/update-initramfs"
recorder "$REC/fedora/dracut"
recorder "$REC/fedora/update-initramfs"   # dracut's hosts may keep one: dracut wins
recorder "$REC/arch/mkinitcpio"
: >"$REC/calls"
role() { # GENERATORS VARS_FILE [options]
    local gens=$1 vars=$2
    shift 2
    ansible-playbook -i localhost, -c local -e bed="$RBED" -e vb="$ABS_VB" -e top="$TOP" \
        -e rec="$REC" -e gens="$gens" -e "@$vars" "$@" tests/ansible/role.yml 2>&1
}
printf 'vfio_bind_devices:\n  - address: "0000:02:00.0"\n    group: all\n' >"$tmp/role-gpu.yml"
printf 'vfio_bind_devices:\n  - id: "15b3:101e"\n' >"$tmp/role-vfs.yml"
out=$(role debian "$tmp/role-gpu.yml")
check "role, first run: package installed, initramfs rebuilt with the host's generator" \
    "install-package vfio-bind|update-initramfs -u -k all" "$(paste -sd '|' "$REC/calls")"
check_contains "role, first run: the devices bound" "device 0000:02:00.0 driver=vfio-pci" "$(state "$RBED")"
check_contains "role, first run: the file written" 'address: "0000:02:00.0"' "$(cat "$RBED/etc/vfio-bind.yaml")"
check_contains "role, first run: recap" "failed=0" "$(recap "$out")"
out=$(role debian "$tmp/role-gpu.yml")
check "role, second run: nothing changed" "ok=4 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0 " "$(recap "$out")"
check "role, second run: no install, no rebuild" 2 "$(wc -l <"$REC/calls")"
before_file=$(sha256sum <"$RBED/etc/vfio-bind.yaml")
before_state=$(state "$RBED")
out=$(role debian "$tmp/role-vfs.yml" --check)
check "role, check mode: no rebuild" 2 "$(wc -l <"$REC/calls")"
check "role, check mode: the file is untouched" "$before_file" "$(sha256sum <"$RBED/etc/vfio-bind.yaml")"
check "role, check mode: no device moved" "$before_state" "$(state "$RBED")"
check_contains "role, check mode: reports the change" "changed=2" "$(recap "$out")"
out=$(role fedora "$tmp/role-vfs.yml")
check "role, a new file on a dracut host: dracut" "dracut --force --regenerate-all" "$(tail -n 1 "$REC/calls")"
check_contains "role, the new file applied: a VF on mlx5_vfio_pci" "device 0000:5e:00.1 driver=mlx5_vfio_pci" "$(state "$RBED")"
check_contains "role, the dropped GPU released" "device 0000:02:00.0 driver=nvidia" "$(state "$RBED")"
out=$(role arch "$tmp/role-gpu.yml")
check "role, a new file on an Arch host: mkinitcpio" "mkinitcpio -P" "$(tail -n 1 "$REC/calls")"
n=$(wc -l <"$REC/calls")
out=$(role none "$tmp/role-vfs.yml")
check_contains "role, no generator: the play fails" "failed=1" "$(recap "$out")"
check_contains "role, no generator: says so" "no initramfs generator found (dracut update-initramfs mkinitcpio)" "$out"
check "role, no generator: nothing run" "$n" "$(wc -l <"$REC/calls")"
summary
