# vfio-bind — plain make, pkg-config for the libraries.
# Plain 'make' builds; the fragments included below define 'install' before 'all' appears.
.DEFAULT_GOAL := all
VERSION := 0.1
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
DRACUTDIR ?= $(PREFIX)/lib/dracut/modules.d
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=
BUILDDIR ?= build

CC ?= cc
PKG_CONFIG ?= pkg-config
LIBS_PC := libkmod yaml-0.1 libudev json-c
# Headers only: opened with dlopen() when a table is printed, the mounts are read or doctor reads an
# initramfs (src/dynlib.h), not linked.
DLOPEN_PC := smartcols mount libarchive

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wwrite-strings -Wundef -Wpointer-arith \
	-Wmissing-declarations -Wredundant-decls -Wnested-externs -Wcast-align \
	-Wold-style-definition -Wno-unused-parameter \
	-Wnull-dereference -Wimplicit-fallthrough
CFLAGS ?= -O2 -g
MAKEFLAGS += --no-print-directory
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"'
ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) $(DLOPEN_PC))
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC))

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# Library part of the pipeline, linked into the tool, the unit tests and the benchmarks.
CORE := bus pci sysfs log dynlib config config-entry config-check discover discover-query discover-names discover-identity mounts usage select resolve resolve-glob resolve-target plan pipeline pipeline-debug report report-list table smartcols cmdline apply revert apply-sriov record plan-release plan-sriov apply-release pipeline-apply
VERBS := apply plan status revert list resolve validate modules udev doctor
# The checks of 'doctor' (verb stage): read-only.
DOCTOR := doctor-host doctor-binders doctor-device doctor-initramfs
CORE_OBJS := $(CORE:%=$(BUILDDIR)/src/%.o)
TOOL_OBJS := $(CORE_OBJS) $(BUILDDIR)/src/main.o $(BUILDDIR)/src/verbs.o \
	$(VERBS:%=$(BUILDDIR)/src/verb-%.o) $(DOCTOR:%=$(BUILDDIR)/src/%.o)
include dracut/dracut.mk
# Present once their parts of the tree are: '-include' keeps this Makefile working without them.
-include initramfs-tools/initramfs-tools.mk
-include mkinitcpio/mkinitcpio.mk

all: $(BUILDDIR)/vfio-bind

$(BUILDDIR)/src/%.o: src/%.c $(wildcard src/*.h) | $(BUILDDIR)/src
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILDDIR)/vfio-bind: $(TOOL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILDDIR)/src $(BUILDDIR)/tests:
	mkdir -p $@

include tests/testbed/testbed.mk
include tests/tests.mk
include docs/docs.mk
include tests/fuzz/fuzz.mk
include packaging/packaging.mk
# After the fragments that add to CORE_OBJS: the initramfs copy.
include boot.mk

bench: all testbed
	BUILDDIR=$(BUILDDIR) tests/bench/run.sh

# Boots QEMU 3 images x BENCH_VM_BOOTS times per kind of initramfs (BENCH_VM_KINDS): not part
# of make check nor make bench.
bench-vm: all
	BUILDDIR=$(BUILDDIR) tests/bench/vm-boot.sh

demo: all testbed
	BUILDDIR=$(BUILDDIR) tests/demo.sh

install: all
	install -Dm755 $(BUILDDIR)/vfio-bind $(DESTDIR)$(SBINDIR)/vfio-bind

# The packages (debian/, packaging/) take the version from here.
print-version:
	@echo $(VERSION)

# Static checks: cppcheck on C, shellcheck on every shell script, dash -n on POSIX hooks, the
# stage structure of src/ (docs/architecture.md).
lint:
	sh tests/lint/stages.sh src
	cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src
	shellcheck -x -S warning $$(git ls-files '*.sh' tests/testbed/mkbed tests/testbed/run tests/testbed/dump .ci/run)
	set -e; for f in $$(git ls-files 'dracut/*.sh' 'tests/vm/dracut/58vbt-bench/*.sh'); do dash -n "$$f"; done
	set -e; for f in $$(git ls-files 'tests/bench/*.sh'); do bash -n "$$f"; done

clean:
	rm -rf $(BUILDDIR)

.PHONY: all install clean demo bench bench-vm lint print-version
