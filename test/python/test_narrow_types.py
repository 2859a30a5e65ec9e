"""ONNX's narrow types end to end: float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ,
E8M0), float4 (E2M1) and 4-bit / 2-bit integers, through Cast, graph
inputs and outputs (ml_dtypes arrays, one element per byte) and
initializers (packed in the model).

The reference is ml_dtypes (what onnx's reference implementation and its
backend tests use: onnx.numpy_helper.saturate_cast for saturating float8
casts, to_float8e8m0 for E8M0), not onnxruntime, which lacks kernels for
most of these types. Results must match bit for bit, except that any NaN
matches any NaN.
"""

import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

F8 = {
    "f8e4m3fn": (TP.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
    "f8e4m3fnuz": (TP.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
    "f8e5m2": (TP.FLOAT8E5M2, ml_dtypes.float8_e5m2),
    "f8e5m2fnuz": (TP.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
}
MINIFLOATS = dict(F8, f4e2m1=(TP.FLOAT4E2M1, ml_dtypes.float4_e2m1fn),
                  f8e8m0=(TP.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu))
INTS = {
    "i4": (TP.INT4, ml_dtypes.int4, 4), "u4": (TP.UINT4, ml_dtypes.uint4, 4),
    "i2": (TP.INT2, ml_dtypes.int2, 2), "u2": (TP.UINT2, ml_dtypes.uint2, 2),
}
NP_OF = {TP.FLOAT: np.float32, TP.FLOAT16: np.float16, TP.INT8: np.int8,
         TP.UINT8: np.uint8, TP.INT32: np.int32}


def cast_model(from_type, to_type, shape, **attrs):
    node = helper.make_node("Cast", ["x"], ["y"], to=to_type, **attrs)
    graph = helper.make_graph(
        [node], "cast",
        [helper.make_tensor_value_info("x", from_type, shape)],
        [helper.make_tensor_value_info("y", to_type, shape)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])


def run(strata, compile_api, model, *inputs):
    model_lib = strata.load(compile_api(model))
    return model_lib.run(list(inputs))


def assert_same(actual, expected):
    """Same dtype and shape; equal bits, any NaN matching any NaN."""
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape
    a = actual.astype(np.float32) if actual.dtype.itemsize == 1 else actual
    e = expected.astype(np.float32) if expected.dtype.itemsize == 1 else expected
    nan = np.isnan(e) if e.dtype.kind == "f" else np.zeros(e.shape, bool)
    if nan.any():
        assert np.isnan(a[nan]).all(), f"NaN expected at {np.nonzero(nan)}"
    bits = np.uint8 if actual.dtype.itemsize == 1 else np.uint16 \
        if actual.dtype.itemsize == 2 else np.uint32
    got, want = actual.view(bits)[~nan], expected.view(bits)[~nan]
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, (
        f"{bad.size} of {got.size} differ, e.g. inputs at {bad[:8]}: "
        f"got {got[bad[:8]]}, expected {want[bad[:8]]}")


def interesting_f32(dtype):
    """Specials, every representable value of `dtype`, the midpoints
    between neighbours (ties), values just around them and past the
    largest, and random values across the exponent range."""
    codes = np.arange(256 if np.dtype(dtype).itemsize == 1 else 16,
                      dtype=np.uint8)
    if dtype is ml_dtypes.float4_e2m1fn:
        codes = codes[:16]
    values = codes.view(dtype).astype(np.float32)
    finite = np.unique(np.abs(values[np.isfinite(values)]))
    mids = (finite[:-1] + finite[1:]) / 2
    big = float(ml_dtypes.finfo(dtype).max)
    rng = np.random.default_rng(7)
    random = (rng.standard_normal(2000) *
              np.exp2(rng.integers(-24, 20, 2000))).astype(np.float32)
    base = np.concatenate([
        finite, mids, np.nextafter(mids, np.float32(0)),
        np.nextafter(mids, np.float32(np.inf)),
        [big * 1.03, big * 1.06, big * 1.1, big * 2, 3e38, 1e-30, 1e-45],
        random]).astype(np.float32)
    return np.concatenate([
        base, -base,
        np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0], np.float32)])


@pytest.mark.parametrize("saturate", [1, 0])
@pytest.mark.parametrize("name", sorted(F8))
def test_f32_to_float8(strata, compile_api, name, saturate):
    onnx_type, dtype = F8[name]
    x = interesting_f32(dtype)
    (y,) = run(strata, compile_api,
               cast_model(TP.FLOAT, onnx_type, [x.size], saturate=saturate), x)
    expected = (numpy_helper.saturate_cast(x, dtype) if saturate
                else x.astype(dtype))
    assert_same(y, expected)


def test_f16_to_float8_and_float4(strata, compile_api):
    for name in ["f8e4m3fn", "f8e5m2fnuz", "f4e2m1"]:
        onnx_type, dtype = MINIFLOATS[name]
        x = interesting_f32(dtype)
        if name == "f4e2m1":  # see test_f32_to_float4
            x = x[~np.isnan(x)]
        with np.errstate(over="ignore"):
            x = x.astype(np.float16)
        (y,) = run(strata, compile_api,
                   cast_model(TP.FLOAT16, onnx_type, [x.size]), x)
        expected = numpy_helper.saturate_cast(x, dtype) if name in F8 \
            else x.astype(dtype)
        assert_same(y, expected)


def test_f32_to_float4(strata, compile_api):
    x = interesting_f32(ml_dtypes.float4_e2m1fn)
    # ml_dtypes turns NaN into a zero of the opposite sign; strata into +0.
    x = x[~np.isnan(x)]
    (y,) = run(strata, compile_api,
               cast_model(TP.FLOAT, TP.FLOAT4E2M1, [x.size]), x)
    assert_same(y, x.astype(ml_dtypes.float4_e2m1fn))


@pytest.mark.parametrize("to_type", [TP.FLOAT, TP.FLOAT16])
@pytest.mark.parametrize("name", sorted(MINIFLOATS))
def test_minifloat_to_float(strata, compile_api, name, to_type):
    """Every code (for 4-bit types also with the unused high bits set,
    which readers ignore)."""
    onnx_type, dtype = MINIFLOATS[name]
    if name == "f4e2m1":
        codes = np.arange(256, dtype=np.uint8)
        reference = (codes & 0xF).view(dtype)
    else:
        codes = np.arange(256, dtype=np.uint8)
        reference = codes.view(dtype)
    x = codes.view(dtype)
    (y,) = run(strata, compile_api, cast_model(onnx_type, to_type, [256]), x)
    assert_same(y, reference.astype(NP_OF[to_type]))


@pytest.mark.parametrize("saturate", [1, 0])
@pytest.mark.parametrize("mode", ["up", "down", "nearest"])
def test_f32_to_e8m0(strata, compile_api, mode, saturate):
    rng = np.random.default_rng(3)
    x = np.concatenate([
        np.array([0.0, -0.0, 1.0, 1.5, 0.75, 3.0, -6.0, 2.0 ** 127,
                  3.0e38, 1.9 * 2.0 ** 127, 1e-40, 2.0 ** -127, 2.0 ** -126,
                  np.nan, np.inf, -np.inf], np.float32),
        rng.integers(0, 2 ** 32, 3000, dtype=np.uint64).astype(np.uint32)
        .view(np.float32)])
    model = cast_model(TP.FLOAT, TP.FLOAT8E8M0, [x.size], saturate=saturate,
                       round_mode=mode)
    (y,) = run(strata, compile_api, model, x)
    expected = numpy_helper.to_float8e8m0(x, bool(saturate), mode)
    assert_same(y, expected)


def expected_float_to_narrow_int(x, dtype, width):
    """A float -> 4-bit / 2-bit integer cast. In range, ml_dtypes' result
    (toward zero). Out of range ONNX leaves the result undefined, and
    ml_dtypes' own result depends on the CPU (0 on some, the wrapped value
    on others), so it is no reference there: strata's documented behavior
    (docs/conformance.md) is to truncate toward zero into 32 bits and keep
    the low bits, computed here exactly in int64."""
    info = ml_dtypes.iinfo(dtype)
    whole = np.trunc(x.astype(np.float64))
    inside = (whole >= info.min) & (whole <= info.max)
    bits = whole.astype(np.int64) & ((1 << width) - 1)
    if info.min < 0:  # two's complement of `width` bits
        bits = np.where(bits >= 1 << (width - 1), bits - (1 << width), bits)
    with np.errstate(invalid="ignore"):
        in_range = x.astype(dtype)
    return np.where(inside, in_range.astype(np.int64), bits).astype(dtype)


@pytest.mark.parametrize("name", sorted(INTS))
def test_narrow_ints(strata, compile_api, name):
    """float -> int (toward zero; out of range: wrap), int -> int (wrap),
    and back to f32 / i8 / u8 for every code, high bits set or not."""
    onnx_type, dtype, width = INTS[name]
    x = np.concatenate([np.arange(-20, 21), [0.4, 0.5, 1.5, 2.7, -1.5,
                                             -2.7, 7.9, -8.9, 100.2]])
    x = x.astype(np.float32)
    (y,) = run(strata, compile_api, cast_model(TP.FLOAT, onnx_type, [x.size]), x)
    assert_same(y, expected_float_to_narrow_int(x, dtype, width))

    i = np.arange(-300, 300, 7, dtype=np.int32)
    (y,) = run(strata, compile_api, cast_model(TP.INT32, onnx_type, [i.size]), i)
    assert_same(y, i.astype(dtype))

    codes = np.arange(256, dtype=np.uint8)
    mask = (1 << width) - 1
    reference = (codes & mask).view(dtype)
    wide = TP.INT8 if name.startswith("i") else TP.UINT8
    for to_type in (TP.FLOAT, wide):
        (y,) = run(strata, compile_api, cast_model(onnx_type, to_type, [256]),
                   codes.view(dtype))
        assert_same(y, reference.astype(NP_OF[to_type]))


def test_float8_to_float8_and_int4(strata, compile_api):
    codes = np.arange(256, dtype=np.uint8).view(ml_dtypes.float8_e5m2)
    (y,) = run(strata, compile_api,
               cast_model(TP.FLOAT8E5M2, TP.FLOAT8E4M3FN, [256], saturate=0),
               codes)
    assert_same(y, codes.astype(np.float32).astype(ml_dtypes.float8_e4m3fn))
    small = np.arange(-20, 21, dtype=np.float32).astype(ml_dtypes.float8_e4m3fn)
    (y,) = run(strata, compile_api,
               cast_model(TP.FLOAT8E4M3FN, TP.INT4, [small.size]), small)
    assert_same(y, expected_float_to_narrow_int(small.astype(np.float32),
                                                ml_dtypes.int4, 4))


def test_initializers(strata, compile_api):
    """Packed 4-bit and 2-bit initializers (raw_data and int32_data, odd
    counts) and a float8 one, cast to f32 inside the model."""
    i4 = np.array([1, -2, 3, -8, 7], dtype=ml_dtypes.int4)
    u2 = np.array([1, 2, 3, 0, 1, 3, 2], dtype=ml_dtypes.uint2)
    f4 = np.array([0.5, -6, 1.5], dtype=ml_dtypes.float4_e2m1fn)
    f8 = np.array([1.5, -2, 448, 0.01], dtype=ml_dtypes.float8_e4m3fn)
    inits = [
        numpy_helper.from_array(i4, "i4"),                      # raw_data
        helper.make_tensor("u2", TP.UINT2, [7], u2.astype(np.int32).tolist()),
        numpy_helper.from_array(f4, "f4"),
        numpy_helper.from_array(f8, "f8"),
    ]
    nodes = [helper.make_node("Cast", [n], [f"y_{n}"], to=TP.FLOAT)
             for n in ("i4", "u2", "f4", "f8")]
    nodes.append(helper.make_node("Identity", ["x"], ["y_x"]))
    outputs = [helper.make_tensor_value_info(f"y_{n}", TP.FLOAT, [a.size])
               for n, a in (("i4", i4), ("u2", u2), ("f4", f4), ("f8", f8))]
    outputs.append(helper.make_tensor_value_info("y_x", TP.INT4, [3]))
    graph = helper.make_graph(
        nodes, "inits", [helper.make_tensor_value_info("x", TP.INT4, [3])],
        outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])
    x = np.array([-1, 5, -8], dtype=ml_dtypes.int4)
    ys = run(strata, compile_api, model, x)
    for y, a in zip(ys, (i4, u2, f4, f8)):
        assert_same(y, a.astype(np.float32))
    assert_same(ys[4], x)


def test_wrong_input_dtype(strata, compile_api):
    model = cast_model(TP.FLOAT8E4M3FN, TP.FLOAT, [2])
    lib = strata.load(compile_api(model))
    assert lib.inputs[0][1] == np.dtype(ml_dtypes.float8_e4m3fn)
    with pytest.raises(strata.RunError, match="expected dtype"):
        lib.run([np.zeros(2, ml_dtypes.float8_e5m2)])
