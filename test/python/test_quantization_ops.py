"""Quantization ops end to end: QuantizeLinear, DequantizeLinear,
DynamicQuantizeLinear compared with onnxruntime; MatMulInteger,
QLinearMatMul, ConvInteger, QLinearConv with ONNX's reference evaluator
(exact integer products in numpy; see INTEGER_PRODUCT_OPS). Integer outputs
must match exactly, float ones at the f32 tolerance of harness.py (f16 at
rtol 1e-3).

Each case is one small model whose inputs (graph inputs, so nothing folds
at import) are drawn for their type: floats from a normal distribution,
integers uniformly over their whole range."""

import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper
from onnx.reference import ReferenceEvaluator

import model_builders as mb
from harness import ATOL, RTOL, run_onnxruntime

F32, F16, I8, U8 = TP.FLOAT, TP.FLOAT16, TP.INT8, TP.UINT8
I16, U16, I32 = TP.INT16, TP.UINT16, TP.INT32
NP = {F32: np.float32, F16: np.float16, I8: np.int8, U8: np.uint8,
      I16: np.int16, U16: np.uint16, I32: np.int32}

GEN = np.random.default_rng(11)
CASES = {}  # name -> (model, feeds)


def draw(elem, shape, scale=None):
    dtype = NP[elem]
    if np.issubdtype(dtype, np.floating):
        if scale:  # scales: positive, away from zero
            return GEN.uniform(0.02, 0.2, shape).astype(dtype)
        return (GEN.standard_normal(shape) * 4).astype(dtype)
    info = np.iinfo(dtype)
    low, high = (info.min, info.max) if dtype != np.int32 else (-1000, 1000)
    return GEN.integers(low, high, shape, endpoint=True).astype(dtype)


def add(name, op, inputs, attrs=None, opset=21, outputs=("y",), feeds=None,
        reference=False):
    """inputs: [(name, onnx type, shape, kind)] with kind "x" (data),
    "scale" or "" (an absent optional input, type and shape ignored).
    With `reference`, the expected outputs come from ONNX's reference
    evaluator (True) or that function of the feeds, where onnxruntime lacks
    the feature (per-row / per-channel zero points of the integer
    products)."""
    names = [i[0] for i in inputs]
    infos = [mb.value(n, shape, elem) for n, elem, shape, _ in inputs if n]
    node = helper.make_node(op, names, list(outputs), name=name,
                            **(attrs or {}))
    outs = [helper.make_tensor_value_info(o, TP.UNDEFINED, None)
            for o in outputs]  # types and shapes from ONNX's inference
    model = mb.make_model([node], infos, outs, opset=opset)
    values = {n: draw(elem, shape, kind == "scale")
              for n, elem, shape, kind in inputs if n}
    values.update({k: np.asarray(v) for k, v in (feeds or {}).items()})
    CASES[name] = (model, values, reference)


def x(elem, shape, name="x"):
    return (name, elem, shape, "x")


def s(elem, shape, name="s"):
    return (name, elem, shape, "scale")


def zp(elem, shape, name="zp"):
    return (name, elem, shape, "x")


ABSENT = ("", None, None, "")

# QuantizeLinear: per tensor over opsets and types, with and without a zero
# point (uint8 by default, or output_dtype).
for _opset in (10, 13, 19, 21, 23):
    add(f"quantize_u8_opset{_opset}", "QuantizeLinear",
        [x(F32, [3, 4]), s(F32, []), zp(U8, [])], opset=_opset)
for _elem in (I8, U8, I16, U16):
    add(f"quantize_{NP[_elem].__name__}", "QuantizeLinear",
        [x(F32, [2, 3, 4]), s(F32, []), zp(_elem, [])])
add("quantize_no_zero_point", "QuantizeLinear", [x(F32, [6]), s(F32, [])])
add("quantize_output_dtype_int8", "QuantizeLinear", [x(F32, [6]), s(F32, [])],
    {"output_dtype": I8})
add("quantize_one_element_scale", "QuantizeLinear",
    [x(F32, [2, 5]), s(F32, [1]), zp(I8, [1])])
add("quantize_int32_input", "QuantizeLinear",  # not in onnxruntime
    [x(I32, [9]), s(F32, []), zp(I8, [])], opset=23, reference=True)
add("quantize_f16", "QuantizeLinear", [x(F16, [4, 3]), s(F16, []), zp(I8, [])])
# The division is in the wider of x's and the scale's types, as ONNX's
# reference computes it (onnxruntime rounds x to the f16 scale's type
# first), or in `precision`.
add("quantize_f32_by_f16_scale", "QuantizeLinear",
    [x(F32, [64]), s(F16, []), zp(I8, [])], opset=23, reference=True)
add("quantize_precision_f32", "QuantizeLinear",
    [x(F32, [64]), s(F16, []), zp(I8, [])], {"precision": F32}, opset=23)
# Ties round to even; out-of-range values saturate.
add("quantize_ties_and_saturation", "QuantizeLinear",
    [x(F32, [10]), s(F32, []), zp(I8, [])],
    feeds={"x": np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.49, 400, -400, 63.5,
                          -64.5], np.float32),
           "s": np.float32(0.5), "zp": np.int8(-1)})
# Per axis, blocked.
add("quantize_axis1", "QuantizeLinear",
    [x(F32, [2, 3, 4]), s(F32, [3]), zp(U8, [3])], {"axis": 1}, opset=13)
add("quantize_axis_last", "QuantizeLinear",
    [x(F32, [2, 3, 4]), s(F32, [4]), zp(I8, [4])], {"axis": -1})
add("quantize_blocked", "QuantizeLinear",
    [x(F32, [3, 5]), s(F32, [3, 3]), zp(I8, [3, 3])],
    {"axis": 1, "block_size": 2})
add("quantize_blocked_axis0", "QuantizeLinear",
    [x(F32, [4, 3]), s(F32, [2, 3]), zp(U8, [2, 3])],
    {"axis": 0, "block_size": 2})

# DequantizeLinear.
for _elem in (I8, U8, I16, U16):
    add(f"dequantize_{NP[_elem].__name__}", "DequantizeLinear",
        [x(_elem, [3, 4]), s(F32, []), zp(_elem, [])])
add("dequantize_opset10", "DequantizeLinear",
    [x(U8, [5]), s(F32, []), zp(U8, [])], opset=10)
add("dequantize_int32", "DequantizeLinear", [x(I32, [7]), s(F32, [])])
add("dequantize_f16_scale", "DequantizeLinear",
    [x(I8, [2, 3]), s(F16, []), zp(I8, [])], opset=19)
add("dequantize_output_dtype", "DequantizeLinear",
    [x(U8, [2, 5]), s(F32, [5]), zp(U8, [5])],
    {"axis": 1, "output_dtype": F16}, opset=23)
add("dequantize_axis0", "DequantizeLinear",
    [x(U8, [3, 2, 2]), s(F32, [3]), zp(U8, [3])], {"axis": 0}, opset=13)
add("dequantize_blocked", "DequantizeLinear",
    [x(I8, [2, 6, 3]), s(F32, [2, 2, 3]), zp(I8, [2, 2, 3])],
    {"axis": 1, "block_size": 3})

# DynamicQuantizeLinear.
add("dynamic_quantize", "DynamicQuantizeLinear", [x(F32, [3, 5])],
    opset=11, outputs=("y", "y_scale", "y_zero_point"))
add("dynamic_quantize_positive", "DynamicQuantizeLinear", [x(F32, [8])],
    opset=11, outputs=("y", "y_scale", "y_zero_point"),
    feeds={"x": GEN.uniform(1, 3, [8]).astype(np.float32)})

# MatMulInteger: (a - za) x (b - zb) in int32.
for _a, _b in ((U8, U8), (I8, I8), (U8, I8)):
    _name = f"matmul_integer_{NP[_a].__name__}_{NP[_b].__name__}"
    add(_name, "MatMulInteger",
        [x(_a, [3, 5], "a"), x(_b, [5, 4], "b"), zp(_a, [], "za"),
         zp(_b, [], "zb")], opset=10)
add("matmul_integer_per_column", "MatMulInteger",
    [x(U8, [3, 5], "a"), x(I8, [5, 4], "b"), zp(U8, [], "za"),
     zp(I8, [4], "zb")], opset=10)


def _per_row_matmul(a, b, za, zb):  # ONNX's definition, per-row za
    wide = lambda v: v.astype(np.int32)
    return [(wide(a) - wide(za)[:, None]) @ (wide(b) - wide(zb))]


# onnxruntime and ONNX's reference both lack a per-row zero point of A.
add("matmul_integer_per_row", "MatMulInteger",
    [x(U8, [3, 5], "a"), x(U8, [5, 4], "b"), zp(U8, [3], "za"),
     zp(U8, [4], "zb")], opset=10, reference=_per_row_matmul)
add("matmul_integer_no_zero_points", "MatMulInteger",
    [x(I8, [2, 3, 5], "a"), x(I8, [5, 4], "b")], opset=10)

# QLinearMatMul.
for _q in (U8, I8):
    for _f in (F32, F16):
        for _shape in ([2, 3], [2, 2, 3]):
            _name = (f"qlinear_matmul_{len(_shape)}d_{NP[_q].__name__}_"
                     f"{NP[_f].__name__}")
            add(_name, "QLinearMatMul",
                [x(_q, _shape, "a"), s(_f, [], "sa"), zp(_q, [], "za"),
                 x(_q, [3, 4], "b"), s(_f, [], "sb"), zp(_q, [], "zb"),
                 s(_f, [], "sy"), zp(_q, [], "zy")])
add("qlinear_matmul_per_column", "QLinearMatMul",
    [x(U8, [3, 6], "a"), s(F32, [], "sa"), zp(U8, [], "za"),
     x(I8, [6, 4], "b"), s(F32, [4], "sb"), zp(I8, [4], "zb"),
     s(F32, [], "sy"), zp(U8, [], "zy")], opset=10,
    feeds={"zb": np.zeros(4, np.int8)})

# ConvInteger and QLinearConv.
add("conv_integer", "ConvInteger",
    [x(U8, [1, 2, 6, 6]), x(U8, [3, 2, 3, 3], "w"), zp(U8, [], "zx"),
     zp(U8, [3], "zw")], {"pads": [1, 0, 1, 2], "strides": [2, 1]}, opset=10,
    reference=True)
add("conv_integer_group", "ConvInteger",
    [x(I8, [1, 4, 5, 5]), x(I8, [4, 2, 2, 2], "w")], {"group": 2}, opset=10)
add("qlinear_conv", "QLinearConv",
    [x(U8, [1, 3, 7, 7]), s(F32, [], "sx"), zp(U8, [], "zx"),
     x(I8, [4, 3, 3, 3], "w"), s(F32, [4], "sw"), zp(I8, [4], "zw"),
     s(F32, [], "sy"), zp(U8, [], "zy"), x(I32, [4], "bias")],
    {"pads": [1, 1, 1, 1], "strides": [2, 2]}, opset=10,
    feeds={"zw": np.zeros(4, np.int8)})
add("qlinear_conv_int8", "QLinearConv",
    [x(I8, [2, 2, 5, 5]), s(F32, [], "sx"), zp(I8, [], "zx"),
     x(I8, [2, 2, 2, 2], "w"), s(F32, [], "sw"), zp(I8, [], "zw"),
     s(F32, [], "sy"), zp(I8, [], "zy")], opset=10,
    feeds={"zw": np.int8(0)})


#: Ops whose integer products need an exact oracle: onnxruntime's u8 x s8
#: kernels on AVX2 CPUs without VNNI add pairs of products in saturating
#: 16-bit lanes (vpmaddubsw), so its results depend on the machine. ONNX's
#: reference evaluator computes them in numpy int32, exactly.
INTEGER_PRODUCT_OPS = {"MatMulInteger", "ConvInteger", "QLinearMatMul",
                       "QLinearConv"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_quantization_op(strata, compile_api, name):
    model, feeds, reference = CASES[name]
    if not reference and model.graph.node[0].op_type in INTEGER_PRODUCT_OPS:
        reference = True
    if reference:
        names = [o.name for o in model.graph.output]
        run = (reference if callable(reference)
               else lambda **f: ReferenceEvaluator(model).run(None, f))
        expected = dict(zip(names, run(**feeds)))
    else:
        expected = run_onnxruntime(model, feeds)
    loaded = strata.load(compile_api(model, "net"))
    assert loaded.output_names == list(expected)
    outputs = loaded.run(feeds)
    for (out, want), got in zip(expected.items(), outputs):
        what = f"{name}: output {out!r}"
        assert got.shape == want.shape, f"{what}: shape {got.shape}"
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}"
        if want.dtype == np.float16:
            np.testing.assert_allclose(got, want, rtol=1e-3, err_msg=what)
        elif np.issubdtype(want.dtype, np.floating):
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL,
                                       err_msg=what)
        else:
            np.testing.assert_array_equal(got, want, err_msg=what)
