"""Elementwise operators as the importer sees them. Usage:
elementwise.py OUT.onnx VARIANT, VARIANT one of:
  ops       Cast / CastLike, Clip with integer bounds, attributes with ONNX's
            defaults (Selu, IsInf), Mod, BitShift, Where, variadic Max, Gelu
  legacy    opset 5: Cast's `to` as a string, Pow with `broadcast`
  errors    BitShift without direction, Cast to STRING, BitShift of floats:
            each reported at its node
"""
import sys

import numpy as np
from onnx import TensorProto as TP
from onnx import helper, numpy_helper, save

out, variant = sys.argv[1], sys.argv[2]
vi = helper.make_tensor_value_info
opset = 20

if variant == "ops":
    inputs = [vi("x", TP.FLOAT, [2, 3]), vi("u", TP.UINT8, [2, 3]),
              vi("c", TP.BOOL, [3])]
    init = [numpy_helper.from_array(np.array(3, np.uint8), "lo"),
            numpy_helper.from_array(np.array(200, np.uint8), "hi"),
            numpy_helper.from_array(np.zeros([1], np.int16), "like")]
    nodes = [
        helper.make_node("Cast", ["x"], ["xi"], name="cast", to=TP.INT64),
        helper.make_node("CastLike", ["u", "like"], ["us"], name="castlike"),
        helper.make_node("Clip", ["u", "lo", "hi"], ["uc"], name="clip"),
        helper.make_node("Selu", ["x"], ["s"], name="selu"),
        helper.make_node("IsInf", ["x"], ["inf"], name="isinf",
                         detect_negative=0),
        helper.make_node("Mod", ["xi", "xi"], ["m"], name="mod"),
        helper.make_node("BitShift", ["uc", "u"], ["sh"], name="shift",
                         direction="RIGHT"),
        helper.make_node("Where", ["c", "x", "s"], ["w"], name="where"),
        helper.make_node("Max", ["x", "s", "w"], ["mx"], name="max"),
        helper.make_node("Gelu", ["mx"], ["g"], name="gelu",
                         approximate="tanh"),
    ]
    outputs = [vi("g", TP.FLOAT, [2, 3]), vi("us", TP.INT16, [2, 3]),
               vi("sh", TP.UINT8, [2, 3]), vi("inf", TP.BOOL, [2, 3]),
               vi("m", TP.INT64, [2, 3])]
elif variant == "legacy":
    opset = 5
    inputs = [vi("x", TP.FLOAT, [2, 3]), vi("e", TP.FLOAT, [3])]
    init = []
    nodes = [
        helper.make_node("Cast", ["x"], ["d"], name="cast", to="DOUBLE"),
        helper.make_node("Pow", ["x", "e"], ["p"], name="pow", broadcast=1),
    ]
    outputs = [vi("d", TP.DOUBLE, [2, 3]), vi("p", TP.FLOAT, [2, 3])]
elif variant == "errors":
    inputs = [vi("x", TP.FLOAT, [2, 3]), vi("u", TP.UINT8, [2, 3])]
    init = []
    nodes = [
        helper.make_node("BitShift", ["u", "u"], ["sh"], name="shift"),
        helper.make_node("Cast", ["x"], ["s"], name="to_string",
                         to=TP.STRING),
        helper.make_node("BitShift", ["x", "x"], ["m"], name="float_shift",
                         direction="LEFT"),
    ]
    outputs = [vi("sh", TP.UINT8, [2, 3]), vi("s", TP.STRING, [2, 3]),
               vi("m", TP.FLOAT, [2, 3])]
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, "elementwise", inputs, outputs, init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
model.ir_version = 9 if opset >= 19 else 8
save(model, out)
