"""strata: an ahead-of-time ONNX compiler.

    import strata
    lib = strata.compile("resnet.onnx", "out")       # out/libresnet.so, .a, .h
    model = strata.load(lib)
    (probs,) = model.run({"image": image})           # or model.run([image])

Errors: every error strata raises is a ``strata.StrataError``;
``strata.CompileError`` carries the compiler's diagnostics (each names the
ONNX node at fault), ``strata.RunError`` the runtime's (naming the input).
"""

import os
from collections.abc import Mapping

import numpy as np

from . import _strata
from ._strata import CompileError, RunError, StrataError

__all__ = [
    "CompileError",
    "EMIT_KINDS",
    "Future",
    "Model",
    "RunError",
    "StrataError",
    "compile",
    "cpu_features",
    "load",
    "quantize",
    "runnable_targets",
    "target_presets",
]

__version__ = "0.1.0"

#: strata dtype codes (ONNX TensorProto numbers, strata/model_abi.h) -> numpy.
#: bf16 has no numpy type: its raw bits are exposed as uint16.
_DTYPES = {
    1: np.dtype(np.float32),
    2: np.dtype(np.uint8),
    3: np.dtype(np.int8),
    6: np.dtype(np.int32),
    7: np.dtype(np.int64),
    9: np.dtype(np.bool_),
    10: np.dtype(np.float16),
    16: np.dtype(np.uint16),
    4: np.dtype(np.uint16),
    5: np.dtype(np.int16),
    11: np.dtype(np.float64),
    12: np.dtype(np.uint32),
    13: np.dtype(np.uint64),
}

#: The narrow types (17..26) take one byte per element, as ml_dtypes arrays
#: hold them (strata/model_abi.h); without ml_dtypes their raw bytes are
#: exposed as uint8.
_NARROW = {17: "float8_e4m3fn", 18: "float8_e4m3fnuz", 19: "float8_e5m2",
           20: "float8_e5m2fnuz", 21: "uint4", 22: "int4",
           23: "float4_e2m1fn", 24: "float8_e8m0fnu", 25: "uint2", 26: "int2"}
try:
    import ml_dtypes
except ImportError:  # pragma: no cover - onnx depends on ml_dtypes
    ml_dtypes = None
for _code, _name in _NARROW.items():
    _type = getattr(ml_dtypes, _name, None) if ml_dtypes else None
    _DTYPES[_code] = np.dtype(_type) if _type is not None else np.dtype(np.uint8)
_NARROW_DTYPES = {_DTYPES[c] for c in _NARROW}


def _raw(array):
    """What the native module reads and writes: ml_dtypes arrays have no
    buffer format, so they travel as their bytes (one per element)."""
    return array.view(np.uint8) if array.dtype in _NARROW_DTYPES else array


def _numpy_dtype(code):
    try:
        return _DTYPES[code]
    except KeyError:
        raise RunError(f"unsupported strata dtype {code}") from None


#: Values accepted by ``compile(emit=...)``: the IR stages, then artifacts.
EMIT_KINDS = ("graph", "linalg", "schedule", "llvm", "obj", "lib")
_IR_STAGES = ("graph", "linalg", "schedule", "llvm")


def compile(model_path, output_dir, emit="lib", name=None, target="host",
            target_cpu="", target_features="", input_shapes=None,
            input_values=None, weights="embed", batch_chunk=None):
    """Compiles an ONNX model into ``output_dir`` and returns the main file.

    emit="lib" (default) writes lib<name>.so, lib<name>.a and <name>.h and
    returns the .so's path; "obj" writes <name>.o; "graph", "linalg",
    "schedule" (the entry launching its dispatches, buffers in the arena)
    and "llvm" write the IR of that stage to <name>.<stage>.mlir. ``name``
    defaults to one derived from the model's file name. ``input_shapes``
    ({"images": (1, 3, 640, 640)}) pins graph inputs' dynamic dimensions.
    ``input_values`` ({"axes": [0, 2]}; lists, scalars or numpy arrays, read
    in row-major order) pins graph inputs to values: the compiled code uses
    them as constants, and running with another value raises RunError.
    ``target`` is a preset of ``target_presets()``: "host" (this machine,
    every feature it has) or an x86-64 level ("x86-64-v3": AVX2 + FMA,
    "x86-64-v4": AVX-512); ``target_cpu`` (an LLVM CPU name such as
    "znver3") and ``target_features`` ("+avx512vnni") refine it. Loading
    the library on a CPU without those features raises RunError.
    ``weights="external"`` writes the weights to <name>.weights beside the
    library, which ``load`` memory-maps (keep the two together); "embed"
    (default) links them into the library.
    ``batch_chunk``, for a model with a symbolic batch (run one sample at a
    time): also compile it for chunks of that many samples, whose GEMMs have
    the batch as a dimension; whole chunks of a batch run through it. None
    (default) picks 8 for models whose weights dominate their work (fewer
    than 8 multiply-adds per weight byte) and none otherwise; 0 compiles
    none.

    Raises CompileError (with the compiler's full message) if the model is
    rejected, ValueError for an unknown ``emit``.
    """
    if emit not in EMIT_KINDS:
        raise ValueError(
            f"unknown emit kind {emit!r}; expected one of {', '.join(EMIT_KINDS)}")
    model_path = os.fspath(model_path)
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    if emit in _IR_STAGES:
        if name is None:
            stem = os.path.splitext(os.path.basename(model_path))[0]
            name = _strata.sanitize_model_name(stem)
        output_path = os.path.join(output_dir, f"{name}.{emit}.mlir")
    else:
        output_path = output_dir
    shapes = {str(k): [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    values = {str(k): _format_value(v) for k, v in (input_values or {}).items()}
    written = _strata.compile(model_path, output_path, emit, name or "",
                              target, target_cpu, target_features, shapes,
                              values, weights,
                              -1 if batch_chunk is None else int(batch_chunk))
    return written or output_path


def _format_value(value):
    """"v0,v1,..." for the compiler's --input-value: exact for integers and
    bools, the shortest round-trip decimal for floats."""
    flat = np.asarray(value).ravel()
    if flat.dtype == np.bool_:
        return ",".join("1" if v else "0" for v in flat)
    if np.issubdtype(flat.dtype, np.integer):
        return ",".join(str(int(v)) for v in flat)
    if flat.dtype.kind == "f":
        return ",".join(repr(float(v)) for v in flat)
    return ",".join(str(v) for v in flat)  # text: the compiler judges it


def target_presets():
    """The presets ``compile(target=...)`` accepts."""
    return list(_strata.target_presets())


def cpu_features():
    """The instruction set extensions of this CPU that compiled models are
    checked against (LLVM's names: "avx2", "avx512f", ...)."""
    return list(_strata.cpu_features())


def runnable_targets():
    """The x86-64 level presets whose code this CPU runs (with "host")."""
    have = set(cpu_features())
    return ["host"] + [p for p in ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")
                       if set(_strata.preset_features(p)) <= have]


def load(lib_path, verify=True, inspect=False, threads=0):
    """Loads a library made by ``compile`` (or strata-compile). Raises
    RunError with the runtime's message if it cannot be loaded.

    The file's structure is checked before it is mapped, and with
    ``verify`` (the default) its checksum: a truncated or damaged copy is a
    RunError, never a crash. With ``inspect`` a library compiled for CPU
    features this machine lacks loads too, to read its inputs, outputs and
    target; ``not_runnable`` then says why ``run`` would refuse it. A
    compiled model is native code: load only libraries you trust.

    ``threads`` runs the model's work on that many threads, the calling one
    included (0, the default: one per CPU this process may use). Results
    are bit-identical for every count. Runs of one model from several
    Python threads may overlap."""
    return Model(_strata.Model(os.fspath(lib_path), verify, inspect,
                               threads))


class Future:
    """A run submitted by ``Model.run_async`` (like
    concurrent.futures.Future, without callbacks)."""

    def __init__(self, pending, outputs):
        self._pending = pending
        self._outputs = outputs

    def done(self):
        """True once the run has completed, failed or been cancelled."""
        return self._pending.done()

    def cancel(self):
        """Asks that the run not start, if it has not. Returns True when it
        has already completed as cancelled; a run cancelled in time makes
        ``result()`` raise RunError."""
        self._pending.cancel()
        return self._pending.state == "cancelled"

    def cancelled(self):
        return self._pending.state == "cancelled"

    def result(self, timeout=None):
        """The outputs, waiting up to ``timeout`` seconds (None: no
        limit). Raises TimeoutError, or RunError if the run failed or was
        cancelled."""
        if not self._pending.wait(-1.0 if timeout is None else max(0.0, timeout)):
            raise TimeoutError(f"the run did not complete in {timeout} s")
        self._pending.check()
        return self._outputs


class Model:
    """A compiled model, loaded. ``inputs``/``outputs`` list
    (name, numpy dtype, shape tuple) in the model's order. A model compiled
    with a symbolic batch has None as the leading dimension of its batched
    tensors: it runs any batch size, the same for every batched input."""

    def __init__(self, native):
        self._native = native
        self.name = native.name

        def spec(name, dtype, shape):
            return (name, _numpy_dtype(dtype),
                    tuple(None if d == -1 else d for d in shape))
        #: How its file was verified: "ok", "absent" (an older library
        #: without a checksum) or "not verified" (``verify=False``).
        self.checksum = native.checksum
        #: None, or why ``run`` refuses it here (loaded with ``inspect``).
        self.not_runnable = native.not_runnable
        #: The target preset, LLVM CPU and feature names it was compiled for.
        self.target, self.cpu, self.cpu_features = native.target
        self.cpu_features = list(self.cpu_features)
        #: Bytes of scratch memory for its intermediate tensors, allocated
        #: at the first run and kept (0 for libraries before ABI version 4).
        self.arena_bytes = native.arena_bytes
        #: Threads that run it, the calling one included.
        self.threads = native.threads
        self.inputs = [spec(*t) for t in native.inputs]
        self.outputs = [spec(*t) for t in native.outputs]

    @property
    def input_names(self):
        return [name for name, _, _ in self.inputs]

    @property
    def output_names(self):
        return [name for name, _, _ in self.outputs]

    def run(self, inputs):
        """Runs the model once.

        ``inputs`` is a dict {name: array} or a list/tuple of arrays in
        input order (a single array is accepted for a one-input model).
        Arrays must have the exact dtype and shape of the input; they are
        made C-contiguous as needed. Returns a list of new numpy arrays, one
        per output, in output order.
        """
        arrays = self._arrange(inputs)
        outputs = self._new_outputs(arrays)
        self._native.run([_raw(a) for a in arrays], [_raw(o) for o in outputs])
        return outputs

    __call__ = run

    def run_async(self, inputs):
        """Submits one run and returns at once with a ``Future``, whose
        ``result()`` gives what ``run`` returns. Inputs are checked now (a
        RunError is raised here). Runs submitted together overlap, each on
        one of the model's threads; a single one spreads over all of them.
        The input arrays must not change until the run completes."""
        arrays = self._arrange(inputs)
        outputs = self._new_outputs(arrays)
        pending = self._native.run_async([_raw(a) for a in arrays],
                                         [_raw(o) for o in outputs])
        return Future(pending, outputs)

    def run_dict(self, inputs):
        """Like ``run``, returning {output name: array}."""
        return dict(zip(self.output_names, self.run(inputs)))

    def __repr__(self):
        def fmt(tensors):
            return ", ".join(f"{n}: {t}{list(s)}" for n, t, s in tensors)
        return (f"<strata.Model {self.name!r} inputs=({fmt(self.inputs)}) "
                f"outputs=({fmt(self.outputs)})>")

    def _new_outputs(self, arrays):
        batch = next((array.shape[0] for (_, _, shape), array in zip(self.inputs, arrays)
                      if shape and shape[0] is None), 1)
        return [np.empty(tuple(batch if d is None else d for d in shape), dtype)
                for _, dtype, shape in self.outputs]

    # -- argument checking ------------------------------------------------
    def _names_text(self):
        return ", ".join(repr(n) for n in self.input_names) or "none"

    def _arrange(self, inputs):
        names = self.input_names
        if isinstance(inputs, Mapping):
            unknown = [k for k in inputs if k not in names]
            if unknown:
                raise RunError(
                    f"unknown input name(s) {', '.join(repr(k) for k in unknown)}; "
                    f"model {self.name!r} has inputs {self._names_text()}")
            missing = [n for n in names if n not in inputs]
            if missing:
                raise RunError(
                    f"missing input(s) {', '.join(repr(n) for n in missing)}; "
                    f"model {self.name!r} has inputs {self._names_text()}")
            values = [inputs[n] for n in names]
        elif isinstance(inputs, (list, tuple)):
            if len(inputs) != len(names):
                raise RunError(
                    f"expected {len(names)} input(s) ({self._names_text()}), "
                    f"got {len(inputs)}")
            values = list(inputs)
        elif isinstance(inputs, np.ndarray) and len(names) == 1:
            values = [inputs]
        else:
            raise TypeError(
                "inputs must be a dict {name: array} or a list of arrays, "
                f"not {type(inputs).__name__}")
        return [self._check(spec, value) for spec, value in zip(self.inputs, values)]

    @staticmethod
    def _check(spec, value):
        name, dtype, shape = spec
        if isinstance(value, np.ndarray):
            array = value
        else:
            try:  # Python scalars and nested lists take the input's dtype.
                array = np.asarray(value, dtype=dtype)
            except (TypeError, ValueError) as error:
                raise RunError(f"input {name!r}: cannot convert to a {dtype} "
                               f"array: {error}") from None
        if array.dtype != dtype:
            raise RunError(f"input {name!r}: expected dtype {dtype}, got "
                           f"{array.dtype}")
        if len(array.shape) != len(shape) or any(
                want is not None and got != want for got, want in zip(array.shape, shape)):
            expected = ["N" if d is None else d for d in shape]
            raise RunError(f"input {name!r}: expected shape {expected}, got "
                           f"{list(array.shape)}")
        # Not np.ascontiguousarray: it turns a 0-d array into shape (1,).
        return array if array.flags.c_contiguous else np.array(array, order="C")


def quantize(model_path, calibration, output_path, method="minmax", per_channel=False,
             weights="int8", percentile=99.99):
    """Post-training quantization: runs the fp32 model on the calibration
    samples (a .npz path or {input name: array}, one sample per row of the
    leading axis), and writes to ``output_path`` a standard QDQ model: the
    inputs of every Conv, MatMul and Gemm quantized (uint8 activations over
    the calibrated range, ``weights`` "int8" or "int4" symmetric, per output
    channel with ``per_channel``). ``method`` picks activation ranges:
    "minmax", "percentile" (clips at ``percentile``) or "entropy" (least KL
    divergence). Returns {tensor: (low, high)}; raises ValueError for bad
    arguments or calibration data. See strata/calibrate.py."""
    from . import calibrate
    try:
        return calibrate.quantize(model_path, calibration, output_path, method=method,
                                  per_channel=per_channel, weights=weights,
                                  percentile=percentile)
    except calibrate.QuantizeError as error:
        raise ValueError(str(error)) from None
