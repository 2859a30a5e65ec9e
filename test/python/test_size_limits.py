"""Tensors no machine can hold are errors at the node, not a compiler that
eats its memory or overflows its arithmetic (found by fuzzing the importer,
test/fuzz/regressions/onnx-import): a Range computed at import is bounded
(2^24 elements) and computed without overflow, and any other tensor is
bounded at 2^36 elements. Each case compiles through strata-compile too,
which must exit 1 with the message and no crash output."""

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
