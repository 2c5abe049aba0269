# Early boot (included by the Makefile after TOOL_OBJS): the tool's boot-time source, and the
# installation of the dracut module, the udev rule and the systemd unit.
#   src/initrd.c      the initramfs's configuration copy, compared by 'status'; timing
CORE_OBJS += $(BUILDDIR)/src/initrd.o
TOOL_OBJS += $(BUILDDIR)/src/initrd.o

# @SBINDIR@ in the rule, the unit and the module: where the binary is installed; @BOOTLIBDIR@:
# where its initramfs copy is (boot.mk).
BOOT_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BOOTLIBDIR@|$(BOOTLIBDIR)|g'
DRACUT_MODULE_DIR = $(DESTDIR)$(DRACUTDIR)/55vfio-bind

install: install-boot

install-boot:
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DRACUT_MODULE_DIR)
	$(BOOT_SED) src/data/70-vfio-bind.rules > $(DESTDIR)$(UDEVRULESDIR)/70-vfio-bind.rules
	$(BOOT_SED) src/data/vfio-bind.service > $(DESTDIR)$(SYSTEMDUNITDIR)/vfio-bind.service
	$(BOOT_SED) src/data/70-vfio-bind.rules > $(DRACUT_MODULE_DIR)/70-vfio-bind.rules
	$(BOOT_SED) src/data/vfio-bind.service > $(DRACUT_MODULE_DIR)/vfio-bind.service
	$(BOOT_SED) dracut/55vfio-bind/module-setup.sh > $(DRACUT_MODULE_DIR)/module-setup.sh
	$(BOOT_SED) dracut/55vfio-bind/vfio-bind-pre-udev.sh > $(DRACUT_MODULE_DIR)/vfio-bind-pre-udev.sh
	chmod 644 $(DESTDIR)$(UDEVRULESDIR)/70-vfio-bind.rules $(DESTDIR)$(SYSTEMDUNITDIR)/vfio-bind.service \
		$(DRACUT_MODULE_DIR)/70-vfio-bind.rules $(DRACUT_MODULE_DIR)/vfio-bind.service
	chmod 755 $(DRACUT_MODULE_DIR)/module-setup.sh $(DRACUT_MODULE_DIR)/vfio-bind-pre-udev.sh

.PHONY: install-boot
