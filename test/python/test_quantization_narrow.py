"""QuantizeLinear / DequantizeLinear to and from ONNX's narrow types:
float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), float4 (E2M1) and the 4-bit /
2-bit integers, end to end.

The oracle is ONNX's reference evaluator (onnxruntime lacks most of these
kernels): float8 is x / scale converted with saturate_cast (or a plain
conversion without `saturate`), float4 adds the zero point first, integers
round half to even, add the zero point and clamp. Results must match bit
for bit (any NaN matching any NaN)."""

import ml_dtypes
import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper
from onnx.reference import ReferenceEvaluator

from test_narrow_types import assert_same, interesting_f32

# x / scale overflows to inf in the reference for the largest inputs.
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered")

FLOAT8 = {
    "f8e4m3fn": (TP.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
    "f8e4m3fnuz": (TP.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
    "f8e5m2": (TP.FLOAT8E5M2, ml_dtypes.float8_e5m2),
    "f8e5m2fnuz": (TP.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
}
INTS = {
    "i4": (TP.INT4, ml_dtypes.int4), "u4": (TP.UINT4, ml_dtypes.uint4),
    "i2": (TP.INT2, ml_dtypes.int2), "u2": (TP.UINT2, ml_dtypes.uint2),
}
ALL = dict(FLOAT8, **INTS, f4e2m1=(TP.FLOAT4E2M1, ml_dtypes.float4_e2m1fn))


def model(op, x_type, s_shape, zp_type, zp_shape, x_shape, **attrs):
    inputs = [helper.make_tensor_value_info("x", x_type, x_shape),
              helper.make_tensor_value_info("s", TP.FLOAT, s_shape)]
    names = ["x", "s"]
    if zp_type is not None:
        inputs.append(helper.make_tensor_value_info("zp", zp_type, zp_shape))
        names.append("zp")
    node = helper.make_node(op, names, ["y"], **attrs)
    out = helper.make_tensor_value_info("y", TP.UNDEFINED, None)
    graph = helper.make_graph([node], op.lower(), inputs, [out])
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", 25)])


def check(strata, compile_api, m, feeds):
    (want,) = ReferenceEvaluator(m).run(None, feeds)
    (got,) = strata.load(compile_api(m)).run(list(feeds.values()))
    assert_same(got, want)


@pytest.mark.parametrize("saturate", [1, 0])
@pytest.mark.parametrize("name", sorted(FLOAT8))
def test_quantize_float8(strata, compile_api, name, saturate):
    onnx_type, dtype = FLOAT8[name]
    x = interesting_f32(dtype)
    m = model("QuantizeLinear", TP.FLOAT, [], onnx_type, [1], [x.size],
              saturate=saturate)
    # The division by 0.5 is exact, so the conversion's rounding is tested.
    check(strata, compile_api, m,
          {"x": x, "s": np.float32(0.5), "zp": np.zeros(1, dtype)})


def test_quantize_float4_zero_point(strata, compile_api):
    dtype = ml_dtypes.float4_e2m1fn
    x = interesting_f32(dtype)
    x = x[~np.isnan(x)]  # ml_dtypes: a signed zero; strata +0
    x = x[: x.size // 3 * 3].reshape(3, -1)
    m = model("QuantizeLinear", TP.FLOAT, [3], TP.FLOAT4E2M1, [3],
              list(x.shape), axis=0)
    check(strata, compile_api, m,
          {"x": x, "s": np.array([1, 0.25, 4], np.float32),
           "zp": np.array([0, 1.5, -2], dtype)})


@pytest.mark.parametrize("name", sorted(INTS))
def test_quantize_int(strata, compile_api, name):
    onnx_type, dtype = INTS[name]
    info = ml_dtypes.iinfo(dtype)
    # Ties, values around the range's ends and past them, per axis.
    base = np.arange(2 * info.min - 2.5, 2 * info.max + 3, 0.25,
                     dtype=np.float32)
    x = np.stack([base, -base])
    zp = np.array([info.min // 2, (info.max + 1) // 2], np.int32).astype(dtype)
    m = model("QuantizeLinear", TP.FLOAT, [2], onnx_type, [2], list(x.shape),
              axis=0)
    check(strata, compile_api, m,
          {"x": x, "s": np.array([1, 0.5], np.float32), "zp": zp})


@pytest.mark.parametrize("name", sorted(ALL))
def test_dequantize(strata, compile_api, name):
    onnx_type, dtype = ALL[name]
    count = 256 if np.dtype(dtype).itemsize == 1 and name.startswith("f8") \
        else 16
    bits = 2 if name in ("i2", "u2") else 4 if count == 16 else 8
    codes = (np.arange(count) % (1 << bits)).astype(np.uint8)
    if name in INTS:
        info = ml_dtypes.iinfo(dtype)
        values = np.arange(count) % (info.max - info.min + 1) + info.min
        x = values.astype(dtype).reshape(-1, 2)
        zp = np.array([info.min, info.max], np.int32).astype(dtype)
    else:
        x = codes.view(dtype).reshape(-1, 2)
        zp = np.zeros(2, dtype)  # float8 / float4: must be 0
    m = model("DequantizeLinear", onnx_type, [2], onnx_type, [2],
              list(x.shape), axis=1)
    check(strata, compile_api, m,
          {"x": x, "s": np.array([0.5, 3], np.float32), "zp": zp})


def test_dequantize_float8_no_zero_point(strata, compile_api):
    dtype = ml_dtypes.float8_e4m3fn
    x = np.arange(256, dtype=np.uint8).view(dtype)
    m = model("DequantizeLinear", TP.FLOAT8E4M3FN, [], None, None, [256])
    check(strata, compile_api, m, {"x": x, "s": np.float32(0.125)})
