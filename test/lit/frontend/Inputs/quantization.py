"""Models for quantization.test: how the quantization ops import.
Usage: quantization.py OUT.onnx VARIANT, VARIANT one of:
  qdq        QuantizeLinear with a one-element scale (per tensor) and
             DequantizeLinear per axis with a negative axis and output_dtype
  qmatmul    QLinearMatMul (uint8 A, int8 B, per-column B scale)
  convint    ConvInteger with a per-filter weight zero point
  dynamic    DynamicQuantizeLinear
  mismatch   QuantizeLinear whose output_dtype differs from the zero point
  int16mm    MatMulInteger of int16 operands
  zptype     QLinearMatMul whose a_zero_point is int8 for a uint8 A
  scale2d    QuantizeLinear with a 2-D scale and no block_size
  narrow     QuantizeLinear to float8 (saturate 0) and DequantizeLinear of
             int4, their zero points graph inputs of shape [1]
  e8m0       QuantizeLinear to float8e8m0 (not a quantized type)
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out, variant = sys.argv[1], sys.argv[2]
T = TensorProto


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)


def const(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


init, opset = [], 21
if variant == "qdq":
    opset = 23
    inputs = [value("x", T.FLOAT, [2, 3]), value("q", T.INT8, [2, 3])]
    outputs = [value("y", T.UINT8, [2, 3]), value("z", T.FLOAT16, [2, 3])]
    init = [const("s", np.array([0.5], np.float32)),
            const("zp", np.array([3], np.uint8)),
            const("sa", np.array([0.1, 0.2, 0.3], np.float32))]
    nodes = [node("QuantizeLinear", ["x", "s", "zp"], ["y"]),
             node("DequantizeLinear", ["q", "sa"], ["z"], axis=-1,
                  output_dtype=T.FLOAT16)]
elif variant == "qmatmul":
    inputs = [value("a", T.UINT8, [2, 4]), value("b", T.INT8, [4, 3])]
    outputs = [value("y", T.UINT8, [2, 3])]
    init = [const("sa", np.float32(0.1)), const("za", np.uint8(128)),
            const("sb", np.array([0.2, 0.3, 0.4], np.float32)),
            const("zb", np.zeros(3, np.int8)),
            const("sy", np.float32(0.5)), const("zy", np.uint8(10))]
    nodes = [node("QLinearMatMul",
                  ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"], ["y"])]
elif variant == "convint":
    opset = 10
    inputs = [value("x", T.UINT8, [1, 2, 5, 5]), value("w", T.UINT8, [3, 2, 3, 3])]
    outputs = [value("y", T.INT32, [1, 3, 5, 5])]
    init = [const("zx", np.uint8(1)), const("zw", np.array([1, 2, 3], np.uint8))]
    nodes = [node("ConvInteger", ["x", "w", "zx", "zw"], ["y"],
                  pads=[1, 1, 1, 1])]
elif variant == "dynamic":
    opset = 11
    inputs = [value("x", T.FLOAT, [2, 3])]
    outputs = [value("y", T.UINT8, [2, 3]), value("ys", T.FLOAT, []),
               value("yz", T.UINT8, [])]
    nodes = [node("DynamicQuantizeLinear", ["x"], ["y", "ys", "yz"])]
elif variant == "mismatch":
    inputs = [value("x", T.FLOAT, [4])]
    outputs = [value("y", T.INT8, [4])]
    init = [const("s", np.float32(0.5)), const("zp", np.uint8(0))]
    nodes = [node("QuantizeLinear", ["x", "s", "zp"], ["y"],
                  output_dtype=T.INT8)]
elif variant == "int16mm":
    opset = 10
    inputs = [value("a", T.INT16, [2, 4]), value("b", T.INT16, [4, 3])]
    outputs = [value("y", T.INT32, [2, 3])]
    nodes = [node("MatMulInteger", ["a", "b"], ["y"])]
elif variant == "zptype":
    inputs = [value("a", T.UINT8, [2, 3]), value("b", T.UINT8, [3, 2])]
    outputs = [value("y", T.UINT8, [2, 2])]
    init = [const("s", np.float32(0.5)), const("za", np.int8(0)),
            const("z", np.uint8(0))]
    nodes = [node("QLinearMatMul", ["a", "s", "za", "b", "s", "z", "s", "z"],
                  ["y"])]
elif variant == "scale2d":
    inputs = [value("x", T.FLOAT, [4, 3]), value("s", T.FLOAT, [4, 3])]
    outputs = [value("y", T.UINT8, [4, 3])]
    nodes = [node("QuantizeLinear", ["x", "s"], ["y"])]
elif variant == "narrow":
    opset = 25
    inputs = [value("x", T.FLOAT, [2, 3]), value("zp8", T.FLOAT8E5M2, [1]),
              value("q", T.INT4, [2, 3]), value("zp4", T.INT4, [1])]
    outputs = [value("y", T.FLOAT8E5M2, [2, 3]), value("z", T.FLOAT, [2, 3])]
    init = [const("s", np.array([0.5], np.float32))]
    nodes = [node("QuantizeLinear", ["x", "s", "zp8"], ["y"], saturate=0),
             node("DequantizeLinear", ["q", "s", "zp4"], ["z"])]
elif variant == "e8m0":
    opset = 25
    inputs = [value("x", T.FLOAT, [4])]
    outputs = [value("y", T.FLOAT8E8M0, [4])]
    init = [const("s", np.float32(0.5))]
    nodes = [node("QuantizeLinear", ["x", "s"], ["y"],
                  output_dtype=T.FLOAT8E8M0)]
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, variant, inputs, outputs, init)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
     out)
