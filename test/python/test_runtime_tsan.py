"""The runtime under ThreadSanitizer: concurrent runs of one model on its
thread pool (runtime/thread_pool.c), its shared arena, a compiled model's
dispatches, and the async API (runtime/session.c). test/tsan/*.c are built
here with the runtime's sources and the fake model (clang-22
-fsanitize=thread): runtime_stress.c runs the fake models and a compiled
one from many threads and checks every output against a single-threaded
run, bit for bit; async_stress.c submits, cancels and shuts down with work
in flight. TSan must report nothing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import save_model
from test_threads import threaded_cnn

REPO = Path(__file__).resolve().parents[2]
CLANG = shutil.which("clang-22") or "/usr/bin/clang-22"


def build_stress(tmp_path_factory, name):
    out = tmp_path_factory.mktemp("tsan") / name
    sources = sorted(str(p) for p in (REPO / "runtime").glob("*.c"))
    sources += [str(REPO / "test/unit/fake_model.c"),
                str(REPO / "test/tsan" / f"{name}.c")]
    proc = subprocess.run(
        [CLANG, "-std=c11", "-O1", "-g", "-fsanitize=thread",
         "-I", str(REPO / "include"), *sources, "-o", str(out),
         "-lpthread", "-ldl"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def stress_binary(tmp_path_factory):
    return build_stress(tmp_path_factory, "runtime_stress")


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


def test_async_api_under_tsan(tmp_path_factory):
    run_stress(build_stress(tmp_path_factory, "async_stress"))
