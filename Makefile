# SPDX-License-Identifier: MIT
# bert: plain Makefile with pkg-config (the libserialport examples/Makefile way).
#
#   make            library and programs under build/
#   make check      every test (unit suites, CLI tests); SAN=1 adds ASan+UBSan
#   make bench      benchmarks, one JSON line per figure
#   make fuzz       bounded libFuzzer runs (clang)
#   make faults     the storage and kill -9 fault tests at full size
#   make soak       bertd through a virtual factory week (SOAK_MODULES=10000)
#   make demo       the main job on the virtual bench
#   make install    PREFIX=/usr/local DESTDIR=
#
# `make check`, `make bench` and `make demo` first make sure the Debian packages
# the tests need are there (.ci/deps installs them as root), so two commands set
# up a fresh Debian machine.  `make` and `make install` never install anything:
# they only check, through pkg-config, for the libraries the build links and
# name what is missing, so they work on any distribution.  The real work runs
# in a sub-make so pkg-config sees freshly installed files.

PKG_CONFIG ?= pkg-config
# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif
PREFIX     ?= /usr/local
DESTDIR    ?=

# `make check JITTER=1`: every emulated bus (sim: and tests/i2cdev) adds a
# seeded round-trip latency to each transfer (fixtures/i2c_sim.c).
ifeq ($(JITTER),1)
export BERT_SIM_JITTER := 1
endif
ifeq ($(SAN),1)
BUILD      ?= build/san
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD      ?= build
SANFLAGS   :=
endif

PKGS       := libftdi1 libusb-1.0 libserialport sqlite3 jansson inih libpq libmicrohttpd
WARN       := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
              -Wwrite-strings -Werror
CFLAGS     ?= -O2 -g
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DBERT_DATADIR='"$(PREFIX)/share/bert"' $(WARN) $(CFLAGS) $(SANFLAGS) -I. -MMD -MP \
              $(shell $(PKG_CONFIG) --cflags $(PKGS))
LIBS        = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -lpthread
CHECK_LIBS  = $(shell $(PKG_CONFIG) --libs check)
REF_LIBS    = -lfec -lliquid

# Every .c in these folders is part of libbert.a: adding a file needs no edit here.
LIB_DIRS   := bert/core bert/signal bert/qual bert/store bert/report bert/daemon \
              fixtures fixtures/cmis fixtures/sim instruments instruments/models \
              instruments/sim
LIB_SRCS   := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB        := $(BUILD)/libbert.a

# cli/<prog>.c is a program; cli/<prog>_*.c are its pieces; cli/common*.c shared.
PROGS      := bert bert-sim bertd
CLI_COMMON := $(wildcard cli/common*.c)
define prog_srcs
cli/$(1).c $(wildcard cli/$(1)_*.c) $(CLI_COMMON)
endef
PROG_BINS  := $(PROGS:%=$(BUILD)/%)

# Unit tests: one Check runner; tests/unit/test_<area>.c defines suite_<area>().
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_OBJS  := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BIN   := $(BUILD)/tests/unit_tests
SUITES_INC := $(BUILD)/tests/suites.inc
CLI_TESTS  := $(sort $(wildcard tests/cli/test_*.sh))

# The libserialport path under umockdev: a test program and the LD_PRELOAD
# shim that answers the modem-bit ioctls a pty rejects (listed before
# umockdev's preload library).
UMOCK_SHIM := $(BUILD)/tests/tiocm_shim.so
UMOCK_BIN  := $(BUILD)/tests/umockdev_serial
UMOCK_PKG  := umockdev-1.0
# The storage fault tests: an LD_PRELOAD shim that tears the Nth write.
KILL_SHIM  := $(BUILD)/tests/kill_shim.so
# A USBTMC instrument at the usbdevfs level under umockdev (tests/usbdev/):
# usbtmc_host runs a command (bert, bertd, usbtmc_client) with the device
# plugged in; usbtmc_client is bert's transport and a rule-breaking libusb host.
USBTMC_SRCS := tests/usbdev/usbdev.c tests/usbdev/usbtmc_dev.c tests/usbdev/usbtmc_host.c
USBTMC_HOST := $(BUILD)/tests/usbtmc_host
USBTMC_CLIENT := $(BUILD)/tests/usbtmc_client
# The FTDI adapters at the usbdevfs level (tests/usbdev/ft232h_*): the
# runner the CLI tests start bert under.
FT232H_SRCS := tests/usbdev/ft232h_dev.c
# the step runner ft232h_run and i2cdev_run share
STEP_RUN_SRCS := tests/usbdev/step_run.c
FT232H_RUN  := $(BUILD)/tests/ft232h_run
FT232H_SHIM := $(BUILD)/tests/ft232h_clock_shim.so
FT232H_TEST := $(BUILD)/tests/ft232h_usb
# A Linux I2C adapter at the i2c-dev level (tests/i2cdev/i2cdev_*): the
# runner the CLI tests start bert under (with the clock shim above).
I2CDEV_SRCS := tests/i2cdev/i2cdev_dev.c
I2CDEV_RUN  := $(BUILD)/tests/i2cdev_run
I2CDEV_PROBE := $(BUILD)/tests/i2cdev_probe

BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TIME  ?= 20
# e.g. FUZZ_FLAGS=-runs=1000000: stop a harness at a number of executions
FUZZ_FLAGS ?=

# Plain `make` builds; it neither tests nor installs packages.
.DEFAULT_GOAL := all

.PHONY: all check bench fuzz faults soak demo install deps need clean \
        _all _check _bench _fuzz _faults _soak _demo _install

check bench demo faults soak: deps
	@$(MAKE) --no-print-directory _$@

all install: need
	@$(MAKE) --no-print-directory _$@

# Build prerequisites only: report every missing pkg-config module at once.
need:
	@missing=""; \
	command -v $(PKG_CONFIG) >/dev/null 2>&1 || { \
		echo "bert: $(PKG_CONFIG) not found; install pkg-config (Debian: pkg-config)" >&2; exit 2; }; \
	for m in $(PKGS); do $(PKG_CONFIG) --exists $$m || missing="$$missing $$m"; done; \
	if [ -n "$$missing" ]; then \
		echo "bert: missing libraries (pkg-config modules):$$missing" >&2; \
		echo "bert: on Debian 12, 'make deps' as root installs them" >&2; exit 2; fi

fuzz:
	@.ci/deps fuzz
	@$(MAKE) --no-print-directory _fuzz

deps:
	@.ci/deps

_all: $(LIB) $(PROG_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

define prog_rule
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(call prog_srcs,$(1))) $(LIB)
	@mkdir -p $$(@D)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# bertd serves the operator page (cli/web/) from memory: its files become a
# generated C table.
WEB_FILES  := cli/web/index.html $(filter-out cli/web/index.html,$(wildcard cli/web/*.js cli/web/*.css))
WEB_SRC    := $(BUILD)/gen/bertd_web_assets.c
$(WEB_SRC): $(WEB_FILES) cli/web/embed.sh
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)sh cli/web/embed.sh $(WEB_FILES) >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/bertd_web_assets.o: $(WEB_SRC)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@
$(BUILD)/bertd: $(BUILD)/obj/gen/bertd_web_assets.o

# The suite list is generated from the file names: test_foo.c -> suite_foo().
$(SUITES_INC): $(UNIT_SRCS)
	@mkdir -p $(@D)
	@for f in $(filter tests/unit/test_%.c,$(UNIT_SRCS)); do \
		n=$${f#tests/unit/test_}; echo "BERT_SUITE($${n%.c})"; done > $@.tmp
	@mv $@.tmp $@

$(UNIT_OBJS): $(SUITES_INC)
$(UNIT_OBJS): ALL_CFLAGS += -I$(BUILD)/tests

$(UNIT_BIN): $(UNIT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS) $(REF_LIBS)

$(UMOCK_SHIM): tests/umockdev/tiocm_shim.c
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -fPIC -O2 $(WARN) -o $@ $< -ldl

$(KILL_SHIM): tests/faults/kill_shim.c
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -fPIC -O2 $(WARN) -o $@ $< -ldl

$(UMOCK_BIN): tests/umockdev/test_serial_umockdev.c $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ $< $(LIB) \
		$(LIBS) $(CHECK_LIBS) $(shell $(PKG_CONFIG) --libs $(UMOCK_PKG))

$(USBTMC_HOST): $(USBTMC_SRCS) $(wildcard tests/usbdev/*.h)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ $(USBTMC_SRCS) \
		$(shell $(PKG_CONFIG) --libs $(UMOCK_PKG)) -lpthread

$(USBTMC_CLIENT): tests/usbdev/usbtmc_client.c $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS)

$(FT232H_RUN): tests/usbdev/ft232h_run.c $(FT232H_SRCS) $(STEP_RUN_SRCS) \
		tests/usbdev/ft232h_dev.h tests/usbdev/step_run.h $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ \
		tests/usbdev/ft232h_run.c $(FT232H_SRCS) $(STEP_RUN_SRCS) $(LIB) $(LIBS) \
		$(shell $(PKG_CONFIG) --libs $(UMOCK_PKG))

$(FT232H_SHIM): tests/usbdev/ft232h_clock_shim.c tests/usbdev/ft232h_clock.h
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -fPIC -O2 $(WARN) -I. -o $@ $< -ldl

$(I2CDEV_RUN): tests/i2cdev/i2cdev_run.c $(I2CDEV_SRCS) $(STEP_RUN_SRCS) \
		tests/i2cdev/i2cdev_dev.h tests/usbdev/step_run.h $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ \
		tests/i2cdev/i2cdev_run.c $(I2CDEV_SRCS) $(STEP_RUN_SRCS) $(LIB) $(LIBS) \
		$(shell $(PKG_CONFIG) --libs $(UMOCK_PKG))

$(I2CDEV_PROBE): tests/i2cdev/i2cdev_probe.c $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS)

$(FT232H_TEST): tests/usbdev/test_ft232h_usb.c $(FT232H_SRCS) tests/usbdev/ft232h_dev.h $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ $< \
		$(FT232H_SRCS) $(LIB) $(LIBS) $(CHECK_LIBS) $(shell $(PKG_CONFIG) --libs $(UMOCK_PKG))

_check: $(LIB) $(PROG_BINS) $(UNIT_BIN) $(UMOCK_SHIM) $(UMOCK_BIN) $(USBTMC_HOST) \
	$(USBTMC_CLIENT) $(FT232H_RUN) $(FT232H_SHIM) $(FT232H_TEST) $(KILL_SHIM) \
	$(I2CDEV_RUN) $(I2CDEV_PROBE)
	@sh tests/check_includes.sh
	@sh tests/check_layers.sh
	@sh tests/check_citations.sh
	BERT_TOP=$(CURDIR) BERT_BUILD=$(CURDIR)/$(BUILD) $(UNIT_BIN)
	@CC="$(CC)" SAN=$(SAN) sh tests/umockdev/run.sh $(UMOCK_SHIM) $(UMOCK_BIN)
	@timeout 120 $(FT232H_TEST)
	@BERT_TOP=$(CURDIR) BERT_BUILD=$(CURDIR)/$(BUILD) sh tests/cli/run.sh $(CLI_TESTS)

# The fault tests of make check at full size: 200 torn-write points under
# bert qualify, 100 kill -9 points of bertd.
FAULT_TESTS := tests/cli/test_storage.sh tests/cli/test_kill.sh tests/cli/test_hostile.sh
_faults: $(LIB) $(PROG_BINS) $(KILL_SHIM)
	@BERT_FAULT_POINTS=200 BERT_KILL_POINTS=100 BERT_HOSTILE_SEEDS="1 2 3 4 5 6 7 8" BERT_TOP=$(CURDIR) BERT_BUILD=$(CURDIR)/$(BUILD) \
		sh tests/cli/run.sh $(FAULT_TESTS)
	@grep -h '^torn writes\|^kill -9' $(FAULT_TESTS:tests/cli/%=$(BUILD)/%.log)

# The soak: one JSON line of figures; exit 1 when a run was lost or judged
# wrongly, or the daemon grew past its bounds.
SOAK_MODULES ?= 10000
SOAK_SEED    ?= 22
_soak: $(PROG_BINS)
	@mkdir -p $(BUILD)/soak && rm -rf $(BUILD)/soak/*
	@python3 tests/soak/soak.py $(BUILD)/bertd $(BUILD)/bert stations/station-8.ini \
		$(BUILD)/soak $(SOAK_MODULES) $(SOAK_SEED)
# bench_i2c also measures through libftdi1 and libusb against the emulated
# FT232H under umockdev.
$(BUILD)/bench/bench_i2c: tests/bench/bench_i2c.c $(FT232H_SRCS) tests/usbdev/ft232h_dev.h $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UMOCK_PKG)) -o $@ $< \
		$(FT232H_SRCS) $(LIB) $(LIBS) $(REF_LIBS) $(shell $(PKG_CONFIG) --libs $(UMOCK_PKG))

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS) $(REF_LIBS)

_bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do BERT_TOP=$(CURDIR) $$b || exit 1; done

# libFuzzer needs clang: the library is rebuilt once under build/fuzz with
# coverage instrumentation, then each harness links against it (and the CLI's
# shared renderers, so a harness can go from bytes to JSON).
FUZZ_BUILD := build/fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all
_fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
		CFLAGS="-g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libbert.a
	@for f in $(FUZZ_SRCS); do \
		n=$$(basename $$f .c); \
		echo "fuzz: $$n ($(FUZZ_TIME) s)"; \
		clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer $(FUZZ_SAN) \
			$(shell $(PKG_CONFIG) --cflags $(PKGS)) -o $(FUZZ_BUILD)/$$n $$f \
			$(CLI_COMMON) $(FUZZ_BUILD)/libbert.a $(LIBS) || exit 1; \
		mkdir -p $(FUZZ_BUILD)/corpus-$$n; \
		seeds=tests/fuzz/seeds/$$n; [ -d $$seeds ] || seeds=; \
		$(FUZZ_BUILD)/$$n -max_total_time=$(FUZZ_TIME) -max_len=8192 $(FUZZ_FLAGS) \
			$(FUZZ_BUILD)/corpus-$$n $$seeds >$(FUZZ_BUILD)/$$n.log 2>&1 \
			|| { tail -40 $(FUZZ_BUILD)/$$n.log; exit 1; }; \
		tail -1 $(FUZZ_BUILD)/$$n.log; \
	done

_demo: $(PROG_BINS)
	@BERT_BUILD=$(CURDIR)/$(BUILD) sh cli/demo.sh

_install: $(PROG_BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bert/profiles \
		$(DESTDIR)$(PREFIX)/share/bert/modules $(DESTDIR)$(PREFIX)/share/bert/boards
	install -m 0755 $(PROG_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 fixtures/sim/modules/*.ini $(DESTDIR)$(PREFIX)/share/bert/modules/
	install -m 0644 fixtures/boards/*.ini $(DESTDIR)$(PREFIX)/share/bert/boards/
	if ls profiles/*.ini >/dev/null 2>&1; then \
		install -m 0644 profiles/*.ini $(DESTDIR)$(PREFIX)/share/bert/profiles/; fi
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/share/bert/stations \
		$(DESTDIR)$(PREFIX)/share/doc/bert
	sed 's|@PREFIX@|$(PREFIX)|g' cli/bertd.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/bertd.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/bertd.service
	install -m 0644 stations/*.ini $(DESTDIR)$(PREFIX)/share/bert/stations/
	install -m 0644 cli/bertd.md $(DESTDIR)$(PREFIX)/share/doc/bert/

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
