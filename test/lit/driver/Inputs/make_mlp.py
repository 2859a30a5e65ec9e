# A small MLP (Gemm, Relu, MatMul, Softmax) with fixed random weights.
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
rng=np.random.default_rng(0)
w1=numpy_helper.from_array(rng.standard_normal((16,8)).astype(np.float32),"w1")
b1=numpy_helper.from_array(rng.standard_normal((16,)).astype(np.float32),"b1")
w2=numpy_helper.from_array(rng.standard_normal((16,8)).astype(np.float32),"w2")
nodes=[helper.make_node("Gemm",["x","w1","b1"],["h"],name="fc1",transB=1),
       helper.make_node("Relu",["h"],["r"],name="relu1"),
       helper.make_node("MatMul",["r","w2"],["m"],name="fc2"),
       helper.make_node("Softmax",["m"],["y"],name="sm",axis=-1)]
g=helper.make_graph(nodes,"mlp",[helper.make_tensor_value_info("x",TensorProto.FLOAT,[3,8])],[helper.make_tensor_value_info("y",TensorProto.FLOAT,[3,8])],[w1,b1,w2])
m=helper.make_model(g,opset_imports=[helper.make_opsetid("",17)])
onnx.save(m,sys.argv[1])
