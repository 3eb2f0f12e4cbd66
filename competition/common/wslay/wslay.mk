# What a contestant built on wslay adds to contestant.mk (include it after):
# the glue and its rules from this folder, and wslay.
WSLAY_GLUE := $(KIT)/competition/common/wslay
override CFLAGS += -I$(WSLAY_GLUE)
LDLIBS := $(WSLAY_GLUE)/$(BUILD)/libwswslay.a $(LDLIBS) -lwslay

$(BUILD)/$(NAME): wslay

# Phony, so that the folder's own Makefile decides what is stale.
wslay:
	$(MAKE) -s -C $(WSLAY_GLUE) SANITIZE=$(SANITIZE)

.PHONY: wslay
