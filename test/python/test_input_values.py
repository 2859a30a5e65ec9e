"""Pinning graph inputs to values at compile time (--input-value,
strata.compile(..., input_values=...)): the pinned input folds like a
constant, stays in the signature, and the runtime rejects other values.
Results are compared with onnxruntime (rtol 1e-4, atol 1e-5, harness.py)."""
import numpy as np
import pytest
from onnx import TensorProto, helper

from harness import (assert_close, check_clean_failure, check_tool_ok,
                     run_onnxruntime, run_tool, save_model)


def reduce_sum_model():
    """y = ReduceSum(x, axes) with axes a graph input of unknown length."""
    graph = helper.make_graph(
        [helper.make_node("ReduceSum", ["x", "axes"], ["y"], name="rs", keepdims=1)],
        "rs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4, 5]),
               helper.make_tensor_value_info("axes", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def reshape_clip_model():
    """y = Clip(Reshape(x, shape), lo, hi): an int64 and two float pins."""
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
         helper.make_node("Clip", ["r", "lo", "hi"], ["y"], name="clip")],
        "rc", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
               helper.make_tensor_value_info("shape", TensorProto.INT64, [3]),
               helper.make_tensor_value_info("lo", TensorProto.FLOAT, []),
               helper.make_tensor_value_info("hi", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


X = np.random.default_rng(3).standard_normal((3, 4, 5)).astype(np.float32)


@pytest.mark.parametrize("axes", [[1], [0, 2], [-1]])
def test_pinned_axes_match_onnxruntime(strata, tmp_path, axes):
    model = reduce_sum_model()
    lib = strata.compile(save_model(model, tmp_path, "rs"), tmp_path / "out",
                         input_values={"axes": axes})
    feeds = {"x": X, "axes": np.array(axes, np.int64)}
    (y,) = strata.load(lib).run(feeds)
    assert_close(y, run_onnxruntime(model, feeds)["y"], "y")


def test_float_and_int_pins_with_numpy_values(strata, tmp_path):
    model = reshape_clip_model()
    values = {"shape": np.array([3, 2, 2]), "lo": np.float32(-0.25), "hi": 0.5}
    lib = strata.compile(save_model(model, tmp_path, "rc"), tmp_path / "out",
                         input_values=values)
    feeds = {"x": np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6),
             "shape": np.array([3, 2, 2], np.int64),
             "lo": np.array(-0.25, np.float32), "hi": np.array(0.5, np.float32)}
    (y,) = strata.load(lib).run(feeds)
    assert_close(y, run_onnxruntime(model, feeds)["y"], "y")


def test_another_value_at_run_time_is_rejected(strata, tmp_path):
    lib = strata.compile(save_model(reduce_sum_model(), tmp_path, "rs"),
                         tmp_path / "out", input_values={"axes": [0, 2]})
    model = strata.load(lib)
    with pytest.raises(strata.RunError,
                       match=r"input 1 \('axes'\): .*--input-value.*element 1 differs"):
        model.run({"x": X, "axes": np.array([0, 1], np.int64)})


def test_unpinned_input_error_says_how_to_pin(strata, tmp_path):
    with pytest.raises(strata.CompileError,
                       match=r"node 'rs' \(ReduceSum, opset 18\): input 'axes' must be a "
                             r"constant .*graph input 'axes'.*--input-value axes="):
        strata.compile(save_model(reduce_sum_model(), tmp_path, "rs"), tmp_path / "out")


@pytest.mark.parametrize("values, message", [
    ({"axes": ["x"]}, r"--input-value axes: 'x' is not an integer"),
    ({"axis": [0]}, r"--input-value names 'axis', which is not a graph input"),
    ({"shape": [3, 4]}, r"the input has 3 element\(s\) \(shape \[3\]\), the value lists 2"),
    ({"shape": [3, 2, 2**40]}, None),
])
def test_bad_values_are_rejected(strata, tmp_path, values, message):
    path = save_model(reshape_clip_model() if "shape" in values else reduce_sum_model(),
                      tmp_path, "m")
    if message is None:  # fits int64 but not the Reshape: the node says so
        with pytest.raises(strata.CompileError, match=r"node 'reshape' \(Reshape"):
            strata.compile(path, tmp_path / "out", input_values=values)
        return
    with pytest.raises(strata.CompileError, match=message):
        strata.compile(path, tmp_path / "out", input_values=values)


def test_cli_input_value(tools, tmp_path):
    model = reduce_sum_model()
    onnx_path = save_model(model, tmp_path, "rs")
    out = tmp_path / "out"
    check_tool_ok(run_tool([tools.compile, onnx_path, "-o", out, "--input-value", "axes=[0, 2]"]))
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "axes.npy", np.array([0, 2], np.int64))
    args = [tools.run, out / "librs.so", "--input", f"x={tmp_path / 'x.npy'}",
            "--input", f"axes={tmp_path / 'axes.npy'}", "--output-dir", tmp_path / "res"]
    check_tool_ok(run_tool(args))
    assert_close(np.load(tmp_path / "res" / "y.npy"), X.sum(axis=(0, 2), keepdims=True), "y")
    np.save(tmp_path / "axes.npy", np.array([1, 2], np.int64))
    check_clean_failure(run_tool(args), "('axes')", "--input-value")
    check_clean_failure(run_tool([tools.compile, onnx_path, "-o", out, "--input-value", "axes"]),
                        "--input-value axes: expected NAME=v0,v1,...")
