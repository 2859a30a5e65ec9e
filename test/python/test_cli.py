"""The command-line path: strata-compile, then strata-run with --input .npy
files and --output-dir, compared with onnxruntime (fp32: rtol=1e-4,
atol=1e-5, see harness.py)."""

import numpy as np
import pytest

import model_builders as mb
from harness import (assert_close, check_clean_failure, check_tool_ok,
                     random_inputs, run_onnxruntime, run_tool, save_model)


def two_input_model():
    """x, y [3, 13] -> Add -> MatMul [13, 6] -> Relu, and a second output."""
    from onnx import helper
    gen = mb.rng(5)
    nodes = [
        helper.make_node("Add", ["x", "y"], ["sum"], name="add"),
        helper.make_node("MatMul", ["sum", "w"], ["proj"], name="proj"),
        helper.make_node("Relu", ["proj"], ["out"], name="relu"),
        helper.make_node("Tanh", ["y"], ["y_tanh"], name="tanh"),
    ]
    return mb.make_model(nodes, [mb.value("x", [3, 13]), mb.value("y", [3, 13])],
                         ["out", "y_tanh"], [mb.const("w", mb.weights(gen, (13, 6)))],
                         name="two_inputs")


def compile_cli(tools, model, directory, name):
    onnx_path = save_model(model, directory, name)
    out = directory / "out"
    check_tool_ok(run_tool([tools.compile, onnx_path, "-o", out, "--name", name]))
    return out


def test_compile_writes_library_archive_and_header(tools, tmp_path):
    out = compile_cli(tools, two_input_model(), tmp_path, "twoin")
    for artifact in ("libtwoin.so", "libtwoin.a", "twoin.h"):
        assert (out / artifact).is_file(), f"{artifact} missing"
    header = (out / "twoin.h").read_text()
    assert "strata_twoin_descriptor" in header


def test_compile_derives_name_from_file(tools, tmp_path):
    onnx_path = save_model(mb.mlp(), tmp_path, "my-mlp")
    out = tmp_path / "out"
    check_tool_ok(run_tool([tools.compile, onnx_path, "-o", out]))
    assert (out / "libmy_mlp.so").is_file(), sorted(p.name for p in out.iterdir())


def test_run_with_npy_inputs_matches_onnxruntime(tools, tmp_path):
    model = two_input_model()
    out = compile_cli(tools, model, tmp_path, "twoin")
    feeds = random_inputs(model, seed=11)
    args = [tools.run, out / "libtwoin.so", "--output-dir", tmp_path / "results"]
    for name, array in feeds.items():
        np.save(tmp_path / f"{name}.npy", array)
        args += ["--input", f"{name}={tmp_path / f'{name}.npy'}"]
    proc = check_tool_ok(run_tool(args))
    assert "latency" in proc.stdout, proc.stdout
    expected = run_onnxruntime(model, feeds)
    for name, want in expected.items():
        path = tmp_path / "results" / f"{name}.npy"
        assert path.is_file(), f"strata-run did not write {path}"
        assert_close(np.load(path), want, f"output {name!r}")


def test_run_repeat_prints_latency(tools, tmp_path):
    out = compile_cli(tools, mb.small_cnn(), tmp_path, "cnn")
    proc = check_tool_ok(run_tool([tools.run, out / "libcnn.so", "--repeat", "5"]))
    assert "latency: median" in proc.stdout, proc.stdout


@pytest.mark.parametrize("stage", ["graph", "linalg", "schedule", "llvm"])
def test_emit_ir_to_stdout(tools, tmp_path, stage):
    onnx_path = save_model(mb.mlp(), tmp_path, "mlp")
    proc = check_tool_ok(run_tool([tools.compile, onnx_path, f"--emit={stage}",
                                   "-o", "-"]))
    prefix = {"graph": "graph.", "linalg": "linalg.", "schedule": "memref<",
              "llvm": "llvm."}[stage]
    assert prefix in proc.stdout, proc.stdout[:2000]


@pytest.mark.parametrize("stage", ["graph", "linalg", "schedule", "llvm", "obj"])
def test_api_emit_stages(strata, tmp_path, stage):
    onnx_path = save_model(mb.mlp(), tmp_path, "mlp")
    written = strata.compile(onnx_path, tmp_path / "out", emit=stage)
    with open(written, "rb") as f:
        data = f.read()
    if stage == "obj":
        assert written.endswith("mlp.o") and data.startswith(b"\x7fELF")
    else:
        assert written.endswith(f"mlp.{stage}.mlir")
        marker = "func.func @strata_mlp_impl" if stage == "schedule" else f"{stage}."
        assert marker.encode() in data


def test_run_rejects_wrong_input_shape(tools, tmp_path):
    model = two_input_model()
    out = compile_cli(tools, model, tmp_path, "twoin")
    np.save(tmp_path / "x.npy", np.zeros((3, 12), np.float32))
    np.save(tmp_path / "y.npy", np.zeros((3, 13), np.float32))
    proc = run_tool([tools.run, out / "libtwoin.so",
                     "--input", f"x={tmp_path / 'x.npy'}",
                     "--input", f"y={tmp_path / 'y.npy'}"])
    check_clean_failure(proc, "'x'")


def test_run_rejects_unknown_input_name(tools, tmp_path):
    out = compile_cli(tools, two_input_model(), tmp_path, "twoin")
    np.save(tmp_path / "z.npy", np.zeros((3, 13), np.float32))
    proc = run_tool([tools.run, out / "libtwoin.so",
                     "--input", f"nosuchinput={tmp_path / 'z.npy'}"])
    check_clean_failure(proc, "nosuchinput")
