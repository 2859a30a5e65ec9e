# One 48x64 * 64x64 MatMul with a constant right-hand side (fixed seed).
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
w = numpy_helper.from_array(
    np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32), "w")
g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "matmul",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [48, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [48, 64])], [w])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
          sys.argv[1])
