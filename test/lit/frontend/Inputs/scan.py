"""A Scan (opset 16) summing the rows of x [3, 2] into a state, with the
running sums as its scan output."""
import sys

from onnx import TensorProto, helper, save

F = TensorProto.FLOAT
body = helper.make_graph(
    [helper.make_node("Add", ["sum_in", "row"], ["sum_out"], name="add"),
     helper.make_node("Identity", ["sum_out"], ["row_out"], name="copy")],
    "body",
    [helper.make_tensor_value_info("sum_in", F, [2]),
     helper.make_tensor_value_info("row", F, [2])],
    [helper.make_tensor_value_info("sum_out", F, [2]),
     helper.make_tensor_value_info("row_out", F, [2])])
graph = helper.make_graph(
    [helper.make_node("Scan", ["init", "x"], ["total", "sums"], name="scan",
                      body=body, num_scan_inputs=1)],
    "scan",
    [helper.make_tensor_value_info("init", F, [2]),
     helper.make_tensor_value_info("x", F, [3, 2])],
    [helper.make_tensor_value_info("total", F, [2]),
     helper.make_tensor_value_info("sums", F, [3, 2])])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)]), sys.argv[1])
