"""Writes a model of onnxruntime's quantized contrib ops (com.microsoft):
    contrib_quant.py OUT.onnx {add|gemm}"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def scalar(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype), name)


def main(path, kind):
    if kind == "add":
        inits = [scalar("as", 0.05), scalar("az", 120, np.uint8), scalar("bs", 0.02),
                 scalar("bz", 128, np.uint8), scalar("cs", 0.1), scalar("cz", 100, np.uint8)]
        node = helper.make_node("QLinearAdd", ["a", "as", "az", "b", "bs", "bz", "cs", "cz"],
                                ["c"], domain=MS, name="qadd")
        inputs = [helper.make_tensor_value_info("a", TensorProto.UINT8, [4]),
                  helper.make_tensor_value_info("b", TensorProto.UINT8, [4])]
        outputs = [helper.make_tensor_value_info("c", TensorProto.UINT8, [4])]
    else:
        inits = [scalar("as", 0.02), scalar("az", 128, np.uint8),
                 numpy_helper.from_array(np.arange(-6, 6, dtype=np.int8).reshape(3, 4), "w"),
                 scalar("ws", 0.01), scalar("wz", 0, np.int8),
                 numpy_helper.from_array(np.array([10, -20, 30], np.int32), "c")]
        node = helper.make_node("QGemm", ["a", "as", "az", "w", "ws", "wz", "c"], ["y"],
                                domain=MS, name="qgemm", transB=1, alpha=0.5)
        inputs = [helper.make_tensor_value_info("a", TensorProto.UINT8, [2, 4])]
        outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])]
    graph = helper.make_graph([node], kind, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid(MS, 1)])
    onnx.save(model, path)


if __name__ == "__main__":
    main(*sys.argv[1:])
