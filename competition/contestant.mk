# Build rules every contestant shares. A contestant's Makefile sets
#   NAME     the contestant (its directory name and binary name)
#   WORKERS  its default --workers: 1 if unset, 0 for one per online CPU (-N);
#            at run time WS_WORKERS replaces it (a -1 accepts only WS_WORKERS=1)
#   SRCS     its C sources, relative to its directory (a -N contestant may
#            name its -1 sibling's files: they share their echo code)
#   PKGS     pkg-config packages it links; LIBS extra -l flags (wslay has no .pc)
# and then includes this file, which hands NAME and WORKERS to the code as
# WS_NAME and WS_DEFAULT_WORKERS (for ws_main). `make SANITIZE=1` builds
# into build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer.
include $(dir $(lastword $(MAKEFILE_LIST)))../rules.mk

WORKERS ?= 1

override CFLAGS += -DWS_NAME='"$(NAME)"' -DWS_DEFAULT_WORKERS=$(WORKERS) \
	$(if $(PKGS),$(shell pkg-config --cflags $(PKGS)))
LDLIBS += $(if $(PKGS),$(shell pkg-config --libs $(PKGS))) $(LIBS)

vpath %.c $(sort $(dir $(SRCS)))
OBJS := $(addprefix $(BUILD)/,$(notdir $(SRCS:.c=.o)))

all: $(BUILD)/$(NAME)

$(BUILD)/$(NAME): $(OBJS) common
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

test: all
