#!/bin/sh
# Suite "lint": the stage check (stages.sh) passes on src/ and fails, naming the file, on copies
# of src/ broken on purpose: a stage that includes a later stage's header, a sysfs write or a
# module load outside apply.c, apply's primitives called from a verb.
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

if out=$(sh tests/lint/stages.sh src); then ok "src/ keeps its stages"; else not_ok "src/ keeps its stages: $out"; fi

# expect_failure NAME EXPECTED-TEXT EDIT-COMMAND...: the edit runs in a fresh copy of src/.
expect_failure() {
    name=$1 want=$2
    shift 2
    rm -rf "$TMP/src"
    cp -r src "$TMP/src"
    (cd "$TMP/src" && "$@") || { not_ok "$name: the edit failed"; return; }
    if out=$(sh tests/lint/stages.sh "$TMP/src"); then
        not_ok "$name: the check passed"
    elif printf '%s\n' "$out" | grep -qF "$want"; then
        ok "$name"
    else
        not_ok "$name: said '$out', not '$want'"
    fi
}

add_line() { printf '%s\n' "$2" >> "$1"; }

expect_failure "plan includes apply.h" "plan.c (plan stage) includes apply.h, of the later apply stage" \
    sed -i 's/#include "plan.h"/#include "plan.h"\n#include "apply.h"/' plan.c
expect_failure "discover includes pipeline.h" "discover.c (discover stage) includes pipeline.h" \
    sed -i '0,/#include "discover.h"/s//#include "discover.h"\n#include "pipeline.h"/' discover.c
expect_failure "a header of select includes report.h" "select.h (select stage) includes report.h" \
    add_line select.h '#include "report.h"'
expect_failure "a sysfs write in the plan stage" "plan-sriov.c: opens a file for writing" \
    add_line plan-sriov.c 'static int w(const char *p) { return open(p, O_WRONLY | O_CLOEXEC); }'
expect_failure "a module load in resolve" "resolve-target.c: writes to /sys or loads a module itself" \
    add_line resolve-target.c 'static int l(struct kmod_module *m) { return kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL); }'
expect_failure "apply's primitive from a verb" "verb-status.c: calls apply's write primitives" \
    add_line verb-status.c 'static int x(const struct device *d) { return device_attr_write(d, "unbind", d->name); }'
expect_failure "a /run writer that names /sys" "record.c: opens files for writing and names /sys paths" \
    add_line record.c 'static const char *p = "/sys/bus/pci/drivers_probe";'
expect_failure "a file in no stage" "foo.c: not in any stage" \
    add_line foo.c 'int foo;'
# Not every mention counts: a comment saying "O_WRONLY" does not.
rm -rf "$TMP/src"; cp -r src "$TMP/src"
printf '%s\n' '/* never O_WRONLY here, nor sysfs_write() */' >> "$TMP/src/plan.c"
if sh tests/lint/stages.sh "$TMP/src" > /dev/null; then ok "a comment is not code"; else not_ok "a comment is not code"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
