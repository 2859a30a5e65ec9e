"""A symbolic batch dimension: one compiled library runs any batch size
(the runtime loops over samples), checked against onnxruntime; models that
mix samples are rejected at compile time, naming the node."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import check_against_onnxruntime, run_tool, save_model


def batched_cnn(softmax_axis=1, extra_nodes=()):
    """x: [N, 3, 8, 8] -> Conv, Relu, MaxPool, Flatten, Gemm, Softmax -> [N, 5]."""
    gen = np.random.default_rng(3)
    inits = [numpy_helper.from_array(gen.standard_normal((4, 3, 3, 3)).astype(np.float32), "w"),
             numpy_helper.from_array(gen.standard_normal((5, 64)).astype(np.float32) * 0.2, "fw")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2], name="pool"),
             helper.make_node("Reshape", ["p", "flat"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fw"], ["g"], transB=1, name="fc"),
             helper.make_node("Softmax", ["g"], ["y"], axis=softmax_axis, name="softmax"),
             *extra_nodes]
    inits.append(numpy_helper.from_array(np.array([-1, 64], np.int64), "flat"))
    graph = helper.make_graph(
        nodes, "batched", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 5])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_one_library_runs_batch_1_3_8(strata, tmp_path):
    model = batched_cnn()
    lib = strata.compile(save_model(model, tmp_path, "batched"), tmp_path / "out", name="batched")
    loaded = strata.load(lib)
    assert loaded.inputs[0][2] == (None, 3, 8, 8)
    assert loaded.outputs[0][2] == (None, 5)
    for batch in (1, 3, 8):
        feeds = {"x": np.random.default_rng(batch).standard_normal((batch, 3, 8, 8)).astype(np.float32)}
        outputs = check_against_onnxruntime(strata, lib, model, feeds)
        assert outputs["y"].shape == (batch, 5)


def test_cli_batch_option(strata, tools, tmp_path):
    model = batched_cnn()
    path = save_model(model, tmp_path, "batched")
    out = tmp_path / "out"
    proc = run_tool([tools.compile, path, "-o", out, "--name", "batched"])
    assert proc.returncode == 0, proc.stderr
    proc = run_tool([tools.run, out / "libbatched.so", "--batch", "4", "--repeat", "2",
                     "--output-dir", tmp_path / "res"])
    assert proc.returncode == 0, proc.stderr
    assert "input  0: x f32 [-1,3,8,8]" in proc.stdout
    assert np.load(tmp_path / "res" / "y.npy").shape == (4, 5)


def test_mismatched_batches_are_a_run_error(strata, tmp_path):
    gen = np.random.default_rng(0)
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"], name="add")], "two",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    loaded = strata.load(strata.compile(save_model(model, tmp_path, "two"), tmp_path / "out"))
    a = gen.standard_normal((3, 4)).astype(np.float32)
    b = gen.standard_normal((2, 4)).astype(np.float32)
    with pytest.raises(strata.RunError, match=r"input 1 \('b'\): batch 2 differs from the batch 3"):
        loaded.run({"a": a, "b": b})
    (y,) = loaded.run({"a": a, "b": a})
    np.testing.assert_allclose(y, a + a)


@pytest.mark.parametrize("model, message", [
    (batched_cnn(softmax_axis=0), r"node 'softmax' \(Softmax, opset 17\): works along axis 0, the batch"),
])
def test_models_that_mix_samples_are_rejected(strata, tmp_path, model, message):
    with pytest.raises(strata.CompileError, match=message):
        strata.compile(save_model(model, tmp_path, "mixed"), tmp_path / "out")


def test_merging_the_batch_is_rejected(strata, tmp_path):
    """Reshape to [1, -1] folds the batch into the second dimension."""
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="merge")], "merge",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, None])],
        [numpy_helper.from_array(np.array([1, -1], np.int64), "shape")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(strata.CompileError,
                       match=r"node 'merge' \(Reshape, opset 17\): does not keep the batch as the "
                             r"leading dimension of its result \(tensor<1x4xf32> at batch 1, "
                             r"tensor<1x8xf32> at batch 2\)"):
        strata.compile(save_model(model, tmp_path, "merge"), tmp_path / "out")


def test_other_dynamic_dims_still_need_pinning(strata, tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], "hw",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, "H", "W"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = save_model(model, tmp_path, "hw")
    with pytest.raises(strata.CompileError, match=r"input 'x' has a dynamic shape 'tensor<\?x3x\?x\?xf32>'"):
        strata.compile(path, tmp_path / "out")
    lib = strata.compile(path, tmp_path / "out", input_shapes={"x": (2, 3, 4, 5)})
    assert strata.load(lib).inputs[0][2] == (2, 3, 4, 5)


def test_per_tensor_quantize_dequantize_run_per_sample(strata, tmp_path):
    """A per-tensor QuantizeLinear / DequantizeLinear (the QDQ form that
    calibrators write) uses no axis, so a symbolic-batch model with them
    runs sample by sample."""
    graph = helper.make_graph(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
         helper.make_node("DequantizeLinear", ["q", "s", "z"], ["d"], name="dq"),
         helper.make_node("Relu", ["d"], ["y"], name="relu")], "qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])],
        [numpy_helper.from_array(np.array(0.05, np.float32), "s"),
         numpy_helper.from_array(np.array(128, np.uint8), "z")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    lib = strata.compile(save_model(model, tmp_path, "qdq"), tmp_path / "out", name="qdq")
    feeds = {"x": np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)}
    check_against_onnxruntime(strata, lib, model, feeds)
