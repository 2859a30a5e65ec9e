"""1-D / 3-D convolution and pooling, integer max pooling, pooling with
dilations, the bit-level ops (Mod with fmod=0 on floats, signed BitShift,
BitCast) and GridSample, compared with onnxruntime (or, where it lacks the
op or departs from the spec, onnx's reference implementation: see
REFERENCE_ONLY): f32 at rtol=1e-4, atol=1e-5 (harness.py), integers
exactly.

Each case is one small model (test_tensor_ops.py's builders) and a feeds
builder, or None for f32 random normals."""

import numpy as np
import pytest
from onnx import TensorProto as TP

from harness import assert_same, input_shapes, run_onnxruntime
from test_tensor_ops import model, node

GEN = np.random.default_rng(11)
CASES = {}
# Cases compared with onnx's reference implementation, not onnxruntime.
REFERENCE_ONLY = set()


def case(name, feeds=None):
    def register(builder):
        CASES[name] = (builder, feeds)
        return builder
    return register


def weights(shape, scale=0.3):
    return (GEN.standard_normal(shape) * scale).astype(np.float32)


# ---------------------------------------------------------------------------
# Convolution and pooling over 1 and 3 spatial dimensions
# ---------------------------------------------------------------------------

@case("conv1d_stride_pads_bias")
def _():
    n = node("Conv", ["x", "w", "b"], strides=[2], pads=[2, 1], dilations=[2])
    return model(n, {"x": [2, 3, 13]},
                 inits={"w": weights((5, 3, 3)), "b": weights((5,))})


@case("conv1d_depthwise_same_upper")
def _():
    n = node("Conv", ["x", "w"], group=4, auto_pad="SAME_UPPER")
    return model(n, {"x": [1, 4, 11]}, inits={"w": weights((4, 1, 4))})


@case("conv3d_grouped_strided")
def _():
    n = node("Conv", ["x", "w", "b"], group=2, strides=[1, 2, 2],
             pads=[1, 0, 1, 1, 1, 0], dilations=[2, 1, 1])
    return model(n, {"x": [1, 4, 5, 7, 6]},
                 inits={"w": weights((6, 2, 2, 3, 3)), "b": weights((6,))})


@case("maxpool1d_ceil")
def _():
    return model(node("MaxPool", ["x"], kernel_shape=[3], strides=[2],
                      pads=[1, 0], ceil_mode=1), {"x": [2, 3, 10]})


@case("maxpool3d_dilations")
def _():
    return model(node("MaxPool", ["x"], kernel_shape=[2, 2, 3],
                      dilations=[2, 1, 1], pads=[0, 1, 1, 1, 0, 1]),
                 {"x": [1, 2, 6, 5, 7]})


@case("maxpool2d_int8",
      lambda: {"x": GEN.integers(-128, 128, (1, 2, 5, 7)).astype(np.int8)})
def _():
    return model(node("MaxPool", ["x"], kernel_shape=[2, 3], pads=[1, 1, 1, 1]),
                 {"x": ([1, 2, 5, 7], TP.INT8)}, opset=12)


@case("maxpool2d_uint8",
      lambda: {"x": GEN.integers(0, 256, (1, 2, 5, 7)).astype(np.uint8)})
def _():
    return model(node("MaxPool", ["x"], kernel_shape=[3, 2], strides=[2, 1],
                      pads=[1, 0, 1, 1]),
                 {"x": ([1, 2, 5, 7], TP.UINT8)}, opset=12)


@case("avgpool1d_count_include_pad")
def _():
    return model(node("AveragePool", ["x"], kernel_shape=[4], strides=[3],
                      pads=[2, 2], count_include_pad=1), {"x": [2, 3, 11]})


@case("avgpool3d_pads")
def _():
    return model(node("AveragePool", ["x"], kernel_shape=[2, 3, 2],
                      pads=[1, 1, 0, 0, 1, 1]), {"x": [1, 2, 4, 5, 6]})


@case("avgpool2d_dilations")
def _():
    return model(node("AveragePool", ["x"], kernel_shape=[2, 3],
                      dilations=[2, 2], pads=[1, 1, 1, 1]),
                 {"x": [1, 3, 7, 9]}, opset=19)


@case("avgpool2d_dilations_ceil_include_pad")
def _():
    return model(node("AveragePool", ["x"], kernel_shape=[3, 2], strides=[2, 2],
                      dilations=[1, 2], pads=[1, 1, 1, 1], ceil_mode=1,
                      count_include_pad=1),
                 {"x": [1, 2, 8, 9]}, opset=19)


# ---------------------------------------------------------------------------
# Mod with fmod=0 on floats, signed BitShift, BitCast
# ---------------------------------------------------------------------------

def float_pairs():
    """Mixed signs, zero remainders (signed zeros), infinities, NaN."""
    a = np.array([-4.3, 7.2, 5.0, 4.3, -7.2, 8.0, 0.0, -0.0, -3.0, 3.0, -1.0,
                  1.0, np.inf, 1.0, np.nan, 6.0], np.float32)
    b = np.array([2.1, -3.4, 8.0, -2.1, 3.4, 5.0, -2.0, 2.0, np.inf, np.inf,
                  -np.inf, -np.inf, 2.0, 0.0, 2.0, -3.0], np.float32)
    return {"a": a, "b": b}


for _dtype, _elem in [(np.float32, TP.FLOAT), (np.float16, TP.FLOAT16)]:
    case(f"mod_float_floor_{_dtype.__name__}",
         lambda d=_dtype: {k: v.astype(d) for k, v in float_pairs().items()})(
        lambda e=_elem: model(node("Mod", ["a", "b"], fmod=0),
                              {"a": ([16], e), "b": ([16], e)}, opset=28))


@case("mod_float_floor_broadcast",
      lambda: {"a": GEN.uniform(-9, 9, (3, 4)).astype(np.float32),
               "b": np.array([2.5, -1.5, 0.75, -4.0], np.float32)})
def _():
    return model(node("Mod", ["a", "b"]), {"a": [3, 4], "b": [4]}, opset=28)


# onnxruntime 1.32 has no signed BitShift: these compare with onnx's
# reference implementation (REFERENCE_ONLY).
_SIGNED = {np.int8: TP.INT8, np.int16: TP.INT16, np.int32: TP.INT32,
           np.int64: TP.INT64}
for _dtype, _elem in _SIGNED.items():
    for _direction in ("LEFT", "RIGHT"):
        _name = f"bitshift_{_direction.lower()}_{_dtype.__name__}"
        REFERENCE_ONLY.add(_name)

        def _feeds(d=_dtype):
            bits = np.iinfo(d).bits
            x = np.array([1, -1, 5, -7, np.iinfo(d).min, np.iinfo(d).max,
                          3, -3, 100 % np.iinfo(d).max, -2], d)
            n = np.array([0, 1, 2, bits - 1, 1, 3, bits, -1, bits + 5, -bits],
                         d)
            return {"x": x, "n": n}

        case(_name, _feeds)(
            lambda e=_elem, di=_direction: model(
                node("BitShift", ["x", "n"], direction=di),
                {"x": ([10], e), "n": ([10], e)}, opset=11, check=False))


def _bitcast_case(name, values, elem_from, elem_to):
    case(name, lambda: {"x": values()})(
        lambda: model(node("BitCast", ["x"], to=elem_to),
                      {"x": (list(values().shape), elem_from)}, opset=26))


_bitcast_case("bitcast_f32_to_i32",
              lambda: np.array([[1.5, -0.0, np.inf], [np.nan, 3e-40, -2.25]],
                               np.float32), TP.FLOAT, TP.INT32)
_bitcast_case("bitcast_i32_to_f32",
              lambda: np.array([1065353216, -1082130432, 0, 1], np.int32),
              TP.INT32, TP.FLOAT)
_bitcast_case("bitcast_i8_to_u8",
              lambda: np.array([-128, -1, 0, 127], np.int8), TP.INT8,
              TP.UINT8)
_bitcast_case("bitcast_u16_to_f16",
              lambda: np.array([0x3C00, 0xC000, 0x7C00, 1], np.uint16),
              TP.UINT16, TP.FLOAT16)
_bitcast_case("bitcast_bool_to_u8",
              lambda: np.array([True, False, True]), TP.BOOL, TP.UINT8)
REFERENCE_ONLY.add("bitcast_bool_to_u8")  # onnxruntime 1.32 has no kernel


# ---------------------------------------------------------------------------
# GridSample (grid coordinates reach past [-1, 1] to exercise the padding)
# ---------------------------------------------------------------------------

def grid_feeds(x_shape, grid_shape):
    return lambda: {
        "x": GEN.standard_normal(x_shape).astype(np.float32),
        "grid": GEN.uniform(-1.4, 1.4, grid_shape).astype(np.float32)}


for _mode in ("linear", "nearest", "cubic"):
    for _padding in ("zeros", "border", "reflection"):
        for _align in (0, 1):
            case(f"gridsample_2d_{_mode}_{_padding}_align{_align}",
                 grid_feeds([2, 3, 5, 7], [2, 4, 6, 2]))(
                lambda m=_mode, p=_padding, a=_align: model(
                    node("GridSample", ["x", "grid"], mode=m, padding_mode=p,
                         align_corners=a),
                    {"x": [2, 3, 5, 7], "grid": [2, 4, 6, 2]}, opset=20))

for _mode in ("linear", "nearest"):
    for _padding in ("zeros", "reflection"):
        case(f"gridsample_3d_{_mode}_{_padding}",
             grid_feeds([1, 2, 3, 4, 5], [1, 2, 3, 4, 3]))(
            lambda m=_mode, p=_padding: model(
                node("GridSample", ["x", "grid"], mode=m, padding_mode=p),
                {"x": [1, 2, 3, 4, 5], "grid": [1, 2, 3, 4, 3]}, opset=20))


# Cubic with border padding: onnxruntime clamps only the taps, onnx's
# reference (the conformance data) clamps the coordinate first; strata
# follows the reference.
REFERENCE_ONLY.update({"gridsample_2d_cubic_border_align0",
                       "gridsample_2d_cubic_border_align1"})


@case("gridsample_opset16_bicubic", grid_feeds([1, 2, 4, 4], [1, 3, 3, 2]))
def _():
    return model(node("GridSample", ["x", "grid"], mode="bicubic",
                      padding_mode="reflection"),
                 {"x": [1, 2, 4, 4], "grid": [1, 3, 3, 2]}, opset=16)


@pytest.mark.parametrize("name", sorted(CASES))
def test_window_and_bit_op(strata, compile_api, name):
    builder, feeds_builder = CASES[name]
    onnx_model = builder()
    feeds = feeds_builder() if feeds_builder else {
        n: GEN.standard_normal(shape).astype(np.float32)
        for n, shape in input_shapes(onnx_model).items()}
    if name in REFERENCE_ONLY:
        from onnx.reference import ReferenceEvaluator
        names = [o.name for o in onnx_model.graph.output]
        expected = dict(zip(names, ReferenceEvaluator(onnx_model).run(
            None, feeds)))
    else:
        expected = run_onnxruntime(onnx_model, feeds)
    loaded = strata.load(compile_api(onnx_model, "net"))
    assert loaded.output_names == list(expected)
    outputs = loaded.run(feeds)
    for (out, want), got in zip(expected.items(), outputs):
        assert_same(got, want, f"{name}: output {out!r}")
