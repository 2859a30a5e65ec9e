# -*- Python -*-
# lit configuration for strata. Loaded through the configured
# build/test/lit/lit.site.cfg.py, so run `lit -sv build/test/lit` (or
# `ninja -C build check-lit`), not lit on this source folder.
#
# Test kinds:
#   *.mlir  strata-opt pipelines checked with FileCheck
#   *.test  command tests (strata-compile, strata-run, ...), e.g. a model
#           built by a Python script in a RUN line:
#             RUN: %python %S/Inputs/make_relu.py %t.onnx
#             RUN: strata-compile %t.onnx --emit=graph -o - | FileCheck %s
# Files under Inputs/ folders are helpers, never tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

if not hasattr(config, "strata_tools_dir"):
    lit_config.fatal(
        "strata's lit suite must be run on the build folder "
        "(lit -sv build/test/lit), which holds the configured lit.site.cfg.py")

config.name = "strata"
# lit's internal shell: portable, and the only one lit >= 23 supports.
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.strata_lit_binary_dir

# FileCheck, count and `| not` from LLVM's tools directory, with full paths.
llvm_config.use_default_substitutions()
# %python is the interpreter strata was configured with (it has onnx).
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", '"%s"' % config.python_executable))
config.substitutions.append(("%strata_src_root", config.strata_source_root))
config.substitutions.append(("%strata_tools_dir", config.strata_tools_dir))

# Our tools by full path from the build's bin directory; a leading `not` and
# anything else run by name are found on PATH (build bin first, then LLVM's).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.strata_tools_dir, append_path=True)
# The sanitizer settings of `make test-sanitize` reach the tools.
llvm_config.with_system_environment(["HOME", "TMPDIR", "TMP", "TEMP", "ASAN_OPTIONS",
                                    "UBSAN_OPTIONS", "LSAN_OPTIONS"])
tools = [
    ToolSubst("strata-opt", unresolved="ignore"),
    ToolSubst("strata-compile", unresolved="ignore"),
    ToolSubst("strata-run", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, [config.strata_tools_dir])
# The Python package as built (build/python), for RUN lines that import it.
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.strata_binary_root, "python"),
    append_path=True)
