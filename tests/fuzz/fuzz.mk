# libFuzzer targets (tests/fuzz/fuzz-*.c) over the core objects, built with clang, ASan and
# UBSan in their own build directory; and replay drivers of the same targets built like the
# unit tests (project compiler, SANITIZE, valgrind-able) for `make check`.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="config pci match cmdline"]
#       fuzz each target for FUZZ_SECONDS; new inputs go to $(FUZZ_BUILDDIR)/corpus/T,
#       crashes to $(FUZZ_BUILDDIR)/artifacts/T/ (copy them to tests/fuzz/regressions/T/)
#   make fuzz-merge     add to tests/fuzz/corpus/T what fuzzing found that reaches new edges
#   make fuzz-build     only build
FUZZ_CC ?= clang
FUZZ_BUILDDIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config pci match cmdline
export FUZZ_BUILDDIR
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 $(WARNINGS) -O1 -g $(FUZZ_SAN) \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC))
# What the targets call: the parsers, the loader, the matcher (and what those link against).
FUZZ_CORE := pci sysfs log bus config config-entry config-check resolve resolve-glob cmdline
FUZZ_CORE_OBJS := $(FUZZ_CORE:%=$(FUZZ_BUILDDIR)/src/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILDDIR)/fuzz-%)
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILDDIR)/tests/fuzz-replay-%)
# Per target: maximum input length, and a dictionary when there is one.
FUZZ_OPTS_config := -max_len=16384 -dict=tests/fuzz/config.dict
FUZZ_OPTS_pci := -max_len=80
FUZZ_OPTS_match := -max_len=256
FUZZ_OPTS_cmdline := -max_len=4096 -dict=tests/fuzz/cmdline.dict

$(FUZZ_BUILDDIR)/src/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILDDIR)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_CORE_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_CORE_OBJS) $(LDLIBS)

$(BUILDDIR)/tests/fuzz-replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(CORE_OBJS) | $(BUILDDIR)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< tests/fuzz/replay.c $(CORE_OBJS) $(LDFLAGS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Pattern-built prerequisites are intermediate to make: keep them.
.SECONDARY: $(FUZZ_CORE_OBJS)

# The replay drivers always; the libFuzzer binaries when the fuzz suite runs.
tests-build: $(FUZZ_REPLAY_BINS) $(if $(filter fuzz,$(SUITES)),fuzz-build)

# One recipe line per target (make expands each target's options, the shell runs it).
define fuzz_run
	@mkdir -p $(FUZZ_BUILDDIR)/corpus/$(1) $(FUZZ_BUILDDIR)/artifacts/$(1); \
	echo "=== fuzz $(1) for $(FUZZ_SECONDS) s (log: $(FUZZ_BUILDDIR)/fuzz-$(1).log)"; \
	$(FUZZ_BUILDDIR)/fuzz-$(1) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_BUILDDIR)/artifacts/$(1)/ $(FUZZ_OPTS_$(1)) \
		$(FUZZ_BUILDDIR)/corpus/$(1) tests/fuzz/corpus/$(1) >$(FUZZ_BUILDDIR)/fuzz-$(1).log 2>&1; \
	rc=$$?; \
	grep -E '^(#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' \
		$(FUZZ_BUILDDIR)/fuzz-$(1).log; \
	if [ $$rc -ne 0 ]; then \
		grep -E 'ERROR|SUMMARY|property does not hold|Test unit written' $(FUZZ_BUILDDIR)/fuzz-$(1).log; \
		echo "fuzz $(1): failed (exit $$rc); keep the input as tests/fuzz/regressions/$(1)/NAME"; \
		exit 1; \
	fi

endef

# Adds to the committed seeds the inputs that reach edges they do not (edges only, not hit
# counts: a few KiB, not megabytes); the seeds themselves stay.
define fuzz_merge
	@mkdir -p $(FUZZ_BUILDDIR)/corpus/$(1); \
	$(FUZZ_BUILDDIR)/fuzz-$(1) -merge=1 -use_counters=0 $(FUZZ_OPTS_$(1)) tests/fuzz/corpus/$(1) \
		$(FUZZ_BUILDDIR)/corpus/$(1) >$(FUZZ_BUILDDIR)/merge-$(1).log 2>&1 || \
		{ tail $(FUZZ_BUILDDIR)/merge-$(1).log; exit 1; }; \
	echo "$(1): $$(ls tests/fuzz/corpus/$(1) | wc -l) files, $$(cat tests/fuzz/corpus/$(1)/* | wc -c) bytes"

endef

fuzz: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)))

fuzz-merge: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_merge,$(t)))

clean: fuzz-clean

fuzz-clean:
	rm -rf $(FUZZ_BUILDDIR)

.PHONY: fuzz fuzz-build fuzz-merge fuzz-clean
