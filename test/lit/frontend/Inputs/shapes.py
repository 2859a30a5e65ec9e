"""Shape operators at opset 17: Reshape (0 and -1), Transpose with its
default perm, Concat and Flatten with negative axes, Softmax over a middle
axis, Identity, Dropout; an int64 and a bool initializer passed through.
Usage: shapes.py OUT.onnx"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

init = [
    numpy_helper.from_array(np.array([0, -1, 3], np.int64), "shape"),
    numpy_helper.from_array(np.array([True, False, True]), "mask"),
    numpy_helper.from_array(np.arange(6, dtype=np.int64).reshape(3, 2), "ids"),
]
nodes = [
    helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),          # 2x4x3
    helper.make_node("Transpose", ["r"], ["t"], name="transpose"),               # 3x4x2
    helper.make_node("Concat", ["t", "t"], ["c"], name="concat", axis=-1),       # 3x4x4
    helper.make_node("Softmax", ["c"], ["s"], name="softmax", axis=-2),
    helper.make_node("Identity", ["s"], ["i"], name="identity"),
    helper.make_node("Dropout", ["i"], ["d", "unused_mask"], name="dropout"),
    helper.make_node("Flatten", ["d"], ["y"], name="flatten", axis=-1),          # 12x4
    helper.make_node("Identity", ["mask"], ["mask_out"], name="mask_identity"),
    helper.make_node("Identity", ["ids"], ["ids_out"], name="ids_identity"),
]
graph = helper.make_graph(
    nodes, "shapes",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [12, 4]),
     helper.make_tensor_value_info("mask_out", TensorProto.BOOL, [3]),
     helper.make_tensor_value_info("ids_out", TensorProto.INT64, [3, 2])], init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
save(model, sys.argv[1])
