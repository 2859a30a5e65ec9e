"""A small NCHW convnet at opset 17: Conv (auto_pad SAME_UPPER, stride 2),
BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, Flatten,
Gemm. The conv weight (1728 bytes) becomes a dense_resource blob.
Usage: convnet.py OUT.onnx"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

rng = np.random.default_rng(0)
init = [
    numpy_helper.from_array(rng.standard_normal((16, 3, 3, 3)).astype(np.float32), "conv.weight"),
    numpy_helper.from_array(np.zeros(16, np.float32), "conv.bias"),
    numpy_helper.from_array(np.ones(16, np.float32), "bn.scale"),
    numpy_helper.from_array(np.zeros(16, np.float32), "bn.bias"),
    numpy_helper.from_array(np.zeros(16, np.float32), "bn.mean"),
    numpy_helper.from_array(np.ones(16, np.float32), "bn.var"),
    numpy_helper.from_array(np.ones((10, 16), np.float32), "fc.weight"),
]
nodes = [
    helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv",
                     auto_pad="SAME_UPPER", strides=[2, 2]),
    helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                     ["bn"], name="bn", epsilon=1e-3),
    helper.make_node("Relu", ["bn"], ["r"], name="relu"),
    helper.make_node("MaxPool", ["r"], ["mp"], name="maxpool", kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("AveragePool", ["mp"], ["ap"], name="avgpool", kernel_shape=[3, 3],
                     strides=[2, 2], auto_pad="SAME_LOWER", count_include_pad=1),
    helper.make_node("GlobalAveragePool", ["ap"], ["gap"], name="gap"),
    helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "fc.weight"], ["y"], name="fc", transB=1),
]
graph = helper.make_graph(
    nodes, "convnet",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
save(model, sys.argv[1])
