"""Integer products on the dot-product kernels: strata-fold-qdq turns QDQ
convolutions and products, and MatMulInteger with a constant int8 B, into
i8 x i8 -> i32 ops; strata-pack-int8-rhs and strata-lower-int8-contractions
run them on vpdpbusd (AVX-512 VNNI, AVX-VNNI), vpmaddubsw (AVX2 on Zen 1 to
3: --mcpu=znver3, with B's overflowing pairs split into a residual) or
vpmaddwd (other AVX2).

* Exact: MatMulInteger's i32 output equals numpy's int32 product, for uint8
  and int8 A with a zero point, on every x86 target this machine runs: the
  host, x86-64-v3 (vpmaddwd) and x86-64 (no kernel: loops). The shapes
  cover every remainder of the register blocks (rows, panels, lanes, K not
  a multiple of 4). Weights at the ends of int8's range, with A at 255
  and 0, check that no pair of u8 x s8 products saturates vpmaddubsw. The
  LLVM IR is checked for the instruction the target should use, so a test
  cannot pass on the fallback loops.
* QDQ: networks quantized by onnxruntime's quantize_static (uint8
  activations, per-channel int8 weights) match onnxruntime within one
  quantization step of the output.
"""

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper, numpy_helper


GEN = np.random.default_rng(5)

# (M, K, N) with 6-row / 4-panel (AVX-512) and 4-row / 2-panel (AVX2)
# blocks: remainders of each, N % 16 and % 8, K % 4.
SHAPES = [(1, 16, 16), (7, 27, 24), (13, 64, 70), (6, 100, 128), (25, 3, 8),
          (64, 256, 40)]


def x86_targets(strata):
    """(target, IR marker of its int8 kernel or None) runnable here; a
    target is a preset or "znver3" (x86-64-v3 code tuned for Zen 3: the
    vpmaddubsw kernel)."""
    runnable = set(strata.runnable_targets())
    if "x86-64" not in runnable:
        pytest.skip("not an x86-64 host")
    features = strata.cpu_features()
    host = ("vpdpbusd" if "avx512vnni" in features or "avxvnni" in features
            else "pmadd" if "avx2" in features else None)
    targets = [("host", host), ("x86-64", None)]
    if "x86-64-v3" in runnable:
        targets.append(("x86-64-v3", "pmadd.wd"))
        # Zen 3 code (with its VAES) runs on Zen 3 and newer AMD cores.
        with open("/proc/cpuinfo") as f:
            amd = "AuthenticAMD" in f.read()
        if amd and "vaes" in features:
            # vpmaddubsw, or vpmaddwd where B's residual would be dense
            # (max-residual): uniform random weights are.
            targets.append(("znver3", "pmadd"))
    return targets


def target_options(target):
    if target == "znver3":
        return {"target": "x86-64-v3", "target_cpu": "znver3"}
    return {"target": target}


def matmul_integer(m, k, n, a_type, batch=None):
    a_shape = [batch, m, k] if batch else [m, k]
    b = GEN.integers(-128, 127, (k, n), endpoint=True).astype(np.int8)
    za = np.array(GEN.integers(0, 255) if a_type == TP.UINT8
                  else GEN.integers(-128, 127),
                  dtype=np.uint8 if a_type == TP.UINT8 else np.int8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b", "za", "zb"], ["y"])], "mmi",
        [helper.make_tensor_value_info("a", a_type, a_shape)],
        [helper.make_tensor_value_info("y", TP.INT32, a_shape[:-1] + [n])],
        [numpy_helper.from_array(b, "b"), numpy_helper.from_array(za, "za"),
         numpy_helper.from_array(np.array(0, np.int8), "zb")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    dtype = np.uint8 if a_type == TP.UINT8 else np.int8
    info = np.iinfo(dtype)
    a = GEN.integers(info.min, info.max, a_shape, endpoint=True).astype(dtype)
    expected = (a.astype(np.int32) - np.int32(za)) @ b.astype(np.int32)
    return model, a, expected


def compile_for(strata, model, tmp_path, stem, target, emit="lib"):
    path = tmp_path / f"{stem}.onnx"
    onnx.save(model, str(path))
    return strata.compile(path, tmp_path / f"{stem}-{target}-{emit}", name="net",
                          emit=emit, **target_options(target))


@pytest.mark.parametrize("a_type", [TP.UINT8, TP.INT8], ids=["u8", "s8"])
def test_matmul_integer_exact(strata, tmp_path, a_type):
    for target, marker in x86_targets(strata):
        for m, k, n in SHAPES:
            model, a, expected = matmul_integer(m, k, n, a_type)
            stem = f"mmi_{m}_{k}_{n}"
            lib = compile_for(strata, model, tmp_path, stem, target)
            (got,) = strata.load(lib).run({"a": a})
            np.testing.assert_array_equal(
                got, expected, err_msg=f"{target}: {m}x{k}x{n}")
        if marker:
            ir = open(compile_for(strata, model, tmp_path, stem, target, "llvm")).read()
            assert marker in ir, f"{target}: no {marker} in the LLVM IR"


def test_matmul_integer_extreme_pairs_exact(strata, tmp_path):
    """Adjacent k pairs of B at 127 + 127 and -128 + -128 (and mixed), with
    A at 255 and 0: 255 * 254 overflows a vpmaddubsw pair, so these pairs
    are split between B and its residual. Every target gives numpy's sums;
    the znver3 code runs vpmaddubsw (4 of the 33 panel k groups have a
    residual, under max-residual)."""
    m, k, n = 9, 44, 24
    b = GEN.integers(-20, 20, (k, n), endpoint=True).astype(np.int8)
    b[:8, :8] = 127
    b[8:16, 8:16] = -128
    b[16:18, 16:24] = [[127, -128] * 4, [-128, 127] * 4]
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])], "mmi",
        [helper.make_tensor_value_info("a", TP.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TP.INT32, [m, n])],
        [numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    a = GEN.choice(np.array([255, 0, 254], np.uint8), (m, k))
    a[0] = 255
    expected = a.astype(np.int32) @ b.astype(np.int32)
    for target, marker in x86_targets(strata):
        lib = compile_for(strata, model, tmp_path, "extreme", target)
        (got,) = strata.load(lib).run({"a": a})
        np.testing.assert_array_equal(got, expected, err_msg=target)
        if target == "znver3":
            marker = "pmadd.ub.sw"
        if marker:
            ir = open(compile_for(strata, model, tmp_path, "extreme", target,
                                  "llvm")).read()
            assert marker in ir, f"{target}: no {marker} in the LLVM IR"


def test_matmul_integer_batched_rows(strata, tmp_path):
    """A 3-D A: the batch and M loops are the kernel's rows."""
    model, a, expected = matmul_integer(9, 40, 24, TP.UINT8, batch=3)
    for target, _ in x86_targets(strata):
        lib = compile_for(strata, model, tmp_path, "mmi3d", target)
        (got,) = strata.load(lib).run({"a": a})
        np.testing.assert_array_equal(got, expected, err_msg=target)


def qdq_model(tmp_path, name, nodes, inits, x_shape, y_shape):
    """The fp32 model quantized by onnxruntime (QDQ, uint8 activations,
    per-channel int8 weights), and an input."""
    from onnxruntime import quantization as q
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TP.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TP.FLOAT, y_shape)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    fp32 = tmp_path / f"{name}.fp32.onnx"
    int8 = tmp_path / f"{name}.onnx"
    onnx.save(model, str(fp32))
    samples = [GEN.uniform(-2, 2, x_shape).astype(np.float32) for _ in range(3)]

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            self.feeds = iter({"x": s} for s in samples)

        def get_next(self):
            return next(self.feeds, None)

    q.quantize_static(str(fp32), str(int8), Reader(), quant_format=q.QuantFormat.QDQ,
                      per_channel=True, activation_type=q.QuantType.QUInt8,
                      weight_type=q.QuantType.QInt8)
    return onnx.load(str(int8)), samples[0]


def weight(*shape):
    return GEN.normal(0, 0.3, shape).astype(np.float32)


QDQ_CASES = {
    # 3x3 with padding (the im2col path), ReLU fused into the quantization.
    "conv3x3": ([helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
                 helper.make_node("Relu", ["c"], ["y"])],
                {"w": weight(24, 8, 3, 3), "b": weight(24)}, [1, 8, 9, 9], [1, 24, 9, 9]),
    # 1x1 with stride 2 (im2col), an odd number of filters.
    "conv1x1_strided": ([helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2])],
                        {"w": weight(10, 16, 1, 1)}, [1, 16, 8, 8], [1, 10, 4, 4]),
    # 1x1 (a matrix product over the pixels).
    "conv1x1": ([helper.make_node("Conv", ["x", "w", "b"], ["y"])],
                {"w": weight(40, 32, 1, 1), "b": weight(40)}, [1, 32, 7, 7], [1, 40, 7, 7]),
    # Depthwise 3x3, stride 2 (vectorized i32 blocks, no dot product).
    "depthwise": ([helper.make_node("Conv", ["x", "w"], ["y"], group=24, strides=[2, 2],
                                    pads=[1, 1, 1, 1])],
                  {"w": weight(24, 1, 3, 3)}, [1, 24, 10, 10], [1, 24, 5, 5]),
    # Gemm with transB and a bias; N = 1000 leaves a partial panel.
    "gemm": ([helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)],
             {"w": weight(1000, 64), "b": weight(1000)}, [2, 64], [2, 1000]),
    # MatMul of a 3-D activation.
    "matmul": ([helper.make_node("MatMul", ["x", "w"], ["y"])],
               {"w": weight(48, 36)}, [2, 5, 48], [2, 5, 36]),
}


@pytest.mark.parametrize("case", sorted(QDQ_CASES))
def test_qdq_within_one_step(strata, tmp_path, case):
    """Against onnxruntime where it has VNNI (exact sums); without, its
    vpmaddubsw saturates pairs of products, and the reference is ONNX's
    evaluator (float math between the exact DequantizeLinear and
    QuantizeLinear)."""
    model, x = qdq_model(tmp_path, case, *QDQ_CASES[case])
    features = strata.cpu_features()
    if "avx512vnni" in features or "avxvnni" in features:
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(model.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
        (expected,) = session.run(None, {"x": x})
    else:
        from onnx import version_converter
        from onnx.reference import ReferenceEvaluator
        # The evaluator's DequantizeLinear starts at opset 19.
        upgraded = version_converter.convert_version(model, 21)
        (expected,) = ReferenceEvaluator(upgraded).run(None, {"x": x})
    # The output's quantization step: the scale of its last
    # DequantizeLinear.
    output_dq = next(n for n in model.graph.node if n.output[0] == "y")
    scales = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    step = float(scales[output_dq.input[1]])
    for target, marker in x86_targets(strata):
        lib = compile_for(strata, model, tmp_path, case, target)
        (got,) = strata.load(lib).run({"x": x})
        worst = float(np.abs(got - expected).max())
        assert worst <= step * 1.001, f"{target}: {worst / step:.2f} steps off"
        if marker and case != "depthwise":
            ir = open(compile_for(strata, model, tmp_path, case, target, "llvm")).read()
            assert marker in ir, f"{target}: no {marker} in the LLVM IR"


@pytest.mark.parametrize("op", ["ConvInteger", "QLinearConv"])
def test_integer_conv_exact(strata, tmp_path, op):
    """ConvInteger / QLinearConv with a constant int8 weight (zero point 0)
    and a constant input zero point: the padding holds the zero point. The
    reference is ONNX's evaluator (exact integer sums)."""
    from onnx.reference import ReferenceEvaluator
    w = GEN.integers(-128, 127, (12, 6, 3, 3), endpoint=True).astype(np.int8)
    inits = {"w": w, "xz": np.array(131, np.uint8), "wz": np.array(0, np.int8)}
    if op == "ConvInteger":
        inputs = ["x", "w", "xz", "wz"]
        out_type = TP.INT32
    else:
        inits.update(xs=np.array(0.05, np.float32), ws=np.full(12, 0.01, np.float32),
                     ys=np.array(0.9, np.float32), yz=np.array(120, np.uint8),
                     b=GEN.integers(-500, 500, 12).astype(np.int32))
        inputs = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"]
        out_type = TP.UINT8
    node = helper.make_node(op, inputs, ["y"], pads=[1, 1, 1, 1], strides=[2, 1])
    graph = helper.make_graph(
        [node], op, [helper.make_tensor_value_info("x", TP.UINT8, [1, 6, 9, 8])],
        [helper.make_tensor_value_info("y", out_type, [1, 12, 5, 8])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    x = GEN.integers(0, 255, (1, 6, 9, 8), endpoint=True).astype(np.uint8)
    (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    for target, marker in x86_targets(strata):
        lib = compile_for(strata, model, tmp_path, op, target)
        (got,) = strata.load(lib).run({"x": x})
        if op == "ConvInteger":
            np.testing.assert_array_equal(got, expected, err_msg=target)
        else:  # rounding of the requantization: within one step
            assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1, target
        if marker:
            ir = open(compile_for(strata, model, tmp_path, op, target, "llvm")).read()
            assert marker in ir, f"{target}: no {marker} in the LLVM IR"
