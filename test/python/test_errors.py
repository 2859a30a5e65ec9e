"""Bad input: every rejection is an exception (Python) or a non-zero exit
status (CLI) with a clear message naming what is wrong; never a signal, an
assertion or a stack dump."""

import numpy as np
import pytest

import model_builders as mb
from harness import check_clean_failure, run_tool, save_model


@pytest.fixture
def truncated_model(tmp_path):
    data = mb.mlp().SerializeToString()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("This is a text file, not an ONNX model.\n" * 20)
    return path


# (fixture or builder, strings the message must contain)
BAD_MODELS = {
    "truncated": ("truncated_model", ["truncated.onnx"]),
    "not_onnx": ("text_file", ["notes.onnx"]),
    "unsupported_op": (mb.unsupported_det, ["my_det", "Det"]),
    "two_unsupported_ops": (mb.two_unsupported,
                            ["my_unique", "Unique", "my_det", "Det"]),
    "transpose_perm_out_of_range": (mb.bad_transpose_perm,
                                    ["bad_transpose", "Transpose"]),
    "conv_kernel_bigger_than_input": (mb.conv_kernel_too_big,
                                      ["big_conv", "Conv"]),
}


def bad_model_path(request, tmp_path, case):
    source, expected = BAD_MODELS[case]
    if isinstance(source, str):
        return request.getfixturevalue(source), expected
    return save_model(source(), tmp_path, case), expected


@pytest.mark.parametrize("case", sorted(BAD_MODELS))
def test_compile_api_rejects(strata, request, tmp_path, case):
    path, expected = bad_model_path(request, tmp_path, case)
    with pytest.raises(strata.CompileError) as info:
        strata.compile(path, tmp_path / "out")
    message = str(info.value)
    assert isinstance(info.value, strata.StrataError)
    for text in expected:
        assert text in message, f"{text!r} not in message:\n{message}"
    assert not (tmp_path / "out" / f"lib{case}.so").exists()


@pytest.mark.parametrize("case", sorted(BAD_MODELS))
def test_compile_cli_rejects(tools, request, tmp_path, case):
    path, expected = bad_model_path(request, tmp_path, case)
    proc = run_tool([tools.compile, path, "-o", tmp_path / "out"])
    check_clean_failure(proc, *expected)
    assert proc.returncode == 1, f"exit status {proc.returncode}, expected 1"


def test_compile_missing_file(strata, tools, tmp_path):
    missing = tmp_path / "does_not_exist.onnx"
    with pytest.raises(strata.CompileError, match="does_not_exist.onnx"):
        strata.compile(missing, tmp_path / "out")
    check_clean_failure(run_tool([tools.compile, missing, "-o", tmp_path / "o"]),
                        "does_not_exist.onnx")


def test_compile_bad_emit_value(strata, tmp_path):
    path = save_model(mb.mlp(), tmp_path, "mlp")
    with pytest.raises(ValueError, match="nonsense"):
        strata.compile(path, tmp_path / "out", emit="nonsense")


def test_cli_bad_arguments(tools, tmp_path):
    path = save_model(mb.mlp(), tmp_path, "mlp")
    check_clean_failure(run_tool([tools.compile, path, "-o", tmp_path / "o",
                                  "--emit=nonsense"]), "nonsense")
    check_clean_failure(run_tool([tools.run, tmp_path / "no_such_lib.so"]),
                        "no_such_lib.so")


# --- run time --------------------------------------------------------------

@pytest.fixture(scope="module")
def mlp_lib(strata, tmp_path_factory):
    directory = tmp_path_factory.mktemp("mlp")
    path = save_model(mb.mlp(batch=4, features=16), directory, "mlp")
    return strata.compile(path, directory / "out", name="mlp")


def good_features():
    return np.zeros((4, 16), np.float32)


def test_wrong_input_shape(strata, mlp_lib):
    model = strata.load(mlp_lib)
    with pytest.raises(strata.RunError, match="features") as info:
        model.run({"features": np.zeros((4, 15), np.float32)})
    assert "[4, 16]" in str(info.value) or "(4, 16)" in str(info.value)
    with pytest.raises(strata.RunError, match="features"):
        model.run([np.zeros((16, 4), np.float32)])
    with pytest.raises(strata.RunError, match="features"):
        model.run([np.zeros((4, 16, 1), np.float32)])


def test_wrong_input_dtype(strata, mlp_lib):
    model = strata.load(mlp_lib)
    for dtype in (np.float64, np.int32, np.float16):
        with pytest.raises(strata.RunError, match="features") as info:
            model.run({"features": np.zeros((4, 16), dtype)})
        assert "float32" in str(info.value)


def test_unknown_and_missing_input_names(strata, mlp_lib):
    model = strata.load(mlp_lib)
    with pytest.raises(strata.RunError, match="nonsense"):
        model.run({"features": good_features(), "nonsense": good_features()})
    with pytest.raises(strata.RunError, match="features"):
        model.run({})
    with pytest.raises(strata.RunError, match="1"):
        model.run([good_features(), good_features()])


def test_model_still_works_after_errors(strata, mlp_lib):
    model = strata.load(mlp_lib)
    with pytest.raises(strata.RunError):
        model.run({"features": np.zeros((1, 1), np.float32)})
    (probs,) = model.run({"features": good_features()})
    assert probs.shape == (4, 10) and np.all(np.isfinite(probs))


def test_load_errors(strata, tmp_path):
    with pytest.raises(strata.RunError, match="missing_lib.so"):
        strata.load(tmp_path / "missing_lib.so")
    not_a_library = tmp_path / "fake.so"
    not_a_library.write_text("not a shared library")
    with pytest.raises(strata.RunError, match="fake.so"):
        strata.load(not_a_library)
