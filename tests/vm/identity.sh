#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/identity.sh -- issue 18 in a real kernel (suite "vm-identity"): what QEMU can show
# of the selectors that survive renumbering, whole cards and reset methods. One held guest
# (Debian's kernel, a dracut initramfs with the project's binary, no early run), with
#   - a pcie-root-port with chassis=1,slot=4 and an e1000e behind it (0000:01:00.0): pciehp
#     names the slot "4" in /sys/bus/pci/slots; the slot: and path: entries find the NIC;
#   - a second root port (chassis=2,slot=6) with a two-function e1000e card behind it
#     (0000:02:00.0/.1, multifunction=on): one IOMMU group, functions: all takes both, revert
#     gives both back (on the root bus, 00:06.0/.1, the guest put them in two groups);
#   - the NIC's reset_method: narrowed to one method it offers, the reset then works with it,
#     drift seen by status (after a hand narrowed it again: the kernel then shows only what is
#     enabled, the record what it offered), a method it does not offer refused, revert writes
#     the list back.
# Every configuration is written in the guest and run by hand (vfio-bind plan/apply/status/
# revert), as the sriov suite does.
#
# Prints one line per check and "N passed, M failed"; exit 1 on any failure. Run as root
# (dracut). Nothing is written outside tests/.cache.

set -u
# one held guest runs every step: more than lib.sh's 120 s under a loaded host
export VM_TIMEOUT=${VM_TIMEOUT:-300}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/vm/guest.sh
. "$here/guest.sh"

NIC=0000:01:00.0 # behind the root port, in slot "4"
F0=0000:02:00.0  # the two functions of one card, in slot "6"
F1=0000:02:00.1
PATH_NIC=pci0000:00/05.0/00.0
# ACPI hotplug off: q35 then lets the root port's native PCIe hotplug (pciehp) own the slot and
# name it by its Physical Slot Number (slot=4); with ACPI hotplug acpiphp names it by _SUN, "0".
# multifunction=on on both functions, as a real card's header type has it on each.
QEMU_ARGS="-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
 -device pcie-root-port,id=rp1,bus=pcie.0,addr=05.0,chassis=1,slot=4
 -device e1000e,bus=rp1,addr=00.0,mac=52:54:00:00:01:00,romfile=
 -device pcie-root-port,id=rp2,bus=pcie.0,addr=06.0,chassis=2,slot=6
 -device e1000e,bus=rp2,addr=00.0,multifunction=on,mac=52:54:00:00:06:00,romfile=
 -device e1000e,bus=rp2,addr=00.1,multifunction=on,mac=52:54:00:00:06:01,romfile="

guest_setup identity

# --install BIN brings the binary's shared libraries; the staged copy is the one run.
guest_hold "$out" identity "$QEMU_ARGS" --install "$bin seq" --include "$stage" /

# conf TEXT: the guest's /etc/vfio-bind.yaml (printf format: \n for newlines)
conf() { printf "printf '%s' > /etc/vfio-bind.yaml; chmod 0644 /etc/vfio-bind.yaml;" "$1"; }
# state ADDR: "driver override" of ADDR, as a guest command printing "st_ADDR=..."
state() { printf 'echo st_%s=$(drv %s/%s) $(cat %s/%s/driver_override);' "${1//[:.]/_}" "$S" "$1" "$S" "$1"; }
st() { gval "st_${1//[:.]/_}"; }

# --- before: the three NICs on e1000e (asynchronous probes), the slot, the reset methods
grun 60 "$G for i in \$(seq 100); do [ -L $S/$NIC/driver ] && [ -L $S/$F0/driver ] && [ -L $S/$F1/driver ] && break; sleep 0.2; done;" \
	"$(state $NIC) $(state $F0) $(state $F1)" \
	"echo slotaddr=\$(cat /sys/bus/pci/slots/4/address 2>&1); echo rm=\$(cat $S/$NIC/reset_method 2>&1);" \
	"g0=\$(readlink $S/$F0/iommu_group); g1=\$(readlink $S/$F1/iommu_group); echo groups=\${g0##*/} \${g1##*/}"
show "before" "$GOUT"
is "before: the NIC in slot 4 on e1000e" "e1000e (null)" "$(st $NIC)"
is "before: both functions of the card on e1000e" "e1000e (null)|e1000e (null)" "$(st $F0)|$(st $F1)"
is "pciehp named the root port's slot 4, at the NIC's bus" "0000:01:00" "$(gval slotaddr)"
read -r g0 g1 <<< "$(gval groups)"
is "the card's two functions share one IOMMU group" "${g0:-none}" "${g1:-none}"
rm0=$(gval rm)
nrm=$(wc -w <<< "$rm0")
check "the NIC offers several reset methods ('$rm0')" [ "$nrm" -ge 2 ]

# --- list: slot and path, as a user copies them
grun 30 "vfio-bind list --raw --noheadings -o address,slot,path"
show "list" "$GOUT"
is "list: exit status" 0 "$GRC"
check "list: the NIC's slot 4 and its path $PATH_NIC" grep -Eq "^$NIC 4 $PATH_NIC$" <<< "$GOUT"
check "list: the card's second function, slot 6, its path" grep -Eq "^$F1 6 pci0000:00/06\.0/00\.1$" <<< "$GOUT"

# --- slot: the NIC by its physical slot; revert gives it back
grun 60 "$G $(conf 'version: 1\ndevices:\n  - slot: "4"\n')" \
	"vfio-bind apply > /tmp/a.out 2>&1; echo rc=\$?; sed 's/^/apply: /' /tmp/a.out; $(state $NIC) $(state $F0)" \
	"vfio-bind status > /dev/null 2>&1; echo status=\$?"
show "slot" "$GOUT"
is "slot: apply exit status" 0 "$(gval rc)"
is "slot: the NIC on vfio-pci, the card left alone" "vfio-pci vfio-pci|e1000e (null)" "$(st $NIC)|$(st $F0)"
is "slot: status in sync" 0 "$(gval status)"
grun 60 "$G vfio-bind revert > /dev/null 2>&1; echo rc=\$?; $(state $NIC)"
is "slot: revert, the NIC back on e1000e" "0|e1000e (null)" "$(gval rc)|$(st $NIC)"

# --- path: the same NIC by its place behind the root port (plan only: pure)
grun 30 "$(conf "version: 1\ndevices:\n  - path: \"$PATH_NIC\"\n")" \
	"vfio-bind plan --raw --noheadings -o address,result; echo rc=\$?"
show "path" "$GOUT"
is "path: plan exit status" 0 "$(gval rc)"
check "path: plan selects the NIC, and only it" [ "$(grep -c ' will-change$' <<< "$GOUT")" = 1 ]
check "path: ... the NIC will change" grep -Eq "^$NIC will-change$" <<< "$GOUT"

# --- functions: all: the whole card from one address, both in the viable group; revert both
grun 90 "$G $(conf "version: 1\ndevices:\n  - address: \"$F0\"\n    functions: all\n")" \
	"vfio-bind plan --raw --noheadings -o address,result > /tmp/p.out; echo prc=\$?; sed 's/^/plan: /' /tmp/p.out;" \
	"vfio-bind apply > /dev/null 2>&1; echo rc=\$?; $(state $F0) $(state $F1)" \
	"echo dev=\$(ls /dev/vfio/$g0 2>&1); vfio-bind status > /dev/null 2>&1; echo status=\$?;" \
	"vfio-bind revert > /dev/null 2>&1; echo rrc=\$?; echo after=\$(drv $S/$F0) \$(drv $S/$F1) \$(cat $S/$F1/driver_override)"
show "functions: all" "$GOUT"
is "functions: all: plan exit status" 0 "$(gval prc)"
check "functions: all: plan shows both functions" \
	[ "$(grep -cE "^plan: ($F0|$F1) will-change$" <<< "$GOUT")" = 2 ]
is "functions: all: apply exit status" 0 "$(gval rc)"
is "functions: all: both functions on vfio-pci" "vfio-pci vfio-pci|vfio-pci vfio-pci" "$(st $F0)|$(st $F1)"
is "functions: all: the group's VFIO device exists" "/dev/vfio/$g0" "$(gval dev)"
is "functions: all: status in sync" 0 "$(gval status)"
is "functions: all: revert exit status" 0 "$(gval rrc)"
is "functions: all: revert gave both back" "e1000e e1000e (null)" "$(gval after)"

# --- reset_method: the last method the NIC offers; the reset works with it; drift; revert
first=${rm0%% *}
last=${rm0##* }
grun 90 "$G $(conf "version: 1\ndevices:\n  - slot: \"4\"\n    reset_method: $last\n")" \
	"vfio-bind apply > /dev/null 2>&1; echo rc=\$?; echo rm=\$(cat $S/$NIC/reset_method); $(state $NIC)" \
	"echo 1 > $S/$NIC/reset; echo reset=\$?;" \
	"vfio-bind status > /dev/null 2>&1; echo status=\$?;" \
	"echo $first > $S/$NIC/reset_method; vfio-bind status --raw -o address,result,reason > /tmp/s.out 2>&1;" \
	"echo drift=\$?; sed 's/^/status: /' /tmp/s.out;" \
	"vfio-bind revert > /dev/null 2>&1; echo rrc=\$?; echo rmafter=\$(cat $S/$NIC/reset_method); echo after=\$(drv $S/$NIC)"
show "reset_method" "$GOUT"
is "reset_method $last: apply exit status" 0 "$(gval rc)"
is "reset_method $last: the attribute narrowed to it" "$last" "$(gval rm)"
is "reset_method $last: the NIC on vfio-pci" "vfio-pci vfio-pci" "$(st $NIC)"
is "reset_method $last: a reset of the bound NIC works with it" 0 "$(gval reset)"
is "reset_method $last: status in sync" 0 "$(gval status)"
is "reset_method changed by hand to $first: status exit 3 (drift)" 3 "$(gval drift)"
check "reset_method changed by hand: status says what drifted" \
	grep -Eq "^status: $NIC drift .*reset_method.*$first.*$last" <<< "$GOUT"
is "reset_method: revert exit status" 0 "$(gval rrc)"
is "reset_method: revert wrote the methods back" "$rm0" "$(gval rmafter)"
is "reset_method: revert, the NIC on e1000e" e1000e "$(gval after)"

# a known method the NIC does not offer: refused, nothing written
other=
for m in device_specific acpi af_flr cxl_bus flr pm bus; do
	case " $rm0 " in *" $m "*) ;; *) other=$m && break ;; esac
done
grun 60 "$G $(conf "version: 1\ndevices:\n  - slot: \"4\"\n    reset_method: $other\n")" \
	"vfio-bind plan > /tmp/p.out 2>&1; echo prc=\$?; sed 's/^/plan: /' /tmp/p.out;" \
	"vfio-bind apply > /dev/null 2>&1; echo rc=\$?; echo rm=\$(cat $S/$NIC/reset_method); $(state $NIC)"
show "refused" "$GOUT"
is "reset_method $other (not offered): plan exit 1" 1 "$(gval prc)"
check "reset_method $other: plan names it and the methods offered" \
	grep -Fq "reset method '$other' is not one the device offers; it offers: $rm0" <<< "$GOUT"
is "reset_method $other: apply exit 1" 1 "$(gval rc)"
is "reset_method $other: nothing written, the NIC on e1000e" "$rm0|e1000e (null)" "$(gval rm)|$(st $NIC)"

grun 10 "dmesg | grep -cE 'WARNING:|BUG:|Oops' | sed 's/^/warn=/'"
is "no kernel WARNING/BUG/Oops" 0 "$(gval warn)"
vm_ctl poweroff
vm_wait
rc=$?
check "VM powered off on request (qemu status $rc, $VM_SECONDS s)" [ $rc -eq 0 ]
finish
