"""ConvTranspose, Resize, TopK and LSTM as the importer resolves them:
ConvTranspose's output_shape becomes pads, Resize's sizes become a scale
and a size per dimension, TopK's K input an attribute, LSTM's layout 1
transposes around graph.lstm. Usage: sequence_ops.py OUT.onnx"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

f32 = TensorProto.FLOAT
g = np.random.default_rng(0)
init = [
    numpy_helper.from_array(g.standard_normal((2, 3, 3, 3)).astype(np.float32), "w"),
    numpy_helper.from_array(np.array([1, 3, 9, 7], np.int64), "sizes"),
    numpy_helper.from_array(np.array([2], np.int64), "k"),
    numpy_helper.from_array(g.standard_normal((1, 8, 7)).astype(np.float32), "lw"),
    numpy_helper.from_array(g.standard_normal((1, 8, 2)).astype(np.float32), "lr"),
]
nodes = [
    # 4x4 -> full 9x9; output_shape 8x8: one cell of padding, at the start.
    helper.make_node("ConvTranspose", ["x", "w"], ["ct"], name="deconv",
                     strides=[2, 2], output_shape=[8, 8]),
    helper.make_node("Resize", ["ct", "", "", "sizes"], ["rs"], name="resize",
                     mode="linear"),
    helper.make_node("TopK", ["rs", "k"], ["values", "indices"], name="topk",
                     axis=-1, largest=0),
    helper.make_node("LSTM", ["seq", "lw", "lr"], ["", "h"], name="lstm",
                     hidden_size=2, layout=1),
]
graph = helper.make_graph(
    nodes, "sequence_ops",
    [helper.make_tensor_value_info("x", f32, [1, 2, 4, 4]),
     helper.make_tensor_value_info("seq", f32, [3, 5, 7])],
    [helper.make_tensor_value_info("values", f32, [1, 3, 9, 2]),
     helper.make_tensor_value_info("indices", TensorProto.INT64, [1, 3, 9, 2]),
     helper.make_tensor_value_info("h", f32, [3, 1, 2])],
    init)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]),
     sys.argv[1])
