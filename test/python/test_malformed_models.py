"""Malformed models that fuzzing the importer found (test/fuzz/regressions/
onnx-import) are errors at the node, not a compiler that eats its memory,
overflows its arithmetic or reads past a shape: a Range computed at import
is bounded (2^24 elements) and counted without overflow, any other tensor
is bounded at 2^36 elements, and composed ops (Attention, LinearAttention)
check the shapes of their optional inputs before reading them. Each case
compiles through strata-compile too, which must exit 1 with the message and
no crash output."""

import pytest
from onnx import TensorProto, helper

from harness import check_clean_failure, run_tool, save_model

INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1


def model(nodes, outputs, opset=17):
    graph = helper.make_graph(
        nodes, "limits", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def const(name, values, dtype=TensorProto.INT64, dims=None):
    dims = [] if dims is None else dims
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name + "_t", dtype, dims, values))


def range_model(start, limit, delta, dtype=TensorProto.INT64):
    return model([const("start", [start], dtype), const("limit", [limit], dtype),
                  const("delta", [delta], dtype),
                  helper.make_node("Range", ["start", "limit", "delta"], ["r"],
                                   name="range")], ["r"])


CASES = {
    # The fuzzer's find: an axis of -2^59 turned into a Range of 2^59 values.
    "range_huge": (range_model(-2 ** 59, 4, 1),
                   "node 'range' (Range, opset 17): start, limit and delta give"),
    # limit - start overflows 64 bits; the count must still come out right.
    "range_overflowing_span": (range_model(INT64_MIN, INT64_MAX, 2 ** 62),
                               None),
    "range_float_infinite": (range_model(0.0, float("inf"), 1.0, TensorProto.FLOAT),
                             "takes at most 16777216"),
    "range_float_nan": (range_model(0.0, float("nan"), 1.0, TensorProto.FLOAT),
                        "must be finite"),
    "constant_of_shape_huge": (
        model([const("shape", [2 ** 31, 2 ** 31], dims=[2]),
               helper.make_node("ConstantOfShape", ["shape"], ["z"], name="zeros")],
              ["z"]),
        "node 'zeros' (ConstantOfShape, opset 17): its result"),
    "expand_huge": (
        model([const("shape", [2 ** 20, 2 ** 20, 2], dims=[3]),
               helper.make_node("Expand", ["x", "shape"], ["e"], name="expand")], ["e"]),
        "node 'expand' (Expand, opset 17): its result"),
}


def composed_model(op, inputs, opset, attrs):
    """One `op` node over graph inputs {name: (onnx type, shape)}; a None
    value is an absent optional input ("")."""
    graph = helper.make_graph(
        [helper.make_node(op, list(inputs), ["y"], name=op.lower(), **attrs)], op,
        [helper.make_tensor_value_info(n, *spec) for n, spec in inputs.items() if spec],
        [helper.make_tensor_value_info("y", TensorProto.UNDEFINED, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


F = TensorProto.FLOAT
CASES.update({
    # past_value with a dynamic dimension made the output shape overflow.
    "attention_dynamic_past": (
        composed_model("Attention", {
            "Q": (F, [2, 4, 24]), "K": (F, [2, 6, 24]), "V": (F, [2, 6, 30]),
            "attn_mask": (F, [4, 18]), "past_key": (F, [2, 3, 12, 8]),
            "past_value": (F, [2, 3, 12, "n"])}, 23,
            {"q_num_heads": 3, "kv_num_heads": 3}),
        "node 'attention' (Attention, opset 23): input past_value must be a "
        "static 4-D tensor"),
    # A scalar beta was read as [B, T, width].
    "linear_attention_scalar_beta": (
        composed_model("LinearAttention", {
            "query": (F, [2, 4, 64]), "key": (F, [2, 4, 8]), "value": (F, [2, 4, 8]),
            "": None, "decay": (F, [2, 4, 8]), "beta": (TensorProto.FLOAT16, [])},
            27, {"q_num_heads": 8, "kv_num_heads": 1}),
        "'beta' must be a static rank-3 tensor"),
})


@pytest.mark.parametrize("case", sorted(CASES))
def test_oversized_tensors(strata, tools, tmp_path, case):
    onnx_model, message = CASES[case]
    path = save_model(onnx_model, tmp_path, case)
    if message is None:  # a valid model: it compiles and runs
        lib = strata.compile(path, tmp_path / "out")
        (r,) = strata.load(lib).run({"x": [1.0, 2.0]})
        assert list(r) == [INT64_MIN + i * 2 ** 62 for i in range(4)]
        return
    with pytest.raises(strata.CompileError, match=message.replace("(", r"\(")
                       .replace(")", r"\)")):
        strata.compile(path, tmp_path / "out")
    check_clean_failure(run_tool([tools.compile, path, "-o", tmp_path / "cli"]),
                        message)
