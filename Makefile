# evtrigger: one entry point for building, testing, installing, the demo and
# the benchmarks.
#
#   make                 build everything into build/
#   make check           install missing test (and bench) packages, build with ASan+UBSan
#                        into build-san/, run unit and scenario tests and a
#                        smoke run of every benchmark
#   make demo            install what the demo needs, run it
#   make bench           run bench/ and print the figures
#   make bench-smoke     every benchmark at tiny sizes, in seconds
#   make fuzz            build the libFuzzer harnesses (tests/fuzz/README)
#   make install         PREFIX=/usr/local DESTDIR= (the usual)
#   make uninstall       removes what install put there (same variables)
#
# Sources are found by directory, so a new file needs no Makefile edit:
#   lib/*.c              -> build/libevt.a (shared by every program)
#   DIR/main.c           makes DIR a program: every .c under DIR (any depth)
#                        -> build/PROGRAM, PROGRAM being DIR except where
#                        PROGRAM_DIR says otherwise (listen -> evtrigger-listen)
#   actions/*.c          -> build/actions/NAME.so, one module per file
#   actions/util/*.c     -> linked into every module
#   tests/unit/test_*.c  -> build/tests/test_*, Check suites
# Each binary links only the libraries it calls: PKGS_DIR for a program,
# PKGS_MODULE (and PKGS_MODULE_NAME) for modules.

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
pkg_cflags = $(if $(strip $(1)),$(shell pkg-config --cflags $(1)))
pkg_libs   = $(if $(strip $(1)),$(shell pkg-config --libs $(1)))

# What each binary calls, and nothing more (SHA-256 needs libcrypto only;
# libssl comes with TLS, not before).
PKGS_evcreate  = libssl libcrypto
PKGS_evtrigger = libsystemd inih libcrypto
LIBS_evtrigger = -ldl
PKGS_listen    = libsystemd libvirt libxml-2.0 libssl libcrypto
PKGS_bus       = libsystemd libvirt libnats inih
PKGS_MODULE    = libvirt libxml-2.0
PKGS_MODULE_archive = libarchive libcrypto
PKGS_MODULE_restore = libarchive libcrypto
PKGS_TOOLS     = libsystemd
ALL_PKGS = libsystemd inih libcrypto libvirt libxml-2.0 libarchive libnats
PKG_CFLAGS = $(call pkg_cflags,$(ALL_PKGS))
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

# Program folders whose binary is named otherwise than the folder.
PROGRAM_listen = evtrigger-listen
PROGRAM_bus    = evtrigger-bus

WARNINGS = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	   -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	   -Wno-unused-parameter -Wno-missing-field-initializers
VERSION = 0.1
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer
endif
CONFIG_H = $(BUILD)/config.h
# Hidden by default: a module exports only what evtrigger-action.h marks
# (its entry point); -iquote so that lib/time.h never stands in for <time.h>.
ALL_CFLAGS  = $(WARNINGS) $(CFLAGS) $(SANFLAGS) -fPIC -fvisibility=hidden \
	      -D_GNU_SOURCE -include $(CONFIG_H) -iquote lib -iquote actions \
	      -iquote evtrigger \
	      $(PKG_CFLAGS)
# Only the libraries a binary calls end up in its DT_NEEDED, whatever the
# distribution's default (the sanitizer build links the same way).
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -Wl,--as-needed
# A module must name every library it calls (-z defs), so that --as-needed
# cannot leave one out; not under the sanitizers, whose runtime only the
# executable carries.
ifneq ($(SANITIZE),1)
MODULE_LDFLAGS = -Wl,-z,defs
endif
ifeq ($(SANITIZE),1)
# ASan intercepts the XDR functions (once part of glibc) and looks up the real
# ones when the program starts: libtirpc coming later, with the libvirt of a
# module evtrigger dlopen()s, would leave the interceptors calling NULL. So
# the sanitized evtrigger has it from the start (the normal build does not).
# The modules' libraries too: dlopen()ed together (evtrigger check of a rules
# directory loads every module), their TLS made LeakSanitizer's tracer crash
# at exit ("Tracer caught signal 11", DTLS), failing rules_examples_pass_check.
LIBS_evtrigger += -Wl,--no-as-needed \
	$(call pkg_libs,libtirpc $(PKGS_MODULE) $(PKGS_MODULE_archive)) \
	-Wl,--as-needed
endif

# --- sources -------------------------------------------------------------------
NOT_PROGRAMS := lib actions tests tools bench
PROG_DIRS  := $(sort $(filter-out $(NOT_PROGRAMS),\
		$(patsubst %/main.c,%,$(wildcard */main.c))))
prog_name   = $(or $(PROGRAM_$(1)),$(1))
prog_src    = $(sort $(shell find $(1) -name '*.c' ! -path $(1)/main.c))

LIB_SRC    := $(sort $(wildcard lib/*.c))
ACT_SRC    := $(sort $(wildcard actions/*.c))
ACTUTIL_SRC:= $(sort $(shell find actions/util -name '*.c'))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBEVT   = $(BUILD)/libevt.a
LIBACT   = $(BUILD)/libactutil.a
PROGS    = $(foreach d,$(PROG_DIRS),$(BUILD)/$(call prog_name,$(d)))
PROG_LIBS= $(foreach d,$(PROG_DIRS),$(BUILD)/lib$(d).a)
MODULES  = $(patsubst actions/%.c,$(BUILD)/actions/%.so,$(ACT_SRC))
TESTS    = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TOOLS    = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
GENERATED = $(BUILD)/evtrigger.catalog

MAN1  := $(wildcard man/*.1)
MAN5  := $(wildcard man/*.5)
MAN8  := $(wildcard man/*.8)
RULES := $(wildcard rules.d/*.rule)
UNITS := $(wildcard systemd/*.service)
HEADERS = actions/evtrigger-action.h lib/evt-ids.h lib/evt-fields.h

.PHONY: all check check-unit check-scenario build-check deps deps-test demo \
	bench bench-smoke fuzz install uninstall clean lint FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROGS) $(MODULES) $(TOOLS) $(GENERATED)

# --- the configuration header ----------------------------------------------------
# Paths compiled into the programs (and the build flavour). Rewritten only
# when a value changes, so that `make` then `make install PREFIX=/usr`
# rebuilds what uses them instead of installing binaries that look under the
# old prefix. Every object depends on it (it is -include'd).
$(CONFIG_H): FORCE
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by make from its variables; do not edit. */'; \
	  echo '#define EVT_VERSION "$(VERSION)"'; \
	  echo '#define EVT_PREFIX "$(PREFIX)"'; \
	  echo '#define EVT_LIBDIR "$(LIBDIR)"'; \
	  echo '#define EVT_ACTIONDIR "$(ACTIONDIR)"'; \
	  echo '#define EVT_SYSCONFDIR "$(SYSCONFDIR)"'; \
	  echo '#define EVT_STATEDIR "$(STATEDIR)"'; \
	  echo '/* The build flavour: a change rebuilds everything. */'; \
	  echo '#define EVT_SANITIZE $(SANITIZE)'; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; \
	 else mv -f $@.tmp $@ && echo "config: $@ (PREFIX=$(PREFIX))"; fi

# --- compiling and linking -------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(LIBEVT): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBACT): $(call obj,$(ACTUTIL_SRC)) $(BUILD)/obj/.empty.o
	rm -f $@ && ar rcs $@ $^
$(BUILD)/obj/.empty.o: $(CONFIG_H)
	@mkdir -p $(dir $@)
	echo 'typedef int evt_empty_unit;' | $(CC) $(ALL_CFLAGS) -x c -c -o $@ -

# One program per folder with a main.c: DIR/main.c + lib DIR.a + libevt.a.
define PROGRAM_RULES
$(BUILD)/lib$(1).a: $(call obj,$(call prog_src,$(1))) $(BUILD)/obj/.empty.o
	rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/$(call prog_name,$(1)): $(BUILD)/obj/$(1)/main.o $(BUILD)/lib$(1).a $(LIBEVT)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(call pkg_libs,$$(PKGS_$(1))) $$(LIBS_$(1))
endef
$(foreach d,$(PROG_DIRS),$(eval $(call PROGRAM_RULES,$(d))))

$(BUILD)/actions/%.so: $(BUILD)/obj/actions/%.o $(LIBACT) $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared $(MODULE_LDFLAGS) -o $@ $^ \
		$(call pkg_libs,$(PKGS_MODULE) $(PKGS_MODULE_$*))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(PROG_LIBS) $(LIBACT) $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(call pkg_libs,$(ALL_PKGS)) -ldl
$(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += $(CHECK_CFLAGS)
$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBEVT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_TOOLS))

# The journal message catalog is generated from the one table of event IDs.
$(BUILD)/gen-catalog: $(BUILD)/obj/tools/gen-catalog.o $(LIBEVT)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(BUILD)/evtrigger.catalog: $(BUILD)/gen-catalog
	$(BUILD)/gen-catalog > $@

# --- tests -------------------------------------------------------------------
# make check: install missing packages, then build with sanitizers and run all,
# the benchmarks' smoke run included.
check:
	tools/deps.sh bench
	$(MAKE) all BUILD=build
	$(MAKE) build-check BUILD=build-san SANITIZE=1
	$(MAKE) bench-smoke BUILD=build

build-check: all $(TESTS) guest-tools
	tests/run-all.sh $(BUILD)

check-unit: all $(TESTS)
	tests/run-all.sh $(BUILD) unit

check-scenario: all $(TESTS) guest-tools
	tests/run-all.sh $(BUILD) scenario

# --- guest tools ---------------------------------------------------------------
# make guest-tools: $(BUILD)/guest/evcreate for VM guests (evcreate --channel),
# linked statically against glibc so that a minimal guest can run it: no
# shared library at run time. evcreate speaks journald's native protocol and
# syslog itself, so nothing of libsystemd (or any other library) is linked;
# only the objects of lib/ it calls are pulled from the archive. Built without
# sanitizers whatever SANITIZE says (they do not link statically). The test bed
# (tests/lib/vm.sh) puts it into its guests as /bin/evcreate.
GUEST_OBJ    = $(BUILD)/guest/obj
GUEST_CFLAGS = $(WARNINGS) $(CFLAGS) -D_GNU_SOURCE -DEVC_TLS=0 -include $(CONFIG_H) \
	       -iquote lib -iquote actions -ffunction-sections -fdata-sections
GUEST_EVC    = $(patsubst %.c,$(GUEST_OBJ)/%.o,$(shell find evcreate -name '*.c' | sort))
GUEST_LIB    = $(patsubst %.c,$(GUEST_OBJ)/%.o,$(shell find lib -name '*.c' | sort))

.PHONY: guest-tools
guest-tools: $(BUILD)/guest/evcreate

$(GUEST_OBJ)/%.o: %.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<
-include $(shell find $(GUEST_OBJ) -name '*.d' 2>/dev/null)
$(BUILD)/guest/libevt.a: $(GUEST_LIB)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/guest/evcreate: $(GUEST_EVC) $(BUILD)/guest/libevt.a
	$(CC) $(LDFLAGS) -static -Wl,--gc-sections -o $@.tmp $^
	@# static: no program interpreter, no needed libraries, not for ldd
	! readelf -lW $@.tmp | grep -q 'program interpreter'
	! readelf -dW $@.tmp | grep -q NEEDED
	! ldd $@.tmp >/dev/null 2>&1
	mv -f $@.tmp $@

# --- demo and benchmarks -----------------------------------------------------
demo:
	tools/deps.sh demo
	$(MAKE) all guest-tools
	tools/demo.sh $(BUILD)

bench:
	tools/deps.sh bench
	$(MAKE) all
	bench/run.sh $(BUILD)

# Every benchmark at tiny sizes: proves they still run and measure something,
# in seconds; the figures mean nothing.
bench-smoke: all
	bench/run.sh --smoke $(BUILD)

# The libFuzzer harnesses of tests/fuzz/ (see its README to run them), each
# linked with lib/ (and so libsystemd) and the qemu-img JSON reader, the
# listener's with the listener parts they drive. Needs clang (tools/deps.sh fuzz).
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -g -O1 -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=undefined -D_GNU_SOURCE -std=gnu11 \
	      -include $(CONFIG_H) -iquote lib -iquote actions
FUZZ_LINKED = $(LIB_SRC) actions/util/jsonv.c actions/util/qemuimg.c
FUZZ_LISTEN = listen/channel.c listen/wire.c listen/ratelimit.c
FUZZERS     = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
		$(wildcard tests/fuzz/fuzz_*.c))
fuzz: $(FUZZERS)
$(BUILD)/fuzz/fuzz_listen_%: FUZZ_EXTRA = $(FUZZ_LISTEN)
$(BUILD)/fuzz/fuzz_senders: FUZZ_EXTRA = listen/senders.c -lcrypto
$(BUILD)/fuzz/fuzz_bus_%: FUZZ_EXTRA = bus/native.c
$(BUILD)/fuzz/fuzz_listen_net: tests/fuzz/fuzz_listen_stream.c
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LINKED) $(FUZZ_LISTEN) listen/senders.c bus/native.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LINKED) $(FUZZ_EXTRA) -lsystemd

lint: $(CONFIG_H)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Ilib -Iactions -Ievtrigger \
		--include=$(CONFIG_H) $(PROG_DIRS) lib actions

# --- install -------------------------------------------------------------------
# Every step fails the install if it fails; uninstall removes exactly these.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(ACTIONDIR) \
		$(DESTDIR)$(INCLUDEDIR)/evtrigger $(DESTDIR)$(DOCDIR)/rules.d \
		$(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(SYSCONFDIR)/evtrigger/rules.d
	install -m 0755 $(BUILD)/evcreate $(DESTDIR)$(BINDIR)/evcreate
	install -m 0755 $(filter-out $(BUILD)/evcreate,$(PROGS)) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(MODULES) $(DESTDIR)$(ACTIONDIR)/
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/evtrigger/
	$(if $(MAN1),install -d $(DESTDIR)$(MANDIR)/man1 && install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -d $(DESTDIR)$(MANDIR)/man8 && install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(RULES),install -m 0644 $(RULES) $(DESTDIR)$(DOCDIR)/rules.d/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@ACTIONDIR@|$(ACTIONDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    tools/evtrigger-action.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/evtrigger-action.pc
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(BUILD)/evtrigger.catalog $(DESTDIR)$(CATALOGDIR)/
	set -e; for f in $(UNITS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' $$f > $(DESTDIR)$(UNITDIR)/$${f##*/}; \
	done

# Leaves the configuration directory if it holds rules of the admin's.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/evcreate \
		$(patsubst $(BUILD)/%,$(DESTDIR)$(SBINDIR)/%,$(filter-out $(BUILD)/evcreate,$(PROGS))) \
		$(patsubst $(BUILD)/actions/%,$(DESTDIR)$(ACTIONDIR)/%,$(MODULES)) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/evtrigger/,$(notdir $(HEADERS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/rules.d/,$(notdir $(RULES))) \
		$(DESTDIR)$(DOCDIR)/README.md \
		$(DESTDIR)$(LIBDIR)/pkgconfig/evtrigger-action.pc \
		$(DESTDIR)$(CATALOGDIR)/evtrigger.catalog \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	set -e; for d in $(DESTDIR)$(ACTIONDIR) $(DESTDIR)$(LIBDIR)/evtrigger \
		$(DESTDIR)$(INCLUDEDIR)/evtrigger $(DESTDIR)$(DOCDIR)/rules.d \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/evtrigger/rules.d \
		$(DESTDIR)$(SYSCONFDIR)/evtrigger; do \
		if [ -d "$$d" ]; then rmdir --ignore-fail-on-non-empty "$$d"; fi; \
	done

clean:
	rm -rf build build-san
