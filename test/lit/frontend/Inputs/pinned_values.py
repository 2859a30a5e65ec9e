"""y = Reshape(x, shape) * scale, with `shape` (int64, unknown length) and
`scale` (f32 scalar) graph inputs, for --input-value."""
import sys

from onnx import TensorProto, helper, save

graph = helper.make_graph(
    [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
     helper.make_node("Mul", ["r", "scale"], ["y"], name="mul")],
    "pinned",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
     helper.make_tensor_value_info("shape", TensorProto.INT64, ["n"]),
     helper.make_tensor_value_info("scale", TensorProto.FLOAT, [])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
