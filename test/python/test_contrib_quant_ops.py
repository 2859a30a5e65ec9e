"""onnxruntime's quantized contrib ops (domain com.microsoft), which its
quantization tools write into models, against onnxruntime itself.

Quantized outputs may differ from onnxruntime by one step of the output's
scale: onnxruntime computes some of these ops in fixed point, strata in
fp32 between dequantize and quantize. fp32 outputs use the suite's
tolerance, loosened to a part in 1e4 of the output's range for the integer
products (their operands are rounded once by the dynamic quantizer).

The int8 weights of the products stay within +-64: without VNNI,
onnxruntime's u8 x s8 kernel (vpmaddubsw) saturates a pair of products past
32767, and is exact only when each pair of weights is within +-128.
strata's kernels are exact over the whole range (test_int8_kernels checks
them against numpy).
"""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import run_onnxruntime, save_model
from model_builders import pack_nbits

MS = "com.microsoft"


def model(nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, "contrib", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid(MS, 1)])


def scalar(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype), name)


def tensor(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def u8(gen, shape):
    return gen.integers(0, 256, shape, dtype=np.uint8)


def compile_and_run(strata, tmp_path, m, feeds, name):
    lib = strata.compile(save_model(m, tmp_path, name), tmp_path / f"out_{name}", name=name)
    return strata.load(lib).run(feeds)


def check_quantized(strata, tmp_path, m, feeds, name):
    expected = run_onnxruntime(m, feeds)
    got = compile_and_run(strata, tmp_path, m, feeds, name)
    for (out, want), have in zip(expected.items(), got):
        assert have.dtype == want.dtype and have.shape == want.shape, out
        steps = np.abs(have.astype(np.int32) - want.astype(np.int32))
        assert steps.max() <= 1, f"{name}: {out} differs by {steps.max()} steps"
        # Almost everywhere the same value.
        assert (steps == 0).mean() > 0.9, f"{name}: {out} differs too often"


def check_float(strata, tmp_path, m, feeds, name, rtol=1e-4):
    expected = run_onnxruntime(m, feeds)
    got = compile_and_run(strata, tmp_path, m, feeds, name)
    for (out, want), have in zip(expected.items(), got):
        span = float(np.abs(want).max())
        np.testing.assert_allclose(have, want, rtol=rtol, atol=rtol * span,
                                   err_msg=f"{name}: {out}")


@pytest.mark.parametrize("op", ["QLinearAdd", "QLinearMul"])
def test_qlinear_binary(strata, tmp_path, op):
    gen = np.random.default_rng(1)
    inits = [scalar("as", 0.05), scalar("az", 120, np.uint8), scalar("bs", 0.02),
             scalar("bz", 128, np.uint8), scalar("cs", 0.1 if op == "QLinearAdd" else 0.5),
             scalar("cz", 100, np.uint8)]
    node = helper.make_node(op, ["a", "as", "az", "b", "bs", "bz", "cs", "cz"], ["c"],
                            domain=MS, name="q")
    # b broadcasts over a's rows.
    m = model([node], [tensor("a", TensorProto.UINT8, [4, 16]),
                       tensor("b", TensorProto.UINT8, [16])],
              [tensor("c", TensorProto.UINT8, [4, 16])], inits)
    check_quantized(strata, tmp_path, m, {"a": u8(gen, (4, 16)), "b": u8(gen, (16,))}, op)


@pytest.mark.parametrize("op, attrs", [("QLinearSigmoid", {}),
                                       ("QLinearLeakyRelu", {"alpha": 0.1})])
def test_qlinear_unary(strata, tmp_path, op, attrs):
    gen = np.random.default_rng(2)
    inits = [scalar("xs", 0.04), scalar("xz", 128, np.uint8), scalar("ys", 1 / 255),
             scalar("yz", 0 if op == "QLinearSigmoid" else 128, np.uint8)]
    if op == "QLinearLeakyRelu":
        inits[2] = scalar("ys", 0.03)
    node = helper.make_node(op, ["x", "xs", "xz", "ys", "yz"], ["y"], domain=MS, name="q",
                            **attrs)
    m = model([node], [tensor("x", TensorProto.UINT8, [2, 3, 8])],
              [tensor("y", TensorProto.UINT8, [2, 3, 8])], inits)
    check_quantized(strata, tmp_path, m, {"x": u8(gen, (2, 3, 8))}, op)


@pytest.mark.parametrize("channels_last", [0, 1])
def test_qlinear_global_average_pool(strata, tmp_path, channels_last):
    gen = np.random.default_rng(3)
    shape = [1, 5, 6, 8] if channels_last else [1, 8, 5, 6]
    out = [1, 1, 1, 8] if channels_last else [1, 8, 1, 1]
    inits = [scalar("xs", 0.05), scalar("xz", 10, np.uint8), scalar("ys", 0.04),
             scalar("yz", 5, np.uint8)]
    node = helper.make_node("QLinearGlobalAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                            domain=MS, name="gap", channels_last=channels_last)
    m = model([node], [tensor("x", TensorProto.UINT8, shape)],
              [tensor("y", TensorProto.UINT8, out)], inits)
    check_quantized(strata, tmp_path, m, {"x": u8(gen, shape)}, f"gap{channels_last}")


def test_qlinear_average_pool(strata, tmp_path):
    gen = np.random.default_rng(4)
    inits = [scalar("xs", 0.05), scalar("xz", 128, np.uint8), scalar("ys", 0.05),
             scalar("yz", 128, np.uint8)]
    node = helper.make_node("QLinearAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                            domain=MS, name="pool", kernel_shape=[3, 3], strides=[2, 2],
                            pads=[1, 1, 1, 1], count_include_pad=0)
    m = model([node], [tensor("x", TensorProto.UINT8, [1, 4, 9, 9])],
              [tensor("y", TensorProto.UINT8, [1, 4, 5, 5])], inits)
    check_quantized(strata, tmp_path, m, {"x": u8(gen, (1, 4, 9, 9))}, "avgpool")


def test_qlinear_concat(strata, tmp_path):
    gen = np.random.default_rng(5)
    inits = [scalar("ys", 0.06), scalar("yz", 128, np.uint8), scalar("as", 0.05),
             scalar("az", 120, np.uint8), scalar("bs", 0.07), scalar("bz", 130, np.uint8)]
    node = helper.make_node("QLinearConcat", ["ys", "yz", "a", "as", "az", "b", "bs", "bz"],
                            ["y"], domain=MS, name="cat", axis=1)
    m = model([node], [tensor("a", TensorProto.UINT8, [2, 3, 4]),
                       tensor("b", TensorProto.UINT8, [2, 5, 4])],
              [tensor("y", TensorProto.UINT8, [2, 8, 4])], inits)
    check_quantized(strata, tmp_path, m, {"a": u8(gen, (2, 3, 4)), "b": u8(gen, (2, 5, 4))},
                    "concat")


@pytest.mark.parametrize("quantized_output", [True, False])
def test_qgemm(strata, tmp_path, quantized_output):
    """Per-column B scales, transB, an int32 bias, alpha."""
    gen = np.random.default_rng(6)
    w = gen.integers(-64, 65, (12, 32), dtype=np.int8)  # [N, K], transB
    inits = [scalar("as", 0.02), scalar("az", 128, np.uint8), numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(gen.uniform(0.005, 0.02, 12).astype(np.float32), "ws"),
             numpy_helper.from_array(np.zeros(12, np.int8), "wz"),
             numpy_helper.from_array(gen.integers(-5000, 5000, 12).astype(np.int32), "c")]
    names = ["a", "as", "az", "w", "ws", "wz", "c"]
    out_type = TensorProto.FLOAT
    if quantized_output:
        inits += [scalar("ys", 0.5), scalar("yz", 128, np.uint8)]
        names += ["ys", "yz"]
        out_type = TensorProto.UINT8
    node = helper.make_node("QGemm", names, ["y"], domain=MS, name="qgemm", transB=1,
                            alpha=0.5)
    m = model([node], [tensor("a", TensorProto.UINT8, [6, 32])],
              [tensor("y", out_type, [6, 12])], inits)
    feeds = {"a": u8(gen, (6, 32))}
    if quantized_output:
        check_quantized(strata, tmp_path, m, feeds, "qgemm_q")
    else:
        check_float(strata, tmp_path, m, feeds, "qgemm_f")


def test_matmul_integer_to_float(strata, tmp_path):
    gen = np.random.default_rng(7)
    inits = [numpy_helper.from_array(gen.integers(-64, 65, (32, 16), dtype=np.int8), "b"),
             scalar("as", 0.03),
             numpy_helper.from_array(gen.uniform(0.01, 0.02, 16).astype(np.float32), "bs"),
             scalar("az", 128, np.uint8),
             numpy_helper.from_array(gen.integers(-3, 3, 16, dtype=np.int8), "bz"),
             numpy_helper.from_array(gen.standard_normal(16).astype(np.float32), "bias")]
    node = helper.make_node("MatMulIntegerToFloat", ["a", "b", "as", "bs", "az", "bz", "bias"],
                            ["y"], domain=MS, name="mm")
    m = model([node], [tensor("a", TensorProto.UINT8, [5, 32])],
              [tensor("y", TensorProto.FLOAT, [5, 16])], inits)
    check_float(strata, tmp_path, m, {"a": u8(gen, (5, 32))}, "mmitf")


def test_dynamic_quantize_matmul(strata, tmp_path):
    gen = np.random.default_rng(8)
    inits = [numpy_helper.from_array(gen.integers(-64, 65, (64, 24), dtype=np.int8), "b"),
             numpy_helper.from_array(gen.uniform(0.01, 0.02, 24).astype(np.float32), "bs"),
             numpy_helper.from_array(np.zeros(24, np.int8), "bz"),
             numpy_helper.from_array(gen.standard_normal(24).astype(np.float32), "bias")]
    node = helper.make_node("DynamicQuantizeMatMul", ["a", "b", "bs", "bz", "bias"], ["y"],
                            domain=MS, name="dqmm")
    m = model([node], [tensor("a", TensorProto.FLOAT, [3, 7, 64])],
              [tensor("y", TensorProto.FLOAT, [3, 7, 24])], inits)
    feeds = {"a": gen.standard_normal((3, 7, 64)).astype(np.float32)}
    check_float(strata, tmp_path, m, feeds, "dqmm")


def test_unknown_contrib_op_names_the_node(strata, tmp_path):
    node = helper.make_node("QLinearSoftmax", ["x", "xs", "xz", "ys", "yz"], ["y"],
                            domain=MS, name="qsoftmax")
    inits = [scalar("xs", 0.1), scalar("xz", 0, np.uint8), scalar("ys", 0.1),
             scalar("yz", 0, np.uint8)]
    m = model([node], [tensor("x", TensorProto.UINT8, [2, 4])],
              [tensor("y", TensorProto.UINT8, [2, 4])], inits)
    with pytest.raises(strata.CompileError,
                       match=r"node 'qsoftmax' \(QLinearSoftmax, domain 'com.microsoft'"):
        strata.compile(save_model(m, tmp_path, "bad"), tmp_path / "out")


def test_missing_input_names_the_node(strata, tmp_path):
    node = helper.make_node("QLinearAdd", ["a", "as", "az", "b", "bs", "bz"], ["c"],
                            domain=MS, name="short_add")
    inits = [scalar("as", 0.1), scalar("az", 0, np.uint8), scalar("bs", 0.1),
             scalar("bz", 0, np.uint8)]
    m = model([node], [tensor("a", TensorProto.UINT8, [4]), tensor("b", TensorProto.UINT8, [4])],
              [tensor("c", TensorProto.UINT8, [4])], inits)
    with pytest.raises(strata.CompileError, match=r"short_add.*C_scale"):
        strata.compile(save_model(m, tmp_path, "short"), tmp_path / "out")


def small_net():
    """Conv, residual Add, LeakyRelu, Sigmoid gate (Mul), Concat, AveragePool,
    GlobalAveragePool, Gemm: the ops onnxruntime's QOperator quantizer turns
    into QLinear* contrib ops."""
    gen = np.random.default_rng(9)

    def w(name, shape, scale=0.3):
        return numpy_helper.from_array((gen.standard_normal(shape) * scale).astype(np.float32),
                                       name)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Conv", ["c1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], name="conv2"),
        helper.make_node("Add", ["c1", "c2"], ["res"], name="residual"),
        helper.make_node("LeakyRelu", ["res"], ["act"], alpha=0.1, name="leaky"),
        helper.make_node("Sigmoid", ["act"], ["gate"], name="sigmoid"),
        helper.make_node("Mul", ["act", "gate"], ["gated"], name="gating"),
        helper.make_node("Concat", ["gated", "c1"], ["cat"], axis=1, name="concat"),
        helper.make_node("AveragePool", ["cat"], ["pooled"], kernel_shape=[2, 2],
                         strides=[2, 2], name="pool"),
        helper.make_node("GlobalAveragePool", ["pooled"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["logits"], transB=1, name="fc"),
    ]
    inits = [w("w1", (8, 3, 3, 3)), w("b1", (8,), 0.1), w("w2", (8, 8, 3, 3), 0.2),
             w("b2", (8,), 0.1), w("wf", (10, 16)), w("bf", (10,), 0.1)]
    graph = helper.make_graph(nodes, "small", [tensor("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                              [tensor("logits", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_model_quantized_by_onnxruntime_qoperator(strata, tmp_path):
    """onnxruntime.quantization.quantize_static in QOperator format: its
    output holds QLinearConv, QLinearAdd, QLinearLeakyRelu, QLinearSigmoid,
    QLinearMul, QLinearConcat, QLinearAveragePool, QLinearGlobalAveragePool
    and QGemm. strata's logits must match onnxruntime's within two steps of
    the last quantized tensor's scale."""
    import onnx
    from onnxruntime import quantization as q
    gen = np.random.default_rng(10)
    samples = [{"x": gen.standard_normal((1, 3, 16, 16)).astype(np.float32)}
               for _ in range(8)]

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            self.items = iter(samples)

        def get_next(self):
            return next(self.items, None)

    fp32 = save_model(small_net(), tmp_path, "fp32")
    quantized = tmp_path / "q.onnx"
    q.quantize_static(str(fp32), str(quantized), Reader(), quant_format=q.QuantFormat.QOperator,
                      per_channel=True, activation_type=q.QuantType.QUInt8,
                      weight_type=q.QuantType.QInt8)
    m = onnx.load(str(quantized))
    ops = {n.op_type for n in m.graph.node}
    for op in ("QLinearAdd", "QLinearLeakyRelu", "QLinearSigmoid", "QLinearMul",
               "QLinearConcat", "QLinearGlobalAveragePool", "QGemm"):
        assert op in ops, f"{op} not in the quantized model: {sorted(ops)}"
    feeds = samples[0]
    expected = run_onnxruntime(m, feeds)["logits"]
    (got,) = compile_and_run(strata, tmp_path, m, feeds, "qop")
    # The logits are dequantized from QGemm's output: one step is its scale.
    qgemm = next(n for n in m.graph.node if n.op_type == "QGemm")
    values = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    step = float(values[qgemm.input[7]])
    assert np.abs(got - expected).max() <= 2 * step + 1e-6, (got, expected, step)


def test_model_quantized_dynamically_by_onnxruntime(strata, tmp_path):
    """quantize_dynamic on an MLP writes DynamicQuantizeLinear and
    MatMulInteger, or DynamicQuantizeMatMul / MatMulIntegerToFloat after
    onnxruntime's fusions; both forms must match."""
    import onnx
    from onnxruntime import quantization as q
    gen = np.random.default_rng(11)
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h"], name="mm0"),
             helper.make_node("Add", ["h", "b0"], ["hb"], name="add0"),
             helper.make_node("Relu", ["hb"], ["r"], name="relu"),
             helper.make_node("MatMul", ["r", "w1"], ["y"], name="mm1")]
    inits = [numpy_helper.from_array((gen.standard_normal((64, 128)) / 8).astype(np.float32), "w0"),
             numpy_helper.from_array((gen.standard_normal(128) / 10).astype(np.float32), "b0"),
             numpy_helper.from_array((gen.standard_normal((128, 32)) / 11).astype(np.float32), "w1")]
    graph = helper.make_graph(nodes, "mlp", [tensor("x", TensorProto.FLOAT, [4, 64])],
                              [tensor("y", TensorProto.FLOAT, [4, 32])], inits)
    fp32 = save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
                      tmp_path, "mlp")
    quantized = tmp_path / "dyn.onnx"
    # 7-bit weights (within +-64, see the module's docstring).
    q.quantize_dynamic(str(fp32), str(quantized), weight_type=q.QuantType.QInt8,
                       reduce_range=True)
    m = onnx.load(str(quantized))
    feeds = {"x": gen.standard_normal((4, 64)).astype(np.float32)}
    expected = run_onnxruntime(m, feeds)["y"]
    (got,) = compile_and_run(strata, tmp_path, m, feeds, "dyn")
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    # onnxruntime's optimizer fuses the same model into its contrib ops.
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "fused.onnx")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    ort.InferenceSession(str(quantized), options, providers=["CPUExecutionProvider"])
    fused = onnx.load(str(tmp_path / "fused.onnx"))
    contrib = {n.op_type for n in fused.graph.node if n.domain == MS}
    assert contrib & {"DynamicQuantizeMatMul", "MatMulIntegerToFloat"}, sorted(contrib)
    (got,) = compile_and_run(strata, tmp_path, fused, feeds, "fused")
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def matmul_nbits(k, n, block, bits, zero_points, bias, seed=12):
    """A MatMulNBits model over a random fp32 weight quantized block-wise
    along K as onnxruntime's weight-only quantizers do (asymmetric, one
    scale and zero point per block), B packed [N, blocks, block*bits/8]."""
    gen = np.random.default_rng(seed)
    blocks = -(-k // block)
    levels = (1 << bits) - 1
    w = gen.standard_normal((n, blocks * block)).astype(np.float32)
    w[:, k:] = 0
    grouped = w.reshape(n, blocks, block)
    low = np.minimum(grouped.min(axis=2), 0)
    high = np.maximum(grouped.max(axis=2), 0)
    scales = ((high - low) / levels).astype(np.float32)
    zeros = np.clip(np.round(-low / scales), 0, levels).astype(np.uint8)
    q = np.clip(np.round(grouped / scales[..., None]) + zeros[..., None], 0, levels)
    packed, zp_rows = pack_nbits(q.astype(np.uint8), zeros, bits)
    inits = [numpy_helper.from_array(packed, "b"),
             numpy_helper.from_array(scales.reshape(-1), "scales")]
    names = ["a", "b", "scales"]
    if zero_points:
        inits.append(numpy_helper.from_array(zp_rows.reshape(-1), "zp"))
        names.append("zp")
    if bias:
        inits.append(numpy_helper.from_array(gen.standard_normal(n).astype(np.float32), "bias"))
        names += [""] * (5 - len(names)) + ["bias"]
    node = helper.make_node("MatMulNBits", names, ["y"], domain=MS, name="nbits", K=k, N=n,
                            bits=bits, block_size=block)
    return model([node], [tensor("a", TensorProto.FLOAT, [2, 3, k])],
                 [tensor("y", TensorProto.FLOAT, [2, 3, n])], inits)


@pytest.mark.parametrize("k, n, block, bits, zero_points, bias", [
    (64, 24, 32, 4, True, False),
    (80, 16, 16, 4, True, True),   # 5 blocks: zero points padded per row
    (64, 8, 32, 4, False, True),   # zero point 8
    (40, 12, 16, 8, True, False),  # K not a multiple of the block
])
def test_matmul_nbits(strata, tmp_path, k, n, block, bits, zero_points, bias):
    m = matmul_nbits(k, n, block, bits, zero_points, bias)
    feeds = {"a": np.random.default_rng(13).standard_normal((2, 3, k)).astype(np.float32)}
    check_float(strata, tmp_path, m, feeds, f"nbits{k}_{bits}")


def test_matmul_nbits_errors_name_the_node(strata, tmp_path):
    m = matmul_nbits(64, 8, 32, 4, True, False)
    next(a for a in m.graph.node[0].attribute if a.name == "bits").i = 3
    with pytest.raises(strata.CompileError, match=r"nbits.*bits = 3 is not supported"):
        strata.compile(save_model(m, tmp_path, "bits3"), tmp_path / "out")


@pytest.mark.parametrize("symmetric", [False, True])
def test_model_quantized_by_onnxruntime_matmul_nbits(strata, tmp_path, symmetric):
    """onnxruntime's MatMulNBitsQuantizer (int4 weight-only, blocks of 32)
    on a two-layer MLP: every MatMul becomes MatMulNBits."""
    from onnxruntime.quantization import matmul_nbits_quantizer as mq
    gen = np.random.default_rng(14)
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h"], name="mm0"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("MatMul", ["r", "w1"], ["y"], name="mm1")]
    inits = [numpy_helper.from_array((gen.standard_normal((128, 256)) / 11).astype(np.float32),
                                     "w0"),
             numpy_helper.from_array((gen.standard_normal((256, 64)) / 16).astype(np.float32),
                                     "w1")]
    graph = helper.make_graph(nodes, "mlp", [tensor("x", TensorProto.FLOAT, [4, 128])],
                              [tensor("y", TensorProto.FLOAT, [4, 64])], inits)
    fp32 = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    quantizer = mq.MatMulNBitsQuantizer(fp32, block_size=32, is_symmetric=symmetric)
    quantizer.process()
    m = quantizer.model.model
    assert [n.op_type for n in m.graph.node].count("MatMulNBits") == 2
    feeds = {"x": gen.standard_normal((4, 128)).astype(np.float32)}
    check_float(strata, tmp_path, m, feeds, f"nbitsq{int(symmetric)}")


def ocr_net(seq=24, classes=12, hidden=32):
    """A CRNN-style recognizer: Conv + Relu over a 1x8x24 text line, columns
    as time steps, a bidirectional LSTM, and a per-step classifier."""
    gen = np.random.default_rng(15)

    def w(name, shape, scale):
        return numpy_helper.from_array((gen.standard_normal(shape) * scale).astype(np.float32),
                                       name)
    nodes = [
        helper.make_node("Conv", ["image", "cw", "cb"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("ReduceMean", ["r"], ["col"], axes=[2], keepdims=0, name="pool_rows"),
        helper.make_node("Transpose", ["col"], ["steps"], perm=[2, 0, 1], name="to_steps"),
        helper.make_node("LSTM", ["steps", "lw", "lr", "lb"], ["y", "", ""], hidden_size=hidden,
                         direction="bidirectional", name="lstm"),
        helper.make_node("Transpose", ["y"], ["yt"], perm=[0, 2, 1, 3], name="merge"),
        helper.make_node("Reshape", ["yt", "shape"], ["feat"], name="flatten"),
        helper.make_node("MatMul", ["feat", "fw"], ["logits"], name="classifier"),
    ]
    inits = [w("cw", (16, 1, 3, 3), 0.5), w("cb", (16,), 0.1),
             w("lw", (2, 4 * hidden, 16), 0.3), w("lr", (2, 4 * hidden, hidden), 0.2),
             w("lb", (2, 8 * hidden), 0.1),
             numpy_helper.from_array(np.array([seq, 1, 2 * hidden], np.int64), "shape"),
             w("fw", (2 * hidden, classes), 0.3)]
    graph = helper.make_graph(nodes, "ocr", [tensor("image", TensorProto.FLOAT, [1, 1, 8, seq])],
                              [tensor("logits", TensorProto.FLOAT, [seq, 1, classes])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_ocr_model_quantized_dynamically_by_onnxruntime(strata, tmp_path):
    """quantize_dynamic on a CNN + LSTM recognizer writes DynamicQuantizeLSTM
    (and integer convolutions and products). onnxruntime also quantizes the
    LSTM's input and hidden state to uint8 at every product; strata keeps
    them fp32. So the logits must agree to 3 % of their range (1 % seen),
    and the decoded characters (argmax per step) must be the same."""
    import onnx
    from onnxruntime import quantization as q
    fp32 = save_model(ocr_net(), tmp_path, "ocr")
    quantized = tmp_path / "ocr.q.onnx"
    q.quantize_dynamic(str(fp32), str(quantized), weight_type=q.QuantType.QInt8,
                       op_types_to_quantize=["LSTM", "MatMul", "Conv"])
    m = onnx.load(str(quantized))
    assert "DynamicQuantizeLSTM" in {n.op_type for n in m.graph.node}
    gen = np.random.default_rng(16)
    for trial in range(3):
        feeds = {"image": gen.uniform(0, 1, (1, 1, 8, 24)).astype(np.float32)}
        expected = run_onnxruntime(m, feeds)["logits"]
        (got,) = compile_and_run(strata, tmp_path, m, feeds, f"ocr{trial}")
        span = float(np.abs(expected).max())
        assert np.abs(got - expected).max() <= 0.03 * span, np.abs(got - expected).max() / span
        margin = np.sort(expected, axis=-1)
        clear = (margin[..., -1] - margin[..., -2]) > 0.05 * span
        assert (got.argmax(-1) == expected.argmax(-1))[clear].all()


def test_dynamic_quantize_lstm_matches_its_dequantized_weights(strata, tmp_path):
    """The exact reference for what strata computes: the same LSTM in fp32
    with W and R replaced by their dequantized values (onnxruntime's own
    LSTM)."""
    import onnx
    from onnxruntime import quantization as q
    fp32 = save_model(ocr_net(), tmp_path, "ocr")
    quantized = tmp_path / "ocr.q.onnx"
    q.quantize_dynamic(str(fp32), str(quantized), weight_type=q.QuantType.QInt8,
                       op_types_to_quantize=["LSTM"])
    m = onnx.load(str(quantized))
    values = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    reference = onnx.load(str(fp32))
    lstm = next(n for n in m.graph.node if n.op_type == "DynamicQuantizeLSTM")

    def dequantized(w, scale, zero_point):
        wq = values[w].astype(np.float32)
        s, z = values[scale], values[zero_point].astype(np.float32)
        if s.ndim == 2:  # [D, 4H]: per gate column
            s, z = s[:, None, :], z[:, None, :]
        else:
            s, z = s[:, None, None], z[:, None, None]
        return np.transpose((wq - z) * s, (0, 2, 1)).astype(np.float32)
    replaced = {"lw": dequantized(lstm.input[1], lstm.input[8], lstm.input[9]),
                "lr": dequantized(lstm.input[2], lstm.input[10], lstm.input[11])}
    for init in reference.graph.initializer:
        if init.name in replaced:
            init.CopyFrom(numpy_helper.from_array(replaced[init.name], init.name))
    feeds = {"image": np.random.default_rng(17).uniform(0, 1, (1, 1, 8, 24)).astype(np.float32)}
    expected = run_onnxruntime(reference, feeds)["logits"]
    (got,) = compile_and_run(strata, tmp_path, m, feeds, "ocr_exact")
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
