# The initramfs copy of the tool (included by the Makefile after the fragments that add to
# CORE_OBJS): $(BUILDDIR)/vfio-bind-boot, installed as $(BOOTLIBDIR)/vfio-bind-boot, which the
# dracut module, the initramfs-tools hook and the mkinitcpio install hook put into the image as
# $(SBINDIR)/vfio-bind. The same sources, built with -DVFIO_BIND_BOOT: only the verbs early boot
# runs (src/main.c), optimized for size, unused functions dropped by the linker, libyaml and
# json-c linked in statically (the initramfs then needs no copy of them); libkmod and libudev stay
# shared, as kmod and udev bring them into every image anyway. (issue 20: bytes added)
BOOTLIBDIR ?= $(PREFIX)/lib/vfio-bind
BOOT_BUILDDIR := $(BUILDDIR)/boot
# Verbs of the boot copy: what the hooks, the unit and the rule run, and 'status' and 'validate'
# for a shell in the initramfs.
BOOT_VERBS := apply plan status validate udev
BOOT_OBJS := $(patsubst $(BUILDDIR)/%,$(BOOT_BUILDDIR)/%,$(CORE_OBJS)) \
	$(BOOT_BUILDDIR)/src/main.o $(BOOT_BUILDDIR)/src/verbs.o $(BOOT_VERBS:%=$(BOOT_BUILDDIR)/src/verb-%.o)
# Measured (NOTES in the issue 20 report): -Os 253 KB stripped, -O2 278 KB; -flto -8 KB; no unwind
# tables (C, no exceptions, no backtraces) -16 KB; together 233 KB.
BOOT_CFLAGS ?= -Os -g -flto=auto -fno-asynchronous-unwind-tables -fno-unwind-tables
BOOT_ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(BOOT_CFLAGS) -ffunction-sections -fdata-sections \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) $(DLOPEN_PC))
# Relative relocations packed (DT_RELR: binutils 2.38, glibc 2.36): -8 KB stripped, 237024 ->
# 228904 B. Probed with --fatal-warnings: older linkers only warn about an unknown -z option.
BOOT_LDFLAGS ?= $(shell printf 'int main(void) { return 0; }\n' | \
	$(CC) -x c - -Wl,-z,pack-relative-relocs -Wl,--fatal-warnings -o /dev/null 2>/dev/null && \
	echo -Wl,-z,pack-relative-relocs)
BOOT_STATIC_PC := yaml-0.1 json-c
BOOT_SHARED_PC := libkmod libudev
BOOT_LDLIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs-only-l $(BOOT_STATIC_PC)) -Wl,-Bdynamic \
	$(shell $(PKG_CONFIG) --libs $(BOOT_SHARED_PC))

all: $(BUILDDIR)/vfio-bind-boot

$(BOOT_BUILDDIR)/src/%.o: src/%.c $(wildcard src/*.h) | $(BOOT_BUILDDIR)/src
	$(CC) $(CPPFLAGS) -DVFIO_BIND_BOOT $(BOOT_ALL_CFLAGS) -c -o $@ $<

$(BUILDDIR)/vfio-bind-boot: $(BOOT_OBJS)
	$(CC) $(BOOT_CFLAGS) $(LDFLAGS) $(BOOT_LDFLAGS) -Wl,--gc-sections -Wl,--as-needed -o $@ $^ \
		$(BOOT_LDLIBS)

$(BOOT_BUILDDIR)/src:
	mkdir -p $@

install: install-boot-copy

install-boot-copy: $(BUILDDIR)/vfio-bind-boot
	install -Dm755 $(BUILDDIR)/vfio-bind-boot $(DESTDIR)$(BOOTLIBDIR)/vfio-bind-boot

.PHONY: install-boot-copy
