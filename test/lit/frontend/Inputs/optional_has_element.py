"""y = OptionalHasElement(x) and OptionalHasElement() with no input."""
import sys

from onnx import TensorProto, helper, save

graph = helper.make_graph(
    [helper.make_node("OptionalHasElement", ["x"], ["has"], name="has"),
     helper.make_node("OptionalHasElement", [], ["none"], name="none")],
    "optional", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("has", TensorProto.BOOL, []),
     helper.make_tensor_value_info("none", TensorProto.BOOL, [])])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), sys.argv[1])
