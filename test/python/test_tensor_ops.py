"""Reductions, indexing / data movement, normalizations and Einsum end to
end, compared with onnxruntime: f32 at rtol=1e-4, atol=1e-5 (harness.py),
integers and bools exactly. Shape computations as exporters write them
(Shape -> Gather -> Unsqueeze -> Concat -> Reshape) must fold at import.

Each case is one small model: (nodes, inputs, outputs, initializers,
opset); inputs are f32 random normals unless a feed is given."""

import re

import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper

import model_builders as mb
from harness import assert_same, input_shapes, run_onnxruntime, save_model

F32, I64, I32 = TP.FLOAT, TP.INT64, TP.INT32


def node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs),
                            name=f"{op.lower()}_{outputs[0]}", **attrs)


def model(nodes, inputs, outputs=("y",), inits=(), opset=13, check=True):
    """inputs: {name: shape} (f32) or {name: (shape, onnx type)}."""
    infos = []
    for name, spec in inputs.items():
        shape, elem = spec if isinstance(spec, tuple) else (spec, F32)
        infos.append(mb.value(name, shape, elem))
    consts = [mb.const(name, array) for name, array in dict(inits).items()]
    if not isinstance(nodes, list):
        nodes = [nodes]
    # Output types and shapes come from ONNX shape inference, or are given
    # as (name, shape) (f32) where it cannot infer them.
    outs = [helper.make_tensor_value_info(o, TP.UNDEFINED, None)
            if isinstance(o, str) else mb.value(*o) for o in outputs]
    return mb.make_model(nodes, infos, outs, consts, opset=opset, check=check)


def one(op, shape, attrs=None, inits=(), extra_inputs=(), opset=13,
        outputs=("y",), check=True):
    """A single `op` node reading x (f32 `shape`) and then `extra_inputs`
    (initializer names, or "" for an absent optional input)."""
    names = [o if isinstance(o, str) else o[0] for o in outputs]
    n = node(op, ["x", *extra_inputs], names, **(attrs or {}))
    return model(n, {"x": shape}, outputs, inits, opset, check)


def ints(*values):
    return np.array(values, np.int64)


GEN = np.random.default_rng(7)

# name -> (model builder, feeds builder or None)
CASES = {}


def case(name, feeds=None):
    def register(builder):
        CASES[name] = (builder, feeds)
        return builder
    return register


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

REDUCE_OPS = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
              "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
              "ReduceLogSumExp", "ReduceSumSquare"]
POSITIVE_X = lambda: {"x": GEN.uniform(0.5, 2.0, (3, 4, 5)).astype(np.float32)}

for _op in REDUCE_OPS:
    _feeds = POSITIVE_X if _op in ("ReduceLogSum", "ReduceProd") else None
    # Axes as an attribute (opset 11 / 13), keepdims both ways.
    _attr_opset = 11 if _op == "ReduceSum" else 13
    case(f"{_op}_attr_axes", _feeds)(
        lambda op=_op, o=_attr_opset: one(op, [3, 4, 5],
                                          {"axes": [0, -1], "keepdims": 0},
                                          opset=o))
    case(f"{_op}_default_all_keepdims", _feeds)(
        lambda op=_op, o=_attr_opset: one(op, [3, 4, 5], opset=o))
    # Axes as an input (opset 18), noop_with_empty_axes.
    case(f"{_op}_input_axes", _feeds)(
        lambda op=_op: one(op, [3, 4, 5], inits={"axes": ints(1)},
                           extra_inputs=["axes"], opset=18))
    case(f"{_op}_noop_empty_axes", _feeds)(
        lambda op=_op: one(op, [3, 4, 5], {"noop_with_empty_axes": 1},
                           inits={"axes": np.zeros([0], np.int64)},
                           extra_inputs=["axes"], opset=18))


def int_input(shape, elem=I64, lo=-9, hi=10, name="x"):
    dtype = np.int64 if elem == I64 else np.int32
    return {name: GEN.integers(lo, hi, shape).astype(dtype)}


@case("ReduceSum_int64", lambda: int_input([3, 4]))
def _():
    n = node("ReduceSum", ["x", "axes"], keepdims=0)
    return model(n, {"x": ([3, 4], I64)}, inits={"axes": ints(1)})


@case("ReduceMax_int32", lambda: int_input([3, 4], I32))
def _():
    return model(node("ReduceMax", ["x"], axes=[0]), {"x": ([3, 4], I32)})


@case("ReduceMean_int32_truncates", lambda: int_input([3, 4], I32))
def _():
    return model(node("ReduceMean", ["x"], axes=[1]), {"x": ([3, 4], I32)})


U8 = lambda: {"x": GEN.integers(0, 256, (3, 4)).astype(np.uint8)}


@case("ReduceMax_uint8", U8)
def _():
    return model(node("ReduceMax", ["x"], keepdims=0), {"x": ([3, 4], TP.UINT8)},
                 opset=18)


@case("ReduceMin_uint8_axis1", U8)
def _():
    return model(node("ReduceMin", ["x"], axes=[1]), {"x": ([3, 4], TP.UINT8)})


@case("ReduceMax_int8",
      lambda: {"x": GEN.integers(-128, 128, (3, 4)).astype(np.int8)})
def _():
    return model(node("ReduceMax", ["x"], axes=[0]), {"x": ([3, 4], TP.INT8)})


BOOLS = lambda: {"x": GEN.integers(0, 2, (3, 4)).astype(bool)}


@case("ReduceMax_bool_any", BOOLS)
def _():
    return model(node("ReduceMax", ["x"], keepdims=0), {"x": ([3, 4], TP.BOOL)},
                 opset=20)


@case("ReduceMin_bool_all_axis1", BOOLS)
def _():
    return model(node("ReduceMin", ["x", "axes"]), {"x": ([3, 4], TP.BOOL)},
                 inits={"axes": ints(1)}, opset=20)


@case("ArgMax_uint8", U8)
def _():
    # Values above 127 must compare as unsigned.
    return model(node("ArgMax", ["x"], axis=1, keepdims=0),
                 {"x": ([3, 4], TP.UINT8)})


@case("Pad_uint8_constant", U8)
def _():
    n = node("Pad", ["x", "pads", "v"])
    return model(n, {"x": ([3, 4], TP.UINT8)},
                 inits={"pads": ints(0, 2, 1, 1), "v": np.array(200, np.uint8)})


@case("ArgMax_keepdims")
def _():
    return one("ArgMax", [3, 4, 5], {"axis": 1})


@case("ArgMin_last_index_ties", lambda: int_input([4, 6], lo=0, hi=3))
def _():
    n = node("ArgMin", ["x"], axis=-1, keepdims=0, select_last_index=1)
    return model(n, {"x": ([4, 6], I64)})


@case("ArgMax_first_index_ties", lambda: int_input([4, 6], I32, lo=0, hi=3))
def _():
    return model(node("ArgMax", ["x"], axis=0), {"x": ([4, 6], I32)})


for _excl in (0, 1):
    for _rev in (0, 1):
        case(f"CumSum_exclusive{_excl}_reverse{_rev}")(
            lambda e=_excl, r=_rev: one("CumSum", [3, 5],
                                        {"exclusive": e, "reverse": r},
                                        inits={"axis": ints(1)},
                                        extra_inputs=["axis"]))


@case("CumSum_int32_axis0", lambda: int_input([4, 3], I32))
def _():
    n = node("CumSum", ["x", "axis"])
    return model(n, {"x": ([4, 3], I32)}, inits={"axis": np.array(-2, np.int32)})


for _axis in (0, -1, 2):
    # axis fed at run time (not pinned): every axis scanned, one selected.
    case(f"CumSum_runtime_axis{_axis}",
         lambda a=_axis: {"x": GEN.standard_normal((2, 3, 4)).astype(np.float32),
                          "axis": np.array(a, np.int64)})(
        lambda: model(node("CumSum", ["x", "axis"], exclusive=1),
                      {"x": ([2, 3, 4], TP.FLOAT), "axis": ([], I64)}))


EINSUM = {
    "batch_matmul": ("bij,bjk->bik", [2, 3, 4], [2, 4, 5]),
    "attention_scores": ("bhqd,bhkd->bhqk", [1, 2, 3, 4], [1, 2, 5, 4]),
    "outer": ("i,j->ij", [3], [4]),
    "implicit_matmul": ("ij,jk", [3, 4], [4, 2]),
    "ellipsis_broadcast": ("...ij,...jk->...ik", [2, 3, 4], [1, 4, 2]),
    "dot": ("i,i->", [7], [7]),
    "transpose": ("ij->ji", [3, 4], None),
    "row_sums": ("ij->i", [3, 4], None),
    "trace": ("ii->", [4, 4], None),
    "diagonal": ("ii->i", [4, 4], None),
}
for _name, (_eq, _a, _b) in EINSUM.items():
    def _einsum(eq=_eq, a=_a, b=_b):
        inputs = {"x": a} if b is None else {"x": a, "w": b}
        return model(node("Einsum", list(inputs), equation=eq), inputs,
                     opset=12)
    case(f"Einsum_{_name}")(_einsum)


# ---------------------------------------------------------------------------
# Indexing and data movement
# ---------------------------------------------------------------------------

@case("Gather_runtime_negative_indices",
      lambda: {"x": GEN.standard_normal((3, 5, 2)).astype(np.float32),
               "i": ints(-1, 0, 4, -5, 2, 2).reshape(2, 3)})
def _():
    return model(node("Gather", ["x", "i"], axis=1),
                 {"x": [3, 5, 2], "i": ([2, 3], I64)})


@case("Gather_constant_scalar_index")
def _():
    return one("Gather", [4, 3], inits={"i": np.array(-2, np.int64)},
               extra_inputs=["i"])


@case("Gather_int32_indices_embedding",
      lambda: {"i": np.array([[3, 0, 9], [1, 1, 7]], np.int32)})
def _():
    table = GEN.standard_normal((10, 6)).astype(np.float32)
    return model(node("Gather", ["table", "i"]), {"i": ([2, 3], I32)},
                 inits={"table": table})


@case("GatherElements_axis1",
      lambda: {"x": GEN.standard_normal((3, 4)).astype(np.float32),
               "i": ints(0, -1, 2, 3, 1, 1, -4, 0, 3).reshape(3, 3)})
def _():
    return model(node("GatherElements", ["x", "i"], axis=1),
                 {"x": [3, 4], "i": ([3, 3], I64)})


@case("GatherND_batch_dims0")
def _():
    idx = ints(0, 1, -1, 2, 1, 0).reshape(3, 2)
    return one("GatherND", [2, 3, 4], inits={"i": idx}, extra_inputs=["i"])


@case("GatherND_batch_dims1",
      lambda: {"x": GEN.standard_normal((2, 3, 4)).astype(np.float32),
               "i": ints(2, 0, 1, 1).reshape(2, 2, 1)})
def _():
    return model(node("GatherND", ["x", "i"], batch_dims=1),
                 {"x": [2, 3, 4], "i": ([2, 2, 1], I64)})


@case("ScatterND_none")
def _():
    idx = ints(3, 0, -1).reshape(3, 1)
    upd = GEN.standard_normal((3, 5)).astype(np.float32)
    return one("ScatterND", [4, 5], inits={"i": idx, "u": upd},
               extra_inputs=["i", "u"])


@case("ScatterND_add_elements")
def _():
    idx = ints(0, 1, 2, 2, 0, 1).reshape(3, 2)
    upd = GEN.standard_normal((3,)).astype(np.float32)
    return one("ScatterND", [3, 3], {"reduction": "add"},
               inits={"i": idx, "u": upd}, extra_inputs=["i", "u"], opset=16)


@case("ScatterND_single_tuple_max")
def _():
    # indices [2]: one tuple addressing one element; updates are a scalar.
    return one("ScatterND", [4, 5], {"reduction": "max"},
               inits={"i": ints(-1, 2), "u": np.array(9.0, np.float32)},
               extra_inputs=["i", "u"], opset=18)


@case("Gather_bool_data",
      lambda: {"x": GEN.integers(0, 2, (4, 3)).astype(np.bool_)})
def _():
    n = node("Gather", ["x", "i"], axis=0)
    return model(n, {"x": ([4, 3], TP.BOOL)}, inits={"i": ints(3, -4, 1)})


@case("Tile_int32_edge_pad", lambda: int_input([2, 3], I32))
def _():
    nodes = [node("Tile", ["x", "r"], ["t"]),
             node("Pad", ["t", "pads"], ["y"], mode="edge")]
    return model(nodes, {"x": ([2, 3], I32)},
                 inits={"r": ints(2, 2), "pads": ints(1, 0, 2, 3)})


SLICES = {
    # name: (starts, ends, axes, steps) on a [5, 6, 4] input
    "basic": ([1, 0], [4, 3], [0, 1], None),
    "negative_steps": ([-1, 4], [-6, 0], [0, 1], [-2, -1]),
    "clamped": ([-100, 2], [100, 2**62], [1, 2], [1, 1]),
    "reverse_all": ([2**62], [-2**62], [2], [-1]),
    "stride3_no_axes": ([0, 1, 0], [5, 6, 4], None, [3, 2, 1]),
    "empty": ([3], [1], [0], None),
}
for _name, (_s, _e, _a, _st) in SLICES.items():
    def _slice(s=_s, e=_e, a=_a, st=_st):
        inits = {"starts": ints(*s), "ends": ints(*e)}
        extra = ["starts", "ends"]
        if a is not None or st is not None:
            inits["axes"] = ints(*(a if a is not None else range(len(s))))
            extra.append("axes")
        if st is not None:
            inits["steps"] = ints(*st)
            extra.append("steps")
        return one("Slice", [5, 6, 4], inits=inits, extra_inputs=extra)
    case(f"Slice_{_name}")(_slice)


@case("Slice_opset9_attributes")
def _():
    return one("Slice", [5, 6], {"starts": [1, -3], "ends": [100, -1],
                                 "axes": [0, 1]}, opset=9)


@case("Split_input_sizes")
def _():
    return one("Split", [4, 7], {"axis": 1}, inits={"s": ints(2, 4, 1)},
               extra_inputs=["s"], outputs=("a", "b", "c"))


@case("Split_attr_equal_opset11")
def _():
    return one("Split", [6, 2], opset=11, outputs=("a", "b", "c"))


@case("Split_num_outputs_uneven_opset18")
def _():
    return one("Split", [7, 2], {"axis": 0, "num_outputs": 3}, opset=18,
               outputs=("a", "b", "c"))


PADS = {
    "constant_value": ("constant", [0, 1, 2, 0, 3, 1], 1.5),
    "reflect": ("reflect", [1, 2, 0, 2, 1, 3], None),
    "edge": ("edge", [2, 0, 1, 1, 3, 0], None),
}
for _name, (_mode, _pads, _val) in PADS.items():
    def _pad(mode=_mode, pads=_pads, val=_val):
        inits = {"pads": ints(*pads)}
        extra = ["pads"]
        if val is not None:
            inits["v"] = np.array(val, np.float32)
            extra.append("v")
        return one("Pad", [3, 4, 5], {"mode": mode}, inits=inits,
                   extra_inputs=extra)
    case(f"Pad_{_name}")(_pad)


@case("Pad_axes_opset18")
def _():
    return one("Pad", [3, 4, 5], {"mode": "reflect"},
               inits={"pads": ints(1, 2, 3, 1), "axes": ints(-1, 1)},
               extra_inputs=["pads", "", "axes"], opset=18)


@case("Pad_opset2_attributes")
def _():
    return one("Pad", [3, 4], {"pads": [1, 0, 0, 2], "value": -2.0},
               opset=2)


@case("Pad_int64_constant", lambda: int_input([2, 3]))
def _():
    n = node("Pad", ["x", "pads", "v"])
    return model(n, {"x": ([2, 3], I64)},
                 inits={"pads": ints(1, 1, 0, 2), "v": np.array(7, np.int64)})


@case("Pad_runtime_constant_value",
      lambda: {"x": GEN.standard_normal((3, 4)).astype(np.float32),
               "v": np.array(-1.5, np.float32)})
def _():
    # constant_value is a graph input, read at run time (not pinned).
    n = node("Pad", ["x", "pads", "v"])
    return model(n, {"x": ([3, 4], TP.FLOAT), "v": ([], TP.FLOAT)},
                 inits={"pads": ints(1, 0, 2, 3)})


@case("Tile")
def _():
    return one("Tile", [2, 3, 1], inits={"r": ints(2, 1, 3)},
               extra_inputs=["r"])


@case("Expand_rank_increase")
def _():
    return one("Expand", [3, 1], inits={"s": ints(2, 1, 4)},
               extra_inputs=["s"])


@case("Squeeze_opset11_attr")
def _():
    return one("Squeeze", [1, 3, 1, 2], {"axes": [0, -2]}, opset=11)


@case("Squeeze_opset13_all_unit_dims")
def _():
    return one("Squeeze", [1, 3, 1, 2])


@case("Unsqueeze_opset11_attr")
def _():
    return one("Unsqueeze", [3, 2], {"axes": [0, 3]}, opset=11)


@case("Unsqueeze_opset13_input")
def _():
    return one("Unsqueeze", [3, 2], inits={"a": ints(-1, 1)},
               extra_inputs=["a"])


for _mode in ("DCR", "CRD"):
    case(f"DepthToSpace_{_mode}")(
        lambda m=_mode: one("DepthToSpace", [2, 8, 3, 2],
                            {"blocksize": 2, "mode": m}))


@case("SpaceToDepth")
def _():
    return one("SpaceToDepth", [2, 3, 4, 6], {"blocksize": 2})


for _upper in (0, 1):
    for _k in (-1, 0, 2):
        case(f"Trilu_upper{_upper}_k{_k}")(
            lambda u=_upper, k=_k: one("Trilu", [2, 4, 5], {"upper": u},
                                       inits={"k": np.array(k, np.int64)},
                                       extra_inputs=["k"], opset=14))


for _upper in (0, 1):
    # k fed at run time (not pinned): a mask against a constant j - i.
    case(f"Trilu_upper{_upper}_runtime_k",
         lambda: {"x": GEN.standard_normal((2, 4, 5)).astype(np.float32),
                  "k": np.array(-1, np.int64)})(
        lambda u=_upper: model(node("Trilu", ["x", "k"], upper=u),
                               {"x": ([2, 4, 5], TP.FLOAT), "k": ([], I64)}, opset=14))


@case("Clip_runtime_bounds",
      lambda: {"x": GEN.standard_normal((3, 4)).astype(np.float32),
               "lo": np.array(-0.3, np.float32), "hi": np.array(0.4, np.float32)})
def _():
    # min and max fed at run time (not pinned): max(x, min) then min(., max).
    return model(node("Clip", ["x", "lo", "hi"]),
                 {"x": ([3, 4], TP.FLOAT), "lo": ([], TP.FLOAT), "hi": ([], TP.FLOAT)},
                 opset=13)


@case("OneHot_negative_indices_axis1",
      lambda: {"i": ints(0, -1, 3, 5, -7, 2).reshape(2, 3)})
def _():
    n = node("OneHot", ["i", "depth", "values"], axis=1)
    return model(n, {"i": ([2, 3], I64)},
                 inits={"depth": np.array(5, np.int64),
                        "values": np.array([-1.0, 2.5], np.float32)})


@case("Range_plus_input")
def _():
    nodes = [node("Range", ["start", "limit", "delta"], ["r"]),
             node("Add", ["x", "r"])]
    return model(nodes, {"x": [4]},
                 inits={"start": np.array(1.0, np.float32),
                        "limit": np.array(-1.0, np.float32),
                        "delta": np.array(-0.5, np.float32)}, opset=11)


@case("Shape_start_end_and_Size")
def _():
    nodes = [node("Shape", ["x"], ["s"], start=-2),
             node("Size", ["x"], ["n"]),
             node("Identity", ["x"], ["y"])]
    return model(nodes, {"x": [2, 3, 4]}, ["y", "s", "n"], opset=15)


@case("ConstantOfShape_plus_input")
def _():
    value = helper.make_tensor("value", F32, [1], [0.25])
    nodes = [node("ConstantOfShape", ["shape"], ["c"], value=value),
             node("Add", ["x", "c"])]
    return model(nodes, {"x": [2, 3]}, inits={"shape": ints(2, 3)})


@case("pytorch_shape_chain")
def _():
    """x.view(x.size(0), -1) and x.reshape(b, c // 2, ...) as exported."""
    nodes = [
        node("Shape", ["x"], ["shape"]),
        node("Gather", ["shape", "zero"], ["batch"], axis=0),
        node("Unsqueeze", ["batch", "axes0"], ["batch_1d"]),
        node("Concat", ["batch_1d", "minus_one"], ["target"], axis=0),
        node("Reshape", ["x", "target"], ["flat"]),
        node("Slice", ["shape", "one", "two"], ["channels_1d"]),
        node("Squeeze", ["channels_1d", "axes0"], ["channels"]),
        node("Cast", ["channels"], ["channels_f"], to=F32),
        node("Div", ["channels_f", "two_f"], ["half_f"]),
        node("Cast", ["half_f"], ["half"], to=I64),
        node("Mul", ["half", "one_scalar"], ["half_again"]),
        node("Add", ["half_again", "zero"], ["half_plus"]),
        node("Unsqueeze", ["half_plus", "axes0"], ["half_1d"]),
        node("Concat", ["batch_1d", "half_1d", "minus_one"], ["target2"],
             axis=0),
        node("Reshape", ["x", "target2"], ["y"]),
    ]
    inits = {"zero": np.array(0, np.int64), "axes0": ints(0),
             "minus_one": ints(-1), "one": ints(1), "two": ints(2),
             "two_f": np.array(2.0, np.float32),
             "one_scalar": np.array(1, np.int64)}
    return model(nodes, {"x": [2, 6, 5]},
                 [("flat", [2, 30]), ("y", [2, 3, 10])], inits)


def folded_constants():
    """Branches computing [2, 3] constants through every op that folds at
    import, summed and added to x: the graph keeps one graph.add."""
    f = lambda *shape: np.arange(np.prod(shape), dtype=np.float32).reshape(
        shape) - 3.5
    inits = {
        "f23": f(2, 3), "f32": f(3, 2), "f26": f(2, 6), "f25": f(2, 5),
        "f13": f(1, 3), "f3": f(3), "f1231": f(1, 2, 3, 1), "f231": f(2, 3, 1),
        "ia": np.array([[-3, 5, 7], [4, -8, 0]], np.int64),
        "ib": np.array([[2, -3, 3], [4, 5, -1]], np.int64),
        "idx": ints(4, -1, 0), "perm_axes": ints(0, 3), "r21": ints(2, 1),
        "e21": ints(2, 1), "s0": ints(0, 5), "e0": ints(2, -100),
        "a01": ints(0, 1), "st": ints(1, -2), "sh": ints(2, 3),
        "start": np.array(0, np.int64), "limit": np.array(6, np.int64),
        "delta": np.array(1, np.int64),
    }
    nodes, terms = [], []

    def add(op, inputs, **attrs):
        out = f"t{len(nodes)}"
        nodes.append(node(op, inputs, [out], **attrs))
        return out

    def as_f32(name):
        return add("Cast", [name], to=F32)

    terms.append(add("Transpose", ["f32"]))
    terms.append(add("Slice", ["f26", "s0", "e0", "a01", "st"]))
    terms.append(add("Gather", ["f25", "idx"], axis=1))
    nodes.append(node("Split", ["f26"], ["sa", "sb"], axis=1))
    terms += ["sa", "sb"]
    terms.append(add("Tile", ["f13", "r21"]))
    terms.append(add("Expand", ["f3", "e21"]))
    terms.append(add("Squeeze", ["f1231", "perm_axes"]))
    terms.append(add("Concat", ["f13", add("Neg", ["f13"])], axis=0))
    terms.append(add("Flatten", ["f231"], axis=1))
    for op in ("Add", "Sub", "Mul", "Div", "Mod", "Min", "Max"):
        terms.append(as_f32(add(op, ["ia", "ib"])))
    for op in ("Neg", "Abs"):
        terms.append(as_f32(add(op, ["ia"])))
    eq, less = add("Equal", ["ia", "ib"]), add("Less", ["ia", "ib"])
    greater = add("Greater", ["ia", "ib"])
    cond = add("Or", [add("And", [add("Not", [eq]), less]), greater])
    terms.append(add("Where", [cond, "f23", as_f32("ia")]))
    for op in ("Floor", "Ceil"):
        terms.append(add(op, [add("Div", ["f23", "f3"])]))
    terms.append(add("Sqrt", [add("Abs", ["f23"])]))
    terms.append(as_f32(add("Cast", [add("Mul", ["f23", "f23"])], to=I64)))
    rng = as_f32(add("Range", ["start", "limit", "delta"]))
    terms.append(add("Reshape", [rng, add("Shape", ["f23"])]))
    terms.append(as_f32(add("ConstantOfShape", ["sh"],
                            value=helper.make_tensor("v", I64, [1], [3]))))
    terms.append(as_f32(add("Unsqueeze", [add("Size", ["f23"]), "a01"])))
    total = terms[0]
    for term in terms[1:]:
        total = add("Add", [total, term])
    nodes.append(node("Add", ["x", total]))
    return model(nodes, {"x": [2, 3]}, [("y", [2, 3])], inits)


case("folded_constants")(folded_constants)


# ---------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------

@case("LayerNormalization_last_axis_bias")
def _():
    return one("LayerNormalization", [2, 3, 8], {"epsilon": 1e-3},
               inits={"s": mb.weights(GEN, (8,)), "b": mb.weights(GEN, (8,))},
               extra_inputs=["s", "b"], opset=17)


@case("LayerNormalization_axis1_no_bias")
def _():
    return one("LayerNormalization", [2, 3, 4], {"axis": 1},
               inits={"s": mb.weights(GEN, (3, 4))}, extra_inputs=["s"],
               opset=17)


@case("InstanceNormalization")
def _():
    return one("InstanceNormalization", [2, 3, 5, 4], {"epsilon": 1e-4},
               inits={"s": mb.weights(GEN, (3,)), "b": mb.weights(GEN, (3,))},
               extra_inputs=["s", "b"])


@case("GroupNormalization_opset18_per_group")
def _():
    # The checker of onnx >= 1.16 rejects the deprecated opset-18 op, which
    # onnxruntime still runs.
    return one("GroupNormalization", [2, 6, 3, 2], {"num_groups": 3},
               inits={"s": mb.weights(GEN, (3,)), "b": mb.weights(GEN, (3,))},
               extra_inputs=["s", "b"], opset=18,
               outputs=[("y", [2, 6, 3, 2])], check=False)


@case("GroupNormalization_opset21_per_channel")
def _():
    return one("GroupNormalization", [2, 6, 5], {"num_groups": 2},
               inits={"s": mb.weights(GEN, (6,)), "b": mb.weights(GEN, (6,))},
               extra_inputs=["s", "b"], opset=21, outputs=[("y", [2, 6, 5])])


for _p in (1, 2):
    case(f"LpNormalization_p{_p}")(
        lambda p=_p: one("LpNormalization", [3, 4, 5], {"p": p, "axis": 1}))

for _op in ("Softmax", "LogSoftmax", "Hardmax"):
    for _axis, _opset in ((1, 13), (0, 13), (-1, 13), (0, 11), (1, 11)):
        case(f"{_op}_axis{_axis}_opset{_opset}")(
            lambda op=_op, a=_axis, o=_opset: one(op, [2, 3, 4], {"axis": a},
                                                  opset=o))


@case("Hardmax_ties", lambda: {"x": np.array([[1, 3, 3], [2, 2, 0]],
                                             np.float32)})
def _():
    return one("Hardmax", [2, 3])


# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CASES))
def test_tensor_op(strata, compile_api, name):
    builder, feeds_builder = CASES[name]
    onnx_model = builder()
    feeds = feeds_builder() if feeds_builder else {
        n: GEN.standard_normal(shape).astype(np.float32)
        for n, shape in input_shapes(onnx_model).items()}
    expected = run_onnxruntime(onnx_model, feeds)
    loaded = strata.load(compile_api(onnx_model, "net"))
    assert loaded.output_names == list(expected)
    outputs = loaded.run(feeds)
    for (out, want), got in zip(expected.items(), outputs):
        assert_same(got, want, f"{name}: output {out!r}")


def graph_ops(strata, onnx_model, directory):
    """The graph ops (but constants) of the imported model, in order."""
    path = save_model(onnx_model, directory, "net")
    text = open(strata.compile(path, directory / "out", emit="graph")).read()
    return [op for op in re.findall(r"= (graph\.\w+)", text)
            if op != "graph.constant"]


def test_shape_chain_folds_to_constants(strata, tmp_path):
    """The exported shape computation leaves only the reshapes."""
    ops = graph_ops(strata, CASES["pytorch_shape_chain"][0](), tmp_path)
    assert ops == ["graph.reshape", "graph.reshape"]


def test_constant_branches_fold(strata, tmp_path):
    """Every branch of folded_constants is computed at import."""
    ops = graph_ops(strata, folded_constants(), tmp_path)
    assert ops == ["graph.add"]
