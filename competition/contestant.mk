# Build rules every contestant shares. A contestant's Makefile sets
#   NAME  the contestant (its directory name and binary name)
#   SRCS  its C sources, relative to its directory (a -N contestant may
#         name its -1 sibling's files: they share their echo code)
#   PKGS  pkg-config packages it links; LIBS extra -l flags (wslay has no .pc)
# and then includes this file. `make SANITIZE=1` builds into build-asan/
# with AddressSanitizer and UndefinedBehaviorSanitizer.
COMMON := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/common

include $(dir $(lastword $(MAKEFILE_LIST)))../flags.mk

override CFLAGS += \
	-I$(COMMON) $(shell pkg-config --cflags $(PKGS) libcrypto)
LDLIBS += $(COMMON)/$(BUILD)/libwscommon.a \
	$(shell pkg-config --libs $(PKGS) libcrypto) $(LIBS)

vpath %.c $(sort $(dir $(SRCS)))
OBJS := $(addprefix $(BUILD)/,$(notdir $(SRCS:.c=.o)))

all: $(BUILD)/$(NAME)

$(BUILD)/$(NAME): $(OBJS) common
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: %.c | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $@

common:
	$(MAKE) -s -C $(COMMON) SANITIZE=$(SANITIZE)

test: all

clean:
	rm -rf build build-asan

.PHONY: all common test clean
-include $(OBJS:.o=.d)
