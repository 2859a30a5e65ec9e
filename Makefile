# strata - top-level convenience targets. CMake + Ninja do the real work.
#
#   make build   install missing dependencies, configure (once), build
#   make test    build, then run every suite (lit, googletest, pytest);
#                the last line printed is "N passed, N failed[, N skipped]"
#   make demo    build, compile a small CNN and time it with strata-run
#   make conformance  build, run every ONNX backend node test through strata
#                and write docs/conformance.md (test/conformance/README.md)
#   make clean   remove the build folder
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

.PHONY: all deps configure build test demo conformance clean

all: build

deps:
	@bash scripts/install-deps.sh

# Configure only when there is no build.ninja: afterwards ninja re-runs
# CMake by itself whenever a CMakeLists.txt changes. Tools are looked up in
# the recipe, after `deps` has installed them. The interpreter is the real
# path of the `python3` on PATH (not a pyenv shim), so the Python module,
# lit's %python and the tests all use the same one.
$(BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
	  -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
	  -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld \
	  -DMLIR_DIR="$$(llvm-config-22 --libdir)/cmake/mlir" \
	  -DPython3_EXECUTABLE="$$(python3 -c 'import sys; print(sys.executable)')" \
	  $(CMAKE_ARGS)

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

clean:
	rm -rf $(BUILD_DIR)
