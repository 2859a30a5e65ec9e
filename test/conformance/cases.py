"""ONNX backend node test cases for the conformance runner.

Gets the cases from onnx's own API, `onnx.backend.test.loader.load_model_tests
(kind="node")`, in either of its two shapes:

* built in memory (onnx 1.23: `case.model` is a ModelProto and
  `case.data_sets` a list of (inputs, outputs) lists), or
* on disk (older onnx, or the `data/` folders: `case.model_dir` holds
  model.onnx and test_data_set_*/input_*.pb, output_*.pb),

decides which are out of scope (and why), names each test's main op, and
writes each in-scope case into a folder the worker reads without onnx:

    <dir>/model.onnx   the model, as given
    <dir>/data.pkl     {"inputs": [[array, ...] per data set],
                        "outputs": [[array, ...] per data set]}
    <dir>/meta.json    name, op, rtol, atol, input and output names
"""

import glob
import json
import os
import pickle
import re

import onnx
from onnx import TensorProto, numpy_helper

#: Element types the graph dialect has (README "Supported ONNX ops"): a test
#: that needs any other one fails with "dtype <t> not supported".
STRATA_DTYPES = {
    TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16,
    TensorProto.INT8, TensorProto.UINT8, TensorProto.INT32, TensorProto.INT64,
    TensorProto.BOOL,
    # The narrow types (constants, model inputs / outputs and Cast only).
    TensorProto.FLOAT8E4M3FN, TensorProto.FLOAT8E4M3FNUZ,
    TensorProto.FLOAT8E5M2, TensorProto.FLOAT8E5M2FNUZ, TensorProto.FLOAT8E8M0,
    TensorProto.FLOAT4E2M1, TensorProto.UINT4, TensorProto.INT4,
    TensorProto.UINT2, TensorProto.INT2,
}

#: Short dtype names (the spelling of strata's diagnostics).
DTYPE_NAMES = {
    TensorProto.FLOAT: "f32", TensorProto.DOUBLE: "f64",
    TensorProto.FLOAT16: "f16", TensorProto.BFLOAT16: "bf16",
    TensorProto.INT8: "i8", TensorProto.INT16: "i16", TensorProto.INT32: "i32",
    TensorProto.INT64: "i64", TensorProto.UINT8: "u8", TensorProto.UINT16: "u16",
    TensorProto.UINT32: "u32", TensorProto.UINT64: "u64",
    TensorProto.BOOL: "bool", TensorProto.STRING: "string",
    TensorProto.COMPLEX64: "complex64", TensorProto.COMPLEX128: "complex128",
}


def dtype_name(elem_type):
    if elem_type in DTYPE_NAMES:
        return DTYPE_NAMES[elem_type]
    return TensorProto.DataType.Name(elem_type).lower()


#: Ops whose expected outputs are draws from numpy's random generator in
#: onnx's case scripts: no implementation can reproduce them (onnxruntime
#: excludes the same tests).
RANDOM_OPS = {"Bernoulli", "RandomNormal", "RandomNormalLike", "RandomUniform",
              "RandomUniformLike", "Multinomial"}

TRAINING_DOMAIN = "ai.onnx.preview.training"


class Case:
    """One node test, normalized. `model_bytes` is the serialized model;
    `data_sets` a list of (inputs, outputs), each a list of numpy arrays,
    lists (sequences) or None (empty optionals), read lazily for on-disk
    cases."""

    def __init__(self, name, model, rtol, atol, data_sets=None, model_dir=None):
        self.name = name
        self.model = model
        self.rtol = rtol
        self.atol = atol
        self._data_sets = data_sets
        self.model_dir = model_dir
        self.op = None           # main op type, set by assign_ops
        self.out_of_scope = None  # reason, set by assign_scope

    @property
    def data_sets(self):
        if self._data_sets is None:
            self._data_sets = read_data_sets(self.model, self.model_dir)
        return self._data_sets


def _normalize(value):
    """Arrays as numpy arrays; TensorProtos (the loader's type hints allow
    them) converted; sequences and optionals left as they are."""
    if isinstance(value, TensorProto):
        return numpy_helper.to_array(value)
    return value


def _numbered(paths):
    return sorted(paths, key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[-1]))


def read_data_sets(model, model_dir):
    """test_data_set_*/input_*.pb, output_*.pb of an on-disk case, as
    arrays. A .pb of a non-tensor input/output is kept as None (those cases
    are out of scope and never run)."""
    graph = model.graph
    initializers = {init.name for init in graph.initializer}
    inputs = [v for v in graph.input if v.name not in initializers]

    def read(path, value_info):
        if value_info is None or value_info.type.WhichOneof("value") != "tensor_type":
            return None
        tensor = TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        return numpy_helper.to_array(tensor)

    data_sets = []
    for folder in _numbered(glob.glob(os.path.join(model_dir, "test_data_set_*"))):
        ins = _numbered(glob.glob(os.path.join(folder, "input_*.pb")))
        outs = _numbered(glob.glob(os.path.join(folder, "output_*.pb")))
        data_sets.append((
            [read(p, inputs[i] if i < len(inputs) else None) for i, p in enumerate(ins)],
            [read(p, graph.output[i] if i < len(graph.output) else None)
             for i, p in enumerate(outs)]))
    return data_sets


def load_cases(kind="node"):
    """The test cases of the installed onnx of this kind ("node" by
    default; "simple", "pytorch-converted" ... are on disk), as Case
    objects."""
    from onnx.backend.test.loader import load_model_tests
    import warnings

    with warnings.catch_warnings():
        # onnx's case scripts cast out-of-range values on purpose.
        warnings.simplefilter("ignore")
        raw = load_model_tests(kind=kind)
    cases = []
    for test in raw:
        rtol = getattr(test, "rtol", 1e-3)
        atol = getattr(test, "atol", 1e-7)
        if test.model is not None:
            data_sets = [([_normalize(x) for x in ins], [_normalize(x) for x in outs])
                         for ins, outs in (test.data_sets or [])]
            cases.append(Case(test.name, test.model, rtol, atol, data_sets=data_sets))
        elif test.model_dir is not None:
            model = onnx.load(os.path.join(test.model_dir, "model.onnx"),
                              load_external_data=False)
            cases.append(Case(test.name, model, rtol, atol, model_dir=test.model_dir))
        else:
            # A model that must be downloaded (test.url, the "real" kind).
            continue
    assign_ops(cases)
    for case in cases:
        case.out_of_scope = scope_reason(case.model)
    return cases


def assign_ops(cases):
    """The op type of each test's main node. Every node test that is not an
    "_expanded" one has one op type; an expanded test (the op's function
    body) takes the op of the test it expands (test_x_expanded[_verN] ->
    test_x)."""
    by_name = {case.name: case for case in cases}

    def own_op(case):
        ops = [n.op_type for n in case.model.graph.node]
        if not ops:
            return "(no node)"
        named = [op for op in ops if op != "Constant"] or ops
        return named[-1] if len(set(named)) > 1 else named[0]

    for case in cases:
        if "_expanded" in case.name:
            base = by_name.get(case.name.split("_expanded")[0])
            case.op = own_op(base) if base is not None else own_op(case)
        else:
            case.op = own_op(case)


def _value_kind(type_proto):
    """'tensor', 'sequence', 'optional', 'map', 'sparse_tensor' ..."""
    kind = type_proto.WhichOneof("value") or "undefined"
    return kind[:-len("_type")] if kind.endswith("_type") else kind


def _graphs(graph):
    """The graph and every subgraph (If/Loop/Scan bodies)."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _graphs(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from _graphs(sub)


def scope_reason(model):
    """Why a model is out of scope, or None. The rules (docs/conformance.md
    repeats them):

    * an input or output that is not a tensor (sequence, optional, map,
      sparse tensor): strata's ABI and runtime pass dense tensors only;
    * string tensors anywhere in the graph's inputs, outputs or
      initializers: no numeric compiler handles them (they belong to the
      host application);
    * training ops (ai.onnx.preview.training domain, *Grad ops): strata is
      an inference compiler;
    * random ops whose expected outputs are numpy random draws (Bernoulli,
      RandomUniformLike ...): they cannot be reproduced by any backend.

    Everything else is in scope, unsupported element types (f64, i16,
    float8, complex ...) included: those count as failures.
    """
    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        kind = _value_kind(value.type)
        if kind != "tensor":
            return f"non-tensor input/output ({kind})"
    for sub in _graphs(graph):
        for value in list(sub.input) + list(sub.output) + list(sub.value_info):
            if (_value_kind(value.type) == "tensor"
                    and value.type.tensor_type.elem_type == TensorProto.STRING):
                return "string tensors"
        for init in sub.initializer:
            if init.data_type == TensorProto.STRING:
                return "string tensors"
        for node in sub.node:
            if node.domain == TRAINING_DOMAIN or node.op_type.endswith("Grad") \
                    or node.op_type == "Gradient":
                return "training op"
            if node.op_type in RANDOM_OPS:
                return "random output (numpy RNG draws, not reproducible)"
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.TENSOR \
                        and attr.t.data_type == TensorProto.STRING:
                    return "string tensors"
                if attr.name == "to" and attr.i == TensorProto.STRING \
                        and node.op_type == "Cast":
                    return "string tensors"
    return None


def unsupported_dtypes(model):
    """Element types of the graph's inputs, outputs and initializers that
    strata's graph dialect does not have, as short names."""
    found = set()
    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        if _value_kind(value.type) == "tensor":
            found.add(value.type.tensor_type.elem_type)
    for init in graph.initializer:
        found.add(init.data_type)
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                found.add(attr.t.data_type)
    return sorted(dtype_name(t) for t in found
                  if t not in STRATA_DTYPES and t != TensorProto.UNDEFINED)


#: Version of meta.json's content; folders written with an older one are
#: written again.
META_FORMAT = 2

FLOAT_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16,
               TensorProto.DOUBLE}
#: Integer types and their ranges, for undefined_elements.
INT_RANGES = {
    TensorProto.INT2: (-2, 1), TensorProto.UINT2: (0, 3),
    TensorProto.INT4: (-8, 7), TensorProto.UINT4: (0, 15),
    TensorProto.INT8: (-2 ** 7, 2 ** 7 - 1), TensorProto.UINT8: (0, 2 ** 8 - 1),
    TensorProto.INT16: (-2 ** 15, 2 ** 15 - 1), TensorProto.UINT16: (0, 2 ** 16 - 1),
    TensorProto.INT32: (-2 ** 31, 2 ** 31 - 1), TensorProto.UINT32: (0, 2 ** 32 - 1),
    TensorProto.INT64: (-2 ** 63, 2 ** 63 - 1), TensorProto.UINT64: (0, 2 ** 64 - 1),
}


def undefined_elements(model):
    """Where ONNX leaves a test's expected output undefined, the rule that
    says which elements are defined, or None. A float -> integer Cast (or
    CastLike) of a value out of the integer's range is undefined: onnx
    computes these tests' expected outputs with ml_dtypes / numpy, whose
    out-of-range results depend on the CPU. Such elements are not compared:
    {"input": 0, "output": 0, "lo": lo, "hi": hi} keeps the elements whose
    input is finite and whose truncation toward zero lies in [lo, hi]."""
    graph = model.graph
    ops = {node.op_type for node in graph.node}
    if not ops or not ops <= {"Cast", "CastLike"} or not graph.input \
            or not graph.output:
        return None
    source = graph.input[0].type.tensor_type.elem_type
    target = graph.output[0].type.tensor_type.elem_type
    if source not in FLOAT_TYPES or target not in INT_RANGES:
        return None
    lo, hi = INT_RANGES[target]
    return {"input": 0, "output": 0, "lo": lo, "hi": hi,
            "why": f"{dtype_name(source)} -> {dtype_name(target)} out of range"}


def write_case(case, folder):
    """Writes model.onnx, data.pkl and meta.json of an in-scope case."""
    os.makedirs(folder, exist_ok=True)
    graph = case.model.graph
    initializers = {init.name for init in graph.initializer}
    meta = {
        "name": case.name,
        "op": case.op,
        "rtol": case.rtol,
        "atol": case.atol,
        "inputs": [v.name for v in graph.input if v.name not in initializers],
        "outputs": [v.name for v in graph.output],
        "unsupported_dtypes": unsupported_dtypes(case.model),
        "undefined_elements": undefined_elements(case.model),
        "format": META_FORMAT,
    }
    data = {"inputs": [list(ins) for ins, _ in case.data_sets],
            "outputs": [list(outs) for _, outs in case.data_sets]}
    _write_atomic(os.path.join(folder, "model.onnx"), case.model.SerializeToString())
    _write_atomic(os.path.join(folder, "data.pkl"),
                  pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    # meta.json last: its presence marks a complete folder.
    _write_atomic(os.path.join(folder, "meta.json"),
                  json.dumps(meta, indent=1).encode())
    return meta


def read_meta(folder):
    """meta.json of a folder written by write_case, or None."""
    try:
        with open(os.path.join(folder, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    return meta if meta.get("format") == META_FORMAT else None


def _write_atomic(path, data):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
