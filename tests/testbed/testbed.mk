# Test bed: LD_PRELOAD library and host builder.  Include from the top Makefile,
# or run alone: make -f tests/testbed/testbed.mk testbed
BUILDDIR ?= build
CC ?= cc
TESTBED_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
TESTBED_OUT := $(BUILDDIR)/testbed
TESTBED_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla -Wwrite-strings -Wundef \
	-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=0 -I$(TESTBED_DIR)/src

TESTBED_SHARED := bedfs bedwrite journal pcidev modstate faults buscore busops
TESTBED_PRELOAD := $(TESTBED_SHARED) pcicore sriovcore wfd modload redirect paths
TESTBED_MKHOST := $(TESTBED_SHARED) mkhost mkparse mkdev mkmod mkbus

TESTBED_HDRS := $(wildcard $(TESTBED_DIR)/src/*.h)

.PHONY: testbed testbed-check testbed-clean
testbed: $(TESTBED_OUT)/libtestbed.so $(TESTBED_OUT)/mkhost $(TESTBED_OUT)/udev-probe

$(TESTBED_OUT)/pic/%.o: $(TESTBED_DIR)/src/%.c $(TESTBED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TESTBED_CFLAGS) -fPIC -c -o $@ $<

$(TESTBED_OUT)/obj/%.o: $(TESTBED_DIR)/src/%.c $(TESTBED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TESTBED_CFLAGS) -c -o $@ $<

$(TESTBED_OUT)/libtestbed.so: $(patsubst %,$(TESTBED_OUT)/pic/%.o,$(TESTBED_PRELOAD))
	$(CC) -shared -fPIC -o $@ $^ -ldl

$(TESTBED_OUT)/mkhost: $(patsubst %,$(TESTBED_OUT)/obj/%.o,$(TESTBED_MKHOST))
	$(CC) -o $@ $^

$(TESTBED_OUT)/udev-probe: $(TESTBED_DIR)/src/udev-probe.c
	@mkdir -p $(dir $@)
	$(CC) $(TESTBED_CFLAGS) -o $@ $< -ludev -lkmod

testbed-check: testbed
	BUILDDIR=$(BUILDDIR) $(TESTBED_DIR)/selftest.sh

testbed-clean:
	rm -rf $(TESTBED_OUT)
