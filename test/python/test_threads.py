"""Threads: a compiled model's dispatches run on the runtime's thread pool
(strata-form-dispatches / strata-outline-dispatches, runtime/thread_pool.c).

A small network with convolutions, a matrix product, an elementwise tail
and a global average pool (whose reduction must not be split across
workgroups) gets dispatches. Its outputs must be bit-identical at 1, 2, 4
and 8 threads, match onnxruntime (harness tolerances), and stay the same
when 8 Python threads run the model 200 times each, concurrently."""

import threading

import numpy as np
import pytest
from onnx import helper

import model_builders as mb
from harness import assert_close, run_onnxruntime, save_model

SIZE, CHANNELS = 32, 64


def threaded_cnn():
    gen = mb.rng(11)
    w0 = mb.weights(gen, (CHANNELS, 3, 3, 3), scale=(27) ** -0.5)
    w1 = mb.weights(gen, (CHANNELS, CHANNELS, 3, 3), scale=(CHANNELS * 9) ** -0.5)
    b1 = mb.weights(gen, (CHANNELS,), scale=0.1)
    fc = mb.weights(gen, (CHANNELS, 256))
    nodes = [
        helper.make_node("Conv", ["image", "w0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"]),
        helper.make_node("Conv", ["r0", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c1", "r0"], ["sum"]),
        helper.make_node("Relu", ["sum"], ["features"]),
        helper.make_node("GlobalAveragePool", ["features"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("MatMul", ["flat", "fc"], ["logits"]),
    ]
    return mb.make_model(
        nodes, [mb.value("image", [1, 3, SIZE, SIZE])], ["logits", "features"],
        [mb.const("w0", w0), mb.const("w1", w1), mb.const("b1", b1),
         mb.const("fc", fc)], name="threaded")


@pytest.fixture(scope="module")
def compiled(strata, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("threads")
    model = threaded_cnn()
    lib = strata.compile(save_model(model, tmp, "threaded"), tmp / "out")
    image = np.random.default_rng(5).standard_normal(
        (1, 3, SIZE, SIZE)).astype(np.float32)
    return model, lib, image


def test_the_model_has_dispatches(strata, compiled, tmp_path):
    model, _, _ = compiled
    path = save_model(model, tmp_path, "threaded")
    text = open(strata.compile(path, tmp_path / "ll", emit="llvm")).read()
    assert text.count("define internal void @strata.workgroup.") >= 3


@pytest.mark.parametrize("threads", [1, 2, 4, 8])
def test_every_thread_count_gives_the_same_bits(strata, compiled, threads):
    model, lib, image = compiled
    reference = strata.load(lib, threads=1).run({"image": image})
    loaded = strata.load(lib, threads=threads)
    assert loaded.threads == threads
    for _ in range(3):
        outputs = loaded.run({"image": image})
        for got, want in zip(outputs, reference):
            assert np.array_equal(got, want)
    expected = run_onnxruntime(model, {"image": image})
    for name, got in zip(loaded.output_names, outputs):
        assert_close(got, expected[name], f"output {name!r}")


def test_concurrent_runs(strata, compiled):
    _, lib, image = compiled
    reference = strata.load(lib, threads=1).run({"image": image})
    loaded = strata.load(lib, threads=2)
    mismatches, errors = [], []

    def work():
        try:
            for _ in range(200):
                outputs = loaded.run({"image": image})
                if not all(np.array_equal(g, w)
                           for g, w in zip(outputs, reference)):
                    mismatches.append(1)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert not mismatches, f"{len(mismatches)} runs differ"


def test_default_is_one_thread_per_cpu(strata, compiled):
    import os
    _, lib, _ = compiled
    assert strata.load(lib).threads == len(os.sched_getaffinity(0))
