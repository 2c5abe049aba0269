# mkinitcpio (Arch): the install hook (build time, bash) and the runtime hook (busybox ash),
# with @SBINDIR@, @UDEVRULESDIR@ and @SYSTEMDUNITDIR@ filled in. Included by the Makefile.
INITCPIODIR ?= $(PREFIX)/lib/initcpio
INITCPIO_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BOOTLIBDIR@|$(BOOTLIBDIR)|g' -e 's|@UDEVRULESDIR@|$(UDEVRULESDIR)|g' -e 's|@SYSTEMDUNITDIR@|$(SYSTEMDUNITDIR)|g'

install: install-mkinitcpio

install-mkinitcpio:
	install -d $(DESTDIR)$(INITCPIODIR)/install $(DESTDIR)$(INITCPIODIR)/hooks
	$(INITCPIO_SED) mkinitcpio/install/vfio-bind > $(DESTDIR)$(INITCPIODIR)/install/vfio-bind
	$(INITCPIO_SED) mkinitcpio/hooks/vfio-bind > $(DESTDIR)$(INITCPIODIR)/hooks/vfio-bind
	chmod 644 $(DESTDIR)$(INITCPIODIR)/install/vfio-bind
	chmod 755 $(DESTDIR)$(INITCPIODIR)/hooks/vfio-bind

# The install hook is bash (mkinitcpio sources it); the runtime hook runs in busybox ash.
lint: lint-mkinitcpio

lint-mkinitcpio:
	bash -n mkinitcpio/install/vfio-bind
	shellcheck -S warning -s bash mkinitcpio/install/vfio-bind
	dash -n mkinitcpio/hooks/vfio-bind
	if command -v busybox > /dev/null; then busybox ash -n mkinitcpio/hooks/vfio-bind; fi
	shellcheck -S warning -s sh mkinitcpio/hooks/vfio-bind

.PHONY: install-mkinitcpio lint-mkinitcpio
