"""A small MLP at opset 17: MatMul, Add, Relu, Gemm (transB), Softmax,
with a symbolic batch dimension. Usage: mlp.py OUT.onnx"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

w1 = numpy_helper.from_array(np.arange(32, dtype=np.float32).reshape(4, 8) / 32, "w1")
b1 = numpy_helper.from_array(np.full(8, 0.5, np.float32), "b1")
w2 = numpy_helper.from_array(np.ones((3, 8), np.float32), "w2")
b2 = helper.make_tensor("b2", TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])  # float_data
nodes = [
    helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
    helper.make_node("Add", ["h0", "b1"], ["h1"], name="bias1"),
    helper.make_node("Relu", ["h1"], ["h2"], name="act1"),
    helper.make_node("Gemm", ["h2", "w2", "b2"], ["h3"], name="fc2", transB=1, alpha=0.5),
    helper.make_node("Softmax", ["h3"], ["y"], name="prob"),
]
graph = helper.make_graph(
    nodes, "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
    [w1, b1, w2, b2])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
save(model, sys.argv[1])
