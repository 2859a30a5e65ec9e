#!/usr/bin/env python3
"""Runs every strata test suite and prints one summary line.

    python3 test/run_all.py [--build-dir build]
                            [--suite lit|unit|python|conformance ...]

Suites: lit (build/test/lit), unit (build/bin/strata-unit-tests, googletest),
python (pytest test/python), conformance (the ONNX node tests listed in
test/conformance/passing.txt, run by test/conformance/run_conformance.py
--gate: one test each, failed if it no longer passes), cross-target (a
slice of that gate compiled for every other x86-64 level this CPU runs,
--gate --slice --target LEVEL) and symbols (test/check_library_symbols.py:
every library the python and conformance suites compiled needs only libc
and libm; run it after them). Each writes a
JUnit/xUnit XML report into <build>/test-results/, which is what is
counted: skipped tests are counted as skipped (never as passed), errors as
failed. One line per suite, then the last line is exactly

    N passed, N failed[, N skipped]

A suite that cannot run (missing binary, no report written, a crash, no
test at all) counts as one failure: nothing is ever silently skipped. Exits
1 if anything failed.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ("lit", "unit", "python", "conformance", "cross-target", "symbols")
# Wall-clock limit of each suite, seconds: a hung test fails its suite
# instead of eating CI's whole budget.
TIMEOUTS = {"lit": 1800, "unit": 900, "python": 3600, "conformance": 1800,
            "cross-target": 1800, "symbols": 600}


class Count:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.problems = []  # why the suite itself failed, if it did

    def suite_failure(self, why):
        self.failed += 1
        self.problems.append(why)

    @property
    def total(self):
        return self.passed + self.failed + self.skipped


def count_junit(path, count):
    """Adds the testcases of a JUnit/xUnit XML report (lit, googletest and
    pytest all write this shape) to `count`."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        count.suite_failure(f"cannot read report {path}: {error}")
        return
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if "failure" in tags or "error" in tags:
            count.failed += 1
        elif ("skipped" in tags or case.get("status") == "notrun"
              or case.get("result") in ("skipped", "suppressed")):
            count.skipped += 1
        else:
            count.passed += 1


def run_suite(name, command, report, count, env=None, cwd=REPO):
    """Runs one suite's command (its output goes straight to ours), then
    counts its report. A non-zero exit with no failed test in the report
    is a failure of its own."""
    if os.path.exists(report):
        os.remove(report)
    print(f"==> {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    try:
        # Own process group, so that a timeout ends the suite's children too.
        process = subprocess.Popen(command, env=env, cwd=cwd,
                                   start_new_session=True)
    except OSError as error:
        count.suite_failure(f"cannot start {command[0]}: {error}")
        return
    try:
        code = process.wait(timeout=TIMEOUTS[name])
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        count.suite_failure(f"killed after {TIMEOUTS[name]}s (time limit)")
        if os.path.exists(report):
            count_junit(report, count)
        return
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    seconds = time.monotonic() - started
    if not os.path.exists(report):
        count.suite_failure(f"exited {code} after {seconds:.0f}s without "
                            f"writing {report}")
        return
    failed_before = count.failed
    count_junit(report, count)
    if count.total == 0:
        count.suite_failure("ran no test")
    if code != 0 and count.failed == failed_before:
        count.suite_failure(f"exited {code} although no test failed "
                            "(crash, collection or configuration error?)")


def lit_suite(build, results, count):
    lit_dir = os.path.join(build, "test", "lit")
    if not os.path.exists(os.path.join(lit_dir, "lit.site.cfg.py")):
        count.suite_failure(f"{lit_dir}/lit.site.cfg.py is missing: "
                            "configure the build first (make build)")
        return
    report = os.path.join(results, "lit.xml")
    # lit's own package (pip's lit, python/requirements.txt) run with this
    # interpreter; `python3 -m lit` does not exist.
    command = [sys.executable, "-c",
               "import sys, lit.main; sys.argv[0] = 'lit'; lit.main.main()",
               "-sv", lit_dir, f"--xunit-xml-output={report}"]
    run_suite("lit", command, report, count, env=sanitizer_env(build))


def unit_suite(build, results, count):
    binary = os.path.join(build, "bin", "strata-unit-tests")
    if not os.access(binary, os.X_OK):
        count.suite_failure(f"{binary} is missing: build it first (make build)")
        return
    report = os.path.join(results, "unit.xml")
    run_suite("unit", [binary, f"--gtest_output=xml:{report}"], report, count,
              env=sanitizer_env(build))


#: Sanitizer settings of `make test-sanitize` (run_all.py --sanitized): a
#: report aborts the process (SIGABRT), so that even a test that expects a
#: tool to fail with status 1 (lit's `not`, check_clean_failure) sees it;
#: leaks are reported by the tools and unit tests, not in Python (the
#: interpreter keeps its allocations).
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=1:"
                    "allocator_may_return_null=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:abort_on_error=1",
}
SANITIZED = False


def sanitizer_env(build, python=False):
    """os.environ plus the sanitizer settings; for Python also the shared
    ASan runtime preloaded (the interpreter is not instrumented)."""
    env = dict(os.environ)
    if not SANITIZED:
        return env
    env.update(SANITIZER_ENV)
    if python:
        env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("detect_leaks=1",
                                                          "detect_leaks=0")
        with open(os.path.join(build, "asan-runtime.txt")) as f:
            env["LD_PRELOAD"] = f.read().strip()
    return env


def python_suite(build, results, count):
    report = os.path.join(results, "python.xml")
    env = sanitizer_env(build, python=True)
    env["STRATA_BUILD_DIR"] = build
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in the source tree
    package_dir = os.path.join(build, "python")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_dir, env.get("PYTHONPATH")) if p)
    # A known temporary folder (emptied by pytest first): the symbols suite
    # checks every library the tests compiled there.
    os.makedirs(os.path.dirname(python_tmp(build)), exist_ok=True)
    command = [sys.executable, "-m", "pytest", os.path.join(REPO, "test", "python"),
               "-ra", "-p", "no:cacheprovider", f"--junitxml={report}",
               f"--basetemp={python_tmp(build)}"]
    if SANITIZED:  # the fast part: no large models, no downloads
        command += ["-m", "not slow"]
    run_suite("python", command, report, count, env=env)


def python_tmp(build):
    return os.path.join(build, "test-tmp", "python")


def strata_env(build):
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.path.join(build, "python"), env.get("PYTHONPATH")) if p)
    return env


def other_levels(build):
    """The x86-64 level presets this CPU runs, as the runtime sees it."""
    code = ("import strata; print(' '.join(t for t in strata.runnable_targets() "
            "if t != 'host'))")
    out = subprocess.run([sys.executable, "-c", code], env=strata_env(build),
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1:] or out.returncode)
    return out.stdout.split()


def cross_target_suite(build, results, count):
    """The gate's cross-target slice (run_conformance.py --slice) compiled
    for each x86-64 level the host runs, so that an AVX-512 machine also
    runs the AVX2 and SSE code of the same tests."""
    try:
        levels = other_levels(build)
    except RuntimeError as error:
        count.suite_failure(f"cannot ask strata for this CPU's levels: {error}")
        return
    if not levels:
        count.suite_failure("this CPU runs no x86-64 level preset")
        return
    for level in levels:
        report = os.path.join(results, f"cross-target-{level}.xml")
        command = [sys.executable,
                   os.path.join(REPO, "test", "conformance", "run_conformance.py"),
                   "--gate", "--slice", "--target", level, "--build-dir", build,
                   f"--junit={report}"]
        run_suite("cross-target", command, report, count, env=strata_env(build))


def symbols_suite(build, results, count):
    """Every library this run compiled needs nothing but libc and libm."""
    report = os.path.join(results, "symbols.xml")
    roots = [python_tmp(build), os.path.join(build, "conformance", "cache")]
    command = [sys.executable, os.path.join(REPO, "test", "check_library_symbols.py"),
               f"--junit={report}", *roots]
    run_suite("symbols", command, report, count)


def conformance_suite(build, results, count):
    report = os.path.join(results, "conformance.xml")
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable,
               os.path.join(REPO, "test", "conformance", "run_conformance.py"),
               "--gate", "--build-dir", build, f"--junit={report}"]
    run_suite("conformance", command, report, count, env=env)


RUNNERS = {"lit": lit_suite, "unit": unit_suite, "python": python_suite,
           "conformance": conformance_suite, "cross-target": cross_target_suite,
           "symbols": symbols_suite}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.environ.get(
        "STRATA_BUILD_DIR", os.path.join(REPO, "build")))
    parser.add_argument("--suite", action="append", choices=SUITES,
                        help="run only this suite (repeatable)")
    parser.add_argument("--sanitized", action="store_true",
                        help="the build has ASan + UBSan (make test-sanitize): "
                        "set their options, preload ASan for Python, run the "
                        "pytests not marked slow")
    args = parser.parse_args()
    global SANITIZED
    SANITIZED = args.sanitized
    build = os.path.abspath(args.build_dir)
    results = os.path.join(build, "test-results")
    os.makedirs(results, exist_ok=True)

    counts = {}
    for name in args.suite or SUITES:
        counts[name] = Count()
        RUNNERS[name](build, results, counts[name])

    print()
    for name, count in counts.items():
        # "[suite]" keeps these lines from reading as the closing summary.
        line = (f"[{name}] {count.passed} passed, {count.failed} failed, "
                f"{count.skipped} skipped")
        if count.problems:
            line += "  [suite error: " + "; ".join(count.problems) + "]"
        print(line)
    passed = sum(c.passed for c in counts.values())
    failed = sum(c.failed for c in counts.values())
    skipped = sum(c.skipped for c in counts.values())
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
