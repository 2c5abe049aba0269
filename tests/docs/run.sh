#!/bin/bash
# Single-quoted scripts for bash -c, sh -c and sed are meant literally.
# shellcheck disable=SC2016
# Suite "docs": the man pages against the tool (options both ways, verbs, exit codes, kernel
# command line, files, configuration keys), scdoc builds and installs them, every YAML example
# in the docs is a valid configuration, the bash completion, the Ansible example, and list's
# NAME column. Needs build/vfio-bind (make) and, for the test bed parts, make testbed.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

MAN8=docs/vfio-bind.8.scd
MAN5=docs/vfio-bind.yaml.5.scd
COMPLETION=docs/completion/vfio-bind
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$VB" ] || { not_ok "$VB is not built (make)"; summary; exit 1; }

words() { tr ' ' '\n' | sed '/^$/d' | sort -u; }
# set_equal NAME "A B C" "C B A": the same words, in any order.
set_equal() {
    local a b
    a=$(printf '%s\n' "$2" | words | tr '\n' ' ')
    b=$(printf '%s\n' "$3" | words | tr '\n' ' ')
    check "$1" "$a" "$b"
}
# The text of "## NAME" (or "# NAME") in an scdoc page, up to the next heading of any level.
scd_section() { # FILE HEADING
    awk -v h="$2" '$0 == h { on = 1; next } on && /^#/ { exit } on { print }' "$1"
}
# Options written in bold in scdoc: *--json*, *-c*.
scd_options() { grep -oE '\*--?[a-z][a-z-]*\*' | tr -d '*' | sort -u; }
# Options with a definition: a term line of a definition list, "*-c*, *--config* _FILE_".
scd_defined_options() { grep -E '^\*--?[a-z]' | scd_options; }
# Options in a --help text: words starting with '-' after a space, '[' or '|' (not "$(uname -r)").
help_options() {
    sed 's/\$([^)]*)//g' | grep -oE -- '(^|[][ |,])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u
}

# --- the tool's own account of itself ---------------------------------------------------------
MAIN_HELP=$(vb --help)
VERBS=$(printf '%s\n' "$MAIN_HELP" | awk '/^Verbs:/ { on = 1; next } on && /^$/ { exit }
    on && /^  [a-z]/ { print $1 }' | sort -u | tr '\n' ' ')
TABLE_VERBS=$(grep -oE '\{ "[a-z]+", (FULL_TOOL_ONLY\()?verb_' src/main.c | cut -d'"' -f2 | sort -u | tr '\n' ' ')
check "verbs: --help lists the verbs of main.c's table" "$TABLE_VERBS" "$VERBS"
[ -n "$VERBS" ] || not_ok "verbs: none found in --help"

# --- man page 8: verbs and options, both ways -------------------------------------------------
# The global options: the "Options:" block of --help.
GLOBAL_OPTS=$(printf '%s\n' "$MAIN_HELP" | awk '/^Options:/ { on = 1; next } on && /^$/ { exit } on' | help_options)
[ -n "$GLOBAL_OPTS" ] || not_ok "no Options: block in --help"
ALL_HELP_OPTS=$(printf '%s\n' "$MAIN_HELP" | help_options)
for v in $VERBS; do
    h=$(vb "$v" --help 2>&1)
    rc=$?
    check "$v --help exits 0" 0 "$rc"
    check_contains "$v --help prints its usage" "Usage: vfio-bind" "$h"
    section=$(scd_section "$MAN8" "## $v")
    if [ -z "$section" ]; then
        not_ok "vfio-bind.8: no '## $v' section"
        continue
    fi
    ok "vfio-bind.8: '## $v' section"
    opts=$(printf '%s\n' "$h" | help_options)
    ALL_HELP_OPTS=$(printf '%s\n%s\n' "$ALL_HELP_OPTS" "$opts" | sort -u)
    # Each option of VERB --help in VERB's section; -c belongs to the global options.
    missing=""
    for o in $opts; do
        case $o in -c | -h) continue ;; esac
        printf '%s\n' "$section" | scd_defined_options | grep -qxF -- "$o" || missing="$missing $o"
    done
    check "vfio-bind.8: '## $v' documents every option of '$v --help'" "" "$missing"
    # And the other way round: what the section documents, VERB --help knows.
    extra=""
    for o in $(printf '%s\n' "$section" | scd_options); do
        case $o in -c | --config) continue ;; esac
        printf '%s\n' "$opts" | grep -qxF -- "$o" || extra="$extra $o"
    done
    check "vfio-bind.8: '## $v' documents no option '$v --help' lacks" "" "$extra"
done
missing=""
for o in $GLOBAL_OPTS; do
    scd_section "$MAN8" "# OPTIONS" | scd_defined_options | grep -qxF -- "$o" || missing="$missing $o"
done
check "vfio-bind.8: OPTIONS documents every option of --help" "" "$missing"
extra=""
for o in $(scd_options <"$MAN8"); do
    printf '%s\n' "$ALL_HELP_OPTS" | grep -qxF -- "$o" || extra="$extra $o"
done
check "vfio-bind.8: every option in the page is in some --help" "" "$extra"
SYN=$(scd_section "$MAN8" "# SYNOPSIS")
for v in $VERBS; do
    check_contains "vfio-bind.8: SYNOPSIS shows $v" "*$v*" "$SYN"
done

# --- exit codes, kernel command line, files ----------------------------------------------------
CODES=$(sed -n 's/^ *EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' src/verbs.h | sort -u | tr '\n' ' ')
DOC_CODES=$(scd_section "$MAN8" "# EXIT STATUS" | sed -n 's/^\*\([0-9]*\)\*$/\1/p' | sort -u | tr '\n' ' ')
check "vfio-bind.8: EXIT STATUS lists exactly the codes of src/verbs.h" "$CODES" "$DOC_CODES"
[ -n "$CODES" ] || not_ok "exit codes: none found in src/verbs.h"
KCL=$(scd_section "$MAN8" "# KERNEL COMMAND LINE")
WORDS=$(grep -oE '"(rd\.)?vfio-bind(\.[a-z]+)?"' src/cmdline.c | tr -d '"' | sort -u)
[ -n "$WORDS" ] || not_ok "kernel command line: no words found in src/cmdline.c"
for w in $WORDS; do
    check_contains "vfio-bind.8: KERNEL COMMAND LINE documents $w=" "*$w=" "$KCL"
    check_contains "rescue.md mentions $w" "$w" "$(cat docs/rescue.md)"
done
BOOLS=$(sed -n 's/.*const no\[\] = { \(.*\) };/\1/p; s/.*const yes\[\] = { \(.*\) };/\1/p' src/cmdline.c | tr -d '",')
[ "$(words <<<"$BOOLS" | wc -l)" = 12 ] || not_ok "kernel command line: 12 boolean spellings not found in src/cmdline.c: $BOOLS"
for b in $BOOLS; do
    check_contains "vfio-bind.8: KERNEL COMMAND LINE lists the boolean $b" "*$b*" "$KCL"
done
FILES=$(scd_section "$MAN8" "# FILES")
while read -r f; do
    check_contains "vfio-bind.8: FILES names $f" "*$f" "$FILES"
done < <(sed -n 's/^#define \(CONFIG_FILE_DEFAULT\|CONFIG_DROPIN_DIR_DEFAULT\|LOCK_PATH\|CMDLINE_PATH\|RECORD_PATH\) "\([^"]*\)".*/\2/p' \
    src/config.h src/apply.h src/cmdline.h src/record.h)
for g in docs/*.md; do
    check_contains "vfio-bind.8: FILES names ${g#docs/}" "${g#docs/}" "$FILES"
done
GUIDES=$(sed -n 's/^DOC_GUIDES := //p' docs/docs.mk | words | tr '\n' ' ')
check "docs.mk installs every guide in docs/" "$(printf '%s\n' docs/*.md | words | tr '\n' ' ')" "$GUIDES"

# --- man page 5: every key of the language ------------------------------------------------------
ENTRY_KEYS=$(sed -n 's/.*entry_keys\[\] = "\(.*\)";/\1/p' src/config-entry.c | tr -d ',')
TOP_KEYS=$(grep -oE "expected 'version' or 'devices'" src/config.c | grep -oE "'[a-z]+'" | tr -d "'")
[ -n "$ENTRY_KEYS" ] || not_ok "config keys: entry_keys not found in src/config-entry.c"
[ -n "$TOP_KEYS" ] || not_ok "config keys: top-level keys not found in src/config.c"
DOC_KEYS=$(sed -n 's/^\*\([a-z_]*\):\*.*/\1/p' "$MAN5" | sort -u | tr '\n' ' ')
set_equal "vfio-bind.yaml.5 defines exactly the keys of src/config.c" "$ENTRY_KEYS $TOP_KEYS" "$DOC_KEYS"
ENTRIES=$(scd_section "$MAN5" "# DEVICE ENTRIES")
for k in $ENTRY_KEYS; do
    check_contains "vfio-bind.yaml.5: DEVICE ENTRIES defines $k" "*$k:*" "$ENTRIES"
done
# The keys are real: an entry with every documented key and a documented value validates,
# and a misspelt key does not.
cat >"$TMP/all-keys.yaml" <<'EOF'
version: 1
devices:
  - address: "0000:01:00.*"
    id: "10de:2204"
    subsystem: "1458:403b"
    class: "0300"
    driver: vfio_pci
    group: all
    force: true
  - id: "144d:a80a"
    class: "010802"
    group: device
    force: false
    optional: true
  - address: "0000:3b:00.2"
    reset_method: [flr, bus]
    fallback: vfio_pci
  - address: "0000:5e:00.0"
    sriov: {numvfs: 4, replace: true, vfs: [0, 2]}
  - bus: platform
    name: "fff51000.ethernet"
    compatible: "snps,dwmac"
    driver: vfio_platform
  - slot: "4"
    id: "10de:1e84"
    functions: all
  - path: "pci0000:00/1c.4/00.1"
    functions: device
  - serial: "00-11-22-33-44-55-66-77"
EOF
check "every documented key validates" 0 "$(vb validate "$TMP/all-keys.yaml" >/dev/null 2>&1; echo $?)"
for k in $ENTRY_KEYS; do
    grep -q "^    $k:\|^  - $k:" "$TMP/all-keys.yaml" || not_ok "all-keys.yaml lacks $k (update this test)"
done
printf 'version: 1\ndevices:\n  - adress: "0000:01:00.0"\n' >"$TMP/typo.yaml"
out=$(vb validate "$TMP/typo.yaml" 2>&1)
check_contains "a misspelt key is an error with file:line:column" "typo.yaml:3:5: unknown key 'adress'" "$out"
check_contains "the error lists the keys the page documents" "expected one of: $(sed -n 's/.*entry_keys\[\] = "\(.*\)";/\1/p' src/config-entry.c)" "$out"

# The exit statuses the pages give for configuration problems (plan stops before any device).
cp "$TMP/typo.yaml" "$TMP/typo-plan.yaml"
check "vfio-bind.8: a configuration error exits with 2" 2 "$(vb -c "$TMP/typo-plan.yaml" plan >/dev/null 2>&1; echo $?)"
printf 'version: 1\ndevices:\n' >"$TMP/open.yaml"
chmod 0664 "$TMP/open.yaml"
check "vfio-bind.yaml.5: a group-writable file is refused with 2" 2 "$(vb -c "$TMP/open.yaml" plan >/dev/null 2>&1; echo $?)"
check_contains "vfio-bind.yaml.5: ... saying how to fix it" "chown root: and chmod go-w it" "$(vb -c "$TMP/open.yaml" plan 2>&1)"
check "vfio-bind.yaml.5: validate does not check permissions" 0 "$(vb validate "$TMP/open.yaml" >/dev/null 2>&1; echo $?)"
check "vfio-bind.8: an unknown option exits with 2" 2 "$(vb plan --bogus >/dev/null 2>&1; echo $?)"
check "vfio-bind.8: an unknown option prints nothing on stdout" "" "$(vb plan --bogus 2>/dev/null)"

# --- YAML examples in the docs are valid configurations -----------------------------------------
n=0
for f in docs/*.md README.md; do
    awk -v out="$TMP/ex-${f//\//_}" '/^```yaml/ { on = 1; n++; next } /^```/ { on = 0 }
        on { print > (out "-" n ".yaml") }' "$f"
done
awk -v out="$TMP/ex-man5" '/^```$/ { if (on) { on = 0; done = 1 } else if (!done) { on = 1 }; next }
    on { print > (out ".yaml") }' "$MAN5"
for ex in "$TMP"/ex-*.yaml; do
    [ -e "$ex" ] || continue
    n=$((n + 1))
    out=$(vb validate "$ex" 2>&1)
    check "example ${ex#"$TMP"/ex-} validates" 0 "$?"
    [ "$(grep -c '' "$ex")" -gt 2 ] || not_ok "example ${ex#"$TMP"/ex-} is too short to be one"
done
if [ "$n" -ge 8 ]; then ok "found $n YAML examples in the docs"; else not_ok "found only $n YAML examples"; fi

# --- the star counts and lengths how-it-works.md gives for its aliases -------------------------
n=0
while read -r alias count; do
    n=$((n + 1))
    stars=${alias//[^*]/}
    check "how-it-works.md: $alias has $count '*'" "$count" "${#stars}"
done < <(grep -oE "vfio_pci:[^ ]+ +([a-z0-9_]+ +)?[0-9]+ '\*'" docs/how-it-works.md |
    awk '{ print $1, $(NF - 1) }')
if [ "$n" -ge 4 ]; then ok "how-it-works.md: $n star counts checked"; else not_ok "how-it-works.md: only $n star counts found"; fi
lengths=$(grep -oE 'ID alias, [0-9]+ characters against [0-9]+' docs/how-it-works.md | grep -oE '[0-9]+' | tr '\n' ' ')
id_alias=$(grep -oE 'vfio_pci:v0000144Dd0000A80A[^ ]*' docs/how-it-works.md | head -n 1)
class_alias=$(grep -oE 'vfio_pci:v\*d\*sv\*sd\*bc01sc08i02\*' docs/how-it-works.md | head -n 1)
check "how-it-works.md: the lengths of the tied aliases" "${#id_alias} ${#class_alias} " "$lengths"

# --- scdoc builds and make installs the pages ---------------------------------------------------
if command -v scdoc >/dev/null; then
    rm -rf "$B/docs"
    out=$(make -s docs BUILDDIR="$B" 2>&1)
    check "make docs" "" "$out"
    for page in vfio-bind.8 vfio-bind.yaml.5; do
        sec=${page##*.}
        name=${page%.*}
        if [ -s "$B/docs/$page" ]; then ok "scdoc built $page"; else not_ok "scdoc built no $B/docs/$page"; fi
        check_contains "$page: header" ".TH \"$name\" \"$sec\"" "$(grep '^\.TH' "$B/docs/$page")"
        if command -v groff >/dev/null; then
            check "$page: groff renders it without warnings" "" \
                "$(groff -man -Tutf8 -ww -z "$B/docs/$page" 2>&1)"
        fi
    done
    # A broken page fails the build (scdoc exits non-zero, make stops, no page left behind).
    mkdir -p "$TMP/bad/docs"
    printf 'bad(8)\n\n# NAME\n\n[[ a\n:< b\n\t[ indented table\n' >"$TMP/bad/docs/bad.8.scd"
    (cd "$TMP/bad" && make -s -f "$OLDPWD/docs/docs.mk" BUILDDIR=build build/docs/bad.8 >/dev/null 2>&1)
    check "a malformed page fails make" 2 "$?"
    if [ ! -e "$TMP/bad/build/docs/bad.8" ]; then ok "no half-built page left"; else not_ok "half-built page left"; fi
    rm -rf "$TMP/root"
    make -s install DESTDIR="$TMP/root" PREFIX=/usr BUILDDIR="$B" >/dev/null 2>&1
    check "make install" 0 "$?"
    for f in share/man/man8/vfio-bind.8 share/man/man5/vfio-bind.yaml.5 \
        share/bash-completion/completions/vfio-bind share/doc/vfio-bind/how-it-works.md \
        share/doc/vfio-bind/troubleshooting.md share/doc/vfio-bind/rescue.md \
        share/doc/vfio-bind/migrating.md; do
        if [ -f "$TMP/root/usr/$f" ]; then ok "installed /usr/$f"; else not_ok "not installed: /usr/$f"; fi
    done
    if command -v man >/dev/null; then
        out=$(MANWIDTH=80 man -l "$TMP/root/usr/share/man/man5/vfio-bind.yaml.5" 2>&1)
        check_contains "man renders vfio-bind.yaml(5)" "/etc/vfio-bind.d/*.yaml" "$out"
    fi
else
    not_ok "scdoc is not installed (tests/install-deps.sh installs it)"
fi

# --- bash completion ----------------------------------------------------------------------------
# comp LINE: what bash would offer at the end of LINE (the text after the last ':' or '=').
comp() {
    bash -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#2}; COMPREPLY=(); _vfio_bind
        printf "%s\n" "${COMPREPLY[@]}"' comp "$COMPLETION" "$1" | sort | tr '\n' ' ' | sed 's/ $//'
}
check "completion: registered for vfio-bind" "complete -F _vfio_bind vfio-bind" \
    "$(bash -c '. "$1"; complete -p vfio-bind' c "$COMPLETION")"
set_equal "completion: verbs are those of --help" "$VERBS" "$(comp 'vfio-bind ')"
check "completion: verb prefix" "resolve revert" "$(comp 'vfio-bind re')"
set_equal "completion: global options are those of --help" "$GLOBAL_OPTS" "$(comp 'vfio-bind -')"
for v in $VERBS; do
    set_equal "completion: options of $v are those of '$v --help'" \
        "--help $(vb "$v" --help | help_options | grep -- '^--' | tr '\n' ' ')" "$(comp "vfio-bind $v --")"
done
check "completion: verb after -c FILE" "status" "$(comp 'vfio-bind -c /etc/vfio-bind.yaml st')"
mkdir -p "$TMP/cfg/sub"
touch "$TMP/cfg/a.yaml" "$TMP/cfg/b.yaml" "$TMP/cfg/notes.txt"
check "completion: -c offers .yaml files and directories" \
    "$TMP/cfg/a.yaml $TMP/cfg/b.yaml $TMP/cfg/sub/" "$(comp "vfio-bind -c $TMP/cfg/")"
check "completion: --config=FILE" "$TMP/cfg/a.yaml" "$(comp "vfio-bind --config=$TMP/cfg/a")"
check "completion: -c after the verb offers .yaml files" "$TMP/cfg/a.yaml" \
    "$(comp "vfio-bind plan --json -c $TMP/cfg/a")"
check "completion: --config=FILE after the verb" "$TMP/cfg/b.yaml" "$(comp "vfio-bind status --config=$TMP/cfg/b")"
check "completion: validate offers .yaml files" "$TMP/cfg/b.yaml" "$(comp "vfio-bind validate $TMP/cfg/a.yaml $TMP/cfg/b")"
check "completion: nothing after --modalias" "" "$(comp 'vfio-bind resolve --modalias ')"
check "completion: no verb after the verb" "" "$(comp 'vfio-bind plan ')"
if [ -d /sys/bus/pci/devices ]; then
    others=$(for d in /sys/bus/platform/devices/* /sys/bus/fsl-mc/devices/* /sys/bus/cdx/devices/*; do
        [ -e "$d/driver_override" ] && printf '%s\n' "${d##*/}"; done)
    check "completion: revert offers PCI addresses and other buses' devices" \
        "$( (cd /sys/bus/pci/devices && printf '%s\n' *; [ -z "$others" ] || printf '%s\n' "$others") | sort | tr '\n' ' ' | sed 's/ $//')" "$(comp 'vfio-bind revert ')"
fi
check "completion: bus names after list --bus" "all cdx fsl-mc pci platform" "$(comp 'vfio-bind list --bus ')"
check "completion: bus names after udev --bus" "cdx fsl-mc pci platform" "$(comp 'vfio-bind udev --bus ')"
if command -v shellcheck >/dev/null; then
    check "completion: shellcheck" "" "$(shellcheck -s bash "$COMPLETION" 2>&1)"
fi
# Addresses and kernels over the test bed's /sys and /lib/modules: known values.
BED=""
if [ -f "$B/testbed/libtestbed.so" ]; then
    BED=$TMP/bed
    if tests/testbed/mkbed tests/testbed/hosts/demo.host "$BED" >/dev/null 2>&1; then
        bcomp() {
            tests/testbed/run "$BED" -- bash -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#2}
                _vfio_bind; printf "%s\n" "${COMPREPLY[@]}"' comp "$COMPLETION" "$1" |
                sort | tr '\n' ' ' | sed 's/ $//'
        }
        check "completion: revert addresses (after the last ':')" "00.0 00.2 00.3 00.4 00.5" \
            "$(bcomp 'vfio-bind revert 0000:3b:00.')"
        check "completion: resolve address" "04:00.0" "$(bcomp 'vfio-bind resolve 0000:04')"
        check "completion: resolve takes one address" "" "$(bcomp 'vfio-bind resolve 0000:04:00.0 0000:0')"
        check "completion: -c FILE after the verb is no address" "04:00.0" \
            "$(bcomp 'vfio-bind resolve -c /etc/vfio-bind.yaml 0000:04')"
        check "completion: --kver offers /lib/modules" "6.1.0-testbed" "$(bcomp 'vfio-bind modules --kver ')"
    else
        not_ok "mkbed demo.host"
        BED=""
    fi
else
    not_ok "test bed not built (make testbed): completion and list over a known /sys untested"
fi

# --- Ansible example (the collection itself: tests/ansible) ----------------------------------------
A=examples/ansible
out=$(vb validate "$A/rendered-example.yaml" 2>&1)
check "ansible: rendered-example.yaml validates" 0 "$?"
check_contains "ansible: rendered-example.yaml has every entry" "5 device entries" "$out"
for f in "$A/playbook.yml" "$A/vars/example.yml" ansible/galaxy.yml ansible/roles/vfio_bind/*/main.yml; do
    check "ansible: $f is YAML" ok "$(python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1])); print("ok")' "$f" 2>&1)"
done
check "ansible: the example playbook runs the collection's role" vfio_bind.vfio_bind.vfio_bind \
    "$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[0]["roles"][0]["role"])' "$A/playbook.yml" 2>&1)"
check "ansible: the README points at the collection" 1 "$(grep -c '](../../ansible/README.md)' "$A/README.md")"

# --- list: the NAME column ----------------------------------------------------------------------
if [ -n "$BED" ]; then
    HWDB=""
    for f in /etc/udev/hwdb.bin /usr/lib/udev/hwdb.bin /lib/udev/hwdb.bin; do
        [ -s "$f" ] && HWDB=$f && break
    done
    out=$(tests/testbed/run "$BED" -- "$VB" list 2>&1)
    check "list: exit status" 0 "$?"
    check "list: header" "ADDRESS ID CLASS DRIVER DRIVER_OVERRIDE IOMMU_GROUP VFIO_MODULE SLOT PATH BOOT_VGA IN_USE SELECTED NAME" "$(printf '%s\n' "$out" | head -n 1 | tr -s ' ')"
    check "list: a row per device" "$(grep -c '^device ' tests/testbed/hosts/demo.host)" \
        "$(printf '%s\n' "$out" | tail -n +2 | grep -c '^0000:')"
    if [ -n "$HWDB" ]; then
        row=$(printf '%s\n' "$out" | grep '^0000:01:00.0 ')
        check_contains "list: name from the hwdb ($HWDB)" "GA102 [GeForce RTX 3090]" "$row"
        check_contains "list: vendor name from the hwdb" "NVIDIA Corporation" "$row"
    fi
    # Without any hardware database: "-", and nothing else changes.
    if unshare -r -m true 2>/dev/null; then
        nohw=$(unshare -r -m sh -c 'for f in /etc/udev/hwdb.bin /usr/lib/udev/hwdb.bin /lib/udev/hwdb.bin \
                /etc/systemd/hwdb/hwdb.bin /usr/lib/systemd/hwdb/hwdb.bin; do
                [ -e "$f" ] && mount --bind /dev/null "$f"; done; exec "$@"' sh \
            tests/testbed/run "$BED" -- "$VB" list 2>&1)
        check "list: no hwdb: exit status" 0 "$?"
        check "list: no hwdb: NAME is '-'" "-" "$(printf '%s\n' "$nohw" | awk '$1 == "0000:01:00.0" { print $NF }')"
        check "list: no hwdb: the other columns are the same" \
            "$(printf '%s\n' "$out" | awk '{ print $1, $2, $3, $4, $5, $6 }')" \
            "$(printf '%s\n' "$nohw" | awk '{ print $1, $2, $3, $4, $5, $6 }')"
    else
        not_ok "list: cannot hide the hwdb (unshare -r -m)"
    fi
    # udevd's database, when it has processed the device, is read first.
    mkdir -p "$BED/run/udev/data"
    printf 'E:ID_VENDOR_FROM_DATABASE=Vendor From Udev\nE:ID_MODEL_FROM_DATABASE=Model From Udev\n' \
        >"$BED/run/udev/data/+pci:0000:02:00.0"
    row=$(tests/testbed/run "$BED" -- "$VB" list 2>&1 | grep '^0000:02:00.0 ')
    check_contains "list: names from udev's database" "Vendor From Udev Model From Udev" "$row"
    out=$(tests/testbed/run "$BED" -- "$VB" list --json 2>&1)
    check "list --json: valid JSON" ok "$(printf '%s\n' "$out" | python3 -c 'import json, sys; json.load(sys.stdin); print("ok")' 2>&1)"
fi


# README's build command: plain 'make' builds and installs nothing (an install writes udev rules).
goals=$(make -n -s 2>&1 | grep -cE '^(install|sed) .*(/usr|DESTDIR|rules\.d|sbin)' || true)
check "plain make installs nothing" 0 "$goals"
check "the default goal is all" "all" "$(make -p -q 2>/dev/null | sed -n 's/^\.DEFAULT_GOAL := //p')"

summary
