# Conv + Relu on an input with symbolic dims: x is [N, 3, H, W].
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
w=numpy_helper.from_array(np.random.default_rng(0).standard_normal((4,3,3,3)).astype(np.float32),"w")
nodes=[helper.make_node("Conv",["x","w"],["c"],pads=[1,1,1,1],name="conv"),helper.make_node("Relu",["c"],["y"],name="relu")]
g=helper.make_graph(nodes,"dyn",[helper.make_tensor_value_info("x",TensorProto.FLOAT,["N",3,"H","W"])],[helper.make_tensor_value_info("y",TensorProto.FLOAT,None)],[w])
onnx.save(helper.make_model(g,opset_imports=[helper.make_opsetid("",17)]),sys.argv[1])
