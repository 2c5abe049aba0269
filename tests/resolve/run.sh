#!/bin/bash
# Resolution against real module trees: Debian's kernel as shipped, the same with test variant
# drivers built against its headers, and one with vfio-pci built in (tests/kmods/mktrees.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

KM=tests/.cache/kmods
tests/kmods/mktrees.sh "$KM" >/dev/null || { not_ok "mktrees.sh"; summary; exit 1; }
KVER=$(cat "$KM/kver")
DEB=$KM/debian/lib/modules/$KVER
VAR=$KM/variants/lib/modules/$KVER
BIN=$KM/builtin/lib/modules/$KVER

ma() { # vendor device subvendor subdevice class(6 hex)
    printf 'pci:v0000%sd0000%ssv0000%ssd0000%sbc%ssc%si%s' "$1" "$2" "$3" "$4" \
        "${5:0:2}" "${5:2:2}" "${5:4:2}"
}
E1000E_I219=$(ma 8086 15B8 8086 0000 020000)
E1000E_QEMU=$(ma 8086 10D3 8086 0000 020000)
CX_VF=$(ma 15B3 101E 15B3 0001 020000)
CX5_VF=$(ma 15B3 1018 15B3 0080 020000)
QEMU_NVME=$(ma 1B36 0010 1AF4 1100 010802)
SAMSUNG_NVME=$(ma 144D A808 144D A801 010802)
AHCI=$(ma 8086 2922 1AF4 1100 010601)

resolves() { # NAME TREE MODALIAS EXPECTED
    check "$1" "$4" "$(vb resolve --moddir "$2" --modalias "$3" 2>&1)"
}

# Debian's kernel: only the catch-all alias; every PCI device gets vfio_pci.
resolves "debian: e1000e -> vfio_pci" "$DEB" "$E1000E_I219" vfio_pci
resolves "debian: ConnectX-6 Dx VF -> vfio_pci (no variant built)" "$DEB" "$CX_VF" vfio_pci
out=$(vb resolve --json --moddir "$DEB" --modalias "$E1000E_I219")
check_contains "debian: json names the catch-all alias" '"alias": "vfio_pci:v*d*sv*sd*bc*sc*i*"' "$out"
check_contains "debian: catch-all has 7 stars" '"stars": 7' "$out"
check_contains "debian: vfio_pci registers vfio-pci" '"vfio_driver": "vfio-pci"' "$out"
check "debian: plain output is one line" 1 "$(vb resolve --moddir "$DEB" --modalias "$CX_VF" | wc -l)"

# Variant drivers win by having fewer '*'.
resolves "variants: ConnectX-6 Dx VF -> mlx5_vfio_pci" "$VAR" "$CX_VF" mlx5_vfio_pci
resolves "variants: ConnectX-5 VF (not in mlx5_vfio_pci's table) -> vfio_pci" "$VAR" "$CX5_VF" vfio_pci
resolves "variants: e1000e I219 -> vfio_pci" "$VAR" "$E1000E_I219" vfio_pci
resolves "variants: QEMU e1000e -> the test variant" "$VAR" "$E1000E_QEMU" vbt_e1000e_vfio_pci
resolves "variants: pds 1dd8:1003" "$VAR" "$(ma 1DD8 1003 1DD8 0001 120000)" pds_vfio_pci
resolves "variants: virtio-net 1af4:1041" "$VAR" "$(ma 1AF4 1041 1AF4 1100 020000)" virtio_vfio_pci
resolves "variants: Grace Hopper 10de:2342" "$VAR" "$(ma 10DE 2342 10DE 16EB 030200)" nvgrace_gpu_vfio_pci
resolves "variants: HiSilicon 19e5:a256" "$VAR" "$(ma 19E5 A256 19E5 0000 100000)" hisi_acc_vfio_pci
resolves "variants: QAT 8086:4941" "$VAR" "$(ma 8086 4941 8086 0000 0B4000)" qat_vfio_pci
resolves "variants: Intel Xe 8086:e202" "$VAR" "$(ma 8086 E202 8086 0000 030000)" xe_vfio_pci
out=$(vb resolve --json --moddir "$VAR" --modalias "$CX_VF")
check "variants: json lists both matches" 2 "$(printf '%s\n' "$out" | grep -c '"alias"')"
check_contains "variants: mlx5 alias has 5 stars" '"stars": 5' "$out"

# modpost appends '*' after a full class: the class alias ties the ID alias at 5 stars.
# Tie-break: the longer alias (more literal characters) wins, so the ID alias is chosen.
resolves "tie: QEMU NVMe -> ID alias over class alias" "$VAR" "$QEMU_NVME" vbt_nvme_id_vfio_pci
out=$(vb resolve --json --moddir "$VAR" --modalias "$QEMU_NVME")
check "tie: three matches" 3 "$(printf '%s\n' "$out" | grep -c '"alias"')"
check "tie: two of them have 5 stars" 2 "$(printf '%s\n' "$out" | grep -c '"stars": 5')"
check "tie: class alias ranked second" "vbt_nvme_class_vfio_pci" \
    "$(printf '%s\n' "$out" | sed -n 's/.*"vfio_module": "\(.*\)",*$/\1/p' | sed -n 3p)"
resolves "class: other NVMe -> class alias (5 stars) over catch-all (7)" "$VAR" "$SAMSUNG_NVME" vbt_nvme_class_vfio_pci
resolves "class: AHCI (prog-if 01) -> vfio_pci" "$VAR" "$AHCI" vfio_pci

# vfio-pci built in, as Ubuntu does: found in modules.builtin.modinfo, nothing to load.
resolves "builtin: e1000e -> vfio_pci" "$BIN" "$E1000E_I219" vfio_pci
out=$(vb resolve --json --moddir "$BIN" --modalias "$E1000E_I219")
check_contains "builtin: reported built in" '"builtin": true' "$out"
check_contains "builtin: driver vfio-pci" '"vfio_driver": "vfio-pci"' "$out"

# --kver names /lib/modules/VER: a missing one is an error that names the kernel and the path.
out=$(vb resolve --kver 0.0.0-none --modalias "$CX_VF" 2>&1); rc=$?
check "missing --kver tree: exit 1" 1 "$rc"
check "missing --kver tree: message names kernel and path" \
    "vfio-bind: resolve: cannot read the module index of kernel 0.0.0-none in /lib/modules/0.0.0-none: No such file or directory" "$out"
# --moddir with --kver: the tree is DIR, VER names the kernel in messages.
resolves "--kver with --moddir: the tree is --moddir's" "$VAR" "$CX_VF" mlx5_vfio_pci
check "--kver with --moddir: resolves in DIR" mlx5_vfio_pci \
    "$(vb resolve --kver 0.0.0-none --moddir "$VAR" --modalias "$CX_VF" 2>&1)"
out=$(vb resolve --kver 9.9.9-image --moddir /nonexistent/lib/modules/9.9.9-image --modalias "$CX_VF" 2>&1); rc=$?
check "missing --moddir: exit 1" 1 "$rc"
check "missing --moddir: message names kernel and path" \
    "vfio-bind: resolve: cannot read the module index of kernel 9.9.9-image in /nonexistent/lib/modules/9.9.9-image: No such file or directory" "$out"
NODEP=$(mktemp -d)
out=$(vb resolve --moddir "$NODEP" --modalias "$CX_VF" 2>&1); rc=$?
check "tree without depmod's indexes: exit 1" 1 "$rc"
check "tree without depmod's indexes: names the index file" \
    "vfio-bind: resolve: cannot read the module index in $NODEP: $NODEP/modules.dep.bin: No such file or directory (was depmod run on this tree?)" "$out"
rmdir "$NODEP"
out=$(vb resolve --kver ../../etc --modalias "$CX_VF" 2>&1); rc=$?
check "--kver with '/': exit 2" 2 "$rc"
check_contains "--kver with '/': says why" "invalid kernel version '../../etc'" "$out"

# Bad input.
out=$(vb resolve --moddir "$DEB" --modalias "usb:v1D6Bp0003d0606dc09dsc00dp03ic09isc00ip00in00" 2>&1); rc=$?
check "no vfio_ alias for a USB modalias: exit 1" 1 "$rc"
check_contains "no vfio_ alias: message" "no vfio_ alias matches" "$out"
out=$(vb resolve --moddir "$DEB" --modalias "../../etc/passwd" 2>&1); rc=$?
check "modalias with '/': exit 2" 2 "$rc"
out=$(vb resolve --moddir "$DEB" 2>&1); rc=$?
check "neither address nor modalias: exit 2" 2 "$rc"
check_contains "usage error names --help" "vfio-bind resolve --help" "$out"
out=$(vb resolve --moddir "$DEB" 0000:01:00.8 2>&1); rc=$?
check "bad address: exit 2" 2 "$rc"
check_contains "bad address: says why" "function is 0 to 7" "$out"
out=$(vb resolve --bogus 2>&1); rc=$?
check "unknown option: exit 2" 2 "$rc"

# The read-only verbs over the demo host of the test bed (a fake /sys; see tests/testbed).
BED=$(mktemp -d)
trap 'rm -rf "$BED"' EXIT
tests/testbed/mkbed tests/testbed/hosts/demo.host "$BED" >/dev/null
install -m 0644 examples/demo.yaml "$BED/etc/vfio-bind.yaml"
onbed() { tests/testbed/run "$BED" -- "$VB" "$@"; }
check "modules: what the demo config needs" "mlx5_vfio_pci vfio_pci" "$(onbed modules | tr '\n' ' ' | sed 's/ $//')"
check "modules --moddir: the bed's tree by path" "mlx5_vfio_pci vfio_pci" \
    "$(onbed modules --kver "$(cat "$BED/kver")" --moddir "/lib/modules/$(cat "$BED/kver")" | tr '\n' ' ' | sed 's/ $//')"
out=$(onbed modules --kver 0.0.0-none 2>&1); rc=$?
check "modules: missing tree: exit 1, nothing on stdout" "1 " "$rc $(onbed modules --kver 0.0.0-none 2>/dev/null)"
check "modules: missing tree: names kernel and path" \
    "vfio-bind: modules: cannot read the module index of kernel 0.0.0-none in /lib/modules/0.0.0-none: No such file or directory" "$out"
out=$(onbed modules --moddir /srv/image/lib/modules/9.9.9 --kver 9.9.9 2>&1); rc=$?
check "modules: missing --moddir: names kernel and path" \
    "1 vfio-bind: modules: cannot read the module index of kernel 9.9.9 in /srv/image/lib/modules/9.9.9: No such file or directory" "$rc $out"
mkdir -p "$BED/lib/modules/9.9.9-noindex"
out=$(onbed modules --kver 9.9.9-noindex 2>&1); rc=$?
check "modules: --kver tree without depmod's indexes: names the file" \
    "1 vfio-bind: modules: cannot read the module index of kernel 9.9.9-noindex in /lib/modules/9.9.9-noindex: /lib/modules/9.9.9-noindex/modules.dep.bin: No such file or directory (was depmod run on this tree?)" "$rc $out"
out=$(onbed modules --kver 9.9.9-noindex --moddir /lib/modules/9.9.9-noindex/ 2>&1); rc=$?
check "modules: --moddir 'DIR/' (dracut's \$srcmods) named without the '/'" \
    "1 vfio-bind: modules: cannot read the module index of kernel 9.9.9-noindex in /lib/modules/9.9.9-noindex: /lib/modules/9.9.9-noindex/modules.dep.bin: No such file or directory (was depmod run on this tree?)" "$rc $out"
rmdir "$BED/lib/modules/9.9.9-noindex"
out=$(onbed modules --kver a/b 2>&1); rc=$?
check "modules: --kver with '/': exit 2" 2 "$rc"

# Entries whose device is not on this host (an image built for another machine): an 'id'
# entry gets every variant whose vfio_pci alias can match that id in the tree it is given.
modules_for() { # TREE YAML: the modules as one line; stderr in $MERR, exit status in $MRC
    local f e
    f=$(mktemp); e=$(mktemp)
    printf 'version: 1\ndevices:\n%s\n' "$2" >"$f"
    chmod 0644 "$f"
    MOUT=$(onbed -c "$f" modules --kver "$KVER" --moddir "$1" 2>"$e")
    MRC=$?
    MOUT=$(printf '%s\n' "$MOUT" | tr '\n' ' ' | sed 's/ $//')
    MERR=$(cat "$e")
    rm -f "$f" "$e"
}
mcheck() { # NAME EXPECTED TREE YAML
    modules_for "$3" "$4"
    check "$1" "$2" "$MOUT"
}
mcheck "absent id: virtio-net 1af4:1041 -> its variant (and the class stub: class not given)" \
    "vbt_nvme_class_vfio_pci vfio_pci virtio_vfio_pci" "$VAR" '  - id: "1af4:1041"'
mcheck "absent id: Debian's tree has no variant -> vfio_pci" \
    "vfio_pci" "$DEB" '  - id: "1af4:1041"'
mcheck "absent id: vfio_pci built in -> nothing to add" \
    "" "$BIN" '  - id: "1af4:1041"'
mcheck "absent id with class 0200: the NVMe class stub cannot match" \
    "vfio_pci virtio_vfio_pci" "$VAR" '  - id: "1af4:1041"
    class: "0200"'
mcheck "absent id: QEMU NVMe, class 010802 -> the ID and the class variant" \
    "vbt_nvme_class_vfio_pci vbt_nvme_id_vfio_pci vfio_pci" "$VAR" '  - id: "1b36:0010"
    class: "010802"'
mcheck "absent id: QEMU NVMe, prog-if 01 -> only the ID variant" \
    "vbt_nvme_id_vfio_pci vfio_pci" "$VAR" '  - id: "1b36:0010"
    class: "010801"'
mcheck "absent id: no variant for 10de:2230 (only the class stub)" \
    "vbt_nvme_class_vfio_pci vfio_pci" "$VAR" '  - id: "10de:2230"'
mcheck "present id: the host's 10de:2204 resolves by its modalias" \
    "vfio_pci" "$VAR" '  - id: "10de:2204"'
mcheck "absent id + subsystem: ConnectX-6 Dx VF of another subsystem -> mlx5_vfio_pci" \
    "mlx5_vfio_pci vfio_pci" "$VAR" '  - id: "15b3:101e"
    subsystem: "15b3:0099"
    class: "0200"'
check "absent id: exit 0, nothing on stderr" "0 " "$MRC $MERR"
# A present device keeps its resolution by modalias: the host's 8086:10d3 (class 0200) gets
# only the e1000e variant, not the class stub an absent 8086:10d3 could need.
mcheck "present id: resolution by the device's modalias" \
    "vbt_e1000e_vfio_pci" "$VAR" '  - id: "8086:10d3"'
mcheck "absent address + id: the id decides" \
    "vbt_nvme_class_vfio_pci vfio_pci virtio_vfio_pci" "$VAR" '  - address: "0000:0a:00.0"
    id: "1af4:1041"'
mcheck "absent address: vfio_pci only" "vfio_pci" "$VAR" '  - address: "0000:0a:00.0"'
check "absent address: exit 0" 0 "$MRC"
check_contains "absent address in a tree with variants: a note says why, and what to do" \
    "no device matches address 0000:0a:00.0 here, so its variant driver is not known: vfio_pci only; give the entry its 'id' or 'driver'" "$MERR"
modules_for "$DEB" '  - address: "0000:0a:00.0"'
check "absent address in a tree with no variant: no note" "0 " "$MRC $MERR"
mcheck "absent entry with driver: that module only" "mlx5_vfio_pci" "$VAR" '  - address: "0000:0a:00.0"
    driver: mlx5_vfio_pci'
# The text modules.alias is what lists the patterns: without it, an error naming it.
NOALIAS=$(mktemp -d)
cp -a "$BED/lib/modules/$(cat "$BED/kver")/." "$NOALIAS/"
rm "$NOALIAS/modules.alias"
modules_for "$NOALIAS" '  - id: "1af4:1041"'
check "absent id, tree without modules.alias: exit 1" 1 "$MRC"
check "absent id, tree without modules.alias: names the path" \
    "vfio-bind: modules: cannot read $NOALIAS/modules.alias: No such file or directory" "$MERR"
rm -rf "$NOALIAS"

out=$(onbed list)
check_contains "list: ConnectX-6 Dx VF would get mlx5_vfio_pci" "0000:5e:00.1 15b3:101e 020000 - 31 mlx5_vfio_pci" "$(onbed list -o address,id,class,driver,iommu_group,vfio_module | tr -s ' ')"
check "list: one row per device plus header" 21 "$(printf '%s\n' "$out" | wc -l)"
out=$(onbed list --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["list"]["devices"]; print(len(d), d[0]["address"], [x["vfio_module"] for x in d if x["address"]=="0000:3b:00.2"][0])')
check "list --json: 20 devices, first and a resolution" "20 0000:00:01.0 vfio_pci" "$out"
out=$(onbed resolve 5e:00.1)
check "resolve ADDRESS (short form) reads the device's modalias" mlx5_vfio_pci "$out"
out=$(onbed resolve 0000:77:00.0 2>&1); rc=$?
check "resolve: absent device exits 1" 1 "$rc"
check_contains "resolve: absent device named" "no PCI device 0000:77:00.0" "$out"
before=$(tests/testbed/dump "$BED")
out=$(onbed plan); rc=$?
check "plan: exit 0" 0 "$rc"
check_contains "plan: second GPU loses nvidia" "0000:02:00.0 10de:2204 nvidia vfio-pci will-change load vfio_pci, set-override, unbind nvidia, probe" "$(tr -s ' ' <<< "$out")"
check "plan writes nothing" "$before" "$(tests/testbed/dump "$BED")"
check "plan: no kernel event" "" "$(cat "$BED/testbed/log")"

summary
