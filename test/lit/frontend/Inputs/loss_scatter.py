"""Models for loss-scatter.test: the losses, ScatterElements and CumProd
as graph-op compositions. Usage: loss_scatter.py OUT.onnx VARIANT, VARIANT
one of:
  nll           NegativeLogLikelihoodLoss, weight and ignore_index, mean
  sce           SoftmaxCrossEntropyLoss, reduction none, log_prob output
  scatter       ScatterElements on axis 1 with reduction add
  scatter_v9    Scatter (opset 9) on axis 0
  cumprod       CumProd, exclusive, with a constant axis
  cumprod_axis  CumProd whose axis is a graph input (an error)
  nll_target    NegativeLogLikelihoodLoss with a target of the wrong shape
  nll_reduction NegativeLogLikelihoodLoss with an unknown reduction
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
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, "g", inputs, outputs, init)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
     out)
