"""strata-run --profile: a Chrome trace of every dispatch on every thread,
named after the ONNX nodes each computes (ABI version 5's dispatch table,
from strata-outline-dispatches), with one "run" event per timed run and a
summary of the dispatches that took longest."""

import json

import pytest

from harness import check_tool_ok, run_tool
from test_threads import compiled  # noqa: F401  (the fixture)

REPEAT = 4


@pytest.fixture(scope="module")
def trace(tools, compiled, tmp_path_factory):  # noqa: F811
    _, lib, _ = compiled
    path = tmp_path_factory.mktemp("profile") / "trace.json"
    proc = check_tool_ok(run_tool([tools.run, lib, "--threads", "2",
                                   "--repeat", str(REPEAT), "--profile", path]))
    with open(path) as f:
        return json.load(f), proc.stdout


def test_trace_has_every_run_and_dispatch(trace):
    data, _ = trace
    events = [e for e in data["traceEvents"] if e["ph"] == "X"]
    runs = [e for e in events if e["name"] == "run"]
    dispatches = [e for e in events if e["cat"] == "dispatch"]
    assert len(runs) == REPEAT
    assert all(e["tid"] == 0 for e in runs)
    # threaded_cnn's convolutions are split into workgroups, on the caller
    # and (when it is awake in time: not asserted) the pool's worker.
    names = {e["name"] for e in dispatches}
    assert any("(Conv)" in n for n in names), names
    assert {e["tid"] for e in dispatches} <= {0, 1}
    for e in events:
        assert e["dur"] >= 0 and e["ts"] >= 0
    # Every grid's workgroups are counted once over its threads, and it
    # lies inside its run.
    by_sequence = {}
    for e in dispatches:
        by_sequence.setdefault(e["args"]["sequence"], []).append(e)
    assert len(by_sequence) % REPEAT == 0
    for run in runs:
        inside = [e for e in dispatches
                  if run["ts"] <= e["ts"] and e["ts"] + e["dur"] <= run["ts"] + run["dur"] + 1e-3]
        assert len({e["args"]["sequence"] for e in inside}) == len(by_sequence) // REPEAT


def test_summary_names_nodes(trace):
    _, stdout = trace
    assert f"profile: {REPEAT} runs," in stdout
    assert "(Conv)" in stdout


def test_profile_needs_a_writable_file(tools, compiled, tmp_path):  # noqa: F811
    _, lib, _ = compiled
    proc = run_tool([tools.run, lib, "--profile", tmp_path / "no" / "t.json"])
    assert proc.returncode == 1
    assert "--profile: cannot write" in proc.stderr
