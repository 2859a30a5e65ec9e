"""Memory at run time: strata-run on ResNet-50 (bench/models.py, random
weights) must peak at no more than its weights (the library's size), its
arena and 16 MiB for everything else - the runtime, the loader, libc and
strata-run's own input and output buffers. The intermediates live in one
planned arena, so nothing grows with the network's depth.

The child's peak RSS comes from getrusage(RUSAGE_CHILDREN) in a fresh
Python process that runs only strata-run."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import onnx

# bench/models.py under a name of its own: the real-model suite has a
# `models` module too.
_SPEC = importlib.util.spec_from_file_location(
    "bench_models", Path(__file__).resolve().parents[2] / "bench" / "models.py")
models = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(models)

MIB = 1 << 20

MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": proc.returncode, "out": proc.stdout + proc.stderr,
                  "max_rss_kib": resource.getrusage(
                      resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def test_resnet50_peak_rss(strata, tools, tmp_path):
    model, _ = models.resnet50()
    path = tmp_path / "resnet50.onnx"
    onnx.save(model, path)
    lib = Path(strata.compile(path, tmp_path / "out"))
    arena = strata.load(lib).arena_bytes
    assert arena > 0
    result = json.loads(subprocess.run(
        [sys.executable, "-c", MEASURE, str(tools.run), str(lib),
         "--threads", "2", "--repeat", "3", "--quiet"],
        capture_output=True, text=True, check=True).stdout)
    assert result["rc"] == 0, result["out"]
    peak = result["max_rss_kib"] * 1024
    weights = lib.stat().st_size
    bound = weights + arena + 16 * MIB
    print(f"peak RSS {peak / MIB:.1f} MiB; weights {weights / MIB:.1f} MiB + "
          f"arena {arena / MIB:.1f} MiB + 16 MiB = {bound / MIB:.1f} MiB")
    assert peak <= bound
