"""Signal and selection ops computed from constants at import or with
constant matrices: window functions, DFT (all variants), CenterCropPad and
Compress, against onnxruntime (rtol 1e-4, atol 1e-5, harness.py; DFT
against onnx's reference at atol 1e-4, as its sums of up to 16 products
round differently)."""
import numpy as np
import pytest
from onnx import TensorProto, helper

from harness import (assert_close, check_against_onnxruntime, run_onnxruntime,
                     save_model)

F = TensorProto.FLOAT


def make(nodes, inputs, outputs, inits=(), opset=20):
    graph = helper.make_graph(nodes, "m", inputs,
                              [helper.make_tensor_value_info(n, F, None) for n in outputs],
                              list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def const_i64(name, values, shape=None):
    values = list(values)
    return helper.make_tensor(name, TensorProto.INT64,
                              [len(values)] if shape is None else shape, values)


@pytest.mark.parametrize("op", ["HannWindow", "HammingWindow", "BlackmanWindow"])
@pytest.mark.parametrize("periodic", [0, 1])
def test_windows_match_onnxruntime(strata, tmp_path, op, periodic):
    model = make([helper.make_node(op, ["n"], ["w"], periodic=periodic),
                  helper.make_node("Mul", ["x", "w"], ["y"])],
                 [helper.make_tensor_value_info("x", F, [10])], ["y"],
                 [const_i64("n", [10], [])], opset=17)
    lib = strata.compile(save_model(model, tmp_path, "win"), tmp_path / "out")
    check_against_onnxruntime(strata, lib, model)


@pytest.mark.parametrize("inverse, onesided, channels, length", [
    (0, 0, 1, None), (0, 1, 1, None), (0, 0, 2, None), (1, 0, 2, None),
    (0, 0, 1, 12), (0, 1, 1, 6), (1, 1, 2, None), (1, 1, 2, 7)])
def test_dft_matches_onnxruntime(strata, tmp_path, inverse, onesided, channels, length):
    inputs = ["x", "len" if length else "", "axis"]
    inits = [const_i64("axis", [1], [])]
    if length:
        inits.append(const_i64("len", [length], []))
    model = make([helper.make_node("DFT", inputs, ["y"], inverse=inverse,
                                   onesided=onesided)],
                 [helper.make_tensor_value_info("x", F, [2, 9, channels])], ["y"], inits)
    feeds = {"x": np.random.default_rng(4).standard_normal((2, 9, channels)).astype(np.float32)}
    lib = strata.compile(save_model(model, tmp_path, "dft"), tmp_path / "out")
    (got,) = strata.load(lib).run(feeds)
    # onnx's reference (numpy.fft): onnxruntime 1.32 differs from numpy for
    # an inverse one-sided DFT of odd length.
    from onnx.reference import ReferenceEvaluator
    (want,) = ReferenceEvaluator(model).run(None, feeds)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape, axes", [([3, 8], None), ([7, 2], None), ([6], [-1])])
def test_center_crop_pad_matches_onnxruntime(strata, tmp_path, shape, axes):
    attrs = {"axes": axes} if axes else {}
    model = make([helper.make_node("CenterCropPad", ["x", "s"], ["y"], **attrs)],
                 [helper.make_tensor_value_info("x", F, [5, 4])], ["y"],
                 [const_i64("s", shape)], opset=18)
    lib = strata.compile(save_model(model, tmp_path, "ccp"), tmp_path / "out")
    check_against_onnxruntime(strata, lib, model)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_compress_with_a_constant_condition(strata, tmp_path, axis):
    attrs = {} if axis is None else {"axis": axis}
    cond = helper.make_tensor("c", TensorProto.BOOL, [3], [True, False, True])
    model = make([helper.make_node("Compress", ["x", "c"], ["y"], **attrs)],
                 [helper.make_tensor_value_info("x", F, [3, 4])], ["y"], [cond], opset=11)
    lib = strata.compile(save_model(model, tmp_path, "compress"), tmp_path / "out")
    check_against_onnxruntime(strata, lib, model)


def test_compress_condition_fed_at_run_time_can_be_pinned(strata, tmp_path):
    model = make([helper.make_node("Compress", ["x", "c"], ["y"], name="compress", axis=1)],
                 [helper.make_tensor_value_info("x", F, [3, 4]),
                  helper.make_tensor_value_info("c", TensorProto.BOOL, [4])], ["y"], opset=11)
    path = save_model(model, tmp_path, "compress")
    with pytest.raises(strata.CompileError, match=r"node 'compress' \(Compress, opset 11\): "
                                                  r"input 'condition' must be a constant"):
        strata.compile(path, tmp_path / "out")
    cond = np.array([False, True, True, False])
    lib = strata.compile(path, tmp_path / "out", input_values={"c": cond})
    feeds = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "c": cond}
    (got,) = strata.load(lib).run(feeds)
    assert_close(got, run_onnxruntime(model, feeds)["y"], "y")
