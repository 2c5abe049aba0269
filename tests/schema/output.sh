#!/bin/bash
# The JSON output against schema/vfio-bind-output.schema.json: every verb run on the test bed
# (the demo host, faults injected, the other buses), each document validated; the schema's
# fields are the columns --help lists; a document missing a field or with a renamed one fails.
# Sourced by tests/schema/run.sh (ok, not_ok, $tmp, $python, $BIN, vfio_bind).
# shellcheck shell=bash disable=SC2154 # tmp and python: set by run.sh
OUT_SCHEMA=schema/vfio-bind-output.schema.json
obed=$tmp/outbed
docs=()

# on_bed NAME ARGS...: vfio-bind ARGS on the bed, stdout kept as $tmp/out-NAME.json
on_bed() {
    local name=$1
    shift
    tests/testbed/run "$obed" -- "$BIN" "$@" >"$tmp/out-$name.json" 2>"$tmp/out-$name.err"
    docs+=("$tmp/out-$name.json")
}

new_bed() {
    rm -rf "$obed"
    tests/testbed/mkbed "$1" "$obed" >/dev/null || not_ok "mkbed $1"
}

new_bed tests/testbed/hosts/demo.host
cp examples/demo.yaml "$obed/etc/vfio-bind.yaml"
on_bed list list --json
on_bed list-filtered list --json 10de:2204 0000:3b:00.2
on_bed plan plan --json
on_bed dry-run apply --dry-run --json
on_bed status-drift status --json
on_bed apply apply --json
on_bed status-sync status --json
on_bed resolve resolve --json 0000:02:00.0
on_bed revert revert --json
# A device that fails, a missing entry, a release: the fields that are null elsewhere.
new_bed tests/testbed/hosts/demo.host
cp examples/demo.yaml "$obed/etc/vfio-bind.yaml"
printf '  - address: "0000:09:00.0"\n' >>"$obed/etc/vfio-bind.yaml"
: >"$obed/faults/load/vfio_pci"
on_bed apply-failed apply --json
rm -f "$obed/faults/load/vfio_pci"
on_bed apply-again apply --json
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$obed/etc/vfio-bind.yaml"
on_bed plan-release plan --json
on_bed apply-release apply --json
# A variant driver that fails to probe, with 'fallback': result fallback, the variant's errno.
new_bed tests/testbed/hosts/demo.host
printf 'version: 1\ndevices:\n  - address: "0000:5e:00.1"\n    fallback: vfio_pci\n' \
    >"$obed/etc/vfio-bind.yaml"
echo "mlx5_vfio_pci EINVAL" >"$obed/faults/probe/0000:5e:00.1"
on_bed apply-fallback apply --json
grep -q '"result": "fallback"' "$tmp/out-apply-fallback.json" && ok ||
    not_ok "apply-fallback: no row with result fallback"
# reset_method: its step in plan and apply, a refusal.
new_bed tests/scenarios/hosts/reset.host
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n    reset_method: bus\n  - address: "0000:03:00.0"\n    reset_method: flr\n' \
    >"$obed/etc/vfio-bind.yaml"
on_bed plan-reset plan --json
on_bed apply-reset apply --json
grep -q '"set-reset-method"' "$tmp/out-apply-reset.json" && ok ||
    not_ok "apply-reset: no set-reset-method step"
new_bed tests/buses/buses.host
on_bed list-buses list --bus all --json
# No module tree for the kernel: every verb still gives its rows, each error saying why.
new_bed tests/testbed/hosts/demo.host
cp examples/demo.yaml "$obed/etc/vfio-bind.yaml"
rm -rf "${obed:?}/lib/modules/$(cat "$obed/kver")"
on_bed plan-no-tree plan --json
on_bed status-no-tree status --json
on_bed apply-no-tree apply --json
on_bed list-no-tree list --json
# doctor: a host with errors (no IOMMU group), and the demo host with its configuration.
new_bed tests/scenarios/hosts/nogroup.host
printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$obed/etc/vfio-bind.yaml"
on_bed doctor-errors doctor --json
new_bed tests/testbed/hosts/demo.host
cp examples/demo.yaml "$obed/etc/vfio-bind.yaml"
on_bed doctor doctor --json

"$python" tests/schema/validate-output.py "$OUT_SCHEMA" "${docs[@]}" >"$tmp/validate.out" 2>&1
for d in "${docs[@]}"; do
    line=$(grep -F -e "ok $d" -e "bad $d " "$tmp/validate.out" | head -n 1)
    if [ "$line" = "ok $d" ]; then
        ok
    else
        not_ok "output $(basename "$d"): ${line:-no result}: $(head -c 300 "$d") $(cat "${d%.json}.err")"
    fi
done

# The runs did what the documents are meant to show (else the schema was checked on too little).
j() { "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
check_out() {
    if [ "$2" = "$3" ]; then ok; else not_ok "output: $1: expected '$2', got '$3'"; fi
}
check_out "apply-failed has a failed device with its step and errno" "load-module 1" \
    "$(j "$tmp/out-apply-failed.json" '" ".join(str(x) for x in [[r["failed_step"], r["errno"]] for r in d["apply"]["devices"] if r["result"] == "failed"][0])')"
check_out "apply-failed has the missing entry" "missing" \
    "$(j "$tmp/out-apply-failed.json" 'd["apply"]["unmatched"][0]["result"]')"
check_out "apply-release released a device" "True" \
    "$(j "$tmp/out-apply-release.json" 'any(r["result"] == "released" for r in d["apply"]["devices"])')"
check_out "status-drift: every drift row has a reason" "True" \
    "$(j "$tmp/out-status-drift.json" 'all(r["reason"] for r in d["status"]["devices"] if r["result"] == "drift") and any(r["result"] == "drift" for r in d["status"]["devices"])')"
check_out "list-filtered: the two cards and the VF" "0000:01:00.0 0000:02:00.0 0000:3b:00.2" \
    "$(j "$tmp/out-list-filtered.json" '" ".join(r["address"] for r in d["list"]["devices"])')"
check_out "list without a configuration: selected is null, no error" "True 0" \
    "$(j "$tmp/out-list-buses.json" 'all(r["selected"] is None for r in d["list"]["devices"])') $(wc -c <"$tmp/out-list-buses.err")"
check_out "list with one: the second GPU is selected, the boot VGA one is not" "True False False True" \
    "$(j "$tmp/out-list.json" '" ".join(str(r[k]) for r in d["list"]["devices"] if r["address"] in ("0000:01:00.0", "0000:02:00.0") for k in ("boot_vga", "selected"))')"
check_out "plan-no-tree: rows, each error naming the module index" "True" \
    "$(j "$tmp/out-plan-no-tree.json" 'len(d["plan"]["devices"]) > 0 and all("cannot read the module index" in r["error"] for r in d["plan"]["devices"] if r["result"] == "error") and any(r["result"] == "error" for r in d["plan"]["devices"])')"
check_out "apply-no-tree: failed rows" "True" \
    "$(j "$tmp/out-apply-no-tree.json" 'any(r["result"] == "failed" for r in d["apply"]["devices"])')"
check_out "doctor has per-device rows and an error somewhere" "True False" \
    "$(j "$tmp/out-doctor-errors.json" 'any(r["device"] for r in d["doctor"]["checks"])') $(j "$tmp/out-doctor-errors.json" 'd["doctor"]["ok"]')"
check_out "list-buses has other buses" "True" \
    "$(j "$tmp/out-list-buses.json" 'any(r["bus"] != "pci" for r in d["list"]["devices"])')"

# The schema refuses a row without a field, and one with a field of another name.
"$python" - "$tmp/out-plan.json" "$tmp/bad-missing.json" "$tmp/bad-renamed.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
row = doc["plan"]["devices"][0]
del row["reason"]
json.dump(doc, open(sys.argv[2], "w"))
row["reason"] = None
row["target_driver"] = row.pop("vfio_driver")
json.dump(doc, open(sys.argv[3], "w"))
PY
for bad in bad-missing bad-renamed; do
    if "$python" tests/schema/validate-output.py "$OUT_SCHEMA" "$tmp/$bad.json" | grep -q "^bad "; then
        ok
    else
        not_ok "output: the schema accepts $bad.json"
    fi
done

# The columns --help lists (those not marked "not in JSON") are the schema's fields, in order.
help_columns() {
    "$BIN" "$1" --help | sed -n '/^Columns/,$p' | sed -n 's/^ [* ]\([a-z_]*\) .*/\1/p' |
        grep -v -x -f <("$BIN" "$1" --help | sed -n 's/^ [* ]\([a-z_]*\) .*(not in JSON)$/\1/p')
}
for pair in plan:result_row list:list_row doctor:doctor_row; do
    verb=${pair%%:*}
    def=${pair#*:}
    check_out "$verb --help columns are the schema's $def" \
        "$("$python" tests/schema/validate-output.py --fields "$OUT_SCHEMA" "$def" | tr '\n' ' ')" \
        "$(help_columns "$verb" | tr '\n' ' ')"
done
