# truemem: exact per-process memory accounting for Linux.
#
#   make            build ./truemem
#   make check      install missing Debian packages (as root), build, run every test
#   make run        install missing packages, build and start truemem
#   make bench      the benchmark (README, "Performance")
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build/deb/truemem_VERSION_ARCH.deb, from a clean clone of HEAD

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DATADIR   ?= $(PREFIX)/share/truemem

CC        ?= cc
PKGS      := libcjson ncursesw libzstd
CFLAGS    ?= -O2 -g -flto=auto
LDFLAGS   ?= -flto=auto
# LTO objects need the plugin-aware archiver.
AR        := gcc-ar
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -Iinclude $(PKG_CFLAGS) -D_GNU_SOURCE -DTRUEMEM_VERSION='"$(VERSION)"' -MMD -MP
LDLIBS    += $(PKG_LIBS) -lm -pthread

B         ?= build
SRC       := $(filter-out $(EXCLUDE),$(sort $(shell find src -name '*.c')))
MAIN      := src/cli/main.c
LIBOBJ    := $(patsubst %.c,$(B)/%.o,$(filter-out $(MAIN),$(SRC)))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
HELP_SRC  := $(sort $(wildcard tests/live/helpers/*.c bench/*.c))
HELP_BIN  := $(patsubst %.c,$(B)/%,$(HELP_SRC))

.PHONY: all check run bench install uninstall clean deps tests asan-tests fuzz deb

all: truemem

truemem: $(B)/truemem
	cp $< $@

$(B)/truemem: $(B)/src/cli/main.o $(B)/libtruemem.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libtruemem.a: $(LIBOBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libtruemem.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(B)/libtruemem.a $(LDLIBS) -lcmocka

# The differential test's scenario generator is a file of its own.
$(B)/tests/test_differential: tests/unit/scenario_gen.c tests/unit/scenario_gen.h

$(B)/tests/live/helpers/%: tests/live/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lm

# The kernel-consistency helper is static: no shared library, so every page it maps is the test's.
$(B)/tests/live/helpers/special: tests/live/helpers/special.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize% -flto%,$(ALL_CFLAGS)) -static -o $@ $<

# So is the cgroup helper: every frame it maps is charged to its own cgroup but the shared file's.
$(B)/tests/live/helpers/cgmapper: tests/live/helpers/cgmapper.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize% -flto%,$(ALL_CFLAGS)) -static -o $@ $<

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lm

tests: truemem $(UNIT_BIN) $(HELP_BIN)

deps:
	@sh scripts/deps.sh

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Jobs for the builds `make check` makes: one per core.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

# Everything built twice (plain, and ASan+UBSan in build-asan), then every suite run on both.
check: deps
	$(MAKE) -j$(JOBS) tests
	$(MAKE) -j$(JOBS) B=build-asan CFLAGS='$(ASAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined' asan-tests
	sh tests/run.sh

asan-tests: $(B)/truemem $(UNIT_BIN) $(HELP_BIN)

run: deps truemem
	./truemem

bench: deps truemem $(HELP_BIN)
	sh bench/run.sh

fuzz: deps
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

install: truemem
	install -Dm755 truemem $(DESTDIR)$(BINDIR)/truemem
	install -Dm644 man/truemem.1 $(DESTDIR)$(MANDIR)/man1/truemem.1
	if [ -f man/truemem-scenario.5 ]; then install -Dm644 man/truemem-scenario.5 $(DESTDIR)$(MANDIR)/man5/truemem-scenario.5; fi
	install -Dm644 completions/truemem.bash $(DESTDIR)$(BASHCOMPDIR)/truemem
	install -Dm644 completions/_truemem $(DESTDIR)$(ZSHCOMPDIR)/_truemem
	install -Dm644 completions/truemem.fish $(DESTDIR)$(FISHCOMPDIR)/truemem.fish
	install -Dm644 share/truemem-1.schema.json $(DESTDIR)$(DATADIR)/truemem-1.schema.json

# The package is built as `dpkg-buildpackage -us -uc -b` on a clean clone of
# the committed tree (not the working tree), in $(B)/deb.
deb:
	rm -rf $(B)/deb && mkdir -p $(B)/deb
	git clone -q . $(B)/deb/truemem
	cd $(B)/deb/truemem && dpkg-buildpackage -us -uc -b -j$(JOBS)
	@ls $(B)/deb/*.deb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/truemem $(DESTDIR)$(MANDIR)/man1/truemem.1 \
	      $(DESTDIR)$(MANDIR)/man5/truemem-scenario.5 $(DESTDIR)$(BASHCOMPDIR)/truemem \
	      $(DESTDIR)$(ZSHCOMPDIR)/_truemem $(DESTDIR)$(FISHCOMPDIR)/truemem.fish \
	      $(DESTDIR)$(DATADIR)/truemem-1.schema.json
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true

clean:
	rm -rf build build-asan truemem

-include $(shell find $(B) -name '*.d' 2>/dev/null)
