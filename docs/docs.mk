# Documentation: man pages (scdoc), guides, bash completion. Included from the top Makefile,
# after tests/tests.mk.
SCDOC ?= scdoc
DOCDIR ?= $(DATADIR)/doc/vfio-bind
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
MAN_SRCS := docs/vfio-bind.8.scd docs/vfio-bind.yaml.5.scd
MAN_PAGES := $(MAN_SRCS:docs/%.scd=$(BUILDDIR)/docs/%)
DOC_GUIDES := docs/how-it-works.md docs/troubleshooting.md docs/rescue.md docs/migrating.md docs/output.md docs/architecture.md
# The date in a page's footer: the last commit's, so that two builds give the same pages.
DOCS_DATE := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),0)

docs: $(MAN_PAGES)

$(BUILDDIR)/docs:
	mkdir -p $@

$(BUILDDIR)/docs/%: docs/%.scd | $(BUILDDIR)/docs
	SOURCE_DATE_EPOCH=$(DOCS_DATE) $(SCDOC) < $< > $@.tmp
	mv $@.tmp $@

install-docs: docs
	install -Dm644 $(BUILDDIR)/docs/vfio-bind.8 $(DESTDIR)$(MANDIR)/man8/vfio-bind.8
	install -Dm644 $(BUILDDIR)/docs/vfio-bind.yaml.5 $(DESTDIR)$(MANDIR)/man5/vfio-bind.yaml.5
	install -d $(DESTDIR)$(DOCDIR)
	install -m644 $(DOC_GUIDES) $(DESTDIR)$(DOCDIR)/
	install -Dm644 docs/completion/vfio-bind $(DESTDIR)$(BASHCOMPDIR)/vfio-bind

install: install-docs


.PHONY: docs install-docs
