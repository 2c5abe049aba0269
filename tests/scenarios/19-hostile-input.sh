#!/bin/bash
# Hostile input from outside the configuration's values: the kernel command line (each
# rd.vfio-bind.devices= on its own, the switch's boolean spellings, control bytes) and a drop-in's
# file name. What reaches the kernel log, stderr and the table is escaped; JSON keeps the bytes.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

kmsg() { grep -v -e 'vfio-bind: early run starting$' -e 'vfio-bind: early run done in ' "$BED/dev/kmsg"; }
# raw_bytes TEXT: the C0 control bytes (but newline) and DEL in TEXT, as hex, or nothing
raw_bytes() { printf '%s' "$1" | tr -d '\n' | LC_ALL=C tr -d '\040-\176\200-\377' | od -An -tx1 | tr -d ' \n'; }

# --- each rd.vfio-bind.devices= on its own: a refused one does not silence the next
bed boot
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0 rd.vfio-bind.devices=zz rd.vfio-bind.devices=0000:02:00.0"
run_vb apply --boot
check_rc "three lists, the middle one bad: exit 0" 0
check "three lists: the first list's device bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "three lists: the third list's device bound (not silenced by the second)" \
    "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check_grep "three lists: the bad one logged, with its column, at error level" \
    "^<3>vfio-bind: /proc/cmdline:1:86: rd\.vfio-bind\.devices: 'zz' is not an address" "$(kmsg)"
check "three lists: one error line" 1 "$(kmsg | grep -c '^<3>')"

# --- the rescue switch: every boolean spelling of off, in both spellings of the key
for arg in rd.vfio-bind=off vfio-bind=no rd.vfio-bind=false vfio-bind=OFF rd.vfio-bind=N vfio-bind=f; do
    bed boot
    config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
    cmdline "root=/dev/sda1 intel_iommu=on $arg"
    mark
    run_vb apply --boot
    check_rc "$arg: exit 0" 0
    check_no_events "$arg: nothing written, nothing loaded"
    check "$arg: the kernel log says disabled, and nothing else" \
        "<5>vfio-bind: disabled on the kernel command line (rd.vfio-bind= or vfio-bind= off); not binding anything" "$(kmsg)"
done
# on: the default, said explicitly; binds
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind=yes vfio-bind=1"
run_vb apply --boot
check_rc "rd.vfio-bind=yes: exit 0" 0
check "rd.vfio-bind=yes: bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"
check "rd.vfio-bind=yes: no warning" "" "$(kmsg | grep -v '^<6>')"
# neither: logged, taken as off (the rescue switch errs on the side of the host)
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind=disable"
run_vb apply --boot
check_rc "rd.vfio-bind=disable: exit 0" 0
check_no_events "rd.vfio-bind=disable: nothing written"
check_grep "rd.vfio-bind=disable: a warning saying what was done with it" \
    "^<4>vfio-bind: /proc/cmdline:1:31: rd\.vfio-bind='disable' is not a boolean \(1/yes/y/true/t/on, 0/no/n/false/f/off\); taking it as off: not binding anything$" \
    "$(kmsg)"
# udev: the same switch, quietly (the early run has said it; every event would say it again)
bed boot
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cmdline "root=/dev/sda1 intel_iommu=on vfio-bind=False"
mark
run_vb udev 0000:02:00.0
check "udev with vfio-bind=False: exit 0, nothing printed" "0:" "$RC:$OUT"
check_no_events "udev with vfio-bind=False: nothing written"
check "udev with vfio-bind=False: nothing logged" "" "$(kmsg)"

# --- control bytes on the command line: escaped in the kernel log ...
bed boot
esc=$'\e' bel=$'\a' del=$'\x7f' cr=$'\r'
cmdline "root=/dev/sda1 intel_iommu=on rd.vfio-bind.devices=0000:01:00.0 rd.vfio-bind.devices=${esc}[31mred${esc}[0m,${esc}]0;owned${bel} rd.vfio-bind.x=${del}${cr}rd.vfio-bind.devices=0000:02:00.0 rd.vfio-bind.devices=zz"$'\n'"<3>vfio-bind: forged"
run_vb apply --boot
check_rc "control bytes on the command line: exit 0" 0
check "control bytes: no raw control byte in the kernel log" "" "$(raw_bytes "$(cat "$BED/dev/kmsg")")"
check_grep "control bytes: the list escaped once" \
    "^<3>vfio-bind: /proc/cmdline:1:[0-9]+: rd\.vfio-bind\.devices: '\\\\x1b\[31mred\\\\x1b\[0m' is not an address" "$(kmsg)"
check_grep "control bytes: the unknown option escaped" \
    "^<4>vfio-bind: /proc/cmdline:1:110: unknown option 'rd\.vfio-bind\.x=\\\\x7f', ignoring$" "$(kmsg)"
check "control bytes: a newline starts no record of its own" 0 "$(grep -c '^<3>vfio-bind: forged' "$BED/dev/kmsg")"
check "control bytes: the good list bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:01:00.0)"
check "control bytes: '\\r' separates words, as the kernel's isspace() does" "driver=vfio-pci override=vfio-pci" \
    "$(state 0000:02:00.0)"
# ... and on stderr, where the early run writes when the kernel log cannot be opened
rm -f "$BED/dev/kmsg" && mkdir "$BED/dev/kmsg"
run_vb apply --boot --dry-run
check "control bytes: no raw control byte on stderr" "" "$(raw_bytes "$ERR")"
check_grep "control bytes: escaped on stderr" \
    "^vfio-bind: /proc/cmdline:1:[0-9]+: rd\.vfio-bind\.devices: '\\\\x1b\[31mred\\\\x1b\[0m' is not an address" "$ERR"

# --- a drop-in whose file name holds an escape sequence and a newline
bed demo
dropin=$'\e[31mred\n<3>vfio-bind: forged\e[0m.yaml'
mkdir -p "$BED/etc/vfio-bind.d"
printf 'version: 1\ndevices:\n  - address: "0000:09:00.0"\n    optional: true\n' >"$BED/etc/vfio-bind.d/$dropin"
run_vb plan
check_rc "drop-in named with control bytes: plan exit 0" 0
check "drop-in name: no raw control byte on stdout" "" "$(raw_bytes "$OUT")"
check_grep "drop-in name: the note on stdout names it escaped once" \
    '^note: no device matches address 0000:09:00\.0 \(/etc/vfio-bind\.d/\\x1b\[31mred\\n<3>vfio-bind: forged\\x1b\[0m\.yaml:3:5\); optional$' "$OUT"
run_vb plan --json
check_json "drop-in name: JSON parses"
check "drop-in name: JSON has the name's bytes" "/etc/vfio-bind.d/$dropin" "$(j '.plan.unmatched[0].config')"
# a name that is not UTF-8: JSON stays JSON (U+FFFD), the text says \xff
latin1=$'caf\xe9.yaml'
printf 'version: 1\ndevices:\n  - address: "0000:0a:00.0"\n' >"$BED/etc/vfio-bind.d/$latin1"
run_vb plan --json
# strictly: lib.sh's check_json reads stdin with Python's surrogateescape, which lets any byte by
if python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <<<"$OUT" 2>/dev/null; then
    ok "drop-in named in Latin-1: JSON parses as UTF-8"
else
    not_ok "drop-in named in Latin-1: JSON is not UTF-8"
fi
check "drop-in named in Latin-1: U+FFFD for the byte" "/etc/vfio-bind.d/caf\ufffd.yaml" \
    "$(python3 -c 'import json,sys; print(*[ascii(u["config"]) for u in json.load(sys.stdin)["plan"]["unmatched"] if "caf" in u["config"]])' <<<"$OUT" | tr -d "'")"
run_vb plan
check_grep "drop-in named in Latin-1: the text note escapes the byte" 'caf\\xe9\.yaml:3:5\)$' "$OUT"
rm -f "$BED/etc/vfio-bind.d/$latin1"
printf 'version: 2\n' >"$BED/etc/vfio-bind.d/$dropin"
run_vb plan
check_rc "drop-in with an error: exit 2" 2
check "drop-in with an error: no raw control byte on stderr" "" "$(raw_bytes "$ERR")"
check "drop-in with an error: one line on stderr" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
check_grep "drop-in with an error: its name escaped once on stderr" \
    "^vfio-bind: /etc/vfio-bind\.d/\\\\x1b\[31mred\\\\n<3>vfio-bind: forged\\\\x1b\[0m\.yaml:1:10: unsupported version" "$ERR"
run_vb apply --boot
check_rc "drop-in with an error, early run: exit 2" 2
check "drop-in with an error, early run: no raw control byte in the kernel log" "" "$(raw_bytes "$(cat "$BED/dev/kmsg")")"
check_grep "drop-in with an error, early run: its name escaped in the kernel log" \
    "^<3>vfio-bind: /etc/vfio-bind\.d/\\\\x1b\[31mred\\\\n<3>vfio-bind: forged\\\\x1b\[0m\.yaml:1:10: unsupported version" "$(kmsg)"
check "drop-in with an error, early run: no forged record" 0 "$(grep -c '^<3>vfio-bind: forged' "$BED/dev/kmsg")"

# --- a value that was escaped before (config_load's own) is not escaped twice
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    driver: "vfio\e[31m"
Y
run_vb plan
check_rc "control bytes in a value: exit 2" 2
check_grep "control bytes in a value: escaped once" "invalid driver 'vfio\\\\x1b\[31m'" "$ERR"
summary
