# evtrigger: one entry point for building, testing, installing, the demo and
# the benchmarks.
#
#   make                 build everything into build/
#   make check           install missing test packages, build with ASan+UBSan
#                        into build-san/, run unit and scenario tests
#   make demo            install what the demo needs, run it
#   make bench           run bench/ and print the figures
#   make install         PREFIX=/usr/local DESTDIR= (the usual)
#
# Sources are found by directory, so a new file needs no Makefile edit:
#   lib/*.c              -> build/libevt.a (shared by every program)
#   evcreate/*.c         -> build/evcreate   (evcreate/main.c has main())
#   evtrigger/**/*.c     -> build/evtrigger  (evtrigger/main.c has main())
#   actions/*.c          -> build/actions/NAME.so, one module per file
#   actions/util/*.c     -> linked into every module
#   tests/unit/test_*.c  -> build/tests/test_*, Check suites

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
ACTIONDIR  ?= $(LIBDIR)/evtrigger/actions
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/evtrigger
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/evtrigger
DESTDIR    ?=

BUILD    ?= build
SANITIZE ?= 0

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = libsystemd libarchive inih libvirt libxml-2.0 openssl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

WARNINGS = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	   -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	   -Wno-unused-parameter -Wno-missing-field-initializers
VERSION = 0.1
DEFS = -D_GNU_SOURCE -DEVT_VERSION='"$(VERSION)"' \
       -DEVT_ACTIONDIR='"$(ACTIONDIR)"' \
       -DEVT_SYSCONFDIR='"$(SYSCONFDIR)"' \
       -DEVT_STATEDIR='"$(STATEDIR)"'
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer
endif
ALL_CFLAGS  = $(WARNINGS) $(CFLAGS) $(SANFLAGS) -fPIC $(DEFS) -Ilib -Iactions -Ievtrigger \
	      $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC    := $(sort $(wildcard lib/*.c))
EVC_SRC    := $(sort $(filter-out evcreate/main.c,$(wildcard evcreate/*.c)))
EVT_SRC    := $(sort $(filter-out evtrigger/main.c,$(shell find evtrigger -name '*.c')))
ACT_SRC    := $(sort $(wildcard actions/*.c))
ACTUTIL_SRC:= $(sort $(wildcard actions/util/*.c))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBEVT   = $(BUILD)/libevt.a
LIBEVC   = $(BUILD)/libevcreate.a
LIBEVTR  = $(BUILD)/libevtrigger.a
LIBACT   = $(BUILD)/libactutil.a
PROGS    = $(patsubst %/main.c,$(BUILD)/%,$(wildcard evcreate/main.c evtrigger/main.c))
MODULES  = $(patsubst actions/%.c,$(BUILD)/actions/%.so,$(ACT_SRC))
TESTS    = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TOOLS    = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
GENERATED = $(BUILD)/evtrigger.catalog

.PHONY: all check check-unit check-scenario build-check deps deps-test demo \
	bench install uninstall clean lint
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROGS) $(MODULES) $(TOOLS) $(GENERATED)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(LIBEVT): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBEVC): $(call obj,$(EVC_SRC)) $(BUILD)/obj/.empty.o
	rm -f $@ && ar rcs $@ $^
$(LIBEVTR): $(call obj,$(EVT_SRC)) $(BUILD)/obj/.empty.o
	rm -f $@ && ar rcs $@ $^
$(LIBACT): $(call obj,$(ACTUTIL_SRC)) $(BUILD)/obj/.empty.o
	rm -f $@ && ar rcs $@ $^
$(BUILD)/obj/.empty.o:
	@mkdir -p $(dir $@)
	echo 'typedef int evt_empty_unit;' | $(CC) $(ALL_CFLAGS) -x c -c -o $@ -

$(BUILD)/evcreate: $(BUILD)/obj/evcreate/main.o $(LIBEVC) $(LIBEVT)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/evtrigger: $(BUILD)/obj/evtrigger/main.o $(LIBEVTR) $(LIBEVT)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -ldl
$(BUILD)/actions/%.so: $(BUILD)/obj/actions/%.o $(LIBACT) $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(PKG_LIBS)
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBEVTR) $(LIBEVC) $(LIBACT) $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS) -ldl
$(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += $(CHECK_CFLAGS)
$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The journal message catalog is generated from the one table of event IDs.
$(BUILD)/gen-catalog: $(BUILD)/obj/tools/gen-catalog.o $(LIBEVT)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/evtrigger.catalog: $(BUILD)/gen-catalog
	$(BUILD)/gen-catalog > $@

# --- tests -------------------------------------------------------------------
# make check: install missing packages, then build with sanitizers and run all.
check:
	tools/deps.sh test
	$(MAKE) all BUILD=build
	$(MAKE) build-check BUILD=build-san SANITIZE=1

build-check: all $(TESTS)
	tests/run-all.sh $(BUILD)

check-unit: all $(TESTS)
	tests/run-all.sh $(BUILD) unit

check-scenario: all $(TESTS)
	tests/run-all.sh $(BUILD) scenario

# --- demo and benchmarks -----------------------------------------------------
demo:
	tools/deps.sh demo
	$(MAKE) all
	tools/demo.sh $(BUILD)

bench:
	tools/deps.sh bench
	$(MAKE) all
	bench/run.sh $(BUILD)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Ilib -Iactions -Ievtrigger lib evcreate evtrigger actions

# --- install -------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(ACTIONDIR) \
		$(DESTDIR)$(INCLUDEDIR)/evtrigger $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/rules.d $(DESTDIR)$(CATALOGDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/evtrigger/rules.d
	install -m 0755 $(BUILD)/evcreate $(DESTDIR)$(BINDIR)/evcreate
	install -m 0755 $(BUILD)/evtrigger $(DESTDIR)$(SBINDIR)/evtrigger
	for m in $(MODULES); do install -m 0755 $$m $(DESTDIR)$(ACTIONDIR)/; done
	install -m 0644 actions/evtrigger-action.h lib/evt-ids.h \
		$(DESTDIR)$(INCLUDEDIR)/evtrigger/
	for f in man/*.1; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man1/; done; true
	for f in man/*.5; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man5/; done; true
	for f in man/*.8; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man8/; done; true
	for f in rules.d/*.rule; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(DOCDIR)/rules.d/; done; true
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@ACTIONDIR@|$(ACTIONDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    tools/evtrigger-action.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/evtrigger-action.pc
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(BUILD)/evtrigger.catalog $(DESTDIR)$(CATALOGDIR)/
	for f in systemd/*.service; do [ -e "$$f" ] && sed 's|@SBINDIR@|$(SBINDIR)|g' $$f > $(DESTDIR)$(UNITDIR)/$$(basename $$f); done; true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/evcreate $(DESTDIR)$(SBINDIR)/evtrigger
	rm -rf $(DESTDIR)$(ACTIONDIR) $(DESTDIR)$(INCLUDEDIR)/evtrigger $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(CATALOGDIR)/evtrigger.catalog \
		$(DESTDIR)$(LIBDIR)/pkgconfig/evtrigger-action.pc

clean:
	rm -rf build build-san
