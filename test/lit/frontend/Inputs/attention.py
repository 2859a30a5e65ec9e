"""Models for attention.test: how ONNX Attention imports as graph ops.
Usage: attention.py OUT.onnx VARIANT, VARIANT one of:
  gqa3d     3-D grouped-query attention (4 query heads, 2 key/value heads),
            causal, with a past cache and the present outputs
  nonpad    4-D attention with a float mask shorter than the keys and
            nonpad_kv_seqlen (opset 24)
  heads     4 query heads over 3 key/value heads (not a multiple)
"""
import sys

from onnx import TensorProto, helper, save

out, variant = sys.argv[1], sys.argv[2]
F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def value(name, shape, elem=F32):
    return helper.make_tensor_value_info(name, elem, shape)


opset = 23
if variant == "gqa3d":
    node = helper.make_node(
        "Attention", ["q", "k", "v", "", "past_k", "past_v"],
        ["y", "present_k", "present_v"], name="attn", is_causal=1,
        q_num_heads=4, kv_num_heads=2)
    inputs = [value("q", [1, 3, 32]), value("k", [1, 3, 16]),
              value("v", [1, 3, 16]), value("past_k", [1, 2, 2, 8]),
              value("past_v", [1, 2, 2, 8])]
    outputs = [value("y", [1, 3, 32]), value("present_k", [1, 2, 5, 8]),
               value("present_v", [1, 2, 5, 8])]
elif variant == "nonpad":
    opset = 24
    node = helper.make_node(
        "Attention", ["q", "k", "v", "mask", "", "", "lens"], ["y"],
        name="attn")
    inputs = [value("q", [2, 1, 3, 4]), value("k", [2, 1, 5, 4]),
              value("v", [2, 1, 5, 4]), value("mask", [3, 4]),
              value("lens", [2], I64)]
    outputs = [value("y", [2, 1, 3, 4])]
elif variant == "heads":
    node = helper.make_node("Attention", ["q", "k", "v"], ["y"], name="attn")
    inputs = [value("q", [1, 4, 2, 8]), value("k", [1, 3, 2, 8]),
              value("v", [1, 3, 2, 8])]
    outputs = [value("y", [1, 4, 2, 8])]
else:
    sys.exit(f"unknown variant {variant}")

graph = helper.make_graph([node], variant, inputs, outputs)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
save(model, out)
