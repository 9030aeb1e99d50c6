# NetScope build.  `make` builds the optimised build/netscope, `make asan`
# build/asan/netscope (AddressSanitizer + UBSan).  See README.md.
MODE    ?= release
CC      ?= gcc
CXX     ?= g++
SHARED  ?= ../shared

DEB_PKGS := libpcap-dev libyaml-dev libssl-dev liburcu-dev libhyperscan-dev zlib1g-dev \
            libcmocka-dev libbenchmark-dev g++ python3 python3-jsonschema \
            python3-yaml tcpdump iproute2 curl bind9-dnsutils openssl \
            iputils-ping dnsmasq-base ethtool tcpreplay \
            netsniff-ng clang tshark libpcre2-dev chromium nmap hping3 openssh-server \
            libncurses-dev tmux valgrind iputils-arping

CFLAGS  := -std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wframe-larger-than=8192 -MMD -MP -pthread
LDFLAGS := -pthread
LIBS    := -lpcap -lyaml -lcrypto -lhs -lpcre2-8 -lurcu -lz -lm -lncurses

ifeq ($(MODE),release)
  CFLAGS += -O2 -g -DNDEBUG -flto=auto
  LDFLAGS += -O2 -g -flto=auto
  B := build/release
  BIN := build/netscope
else ifeq ($(MODE),asan)
  CFLAGS += -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address,undefined
  B := build/asan
  BIN := build/asan/netscope
else ifeq ($(MODE),tsan)
  CFLAGS += -O1 -g -fsanitize=thread -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=thread
  B := build/tsan
  BIN := build/tsan/netscope
else
  $(error MODE must be release, asan or tsan)
endif

SRCS  := $(wildcard engine/*.c dissect/*.c flow/*.c output/*.c)
OBJS  := $(patsubst %.c,$(B)/%.o,$(SRCS))
LIB   := $(filter-out $(B)/engine/main.o,$(OBJS))
TESTS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))

ifneq ($(V),1)
  Q := @
endif

all: $(BIN)

$(BIN): $(OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka $(LIBS)

asan:
	$(Q)$(MAKE) --no-print-directory MODE=asan

unit: $(TESTS)
	$(Q)for t in $(TESTS); do echo "== $$t"; $$t || exit 1; done

# Unit tests under ASan/UBSan, end-to-end tests on the release binary (files,
# the output files' escaping and faults (tests/output_safety.sh)) and again
# on the ASan/UBSan binary (tests/sanitized.sh: no sanitizer report from any
# run), netscope top in tmux, the report page in headless Chromium, then live
# capture and the anomaly detectors' attacks (nmap, hping3, dig, ssh) in
# network namespaces of their own), then the sanitizer
# build over every capture in $(SHARED)/corpus, memory pressure, and make
# fuzz-smoke (kept crash inputs replayed, every fuzzer briefly).
test:
	$(Q)$(MAKE) --no-print-directory MODE=asan unit build/asan/netscope
	$(Q)$(MAKE) --no-print-directory MODE=release build/netscope
	$(Q)bash tests/e2e.sh build/netscope
	$(Q)bash tests/output_safety.sh build/netscope
	$(Q)bash tests/sanitized.sh bash tests/e2e.sh build/asan/netscope
	$(Q)bash tests/sanitized.sh bash tests/output_safety.sh build/asan/netscope
	$(Q)bash tests/top.sh build/netscope
	$(Q)bash tests/report.sh build/netscope
	$(Q)bash tests/live.sh build/netscope
	$(Q)bash tests/anomaly_e2e.sh build/netscope
	$(Q)bash tests/corpus_asan.sh build/asan/netscope $(SHARED)
	$(Q)$(MAKE) --no-print-directory pressure
	$(Q)$(MAKE) --no-print-directory -j2 fuzz-smoke

# Memory under pressure (README "Memory"): flow, fragment and reassembly
# floods from tests/gen_pressure.c under a 64 MiB budget, peak RSS and
# counters checked, then an hping3 flood captured live in a namespace.
pressure: build/netscope build/gen_pressure
	$(Q)bash tests/pressure.sh build/netscope build/gen_pressure

build/gen_pressure: tests/gen_pressure.c
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -o $@ $<

# The threaded paths under ThreadSanitizer: the unit tests with threads,
# the captures with 4 workers and rules, ET Open with the background pcre
# compile, the live tests with rule reloads, netscope top (tests/tsan.sh).
tsan:
	$(Q)$(MAKE) --no-print-directory MODE=tsan build/tsan/netscope build/tsan/tests/test_ring \
	  build/tsan/tests/test_pcre_hs build/tsan/tests/test_writer build/tsan/tests/test_top \
	  build/tsan/tests/test_logfile
	$(Q)bash tests/tsan.sh build/tsan $(SHARED)

# The end-to-end tests with every netscope run under valgrind's memcheck
# (no invalid reads or writes, no uninitialised use, no definite or
# indirect leaks); about 16 minutes on 2 cores, so not part of make test.
valgrind: build/netscope
	$(Q)bash tests/valgrind.sh build/netscope

# suricata-verify checks, then the differential test against tshark over the
# nDPI captures (DNS query names, HTTP host and URI, TLS SNI).  Its gate,
# TSHARK_MIN percent per kind, guards against regressions; the target the
# project aims at is 99 (README, "Conformance").
TSHARK_MIN ?= 99
conformance: all
	$(Q)bash tests/conformance.sh build/netscope $(SHARED)
	$(Q)if [ -d $(SHARED)/corpus/ndpi ]; then \
	  python3 tests/tshark_diff.py build/netscope $(SHARED)/corpus/ndpi --min $(TSHARK_MIN) --list 12; fi

bench:
	$(Q)$(MAKE) --no-print-directory MODE=release build/netscope build/bench/plain_read build/bench/bench_micro
	$(Q)bash bench/run.sh
	$(Q)bash bench/live.sh

build/bench/plain_read: bench/plain_read.c
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -o $@ $< -lpcap

build/bench/bench_micro: bench/bench_micro.cc $(patsubst %.c,build/release/%.o,$(filter-out engine/main.c,$(SRCS)))
	@mkdir -p $(@D)
	$(Q)$(CXX) -O2 -g -I. -Wall -Wextra -Werror -o $@ $^ -lbenchmark -lpthread $(LIBS)

# libFuzzer targets (clang, ASan, UBSan): tests/fuzz/fuzz_*.c, seeded from
# tests/pcaps and real captures in $(SHARED)/corpus when it exists.
FUZZ_SECONDS ?= 60
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRCS := $(filter-out engine/main.c,$(SRCS))

FUZZ_OBJS := $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -I. -g -O1 -MMD -MP -pthread \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined

# NetScope's sources are compiled once with coverage (fuzzer-no-link) and
# shared by every target.
.SECONDARY: $(FUZZ_OBJS)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LIBS) -lpthread

# Seeds and dictionaries: tests/fuzz/run.sh.  make fuzz runs every target
# for FUZZ_SECONDS, one at a time, its corpus kept in build/fuzz/.
fuzz: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do bash tests/fuzz/run.sh $$f $(FUZZ_SECONDS) $(SHARED) || exit 1; done

# Replays every kept crash input (tests/fuzz/regress/<target>/*, once each),
# then fuzzes each target for FUZZ_SMOKE_SECONDS: about 6 minutes with the
# builds on 2 cores.  Part of make test.
FUZZ_SMOKE_SECONDS ?= 15
fuzz-smoke: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do bash tests/fuzz/run.sh --regress $$f || exit 1; done
	$(Q)for f in $(FUZZERS); do bash tests/fuzz/run.sh $$f $(FUZZ_SMOKE_SECONDS) $(SHARED) || exit 1; done

demo: deps all
	$(Q)bash tests/demo.sh

# Installs every Debian package the build, tests and benchmarks need.
deps:
	$(Q)missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(TESTS:=.d) $(FUZZ_OBJS:.o=.d)
.PHONY: all asan tsan valgrind unit test conformance bench demo deps clean fuzz fuzz-smoke pressure
