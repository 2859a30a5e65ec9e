"""The benchmark harness itself (bench/run_bench.py --quick): the tests'
small families and a small GEMM through strata (host and, on an AVX-512
machine, x86-64-v3) and onnxruntime at 1 and 2 threads, each in a child
process, outputs checked against onnxruntime. Keeps `make bench` from
rotting; it times nothing that `make test` judges."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_benchmark_runs_and_checks_outputs(strata, build, tmp_path):
    results = tmp_path / "bench.json"
    report = tmp_path / "benchmarks.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run_bench.py"), "--quick",
         "--build-dir", str(build), "--engines", "strata,onnxruntime",
         "--json", str(results), "--report", str(report)],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(results.read_text())
    labels = data["info"]["labels"]
    assert labels[:3] == ["onnxruntime 1t", "onnxruntime 2t", "strata"], labels
    assert data["info"]["peak"]["native"] > 1, data["info"]["peak"]
    assert [r["model"] for r in data["results"]] == ["tiny_mobilenet", "tiny_encoder",
                                                     "gemm_128"]
    for row in data["results"]:
        for label in labels:
            record = row["runs"][label]
            assert not record.get("error"), (row["model"], label, record)
            assert record["latency_ms"] > 0 and record["max_rel_error"] <= 1e-3
    text = report.read_text()
    assert "| gemm_128 | 0.00 |" in text and "## Failures\n\nNone." in text, text
