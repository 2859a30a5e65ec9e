"""Contractions whose constant B is packed into column panels
(strata-pack-constant-rhs), 1x1 convolutions run as matrix products
(strata-conv1x1-to-matmul) and 3x3 filters with padded rows
(strata-channels-last), against onnxruntime (fp32: rtol=1e-4,
atol=1e-5, see harness.py), for this machine and for each x86-64 level it
runs: the panel width is the target's register block (32 columns on
AVX-512, 16 on AVX2, 8 on SSE), so every level packs differently. Shapes
are odd on purpose: M and K that fit no block, N that is and is not a
multiple of the panel width, a B shared by two products, a batched A."""

import numpy as np
import pytest
from onnx import helper

import model_builders as mb
from harness import check_against_onnxruntime, save_model

# Every machine these tests run on has AVX2 and FMA (see TOOLCHAIN.md).
TARGETS = ("host", "x86-64", "x86-64-v3")


def matmul_model(a_shape, k, n, seed=0, shared=False):
    gen = np.random.default_rng(seed)
    w = (gen.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")]
    outputs = ["y"]
    if shared:
        nodes += [helper.make_node("Relu", ["a"], ["r"], name="relu"),
                  helper.make_node("MatMul", ["r", "w"], ["z"], name="mm2")]
        outputs.append("z")
    return mb.make_model(nodes, [mb.value("a", list(a_shape))], outputs,
                         [mb.const("w", w)], name="matmul")


def conv_model(channels, filters, size, stride, seed=1, kernel=1):
    gen = np.random.default_rng(seed)
    w = (gen.standard_normal((filters, channels, kernel, kernel)) /
         np.sqrt(channels * kernel * kernel))
    b = gen.standard_normal(filters) * 0.1
    pad = kernel // 2
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                              kernel_shape=[kernel, kernel],
                              strides=[stride, stride], pads=[pad] * 4),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    return mb.make_model(nodes, [mb.value("x", [1, channels, size, size])],
                         ["y"], [mb.const("w", w.astype(np.float32)),
                                 mb.const("b", b.astype(np.float32))],
                         name="pointwise")


CASES = {
    "n64": lambda: matmul_model((37, 50), 50, 64),
    "n96": lambda: matmul_model((9, 130), 130, 96),
    "n200": lambda: matmul_model((33, 20), 20, 200),
    "n40": lambda: matmul_model((5, 64), 64, 40),
    "k1024_n256": lambda: matmul_model((70, 1024), 1024, 256),
    "batched": lambda: matmul_model((2, 17, 64), 64, 96),
    "shared_b": lambda: matmul_model((12, 32), 32, 64, shared=True),
    "conv1x1": lambda: conv_model(48, 64, 14, 1),
    "conv1x1_stride2": lambda: conv_model(32, 64, 14, 2),
    # 128 filters: rows of the HWCF filter padded to 144 (strata-channels-last)
    "conv3x3_f128": lambda: conv_model(24, 128, 9, 1, kernel=3),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_packed_contraction_matches_onnxruntime(strata, tmp_path, case, target):
    model = CASES[case]()
    lib = strata.compile(save_model(model, tmp_path, case), tmp_path / "out",
                         name=case, target=target)
    check_against_onnxruntime(strata, lib, model)


def test_pointwise_conv_is_a_packed_matmul(strata, tmp_path):
    """The 1x1 convolution's filter reaches the code packed: the schedule
    reads it as [F / panel][C][panel]."""
    model = conv_model(48, 64, 14, 1)
    path = strata.compile(save_model(model, tmp_path, "pw"), tmp_path / "ir",
                          name="pw", emit="schedule", target="x86-64-v3")
    text = open(path).read()
    assert "memref<4x48x16xf32>" in text, "filter not packed in 16-column panels"
    assert "conv_2d" not in text
