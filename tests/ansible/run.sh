#!/bin/bash
# The Ansible collection (ansible/) run by ansible-core against the test bed: the module's
# vfio-bind runs inside the bed (tests/testbed/run, isolated), its configuration file is the
# bed's /etc/vfio-bind.yaml, the role's package manager and initramfs generators are
# recorders. Nothing touches this machine's /sys, /etc or initramfs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

if ! command -v ansible-playbook >/dev/null; then
    echo "SKIP: ansible-playbook not installed (apt-get install ansible-core)"
    echo "0 passed, 0 failed"
    exit 77
fi
[ -f "$B/testbed/libtestbed.so" ] || { not_ok "test bed not built (make testbed)"; summary; exit 1; }

demo_bed
export TESTBED_ISOLATE=1
# the collection as Ansible looks for it: ansible_collections/NAMESPACE/NAME
mkdir -p "$tmp/collections/ansible_collections/vfio_bind"
ln -s "$TOP/ansible" "$tmp/collections/ansible_collections/vfio_bind/vfio_bind"
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_LOCALHOST_WARNING=false \
    ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=false \
    ANSIBLE_LOCAL_TEMP=$tmp/ansible-local ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote \
    ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_FORCE_COLOR=0
# what the module returned: the tree callback writes it to $tmp/tree/localhost
OUT=$tmp/tree/localhost
export ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree ANSIBLE_CALLBACK_TREE_DIR=$tmp/tree \
    ANSIBLE_PIPELINING=1

# play BED VARS_FILE [ansible-playbook options]: runs the module of VARS_FILE on BED; prints the
# play's output, leaves what the module returned in $OUT.
play() {
    local bed=$1 vars=$2
    shift 2
    rm -f "$OUT"
    ansible-playbook -i localhost, -c local -e bed="$bed" -e vb="$ABS_VB" -e top="$TOP" \
        -e "@$vars" "$@" tests/ansible/module.yml 2>&1
}
# field EXPR: a Python expression over r, what the module returned
field() { python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$OUT" "$1" 2>&1; }
recap() { printf '%s\n' "$1" | sed -n 's/^localhost *: \(.*\)/\1/p' | tr -s ' '; }
state() { tests/testbed/dump "$1"; }
CONF=$BED/etc/vfio-bind.yaml
# the role, on a bed of its own, meanwhile (its lines and counts are added at the end)
tests/ansible/role.sh "$tmp" >"$tmp/role.log" 2>&1 &
role_pid=$!
mkdir -p "$BED/etc"

cat >"$tmp/gpu.yml" <<'EOF'
module: vfio_bind
devices:
  - comment: the second RTX 3090 with its HDMI audio
    address: "0000:02:00.0"
    group: all
EOF

# --- first run, second run ----------------------------------------------------------------------
out=$(play "$BED" "$tmp/gpu.yml")
check "first run: changed" True "$(field "r['changed']")"
check "first run: the file changed" True "$(field "r['config_changed']")"
check "first run: both functions bound" "changed changed" "$(field "' '.join(d['result'] for d in r['devices'])")"
check_contains "first run: the bed's 0000:02:00.0 is on vfio-pci" "device 0000:02:00.0 driver=vfio-pci override=vfio-pci" "$(state "$BED")"
check "first run: the file is valid" 0 "$(vb validate "$CONF" >/dev/null 2>&1; echo $?)"
check_contains "first run: the comment is in the file" "# the second RTX 3090 with its HDMI audio" "$(cat "$CONF")"
check "first run: mode 0644" 644 "$(stat -c %a "$CONF")"
out=$(play "$BED" "$tmp/gpu.yml")
check "second run: unchanged" False "$(field "r['changed']")"
check "second run: recap" "ok=1 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0 " "$(recap "$out")"

# --- documentation and ansible-test sanity ------------------------------------------------------
for m in vfio_bind vfio_bind_info; do
    out=$(ansible-doc "vfio_bind.vfio_bind.$m" 2>&1)
    check_contains "ansible-doc $m: options" "command_prefix" "$out"
    check_contains "ansible-doc $m: examples" "EXAMPLES:" "$out"
    check_contains "ansible-doc $m: return values" "RETURN VALUES:" "$out"
done
check_contains "ansible-doc -t role: the role's variables" "vfio_bind_initramfs_generators" \
    "$(ansible-doc -t role vfio_bind.vfio_bind.vfio_bind 2>&1)"
out=$(ansible-galaxy collection build ansible --output-path "$tmp/build" 2>&1)
check_contains "ansible-galaxy collection build: galaxy.yml" "vfio_bind-vfio_bind-" "$out"
check "the built collection has both modules and the role" 3 \
    "$(tar tzf "$tmp"/build/*.tar.gz | grep -cE '^(plugins/modules/vfio_bind(_info)?\.py|roles/vfio_bind/tasks/main\.yml)$')"
# The tests that need no pip (offline): the others (ansible-doc, import, pep8, pylint,
# runtime-metadata, validate-modules, yamllint) install their requirements with pip first.
SANITY="action-plugin-docs compile future-import-boilerplate ignores line-endings
    metaclass-boilerplate no-assert no-basestring no-dict-iteritems no-dict-iterkeys
    no-dict-itervalues no-get-exception no-illegal-filenames no-main-display no-smart-quotes
    no-unicode-literals replace-urlopen shebang symlinks use-argspec-type-path use-compat-six"
if command -v ansible-test >/dev/null; then
    mkdir -p "$tmp/sanity/ansible_collections/vfio_bind"
    cp -r ansible "$tmp/sanity/ansible_collections/vfio_bind/vfio_bind"
    # shellcheck disable=SC2046 # one --test per word
    out=$(cd "$tmp/sanity/ansible_collections/vfio_bind/vfio_bind" &&
        ansible-test sanity --color no --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
            $(printf -- '--test %s ' $SANITY) 2>&1)
    check "ansible-test sanity ($(echo $SANITY | wc -w) tests)" 0 "$?"
    check "ansible-test sanity: each ran" "$(echo $SANITY | wc -w)" "$(grep -c '^Running sanity test' <<<"$out")"
else
    echo "# ansible-test not installed: sanity not run"
fi

# --- the example's variables: written as rendered-example.yaml, only written with apply: false --
out=$(play "$BED" examples/ansible/vars/example.yml -e module=vfio_bind -e apply=false -e path="$tmp/rendered.yaml")
check "example: the module writes rendered-example.yaml" "" "$(diff examples/ansible/rendered-example.yaml "$tmp/rendered.yaml" 2>&1)"
check "example: apply=false: changed for the file alone" "True None" "$(field "'%s %s' % (r['changed'], r['verb'])")"

cp examples/ansible/rendered-example.yaml "$tmp/src.yaml"
printf "apply: false\n" >"$tmp/apply-false.yml"
out=$(play "$BED" "$tmp/apply-false.yml" -e module=vfio_bind -e src="$tmp/src.yaml" -e path="$tmp/installed.yaml")
check "src: the file installed as it is" "" "$(diff "$tmp/src.yaml" "$tmp/installed.yaml" 2>&1)"

# --- check mode after a manual revert -----------------------------------------------------------
vb_bed "$BED" revert >/dev/null 2>&1
before_state=$(state "$BED")
before_file=$(sha256sum <"$CONF")
before_mtime=$(stat -c %Y.%y "$CONF")
out=$(play "$BED" "$tmp/gpu.yml" --check --diff)
check "check mode after revert: changed" True "$(field "r['changed']")"
check "check mode after revert: the file would not change" False "$(field "r['config_changed']")"
check "check mode after revert: plan rows" "will-change will-change" "$(field "' '.join(d['result'] for d in r['devices'])")"
check "check mode after revert: verb plan" plan "$(field "r['verb']")"
check "check mode: no device moved" "$before_state" "$(state "$BED")"
check "check mode: the file is untouched" "$before_file $before_mtime" "$(sha256sum <"$CONF") $(stat -c %Y.%y "$CONF")"
check_contains "--diff: the per-device plan" "0000:02:00.0 10de:2204: nvidia -> vfio-pci: will-change (set-override, unbind, probe)" "$out"
check_contains "--diff: its group mate" "0000:02:00.1 10de:1aef: snd_hda_intel -> vfio-pci: will-change" "$out"

# a new file in check mode: validated and planned, not written
cat >"$tmp/both.yml" <<'EOF'
module: vfio_bind
devices:
  - comment: the second RTX 3090 with its HDMI audio
    address: "0000:02:00.0"
    group: all
  - id: "15b3:101e"
EOF
out=$(play "$BED" "$tmp/both.yml" --check --diff)
check "check mode, new file: changed" True "$(field "r['changed']")"
check "check mode, new file: would change the file" True "$(field "r['config_changed']")"
check "check mode, new file: the VFs are planned" "0000:5e:00.1 0000:5e:00.2" \
    "$(field "' '.join(d['address'] for d in r['devices'] if d['id'] == '15b3:101e') or '-'")"
check_contains "--diff: the configuration change" '+  - id: "15b3:101e"' "$out"
check_contains "--diff: the file's header" "+++ after: $CONF" "$out"
check "check mode, new file: the file is untouched" "$before_file $before_mtime" "$(sha256sum <"$CONF") $(stat -c %Y.%y "$CONF")"
check "check mode, new file: no device moved" "$before_state" "$(state "$BED")"
check "check mode, new file: no temporary file left" "" "$(find "$BED/etc" "$tmp/ansible-remote" -name '.vfio-bind.*' 2>/dev/null)"

# --- a bad entry --------------------------------------------------------------------------------
cat >"$tmp/typo.yml" <<'EOF'
module: vfio_bind
devices:
  - address: "0000:02:00.0"
  - adress: "0000:01:00.0"
EOF
out=$(play "$BED" "$tmp/typo.yml")
check "a bad entry: the module fails with the errors" 1 "$(field "len(r['validate_errors'])")"
check_contains "a bad entry: FILE:LINE:COLUMN" "$CONF:5:5: unknown key 'adress'" "$(field "r['msg']")"
check_contains "a bad entry: the old file is kept (said)" "the old file is kept" "$(field "r['msg']")"
check "a bad entry: the old file is kept" "$before_file" "$(sha256sum <"$CONF")"
check "a bad entry: no temporary file left" "" "$(find "$BED/etc" -name '.vfio-bind.*')"
check "a bad entry: nothing applied" "$before_state" "$(state "$BED")"

# --- a failing device ---------------------------------------------------------------------------
mkdir -p "$BED/faults/probe"
echo "vfio-pci EIO" >"$BED/faults/probe/0000:02:00.1"
out=$(play "$BED" "$tmp/gpu.yml")
check_contains "a failing device: named with its error" "0000:02:00.1: " "$(field "r['msg']")"
check "a failing device: each device of the group in failures" "0000:02:00.0 0000:02:00.1" \
    "$(field "' '.join(f.split(': ')[0] for f in r['failures'])")"
check_contains "a failing device: the reason" "0000:02:00.1: probe" "$(field "r['msg']")"
check_contains "a failing device: its group mate, why" "0000:02:00.0: moved back: 0000:02:00.1 of IOMMU group 11 failed" "$(field "r['msg']")"
rm "$BED/faults/probe/0000:02:00.1"

# --- vfio_bind_info -----------------------------------------------------------------------------
printf 'module: vfio_bind_info\n' >"$tmp/info.yml"
out=$(play "$BED" "$tmp/gpu.yml")
out=$(play "$BED" "$tmp/info.yml" --check)
check "info: list rows" True "$(field "any(d['address'] == '0000:02:00.0' and d['selected'] for d in r['devices'])")"
check "info: in sync after apply" True "$(field "r['in_sync']")"
check "info: status rows" "in-sync in-sync" "$(field "' '.join(d['result'] for d in r['status']['devices'])")"
check "info: changes nothing" False "$(field "r['changed']")"

# --- check mode, a new file that drops a device: its release is planned (namespace) -------------
printf 'module: vfio_bind\ndevices:\n  - id: "15b3:101e"\n' >"$tmp/vfs.yml"
before_state=$(state "$BED")
before_file=$(sha256sum <"$CONF")
out=$(play "$BED" "$tmp/vfs.yml" --check --diff)
check "check mode, a dropped device: will-release" "0000:02:00.0 0000:02:00.1" \
    "$(field "' '.join(d['address'] for d in r['devices'] if d['result'] == 'will-release') or '-'")"
check_contains "check mode, a dropped device: in the diff" "0000:02:00.0 10de:2204: vfio-pci -> nvidia: will-release" "$out"
check "check mode, a dropped device: no warning (planned as apply reads it)" "" "$(grep -i 'warning' <<<"$out")"
check "check mode, a dropped device: the file is untouched" "$before_file" "$(sha256sum <"$CONF")"
check "check mode, a dropped device: nothing moved" "$before_state" "$(state "$BED")"

# --- sriov: an entry with a mapping -------------------------------------------------------------
SBED=$tmp/sriov
tests/testbed/mkbed tests/sriov/sriov.host "$SBED" >/dev/null || not_ok "mkbed sriov.host"
mkdir -p "$SBED/etc"
cat >"$tmp/sriov.yml" <<'EOF'
module: vfio_bind
devices:
  - address: "0000:5e:00.0"
    sriov: {numvfs: 2}
EOF
out=$(play "$SBED" "$tmp/sriov.yml" --check)
check "sriov, check mode: changed" True "$(field "r['changed']")"
check "sriov, check mode: no VF made" "" "$(state "$SBED" | grep '0000:5e:00\.[1-9]')"
out=$(play "$SBED" "$tmp/sriov.yml")
check_contains "sriov: written as a mapping" 'sriov: {numvfs: 2}' "$(cat "$SBED/etc/vfio-bind.yaml")"
check "sriov: changed" True "$(field "r['changed']")"
check "sriov: both VFs on mlx5_vfio_pci" "2" "$(state "$SBED" | grep -c 'driver=mlx5_vfio_pci')"

wait "$role_pid"
cat "$tmp/role.log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/role.log" | tail -n 1)
if [ -n "$line" ]; then
    PASS=$((PASS + ${line%% passed*}))
    f=${line#*passed, }
    FAIL=$((FAIL + ${f%% failed*}))
else
    not_ok "tests/ansible/role.sh printed no summary"
fi
summary
