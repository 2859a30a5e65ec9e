"""Models that strata must reject with an error naming the node.
Usage: errors.py OUT.onnx VARIANT, VARIANT one of:
  unsupported  two unsupported nodes (Det, and a custom-domain op)
  perm         a Transpose with an invalid perm
  shape        a Reshape whose shape is a graph input, not a constant
  several      two independent bad nodes: both are reported
  conv4d       a Conv over a rank-6 input (4 spatial dimensions)
  mask         a training Dropout (random: nonzero ratio) whose mask is used
  notonnx      a text file, not a protobuf
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out, variant = sys.argv[1], sys.argv[2]
f32, i64 = TensorProto.FLOAT, TensorProto.INT64
x = helper.make_tensor_value_info("x", f32, [2, 3])
y = helper.make_tensor_value_info("y", f32, None)
inputs, init, opsets = [x], [], [helper.make_opsetid("", 17)]

if variant == "notonnx":
    with open(out, "w") as f:
        f.write("this is not an ONNX model\n")
    sys.exit(0)
elif variant == "unsupported":
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="ok"),
             helper.make_node("Det", ["r"], ["y"], name="det"),
             helper.make_node("Frobnicate", ["r"], ["z"], name="custom",
                              domain="com.example")]
    opsets.append(helper.make_opsetid("com.example", 1))
elif variant == "perm":
    nodes = [helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 0])]
elif variant == "shape":
    inputs.append(helper.make_tensor_value_info("s", i64, [2]))
    nodes = [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")]
elif variant == "several":
    inputs.append(helper.make_tensor_value_info("s", i64, [2]))
    nodes = [helper.make_node("Transpose", ["x"], ["t"], name="bad_perm", perm=[1, 2]),
             helper.make_node("Relu", ["t"], ["t2"], name="after_bad_perm"),
             helper.make_node("Reshape", ["x", "s"], ["r"], name="bad_shape"),
             helper.make_node("Add", ["t2", "r"], ["y"], name="sum")]
elif variant == "conv4d":
    inputs = [helper.make_tensor_value_info("x", f32, [1, 1, 4, 4, 4, 4])]
    init = [numpy_helper.from_array(np.ones((1, 1, 2, 2, 2, 2), np.float32), "w")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv4d")]
elif variant == "mask":
    init = [numpy_helper.from_array(np.array(0.5, np.float32), "r"),
            numpy_helper.from_array(np.array(True), "t")]
    nodes = [helper.make_node("Dropout", ["x", "r", "t"], ["d", "m"],
                              name="drop")]
    y = helper.make_tensor_value_info("m", TensorProto.BOOL, None)
else:
    sys.exit("unknown variant " + variant)

graph = helper.make_graph(nodes, variant, inputs, [y], init)
save(helper.make_model(graph, opset_imports=opsets), out)
