# keyrelay: the two set-up commands on a fresh Debian 12 machine (as root) are `make run` and `make test`.
# Both install what is missing first (scripts/install-deps.sh), then build with CMake + Ninja, -j2.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_ARGS ?=

.PHONY: all deps build run test test-asan clean cluster cluster-stop

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Starts the server on the embedded SQLite default (127.0.0.1:8080, data in ./data). On the first
# start `init` creates the keyring, the schema and an admin user and prints its token once.
run: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target keyrelay
	$(BUILD)/keyrelay init --if-needed
	$(BUILD)/keyrelay serve

# Several nodes on one machine, to try scale-out: private PostgreSQL and Redis, two keyrelay nodes on
# them and nginx in front, on loopback (scripts/cluster.sh; state in /tmp/keyrelay-cluster). Prints
# the URL and an admin token. `make cluster-stop` stops them and keeps the data.
cluster: $(BUILD)/build.ninja
	@scripts/install-deps.sh nginx-light
	cmake --build $(BUILD) -j $(JOBS) --target keyrelay
	scripts/cluster.sh start $(BUILD)

cluster-stop:
	scripts/cluster.sh stop

# Every test. The crypto vector counts are printed first; ctest's summary is the last line.
test: build
	@cd $(BUILD) && ctest -R 'VectorCounts' -V 2>&1 | grep -E '^[0-9]+: (AES-GCM|HKDF)' || true
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 600 --no-label-summary

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKEYRELAY_SANITIZE=ON $(CMAKE_ARGS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -j $(JOBS) --output-on-failure --timeout 900 --no-label-summary

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Benchmarks (never part of `make test`): a Release build in its own dir with the micro-benchmarks
# on, then Google Benchmark and the wrk load run (bench/load.py: keyrelay on SQLite, on a private
# PostgreSQL, and two nodes on PostgreSQL + Redis behind nginx; gateway load and key create
# latency on each), then the stream run (bench/streams.py: 9,500 streaming chats held 20 s, direct
# and through keyrelay at its default settings), ending on a table of figures and targets. -O2 rather than CMake's Release -O3: GCC 12 at -O3 reports false -Wrestrict and
# -Wmaybe-uninitialized in std::string code, which -Werror turns into build failures.
# BENCH_ARGS passes options to bench/load.py (e.g. BENCH_ARGS="--duration 5",
# BENCH_ARGS="--deployments sqlite" for the single node alone, or BENCH_ARGS="--streams 0" for no
# stream run), REWRAP_ARGS to the
# master-key re-wrap benchmark (e.g. REWRAP_ARGS="--keys 100000", or
# REWRAP_ARGS="--database-url postgres://…" for an empty PostgreSQL database; default: 1,000,000
# keys in a temporary SQLite file).
BENCH_BUILD ?= build-bench
BENCH_ARGS  ?=
REWRAP_ARGS ?=

.PHONY: bench
bench: deps
	@scripts/install-bench-deps.sh
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
	  -DKEYRELAY_BENCH=ON $(CMAKE_ARGS)
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target keyrelay keyrelay-mock-provider keyrelay_micro_bench rewrap_bench
	$(BENCH_BUILD)/bench/keyrelay_micro_bench --benchmark_min_time=0.2 \
	  --benchmark_out=$(BENCH_BUILD)/micro.json --benchmark_out_format=json
	$(BENCH_BUILD)/bench/rewrap/rewrap_bench $(REWRAP_ARGS)
	bench/load.py --build $(BENCH_BUILD) --micro $(BENCH_BUILD)/micro.json --json-out $(BENCH_BUILD)/bench-results.json $(BENCH_ARGS)

# Fuzzing (never part of `make test`, which only replays the committed corpus): clang 14 with
# libFuzzer, ASan and UBSan in its own build dir; every target of tests/fuzz runs FUZZ_SECONDS over
# its corpus, then a table of executions and findings is printed (scripts/run-fuzz.sh).
# FUZZ_JOBS targets run at once; FUZZ_TARGETS="jwt sse_parser" runs a subset.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_TARGETS ?=

.PHONY: fuzz
fuzz: deps
	@scripts/install-fuzz-deps.sh
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DKEYRELAY_FUZZ=ON -DKEYRELAY_TESTS=OFF $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_TARGETS="$(FUZZ_TARGETS)" scripts/run-fuzz.sh $(FUZZ_BUILD)
