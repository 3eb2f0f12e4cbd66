# What c-h2o-1 and c-h2o-N add to contestant.mk (included after it).
# libh2o-evloop's headers need to be told which event loop was built in.
override CFLAGS += -DH2O_USE_LIBUV=0
H2O_DIR := $(dir $(lastword $(MAKEFILE_LIST)))

# Unit test of the frame guard: byte-at-a-time and coalesced feeds.
$(BUILD)/test_frame_guard: $(H2O_DIR)tests/test_frame_guard.c $(H2O_DIR)frame_guard.c common
	$(CC) $(CFLAGS) $(LDFLAGS) -I$(H2O_DIR) -o $@ $(H2O_DIR)tests/test_frame_guard.c \
		$(H2O_DIR)frame_guard.c $(LIBWSCOMMON)

test: $(BUILD)/test_frame_guard
	./$(BUILD)/test_frame_guard

# Wire-level checks against a freshly started server on CHECK_PORT.
CHECK_PORT ?= 8450
check: all
	@./$(BUILD)/$(NAME) --host 127.0.0.1 --port $(CHECK_PORT) & pid=$$!; sleep 0.5; \
	timeout 300 /usr/bin/python3 $(H2O_DIR)tests/protocol_test.py $(CHECK_PORT); rc=$$?; \
	kill $$pid; wait $$pid; exit $$rc

.PHONY: check
