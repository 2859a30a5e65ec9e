"""ONNX's narrow types as the importer sees them. Usage:
narrow_types.py OUT.onnx VARIANT, VARIANT one of:
  ops     float8 / int4 graph inputs and outputs, Cast with saturate and
          round_mode, CastLike to a float8 input's type, packed 4-bit
          (raw_data, odd count) and 2-bit (int32_data) initializers, a float8
          initializer
  errors  a bad round_mode, a truncated packed initializer: each reported at
          its node or tensor
"""
import sys

import ml_dtypes
import numpy as np
from onnx import TensorProto as TP
from onnx import helper, numpy_helper, save

out, variant = sys.argv[1], sys.argv[2]
vi = helper.make_tensor_value_info

if variant == "ops":
    inputs = [vi("x", TP.FLOAT, [3]), vi("q", TP.INT4, [3]),
              vi("like", TP.FLOAT8E5M2, [1])]
    init = [
        numpy_helper.from_array(np.array([1, -2, 7], ml_dtypes.int4), "w4"),
        helper.make_tensor("w2", TP.UINT2, [5], [3, 0, 1, 2, 3]),
        numpy_helper.from_array(
            np.array([1.5, -2, 448], ml_dtypes.float8_e4m3fn), "w8"),
    ]
    nodes = [
        helper.make_node("Cast", ["x"], ["f8"], name="to_f8",
                         to=TP.FLOAT8E4M3FN, saturate=0),
        helper.make_node("Cast", ["x"], ["e8"], name="to_e8m0",
                         to=TP.FLOAT8E8M0, round_mode="down"),
        helper.make_node("CastLike", ["x", "like"], ["l"], name="castlike"),
        helper.make_node("Cast", ["q"], ["qi"], name="q_to_i8", to=TP.INT8),
        helper.make_node("Cast", ["w4"], ["w4f"], name="w4_to_f32",
                         to=TP.FLOAT),
        helper.make_node("Cast", ["w2"], ["w2f"], name="w2_to_f32",
                         to=TP.FLOAT),
        helper.make_node("Cast", ["w8"], ["w8f"], name="w8_to_f32",
                         to=TP.FLOAT),
    ]
    outputs = [vi("f8", TP.FLOAT8E4M3FN, [3]), vi("e8", TP.FLOAT8E8M0, [3]),
               vi("l", TP.FLOAT8E5M2, [3]), vi("qi", TP.INT8, [3]),
               vi("w4f", TP.FLOAT, [3]), vi("w2f", TP.FLOAT, [5]),
               vi("w8f", TP.FLOAT, [3])]
elif variant == "errors":
    inputs = [vi("x", TP.FLOAT, [3])]
    short = TP(name="short", data_type=TP.INT4, dims=[5], raw_data=b"\x21\x43")
    init = [short]
    nodes = [
        helper.make_node("Cast", ["x"], ["e8"], name="bad_mode",
                         to=TP.FLOAT8E8M0, round_mode="zero"),
        helper.make_node("Cast", ["short"], ["s"], name="use_short",
                         to=TP.FLOAT),
    ]
    outputs = [vi("e8", TP.FLOAT8E8M0, [3]), vi("s", TP.FLOAT, [5])]
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, "narrow", inputs, outputs, init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])
model.ir_version = 11
save(model, out)
