# Helpers for the scenario scripts (tests/scenarios/NN-*.sh): a fresh test bed per scenario,
# the tool run on it, its event log and state, JSON. Sourced; each script ends with `summary`.
# shellcheck shell=bash
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

SCENARIO=$(basename "$0" .sh)
# Beds are small trees of small files: tmpfs makes copying them ~10x faster than disk.
if [ -z "${SCENARIO_WORK:-}" ]; then
    if [ -w /dev/shm ]; then SCENARIO_WORK=$(mktemp -d /dev/shm/vfio-bind-scen.XXXXXX)
    else SCENARIO_WORK=$(mktemp -d); fi
    trap 'rm -rf "$SCENARIO_WORK"' EXIT
fi
# Built beds, one per host description, copied for each scenario (run.sh shares one cache).
SCENARIO_CACHE=${SCENARIO_CACHE:-$SCENARIO_WORK/cache}
mkdir -p "$SCENARIO_CACHE"
BED=
N_BEDS=0
OUT=''
ERR=''
RC=''
MARK=0

host_file() {
    case $1 in
        demo) echo tests/testbed/hosts/demo.host ;;
        */*) echo "$1" ;;
        *) echo "tests/scenarios/hosts/$1.host" ;;
    esac
}

# bed HOST: a fresh bed from HOST (a name in tests/scenarios/hosts, "demo", or a path) in $BED,
# its event log empty, no configuration.
bed() {
    local file key
    file=$(host_file "$1")
    key=$(cksum <"$file" | tr ' ' -)
    if [ ! -f "$SCENARIO_CACHE/$key/testbed/marker" ]; then
        tests/testbed/mkbed "$file" "$SCENARIO_CACHE/$key.tmp" >/dev/null ||
            { not_ok "$SCENARIO: mkbed $file"; return 1; }
        mv "$SCENARIO_CACHE/$key.tmp" "$SCENARIO_CACHE/$key"
    fi
    N_BEDS=$((N_BEDS + 1))
    BED=$SCENARIO_WORK/$SCENARIO.$N_BEDS
    rm -rf "$BED"
    cp -a "$SCENARIO_CACHE/$key" "$BED"
    MARK=0
}

# need_bed: stop a helper that would write outside a bed (an empty $BED makes "$BED/etc/..."
# this machine's own /etc)
need_bed() {
    [ -n "$BED" ] && [ -f "$BED/testbed/marker" ] && return 0
    echo "$SCENARIO: ${FUNCNAME[1]} before 'bed HOST' (BED='$BED'): refusing to write outside a bed" >&2
    exit 1
}

# config <<EOF ... EOF: the bed's /etc/vfio-bind.yaml (root's, 0644).
config() {
    need_bed
    cat >"$BED/etc/vfio-bind.yaml"
    chmod 0644 "$BED/etc/vfio-bind.yaml"
}

# cmdline TEXT: the bed's /proc/cmdline.
cmdline() {
    need_bed
    chmod u+w "$BED/proc/cmdline"
    printf '%s\n' "$1" >"$BED/proc/cmdline"
}

# run_vb ARGS...: vfio-bind on the bed; stdout in OUT, stderr in ERR, exit status in RC.
# Under VALGRIND=1 a valgrind error (exit 99) is a failure of its own.
run_vb() {
    local e
    e=$(mktemp "$SCENARIO_WORK/err.XXXXXX")
    OUT=$(vb_bed "$BED" "$@" 2>"$e")
    RC=$?
    ERR=$(cat "$e")
    rm -f "$e"
    if [ "${VALGRIND:-}" = 1 ] && [ "$RC" = 99 ]; then
        not_ok "$SCENARIO: valgrind found errors in 'vfio-bind $*': $ERR"
    fi
    return 0
}

# sh_bed 'SHELL CODE': run as someone else would on that host (bash under the preload).
sh_bed() {
    tests/testbed/run "$BED" -- bash -c "$1"
}

# mark; ...; events: the event log lines written since mark (bind, unbind, load, ...).
mark() {
    MARK=$(wc -l <"$BED/testbed/log")
}
events() {
    tail -n +"$((MARK + 1))" "$BED/testbed/log"
}
# the events as one line, ';'-separated, for exact comparisons
events_line() {
    events | tr '\n' ';'
}

# state ADDR: "driver=DRV override=NAME" as tests/testbed/dump prints it ("-" for none)
state() {
    local d=$BED/sys/bus/pci/devices/$1 drv=- ovr
    [ -e "$d" ] || { echo gone; return; }
    [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
    ovr=$(cat "$d/driver_override")
    [ "$ovr" = "(null)" ] && ovr=-
    echo "driver=$drv override=$ovr"
}

dump() {
    tests/testbed/dump "$BED"
}

module_state() {
    dump | awk -v m="$1" '$1 == "module" && $2 == m { print $3; found = 1 } END { if (!found) print "absent" }'
}

# jq on OUT (raw output); empty on a parse error
j() {
    jq -r "$1" <<<"$OUT" 2>/dev/null
}

# jdev ADDR EXPR: EXPR on the device ADDR of the verb's JSON document in OUT
jdev() {
    jq -r --arg a "$1" "(.[] | .devices[] | select(.address == \$a)) | $2" <<<"$OUT" 2>/dev/null
}

# check_json NAME: OUT is one JSON document
check_json() {
    if python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$OUT" 2>/dev/null; then
        ok "$1"
    else
        not_ok "$1: not JSON: ${OUT:0:200}"
    fi
}

# check_rc NAME EXPECTED: with stderr in the message when it differs
check_rc() {
    if [ "$RC" = "$2" ]; then ok "$1"; else not_ok "$1: exit status $RC, expected $2; stderr: $ERR"; fi
}

# check_no_events NAME: nothing was written to the bed's sysfs or module state since mark
check_no_events() {
    local ev
    ev=$(events_line)
    if [ -z "$ev" ]; then ok "$1"; else not_ok "$1: events: $ev"; fi
}

# check_grep NAME PATTERN TEXT: an extended regex matches a line of TEXT
check_grep() {
    if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else not_ok "$1: /$2/ not in: $3"; fi
}
check_no_grep() {
    if grep -Eq -- "$2" <<<"$3"; then not_ok "$1: /$2/ found in: $3"; else ok "$1"; fi
}
