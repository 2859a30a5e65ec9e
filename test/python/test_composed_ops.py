"""ONNX ops that strata imports as compositions of graph ops (losses,
LpPool, LRN, GlobalMaxPool, MeanVarianceNormalization, EyeLike,
ReverseSequence), ScatterElements / Scatter and CumProd, end to end against
onnxruntime:
f32 at rtol=1e-4, atol=1e-5 (harness.py), integers exactly.

Each case is (model builder, feeds builder): one node reading graph inputs
and initializers."""

import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper

import model_builders as mb
from harness import assert_same, run_onnxruntime

F32, I64, I32 = TP.FLOAT, TP.INT64, TP.INT32
GEN = np.random.default_rng(11)
CASES = {}


def case(name, feeds):
    def register(builder):
        CASES[name] = (builder, feeds)
        return builder
    return register


def model(op, inputs, outputs=("y",), inits=None, opset=18, **attrs):
    """One `op` node; inputs: [(name, shape, elem)] graph inputs, or a name
    of `inits` (initializers), or "" (absent)."""
    infos, names = [], []
    for spec in inputs:
        if isinstance(spec, str):
            names.append(spec)
        else:
            infos.append(mb.value(*spec))
            names.append(spec[0])
    n = helper.make_node(op, names, list(outputs), name=f"{op.lower()}_node",
                         **attrs)
    consts = [mb.const(k, v) for k, v in (inits or {}).items()]
    # Output types and shapes come from ONNX shape inference.
    outs = [helper.make_tensor_value_info(o, TP.UNDEFINED, None)
            for o in outputs]
    return mb.make_model([n], infos, outs, consts, opset=opset)


def normal(shape):
    return GEN.standard_normal(shape).astype(np.float32)


def labels(shape, classes, dtype=np.int64, ignore=None):
    t = GEN.integers(0, classes, shape).astype(dtype)
    if ignore is not None:  # make sure some targets are ignored
        t.flat[::3] = ignore
    return t


# ---------------------------------------------------------------------------
# NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss
# ---------------------------------------------------------------------------

# (name, x shape, reduction, weight, ignore_index, target dtype)
LOSS_VARIANTS = [
    ("NC_mean", [4, 5], "mean", False, None, np.int64),
    ("NC_sum_weight", [4, 5], "sum", True, None, np.int64),
    ("NCd1_none_weight_ii", [3, 4, 6], "none", True, 2, np.int64),
    ("NCd1_mean_weight_ii", [3, 4, 6], "mean", True, 1, np.int32),
    ("NCd1_mean_no_weight_ii", [3, 4, 6], "mean", False, 3, np.int64),
    ("NCd1d2_mean_negative_ii", [2, 3, 4, 5], "mean", True, -1, np.int64),
    ("NCd1d2_sum_high_ii", [2, 3, 4, 5], "sum", False, 10, np.int32),
    ("NCd1d2d3_none_no_weight", [2, 3, 2, 3, 2], "none", False, None,
     np.int64),
]

for _op in ("NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"):
    for _name, _shape, _red, _weight, _ii, _dt in LOSS_VARIANTS:
        _tshape = [_shape[0], *_shape[2:]]
        _c = _shape[1]
        _elem = I64 if _dt == np.int64 else I32
        _attrs = {"reduction": _red}
        if _ii is not None:
            _attrs["ignore_index"] = _ii
        _outs = (("y", "log_prob") if _op == "SoftmaxCrossEntropyLoss"
                 and _red == "none" else ("y",))

        def _build(op=_op, shape=_shape, tshape=_tshape, c=_c, elem=_elem,
                   weight=_weight, attrs=_attrs, outs=_outs):
            inputs = [("x", shape, F32), ("t", tshape, elem)]
            inits = None
            if weight:
                inits = {"w": GEN.uniform(0.2, 2.0, [c]).astype(np.float32)}
                inputs.append("w")
            return model(op, inputs, outs, inits, opset=13, **attrs)

        def _feeds(shape=_shape, tshape=_tshape, c=_c, dt=_dt, ii=_ii):
            return {"x": normal(shape), "t": labels(tshape, c, dt, ii)}

        case(f"{_op}_{_name}", _feeds)(_build)


# ---------------------------------------------------------------------------
# ScatterElements, Scatter
# ---------------------------------------------------------------------------

def unique_indices(shape, axis, size, negative=False):
    """Indices along `axis` without duplicates within a line, so that the
    order of updates does not matter (reduction none)."""
    idx = np.argsort(GEN.random(shape[:axis] + [size] + shape[axis + 1:]),
                     axis=axis)
    idx = np.take(idx, range(shape[axis]), axis=axis)
    if negative:
        idx = np.where(idx % 2 == 0, idx - size, idx)
    return idx.astype(np.int64)


SCATTER_VARIANTS = [
    # name, data shape, indices shape, axis, reduction, negative indices
    ("axis0", [4, 3], [2, 3], 0, "none", False),
    ("axis1_negative", [3, 5], [3, 2], 1, "none", True),
    ("axis_minus1_3d", [2, 3, 4], [2, 2, 3], -1, "none", False),
    ("add_duplicates", [3, 4], [3, 6], 1, "add", False),
    ("mul", [3, 4], [2, 4], 0, "mul", False),
    ("max", [2, 5], [2, 5], 1, "max", False),
    ("min", [2, 3, 4], [2, 3, 3], 2, "min", True),
]

for _name, _ds, _is, _axis, _red, _neg in SCATTER_VARIANTS:
    def _build(ds=_ds, is_=_is, axis=_axis, red=_red):
        attrs = {"axis": axis}
        if red != "none":
            attrs["reduction"] = red
        return model("ScatterElements", [("x", ds, F32), ("i", is_, I64),
                                         ("u", is_, F32)], **attrs)

    def _feeds(ds=_ds, is_=_is, axis=_axis, red=_red, neg=_neg):
        a = axis % len(ds)
        if red == "none":
            i = unique_indices(list(is_), a, ds[a], neg)
        else:  # duplicates combine
            i = GEN.integers(-ds[a] if neg else 0, ds[a], is_).astype(np.int64)
        return {"x": normal(ds), "i": i, "u": normal(is_)}

    case(f"ScatterElements_{_name}", _feeds)(_build)


@case("ScatterElements_int32_indices_int64_data",
      lambda: {"x": GEN.integers(-9, 9, [3, 4]).astype(np.int64),
               "i": unique_indices([3, 2], 1, 4).astype(np.int32),
               "u": GEN.integers(-9, 9, [3, 2]).astype(np.int64)})
def _():
    return model("ScatterElements", [("x", [3, 4], I64), ("i", [3, 2], I32),
                                     ("u", [3, 2], I64)], axis=1)


@case("Scatter_opset9",
      lambda: {"x": normal([4, 3]), "i": unique_indices([2, 3], 0, 4),
               "u": normal([2, 3])})
def _():
    return model("Scatter", [("x", [4, 3], F32), ("i", [2, 3], I64),
                             ("u", [2, 3], F32)], opset=9)


# ---------------------------------------------------------------------------
# CumProd
# ---------------------------------------------------------------------------

for _axis, _excl, _rev in ((0, 0, 0), (1, 1, 0), (-1, 0, 1), (1, 1, 1)):
    case(f"CumProd_axis{_axis}_excl{_excl}_rev{_rev}",
         lambda: {"x": GEN.uniform(0.5, 1.5, [3, 4]).astype(np.float32)})(
        lambda a=_axis, e=_excl, r=_rev: model(
            "CumProd", [("x", [3, 4], F32), "axis"],
            inits={"axis": np.int64(a)}, opset=26, exclusive=e, reverse=r))


@case("CumProd_int32",
      lambda: {"x": GEN.integers(-3, 4, [2, 5]).astype(np.int32)})
def _():
    return model("CumProd", [("x", [2, 5], I32), "axis"],
                 inits={"axis": np.array([1], np.int32)}, opset=26)


# ---------------------------------------------------------------------------
# LpPool, LRN, GlobalMaxPool, MeanVarianceNormalization, EyeLike,
# ReverseSequence
# ---------------------------------------------------------------------------

LPPOOL_VARIANTS = [
    ("1d_p3", [1, 2, 9], dict(kernel_shape=[3], p=3)),
    ("2d_default", [1, 3, 6, 6], dict(kernel_shape=[3, 2])),
    ("2d_strides_pads", [2, 2, 7, 6],
     dict(kernel_shape=[3, 3], strides=[2, 1], pads=[1, 0, 2, 1])),
    ("2d_dilations_p1", [1, 2, 8, 8],
     dict(kernel_shape=[2, 3], dilations=[2, 2], p=1)),
    ("2d_same_lower", [1, 2, 5, 6],
     dict(kernel_shape=[2, 3], strides=[2, 2], auto_pad="SAME_LOWER")),
    ("2d_ceil_mode", [1, 1, 7, 7],
     dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)),
    ("3d", [1, 2, 4, 5, 6], dict(kernel_shape=[2, 2, 3], strides=[1, 2, 1])),
]

for _name, _shape, _attrs in LPPOOL_VARIANTS:
    case(f"LpPool_{_name}", lambda s=_shape: {"x": normal(s)})(
        lambda s=_shape, a=_attrs: model("LpPool", [("x", s, F32)], **a))

for _name, _attrs in (("default", dict(size=3)),
                      ("size5_attrs", dict(size=5, alpha=2e-3, beta=0.6,
                                           bias=2.0))):
    case(f"LRN_{_name}", lambda: {"x": normal([2, 6, 3, 4])})(
        lambda a=_attrs: model("LRN", [("x", [2, 6, 3, 4], F32)], opset=13,
                               **a))

for _shape in ([2, 3, 4, 5], [1, 4, 7], [1, 2, 3, 2, 4]):
    case(f"GlobalMaxPool_rank{len(_shape)}", lambda s=_shape: {"x": normal(s)})(
        lambda s=_shape: model("GlobalMaxPool", [("x", s, F32)]))

# The default axes, spelled out: onnx's shape inference of the function
# body fails without them.
case("MeanVarianceNormalization_nchw",
     lambda: {"x": normal([2, 3, 4, 5])})(
    lambda: model("MeanVarianceNormalization", [("x", [2, 3, 4, 5], F32)],
                  opset=13, axes=[0, 2, 3]))
case("MeanVarianceNormalization_axes",
     lambda: {"x": normal([3, 4, 5])})(
    lambda: model("MeanVarianceNormalization", [("x", [3, 4, 5], F32)],
                  opset=13, axes=[-1, 0]))

for _name, _attrs, _elem in (("default", {}, F32),
                             ("k2_int32", {"k": 2}, I32),
                             ("k_minus3_dtype_f32", {"k": -3, "dtype": F32},
                              I64)):
    _np = {F32: np.float32, I32: np.int32, I64: np.int64}[_elem]
    case(f"EyeLike_{_name}",
         lambda n=_np: {"x": np.zeros([5, 4], n)})(
        lambda a=_attrs, e=_elem: model("EyeLike", [("x", [5, 4], e)],
                                        opset=13, **a))

for _name, _batch, _time, _shape, _lens in (
        ("time_major", 1, 0, [4, 3, 2], [4, 0, 2]),
        ("batch_major", 0, 1, [3, 5], [1, 5, 3])):
    case(f"ReverseSequence_{_name}",
         lambda s=_shape, l=_lens: {"x": normal(s),
                                    "lens": np.array(l, np.int64)})(
        lambda b=_batch, t=_time, s=_shape: model(
            "ReverseSequence", [("x", s, F32), ("lens", [s[b]], I64)],
            opset=13, batch_axis=b, time_axis=t))


# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CASES))
def test_composed_op(strata, compile_api, name):
    builder, feeds_builder = CASES[name]
    onnx_model = builder()
    feeds = feeds_builder()
    expected = run_onnxruntime(onnx_model, feeds)
    loaded = strata.load(compile_api(onnx_model, "net"))
    assert loaded.output_names == list(expected)
    outputs = loaded.run(feeds)
    for (out, want), got in zip(expected.items(), outputs):
        assert_same(got, want, f"{name}: output {out!r}")


@pytest.mark.parametrize("op", ["ScatterElements", "SoftmaxCrossEntropyLoss"])
def test_symbolic_batch(strata, tmp_path, op):
    """Per-sample ops with a symbolic batch: one library runs batch 1 and 3."""
    from harness import save_model
    if op == "ScatterElements":
        inputs = [("x", ["N", 4], F32), ("i", ["N", 2], I64),
                  ("u", ["N", 2], F32)]
        attrs = {"axis": 1, "reduction": "add"}
        feeds = lambda n: {"x": normal([n, 4]),
                           "i": GEN.integers(-4, 4, [n, 2]).astype(np.int64),
                           "u": normal([n, 2])}
    else:
        inputs = [("x", ["N", 5], F32), ("t", ["N"], I64)]
        attrs = {"reduction": "none", "ignore_index": 2}
        feeds = lambda n: {"x": normal([n, 5]), "t": labels([n], 5)}
    n = helper.make_node(op, [i[0] for i in inputs], ["y"], **attrs)
    out_shape = ["N", 4] if op == "ScatterElements" else ["N"]
    onnx_model = mb.make_model([n], [mb.value(*i) for i in inputs],
                               [mb.value("y", out_shape)], opset=18,
                               check=False)
    lib = strata.compile(save_model(onnx_model, tmp_path, "net"),
                         tmp_path / "out", name="net")
    loaded = strata.load(lib)
    for n in (1, 3):
        f = feeds(n)
        expected = run_onnxruntime(onnx_model, f)
        assert_same(loaded.run(f)[0], expected["y"], f"{op} batch {n}")
