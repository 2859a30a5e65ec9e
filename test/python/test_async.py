"""The async API from Python: Model.run_async returns a Future whose
result() equals run()'s, bit for bit, with many runs in flight at once on
one model (each on a session of its own, runtime/session.c). The C side's
timeouts, callbacks, cancellation and shutdown are tested in
test/unit/RuntimeAsyncTest.cpp and under TSan (test_runtime_tsan.py)."""

import re

import numpy as np
import pytest

from harness import check_tool_ok, run_tool

from test_threads import compiled  # noqa: F401  (the fixture)


def images(count, seed=21):
    gen = np.random.default_rng(seed)
    return [gen.standard_normal((1, 3, 32, 32)).astype(np.float32)
            for _ in range(count)]


def test_run_async_matches_run(strata, compiled):  # noqa: F811
    _, lib, _ = compiled
    model = strata.load(lib, threads=2)
    inputs = images(16)
    expected = [model.run([x]) for x in inputs]
    futures = [model.run_async([x]) for x in inputs]
    for future, want in zip(futures, expected):
        got = future.result(timeout=60)
        assert future.done() and not future.cancelled()
        for g, w in zip(got, want):
            assert np.array_equal(g, w)


def test_run_async_again_after_results(strata, compiled):  # noqa: F811
    # Sessions are reused once their runs are collected.
    _, lib, image = compiled
    model = strata.load(lib, threads=2)
    want = model.run([image])
    for _ in range(3):
        futures = [model.run_async({"image": image}) for _ in range(4)]
        for future in futures:
            assert np.array_equal(future.result()[0], want[0])


def test_run_async_checks_inputs_at_once(strata, compiled):  # noqa: F811
    _, lib, _ = compiled
    model = strata.load(lib)
    with pytest.raises(strata.RunError, match="input 'image': expected shape"):
        model.run_async([np.zeros((1, 3, 8, 8), np.float32)])


def test_future_outlives_nothing_it_needs(strata, compiled):  # noqa: F811
    # A Future dropped before its run ends waits for it; the model stays
    # alive while a Future holds it.
    _, lib, image = compiled
    model = strata.load(lib, threads=2)
    future = model.run_async([image.copy()])
    del model
    assert future.result()[0].shape == (1, 256)
    del future


def test_strata_run_in_flight(strata, tools, compiled):  # noqa: F811
    # strata-run --in-flight K submits the timed runs at once over K
    # sessions and checks every session's outputs against the first run's.
    _, lib, _ = compiled
    proc = check_tool_ok(run_tool([tools.run, lib, "--threads", "2",
                                   "--repeat", "20", "--in-flight", "3"]))
    line = next(l for l in proc.stdout.splitlines() if l.startswith("throughput:"))
    assert re.fullmatch(r"throughput: [0-9.]+ runs/s with 3 in flight on 2 "
                        r"threads, [0-9.]+x one at a time", line), line


@pytest.mark.parametrize("value", ["0", "2000", "many"])
def test_strata_run_in_flight_bad_value(tools, compiled, value):  # noqa: F811
    _, lib, _ = compiled
    proc = run_tool([tools.run, lib, "--in-flight", value])
    assert proc.returncode == 1
    assert f"--in-flight expects an integer from 1 to 1024, got '{value}'" in proc.stderr
