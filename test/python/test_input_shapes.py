"""Pinning dynamic input dimensions at compile time: strata.compile(...,
input_shapes=...) against onnxruntime, and its errors."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import check_against_onnxruntime, save_model


def dynamic_cnn():
    """Conv + Relu + GlobalAveragePool + Flatten on x: [N, 3, H, W]."""
    gen = np.random.default_rng(7)
    w = numpy_helper.from_array(gen.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["y"], name="flatten")]
    graph = helper.make_graph(
        nodes, "dyn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("shape", [(1, 3, 8, 8), (3, 3, 5, 11)])
def test_pinned_shapes_match_onnxruntime(strata, tmp_path, shape):
    model = dynamic_cnn()
    path = save_model(model, tmp_path, "dyn")
    lib = strata.compile(path, tmp_path / "out", name="dyn", input_shapes={"x": shape})
    feeds = {"x": np.random.default_rng(0).standard_normal(shape).astype(np.float32)}
    check_against_onnxruntime(strata, lib, model, feeds)
    assert strata.load(lib).inputs[0][2] == shape


def test_unpinned_dynamic_input_is_a_clear_error(strata, tmp_path):
    path = save_model(dynamic_cnn(), tmp_path, "dyn")
    with pytest.raises(strata.CompileError, match=r"input 'x' has a dynamic shape .*input_shapes"):
        strata.compile(path, tmp_path / "out")


@pytest.mark.parametrize("shapes, message", [
    ({"x": (1, 4, 8, 8)}, r"only dynamic dimensions can be pinned"),
    ({"x": (1, 3, 8)}, r"the rank differs"),
    ({"image": (1, 3, 8, 8)}, r"'image', which is not a graph input \(inputs: 'x'\)"),
])
def test_bad_pins_are_rejected(strata, tmp_path, shapes, message):
    path = save_model(dynamic_cnn(), tmp_path, "dyn")
    with pytest.raises(strata.CompileError, match=message):
        strata.compile(path, tmp_path / "out", input_shapes=shapes)


def test_scalar_input_keeps_rank_zero(strata, tmp_path):
    """A 0-d input stays 0-d on its way to the runtime."""
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "x"], ["y"])], "scalar",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    lib = strata.compile(save_model(model, tmp_path, "scalar"), tmp_path / "out")
    (y,) = strata.load(lib).run({"x": np.array(3.0, np.float32)})
    assert y.shape == () and y == 9.0
