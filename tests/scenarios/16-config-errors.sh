#!/bin/bash
# A configuration that cannot be used: exit 2, the error names FILE:LINE:COLUMN where it can,
# and nothing is written or loaded (the bed's event log stays empty).
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
before=$(dump)
# try NAME STDERR-REGEX: apply with the configuration on stdin
try() {
    config
    run_vb apply
    check "$1: exit 2" 2 "$RC"
    check_grep "$1: the message" "$2" "$ERR"
    check_no_events "$1: nothing written"
}
try "bad YAML" '/etc/vfio-bind\.yaml:4:4: invalid YAML' <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
   id: "10de:2204"
Y
try "unknown key" "/etc/vfio-bind\.yaml:4:5: unknown key 'colour'" <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    colour: red
Y
try "bad address" "/etc/vfio-bind\.yaml:3:14: invalid address '0000:2:00\.0'" <<'Y'
version: 1
devices:
  - address: "0000:2:00.0"
Y
try "bad id" "/etc/vfio-bind\.yaml:3:9: invalid id" <<'Y'
version: 1
devices:
  - id: "10de-2204"
Y
try "duplicate entry" "/etc/vfio-bind\.yaml:4:5: duplicate entry for id 10de:2204, first at /etc/vfio-bind\.yaml:3:5" <<'Y'
version: 1
devices:
  - id: "10de:2204"
  - id: "10de:2204"
Y
try "two drivers for one address" "/etc/vfio-bind\.yaml:5:5: every device that address 0000:02:00\.0 id 10de:2204 selects is also selected by address 0000:02:00\.\* at /etc/vfio-bind\.yaml:3:5: 'driver' is 'vfio_pci' at" <<'Y'
version: 1
devices:
  - address: "0000:02:00.*"
    driver: vfio_pci
  - address: "0000:02:00.0"
    id: "10de:2204"
Y
try "missing version" "missing 'version: 1'" <<'Y'
devices:
  - id: "10de:2204"
Y
try "version 2" "unsupported version '2'" <<'Y'
version: 2
devices:
  - id: "10de:2204"
Y
try "bad force" "invalid force 'maybe'" <<'Y'
version: 1
devices:
  - id: "10de:2204"
    force: maybe
Y
try "bad group" "invalid group 'some'" <<'Y'
version: 1
devices:
  - id: "10de:2204"
    group: some
Y

# unsafe permissions: refused, a config error too
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
chmod 0666 "$BED/etc/vfio-bind.yaml"
run_vb apply
check_rc "world-writable: exit 2" 2
check_grep "world-writable: the message" "refusing a configuration .* mode 0666" "$ERR"
check_no_events "world-writable: nothing written"
chmod 0644 "$BED/etc/vfio-bind.yaml"

# -c FILE that does not exist
run_vb -c /etc/vfio-bind-missing.yaml apply
check_rc "missing -c file: exit 2" 2
check_grep "missing -c file: the message" "/etc/vfio-bind-missing\.yaml: cannot open configuration" "$ERR"

# a broken drop-in spoils the whole configuration, the main file included
mkdir -p "$BED/etc/vfio-bind.d"
printf 'version: 1\ndevices: [\n' >"$BED/etc/vfio-bind.d/50-broken.yaml"
run_vb apply
check_rc "broken drop-in: exit 2" 2
check_grep "broken drop-in: the message names it" "/etc/vfio-bind\.d/50-broken\.yaml:3:1: invalid YAML" "$ERR"
check_no_events "broken drop-in: nothing written (not even the main file's device)"

# plan and status say the same
for verb in plan status; do
    run_vb "$verb"
    check_rc "broken drop-in: $verb exits 2" 2
done
rm -r "$BED/etc/vfio-bind.d"

# entries of two files that contradict each other: list does not say what such a configuration
# selects either (it said "yes", with no word of the error plan, apply and status refuse)
mkdir -p "$BED/etc/vfio-bind.d"
cp "$BED/etc/vfio-bind.yaml" "$BED/etc/vfio-bind.yaml.keep"
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$BED/etc/vfio-bind.yaml"
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n    driver: mlx5_vfio_pci\n' \
    >"$BED/etc/vfio-bind.d/10-a.yaml"
run_vb plan
check_rc "contradicting drop-in: plan exits 2" 2
run_vb list --json -o address,selected
check_rc "contradicting drop-in: list still lists, exit 0" 0
check "contradicting drop-in: list selects nothing (null)" "null" \
    "$(j '[.list.devices[] | select(.address == "0000:02:00.0") | .selected] | .[0]')"
check_grep "contradicting drop-in: list names the contradiction" \
    "/etc/vfio-bind\.d/10-a\.yaml:3:5: address 0000:02:00\.0 contradicts /etc/vfio-bind\.yaml:3:5" "$ERR"
rm -r "$BED/etc/vfio-bind.d"
mv "$BED/etc/vfio-bind.yaml.keep" "$BED/etc/vfio-bind.yaml"

# usage errors: exit 2 as well
run_vb apply --bogus
check_rc "unknown option: exit 2" 2
run_vb apply extra
check_rc "unexpected argument: exit 2" 2
run_vb frobnicate
check_rc "unknown verb: exit 2" 2
check "after all that, every device as it was" "$before" "$(dump)"
check "after all that, the event log is empty" 0 "$(wc -l <"$BED/testbed/log")"
summary
