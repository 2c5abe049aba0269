#!/bin/bash
# Every verb's exit status as vfio-bind(8) gives it (EXIT STATUS, and each verb's section):
# 0 ok / in sync, 1 a device failed or a system error, 2 usage or configuration error,
# 3 drift (status). One row a case: the configuration it runs with, the command, the status.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

bed demo
# The configurations the rows name (in /run/vb, -c FILE).
mkdir -p "$BED/run/vb" && chmod 0755 "$BED/run/vb"
cfg() {
    cat >"$BED/run/vb/$1.yaml"
    chmod 0644 "$BED/run/vb/$1.yaml"
}
cfg good <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
Y
cfg missing <<'Y'
version: 1
devices:
  - address: "0000:77:00.0"
Y
cfg optional <<'Y'
version: 1
devices:
  - address: "0000:77:00.0"
    optional: true
Y
cfg broken <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    colour: red
Y
cfg bridge <<'Y'
version: 1
devices:
  - address: "0000:00:01.0"
Y
cfg nomodule <<'Y'
version: 1
devices:
  - address: "0000:02:00.0"
    driver: vfio_nonesuch_pci
Y
cfg empty <<'Y'
version: 1
devices: []
Y
G=/run/vb/good.yaml

# EXPECTED ARGS... (one row each); the bed is fresh for the rows that change it (apply, revert).
rows() {
    cat <<ROWS
0 --help
0 --version
2
2 frobnicate
2 --bogus plan
0 plan --help
0 -c /run/vb/empty.yaml plan
0 -c $G plan
0 -c $G plan --json
1 -c /run/vb/missing.yaml plan
0 -c /run/vb/optional.yaml plan
1 -c /run/vb/bridge.yaml plan
1 -c /run/vb/nomodule.yaml plan
2 -c /run/vb/broken.yaml plan
2 -c /run/vb/absent.yaml plan
2 plan extra
2 plan --dry-run
0 -c $G apply --dry-run
0 -c $G apply
0 -c $G apply --boot
2 -c /run/vb/broken.yaml apply
2 -c /run/vb/broken.yaml apply --boot
1 -c /run/vb/missing.yaml apply
1 -c /run/vb/bridge.yaml apply
2 apply --bus pci
3 -c $G status
0 -c /run/vb/empty.yaml status
3 -c /run/vb/missing.yaml status
2 -c /run/vb/broken.yaml status
2 status 0000:02:00.0
0 -c $G revert
0 revert 0000:02:00.0
1 revert 0000:77:00.0
1 revert zz:zz
2 revert 0000:01:00.8
2 -c /run/vb/broken.yaml revert
0 list
0 list --bus all
2 list --bus nonesuch
0 resolve 0000:02:00.0
1 resolve 0000:77:00.0
1 resolve cdx-00:09
2 resolve zz
2 resolve 0000:zz:00.0
2 resolve
2 resolve 0000:02:00.0 0000:02:00.1
2 resolve 0000:02:00.0 --modalias pci:v000010DEd00002204sv*sd*bc03sc00i00
0 resolve --modalias pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00
1 resolve --modalias usb:v1234p5678d0100dc00dsc00dp00ic03isc01ip01in00
2 resolve --modalias foo
2 resolve --modalias pci/v0000
2 resolve --modalias ''
2 resolve 0000:02:00.0 --kver ../x
1 resolve 0000:02:00.0 --moddir /nonexistent
0 validate $G
2 validate /run/vb/broken.yaml
2 validate /run/vb/absent.yaml
2 validate
0 -c $G modules
1 -c /run/vb/nomodule.yaml modules
2 -c /run/vb/broken.yaml modules
2 modules --kver ../x
1 -c $G modules --moddir /nonexistent
2 modules extra
0 -c $G udev 0000:00:14.0
2 udev
2 udev 0000:zz:00.0
2 udev --bus nonesuch fff51000.ethernet
2 udev --bus platform --driver-bound fff51000.ethernet
2 -c /run/vb/broken.yaml udev 0000:02:00.0
ROWS
}
while read -r expected line; do
    eval "set -- $line"
    case $line in *apply* | *revert* | *udev*) cp -a "$BED/run/vb" "$SCENARIO_WORK/vb.keep"
        bed demo; cp -a "$SCENARIO_WORK/vb.keep" "$BED/run/vb"; rm -rf "$SCENARIO_WORK/vb.keep" ;;
    esac
    run_vb "$@"
    check_rc "vfio-bind $line: exit $expected" "$expected"
done < <(rows)

# An error writing the output is a failure (1), whatever the verb found.
tests/testbed/run "$BED" -- "$VB" list >/dev/full 2>/dev/null
check "list >/dev/full: exit 1" 1 "$?"

summary
