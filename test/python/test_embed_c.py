"""Embedding in C: compile a model to lib<name>.a + <name>.h, build
examples/embed_c/main.c against it and the static runtime with clang-22 and
lld, run it, and compare what it prints with onnxruntime (fp32: rtol=1e-4,
atol=1e-5, see harness.py)."""

import shutil

import numpy as np
import pytest

import model_builders as mb
from harness import (REPO_ROOT, assert_close, check_tool_ok, input_shapes,
                     run_onnxruntime, run_tool, save_model)

EXAMPLE = REPO_ROOT / "examples" / "embed_c" / "main.c"


def example_inputs(model):
    """The inputs main.c builds: input k, element i is
    ((7 i + 3 k) mod 23 - 11) / 11 in float32."""
    feeds = {}
    for k, (name, shape) in enumerate(input_shapes(model).items()):
        i = np.arange(int(np.prod(shape)), dtype=np.int64)
        values = (((i * 7 + k * 3) % 23) - 11).astype(np.float32) / np.float32(11)
        feeds[name] = values.reshape(shape)
    return feeds


def parse_outputs(text):
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        keyword, name, count = line.split()
        assert keyword == "output", line
        outputs[name] = np.array([float(next(lines)) for _ in range(int(count))],
                                 dtype=np.float32)
    return outputs


def static_runtime(build):
    for name in ("libstrata_runtime_static.a", "libstrata_runtime.a"):
        if (build / "lib" / name).is_file():
            return build / "lib" / name
    pytest.fail(f"no static runtime in {build / 'lib'}: build the "
                "strata_runtime_static target", pytrace=False)


@pytest.mark.parametrize("builder", ["mlp", "small_cnn"])
def test_embed_static_library_in_c(strata, build, tmp_path, builder):
    clang = shutil.which("clang-22")
    assert clang, "clang-22 is not on PATH (scripts/install-deps.sh installs it)"
    model = getattr(mb, builder)()
    onnx_path = save_model(model, tmp_path, builder)
    out = tmp_path / "out"
    strata.compile(onnx_path, out, name="classifier")
    archive, header = out / "libclassifier.a", out / "classifier.h"
    assert archive.is_file() and header.is_file()

    program = tmp_path / "classifier_app"
    # A sanitized build's runtime needs the application built the same way.
    flags_file = build / "sanitize-flags.txt"
    sanitize = flags_file.read_text().split() if flags_file.is_file() else []
    check_tool_ok(run_tool([
        clang, "-fuse-ld=lld", "-std=c11", "-O2", "-Wall", "-Wextra", *sanitize,
        f"-I{REPO_ROOT / 'include'}", f"-I{out}", EXAMPLE, archive,
        static_runtime(build), "-ldl", "-lpthread", "-lm", "-o", program]))
    proc = check_tool_ok(run_tool([program]))
    got = parse_outputs(proc.stdout)

    expected = run_onnxruntime(model, example_inputs(model))
    assert list(got) == list(expected), "output names and order"
    for name, want in expected.items():
        assert_close(got[name].reshape(want.shape), want, f"output {name!r}")
