# tcpdp-top - GNU make.
#
#   make            build ./tcpdp-top
#   make run        build and replay the bundled capture
#   make check      build with ASan+UBSan and -Werror, run every test
#   make bench      benchmarks (ratios against baselines in the same run)
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show commands; SANITIZE=1 ASan+UBSan build (build/san)

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/tcpdp-top
DESTDIR	?=
CC	?= cc
SANITIZE ?= 0
WERROR	?= 0

PKGS	:= libpcap libevent ncursesw inih libcjson zlib

ifeq ($(V),1)
Q :=
else
Q := @
endif

ifeq ($(SANITIZE),1)
B	:= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B	:= build/rel
SANFLAGS :=
endif

MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))

WARN	:= -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wvla \
	   -Wundef -Wwrite-strings -Wnull-dereference
ifeq ($(WERROR),1)
WARN	+= -Werror
endif

PKG_CFLAGS := $(if $(MISSING),,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   := $(if $(MISSING),,$(shell pkg-config --libs $(PKGS)))

CFLAGS	?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(SANFLAGS) \
	      -Isrc -Iui $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS	:= $(PKG_LIBS) -lm

LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*.c))
UI_SRCS   := $(wildcard ui/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)

LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
UI_OBJS   := $(UI_SRCS:%.c=$(B)/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(B)/%.o)

BIN	  := tcpdp-top
LIBA	  := $(B)/libtcpdp.a

.PHONY: all run check test unit golden-update bench install uninstall clean \
	deps deps-check fuzz

all: deps-check $(BIN)

deps-check:
ifneq ($(MISSING),)
	@echo "tcpdp-top: missing development packages (pkg-config): $(MISSING)" >&2
	@echo "tcpdp-top: run 'make deps' (Debian/Ubuntu, as root) or install them by hand" >&2
	@exit 1
endif

deps:
	@sh contrib/install-deps.sh

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/$(BIN): $(B)/src/main.o $(UI_OBJS) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(B)/src/main.o $(UI_OBJS) $(LIBA) $(LIBS)

$(BIN): $(B)/$(BIN)
	$(Q)cp $< $@

$(B)/unit-tests: $(UNIT_OBJS) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(LIBA) $(LIBS)

# Drives the log modules for tests/integration/logs-*.sh.
$(B)/logs-driver: $(B)/tests/drivers/logs-driver.o $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

unit: deps-check $(B)/unit-tests
	$(B)/unit-tests

# make check installs what is missing first, then builds the sanitized
# binary and the unit tests with -Werror and runs the whole suite.
check:
	@if [ -n "$(MISSING)" ] || ! sh contrib/install-deps.sh --check >/dev/null 2>&1; then \
		sh contrib/install-deps.sh --test; fi
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 WERROR=1 build/san/tcpdp-top build/san/unit-tests build/san/logs-driver
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)TCPDP_BIN=$(CURDIR)/build/san/tcpdp-top TCPDP_UNIT=$(CURDIR)/build/san/unit-tests \
		TCPDP_FUZZ_DIR=$(CURDIR)/build/fuzz sh tests/run.sh

test: check

golden-update: $(BIN)
	$(Q)TCPDP_BIN=$(CURDIR)/tcpdp-top sh tests/golden/run.sh --update

# libFuzzer targets: clang only; skipped with a message when clang lacks
# the fuzzer runtime.
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

fuzz-build:
	@if [ -n "$(FUZZ_SRCS)" ] && command -v clang >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(FUZZ_BINS); \
	else echo "  FUZZ    skipped (no clang or no targets)"; fi

build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(wildcard src/*.h)
	@mkdir -p build/fuzz
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -lm

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do echo "== $$f"; mkdir -p build/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$${FUZZ_SECONDS:-120} build/fuzz/corpus-$$(basename $$f) tests/fuzz/corpus/$$(basename $$f) 2>&1 | tail -3; done

# Installs the build dependencies first when pkg-config misses any.
run:
	@if [ -n "$(MISSING)" ]; then sh contrib/install-deps.sh; fi
	$(Q)$(MAKE) --no-print-directory all
	./$(BIN) read -t 33306 -d mysql -f console contrib/samples/demo.pcap

bench: all $(B)/bench-encode $(B)/logs-driver
	$(Q)sh tests/bench/run.sh

$(B)/bench-encode: $(B)/tests/bench/encode.o $(LIBA)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/$(BIN)
	ln -sf $(BIN) $(DESTDIR)$(BINDIR)/tcpdp
	install -m 0644 man/tcpdp-top.8 $(DESTDIR)$(MANDIR)/man8/tcpdp-top.8
	install -d $(DESTDIR)$(SHAREDIR)
	install -m 0755 contrib/rotate-hook.sh $(DESTDIR)$(SHAREDIR)/rotate-hook.sh
	install -m 0644 contrib/tcpdp-top.toml contrib/systemd/tcpdp-top@.service \
		contrib/systemd/tcpdp-top-hardened@.service $(DESTDIR)$(SHAREDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(BIN) $(DESTDIR)$(BINDIR)/tcpdp \
		$(DESTDIR)$(MANDIR)/man8/tcpdp-top.8
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf build $(BIN)

-include $(LIB_OBJS:.o=.d) $(UI_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(B)/src/main.d $(B)/tests/bench/encode.d \
	$(B)/tests/drivers/logs-driver.d
