"""The runtime under ThreadSanitizer: concurrent runs of one model on its
thread pool (runtime/thread_pool.c), its shared arena, and a compiled
model's dispatches. test/tsan/runtime_stress.c is built here with the
runtime's sources and the fake model (clang-22 -fsanitize=thread), then run
on the fake models and on a compiled one; it checks every output against a
single-threaded run, bit for bit, and TSan must report nothing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import save_model
from test_threads import threaded_cnn

REPO = Path(__file__).resolve().parents[2]
CLANG = shutil.which("clang-22") or "/usr/bin/clang-22"


@pytest.fixture(scope="module")
def stress_binary(tmp_path_factory):
    out = tmp_path_factory.mktemp("tsan") / "runtime_stress"
    sources = sorted(str(p) for p in (REPO / "runtime").glob("*.c"))
    sources += [str(REPO / "test/unit/fake_model.c"),
                str(REPO / "test/tsan/runtime_stress.c")]
    proc = subprocess.run(
        [CLANG, "-std=c11", "-O1", "-g", "-fsanitize=thread",
         "-I", str(REPO / "include"), *sources, "-o", str(out),
         "-lpthread", "-ldl"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def run_stress(binary, *args):
    env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1 exitcode=66")
    proc = subprocess.run([str(binary), *args], capture_output=True,
                          text=True, timeout=600, env=env)
    report = proc.stdout + proc.stderr
    assert "ThreadSanitizer" not in report, report
    assert proc.returncode == 0, report
    assert "0 failed or differing runs" in proc.stdout, report


def test_fake_models_under_tsan(stress_binary):
    run_stress(stress_binary)


def test_compiled_model_under_tsan(strata, stress_binary, tmp_path):
    lib = strata.compile(save_model(threaded_cnn(), tmp_path, "threaded"),
                         tmp_path / "out")
    run_stress(stress_binary, str(lib), "4")
