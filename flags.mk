# The flags every C part of the kit builds with; each Makefile includes this
# and adds its own -I and libraries. `make SANITIZE=1` builds into
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SANITIZE),1)
BUILD := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD := build
endif
WERROR ?= -Werror
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(SANFLAGS) -MMD -MP
override LDFLAGS += $(SANFLAGS)
