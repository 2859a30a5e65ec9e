"""Elementwise ONNX ops end to end, for every element type each supports,
compared with onnxruntime (CPU, graph optimizations off).

Tolerances: f32 rtol=1e-4, atol=1e-5 (harness.py); f64 rtol=1e-7, atol=1e-9
when onnxruntime computes in f64; f16 rtol=atol=1e-3 (one f16 ulp: strata
and onnxruntime both compute in f32 and round once); bf16 rtol=atol=1e-2
(one bf16 ulp); integers and bools exactly.

onnxruntime has no kernel for some (op, type) pairs (most math functions in
f64, bf16 almost everywhere, some integer widths, Where on bools). The
reference then runs the same model in a "carrier" type that holds every
test value exactly (CARRIERS: f16 / bf16 -> f32, i8 -> i32, ..., bool ->
u8), on the same values, and its outputs are converted back; a float
reference computed in f32 is compared with f32's tolerance. Test models
are valid ONNX: each op is tested on the types its ONNX schema allows.
"""

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper

from harness import ATOL, RTOL, run_onnxruntime

# name -> (ONNX type, numpy dtype of the logical values)
TYPES = {
    "f32": (TP.FLOAT, np.float32), "f16": (TP.FLOAT16, np.float16),
    "f64": (TP.DOUBLE, np.float64), "bf16": (TP.BFLOAT16, np.float32),
    "i8": (TP.INT8, np.int8), "i16": (TP.INT16, np.int16),
    "i32": (TP.INT32, np.int32), "i64": (TP.INT64, np.int64),
    "u8": (TP.UINT8, np.uint8), "u16": (TP.UINT16, np.uint16),
    "u32": (TP.UINT32, np.uint32), "u64": (TP.UINT64, np.uint64),
    "bool": (TP.BOOL, np.bool_),
}
FLOATS = ["f32", "f16", "f64", "bf16"]
SIGNED = ["i8", "i16", "i32", "i64"]
UNSIGNED = ["u8", "u16", "u32", "u64"]
INTS = SIGNED + UNSIGNED
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ["bool"]

# Types onnxruntime may lack a kernel for, and what to run instead (values
# of the tests fit every carrier exactly).
CARRIERS = {"f16": "f32", "bf16": "f32", "f64": "f32", "i8": "i32",
            "i16": "i32", "i32": "i64", "u8": "u32", "u16": "u32",
            "u32": "u64", "u64": "i64", "i64": "f64", "bool": "u8"}

TOLERANCES = {"f32": (RTOL, ATOL), "f64": (1e-7, 1e-9), "f16": (1e-3, 1e-3),
              "bf16": (1e-2, 1e-2)}


def is_float(t):
    return t in FLOATS


ONNX_TYPE_NAMES = {"f32": "float", "f16": "float16", "f64": "double",
                   "bf16": "bfloat16", "i8": "int8", "i16": "int16",
                   "i32": "int32", "i64": "int64", "u8": "uint8",
                   "u16": "uint16", "u32": "uint32", "u64": "uint64",
                   "bool": "bool"}


def onnx_allows(op, opset, types, constraint=0):
    """The members of `types` that ONNX's schema of `op` (at `opset`)
    allows for its `constraint`-th type parameter."""
    schema = onnx.defs.get_schema(op, opset)
    allowed = schema.type_constraints[constraint].allowed_type_strs
    return [t for t in types if f"tensor({ONNX_TYPE_NAMES[t]})" in allowed]


def to_bf16(values):
    """float32 values rounded to the nearest bf16 (ties to even), as f32."""
    bits = np.asarray(values, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32)


def to_strata(t, array):
    """strata's buffer for logical values: bf16 travels as its raw bits."""
    if t == "bf16":
        return (np.asarray(array, np.float32).view(np.uint32) >> 16).astype(
            np.uint16)
    return array


def from_strata(t, array):
    if t == "bf16":
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array


def values(t, shape, lo, hi, seed=0):
    """Random logical values of type `t` in [lo, hi)."""
    gen = np.random.default_rng(seed)
    if t == "bool":
        return gen.integers(0, 2, shape).astype(np.bool_)
    if is_float(t):
        array = gen.uniform(lo, hi, shape).astype(np.float32)
        return to_bf16(array) if t == "bf16" else array.astype(TYPES[t][1])
    info = np.iinfo(TYPES[t][1])
    lo, hi = max(int(lo), int(info.min)), min(int(hi), int(info.max))
    return gen.integers(lo, hi, shape, endpoint=True).astype(TYPES[t][1])


def int_range(t, magnitude):
    """[lo, hi] of test integers of `t`: +-magnitude, [0, 2*magnitude] for
    unsigned types."""
    return (0, 2 * magnitude) if t in UNSIGNED else (-magnitude, magnitude)


def make_model(nodes, inputs, outputs, opset):
    """inputs / outputs: [(name, type name, shape)]; outputs may give None
    as the shape (inferred)."""
    graph = helper.make_graph(
        nodes, "elementwise",
        [helper.make_tensor_value_info(n, TYPES[t][0], s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, TYPES[t][0], s)
         for n, t, s in outputs])
    model = helper.make_model(graph, producer_name="strata-tests",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 9 if opset >= 19 else 8
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def node_model(op, inputs, out_type, attrs=None, opset=17):
    """One node `op` reading `inputs` [(name, type, shape)], output "y"."""
    node = helper.make_node(op, [n for n, _, _ in inputs], ["y"], name="op",
                            **(attrs or {}))
    return make_model([node], inputs, [("y", out_type, None)], opset)


def missing_kernel(error):
    text = str(error)
    return "NOT_IMPLEMENTED" in text or "Could not find an implementation" in text


def input_vars(model, types):
    """The type variable of each graph input: the first key of `types` whose
    type the input has (None for inputs of other types, e.g. a condition)."""
    out = []
    for value in model.graph.input:
        elem = value.type.tensor_type.elem_type
        out.append(next((v for v, t in types.items() if TYPES[t][0] == elem),
                        None))
    return out


def reference(build, types, feeds, variables=None):
    """onnxruntime's outputs of build(types) on `feeds` (graph input order).
    `types` maps each type variable of the model to a type name; while
    onnxruntime has no kernel, one variable at a time (bf16 first, then the
    narrowest) is swapped for its carrier and the feeds converted. Returns
    (outputs, the types the reference computed in). `variables` gives the
    type variable of each input when matching by type is ambiguous."""
    variables = variables or input_vars(build(types), types)
    used = dict(types)
    while True:
        model = build(used)
        cast = {name: (np.asarray(value) if var is None else
                       np.asarray(value).astype(TYPES[used[var]][1]))
                for (name, value), var in zip(feeds.items(), variables)}
        if all(t != "bf16" for t in used.values()):
            try:
                return run_onnxruntime(model, cast), used
            except Exception as error:  # noqa: BLE001 - onnxruntime's types
                if not missing_kernel(error):
                    raise
        swappable = [v for v, t in used.items() if t in CARRIERS]
        if not swappable:
            raise AssertionError(f"onnxruntime cannot run {types}")
        var = min(swappable, key=lambda v: (used[v] != "bf16",
                                            list(CARRIERS).index(used[v])))
        used[var] = CARRIERS[used[var]]


def check(strata, compile_api, build, types, feeds, name, variables=None):
    """Compiles build(types), runs it on `feeds` (logical values, in graph
    input order) and compares every output with the reference."""
    model = build(types)
    lib = strata.load(compile_api(model, name))
    names = [v.name for v in model.graph.input]
    inputs = dict(zip(names, feeds.values()))
    type_names = {TYPES[t][0]: t for t in TYPES}
    input_types = [type_names[v.type.tensor_type.elem_type]
                   for v in model.graph.input]
    outputs = lib.run({n: to_strata(t, inputs[n])
                       for n, t in zip(names, input_types)})
    expected, used = reference(build, types, inputs, variables)
    for value, got in zip(model.graph.output, outputs):
        t = type_names[value.type.tensor_type.elem_type]
        got = from_strata(t, got)
        want = expected[value.name]
        assert got.shape == want.shape, f"{value.name}: shape {got.shape}"
        if is_float(t):
            var = next(v for v, n in types.items() if n == t)
            computed = used[var]
            rtol, atol = TOLERANCES[t if computed == t or t in ("f16", "bf16")
                                    else computed]
            np.testing.assert_allclose(
                got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                atol=atol, err_msg=f"{name}: output {value.name} ({t})")
        else:
            np.testing.assert_array_equal(
                got, want.astype(got.dtype),
                err_msg=f"{name}: output {value.name} ({t})")


# ---------------------------------------------------------------------------
# Unary ops: (types, value range, attributes, opset)
# ---------------------------------------------------------------------------

SHAPE = [3, 7]

UNARY = {
    "Exp": (FLOATS, (-3, 3)), "Log": (FLOATS, (0.1, 5)),
    "Sqrt": (FLOATS, (0, 5)), "Floor": (FLOATS, (-3, 3)),
    "Ceil": (FLOATS, (-3, 3)), "Sin": (FLOATS, (-3, 3)),
    "Cos": (FLOATS, (-3, 3)), "Tan": (FLOATS, (-1.2, 1.2)),
    "Asin": (FLOATS, (-0.95, 0.95)), "Acos": (FLOATS, (-0.95, 0.95)),
    "Atan": (FLOATS, (-3, 3)), "Sinh": (FLOATS, (-3, 3)),
    "Cosh": (FLOATS, (-3, 3)), "Tanh": (FLOATS, (-3, 3)),
    "Asinh": (FLOATS, (-3, 3)), "Acosh": (FLOATS, (1.05, 5)),
    "Atanh": (FLOATS, (-0.95, 0.95)), "Erf": (FLOATS, (-3, 3)),
    "Sigmoid": (FLOATS, (-8, 8)), "Softplus": (FLOATS, (-10, 10)),
    "Softsign": (FLOATS, (-5, 5)), "Mish": (FLOATS, (-5, 5), {}, 18),
    "HardSwish": (FLOATS, (-5, 5)), "HardSigmoid": (FLOATS, (-5, 5)),
    "HardSigmoid_attrs": (FLOATS, (-5, 5), {"alpha": 0.3, "beta": 0.4}),
    "LeakyRelu": (FLOATS, (-3, 3)),
    "LeakyRelu_attrs": (FLOATS, (-3, 3), {"alpha": 0.2}),
    "Elu": (FLOATS, (-3, 3), {"alpha": 0.7}),
    "Selu": (FLOATS, (-3, 3)),
    "Selu_attrs": (FLOATS, (-3, 3), {"alpha": 1.5, "gamma": 0.9}),
    "Celu": (FLOATS, (-3, 3), {"alpha": 1.5}),
    "ThresholdedRelu": (FLOATS, (-3, 3), {"alpha": 0.5}),
    "Gelu": (FLOATS, (-4, 4), {}, 20),
    "Gelu_tanh": (FLOATS, (-4, 4), {"approximate": "tanh"}, 20),
    "Relu": (FLOATS + SIGNED, (-50, 50), {}, 14),
    "Abs": (NUMERIC, (-50, 50)),
    "Neg": (FLOATS + SIGNED, (-50, 50)),
    "Sign": (NUMERIC, (-3, 3)),
    "Shrink": (NUMERIC, (-3, 3), {"lambd": 1.5, "bias": 1.0}),
}


def unary_case(case, t):
    spec = UNARY[case]
    types, (lo, hi) = spec[0], spec[1]
    attrs = spec[2] if len(spec) > 2 else {}
    opset = spec[3] if len(spec) > 3 else 17
    op = case.split("_")[0]
    if not is_float(t):
        lo, hi = int_range(t, int(max(abs(lo), abs(hi))))
    return op, attrs, opset, values(t, SHAPE, lo, hi)


UNARY_CASES = [(c, t) for c in UNARY
               for t in onnx_allows(c.split("_")[0],
                                    UNARY[c][3] if len(UNARY[c]) > 3 else 17,
                                    UNARY[c][0])]


@pytest.mark.parametrize("case,t", UNARY_CASES,
                         ids=[f"{c}-{t}" for c, t in UNARY_CASES])
def test_unary(strata, compile_api, case, t):
    op, attrs, opset, x = unary_case(case, t)
    build = lambda ty: node_model(op, [("x", ty["T"], SHAPE)], ty["T"], attrs,
                                  opset)
    check(strata, compile_api, build, {"T": t}, {"x": x}, f"{case}_{t}")


@pytest.mark.parametrize("t", onnx_allows("Round", 17, FLOATS))
def test_round_halves_to_even(strata, compile_api, t):
    x = (np.arange(-14, 14) / 4.0).astype(np.float32)  # ..., -0.5, 0.25, ...
    x = to_bf16(x) if t == "bf16" else x.astype(TYPES[t][1])
    build = lambda ty: node_model("Round", [("x", ty["T"], [28])], ty["T"])
    check(strata, compile_api, build, {"T": t}, {"x": x}, f"round_{t}")


@pytest.mark.parametrize("t", FLOATS)
def test_reciprocal(strata, compile_api, t):
    x = values("f32", SHAPE, 0.2, 3) * np.where(
        values("bool", SHAPE, 0, 1), 1, -1).astype(np.float32)
    x = to_bf16(x) if t == "bf16" else x.astype(TYPES[t][1])
    build = lambda ty: node_model("Reciprocal", [("x", ty["T"], SHAPE)],
                                  ty["T"])
    check(strata, compile_api, build, {"T": t}, {"x": x}, f"reciprocal_{t}")


SPECIAL = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 3.0, -0.0, 1e30],
                   np.float32)


@pytest.mark.parametrize("t", FLOATS)
@pytest.mark.parametrize("op,attrs", [
    ("IsNaN", {}), ("IsInf", {}), ("IsInf", {"detect_negative": 0}),
    ("IsInf", {"detect_positive": 0})], ids=["isnan", "isinf", "isinf_pos",
                                              "isinf_neg"])
def test_float_predicates(strata, compile_api, op, attrs, t):
    with np.errstate(over="ignore"):  # 1e30 is inf in f16
        x = SPECIAL.astype(TYPES[t][1]) if t != "bf16" else SPECIAL
    build = lambda ty: node_model(op, [("x", ty["T"], [8])], "bool", attrs,
                                  opset=20)
    check(strata, compile_api, build, {"T": t}, {"x": x}, f"{op}_{t}")


def test_not(strata, compile_api):
    build = lambda ty: node_model("Not", [("x", "bool", SHAPE)], "bool")
    check(strata, compile_api, build, {"T": "bool"},
          {"x": values("bool", SHAPE, 0, 1)}, "not")


# ---------------------------------------------------------------------------
# Clip on every numeric type (bounds are constant inputs from opset 11)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("bounds", ["both", "min", "max"])
@pytest.mark.parametrize("t", NUMERIC)
def test_clip(strata, compile_api, t, bounds):
    lo, hi = (-2.5, 1.5) if is_float(t) else ((3, 60) if t in UNSIGNED
                                              else (-20, 30))
    x = values(t, SHAPE, *((-4, 4) if is_float(t) else int_range(t, 50)))

    def build(ty):
        dtype = TYPES[ty["T"]][1] if ty["T"] != "bf16" else None
        inits, names = [], ["x"]
        for name, bound in (("lo", lo), ("hi", hi)):
            wanted = bounds == "both" or bounds == ("min" if name == "lo"
                                                    else "max")
            if not wanted:
                names.append("")
                continue
            if dtype is None:  # bf16
                tensor = helper.make_tensor(name, TP.BFLOAT16, [],
                                            [float(bound)])
            else:
                tensor = onnx.numpy_helper.from_array(
                    np.array(bound, dtype), name)
            inits.append(tensor)
            names.append(name)
        while names[-1] == "":
            names.pop()
        node = helper.make_node("Clip", names, ["y"], name="op")
        graph = helper.make_graph(
            [node], "clip",
            [helper.make_tensor_value_info("x", TYPES[ty["T"]][0], SHAPE)],
            [helper.make_tensor_value_info("y", TYPES[ty["T"]][0], SHAPE)],
            initializer=inits)
        model = helper.make_model(graph, opset_imports=[
            helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model

    check(strata, compile_api, build, {"T": t}, {"x": x}, f"clip_{t}")


# ---------------------------------------------------------------------------
# Binary and variadic ops with broadcasting
# ---------------------------------------------------------------------------

A_SHAPE, B_SHAPE = [3, 1, 5], [4, 5]


def binary_values(t, lo, hi, nonzero_rhs=False):
    if not is_float(t):
        lo, hi = int_range(t, int(max(abs(lo), abs(hi))))
    a, b = values(t, A_SHAPE, lo, hi, seed=1), values(t, B_SHAPE, lo, hi, 2)
    # Some equal elements, so that comparisons see ties.
    b.reshape(-1)[:5] = a.reshape(-1)[:5]
    if nonzero_rhs:
        one = to_bf16(np.float32(1)) if t == "bf16" else TYPES[t][1](1)
        b = np.where(b == 0, one, b).astype(b.dtype)
        if is_float(t):  # keep divisors away from 0
            sign = np.where(b < 0, -1, 1).astype(b.dtype)
            b = (b + sign).astype(b.dtype)
            b = to_bf16(b) if t == "bf16" else b
    return a, b


BINARY = {
    # case: (op, types, value range, attrs, result type or None)
    "Add": ("Add", NUMERIC, (-50, 50)),
    "Sub": ("Sub", NUMERIC, (-50, 50)),
    "Mul": ("Mul", NUMERIC, (-10, 10)),
    "Div": ("Div", NUMERIC, (-50, 50), {}, None, True),
    "Mod": ("Mod", INTS, (-50, 50), {}, None, True),
    "Mod_fmod": ("Mod", NUMERIC, (-50, 50), {"fmod": 1}, None, True),
    "Equal": ("Equal", ALL, (-5, 5), {}, "bool"),
    "Less": ("Less", NUMERIC, (-5, 5), {}, "bool"),
    "LessOrEqual": ("LessOrEqual", NUMERIC, (-5, 5), {}, "bool"),
    "Greater": ("Greater", NUMERIC, (-5, 5), {}, "bool"),
    "GreaterOrEqual": ("GreaterOrEqual", NUMERIC, (-5, 5), {}, "bool"),
    "And": ("And", ["bool"], (0, 1)),
    "Or": ("Or", ["bool"], (0, 1)),
    "Xor": ("Xor", ["bool"], (0, 1)),
}

BINARY_CASES = [(c, t) for c in BINARY
                for t in onnx_allows(BINARY[c][0], 17, BINARY[c][1])]


@pytest.mark.parametrize("case,t", BINARY_CASES,
                         ids=[f"{c}-{t}" for c, t in BINARY_CASES])
def test_binary(strata, compile_api, case, t):
    spec = BINARY[case]
    op, _, (lo, hi) = spec[:3]
    attrs = spec[3] if len(spec) > 3 else {}
    result = spec[4] if len(spec) > 4 else None
    nonzero = spec[5] if len(spec) > 5 else False
    a, b = binary_values(t, lo, hi, nonzero)
    build = lambda ty: node_model(
        op, [("a", ty["T"], A_SHAPE), ("b", ty["T"], B_SHAPE)],
        result or ty["T"], attrs)
    check(strata, compile_api, build, {"T": t}, {"a": a, "b": b},
          f"{case}_{t}")


BITWISE_CASES = [(op, t) for op in ("BitwiseAnd", "BitwiseOr", "BitwiseXor",
                                    "BitwiseNot") for t in INTS]


@pytest.mark.parametrize("op,t", BITWISE_CASES,
                         ids=[f"{o}-{t}" for o, t in BITWISE_CASES])
def test_bitwise(strata, compile_api, op, t):
    info = np.iinfo(TYPES[t][1])
    lo, hi = max(int(info.min), -10**6), min(int(info.max), 10**6)
    a, b = values(t, A_SHAPE, lo, hi, seed=1), values(t, B_SHAPE, lo, hi, 2)
    if op == "BitwiseNot":
        build = lambda ty: node_model(op, [("a", ty["T"], A_SHAPE)], ty["T"],
                                      opset=18)
        feeds = {"a": a}
    else:
        build = lambda ty: node_model(
            op, [("a", ty["T"], A_SHAPE), ("b", ty["T"], B_SHAPE)], ty["T"],
            opset=18)
        feeds = {"a": a, "b": b}
    check(strata, compile_api, build, {"T": t}, feeds, f"{op}_{t}")


@pytest.mark.parametrize("t", UNSIGNED)
@pytest.mark.parametrize("direction", ["LEFT", "RIGHT"])
def test_bit_shift(strata, compile_api, t, direction):
    width = np.iinfo(TYPES[t][1]).bits
    a = values(t, A_SHAPE, 0, 255, seed=1)
    b = values(t, B_SHAPE, 0, width - 1, seed=2)
    build = lambda ty: node_model(
        "BitShift", [("a", ty["T"], A_SHAPE), ("b", ty["T"], B_SHAPE)],
        ty["T"], {"direction": direction}, opset=11)
    check(strata, compile_api, build, {"T": t}, {"a": a, "b": b},
          f"bitshift_{direction}_{t}")


VARIADIC_SHAPES = [[3, 1, 5], [4, 5], [1]]


VARIADIC_CASES = [(op, t, count) for op in ("Max", "Min", "Sum", "Mean")
                  for t in onnx_allows(op, 17, NUMERIC) for count in (1, 3)]


@pytest.mark.parametrize("op,t,count", VARIADIC_CASES,
                         ids=[f"{o}{c}-{t}" for o, t, c in VARIADIC_CASES])
def test_variadic(strata, compile_api, op, t, count):
    lo, hi = (-3, 3) if is_float(t) else int_range(t, 50)
    shapes = VARIADIC_SHAPES[:count]
    feeds = {f"x{i}": values(t, s, lo, hi, seed=i)
             for i, s in enumerate(shapes)}
    build = lambda ty: node_model(
        op, [(f"x{i}", ty["T"], s) for i, s in enumerate(shapes)], ty["T"])
    check(strata, compile_api, build, {"T": t}, feeds, f"{op}{count}_{t}")


@pytest.mark.parametrize("t", FLOATS)
@pytest.mark.parametrize("exponent", ["f32", "i32", "i64", "same"])
def test_pow_float_base(strata, compile_api, t, exponent):
    e = t if exponent == "same" else exponent
    base = values(t, A_SHAPE, 0.2, 3, seed=1)
    # Integral exponents with negative bases too.
    if not is_float(e):
        base = values(t, A_SHAPE, -3, 3, seed=1)
        power = values(e, B_SHAPE, -3, 3, seed=2)
    else:
        power = values(e, B_SHAPE, -2, 2, seed=2)
    build = lambda ty: node_model(
        "Pow", [("a", ty["T"], A_SHAPE), ("b", ty.get("E", ty["T"]), B_SHAPE)],
        ty["T"])
    types = {"T": t} if exponent == "same" else {"T": t, "E": e}
    check(strata, compile_api, build, types, {"a": base, "b": power},
          f"pow_{t}_{e}")


@pytest.mark.parametrize("t,e", [("i32", "i32"), ("i64", "i64"),
                                 ("i32", "i64"), ("i64", "f32")])
def test_pow_integer_base(strata, compile_api, t, e):
    base = values(t, A_SHAPE, -6, 6, seed=1)
    power = values(e, B_SHAPE, 0, 5, seed=2)
    if is_float(e):
        power = np.floor(power)
    build = lambda ty: node_model(
        "Pow", [("a", ty["T"], A_SHAPE), ("b", ty["E"], B_SHAPE)], ty["T"])
    types = {"T": t, "E": e} if t != e else {"T": t}
    if t == e:
        build = lambda ty: node_model(
            "Pow", [("a", ty["T"], A_SHAPE), ("b", ty["T"], B_SHAPE)],
            ty["T"])
    check(strata, compile_api, build, types, {"a": base, "b": power},
          f"pow_{t}_{e}")


@pytest.mark.parametrize("t", onnx_allows("PRelu", 16, NUMERIC))
@pytest.mark.parametrize("slope_shape", [[3, 1, 1], [6], [1]])
def test_prelu(strata, compile_api, t, slope_shape):
    x = values(t, [2, 3, 4, 6], -3, 3, seed=1)
    slope = values(t, slope_shape, -0.5, 0.5, seed=2)
    if not is_float(t):
        x = values(t, [2, 3, 4, 6], *int_range(t, 20), seed=1)
        slope = values(t, slope_shape, 0, 3, seed=2)
    build = lambda ty: node_model(
        "PRelu", [("x", ty["T"], [2, 3, 4, 6]), ("s", ty["T"], slope_shape)],
        ty["T"], opset=16)
    check(strata, compile_api, build, {"T": t}, {"x": x, "s": slope},
          f"prelu_{t}")


@pytest.mark.parametrize("t", ALL)
def test_where(strata, compile_api, t):
    c = values("bool", [4, 1], 0, 1, seed=3)
    lo, hi = (-3, 3) if is_float(t) else (0, 1) if t == "bool" else \
        int_range(t, 50)
    x, y = values(t, A_SHAPE, lo, hi, 1), values(t, B_SHAPE, lo, hi, 2)
    build = lambda ty: make_model(
        [helper.make_node("Where", ["c", "x", "y"], ["z"])],
        [("c", "bool", [4, 1]), ("x", ty["T"], A_SHAPE),
         ("y", ty["T"], B_SHAPE)], [("z", ty["T"], [3, 4, 5])], 17)
    check(strata, compile_api, build, {"T": t}, {"c": c, "x": x, "y": y},
          f"where_{t}", variables=[None, "T", "T"])


# ---------------------------------------------------------------------------
# Cast: every pair of types (one model per source type, one node per target)
# ---------------------------------------------------------------------------

CAST_TYPES = ["f32", "f16", "f64", "i8", "i16", "i32", "i64", "u8", "u16",
              "u32", "u64", "bool"]


def cast_source_values(t):
    """Values every target can hold: for floats, fractions in [0, 100)
    (float -> int truncates toward zero; negative floats have no unsigned
    result) plus exact zeros; for integers, some beyond the narrow types'
    ranges (which wrap)."""
    gen = np.random.default_rng(5)
    if t == "bool":
        return gen.integers(0, 2, [24]).astype(np.bool_)
    if is_float(t):
        x = gen.uniform(0, 100, [24]).astype(np.float32)
        x[::5] = 0
        return x.astype(TYPES[t][1])
    info = np.iinfo(TYPES[t][1])
    x = gen.integers(max(int(info.min), -300), min(int(info.max), 300), [24],
                     endpoint=True)
    return x.astype(TYPES[t][1])


@pytest.mark.parametrize("source", CAST_TYPES)
def test_cast_all_pairs(strata, compile_api, source):
    def build(ty):
        nodes = [helper.make_node("Cast", ["x"], [f"y_{t}"],
                                  to=TYPES[ty[t]][0]) for t in CAST_TYPES]
        return make_model(nodes, [("x", ty["src"], [24])],
                          [(f"y_{t}", ty[t], None) for t in CAST_TYPES], 17)

    types = {"src": source, **{t: t for t in CAST_TYPES}}
    # Type variables are matched by ONNX type: the source shares its
    # variable with the target of the same type.
    check(strata, compile_api, build, types, {"x": cast_source_values(source)},
          f"cast_{source}")


def test_cast_negative_floats(strata, compile_api):
    """Negative floats truncate toward zero; floats -> bool are x != 0."""
    x = np.array([-2.7, -0.5, -0.0, 0.0, 0.4, 1.0, 2.5, -99.9], np.float32)
    build = lambda ty: make_model(
        [helper.make_node("Cast", ["x"], [f"y_{t}"], to=TYPES[t][0])
         for t in ("i8", "i32", "i64", "bool")],
        [("x", "f32", [8])], [(f"y_{t}", t, None)
                             for t in ("i8", "i32", "i64", "bool")], 17)
    check(strata, compile_api, build, {"T": "f32"}, {"x": x},
          "cast_negative")


@pytest.mark.parametrize("target", ["f32", "f64", "i32"])
def test_cast_bf16(strata, compile_api, target):
    """bf16 -> target and back (no onnxruntime kernel: reference in f32)."""
    x = to_bf16(values("f32", [24], 0, 100))
    build = lambda ty: make_model(
        [helper.make_node("Cast", ["x"], ["y"], to=TYPES[ty["D"]][0]),
         helper.make_node("Cast", ["y"], ["z"], to=TYPES[ty["B"]][0])],
        [("x", ty["B"], [24])], [("y", ty["D"], None), ("z", ty["B"], None)],
        17)
    check(strata, compile_api, build, {"B": "bf16", "D": target}, {"x": x},
          f"cast_bf16_{target}")


@pytest.mark.parametrize("source,target", [("f32", "i64"), ("i32", "f16"),
                                           ("u8", "f32"), ("f64", "bool")])
def test_cast_like(strata, compile_api, source, target):
    x = cast_source_values(source)

    def build(ty):
        like = onnx.numpy_helper.from_array(
            np.zeros([1], TYPES[ty["D"]][1]), "like")
        node = helper.make_node("CastLike", ["x", "like"], ["y"], name="op")
        graph = helper.make_graph(
            [node], "castlike",
            [helper.make_tensor_value_info("x", TYPES[ty["S"]][0], [24])],
            [helper.make_tensor_value_info("y", TYPES[ty["D"]][0], [24])],
            initializer=[like])
        model = helper.make_model(graph, opset_imports=[
            helper.make_opsetid("", 15)])
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model

    check(strata, compile_api, build, {"S": source, "D": target}, {"x": x},
          f"castlike_{source}_{target}")


# ---------------------------------------------------------------------------
# A small chain mixing types, and element types at the model boundary
# ---------------------------------------------------------------------------

def test_mixed_chain(strata, compile_api):
    """u8 image -> f32 -> normalize -> erf -> compare -> where -> cast."""
    def build(ty):
        nodes = [
            helper.make_node("Cast", ["img"], ["f"], to=TP.FLOAT),
            helper.make_node("Div", ["f", "scale"], ["n"]),
            helper.make_node("Erf", ["n"], ["e"]),
            helper.make_node("Greater", ["e", "half"], ["mask"]),
            helper.make_node("Where", ["mask", "img", "zero"], ["kept"]),
            helper.make_node("BitShift", ["kept", "one"], ["y"],
                             direction="RIGHT"),
        ]
        inits = [onnx.numpy_helper.from_array(np.float32(255), "scale"),
                 onnx.numpy_helper.from_array(np.float32(0.5), "half"),
                 onnx.numpy_helper.from_array(np.uint8(0), "zero"),
                 onnx.numpy_helper.from_array(np.uint8(1), "one")]
        graph = helper.make_graph(
            nodes, "chain",
            [helper.make_tensor_value_info("img", TP.UINT8, [2, 9])],
            [helper.make_tensor_value_info("y", TP.UINT8, [2, 9]),
             helper.make_tensor_value_info("mask", TP.BOOL, [2, 9])],
            initializer=inits)
        model = helper.make_model(graph, opset_imports=[
            helper.make_opsetid("", 17)])
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model

    check(strata, compile_api, build, {"T": "u8"},
          {"img": values("u8", [2, 9], 0, 255)}, "chain")


# ---------------------------------------------------------------------------
# The other float ops in f64 (and f16 for matmul and softmax)
# ---------------------------------------------------------------------------

def conv_pool_model(ty):
    t = ty["T"]
    w = helper.make_tensor("w", TYPES[t][0], [4, 3, 3, 3],
                           values("f64", [4, 3, 3, 3], -1, 1).ravel().tolist())
    scale = [helper.make_tensor(n, TYPES[t][0], [4],
                                values("f64", [4], 0.5, 1.5, i).tolist())
             for i, n in enumerate(("s", "b", "m", "v"))]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"],
                         ["n"]),
        helper.make_node("MaxPool", ["n"], ["mp"], kernel_shape=[2, 2]),
        helper.make_node("AveragePool", ["n"], ["ap"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["n"], ["gp"]),
    ]
    graph = helper.make_graph(
        nodes, "conv_pool", [helper.make_tensor_value_info(
            "x", TYPES[t][0], [1, 3, 7, 7])],
        [helper.make_tensor_value_info(n, TYPES[t][0], None)
         for n in ("mp", "ap", "gp")], initializer=[w] + scale)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17)])
    model.ir_version = 8
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def matmul_softmax_model(ty):
    t = ty["T"]
    nodes = [helper.make_node("MatMul", ["a", "b"], ["m"]),
             helper.make_node("Gemm", ["m", "b2"], ["g"], alpha=0.5,
                              transB=1),
             helper.make_node("Softmax", ["g"], ["y"], axis=-1)]
    return make_model(nodes, [("a", t, [3, 4]), ("b", t, [4, 5]),
                              ("b2", t, [6, 5])], [("y", t, None)], 17)


# f16 convolutions accumulate in f16 (LowerConvPool.cpp), a few f16 ulps
# away from onnxruntime's f32 accumulation: f64 only here.
@pytest.mark.parametrize("t", ["f64"])
def test_conv_pool_other_floats(strata, compile_api, t):
    x = values(t, [1, 3, 7, 7], -1, 1)
    check(strata, compile_api, conv_pool_model, {"T": t}, {"x": x},
          f"conv_pool_{t}")


@pytest.mark.parametrize("t", ["f64", "f16"])
def test_matmul_softmax_other_floats(strata, compile_api, t):
    feeds = {"a": values(t, [3, 4], -1, 1, 1), "b": values(t, [4, 5], -1, 1, 2),
             "b2": values(t, [6, 5], -1, 1, 3)}
    check(strata, compile_api, matmul_softmax_model, {"T": t}, feeds,
          f"matmul_softmax_{t}")


# ---------------------------------------------------------------------------
# The new element types through strata-compile, the header and strata-run
# ---------------------------------------------------------------------------

def test_new_dtypes_through_cli(tools, tmp_path):
    """f64, i16, u16, u32 and u64 inputs and outputs: the generated header
    names their dtypes, strata-run reads and writes them as .npy (random
    inputs too), and the results match onnxruntime."""
    from harness import check_tool_ok, run_tool, save_model
    kinds = ["f64", "i16", "u16", "u32", "u64"]
    nodes = [helper.make_node("Add", [f"x_{t}", f"x_{t}"], [f"y_{t}"])
             for t in kinds]
    model = make_model(nodes, [(f"x_{t}", t, [2, 5]) for t in kinds],
                       [(f"y_{t}", t, None) for t in kinds], 17)
    onnx_path = save_model(model, tmp_path, "dtypes")
    out = tmp_path / "out"
    check_tool_ok(run_tool([tools.compile, onnx_path, "-o", out]))
    header = (out / "dtypes.h").read_text()
    for macro in ("STRATA_DTYPE_F64", "STRATA_DTYPE_I16", "STRATA_DTYPE_U16",
                  "STRATA_DTYPE_U32", "STRATA_DTYPE_U64"):
        assert macro in header, header
    feeds = {f"x_{t}": values(t, [2, 5], 0, 100, seed=i)
             for i, t in enumerate(kinds)}
    args = [tools.run, out / "libdtypes.so", "--output-dir", tmp_path / "res"]
    for name, array in feeds.items():
        np.save(tmp_path / f"{name}.npy", array)
        args += ["--input", f"{name}={tmp_path / f'{name}.npy'}"]
    check_tool_ok(run_tool(args))
    expected = run_onnxruntime(model, feeds)
    for name, want in expected.items():
        got = np.load(tmp_path / "res" / f"{name}.npy")
        assert got.dtype == want.dtype, f"{name}: {got.dtype}"
        np.testing.assert_array_equal(got, want, err_msg=name)
    # Random inputs of every new dtype.
    proc = check_tool_ok(run_tool([tools.run, out / "libdtypes.so",
                                   "--repeat", "1"]))
    for t in ("f64", "i16", "u16", "u32", "u64"):
        assert f"'y_{t}' {t}" in proc.stdout, proc.stdout


@pytest.mark.parametrize("t", SIGNED + UNSIGNED)
def test_integer_division_never_traps(strata, compile_api, t):
    """x / 0 and x % 0 (undefined in ONNX) and MIN / -1 would raise SIGFPE
    on x86; strata's results are defined: MIN / -1 wraps to MIN, x % -1 is 0
    (onnxruntime itself traps here, so numpy is the reference)."""
    dtype = TYPES[t][1]
    info = np.iinfo(dtype)
    a = np.array([info.min, info.max, 7, 0, info.min, 5], dtype)
    b = np.array([0, 0, 0, 0, -1 if t in SIGNED else 1, 3], dtype)
    nodes = [helper.make_node("Div", ["a", "b"], ["q"]),
             helper.make_node("Mod", ["a", "b"], ["r"])]
    model = make_model(nodes, [("a", t, [6]), ("b", t, [6])],
                       [("q", t, None), ("r", t, None)], 17)
    q, r = strata.load(compile_api(model, f"div0_{t}")).run({"a": a, "b": b})
    assert q[4] == info.min, q  # MIN / -1 (signed), 0 / 1 (unsigned)
    assert r[4] == 0 and q[5] == 1 and r[5] == 2, (q, r)
