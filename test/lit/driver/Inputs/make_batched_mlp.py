# A symbolic-batch MLP x [N, 64] -> Gemm 64x64, Relu -> y [N, 64]: 16 KB of
# weights, so --batch-chunk=auto compiles no chunk program for it.
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.standard_normal((64, 64)).astype(np.float32), "w")
nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], name="fc", transB=1),
         helper.make_node("Relu", ["h"], ["y"], name="relu")]
g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 64])], [w])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
