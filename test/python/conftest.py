"""Fixtures for strata's end-to-end tests (helpers are in harness.py).

The tests run against a build: STRATA_BUILD_DIR, or <repo>/build. Nothing
here skips when the build or a tool is missing: such a test fails with a
message saying what to build (`make build`), so a broken build can never
pass as "skipped".

Every numeric comparison is against onnxruntime (CPU, graph optimizations
off, one thread) with the fp32 tolerance in harness.py (rtol=1e-4,
atol=1e-5).
"""

import importlib
import sys
from pathlib import Path

import pytest

from harness import Compiler, Tools, build_dir


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: large models or downloads; `make test` runs them, "
        "`make test-sanitize` (pytest -m 'not slow') does not")


@pytest.fixture(scope="session")
def build():
    path = build_dir()
    if not path.is_dir():
        pytest.fail(f"build folder {path} does not exist: run `make build` "
                    "(or set STRATA_BUILD_DIR)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def strata(build):
    """The `strata` package from <build>/python, never an installed one."""
    package_root = build / "python"
    if not (package_root / "strata" / "__init__.py").is_file():
        pytest.fail(f"{package_root}/strata is missing: build the Python "
                    "module (`make build`, STRATA_BUILD_PYTHON=ON)",
                    pytrace=False)
    if str(package_root) not in sys.path:
        sys.path.insert(0, str(package_root))
    try:
        module = importlib.import_module("strata")
    except ImportError as error:
        pytest.fail(f"cannot import strata from {package_root}: {error}",
                    pytrace=False)
    where = Path(module.__file__).resolve()
    if package_root not in where.parents:
        pytest.fail(f"imported strata from {where}, not from {package_root}",
                    pytrace=False)
    return module


@pytest.fixture(scope="session")
def tools(build):
    """Paths of strata-compile and strata-run in <build>/bin."""
    return Tools(build)


@pytest.fixture(params=["api", "cli"])
def compile_lib(request, strata, tmp_path):
    """Compiles a model to lib<name>.so through strata.compile and, as a
    second case of the same test, through strata-compile."""
    tools = request.getfixturevalue("tools") if request.param == "cli" else None
    return Compiler(request.param, strata, tools, tmp_path)


@pytest.fixture
def compile_api(strata, tmp_path):
    """Compiles a model to lib<name>.so through strata.compile."""
    return Compiler("api", strata, None, tmp_path)


@pytest.fixture
def compile_cli(strata, tools, tmp_path):
    """Compiles a model to lib<name>.so through strata-compile."""
    return Compiler("cli", strata, tools, tmp_path)
