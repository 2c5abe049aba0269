#!/bin/bash
# StrictModes for directories: whoever can write a directory on the way to a configuration file
# can make root bind any device. At the default paths every directory from the file's up to /
# must be root's and not writable by group or others; a file given with -c: the file and its
# directory, unless that is sticky (as /tmp). Refused: exit 2, the path, owner and mode named,
# nothing written. 'validate' checks no permissions. (In the bed /etc/vfio-bind.yaml and
# /etc/vfio-bind.d are the bed's; /etc and / the real ones, root's 0755, unless TESTBED_REDIRECT
# gives /etc to the bed too.)
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

# refused NAME PATH UID MODE VERB...: exit 2, the message, nothing written
refused() {
    local name=$1 path=$2 uid=$3 mode=$4
    shift 4
    mark
    run_vb "$@"
    check_rc "$name: $* exit 2" 2
    check_grep "$name: $* names the directory, its owner and mode" \
        "^vfio-bind: $path: refusing a configuration directory owned by uid $uid with mode $mode: " "$ERR"
    check "$name: $* prints nothing on stdout" "" "$OUT"
    check_no_events "$name: $* writes nothing"
}

dropin() {
    mkdir -p "$BED/etc/vfio-bind.d"
    chmod 0755 "$BED/etc/vfio-bind.d"
    printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$BED/etc/vfio-bind.d/10-gpu.yaml"
    chmod 0644 "$BED/etc/vfio-bind.d/10-gpu.yaml"
}

# --- /etc/vfio-bind.d writable by others, by group, sticky (not enough here), another owner
bed demo
dropin
run_vb plan
check_rc "drop-in directory 0755: accepted" 0
for mode in 0777 0775 1777; do
    chmod "$mode" "$BED/etc/vfio-bind.d"
    refused "drop-in directory $mode" /etc/vfio-bind\\.d 0 "$mode" apply
done
chmod 0777 "$BED/etc/vfio-bind.d"
refused "drop-in directory 0777" /etc/vfio-bind\\.d 0 0777 plan
refused "drop-in directory 0777" /etc/vfio-bind\\.d 0 0777 status
refused "drop-in directory 0777" /etc/vfio-bind\\.d 0 0777 modules
refused "drop-in directory 0777" /etc/vfio-bind\\.d 0 0777 revert
check_grep "the message says how to fix it" "it must be owned by root and not writable by group or others \(chown root: and chmod go-w it\)$" "$ERR"
run_vb apply --boot
check_rc "drop-in directory 0777, early run: exit 2" 2
check_grep "drop-in directory 0777, early run: the kernel log says why" \
    "^<3>vfio-bind: /etc/vfio-bind\.d: refusing a configuration directory owned by uid 0 with mode 0777" "$(cat "$BED/dev/kmsg")"
check "drop-in directory 0777, early run: nothing bound" "driver=nvidia override=-" "$(state 0000:02:00.0)"
mark
run_vb udev 0000:02:00.0
check_no_events "drop-in directory 0777, udev: nothing written"
# the main file alone, with an empty world-writable drop-in directory: refused too
rm -f "$BED/etc/vfio-bind.d/10-gpu.yaml"
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
refused "empty drop-in directory 0777" /etc/vfio-bind\\.d 0 0777 apply
# validate reads files, as any user may
run_vb validate /etc/vfio-bind.yaml
check "validate: directories not checked" "0 /etc/vfio-bind.yaml: ok, 1 device entry" "$RC $OUT"
chmod 0755 "$BED/etc/vfio-bind.d"
run_vb apply
check_rc "drop-in directory back to 0755: apply binds" 0
check "drop-in directory back to 0755: bound" "driver=vfio-pci override=vfio-pci" "$(state 0000:02:00.0)"

if [ "$(id -u)" = 0 ]; then
    bed demo
    dropin
    chown 4242:0 "$BED/etc/vfio-bind.d"
    # under TESTBED_ISOLATE (unshare -r) an owner the namespace does not map is the overflow uid
    refused "drop-in directory of uid 4242" /etc/vfio-bind\\.d "(4242|65534)" 0755 apply
else
    echo "# not root: the other-owner cases need chown"
fi

# --- a drop-in that is a link into a world-writable directory: the real path is walked
bed demo
dropin
mkdir -m 0777 "$BED/etc/vfio-bind.d/lab"
mv "$BED/etc/vfio-bind.d/10-gpu.yaml" "$BED/etc/vfio-bind.d/lab/gpu.yaml"
ln -s lab/gpu.yaml "$BED/etc/vfio-bind.d/10-gpu.yaml"
refused "drop-in linked into a 0777 directory" /etc/vfio-bind\\.d/lab 0 0777 apply

# --- every directory above: /etc given to the bed (TESTBED_REDIRECT), made group-writable
bed demo
config <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
chmod 0775 "$BED/etc"
export TESTBED_REDIRECT=/etc
refused "/etc 0775" /etc 0 0775 apply
chmod 0755 "$BED/etc"
run_vb plan
check_rc "/etc 0755: accepted" 0
unset TESTBED_REDIRECT

# --- -c FILE: the file and its directory; a sticky directory (as /tmp) is fine
bed demo
lab=$SCENARIO_WORK/lab.$$
mkdir -p "$lab/open" "$lab/sticky" "$lab/closed/sub"
chmod 0777 "$lab/open"
chmod 1777 "$lab/sticky"
chmod 0777 "$lab/closed"
for d in open sticky closed/sub; do
    printf 'version: 1\ndevices:\n  - address: "0000:02:00.0"\n' >"$lab/$d/vb.yaml"
    chmod 0644 "$lab/$d/vb.yaml"
done
refused "-c in a 0777 directory" "$lab/open" 0 0777 -c "$lab/open/vb.yaml" apply
run_vb -c "$lab/sticky/vb.yaml" plan
check_rc "-c in a sticky 1777 directory: accepted" 0
run_vb -c "$lab/closed/sub/vb.yaml" plan
check_rc "-c in a 0755 directory below a 0777 one: accepted (only its own directory)" 0
chmod 0666 "$lab/sticky/vb.yaml"
run_vb -c "$lab/sticky/vb.yaml" plan
check_rc "-c file 0666 in a sticky directory: exit 2" 2
check_grep "-c file 0666: the file named" "vb\.yaml: refusing a configuration owned by uid 0 with mode 0666" "$ERR"
run_vb validate "$lab/open/vb.yaml"
check_rc "validate in a 0777 directory: exit 0" 0

# --- a user who is not root: in its 'unshare -r' namespace root's / and /etc show up owned by
# the overflow uid; they are accepted there (such a process cannot touch the host's devices),
# and a world-writable drop-in directory is still refused
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && unshare -r true 2>/dev/null; then
    bed demo
    dropin
    nb=$(mktemp -d /tmp/vfio-bind-nobody.XXXXXX)
    cp -a "$BED" "$nb/bed"
    chown -R 65534:65534 "$nb"
    chmod 0755 "$nb"
    as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups env TESTBED_ISOLATE=1 \
            tests/testbed/run "$nb/bed" -- "$VB" "$@" 2>&1
    }
    check "as nobody: the overflow uid's /etc is accepted" "0" "$(as_nobody plan >/dev/null; echo $?)"
    chmod 0777 "$nb/bed/etc/vfio-bind.d"
    out=$(as_nobody plan)
    check_grep "as nobody: a 0777 drop-in directory is still refused" \
        "^vfio-bind: /etc/vfio-bind\.d: refusing a configuration directory owned by uid 0 with mode 0777" "$out"
    rm -rf "$nb"
else
    echo "# not root, or no setpriv/unshare: the non-root case is not tried"
fi
summary
