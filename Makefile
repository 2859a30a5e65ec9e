# strata - top-level convenience targets. CMake + Ninja do the real work.
#
#   make build   install missing dependencies, configure (once), build
#   make test    build, then run every suite (lit, googletest, pytest);
#                the last line printed is "N passed, N failed[, N skipped]"
#   make demo    build, compile a small CNN and time it with strata-run
#   make conformance  build, run every ONNX backend node test through strata
#                and write docs/conformance.md (test/conformance/README.md)
#   make bench   build, time full-size networks and kernels with strata,
#                onnxruntime, IREE and TVM; write docs/benchmarks.md (.png)
#   make realmodels  build, run the real-model suite (public models from PyPI
#                wheels) against onnxruntime and write docs/real-models.md
#   make fuzz    build the libFuzzer targets in build-fuzz (ASan + UBSan)
#                and run each for FUZZ_SECONDS (test/fuzz/run_fuzz.py), then
#                damage a compiled library 250 ways and load every copy
#                (test/fuzz/mutate_library.py)
#   make test-sanitize  build everything with ASan + UBSan in
#                build-sanitize and run lit, googletest and the fast pytests
#                (the runtime's concurrency tests build their own TSan
#                binaries: test_runtime_tsan.py, in `make test` too)
#   make clean   remove the build folders
#
# Variables: BUILD_DIR (build), JOBS (nproc), BUILD_TYPE (Release),
# CMAKE_ARGS (extra configure arguments, used when build.ninja is missing).

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

# ccache keys on paths relative to the repository, so clones in other
# folders (CI) share cache entries.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps configure build test demo conformance realmodels bench fuzz \
        test-sanitize clean

all: build

deps:
	@bash scripts/install-deps.sh

# Configure only when there is no build.ninja: afterwards ninja re-runs
# CMake by itself whenever a CMakeLists.txt changes. Tools are looked up in
# the recipe, after `deps` has installed them. The interpreter is the real
# path of the `python3` on PATH (not a pyenv shim), so the Python module,
# lit's %python and the tests all use the same one.
# $(call configure,DIR,EXTRA CMAKE ARGS); write a comma in them as $(comma).
comma := ,
define configure
	cmake -G Ninja -S . -B $(1) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
	  -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
	  -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld \
	  -DMLIR_DIR="$$(llvm-config-22 --libdir)/cmake/mlir" \
	  -DPython3_EXECUTABLE="$$(python3 -c 'import sys; print(sys.executable)')" \
	  $(2)
endef

$(BUILD_DIR)/build.ninja: | deps
	$(call configure,$(BUILD_DIR),$(CMAKE_ARGS))

configure: deps $(BUILD_DIR)/build.ninja

build: deps $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR) -j$(JOBS)

test: build
	python3 test/run_all.py --build-dir $(BUILD_DIR)

DEMO_DIR := $(BUILD_DIR)/demo

demo: build
	python3 examples/make_demo_model.py $(DEMO_DIR)/model.onnx
	$(BUILD_DIR)/bin/strata-compile $(DEMO_DIR)/model.onnx -o $(DEMO_DIR)/out
	$(BUILD_DIR)/bin/strata-run $(DEMO_DIR)/out/libmodel.so --repeat 20

# CONFORMANCE_ARGS: extra runner options, e.g. --jobs 8 or --update-passing.
CONFORMANCE_ARGS ?=

conformance: build
	@start=$$(date +%s); \
	python3 test/conformance/run_conformance.py --build-dir $(BUILD_DIR) \
	  --report docs/conformance.md $(CONFORMANCE_ARGS); status=$$?; \
	echo "make conformance: $$(( $$(date +%s) - start )) s"; exit $$status

realmodels: build
	python3 test/realmodels/run_realmodels.py --build-dir $(BUILD_DIR) \
	  --report docs/real-models.md
	python3 test/check_library_symbols.py $(BUILD_DIR)/realmodels

# The benchmark's own venv: IREE, TVM and matplotlib are large and only the
# benchmark needs them (bench/requirements.txt).
BENCH_VENV := $(BUILD_DIR)/bench-venv

$(BENCH_VENV)/installed: bench/requirements.txt | deps
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r bench/requirements.txt
	touch $@

bench: build $(BENCH_VENV)/installed
	python3 bench/run_bench.py --build-dir $(BUILD_DIR) \
	  --report docs/benchmarks.md --chart docs/benchmarks.png \
	  --json $(BUILD_DIR)/bench-results.json
	python3 bench/quantized.py --build-dir $(BUILD_DIR) --markdown docs/benchmarks.md

FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1

$(FUZZ_DIR)/build.ninja: | deps
	$(call configure,$(FUZZ_DIR),-DSTRATA_FUZZ=ON -DSTRATA_BUILD_PYTHON=OFF)

fuzz: build $(FUZZ_DIR)/build.ninja
	ninja -C $(FUZZ_DIR) -j$(JOBS) strata-fuzz-onnx-import strata-fuzz-runtime \
	  strata-fuzz-npy
	python3 test/fuzz/run_fuzz.py --build-dir $(FUZZ_DIR) \
	  --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS)
	python3 test/fuzz/mutate_library.py --build-dir $(BUILD_DIR) \
	  --truncations 50 --flips 200

SANITIZE_DIR ?= build-sanitize

$(SANITIZE_DIR)/build.ninja: | deps
	$(call configure,$(SANITIZE_DIR),-DSTRATA_SANITIZE=address$(comma)undefined)

test-sanitize: deps $(SANITIZE_DIR)/build.ninja
	ninja -C $(SANITIZE_DIR) -j$(JOBS)
	python3 test/run_all.py --build-dir $(SANITIZE_DIR) --sanitized \
	  --suite lit --suite unit --suite python

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(SANITIZE_DIR)
