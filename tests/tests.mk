# Tests: unit (cmocka), resolution over real module trees, test bed scenarios, VM boots.
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)

$(BUILDDIR)/tests/test-%: tests/unit/test-%.c $(CORE_OBJS) $(wildcard tests/unit/*.h) | $(BUILDDIR)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) $(UNIT_EXTRA_OBJS) $(LDFLAGS) $(LDLIBS) $(CMOCKA_LIBS)

# The verbs' option parsing is the tool's, not the core's: its test links it as well.
$(BUILDDIR)/tests/test-verbs: UNIT_EXTRA_OBJS := $(BUILDDIR)/src/verbs.o
$(BUILDDIR)/tests/test-verbs: $(BUILDDIR)/src/verbs.o

tests-build: all testbed $(UNIT_BINS)

# SUITES picks what runs (all by default).
SUITES ?= unit lint schema resolve testbed scenarios sriov buses doctor fuzz bad-configs oddsysfs crash docs ansible boot mkinitcpio packages vm vm-itools vm-sriov vm-identity
check: tests-build
	BUILDDIR=$(BUILDDIR) SANITIZE=$(SANITIZE) VALGRIND=$(VALGRIND) tests/run.sh $(SUITES)

check-valgrind:
	$(MAKE) check VALGRIND=1 SUITES="unit schema resolve testbed scenarios sriov buses fuzz bad-configs oddsysfs"

.PHONY: tests-build check check-valgrind

$(BUILDDIR)/tests/resolve-bench: tests/bench/resolve-bench.c $(CORE_OBJS) | $(BUILDDIR)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) $(LDFLAGS) $(LDLIBS)
