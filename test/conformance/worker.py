"""Runs conformance cases through strata: compile -> load -> run -> compare.

Started by run_conformance.py as a long-lived subprocess (one per job), so
that a crash of strata (a signal, LLVM's fatal-error exit) ends only this
process and is recorded as a crash of the case it was running:

    python3 worker.py RESULT_FD

reads one request per line on stdin, {"dir": case folder, "cache": compile
cache folder or "", "target": a strata.compile preset (default "host")}, and writes one JSON result per line to RESULT_FD.
stdout and stderr are left to the compiler (the runner logs them). Needs
numpy and strata only (not onnx): the case folder (cases.write_case) holds
the model, the data as pickled arrays and meta.json.

For debugging one case by hand:

    PYTHONPATH=build/python python3 test/conformance/worker.py --one DIR [TARGET]
"""

import hashlib
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
import traceback

import numpy as np

import strata

LIB_NAME = "m"

#: ONNX element type names (strata's "unsupported element type DOUBLE")
#: in the short spelling of the report.
SHORT_DTYPES = {"DOUBLE": "f64", "FLOAT": "f32", "FLOAT16": "f16",
                "BFLOAT16": "bf16", "INT8": "i8", "INT16": "i16", "INT32": "i32",
                "INT64": "i64", "UINT8": "u8", "UINT16": "u16", "UINT32": "u32",
                "UINT64": "u64", "BOOL": "bool", "STRING": "string"}


def first_lines(text, count=3):
    lines = [line.rstrip() for line in str(text).strip().splitlines() if line.strip()]
    out = "\n".join(lines[:count])
    if len(lines) > count:
        out += "\n..."
    return out


def normalize_message(text):
    """A diagnostic's first line, with what differs between tests (node
    names, opsets, file names, locations) taken out, so that identical
    problems group together."""
    line = next((l.strip() for l in str(text).splitlines() if l.strip()), "")
    line = re.sub(r"^error:\s*", "", line)
    line = re.sub(r"loc\((\"[^\"]*\"|[^()])*(\([^()]*\))?\):\s*", "", line)
    line = re.sub(r"node '[^']*' \(([\w.]+), opset \d+\):\s*", r"\1: ", line)
    line = re.sub(r"'[^']*model\.onnx'", "the model", line)
    line = re.sub(r"/\S+/model\.onnx", "the model", line)
    line = re.sub(r"(output|input) \d+ \('[^']*'\)", r"\1", line)
    return line or "(empty message)"


def unsupported_ops(message):
    """Op types of strata's "uses N unsupported operator(s):" error, one
    "  node 'n' (Op, opset N)" line each; None if it is another error."""
    if "unsupported operator" not in message:
        return None
    ops = re.findall(r"node '[^']*' \(([\w.]+)(?:, domain '[^']*')?, opset \d+\)", message)
    return sorted(set(ops)) or ["?"]


def compile_model(folder, cache, input_values=None, target="host"):
    """Compiles folder/model.onnx for `target` (a strata.compile preset),
    with `input_values` pinned (strata's --input-value); returns (lib path,
    seconds, from cache)."""
    model_path = os.path.join(folder, "model.onnx")
    options = dict(emit="lib", name=LIB_NAME, input_values=input_values,
                   target=target)
    if not cache:
        out = os.path.join(folder, "out-" + target)
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        lib = strata.compile(model_path, out, **options)
        return lib, time.monotonic() - started, False
    digest = hashlib.sha256(target.encode() + b"\0")
    with open(model_path, "rb") as f:
        digest.update(f.read())
    for name, value in sorted((input_values or {}).items()):
        digest.update(name.encode() + b"=" + np.ascontiguousarray(value).tobytes())
    key = digest.hexdigest()[:32]
    entry = os.path.join(cache, key)
    lib = os.path.join(entry, f"lib{LIB_NAME}.so")
    if os.path.exists(lib):
        return lib, 0.0, True
    os.makedirs(cache, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="tmp-", dir=cache)
    try:
        started = time.monotonic()
        strata.compile(model_path, tmp, **options)
        seconds = time.monotonic() - started
        try:
            os.rename(tmp, entry)
        except OSError:  # another worker stored it first
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return lib, seconds, False


#: How strata's "input 'X' must be a constant" error names the graph
#: inputs it needs pinned: "it is the graph input 'axes'" or "it is
#: computed from the graph input(s) 'start', 'limit'".
PIN_HINT = r"it is (?:the graph input|computed from the graph input\(s\)) ('[^;]*?')(?::|, which)"


def pin_requests(message):
    """The graph input names that a compile error asks to pin."""
    names = set()
    for listed in re.findall(PIN_HINT, message):
        names.update(re.findall(r"'([^']+)'", listed))
    return names


def compile_pinning(folder, cache, meta, data, target):
    """compile_model; then, while the compiler asks for graph inputs as
    constants (a Reshape's shape or a ReduceSum's axes fed as an input),
    pins them to the first data set's values, as a user would with
    --input-value, and compiles again. The runtime checks every data set
    against the pinned values. Returns (lib, seconds, cached, pinned names);
    raises the last CompileError."""
    first = dict(zip(meta["inputs"], data["inputs"][0])) if data["inputs"] else {}
    pinned = {}
    while True:
        try:
            lib, seconds, cached = compile_model(folder, cache, pinned, target)
            return lib, seconds, cached, sorted(pinned)
        except strata.CompileError as error:
            wanted = pin_requests(str(error)) - set(pinned)
            if not wanted or not wanted <= set(first):
                raise
            pinned.update({name: first[name] for name in wanted})


def to_strata(value, dtype):
    """An input array as strata takes it (bf16 travels as its uint16 bits)."""
    if isinstance(value, np.ndarray) and value.dtype.name == "bfloat16" \
            and dtype == np.uint16:
        return value.view(np.uint16)
    return value


def defined_mask(rule, inputs):
    """The elements of an output that ONNX defines, by a case's
    undefined_elements rule (cases.undefined_elements): the input is finite
    and its truncation toward zero lies in [lo, hi]."""
    x = np.asarray(inputs[rule["input"]]).astype(np.float64)
    with np.errstate(invalid="ignore"):
        whole = np.trunc(x)
        return np.isfinite(x) & (whole >= rule["lo"]) & (whole <= rule["hi"])


def compare(out, ref, rtol, atol, mask=None):
    """onnx's runner check (Runner.assert_similar_outputs): same shape, same
    dtype, then np.testing.assert_allclose(rtol, atol), on the elements
    where `mask` (if given) is true. Returns None or (reason, detail)."""
    if not isinstance(ref, np.ndarray):
        ref = np.asarray(ref)
    if ref.dtype.name == "bfloat16" and out.dtype == np.uint16:
        out = out.view(ref.dtype)
    if tuple(out.shape) != tuple(ref.shape):
        return "wrong output shape", f"shape {list(out.shape)}, expected {list(ref.shape)}"
    if out.dtype != ref.dtype:
        return "wrong output dtype", f"dtype {out.dtype}, expected {ref.dtype}"
    if mask is not None:
        out, ref = out[mask], ref[mask]
    if ref.dtype == object:
        if np.array_equal(out, ref):
            return None
        return "wrong result", "strings differ"
    if ref.dtype.name == "bfloat16":
        rtol = max(rtol, 2 ** -6)
    if ref.dtype.kind not in "biufc":
        out, ref = out.astype(np.float32), ref.astype(np.float32)
    try:
        np.testing.assert_allclose(out, ref, rtol=rtol, atol=atol)
        return None
    except AssertionError:
        pass
    a = out.astype(np.complex128 if ref.dtype.kind == "c" else np.float64)
    b = ref.astype(a.dtype)
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) | both_nan
    diff = np.where(same, 0.0, np.abs(a - b))
    diff = np.nan_to_num(diff, nan=np.inf)
    bad = ~np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(same, 0.0, diff / np.abs(b))
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float(np.nan_to_num(rel, nan=np.inf).max()) if rel.size else 0.0
    return ("wrong result",
            f"max abs error {max_abs:.3g}, max rel error {max_rel:.3g}, "
            f"{int(bad.sum())}/{bad.size} elements off "
            f"(rtol {rtol:g}, atol {atol:g})")


def run_case(folder, cache, target="host"):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    result = {"name": meta["name"], "status": None, "reason": None, "detail": "",
              "dtypes": meta.get("unsupported_dtypes") or []}

    with open(os.path.join(folder, "data.pkl"), "rb") as f:
        data = pickle.load(f)

    # 1. compile
    try:
        lib, compile_s, cached, pinned = compile_pinning(folder, cache, meta, data,
                                                         target)
    except strata.CompileError as error:
        message = str(error)
        ops = unsupported_ops(message)
        if ops is not None:
            result.update(status="unsupported",
                          reason="unsupported op: " + ", ".join(ops))
            result["missing_ops"] = ops
        else:
            result.update(status="compile", reason=normalize_message(message))
            types = sorted({SHORT_DTYPES.get(t, t.lower()) for t in
                            re.findall(r"unsupported element type (\w+)", message)})
            if types:
                result["reason"] = f"dtype {', '.join(types)} not supported"
        result["detail"] = first_lines(message)
        return result
    if pinned:
        result["pinned"] = pinned
    result["compile_s"] = round(compile_s, 3)
    result["cached"] = cached

    # 2. load, 3. run and compare every data set
    try:
        model = strata.load(lib)
    except strata.StrataError as error:
        result.update(status="runtime", reason="load: " + normalize_message(error),
                      detail=first_lines(error))
        return result
    started = time.monotonic()
    for index, (inputs, refs) in enumerate(zip(data["inputs"], data["outputs"])):
        given = dict(zip(meta["inputs"], inputs))
        feed = {}
        for name, dtype, _ in model.inputs:
            feed[name] = to_strata(given[name], dtype) if name in given else None
        missing = [n for n, v in feed.items() if v is None]
        if missing or len(model.inputs) != len(meta["inputs"]):
            result.update(
                status="runtime", reason="inputs of the library differ from the model's",
                detail=f"library inputs {model.input_names}, model inputs {meta['inputs']}")
            return result
        try:
            outs = model.run(feed)
        except strata.StrataError as error:
            result.update(status="runtime", reason=normalize_message(error),
                          detail=first_lines(error))
            return result
        if len(outs) != len(refs):
            result.update(status="wrong", reason="wrong number of outputs",
                          detail=f"{len(outs)} outputs, expected {len(refs)}")
            return result
        names = model.output_names
        if sorted(names) == sorted(meta["outputs"]):
            by_name = dict(zip(names, outs))
            outs = [by_name[n] for n in meta["outputs"]]
        rule = meta.get("undefined_elements")
        for position, (out, ref) in enumerate(zip(outs, refs)):
            mask = None
            if rule and position == rule["output"]:
                mask = defined_mask(rule, inputs)
                if mask.shape != np.shape(ref):
                    mask = None  # a shape error: compare() reports it
                else:
                    result["undefined"] = result.get("undefined", 0) + \
                        int(mask.size - mask.sum())
                    result["undefined_why"] = rule["why"]
            problem = compare(out, ref, meta["rtol"], meta["atol"], mask)
            if problem:
                reason, detail = problem
                where = f"output {meta['outputs'][position]!r}"
                if len(data["inputs"]) > 1:
                    where += f", data set {index}"
                result.update(status="wrong", reason=reason, detail=f"{where}: {detail}")
                return result
    result["run_s"] = round(time.monotonic() - started, 4)
    result.update(status="pass", reason="pass")
    return result


def safe_run_case(request):
    try:
        return run_case(request["dir"], request.get("cache") or "",
                        request.get("target") or "host")
    except Exception as error:  # the harness's own fault, never a pass
        return {"name": os.path.basename(request["dir"]), "status": "harness",
                "reason": f"runner error: {type(error).__name__}",
                "detail": first_lines(traceback.format_exc(), 8)}


def main():
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--one":
        request = {"dir": sys.argv[2], "target": (sys.argv[3:] or ["host"])[0]}
        print(json.dumps(safe_run_case(request), indent=1))
        return 0
    result_fd = int(sys.argv[1])
    with os.fdopen(result_fd, "w", buffering=1) as results:
        for line in sys.stdin:
            if not line.strip():
                continue
            result = safe_run_case(json.loads(line))
            sys.stdout.flush()
            sys.stderr.flush()
            results.write(json.dumps(result) + "\n")
            results.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
