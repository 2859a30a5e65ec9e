"""A symbolic-batch model whose weights dominate its work (an MLP) also
gets a program for whole chunks of its batch (strata-compile --batch-chunk,
model ABI 7): its GEMMs have the batch as a dimension, and the runtime runs
whole chunks through it and the rest of a batch one sample at a time. Every
batch size must still match onnxruntime, across chunk boundaries and thread
counts, and the chunk program must really run."""
import json

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import (check_against_onnxruntime, check_clean_failure, check_tool_ok,
                     run_tool, save_model)


def mlp(sizes=(256, 512, 512, 10), seed=0):
    """x [N, 256] -> Gemm, Relu, Gemm, Relu, Gemm, Softmax -> y [N, 10]:
    1.6 MB of weights for 0.27 M multiply-adds per sample."""
    gen = np.random.default_rng(seed)
    nodes, inits, prev = [], [], "x"
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        inits += [numpy_helper.from_array(
            (gen.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32), f"w{i}"),
            numpy_helper.from_array(gen.uniform(-0.1, 0.1, n_out).astype(np.float32), f"b{i}")]
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [f"g{i}"], transB=1,
                                      name=f"fc{i}"))
        prev = f"g{i}"
        if i < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [prev], [f"r{i}"], name=f"relu{i}"))
            prev = f"r{i}"
    nodes.append(helper.make_node("Softmax", [prev], ["y"], axis=-1, name="softmax"))
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", sizes[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", sizes[-1]])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def small_cnn():
    """A conv net with 0.4 KB of weights: auto compiles no chunk program."""
    gen = np.random.default_rng(1)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name="conv"),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, 8, 8])],
        [numpy_helper.from_array(gen.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def info(tools, lib):
    return check_tool_ok(run_tool([tools.run, lib, "--info"])).stdout


def dispatch_events(tools, lib, batch, trace):
    """Dispatch events of one run of `batch` samples at one thread."""
    check_tool_ok(run_tool([tools.run, lib, "--batch", batch, "--threads", 1,
                            "--repeat", 1, "--warmup", 0, "--profile", trace]))
    events = json.load(open(trace))
    events = events["traceEvents"] if isinstance(events, dict) else events
    return sum(1 for e in events if e.get("cat") == "dispatch" and e.get("ph") == "X")


def test_auto_chunk_for_a_weight_bound_model(strata, tools, tmp_path):
    model = mlp()
    lib = strata.compile(save_model(model, tmp_path, "mlp"), tmp_path / "out", name="mlp")
    assert "batch     chunks of 8 samples in one program" in info(tools, lib)
    header = (tmp_path / "out" / "mlp.h").read_text()
    assert "#define STRATA_MLP_BATCH_CHUNK 8" in header
    # Both programs in one library, the weights once: 1.6 MB, not 3.2.
    assert (tmp_path / "out" / "libmlp.so").stat().st_size < 2_400_000
    for threads in (1, 2):
        loaded = strata.load(lib, threads=threads)
        for batch in (1, 7, 8, 9, 17, 24):
            feeds = {"x": np.random.default_rng(batch).standard_normal(
                (batch, 256)).astype(np.float32)}
            expected = check_against_onnxruntime(strata, lib, model, feeds)["y"]
            (got,) = loaded.run(feeds)
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_chunks_run_through_the_chunk_program(strata, tools, tmp_path):
    """Sample by sample, a batch of 8 launches 8 times one sample's
    dispatches; through the chunk program, one program's worth. A batch of
    9 is one chunk plus one sample."""
    path = save_model(mlp(), tmp_path, "mlp")
    chunked = strata.compile(path, tmp_path / "chunked", name="mlp")
    plain = strata.compile(path, tmp_path / "plain", name="mlp", batch_chunk=0)
    assert "batch     chunks" not in info(tools, plain)
    trace = tmp_path / "trace.json"
    one = dispatch_events(tools, plain, 1, trace)
    assert dispatch_events(tools, plain, 8, trace) == 8 * one
    eight = dispatch_events(tools, chunked, 8, trace)
    assert 0 < eight < 8 * one / 2
    assert dispatch_events(tools, chunked, 1, trace) == one
    assert dispatch_events(tools, chunked, 9, trace) == eight + one


def test_explicit_chunk_on_a_conv_net(strata, tools, tmp_path):
    model = small_cnn()
    path = save_model(model, tmp_path, "cnn")
    auto = strata.compile(path, tmp_path / "auto", name="cnn")
    assert "batch     chunks" not in info(tools, auto)
    out = tmp_path / "four"
    proc = check_tool_ok(run_tool([tools.compile, path, "-o", out, "--name", "cnn",
                                   "--batch-chunk=4"]))
    assert "batch chunk of 4 samples: arena" in proc.stderr
    lib = out / "libcnn.so"
    assert "batch     chunks of 4 samples in one program" in info(tools, lib)
    for batch in (3, 4, 5, 9):
        feeds = {"x": np.random.default_rng(batch).standard_normal(
            (batch, 3, 8, 8)).astype(np.float32)}
        check_against_onnxruntime(strata, lib, model, feeds)


@pytest.mark.parametrize("value", ["1", "-3", "4097", "eight"])
def test_bad_chunk_values_are_refused(tools, tmp_path, value):
    path = save_model(small_cnn(), tmp_path, "cnn")
    proc = run_tool([tools.compile, path, "-o", tmp_path / "out", f"--batch-chunk={value}"])
    check_clean_failure(proc, f"--batch-chunk={value} (expected auto, 0, or a number")


def test_bad_chunk_value_in_python(strata, tmp_path):
    path = save_model(small_cnn(), tmp_path, "cnn")
    with pytest.raises(ValueError, match="batch_chunk=1"):
        strata.compile(path, tmp_path / "out", batch_chunk=1)
