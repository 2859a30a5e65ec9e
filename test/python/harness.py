"""Helpers for strata's end-to-end tests (fixtures are in conftest.py)."""

import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# fp32 tolerance against onnxruntime: rtol=1e-4, atol=1e-5. strata may sum in
# another order (tiling, vector lanes, FMA contraction) than onnxruntime,
# which moves results by a few ulps per accumulation; the models here keep
# weights ~N(0, 0.3) and sums to at most a few hundred terms, so the error
# stays well inside this bound while a wrong index or edge case does not.
RTOL = 1e-4
ATOL = 1e-5

# Output that a tool must never print, even for bad input.
CRASH_MARKERS = ("Stack dump", "Assertion", "PLEASE submit a bug report",
                 "Segmentation fault", "terminate called", "Aborted",
                 "core dumped", "LLVM ERROR",
                 # make test-sanitize: ASan / UBSan / LSan reports
                 "Sanitizer", "runtime error:")

TOOL_TIMEOUT_S = 600


def build_dir():
    return Path(os.environ.get("STRATA_BUILD_DIR", REPO_ROOT / "build")).resolve()


class Tools:
    def __init__(self, build):
        self.bin = build / "bin"
        self.compile = self._find("strata-compile")
        self.run = self._find("strata-run")

    def _find(self, name):
        path = self.bin / name
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: run `make build`", pytrace=False)
        return path


def run_tool(args, **kwargs):
    """Runs a command; returns the CompletedProcess (text, captured)."""
    return subprocess.run([str(a) for a in args], capture_output=True,
                          text=True, timeout=TOOL_TIMEOUT_S, **kwargs)


def check_tool_ok(proc):
    assert proc.returncode == 0, (
        f"{' '.join(proc.args)} exited {proc.returncode}\n"
        f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def check_clean_failure(proc, *expected):
    """A tool rejected bad input properly: exit status > 0 (not a signal),
    a message on stderr containing each of `expected`, no crash output."""
    output = proc.stdout + proc.stderr
    context = (f"{' '.join(proc.args)} exited {proc.returncode}\n"
               f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    assert proc.returncode > 0, f"expected a failure exit status; {context}"
    assert proc.stderr.strip(), f"expected an error message; {context}"
    for marker in CRASH_MARKERS:
        assert marker not in output, f"crash output {marker!r}; {context}"
    for text in expected:
        assert text in proc.stderr, f"expected {text!r} in stderr; {context}"


def save_model(model, directory, stem):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.onnx"
    onnx.save(model, str(path))
    return path


class Compiler:
    """Compiles an ONNX model to lib<name>.so through one `path`: "api"
    (strata.compile) or "cli" (strata-compile)."""

    def __init__(self, path, strata, tools, tmp_path):
        self.path, self.strata, self.tools, self.tmp = path, strata, tools, tmp_path

    def __call__(self, model, name="net"):
        # Any name works; "net" keeps symbols short.
        onnx_path = save_model(model, self.tmp, name)
        out = self.tmp / f"out_{self.path}_{name}"
        if self.path == "api":
            written = Path(self.strata.compile(onnx_path, out, name=name))
        else:
            check_tool_ok(run_tool([self.tools.compile, onnx_path, "-o", out,
                                    "--name", name]))
            written = out / f"lib{name}.so"
        expected = out / f"lib{name}.so"
        assert written == expected, f"compile returned {written}, not {expected}"
        for artifact in (expected, out / f"lib{name}.a", out / f"{name}.h"):
            assert artifact.is_file(), f"{artifact} was not written"
        return expected


def input_shapes(model):
    """{name: shape} of the graph inputs that are not initializers."""
    inits = {i.name for i in model.graph.initializer}
    shapes = {}
    for value in model.graph.input:
        if value.name in inits:
            continue
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = tuple(d.dim_value for d in dims)
    return shapes


def random_inputs(model, seed=42):
    gen = np.random.default_rng(seed)
    return {name: gen.standard_normal(shape).astype(np.float32)
            for name, shape in input_shapes(model).items()}


def run_onnxruntime(model, feeds):
    """Reference outputs {name: array}: onnxruntime, op by op."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    options.log_severity_level = 3  # no warnings about old opsets
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds)))


def assert_close(actual, expected, what):
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, onnxruntime {expected.shape}")
    assert actual.dtype == expected.dtype, (
        f"{what}: dtype {actual.dtype}, onnxruntime {expected.dtype}")
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL,
                               err_msg=f"{what} differs from onnxruntime")


def assert_same(actual, expected, what):
    """assert_close for floats; integers and bools must be equal."""
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, onnxruntime {expected.shape}")
    assert actual.dtype == expected.dtype, (
        f"{what}: dtype {actual.dtype}, onnxruntime {expected.dtype}")
    if np.issubdtype(expected.dtype, np.floating):
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{what} differs from onnxruntime")
    else:
        np.testing.assert_array_equal(actual, expected,
                                      err_msg=f"{what} differs")


def check_against_onnxruntime(strata, lib_path, model, feeds=None, seed=42):
    """Loads lib_path, runs it (dict inputs) and compares every output with
    onnxruntime. Returns the strata outputs {name: array}."""
    feeds = random_inputs(model, seed) if feeds is None else feeds
    expected = run_onnxruntime(model, feeds)
    loaded = strata.load(lib_path)
    assert loaded.input_names == list(input_shapes(model)), "input order"
    assert loaded.output_names == list(expected), "output order"
    outputs = loaded.run(feeds)
    assert len(outputs) == len(expected)
    for (name, want), got in zip(expected.items(), outputs):
        assert_close(got, want, f"output {name!r}")
    return dict(zip(loaded.output_names, outputs))
