"""Where the weights go (strata-compile --weights, strata.compile(weights=)).

Embedded weights are linked into the library; external ones are written to
<name>.weights, which the runtime maps read-only, checks (size, CRC-32C) and
shares between the models loaded from one library. Both give the same bits,
and both match onnxruntime (fp32: rtol=1e-4, atol=1e-5, see harness.py).
A missing, damaged or truncated weights file is a RunError naming it.

The compile's peak memory is bounded too: the weights leave MLIR before LLVM
sees them, and folded or relaid-out versions are freed as they are
replaced, so a compile holds about one copy of the weights, not five."""

import gc
import shutil
import subprocess
import sys

import numpy as np
import pytest
from onnx import helper, numpy_helper

import model_builders as mb
from harness import (REPO_ROOT, assert_close, check_tool_ok, random_inputs,
                     run_onnxruntime, run_tool, save_model)
from test_embed_c import example_inputs, parse_outputs, static_runtime


def compile_both(strata, tmp_path, model, name="net"):
    onnx_path = save_model(model, tmp_path, name)
    embed = tmp_path / "embed"
    external = tmp_path / "external"
    strata.compile(onnx_path, embed, name=name)
    strata.compile(onnx_path, external, name=name, weights="external")
    return embed, external


def test_external_weights_give_the_same_bits(strata, tmp_path):
    model = mb.small_cnn(channels=32)
    embed, external = compile_both(strata, tmp_path, model)
    weights = external / "net.weights"
    assert weights.is_file()
    assert not (embed / "net.weights").exists()
    # The conv and fc weights (about 38 KB) left the external library.
    embedded_so = (embed / "libnet.so").stat().st_size
    external_so = (external / "libnet.so").stat().st_size
    assert embedded_so - external_so >= weights.stat().st_size - 4096, (
        embedded_so, external_so, weights.stat().st_size)
    header = (external / "net.h").read_text()
    assert f'#define STRATA_NET_WEIGHTS_BYTES {weights.stat().st_size}' in header
    assert "WEIGHTS_FILE" not in (embed / "net.h").read_text()

    feeds = random_inputs(model)
    expected = run_onnxruntime(model, feeds)
    got_embed = strata.load(embed / "libnet.so").run(feeds)
    got_external = strata.load(external / "libnet.so").run(feeds)
    for (name, want), a, b in zip(expected.items(), got_embed, got_external):
        assert_close(b, want, f"output {name!r}")
        np.testing.assert_array_equal(a, b, err_msg=f"{name}: embed vs external")


def test_models_of_one_library_share_the_mapping(strata, tmp_path):
    model = mb.small_cnn(channels=16)
    _, external = compile_both(strata, tmp_path, model)
    feeds = random_inputs(model)
    first = strata.load(external / "libnet.so")
    second = strata.load(external / "libnet.so")
    want = first.run(feeds)
    # The first model's release must not unmap what the second uses.
    del first
    gc.collect()
    for a, b in zip(second.run(feeds), want):
        np.testing.assert_array_equal(a, b)
    # Nor may a later load after both are gone find a stale mapping.
    del second
    gc.collect()
    third = strata.load(external / "libnet.so")
    for a, b in zip(third.run(feeds), want):
        np.testing.assert_array_equal(a, b)


def test_bad_weights_files_are_errors(strata, tmp_path):
    model = mb.small_cnn(channels=16)
    _, external = compile_both(strata, tmp_path, model)
    lib = external / "libnet.so"
    weights = external / "net.weights"
    good = weights.read_bytes()

    weights.unlink()
    with pytest.raises(strata.RunError,
                       match=r"cannot open the model's weights .*net\.weights"):
        strata.load(lib)

    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0x40
    weights.write_bytes(bytes(damaged))
    with pytest.raises(strata.RunError, match=r"fail their checksum"):
        strata.load(lib)
    # Without verification the damaged file loads (that is what the flag is
    # for), but its size is still checked.
    strata.load(lib, verify=False)

    weights.write_bytes(good[:-64])
    with pytest.raises(strata.RunError,
                       match=rf"have {len(good) - 64} bytes, the library "
                             rf"expects {len(good)}"):
        strata.load(lib, verify=False)

    weights.write_bytes(good)
    strata.load(lib)


def test_static_program_with_external_weights(strata, build, tmp_path):
    """examples/embed_c linked with a library whose weights are external: the
    runtime finds <name>.weights in the working directory."""
    clang = shutil.which("clang-22")
    assert clang, "clang-22 is not on PATH"
    model = mb.small_cnn(channels=16)
    out = tmp_path / "out"
    strata.compile(save_model(model, tmp_path, "cnn"), out, name="classifier",
                   weights="external")
    program = tmp_path / "classifier_app"
    flags_file = build / "sanitize-flags.txt"
    sanitize = flags_file.read_text().split() if flags_file.is_file() else []
    check_tool_ok(run_tool([
        clang, "-fuse-ld=lld", "-std=c11", "-O2", *sanitize,
        f"-I{REPO_ROOT / 'include'}", f"-I{out}",
        REPO_ROOT / "examples" / "embed_c" / "main.c",
        out / "libclassifier.a", static_runtime(build), "-ldl", "-lpthread",
        "-lm", "-o", program]))
    proc = check_tool_ok(run_tool([program], cwd=out))
    got = parse_outputs(proc.stdout)
    expected = run_onnxruntime(model, example_inputs(model))
    for name, want in expected.items():
        assert_close(got[name].reshape(want.shape), want, f"output {name!r}")

    # Elsewhere it fails, naming the file.
    proc = run_tool([program], cwd=tmp_path)
    assert proc.returncode != 0
    assert "classifier.weights" in proc.stdout + proc.stderr


def wide_mlp(features, layers, seed=0):
    """`layers` Gemm + Relu layers of features x features f32 weights."""
    gen = np.random.default_rng(seed)
    nodes, inits, x = [], [], "x"
    for i in range(layers):
        inits.append(mb.const(f"w{i}", (gen.standard_normal(
            (features, features)) * 0.02).astype(np.float32)))
        inits.append(mb.const(f"b{i}", np.zeros(features, np.float32)))
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"g{i}"],
                                      name=f"fc{i}"))
        nodes.append(helper.make_node("Relu", [f"g{i}"], [f"r{i}"],
                                      name=f"relu{i}"))
        x = f"r{i}"
    return mb.make_model(nodes, [mb.value("x", [4, features])], [x], inits,
                         name="wide_mlp")


# Runs argv[1:] and prints the peak resident bytes of it and its children
# (the linker). It runs in a fresh, small interpreter: Linux starts a child's
# peak at its parent's size (the peak is carried across fork and exec), and
# pytest's process is large.
MEASURE = """
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def peak_rss_of(args):
    """(returncode, peak resident bytes) of running `args`."""
    proc = subprocess.run([sys.executable, "-c", MEASURE,
                           *[str(a) for a in args]],
                          capture_output=True, text=True, check=True)
    rc, peak = proc.stdout.split()
    return int(rc), int(peak)


@pytest.mark.parametrize("mode", ["embed", "external"])
def test_compile_holds_the_weights_about_once(tools, tmp_path, mode):
    small = save_model(wide_mlp(64, 2), tmp_path, "small")
    # 6 layers of 1536 x 1536 f32: 56.6 MB of weights.
    big_model = wide_mlp(1536, 6)
    weight_bytes = sum(numpy_helper.to_array(t).nbytes
                       for t in big_model.graph.initializer)
    big = save_model(big_model, tmp_path, "big")
    rc, base = peak_rss_of([tools.compile, small, "-o", tmp_path / "s",
                            "--quiet", f"--weights={mode}"])
    assert rc == 0
    rc, peak = peak_rss_of([tools.compile, big, "-o", tmp_path / "b",
                            "--quiet", f"--weights={mode}"])
    assert rc == 0
    grown = peak - base
    print(f"{mode}: weights {weight_bytes / 2**20:.1f} MiB, compile peak "
          f"{peak / 2**20:.0f} MiB, {grown / weight_bytes:.2f}x the weights "
          f"above a tiny model's {base / 2**20:.0f} MiB")
    # One copy of the weights, with room for the model's IR and allocator
    # slack; holding two copies at once (as before) fails this.
    assert grown <= 1.5 * weight_bytes, (grown, weight_bytes)
