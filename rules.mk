# Build rules for every Makefile that links libwscommon (the contestants
# through competition/contestant.mk, competition/bench, tests/conformance):
# flags.mk, objects into $(BUILD)/, the common library built first. Include
# it before your own targets; `all` stays the default goal.
KIT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
include $(KIT)/flags.mk

COMMON := $(KIT)/competition/common
LIBWSCOMMON := $(COMMON)/$(BUILD)/libwscommon.a
override CFLAGS += -I$(COMMON) $(shell pkg-config --cflags libcrypto)
LDLIBS += $(LIBWSCOMMON) $(shell pkg-config --libs libcrypto)

all:

$(BUILD)/%.o: %.c | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $@

# Phony, so that common's own Makefile decides whether the library is stale.
common:
	$(MAKE) -s -C $(COMMON) SANITIZE=$(SANITIZE)

clean:
	rm -rf build build-asan

.PHONY: all common test clean
-include $(wildcard $(BUILD)/*.d)
