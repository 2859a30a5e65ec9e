"""Operators whose ONNX signature changed across opsets, written for an old
opset. Usage: legacy.py OUT.onnx {4|12}

opset 4:  Reshape with a `shape` attribute; Clip with min/max attributes;
          Add with the pre-7 `broadcast`/`axis` attributes; Softmax over
          axis 1 of a rank-3 input (coerced to 2-D);
          BatchNormalization with `spatial` = 1; Concat.
opset 12: Reshape with a shape input from a Constant node; Clip with one
          constant bound input; Softmax with its default axis (1);
          Dropout with ratio/training_mode inputs.
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out, opset = sys.argv[1], int(sys.argv[2])
f32 = TensorProto.FLOAT
x = helper.make_tensor_value_info("x", f32, [2, 3, 4])
init = [numpy_helper.from_array(np.arange(4, dtype=np.float32), "bias")]
if opset == 4:
    init += [numpy_helper.from_array(np.ones(3, np.float32), name)
             for name in ("scale", "beta", "mean", "var")]
    nodes = [
        helper.make_node("Add", ["x", "bias"], ["a"], name="add", broadcast=1, axis=2),
        helper.make_node("Clip", ["a"], ["c"], name="clip", min=0.0, max=6.0),
        helper.make_node("BatchNormalization", ["c", "scale", "beta", "mean", "var"], ["bn"],
                         name="bn", spatial=1, is_test=1),
        helper.make_node("Softmax", ["bn"], ["s"], name="softmax", axis=1),
        helper.make_node("Reshape", ["s"], ["r"], name="reshape", shape=[0, -1]),
        helper.make_node("Concat", ["r", "r"], ["y"], name="concat", axis=1),
    ]
    y = helper.make_tensor_value_info("y", f32, [2, 24])
else:
    nodes = [
        helper.make_node("Add", ["x", "bias"], ["a"], name="add"),
        helper.make_node("Constant", [], ["lo"], name="lo",
                         value=numpy_helper.from_array(np.array(-1.0, np.float32))),
        helper.make_node("Clip", ["a", "lo"], ["c"], name="clip"),
        helper.make_node("Softmax", ["c"], ["s"], name="softmax"),
        helper.make_node("Constant", [], ["shape"], name="shape", value_ints=[-1, 0]),
        helper.make_node("Reshape", ["s", "shape"], ["r"], name="reshape"),
        helper.make_node("Constant", [], ["ratio"], name="ratio", value_float=0.5),
        helper.make_node("Constant", [], ["training"], name="training",
                         value=numpy_helper.from_array(np.array(False))),
        helper.make_node("Dropout", ["r", "ratio", "training"], ["y"], name="dropout"),
    ]
    y = helper.make_tensor_value_info("y", f32, [8, 3])
graph = helper.make_graph(nodes, "legacy", [x], [y], init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
save(model, out)
