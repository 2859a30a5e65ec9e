"""Embedding in C and C++: compile a model to lib<name>.a + <name>.h, build
examples/embed_c/main.c (and examples/embed_cpp/main.cpp, 4 threads running
one model at once) against it and the static runtime with clang-22 and lld,
run it, and compare what it prints with onnxruntime (fp32: rtol=1e-4,
atol=1e-5, see harness.py). The C program needs nothing beyond libc, libm,
libdl and libpthread, and the static runtime stays under 200 KB."""

import re
import shutil
import subprocess

import numpy as np
import pytest

import model_builders as mb
from harness import (REPO_ROOT, assert_close, check_tool_ok, input_shapes,
                     run_onnxruntime, run_tool, save_model)

EXAMPLE = REPO_ROOT / "examples" / "embed_c" / "main.c"
EXAMPLE_CPP = REPO_ROOT / "examples" / "embed_cpp" / "main.cpp"
# What a program embedding strata may load: the C library and its parts.
ALLOWED_LIBRARIES = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2",
                     "libpthread.so.0", "ld-linux-x86-64.so.2",
                     "ld-linux-aarch64.so.1"}
RUNTIME_ARCHIVE_LIMIT = 200 * 1024


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


def shared_libraries(program):
    """The names ldd lists for `program` (vdso and the loader included)."""
    text = subprocess.run(["ldd", str(program)], capture_output=True,
                          text=True, check=True).stdout
    return {line.split()[0].rsplit("/", 1)[-1] for line in text.splitlines()
            if line.strip()}


def test_c_program_needs_only_libc(strata, build, tmp_path):
    model = mb.small_cnn()
    out = tmp_path / "out"
    strata.compile(save_model(model, tmp_path, "cnn"), out, name="classifier")
    program = tmp_path / "classifier_app"
    flags_file = build / "sanitize-flags.txt"
    if flags_file.is_file():
        pytest.skip("a sanitized build links the sanitizer runtime")
    check_tool_ok(run_tool([
        shutil.which("clang-22"), "-fuse-ld=lld", "-std=c11", "-O2",
        f"-I{REPO_ROOT / 'include'}", f"-I{out}", EXAMPLE,
        out / "libclassifier.a", static_runtime(build), "-ldl", "-lpthread",
        "-lm", "-o", program]))
    assert shared_libraries(program) <= ALLOWED_LIBRARIES, \
        shared_libraries(program)
    # Neither archive refers to the C++ runtime or an unwinder.
    for archive in (out / "libclassifier.a", static_runtime(build)):
        undefined = subprocess.run(["nm", "-u", str(archive)],
                                   capture_output=True, text=True,
                                   check=True).stdout
        bad = re.findall(r"\b(_Z\w+|__cxa\w+|_Unwind\w+)", undefined)
        assert not bad, f"{archive.name} needs {bad}"


def test_static_runtime_size(build):
    size = static_runtime(build).stat().st_size
    print(f"static runtime: {size} bytes")
    assert size <= RUNTIME_ARCHIVE_LIMIT, size


def test_embed_cpp_four_threads_one_model(strata, build, tmp_path):
    clang = shutil.which("clang++-22")
    assert clang, "clang++-22 is not on PATH (scripts/install-deps.sh installs it)"
    # Large enough to have dispatches: they share the model's thread pool.
    model = mb.small_cnn(channels=32, size=32)
    out = tmp_path / "out"
    strata.compile(save_model(model, tmp_path, "cnn"), out, name="classifier")
    program = tmp_path / "classifier_threads"
    flags_file = build / "sanitize-flags.txt"
    sanitize = flags_file.read_text().split() if flags_file.is_file() else []
    check_tool_ok(run_tool([
        clang, "-fuse-ld=lld", "-std=c++17", "-O2", "-Wall", "-Wextra",
        *sanitize, f"-I{REPO_ROOT / 'include'}", f"-I{out}", EXAMPLE_CPP,
        out / "libclassifier.a", static_runtime(build), "-ldl", "-lpthread",
        "-lm", "-o", program]))
    proc = check_tool_ok(run_tool([program]))
    got = parse_outputs(proc.stdout)
    expected = run_onnxruntime(model, example_inputs(model))
    assert list(got) == list(expected), "output names and order"
    for name, want in expected.items():
        assert_close(got[name].reshape(want.shape), want, f"output {name!r}")
