#!/bin/sh
# The stage structure of src/ (docs/architecture.md), checked:
#  1. a stage's file includes no header of a later stage (config -> discover -> select -> resolve
#     -> plan -> apply -> report, then the orchestrator, then the verbs);
#  2. only src/apply.c writes under /sys or loads modules: the write primitive (an open for
#     writing), libkmod's insert calls and init_module stay there; the primitives it exports are
#     called from apply-stage files only;
#  3. the few files that write elsewhere (/dev/kmsg, /run) name no /sys path.
# Usage: stages.sh [SRCDIR] (default: src). Prints one line per violation; exit 1 if any.
set -u
src=${1:-src}
[ -d "$src" ] || { echo "stages.sh: no directory '$src'" >&2; exit 2; }
bad=0
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT

# The rank of a file by its name: 0 helpers any stage may use, 1 config ... 7 report,
# 8 orchestrator, 9 verbs (and doctor's read-only checks). Headers and sources alike.
rank() {
    case "$1" in
        bus.* | pci.* | sysfs.* | log.* | macro.* | dynlib.*) echo 0 ;;
        config.* | config-*.* | cmdline.* | initrd.*) echo 1 ;;
        discover.* | discover-*.* | mounts.* | usage.* | record.*) echo 2 ;;
        select.*) echo 3 ;;
        resolve.* | resolve-*.*) echo 4 ;;
        plan.* | plan-*.*) echo 5 ;;
        apply.* | apply-*.* | revert.*) echo 6 ;;
        report.* | report-*.* | table.* | smartcols.*) echo 7 ;;
        pipeline.* | pipeline-*.*) echo 8 ;;
        main.* | verbs.* | verb-*.* | doctor.* | doctor-*.*) echo 9 ;;
        *) echo unknown ;;
    esac
}

stage_name() {
    case "$1" in
        0) echo helper ;; 1) echo config ;; 2) echo discover ;; 3) echo select ;;
        4) echo resolve ;; 5) echo plan ;; 6) echo apply ;; 7) echo report ;;
        8) echo orchestrator ;; 9) echo verb ;;
    esac
}

for f in "$src"/*.c "$src"/*.h; do
    [ -e "$f" ] || continue
    name=${f##*/}
    r=$(rank "$name")
    if [ "$r" = unknown ]; then
        echo "$f: not in any stage: give it one in tests/lint/stages.sh and docs/architecture.md"
        bad=1
        continue
    fi
    # The project's own headers: #include "x.h".
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" > "$tmp"
    while read -r h; do
        hr=$(rank "$h")
        [ "$hr" = unknown ] && continue
        if [ "$hr" -gt "$r" ]; then
            echo "$f ($(stage_name "$r") stage) includes $h, of the later $(stage_name "$hr") stage"
            bad=1
        fi
    done < "$tmp"
done

# Code only: comments and string contents would make false alarms of words like "write".
strip() {
    sed -e 's://.*$::' -e 's:/\*.*\*/::g' -e '/\/\*/,/\*\//d' "$1"
}

for f in "$src"/*.c; do
    [ -e "$f" ] || continue
    name=${f##*/}
    [ "$name" = apply.c ] && continue
    code=$(strip "$f")
    if printf '%s\n' "$code" | grep -Eq '\b(sysfs_write|kmod_module_probe_insert_module|kmod_module_insert_module|f?init_module)[[:space:]]*\('; then
        echo "$f: writes to /sys or loads a module itself: only src/apply.c does (call its primitives)"
        bad=1
    fi
    case $(rank "$name") in
        6) ;;
        *)
            if printf '%s\n' "$code" | grep -Eq '\b(device_attr_write|device_name_attr_write|device_probe|device_bind_to|module_load)[[:space:]]*\('; then
                echo "$f: calls apply's write primitives from outside the apply stage"
                bad=1
            fi
            ;;
    esac
    if printf '%s\n' "$code" | grep -Eq 'O_WRONLY|O_RDWR|fopen[[:space:]]*\([^;]*"[wa+]|fopen[[:space:]]*\([^;]*"r\+'; then
        case "$name" in
            # Each writes one file of its own, none under /sys: /dev/kmsg; /run/vfio-bind/...;
            # the configuration's copy in /run; udev's once-per-boot mark in /run.
            log.c | record.c | initrd.c | verb-udev.c)
                if printf '%s\n' "$code" | grep -Eq '"/sys|SYSFS_'; then
                    echo "$f: opens files for writing and names /sys paths: sysfs writes belong in src/apply.c"
                    bad=1
                fi
                ;;
            *)
                echo "$f: opens a file for writing: only src/apply.c writes to /sys (other writers are listed in tests/lint/stages.sh)"
                bad=1
                ;;
        esac
    fi
done
exit $bad
