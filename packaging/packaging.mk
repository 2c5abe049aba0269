# Packages (included by the Makefile). debian/ builds with dpkg-buildpackage -us -uc -b in the
# tree; the RPM and Arch packages build from the tarball 'make dist' writes, at the Makefile's
# VERSION (the spec is given it, the PKGBUILD asks 'make print-version').
PKG_OUT = $(abspath $(BUILDDIR))

dist:
	packaging/dist.sh $(VERSION) $(BUILDDIR)

# RPMBUILD_FLAGS=--nodeps where the build dependencies are not RPMs (on Debian).
rpm: dist
	rpmbuild -bb $(RPMBUILD_FLAGS) --define "_topdir $(PKG_OUT)/rpm" --define "_sourcedir $(PKG_OUT)" \
		--define "vb_version $(VERSION)" packaging/rpm/vfio-bind.spec

.PHONY: dist rpm
