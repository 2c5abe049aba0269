#!/bin/bash
# Keeps schema/vfio-bind.schema.json and the parser (src/config.c) in step:
#  - every examples/**/*.yaml and tests/schema/good/*.yaml passes `vfio-bind validate` and the
#    schema;
#  - every tests/schema/bad/*.yaml fails both, each for the reason its header names:
#      # expect-schema: JSON-POINTER...     (paths the schema must report, "/" = root)
#      # expect-parser: LINE:COL: PHRASE    (vfio-bind exits 2: "vfio-bind: FILE:LINE:COL: ...PHRASE...")
#  - the --json output of every verb, run on the test bed, against
#    schema/vfio-bind-output.schema.json (tests/schema/output.sh).
# Needs python3-yaml and python3-jsonschema (Debian). VALGRIND=1 runs vfio-bind under valgrind.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILDDIR:-build}
BIN=$B/vfio-bind
SCHEMA=schema/vfio-bind.schema.json
pass=0
fail=0

ok() { pass=$((pass + 1)); }
not_ok() {
    fail=$((fail + 1))
    printf 'FAIL: %s\n' "$@"
}

python=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import jsonschema, yaml' 2>/dev/null; then
        python=$p
        break
    fi
done
if [ -z "$python" ]; then
    echo "schema: needs python3 with yaml and jsonschema (apt-get install python3-yaml python3-jsonschema)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$BIN" ]; then
    echo "schema: $BIN is missing; run make first"
    echo "0 passed, 1 failed"
    exit 1
fi

vfio_bind() {
    if [ "${VALGRIND:-}" = 1 ]; then
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            "$BIN" "$@"
    else
        "$BIN" "$@"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t examples < <(find examples tests/schema/good -name '*.yaml' -type f | LC_ALL=C sort)
mapfile -t bad < <(find tests/schema/bad -name '*.yaml' -type f | LC_ALL=C sort)
[ ${#examples[@]} -gt 0 ] || not_ok "no examples found"
[ ${#bad[@]} -gt 0 ] || not_ok "no bad configs found"

# The schema side, all files in one run: "ok FILE" or "bad FILE PATH...: MESSAGE".
if "$python" tests/schema/validate.py "$SCHEMA" "${examples[@]}" "${bad[@]}" >"$tmp/schema.out" 2>"$tmp/schema.err" ||
    [ -s "$tmp/schema.out" ]; then
    ok # the schema itself is a valid draft-07 schema (validate.py checks it first)
else
    not_ok "schema does not load: $(cat "$tmp/schema.err")"
fi
schema_line() { grep -F -e "ok $1" -e "bad $1 " "$tmp/schema.out" | head -n 1; }

for f in "${examples[@]}"; do
    vfio_bind validate "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^$f: ok, [0-9]* device entr" "$tmp/out" && [ ! -s "$tmp/err" ]; then
        ok
    else
        not_ok "$f: vfio-bind validate exit $rc: $(cat "$tmp/out" "$tmp/err")"
    fi
    line=$(schema_line "$f")
    if [ "$line" = "ok $f" ]; then
        ok
    else
        not_ok "$f: schema: ${line:-no result}"
    fi
done

for f in "${bad[@]}"; do
    want_schema=$(sed -n 's/^# expect-schema: //p' "$f" | head -n 1)
    want_parser=$(sed -n 's/^# expect-parser: //p' "$f" | head -n 1)
    if [ -z "$want_schema" ] || [ -z "$want_parser" ]; then
        not_ok "$f: needs '# expect-schema:' and '# expect-parser:' lines"
        continue
    fi

    # Parser: exit 2, nothing on stdout, the message at FILE:LINE:COL with the phrase.
    loc=${want_parser%%: *}
    phrase=${want_parser#*: }
    vfio_bind validate "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    msg=$(grep -F "vfio-bind: $f:$loc: " "$tmp/err" | head -n 1)
    if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ -n "$msg" ] && [[ "$msg" == *"$phrase"* ]]; then
        ok
    else
        not_ok "$f: vfio-bind validate exit $rc (want 2), want '$f:$loc: ...$phrase', got: $(cat "$tmp/out" "$tmp/err")"
    fi

    # Schema: rejected, at each expected path.
    line=$(schema_line "$f")
    paths=" $(printf '%s' "$line" | sed -n "s|^bad $f \([^:]*\): .*|\1|p") "
    missing=
    for p in $want_schema; do
        [[ "$paths" == *" $p "* ]] || missing="$missing $p"
    done
    if [[ "$line" == "bad $f "* ]] && [ -z "$missing" ]; then
        ok
    else
        not_ok "$f: schema: want a failure at$missing, got: ${line:-no result}"
    fi
done

# shellcheck source=tests/schema/output.sh
. tests/schema/output.sh

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
