"""Whole models, compiled through the Python API and through strata-compile,
compared with onnxruntime (fp32: rtol=1e-4, atol=1e-5, see harness.py)."""

import numpy as np

import model_builders as mb
from harness import check_against_onnxruntime, random_inputs


def test_mlp(strata, compile_lib):
    """Gemm(transB=1) -> Relu -> Gemm -> Softmax."""
    model = mb.mlp()
    outputs = check_against_onnxruntime(strata, compile_lib(model, "mlp"), model)
    np.testing.assert_allclose(outputs["probabilities"].sum(axis=-1), 1.0,
                               rtol=1e-5)


def test_small_cnn(strata, compile_lib):
    """Conv -> BatchNorm -> Relu -> MaxPool -> Conv -> residual Add -> Relu ->
    GlobalAveragePool -> Flatten -> Gemm."""
    model = mb.small_cnn()
    check_against_onnxruntime(strata, compile_lib(model, "cnn"), model)


def test_small_cnn_repeated_runs(strata, compile_api):
    """A loaded model gives the same answers run after run and for several
    different inputs (no state leaks between runs)."""
    model = mb.small_cnn()
    lib = compile_api(model, "cnn")
    for seed in (1, 2, 3):
        check_against_onnxruntime(strata, lib, model, seed=seed)
    loaded = strata.load(lib)
    feeds = random_inputs(model, seed=7)
    first = loaded.run(feeds)
    for _ in range(3):
        again = loaded.run(feeds)
        for a, b in zip(first, again):
            np.testing.assert_array_equal(a, b)


def test_model_metadata(strata, compile_api):
    model = mb.mlp(batch=2, features=5, hidden=3, classes=4)
    loaded = strata.load(compile_api(model, "meta"))
    assert loaded.input_names == ["features"]
    assert loaded.output_names == ["probabilities"]
    assert loaded.inputs == [("features", np.dtype(np.float32), (2, 5))]
    assert loaded.outputs == [("probabilities", np.dtype(np.float32), (2, 4))]


def test_run_accepts_list_and_non_contiguous_inputs(strata, compile_api):
    model = mb.single_op("Sub", {"a": [5, 7], "b": [5, 7]})
    loaded = strata.load(compile_api(model, "sub"))
    gen = np.random.default_rng(3)
    a = gen.standard_normal((7, 5)).astype(np.float32).T  # Fortran order
    b = gen.standard_normal((5, 14)).astype(np.float32)[:, ::2]  # strided
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    (by_list,) = loaded.run([a, b])
    (by_dict,) = loaded.run({"b": b, "a": a})
    np.testing.assert_array_equal(by_list, a - b)
    np.testing.assert_array_equal(by_dict, a - b)
    # The caller's arrays are left alone; outputs are fresh arrays.
    (again,) = loaded.run([a, b])
    assert again is not by_list and not np.shares_memory(again, by_list)
