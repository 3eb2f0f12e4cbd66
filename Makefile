# The kit's entry points:
#   make         build the contestants, the reference servers, the load client and the suite runner
#   make test    install what is missing, build (also with sanitizers), run every test
#   make suite   the main job: the small-scale suite on localhost, report in
#                results/local/small-scale/ (git-ignored; nothing tracked changes)
#   make publish copy that report into the committed results/small-scale/
#   make fuzz    run every fuzz target for FUZZ_SECONDS (default 60)
BUILD_DIRS := competition servers client client/tsung suite
SANITIZED_DIRS := competition servers client

all:
	@for d in $(BUILD_DIRS); do $(MAKE) -C $$d || exit 1; done

sanitized:
	@for d in $(SANITIZED_DIRS); do $(MAKE) -C $$d SANITIZE=1 || exit 1; done

test:
	./install
	$(MAKE) all
	$(MAKE) sanitized
	$(MAKE) -C tests
	tests/run

suite:
	./install
	$(MAKE) all
	./runsuite --supervise ini/small-scale.ini

# A deliberate step: the report of the last `make suite` into results/, to commit.
publish:
	./publish small-scale

fuzz:
	$(MAKE) -C tests fuzz

clean:
	@for d in $(BUILD_DIRS) tests; do $(MAKE) -C $$d clean || exit 1; done

.PHONY: all sanitized test suite publish fuzz clean
