"""The calibrator (strata.quantize, strata-quantize): it writes standard QDQ
ONNX that onnxruntime runs, close to the fp32 model, and that strata
compiles to the same results as onnxruntime's."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import check_clean_failure, check_tool_ok, run_onnxruntime, run_tool, save_model


def classifier(seed=20):
    """Conv, Relu, Conv, Relu, GlobalAveragePool, Flatten, Gemm, then a
    MatMul of two activations (attention-like), over 3 x 16 x 16 images."""
    gen = np.random.default_rng(seed)

    def w(name, shape, scale):
        return numpy_helper.from_array((gen.standard_normal(shape) * scale).astype(np.float32),
                                       name)
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2],
                         name="conv2"),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["hidden"], transB=1, name="fc"),
        helper.make_node("Unsqueeze", ["hidden", "axis"], ["col"], name="col"),
        helper.make_node("Unsqueeze", ["hidden", "axis0"], ["row"], name="row"),
        helper.make_node("MatMul", ["col", "row"], ["outer"], name="outer"),
        helper.make_node("ReduceSum", ["outer", "axis"], ["logits"], keepdims=0, name="sum"),
    ]
    inits = [w("w1", (16, 3, 3, 3), 0.4), w("b1", (16,), 0.1), w("w2", (32, 16, 3, 3), 0.15),
             w("b2", (32,), 0.1), w("wf", (10, 32), 0.5), w("bf", (10,), 0.1),
             numpy_helper.from_array(np.array([2], np.int64), "axis"),
             numpy_helper.from_array(np.array([1], np.int64), "axis0")]
    graph = helper.make_graph(nodes, "classifier",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                             [1, 3, 16, 16])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                                             [1, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def images(count, seed):
    return np.random.default_rng(seed).uniform(0, 1, (count, 3, 16, 16)).astype(np.float32)


@pytest.fixture
def fp32(tmp_path):
    return save_model(classifier(), tmp_path, "fp32")


def op_types(path):
    return [n.op_type for n in onnx.load(str(path)).graph.node]


@pytest.mark.parametrize("method", ["minmax", "percentile", "entropy"])
def test_qdq_model_runs_in_onnxruntime_and_strata(strata, tmp_path, fp32, method):
    out = tmp_path / f"{method}.onnx"
    ranges = strata.quantize(fp32, {"image": images(16, 1)}, out, method=method)
    # conv1's input, conv2's, the Gemm's, and both MatMul operands.
    assert set(ranges) == {"image", "r1", "flat", "col", "row"}
    types = op_types(out)
    assert types.count("QuantizeLinear") == 5 and types.count("DequantizeLinear") == 8
    m = onnx.load(str(out))
    onnx.checker.check_model(m)
    fp32_model = onnx.load(str(fp32))
    agree = 0
    test = images(40, 2)
    for i in range(len(test)):
        feeds = {"image": test[i:i + 1]}
        want = run_onnxruntime(fp32_model, feeds)["logits"]
        got = run_onnxruntime(m, feeds)["logits"]
        agree += int(want.argmax() == got.argmax())
        # The outer product squares hidden's quantization error.
        assert np.abs(got - want).max() <= 0.2 * np.abs(want).max() + 1e-3
    assert agree >= 36, f"top-1 agreement {agree} / 40"
    lib = strata.compile(out, tmp_path / f"lib_{method}", name="qdq")
    loaded = strata.load(lib)
    for i in range(4):
        feeds = {"image": test[i:i + 1]}
        want = run_onnxruntime(m, feeds)["logits"]
        (got,) = loaded.run(feeds)
        # Both compute the QDQ graph in fp32; they differ only where a value
        # lands within rounding of a quantization step's edge.
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3 * np.abs(want).max())


def test_dynamic_input_shape(strata, tmp_path):
    """A model whose input is [N, 3, H, W] (as exporters write images) is
    calibrated at the samples' shape: its probe is compiled with the
    dynamic dimensions pinned to them."""
    model = classifier()
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for d, name in zip(dims, ("N", None, "H", "W")):
        if name:
            d.ClearField("dim_value")
            d.dim_param = name
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    path = save_model(model, tmp_path, "dynamic")
    out = tmp_path / "dynamic.qdq.onnx"
    ranges = strata.quantize(path, {"image": images(8, 4)}, out)
    assert set(ranges) == {"image", "r1", "flat", "col", "row"}
    feeds = {"image": images(1, 5)}
    want = run_onnxruntime(onnx.load(str(path)), feeds)["logits"]
    got = run_onnxruntime(onnx.load(str(out)), feeds)["logits"]
    assert np.abs(got - want).max() <= 0.2 * np.abs(want).max() + 1e-3


def test_percentile_and_entropy_clip_outliers(strata, tmp_path, fp32):
    data = images(16, 3)
    data[0, 0, 0, 0] = 40.0  # one outlier pixel
    minmax = strata.quantize(fp32, {"image": data}, tmp_path / "a.onnx", method="minmax")
    pct = strata.quantize(fp32, {"image": data}, tmp_path / "b.onnx", method="percentile",
                          percentile=99.9)
    entropy = strata.quantize(fp32, {"image": data}, tmp_path / "c.onnx", method="entropy")
    assert minmax["image"][1] == pytest.approx(40.0)
    assert pct["image"][1] < 1.01
    assert entropy["image"][1] < 10.0
    assert entropy["image"][0] == 0.0  # no negative pixel: [0, T]


def test_per_channel_and_int4_weights(strata, tmp_path, fp32):
    out = tmp_path / "pc.onnx"
    strata.quantize(fp32, {"image": images(8, 4)}, out, per_channel=True, weights="int4")
    m = onnx.load(str(out))
    assert next(o.version for o in m.opset_import if o.domain == "") >= 21
    weights = {i.name: i for i in m.graph.initializer}
    dq = {n.input[0]: n for n in m.graph.node if n.op_type == "DequantizeLinear"
          and n.input[0] in weights and weights[n.input[0]].data_type == 22}
    assert len(dq) == 3  # conv1, conv2, fc
    axes = sorted(next(a.i for a in n.attribute if a.name == "axis") for n in dq.values())
    assert axes == [0, 0, 0]  # filters, and fc's rows (transB)
    scale = numpy_helper.to_array(weights[dq["w1_quantized"].input[1]])
    assert scale.shape == (16,)
    fp32_model = onnx.load(str(fp32))
    feeds = {"image": images(1, 5)}
    want = run_onnxruntime(fp32_model, feeds)["logits"]
    got_ort = run_onnxruntime(m, feeds)["logits"]
    assert np.abs(got_ort - want).max() <= 0.3 * np.abs(want).max()
    (got,) = strata.load(strata.compile(out, tmp_path / "lib4", name="q4")).run(feeds)
    np.testing.assert_allclose(got, got_ort, rtol=1e-3, atol=1e-3 * np.abs(got_ort).max())


def test_cli(tools, tmp_path, fp32):
    data = tmp_path / "cal.npz"
    np.savez(data, image=images(8, 6))
    quantize = tools.bin / "strata-quantize"
    out = tmp_path / "q.onnx"
    proc = check_tool_ok(run_tool([quantize, fp32, "--calibration", data, "-o", out,
                                   "--method", "entropy", "--per-channel"]))
    assert "5 activation tensors calibrated, method entropy, int8 weights, per channel" \
        in proc.stdout
    assert "QuantizeLinear" in op_types(out)
    np.savez(tmp_path / "wrong.npz", pixels=images(2, 7))
    check_clean_failure(run_tool([quantize, fp32, "--calibration", tmp_path / "wrong.npz",
                                  "-o", out]),
                        "the calibration data have no array for input 'image' (they have: "
                        "pixels)")
    check_clean_failure(run_tool([quantize, tmp_path / "missing.onnx", "--calibration", data,
                                  "-o", out]), "model")
    check_clean_failure(run_tool([quantize, fp32, "--calibration", data, "-o", out,
                                  "--method", "magic"]), "invalid choice: 'magic'")


def test_bad_arguments_in_python(strata, tmp_path, fp32):
    with pytest.raises(ValueError, match="unknown method 'magic'"):
        strata.quantize(fp32, {"image": images(2, 8)}, tmp_path / "x.onnx", method="magic")
    with pytest.raises(ValueError, match="no sample"):
        strata.quantize(fp32, {"image": images(0, 8)}, tmp_path / "x.onnx")
