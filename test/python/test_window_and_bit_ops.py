"""1-D / 3-D convolution and pooling, integer max pooling, pooling with
dilations, and the bit-level ops (Mod with fmod=0 on floats, signed
BitShift, BitCast), compared with onnxruntime: f32 at rtol=1e-4,
atol=1e-5 (harness.py), integers exactly.

Each case is one small model (test_tensor_ops.py's builders) and a feeds
builder, or None for f32 random normals."""

import numpy as np
import pytest
from onnx import TensorProto as TP

from harness import input_shapes, run_onnxruntime
from test_tensor_ops import assert_same, model, node

GEN = np.random.default_rng(11)
CASES = {}


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


@pytest.mark.parametrize("name", sorted(CASES))
def test_window_and_bit_op(strata, compile_api, name):
    builder, feeds_builder = CASES[name]
    onnx_model = builder()
    feeds = feeds_builder() if feeds_builder else {
        n: GEN.standard_normal(shape).astype(np.float32)
        for n, shape in input_shapes(onnx_model).items()}
    expected = run_onnxruntime(onnx_model, feeds)
    loaded = strata.load(compile_api(onnx_model, "net"))
    assert loaded.output_names == list(expected)
    outputs = loaded.run(feeds)
    for (out, want), got in zip(expected.items(), outputs):
        assert_same(got, want, f"{name}: output {out!r}")
