"""Single-op models with awkward sizes (1x7, 13x29, 5x11 images, 3 channels:
nothing a multiple of a vector width), strides, dilations, groups, padding
modes and broadcasting, compared with onnxruntime (fp32: rtol=1e-4,
atol=1e-5, see harness.py)."""

import pytest

import model_builders as mb
from harness import check_against_onnxruntime


@pytest.mark.parametrize("case", sorted(mb.OP_CASES))
def test_op(strata, compile_api, case):
    model = mb.OP_CASES[case]()
    check_against_onnxruntime(strata, compile_api(model, case), model)


@pytest.mark.parametrize("case", ["conv_stride2", "matmul_3d_x_2d",
                                  "clip_opset6_attributes"])
def test_op_through_cli(strata, compile_cli, case):
    """A few of the cases again, compiled by strata-compile."""
    model = mb.OP_CASES[case]()
    check_against_onnxruntime(strata, compile_cli(model, case), model)
