# evidex — the two commands: `make demo` and `make test`. Everything else is optional.
JOBS      ?= $(shell nproc)
BUILD     ?= build
ASAN      ?= build-asan
FUZZBUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO_SIZE ?= 64M
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-release test-asan bench bench-acquire bench-store bench-hashset bench-files bench-serve bench-coop fuzz clean

all: build

deps:
	@scripts/install-deps.sh

# Line tables only (-g1): stack traces, sanitizer reports and perf keep file and line, and the
# builds that `make test` makes twice on CI's 2 cores compile about a third faster than with -g
# (measured on src/cli/cmd_files.cc: 34 -> 23 s at -O2, 30 -> 24 s at -O0 with ASan). For a
# debugger with variables: make CMAKE_FLAGS=-DCMAKE_CXX_FLAGS_DEBUG=-g ...
$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
	  $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD) $(DEMO_SIZE)

test: deps
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan

test-release: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The sanitizer build uses clang: at -O0 with ASan it compiles this code base twice as fast as GCC
# (store_test.cc 46 -> 19 s, cmd_artifacts.cc 22 -> 12 s), and a second compiler's warnings come
# with it. The release build stays on GCC, the compiler the benchmarks were measured with.
$(ASAN)/build.ninja:
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEVIDEX_SANITIZE=ON -DEVIDEX_BENCH=OFF -DEVIDEX_WEB=OFF \
	  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1 $(CMAKE_FLAGS) >/dev/null

test-asan: deps $(ASAN)/build.ninja
	@cmake --build $(ASAN) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp \
	  ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) -LE slow

bench: build
	@bench/run.sh $(SIZE)

bench-acquire: build
	@bench/acquire.sh $(SIZE)

# The case store on SQLite and PostgreSQL: SIZE occurrences (default 50M; SIZE=1M is quick).
bench-store: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS) --target evidex-store-bench
	@BENCH=$(BUILD)/bench/evidex-store-bench bench/store.sh $(or $(SIZE),50M)

# Known-file hash sets: SIZE SHA-1 values (default 50M), 10M look-ups, against sort + join.
bench-hashset: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS) --target evidex-hashset-bench
	@BENCH=$(BUILD)/bench/evidex-hashset-bench bench/hashset.sh $(or $(SIZE),50M)

# Walking and hashing every file of a 2 GiB ext4 image against sha256sum and fls+tsk_recover+hashdeep.
bench-files: build
	@bench/files.sh $(or $(SIZE),2G)

# The web API: a case of SIZE occurrences (default 5M), 20 clients on its artifact table, against wrk.
bench-serve: build
	@bench/serve.sh $(or $(SIZE),5M)

# A cooperation request's documents: PDF and DOCX by evidex against LibreOffice converting the DOCX.
bench-coop: build
	@bench/coop.sh $(or $(SIZE),40)

$(FUZZBUILD)/build.ninja:
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZBUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DEVIDEX_FUZZ=ON -DEVIDEX_TESTS=OFF -DEVIDEX_BENCH=OFF >/dev/null

fuzz: deps $(FUZZBUILD)/build.ninja
	@cmake --build $(FUZZBUILD) -j $(JOBS)
	@scripts/fuzz.sh $(FUZZBUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZBUILD)
