#!/bin/bash
# The command line contract: options anywhere on the line (-c and -v after the verb as well as
# before it, "--" ends them), and getopt's own complaints replaced by one escaped line.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
mkdir -p "$BED/run/vb" && chmod 0755 "$BED/run/vb"
cat >"$BED/run/vb/one.yaml" <<'Y'
version: 1
devices:
  - address: "0000:01:00.1"
Y
chmod 0644 "$BED/run/vb/one.yaml"

# --- options after the operands, and the options of every verb after the verb -------------------
run_vb resolve 0000:5e:00.1 --json
check_rc "resolve DEVICE --json: exit 0" 0
check "resolve DEVICE --json: the module" mlx5_vfio_pci "$(j .resolve.vfio_module)"
run_vb resolve --json 0000:5e:00.1
check "resolve --json DEVICE: the same" mlx5_vfio_pci "$(j .resolve.vfio_module)"
run_vb plan --json -c /run/vb/one.yaml
check_rc "plan --json -c FILE: exit 0" 0
check "plan --json -c FILE: the file's device" 0000:01:00.1 "$(j '.plan.devices[0].address')"
run_vb plan -c /run/vb/one.yaml
check_grep "plan -c FILE: table of the file's device" '^0000:01:00\.1 ' "$OUT"
run_vb plan --config=/run/vb/one.yaml --json
check "plan --config=FILE --json" 0000:01:00.1 "$(j '.plan.devices[0].address')"
run_vb -c /etc/vfio-bind.yaml plan -c /run/vb/one.yaml --json
check "-c before and after the verb: the last one" 0000:01:00.1 "$(j '.plan.devices[0].address')"
run_vb status -v
check_rc "status -v: drift, exit 3" 3
check_grep "status -v: debug lines" '^vfio-bind: ' "$ERR"
run_vb status --verbose --json
check_rc "status --verbose --json: exit 3" 3
check_json "status --verbose --json: JSON"
run_vb modules -c /run/vb/one.yaml --kver 6.1.0-testbed
check "modules -c FILE --kver" vfio_pci "$OUT"
run_vb revert 0000:02:00.0 --json
check_rc "revert DEVICE --json: exit 0" 0
check "revert DEVICE --json: JSON of that device" 0000:02:00.0 "$(j '.revert.devices[0].address')"
run_vb validate /run/vb/one.yaml -v
check_rc "validate FILE -v: exit 0" 0
check_grep "validate FILE -v: the file checked" '^/run/vb/one\.yaml: ok' "$OUT"
run_vb list --bus platform --json
check_rc "list --bus platform --json: exit 0" 0
run_vb udev 0000:00:14.0 -v
check_rc "udev DEVICE -v: nothing to do, exit 0" 0
run_vb plan -h
check_rc "plan -h: the verb's help" 0
check_grep "plan -h: its usage" '^Usage: vfio-bind \[-c FILE\] plan' "$OUT"

# --- "--" ends the options: what follows is an operand, even with a leading '-' ------------------
run_vb resolve -- --json
check "resolve -- --json: an operand, not an option: no JSON" "" "$OUT"
check_grep "resolve -- --json: named as a device" "resolve: .*--json" "$ERR"
run_vb validate -- -v
check_rc "validate -- -v: a file named '-v'" 2
check_grep "validate -- -v: cannot read it" "-v: " "$ERR"
run_vb plan -- --json
check_rc "plan -- --json: an unexpected argument" 2
check_grep "plan -- --json: says so" "unexpected argument '--json'" "$ERR"

# --- -v: a debug line at each stage of the pipeline --------------------------------------------
run_vb -v plan
check_rc "-v plan: exit 0" 0
check_grep "-v plan: where the configuration was read" '^vfio-bind: config: read /etc/vfio-bind\.yaml$' "$ERR"
check_grep "-v plan: devices discovered per bus" '^vfio-bind: discover: [0-9]+ pci devices$' "$ERR"
check_grep "-v plan: the entry that selected the device" '^vfio-bind: select: 0000:02:00\.0 by address 0000:02:00\.0 at /etc/vfio-bind\.yaml:3:5$' "$ERR"
check_grep "-v plan: the alias resolution chose, and why" "^vfio-bind: resolve: pci:v000010DEd00002204[^ ]*: vfio_pci, alias vfio_pci:v\*d\*sv\*sd\*bc\*sc\*i\* with 7 '\*' \(fewest; 1 alias matched\)$" "$ERR"
check_grep "-v plan: the module per device" '^vfio-bind: resolve: 0000:02:00\.0: module vfio_pci, driver vfio-pci \(by its modalias\)$' "$ERR"
check_grep "-v plan: the plan per device" '^vfio-bind: plan: 0000:02:00\.0: bind: load-module, set-override, unbind, probe$' "$ERR"
run_vb plan -v -c /run/vb/one.yaml
check_grep "plan -v -c FILE: names the file" '^vfio-bind: config: read /run/vb/one\.yaml$' "$ERR"
run_vb plan
check_no_grep "plan without -v: no debug line" '^vfio-bind: (config|discover|select|resolve|plan): ' "$ERR"

# --- resolve: what is no device address, and what is no device present -------------------------
run_vb resolve zz
check_rc "resolve zz: a usage error" 2
check_grep "resolve zz: not a device address" "^vfio-bind: resolve: 'zz' is not a device address: expected a PCI address such as 0000:01:00\.0, or the name of a cdx device" "$ERR"
check_no_grep "resolve zz: no talk of the platform bus" "platform" "$ERR"
run_vb resolve 0000:77:00.0
check_rc "resolve of an absent PCI address: exit 1" 1
check_grep "resolve of an absent PCI address: says so" "^vfio-bind: resolve: no PCI device 0000:77:00\.0$" "$ERR"
run_vb resolve cdx-00:09
check_rc "resolve of an absent cdx device: exit 1" 1
check_grep "resolve of an absent cdx device: says so" "^vfio-bind: resolve: no cdx device cdx-00:09$" "$ERR"
run_vb resolve "$(printf 'a\033[2Jb')"
check_rc "resolve of a name with control bytes: exit 2" 2
check_no_grep "resolve of a name with control bytes: escaped" "$(printf '\033')" "$ERR"
check_grep "resolve of a name with control bytes: named" "'a\\\\x1b\[2Jb' is not a device address" "$ERR"
run_vb resolve --modalias foo
check_rc "resolve --modalias foo: exit 2" 2
check_grep "resolve --modalias foo: not a modalias" "'foo' is not a modalias \(BUS:\.\.\." "$ERR"
run_vb resolve --modalias "$(printf 'pci:\tv')"
check_grep "resolve --modalias with a tab: escaped" "'pci:\\\\tv' is not a modalias" "$ERR"

# --- bad options: one line from vfio-bind (not getopt's), escaped, exit 2 ------------------------
run_vb plan --bogus
check_rc "plan --bogus: exit 2" 2
check_grep "plan --bogus: named" "^vfio-bind: plan: unknown option '--bogus'" "$ERR"
run_vb plan -x
check_grep "plan -x: named" "^vfio-bind: plan: unknown option '-x'" "$ERR"
run_vb status -c
check_rc "status -c without FILE: exit 2" 2
check_grep "status -c without FILE: named" "^vfio-bind: status: option '-c' needs an argument" "$ERR"
run_vb list --bus
check_grep "list --bus without BUS: named" "^vfio-bind: list: option '--bus' needs an argument" "$ERR"
run_vb plan "--$(printf '\033[31m')red"
check_rc "an option with control bytes: exit 2" 2
check_no_grep "an option with control bytes: escaped" "$(printf '\033')" "$ERR"
check_grep "an option with control bytes: named" "unknown option '--\\\\x1b\[31mred'" "$ERR"
run_vb "--$(printf '\033')x" plan
check_no_grep "a global option with control bytes: escaped" "$(printf '\033')" "$ERR"
check_grep "a global option with control bytes: named" "^vfio-bind: unknown option '--\\\\x1bx'" "$ERR"
check_no_grep "no getopt message" '(invalid|unrecognized) option|requires an argument' "$ERR"

summary
