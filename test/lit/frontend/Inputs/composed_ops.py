"""Models for composed-ops.test: ONNX ops imported as compositions of graph
ops, ScatterElements and CumProd. Usage: composed_ops.py OUT.onnx VARIANT, VARIANT one of:
  nll           NegativeLogLikelihoodLoss, weight and ignore_index, mean
  sce           SoftmaxCrossEntropyLoss, reduction none, log_prob output
  scatter       ScatterElements on axis 1 with reduction add
  scatter_v9    Scatter (opset 9) on axis 0
  cumprod       CumProd, exclusive, with a constant axis
  cumprod_axis  CumProd whose axis is a graph input
  nll_target    NegativeLogLikelihoodLoss with a target of the wrong shape
  nll_reduction NegativeLogLikelihoodLoss with an unknown reduction
  lppool        LpPool 1-D, p = 3, stride 2, pads
  lrn           LRN of size 3
  globalmax     GlobalMaxPool
  eyelike       EyeLike with k = -1 and dtype int32
  reverse       ReverseSequence, time axis 0
  lppool_rank   LpPool with kernel_shape of the wrong length (an error)
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out, variant = sys.argv[1], sys.argv[2]
F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)


def const(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


outputs = [value("y", F32, None)]
opset, init = 18, []

if variant in ("nll", "nll_target", "nll_reduction"):
    target_shape = [2, 4] if variant == "nll_target" else [2, 5]
    inputs = [value("x", F32, [2, 3, 5]), value("t", I64, target_shape)]
    init = [const("w", np.array([0.5, 1.0, 2.0], np.float32))]
    reduction = "max" if variant == "nll_reduction" else "mean"
    nodes = [node("NegativeLogLikelihoodLoss", ["x", "t", "w"], ["y"],
                  reduction=reduction, ignore_index=-1)]
elif variant == "sce":
    inputs = [value("x", F32, [2, 3]), value("t", I64, [2])]
    outputs.append(value("log_prob", F32, None))
    nodes = [node("SoftmaxCrossEntropyLoss", ["x", "t"], ["y", "log_prob"],
                  reduction="none")]
elif variant in ("scatter", "scatter_v9"):
    inputs = [value("x", F32, [3, 4]), value("i", I64, [2, 2]),
              value("u", F32, [2, 2])]
    if variant == "scatter":
        nodes = [node("ScatterElements", ["x", "i", "u"], ["y"], axis=1,
                      reduction="add")]
    else:
        opset = 9
        nodes = [node("Scatter", ["x", "i", "u"], ["y"])]
elif variant in ("cumprod", "cumprod_axis"):
    inputs = [value("x", F32, [2, 3])]
    if variant == "cumprod":
        init = [const("axis", np.int64(-1))]
    else:
        inputs.append(value("axis", I64, []))
    nodes = [node("CumProd", ["x", "axis"], ["y"], exclusive=1)]
elif variant in ("lppool", "lppool_rank"):
    inputs = [value("x", F32, [1, 2, 9])]
    kernel = [3] if variant == "lppool" else [3, 3]
    nodes = [node("LpPool", ["x"], ["y"], kernel_shape=kernel, p=3,
                  strides=[2], pads=[1, 0])]
elif variant == "lrn":
    inputs = [value("x", F32, [1, 4, 2, 2])]
    nodes = [node("LRN", ["x"], ["y"], size=3)]
elif variant == "globalmax":
    inputs = [value("x", F32, [2, 3, 4, 5])]
    nodes = [node("GlobalMaxPool", ["x"], ["y"])]
elif variant == "eyelike":
    inputs = [value("x", F32, [3, 4])]
    outputs = [value("y", TensorProto.INT32, None)]
    nodes = [node("EyeLike", ["x"], ["y"], k=-1, dtype=TensorProto.INT32)]
elif variant == "reverse":
    inputs = [value("x", F32, [4, 2]), value("lens", I64, [2])]
    nodes = [node("ReverseSequence", ["x", "lens"], ["y"], time_axis=0,
                  batch_axis=1)]
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, "g", inputs, outputs, init)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
     out)
