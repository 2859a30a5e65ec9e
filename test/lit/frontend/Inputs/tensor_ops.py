"""Models for tensor-ops.test: how reductions, indexing, normalization and
shape computations import. Usage: tensor_ops.py OUT.onnx VARIANT, VARIANT
one of:
  folding   an exported shape computation (Shape -> Gather -> Unsqueeze ->
            Concat -> Reshape, with Cast / Div / Slice / Squeeze) and
            constant Split / Tile / Expand / Range: all folded at import
  ops       ONNX ops imported as other graph ops (Squeeze, DepthToSpace,
            Split of a value, ReduceMean's default axes, Einsum's ellipsis,
            Slice with negative steps, legacy LogSoftmax)
  range     Range over a graph input (not a constant)
  gather    Gather with a constant index out of range
  pad       Pad with negative pads
  einsum3   Einsum of three operands
  groups    GroupNormalization at opset 21 with a per-group scale
  stats     LayerNormalization whose Mean output is used
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


inputs = [helper.make_tensor_value_info("x", F32, [2, 6, 5])]
outputs = [helper.make_tensor_value_info("y", F32, None)]
opset, init = 18, []

if variant == "folding":
    init = [const("zero", np.int64(0)), const("axes0", np.array([0])),
            const("minus_one", np.array([-1])), const("one", np.array([1])),
            const("two", np.array([2])), const("two_f", np.float32(2)),
            const("reps", np.array([2])), const("start", np.int64(0)),
            const("limit", np.int64(4)), const("delta", np.int64(1))]
    nodes = [
        node("Shape", ["x"], ["shape"]),
        node("Gather", ["shape", "zero"], ["batch"], axis=0),
        node("Unsqueeze", ["batch", "axes0"], ["batch_1d"]),
        node("Slice", ["shape", "one", "two"], ["c_1d"]),
        node("Squeeze", ["c_1d", "axes0"], ["c"]),
        node("Cast", ["c"], ["c_f"], to=F32),
        node("Div", ["c_f", "two_f"], ["half_f"]),
        node("Cast", ["half_f"], ["half"], to=I64),
        node("Unsqueeze", ["half", "axes0"], ["half_1d"]),
        node("Concat", ["batch_1d", "half_1d", "minus_one"], ["target"],
             axis=0),
        node("Reshape", ["x", "target"], ["y"]),
        # Constants through Split, Tile, Expand and Range.
        node("Range", ["start", "limit", "delta"], ["r"]),
        node("Split", ["r"], ["r01", "r23"]),
        node("Tile", ["r01", "reps"], ["tiled"]),
        node("Expand", ["r23", "two"], ["expanded"]),
        node("Concat", ["tiled", "expanded"], ["consts"], axis=0),
    ]
    outputs += [helper.make_tensor_value_info("consts", I64, None)]
elif variant == "ops":
    inputs.append(helper.make_tensor_value_info("d", F32, [1, 8, 2, 3]))
    init = [const("axes", np.array([1, -1])), const("starts", np.array([-1])),
            const("ends", np.array([-100])), const("steps", np.array([-2])),
            const("slice_axes", np.array([1]))]
    nodes = [
        node("ReduceMean", ["x"], ["mean"], keepdims=0),
        node("Squeeze", ["d"], ["squeezed"]),
        node("DepthToSpace", ["d"], ["space"], blocksize=2, mode="CRD"),
        node("Split", ["x"], ["first", "second"], axis=1, num_outputs=2),
        node("Einsum", ["first", "second"], ["y"], equation="...ij,...kj"),
        node("Slice", ["x", "starts", "ends", "slice_axes", "steps"],
             ["sliced"]),
    ]
    outputs += [helper.make_tensor_value_info(n, F32, None)
                for n in ("mean", "squeezed", "space", "sliced")]
elif variant == "legacy":
    opset = 11
    nodes = [node("LogSoftmax", ["x"], ["y"], axis=1)]
elif variant == "range":
    inputs.append(helper.make_tensor_value_info("n", I64, []))
    init = [const("start", np.int64(0)), const("delta", np.int64(1))]
    nodes = [node("Range", ["start", "n", "delta"], ["y"])]
elif variant == "gather":
    init = [const("i", np.array([1, 7]))]
    nodes = [node("Gather", ["x", "i"], ["y"], axis=1)]
elif variant == "pad":
    init = [const("pads", np.array([0, -1, 0, 0, 0, 0]))]
    nodes = [node("Pad", ["x", "pads"], ["y"])]
elif variant == "einsum3":
    nodes = [node("Einsum", ["x", "x", "x"], ["y"], equation="aij,aij,aij->a")]
elif variant == "groups":
    opset = 21
    init = [const("s", np.ones(3, np.float32))]
    nodes = [node("GroupNormalization", ["x", "s", "s"], ["y"], num_groups=3)]
elif variant == "stats":
    init = [const("s", np.ones(5, np.float32))]
    nodes = [node("LayerNormalization", ["x", "s"], ["y", "mean"]),
             node("Relu", ["mean"], ["z"])]
    outputs.append(helper.make_tensor_value_info("z", F32, None))
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph(nodes, variant, inputs, outputs, init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
save(model, out)
