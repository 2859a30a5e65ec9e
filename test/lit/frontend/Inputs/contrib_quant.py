"""Writes a model of onnxruntime's quantized contrib ops (com.microsoft):
    contrib_quant.py OUT.onnx {add|gemm|nbits|lstm}"""
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
    elif kind == "lstm":
        # One direction, hidden 2, input 3: W [1, 3, 8] and R [1, 2, 8] int8
        # with one scale and zero point per direction.
        inits = [numpy_helper.from_array(np.arange(24, dtype=np.int8).reshape(1, 3, 8), "w"),
                 numpy_helper.from_array(np.arange(16, dtype=np.int8).reshape(1, 2, 8), "r"),
                 numpy_helper.from_array(np.array([0.1], np.float32), "ws"),
                 numpy_helper.from_array(np.array([1], np.int8), "wz"),
                 numpy_helper.from_array(np.array([0.2], np.float32), "rs"),
                 numpy_helper.from_array(np.array([2], np.int8), "rz")]
        node = helper.make_node("DynamicQuantizeLSTM",
                                ["x", "w", "r", "", "", "", "", "", "ws", "wz", "rs", "rz"],
                                ["y", "yh"], domain=MS, name="qlstm", hidden_size=2)
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 1, 3])]
        outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, 1, 1, 2]),
                   helper.make_tensor_value_info("yh", TensorProto.FLOAT, [1, 1, 2])]
    elif kind == "nbits":
        # K = 32 in two blocks of 16, N = 2: values 0..15 packed in pairs.
        values = np.arange(64, dtype=np.uint8).reshape(2, 2, 16) % 16
        packed = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
        inits = [numpy_helper.from_array(packed, "b"),
                 numpy_helper.from_array(np.array([0.5, 1, 2, 4], np.float32), "scales"),
                 numpy_helper.from_array(np.array([0x98, 0xBA], np.uint8), "zp")]
        node = helper.make_node("MatMulNBits", ["a", "b", "scales", "zp"], ["y"], domain=MS,
                                name="nbits", K=32, N=2, bits=4, block_size=16)
        inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, 32])]
        outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])]
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
