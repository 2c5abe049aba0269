#!/bin/bash
# Suite "bad-configs": every broken configuration is refused, with a message that says what and
# where, exit status 2, nothing on stdout, and nothing done.
#
# Cases: tests/bad-configs/NAME.yaml with NAME.expect (each line a fragment stderr must hold;
# @FILE@ stands for the path as given), plus those generated below (too big to commit, or not
# files at all). Each runs as 'vfio-bind validate FILE' and, on the demo test bed,
# 'vfio-bind -c FILE plan'; a few also as 'apply'. The bed's event log must stay empty and its
# state unchanged. Permissions (CONFIG_STRICT_PERMISSIONS) are checked at the default paths.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
demo_bed
before=$(tests/testbed/dump "$BED")

# The tool on the bed, under valgrind when VALGRIND=1. A FIFO must not hang it: 60 s is plenty
# even under valgrind.
bed_vb() {
    local v=()
    [ "${VALGRIND:-}" = 1 ] && v=(valgrind -q --error-exitcode=99 --leak-check=full
        "--errors-for-leak-kinds=definite,indirect")
    timeout 60 tests/testbed/run "$BED" -- "${v[@]}" "$ABS_VB" "$@"
}
vb_timeout() {
    local v=()
    [ "${VALGRIND:-}" = 1 ] && v=(valgrind -q --error-exitcode=99 --leak-check=full
        "--errors-for-leak-kinds=definite,indirect")
    timeout 60 "${v[@]}" "$VB" "$@"
}

# expect_refused NAME EXPECTFILE PATH CMD...: exit 2, stdout empty, every fragment in stderr.
expect_refused() {
    local name=$1 expect=$2 path=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$? bad=""
    local err
    err=$(cat "$tmp/err")
    [ $rc -eq 2 ] || bad="exit $rc, not 2"
    [ -s "$tmp/out" ] && bad="${bad:+$bad; }stdout not empty: $(head -c 200 "$tmp/out")"
    while IFS= read -r frag || [ -n "$frag" ]; do
        [ -n "$frag" ] || continue
        frag=${frag//@FILE@/$path}
        case "$err" in
            *"$frag"*) ;;
            *) bad="${bad:+$bad; }missing '$frag'" ;;
        esac
    done <"$expect"
    if [ -s "$BED/testbed/log" ]; then
        bad="${bad:+$bad; }the bed's event log is not empty: $(head -n 3 "$BED/testbed/log")"
        : >"$BED/testbed/log"
    fi
    if [ -z "$bad" ]; then ok "$name"; else not_ok "$name: $bad; stderr: $(head -c 600 <<<"$err")"; fi
}

# run_case NAME PATH EXPECTFILE: validate, then plan on the bed (the file given with -c).
run_case() {
    local name=$1 path=$2 expect=$3 abs
    case $path in /*) abs=$path ;; *) abs=$TOP/$path ;; esac
    expect_refused "validate $name" "$expect" "$path" vb_timeout validate "$path"
    expect_refused "plan -c $name" "$expect" "$abs" bed_vb -c "$abs" plan
}

# --- committed cases; copied with mode 0644 so that the checkout's umask does not matter ---
mkdir -p "$tmp/cfg"
n=0
for y in tests/bad-configs/*.yaml; do
    name=$(basename "$y" .yaml)
    e=tests/bad-configs/$name.expect
    if [ ! -f "$e" ]; then
        not_ok "$name: no $e"
        continue
    fi
    install -m 0644 "$y" "$tmp/cfg/$name.yaml"
    run_case "$name" "$tmp/cfg/$name.yaml" "$e"
    n=$((n + 1))
done
if [ "$n" -ge 50 ]; then ok "$n committed bad configurations"; else not_ok "only $n committed bad configurations"; fi

# --- generated cases: gen NAME EXPECT-FRAGMENT... (the file is $tmp/gen/NAME) ---
mkdir -p "$tmp/gen"
gen_expect() {
    local name=$1
    shift
    printf '%s\n' "$@" >"$tmp/gen/$name.expect"
}
python3 - "$tmp/gen" <<'PY'
import sys
d = sys.argv[1]
def w(name, data):
    with open(f"{d}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
entry = lambda i: '{id: "%04x:%04x"}' % (i >> 16, i & 0xffff)
w("entries-4097", "version: 1\ndevices: [" + ", ".join(entry(i) for i in range(4097)) + "]\n")
w("huge", "version: 1\ndevices:\n" + "# padding\n" * (110 * 1024))
w("deep-flow", "version: 1\ndevices: " + "[" * 100000 + "]" * 100000 + "\n")
w("deep-block", "version: 1\ndevices:\n" + "".join("  " * i + "- k:\n" for i in range(300)))
w("long-value", "version: 1\ndevices:\n  - address: \"" + "k" * (512 * 1024) + "\"\n")
w("errors-5000", "version: 1\ndevices:\n" + "  - bogus: 1\n" * 5000)
w("nul-byte", b"version: 1\ndevices:\n  - address: \"0000:01\x00:00.0\"\n")
w("invalid-utf8", b"version: 1\ndevices:\n  - address: \"0000:01:00.0\"\n    driver: \"vfio\xff\xfepci\"\n")
w("overlong-utf8", b"version: 1\ndevices:\n  - driver: \"\xc0\xaf\"\n")
w("utf16", "\ufeffversion: 1\n".encode("utf-16-le"))
w("bom-then-tab", b"\xef\xbb\xbfversion: 1\n\tdevices: []\n")
w("control-char", "version: 1\ndevices:\n  - driver: \"\u00e9\x01\"\n")
w("billion-laughs", "version: 1\na: &a [x, x]\nb: &b [*a, *a, *a]\ndevices: [*b, *b, *b]\n")
PY
gen_expect entries-4097 "@FILE@:2:" "more than 4096 device entries"
gen_expect huge "@FILE@: 1126420 bytes; a configuration is at most 1048576 bytes"
gen_expect deep-flow "@FILE@:2:" "nesting deeper than 8 levels"
gen_expect deep-block "@FILE@:" "nesting deeper than 8 levels"
gen_expect long-value "@FILE@:3:14: invalid address 'kkkkkkkk"
gen_expect errors-5000 "@FILE@:3:5: unknown key 'bogus'" "@FILE@: 4980 more errors not shown"
gen_expect nul-byte "@FILE@:3:22: NUL byte in the file; it is not a text file"
gen_expect invalid-utf8 "@FILE@:4:18: invalid YAML: invalid leading UTF-8 octet (0xff)"
gen_expect overlong-utf8 "@FILE@:3:14: invalid YAML: invalid length of a UTF-8 sequence"
gen_expect utf16 "@FILE@:" "NUL byte in the file"
gen_expect bom-then-tab "@FILE@:2:1: invalid YAML"
gen_expect control-char "@FILE@:3:15: invalid YAML: control characters are not allowed (0x1)"
gen_expect billion-laughs "@FILE@:2:4: YAML anchors and aliases"
for e in "$tmp"/gen/*.expect; do
    name=$(basename "$e" .expect)
    run_case "$name" "$tmp/gen/$name" "$e"
done

# Not files at all: a directory, a FIFO (must not block), a device (through a symlink), nothing.
mkdir "$tmp/gen/dir.yaml"
mkfifo "$tmp/gen/fifo.yaml"
ln -s /dev/zero "$tmp/gen/zero.yaml"
ln -s "$tmp/gen/absent" "$tmp/gen/dangling.yaml"
gen_expect dir.yaml "@FILE@: is a directory, not a configuration file"
gen_expect fifo.yaml "@FILE@: is a FIFO, not a regular file"
gen_expect zero.yaml "@FILE@: is a character device, not a regular file"
gen_expect dangling.yaml "@FILE@: cannot open configuration: No such file or directory"
gen_expect absent.yaml "@FILE@: cannot open configuration: No such file or directory"
for name in dir.yaml fifo.yaml zero.yaml dangling.yaml absent.yaml; do
    run_case "$name" "$tmp/gen/$name" "$tmp/gen/$name.expect"
done

# --- apply refuses too, and does nothing (the bed is where apply may run) ---
for name in path-driver-dotdot path-driver-slash nul-escape duplicate-entry contradiction-drivers; do
    expect_refused "apply -c $name" "tests/bad-configs/$name.expect" "$tmp/cfg/$name.yaml" \
        bed_vb -c "$tmp/cfg/$name.yaml" apply
done

# --- permissions, at the default paths (/etc/vfio-bind.yaml and /etc/vfio-bind.d in the bed) ---
etc=$BED/etc
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$etc/vfio-bind.yaml"
perm_case() { # NAME PATH-IN-BED MODE EXPECT-FRAGMENT...
    local name=$1 file=$2 mode=$3
    shift 3
    chmod "$mode" "$BED$file"
    gen_expect "perm-$name" "$@"
    expect_refused "plan: $name" "$tmp/gen/perm-$name.expect" "$file" bed_vb plan
    expect_refused "status: $name" "$tmp/gen/perm-$name.expect" "$file" bed_vb status
    expect_refused "apply: $name" "$tmp/gen/perm-$name.expect" "$file" bed_vb apply
}
chmod 0644 "$etc/vfio-bind.yaml"
out=$(bed_vb plan 2>&1)
check "plan: the same file with mode 0644 is read" 0 $?
check_contains "plan: ... and planned" "0000:02:00.0" "$out"
: >"$BED/testbed/log"
perm_case "world-writable" /etc/vfio-bind.yaml 0666 \
    "@FILE@: refusing a configuration owned by uid" "with mode 0666" "chmod go-w"
perm_case "group-writable" /etc/vfio-bind.yaml 0664 "@FILE@: refusing" "with mode 0664"
perm_case "setuid and group-writable" /etc/vfio-bind.yaml 04620 "@FILE@: refusing" "with mode 4620"
chmod 0644 "$etc/vfio-bind.yaml"
if [ "$(id -u)" = 0 ]; then
    chown 4242:4242 "$etc/vfio-bind.yaml"
    perm_case "owned by another user" /etc/vfio-bind.yaml 0644 \
        "@FILE@: refusing a configuration owned by uid" "with mode 0644"
    chown 0:0 "$etc/vfio-bind.yaml"
else
    echo "# not root: the other-owner case needs chown"
fi
# validate reads files only, as any user may: permissions are not its business.
chmod 0666 "$etc/vfio-bind.yaml"
out=$(vb validate "$etc/vfio-bind.yaml" 2>&1)
check "validate: mode 0666 is not checked" "0 $etc/vfio-bind.yaml: ok, 1 device entry" "$? $out"
chmod 0644 "$etc/vfio-bind.yaml"
mkdir -p "$etc/vfio-bind.d"
printf 'version: 1\ndevices:\n  - id: "15b3:101e"\n' >"$etc/vfio-bind.d/10-nics.yaml"
perm_case "drop-in world-writable" /etc/vfio-bind.d/10-nics.yaml 0666 "@FILE@: refusing" "with mode 0666"
chmod 0644 "$etc/vfio-bind.d/10-nics.yaml"
install -m 0644 tests/bad-configs/path-driver-dotdot.yaml "$etc/vfio-bind.d/20-bad.yaml"
gen_expect dropin-bad "/etc/vfio-bind.d/20-bad.yaml:4:13: invalid driver '../../x'"
expect_refused "plan: a bad drop-in" "$tmp/gen/dropin-bad.expect" "" bed_vb plan
rm -rf "$etc/vfio-bind.d"
printf 'not a directory\n' >"$etc/vfio-bind.d"
gen_expect dropin-file "/etc/vfio-bind.d: cannot read drop-in directory: Not a directory"
expect_refused "plan: drop-in directory is a file" "$tmp/gen/dropin-file.expect" "" bed_vb plan
rm -f "$etc/vfio-bind.d"

# --- nothing happened ---
check "bed state unchanged" "$before" "$(tests/testbed/dump "$BED")"
check "event log empty" "" "$(cat "$BED/testbed/log")"
summary
