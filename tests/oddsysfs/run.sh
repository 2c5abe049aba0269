#!/bin/bash
# Suite "oddsysfs": sysfs content no kernel writes, put straight into the demo test bed's files
# after mkbed. list, plan, status (text and JSON), resolve and apply must each name the odd
# device and what is odd about it, never crash (under SANITIZE=1 no sanitizer report either;
# VALGRIND=1 runs them under valgrind), and never touch such a device.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
demo_bed

bed_vb() {
    local v=()
    [ "${VALGRIND:-}" = 1 ] && v=(valgrind -q --error-exitcode=99 --leak-check=full
        "--errors-for-leak-kinds=definite,indirect")
    timeout 120 tests/testbed/run "$BED" -- "${v[@]}" "$ABS_VB" "$@"
}
dev() { readlink -f "$BED/sys/bus/pci/devices/$1"; }
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# --- the odd content, one kind per device; EXPECT[ADDR] is what must be said about it ---
declare -A EXPECT
odd() { # ADDR MESSAGE: record; the caller has just changed ADDR's files
    EXPECT[$1]=$2
}
rm "$(dev 0000:3b:00.2)/modalias"
odd 0000:3b:00.2 "sysfs attribute 'modalias' is missing"
rm "$(dev 0000:3b:00.3)/vendor"
odd 0000:3b:00.3 "sysfs attribute 'vendor' is missing"
{ printf 'pci:v'; repeat A 5000; echo; } >"$(dev 0000:3b:00.4)/modalias"
odd 0000:3b:00.4 "sysfs attribute 'modalias' is too long"
echo 'usb:v1D6Bp0002d0515dc09dsc00dp01ic09isc00ip00in00' >"$(dev 0000:3b:00.5)/modalias"
odd 0000:3b:00.5 "sysfs attribute 'modalias' is not a PCI modalias"
printf 'pci:v000015B3d00001017\0sv000015B3sd00000007bc02sc00i00\n' >"$(dev 0000:3b:00.0)/modalias"
odd 0000:3b:00.0 "sysfs attribute 'modalias' is not a PCI modalias"
ln -s ../../../../bus/pci/drivers/ghost "$(dev 0000:5e:00.1)/driver"
odd 0000:5e:00.1 "sysfs link 'driver' points to '../../../../bus/pci/drivers/ghost', which does not exist"
ln -sfn ../../../bus/pci/drivers/.. "$(dev 0000:00:14.0)/driver"
odd 0000:00:14.0 "sysfs link 'driver' does not name a driver: '../../../bus/pci/drivers/..'"
ln -sfn ../../../../kernel/iommu_groups/not-a-number "$(dev 0000:5e:00.2)/iommu_group"
odd 0000:5e:00.2 "sysfs link 'iommu_group' points to 'not-a-number', not a group number"
rm "$(dev 0000:04:00.0)/iommu_group"
echo 12 >"$(dev 0000:04:00.0)/iommu_group"
odd 0000:04:00.0 "cannot read sysfs link 'iommu_group': Invalid argument"
{ repeat x 200; echo; } >"$(dev 0000:02:00.1)/driver_override"
odd 0000:02:00.1 "sysfs attribute 'driver_override' is too long for a driver name"
{ repeat y 5000; echo; } >"$(dev 0000:01:00.1)/driver_override"
odd 0000:01:00.1 "sysfs attribute 'driver_override' is too long for a driver name"
{ printf '0x'; repeat 0 5000; echo; } >"$(dev 0000:02:00.0)/vendor"
odd 0000:02:00.0 "sysfs attribute 'vendor' is not a hex number"
echo 0xZZZZ >"$(dev 0000:00:19.0)/device"
odd 0000:00:19.0 "sysfs attribute 'device' is not a hex number"
: >"$BED/testbed/log"
before=$(tests/testbed/dump "$BED" 2>&1)

# Every odd device selected, by address; force so that in-use checks do not speak first.
{
    echo "version: 1"
    echo "devices:"
    for a in "${!EXPECT[@]}"; do printf '  - address: "%s"\n    force: true\n' "$a"; done
} >"$BED/etc/vfio-bind.yaml"
chmod 0644 "$BED/etc/vfio-bind.yaml"

sane() { # NAME RC ALLOWED-RCS...: no crash, no sanitizer or valgrind report
    local name=$1 rc=$2
    shift 2
    local allowed=" $* "
    if [[ $allowed != *" $rc "* ]]; then
        not_ok "$name: exit $rc (expected one of:$allowed); $(tail -n 5 "$tmp/err")"
    elif grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|==[0-9]+==' "$tmp/err"; then
        not_ok "$name: sanitizer or valgrind report: $(grep -m 3 -E 'Sanitizer|runtime error|==[0-9]+==' "$tmp/err")"
    else
        ok "$name: exit $rc, no crash"
    fi
}
# says NAME FILE: each odd device's line in FILE (a table) carries its message
says() {
    local name=$1 file=$2 a missing=""
    for a in "${!EXPECT[@]}"; do
        grep -F "$a" "$file" | grep -qF "${EXPECT[$a]}" || missing="$missing $a"
    done
    if [ -z "$missing" ]; then ok "$name: names all ${#EXPECT[@]} odd devices"; else
        not_ok "$name: no message for$missing: $(head -c 1500 "$file")"; fi
}
# says_json NAME FILE: valid JSON, and every message in it
says_json() {
    local name=$1 file=$2 a missing=""
    if ! python3 -m json.tool "$file" >/dev/null 2>&1; then
        not_ok "$name: not JSON: $(head -c 300 "$file")"
        return
    fi
    for a in "${!EXPECT[@]}"; do
        python3 - "$file" "$a" "${EXPECT[$a]}" <<'PY' || missing="$missing $a"
import json, sys
doc = json.load(open(sys.argv[1]))
def walk(o):
    if isinstance(o, dict):
        if sys.argv[2] in o.values() and any(isinstance(v, str) and sys.argv[3] in v for v in o.values()):
            return True
        return any(walk(v) for v in o.values())
    if isinstance(o, list):
        return any(walk(v) for v in o)
    return False
sys.exit(0 if walk(doc) else 1)
PY
    done
    if [ -z "$missing" ]; then ok "$name: every odd device's object has its message"; else
        not_ok "$name: no message for$missing"; fi
}

bed_vb list >"$tmp/out" 2>"$tmp/err"
sane "list" $? 0
says "list (stderr)" "$tmp/err"
n_rows=$(grep -cE '^[0-9a-f]{4}:' "$tmp/out")
check "list: every device still listed" 20 "$n_rows"
bed_vb list --json >"$tmp/out" 2>"$tmp/err"
sane "list --json" $? 0
says_json "list --json" "$tmp/out"

bed_vb plan >"$tmp/out" 2>"$tmp/err"
sane "plan" $? 1
says "plan" "$tmp/out"
check "plan: nothing would change" 0 "$(grep -c 'will-change' "$tmp/out")"
bed_vb plan --json >"$tmp/out" 2>"$tmp/err"
sane "plan --json" $? 1
says_json "plan --json" "$tmp/out"

# status: the odd devices are not as configured (drift, 3) or cannot be judged (1).
bed_vb status >"$tmp/out" 2>"$tmp/err"
sane "status" $? 1 3
says "status" "$tmp/out"
bed_vb status --json >"$tmp/out" 2>"$tmp/err"
sane "status --json" $? 1 3
says_json "status --json" "$tmp/out"

for a in "${!EXPECT[@]}"; do
    bed_vb resolve "$a" >"$tmp/out" 2>"$tmp/err"
    sane "resolve $a" $? 0 1
done
bed_vb resolve 0000:3b:00.2 >"$tmp/out" 2>"$tmp/err"
check_contains "resolve: a device without modalias" "0000:3b:00.2 has no 'modalias' attribute" "$(cat "$tmp/err")"
bed_vb resolve 0000:3b:00.4 >"$tmp/out" 2>"$tmp/err"
check_contains "resolve: an over-long modalias" "the 'modalias' of 0000:3b:00.4 is too long" "$(cat "$tmp/err")"
bed_vb resolve 0000:3b:00.5 >"$tmp/out" 2>"$tmp/err"
check_contains "resolve: a USB modalias" "no vfio_ alias matches 'usb:v1D6B" "$(cat "$tmp/err")"

check "list, plan, status, resolve wrote nothing" "" "$(cat "$BED/testbed/log")"

# apply: every selected device is odd, so it fails (1) and touches nothing.
bed_vb apply >"$tmp/out" 2>"$tmp/err"
sane "apply" $? 1
says "apply" "$tmp/out"
check "apply wrote nothing" "" "$(cat "$BED/testbed/log")"
check "bed state unchanged" "$before" "$(tests/testbed/dump "$BED" 2>&1)"
summary
