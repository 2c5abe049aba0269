# initramfs-tools (Debian, Ubuntu, Proxmox): the hook that fills the image and the boot script
# that runs in it, installed where mkinitramfs looks for a package's files.
INITRAMFS_TOOLS_DIR ?= $(DATADIR)/initramfs-tools
ITOOLS_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BOOTLIBDIR@|$(BOOTLIBDIR)|g' -e 's|@UDEVRULESDIR@|$(UDEVRULESDIR)|g'
ITOOLS_FILES := initramfs-tools/hooks/vfio-bind initramfs-tools/scripts/init-top/00-vfio-bind
# the VM suite's report hook and script (tests/vm/itools.sh) and make bench-vm's, linted with them
ITOOLS_TEST_FILES := tests/vm/initramfs-tools/hooks/vbt-report \
	tests/vm/initramfs-tools/bench/mark/scripts/init-top/00-vbt-bench-mark \
	tests/vm/initramfs-tools/bench/floor/scripts/init-top/00-vbt-floor \
	tests/vm/initramfs-tools/bench/floor/hooks/vbt-bench-floor \
	tests/vm/initramfs-tools/scripts/init-premount/vbt-report

install: install-initramfs-tools

install-initramfs-tools:
	install -d $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/scripts/init-top
	set -e; for f in $(ITOOLS_FILES); do \
		$(ITOOLS_SED) $$f > $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/$${f#initramfs-tools/}; \
		chmod 755 $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/$${f#initramfs-tools/}; \
	done

lint: lint-initramfs-tools

# Both run under /bin/sh (dash on Debian at build time, busybox or klibc sh in the image).
lint-initramfs-tools:
	shellcheck -s sh -S style $(ITOOLS_FILES) $(ITOOLS_TEST_FILES)
	set -e; for f in $(ITOOLS_FILES) $(ITOOLS_TEST_FILES); do dash -n $$f; done

.PHONY: install-initramfs-tools lint-initramfs-tools
