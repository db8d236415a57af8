# knowd — one plain Makefile.
#   make            build knowd and knowctl into build/
#   make check      install missing deps, build with ASan+UBSan, run every test
#   make demo       install missing deps, build, run the demo (contrib/demo.sh)
#   make fuzz       build the libFuzzer targets (clang); make fuzz-run FUZZTIME=60
#   make bench      build and run the benchmarks under bench/
#   make install    PREFIX=/usr/local DESTDIR=
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
DESTDIR	?=

BUILD	?= build
CC	?= cc
PKGS	 = libgit2 libsodium libevent libevent_pthreads msgpack yaml-0.1 sqlite3 libcmark-gfm nettle zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) cmocka 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
	   -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wformat=2 \
	   -fno-strict-aliasing -MMD -MP $(INCS) $(PKG_CFLAGS)
LDLIBS	+= $(PKG_LIBS) -lstemmer -lpthread -lm
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS	+= $(SANFLAGS) -O1
LDFLAGS	+= $(SANFLAGS)
endif
ifneq ($(CI)$(WERROR),)
CFLAGS	+= -Werror
endif

# The floors, bottom up (doc/DESIGN.md): util, keys, protocol, then the
# daemon's rooms; each folder is on the include path, and tests/layering.sh
# checks that only a room's door header is included from outside it.
ROOMS	   := conf store search peer desk node net web control
INCS	   := -Iutil -Ikeys -Iprotocol $(ROOMS:%=-Idaemon/%) -Icli
LIB_SRC	   := $(wildcard util/*.c keys/*.c protocol/*.c)
DAEMON_SRC := $(foreach r,$(ROOMS),$(wildcard daemon/$(r)/*.c))
CLI_SRC	   := $(filter-out cli/knowctl.c,$(wildcard cli/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
TOOL_SRC   := $(wildcard tests/tools/*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC  := $(wildcard bench/*.c)

LIB_OBJ	   := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ	   := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB	   := $(BUILD)/libknow.a
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
SHIM_BIN   := $(BUILD)/tests/shim/libenospc.so
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
PO	   := $(wildcard po/*.po)
MO	   := $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/knowd.mo)

all: $(BUILD)/knowd $(BUILD)/knowctl $(MO)

# knowctl's messages (GNU gettext, domain knowd): one catalog a language,
# found next to the binary in the build tree (util/i18n.c). make pot
# regenerates po/knowd.pot from the sources, make po merges it into po/*.po.
$(BUILD)/util/i18n.o: CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'

$(BUILD)/locale/%/LC_MESSAGES/knowd.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

I18N_SRC   := $(sort $(LIB_SRC) $(CLI_SRC) cli/knowctl.c)
POT	   ?= po/knowd.pot
pot:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
		--package-name=knowd --msgid-bugs-address="the knowd issue tracker" --sort-by-file \
		--add-comments=TRANSLATORS: -o $(POT) $(I18N_SRC)

po: pot
	for f in $(PO); do msgmerge --quiet --update --backup=none $$f $(POT); done

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/knowd: $(BUILD)/daemon/knowd.o $(DAEMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/knowctl: $(BUILD)/cli/knowctl.o $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link the library, the daemon's modules (not its main) and cmocka.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(DAEMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

# Test tools (tests/tools/): programs the regression tests drive, linked like unit tests.
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(DAEMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The full-disk shim (LD_PRELOAD) is plain C, without sanitizers.
$(SHIM_BIN): tests/shim/enospc.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -shared -fPIC -o $@ $< -ldl

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(DAEMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@./contrib/install-deps.sh

# The whole suite under AddressSanitizer and UBSan, in its own build directory.
check: deps
	@$(MAKE) --no-print-directory SAN=1 BUILD=build/san test

test: all $(UNIT_BIN) $(TOOL_BIN) $(SHIM_BIN) $(BENCH_BIN)
	@BUILD=$(BUILD) ./tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=build ./contrib/demo.sh

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) ./bench/run.sh

# libFuzzer targets: clang, each compiled with the library sources it exercises.
FUZZ_CC	    ?= clang
FUZZ_FLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iutil -Iprotocol -Ikeys \
	       $(shell pkg-config --cflags libsodium msgpack yaml-0.1 2>/dev/null)
FUZZ_LIBS   := $(shell pkg-config --libs libsodium msgpack yaml-0.1 2>/dev/null)
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZTIME    ?= 60

fuzz: $(FUZZ_BIN)

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(wildcard util/*.h protocol/*.h keys/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(FUZZ_EXTRA) $(FUZZ_LIBS)

# The search words' target also needs the folding/stemming module.
build/fuzz/fuzz_search: daemon/search/search_text.c daemon/search/search.h
build/fuzz/fuzz_search: FUZZ_EXTRA = daemon/search/search_text.c -Idaemon/search -DSEARCH_CHECK_NEED \
	$(shell pkg-config --cflags libgit2 sqlite3 2>/dev/null) -lstemmer \
	$(shell pkg-config --libs sqlite3 2>/dev/null)

# The web view's header parsers (If-None-Match, HTTP dates, Accept-Language).
build/fuzz/fuzz_webfmt: daemon/web/web_fmt.c daemon/web/web_fmt.h
build/fuzz/fuzz_webfmt: FUZZ_EXTRA = daemon/web/web_fmt.c -Idaemon/web

# The desk's form bodies and cookies (urlencoded, Cookie).
build/fuzz/fuzz_form: daemon/web/web_form.c daemon/web/web_form.h
build/fuzz/fuzz_form: FUZZ_EXTRA = daemon/web/web_form.c -Idaemon/web

# The received-pack bounds and the git fsck --strict checks (zlib).
build/fuzz/fuzz_packscan: daemon/store/packscan.c daemon/store/packscan.h daemon/store/fsck.c
build/fuzz/fuzz_packscan: FUZZ_EXTRA = daemon/store/packscan.c daemon/store/fsck.c -Idaemon/store -lz

fuzz-run: fuzz
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZTIME)s"; \
		$$f -max_total_time=$(FUZZTIME) -max_len=65536 build/fuzz/corpus/$$n \
		    tests/fuzz/seeds/$$n 2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
		tail -1 build/fuzz/$$n.log; \
	done

# make install: binaries, man pages, the systemd unit (its ExecStart points at
# $(SBINDIR)), bash completion and the example config; all under DESTDIR.
SYSTEMDDIR	?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
DOCDIR		?= $(PREFIX)/share/doc/knowd

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BUILD)/knowd $(DESTDIR)$(SBINDIR)/knowd
	install -m 0755 $(BUILD)/knowctl $(DESTDIR)$(BINDIR)/knowctl
	install -m 0644 man/knowctl.1 $(DESTDIR)$(MANDIR)/man1/knowctl.1
	install -m 0644 man/knowd.conf.5 $(DESTDIR)$(MANDIR)/man5/knowd.conf.5
	install -m 0644 man/knowd.8 $(DESTDIR)$(MANDIR)/man8/knowd.8
	sed 's|/usr/sbin/knowd|$(SBINDIR)/knowd|g' contrib/systemd/knowd.service \
		>$(DESTDIR)$(SYSTEMDDIR)/knowd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/knowd.service
	install -m 0644 contrib/completion/knowctl.bash $(DESTDIR)$(COMPLETIONDIR)/knowctl
	install -m 0644 contrib/knowd.conf.example $(DESTDIR)$(DOCDIR)/knowd.conf.example
	for m in $(MO); do l=$${m#$(BUILD)/locale/}; l=$${l%%/*}; \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $$m $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/knowd.mo || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/knowd $(DESTDIR)$(BINDIR)/knowctl \
		$(DESTDIR)$(MANDIR)/man1/knowctl.1 $(DESTDIR)$(MANDIR)/man5/knowd.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/knowd.8 $(DESTDIR)$(SYSTEMDDIR)/knowd.service \
		$(DESTDIR)$(COMPLETIONDIR)/knowctl $(DESTDIR)$(DOCDIR)/knowd.conf.example
	for p in $(PO); do l=$$(basename $$p .po); \
		rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/knowd.mo; done
	if [ -d $(DESTDIR)$(DOCDIR) ]; then rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR); fi

clean:
	rm -rf build

.PHONY: all check test demo bench deps fuzz fuzz-run install uninstall clean pot po
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
