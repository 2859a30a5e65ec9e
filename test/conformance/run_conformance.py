#!/usr/bin/env python3
"""Runs the ONNX backend node tests through strata and reports conformance.

    python3 test/conformance/run_conformance.py [options]

Every node test of the installed onnx (`onnx.backend.test.loader.
load_model_tests(kind="node")`) goes through the whole pipeline: import,
compile to lib<name>.so (strata.compile), load (strata.load), run on each of
the test's data sets and compare with the expected outputs by onnx's own
rule (same shape and dtype, then np.testing.assert_allclose with the test's
rtol/atol). Each test ends as one of: pass, wrong result, unsupported op,
compile error, runtime error, crash, timeout, runner error (all failures),
or out of scope (a non-tensor input/output, string tensors, a training op
or a random op; cases.scope_reason).

Modes:

  (default)          run every test (or those --filter selects), print the
                     totals and the largest failure groups, write the report
                     (docs/conformance.md for a full run; --report PATH)
  --gate             run only the tests in test/conformance/passing.txt and
                     exit 1 naming every one that no longer passes (the CI
                     gate; test/run_all.py runs it as its "conformance" suite)
  --update-passing   after the run, rewrite passing.txt: the tests that the
                     run selected are replaced by those of them that passed

Options: --jobs N (2), --timeout S per test (60), --filter REGEX (re.search
on test names), --target PRESET (compile for an x86-64 level instead of the
host; with --gate --slice only the gate's cross-target slice runs, as
`make test` does for every level the host runs), --build-dir DIR (build), --junit PATH (JUnit XML: one
testcase per test), --json PATH (raw results; default
<build>/conformance/results.json), --no-cache (recompile everything),
--report PATH, --no-report. test/conformance/README.md says more.

Tests run in long-lived worker processes (worker.py), --jobs of them: a test
that kills its worker (a signal, or LLVM's fatal error exit) is retried once
in a fresh worker and recorded as a crash, and a test past --timeout is
killed and recorded as a timeout; both are failures and listed first in the
report. Compiled libraries are cached in <build>/conformance/cache, keyed by
the model's bytes and the size and mtime of strata's binaries (the Python
module, libStrataDriver, the runtime), so the gate recompiles only after a
rebuild. The cases themselves are written once per onnx version to
<build>/conformance/cases/<onnx version>/, so the gate does not regenerate
them with onnx's loader.

The onnx version is pinned in python/requirements.txt; another version
prints a warning (the test set, and so the totals, differ between
releases).
"""

import argparse
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import report  # noqa: E402

PASSING = os.path.join(HERE, "passing.txt")
DEFAULT_REPORT = os.path.join(REPO, "docs", "conformance.md")
REQUIREMENTS = os.path.join(REPO, "python", "requirements.txt")


# -- environment ------------------------------------------------------------

def onnx_pin():
    try:
        with open(REQUIREMENTS) as f:
            for line in f:
                match = re.match(r"\s*onnx\s*==\s*([^\s#;]+)", line)
                if match:
                    return match.group(1)
    except OSError:
        pass
    return None


def check_onnx_version():
    import onnx
    pin = onnx_pin()
    if pin is None:
        print(f"warning: no onnx pin found in {REQUIREMENTS}", file=sys.stderr)
    elif onnx.__version__ != pin:
        print(f"warning: onnx {onnx.__version__} is installed but "
              f"python/requirements.txt pins onnx=={pin}: the node tests "
              f"differ between releases, so totals and passing.txt may not "
              f"match (pip install onnx=={pin})", file=sys.stderr)
    return onnx.__version__, pin


def strata_binaries(build):
    """The files whose change makes compiled libraries stale."""
    package = os.path.join(build, "python", "strata")
    names = []
    if os.path.isdir(package):
        names += [os.path.join(package, n) for n in sorted(os.listdir(package))
                  if n.endswith((".so", ".py"))]
    lib = os.path.join(build, "lib")
    if os.path.isdir(lib):
        names += [os.path.join(lib, n) for n in sorted(os.listdir(lib))
                  if n.startswith(("libStrata", "libstrata")) and ".so" in n]
    names.append(os.path.join(build, "bin", "strata-compile"))
    return [n for n in names if os.path.exists(n)]


def binaries_stamp(build):
    digest = hashlib.sha256()
    for path in strata_binaries(build):
        real = os.path.realpath(path)
        st = os.stat(real)
        digest.update(f"{real}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def build_time(build):
    """When the newest of strata's binaries was written, UTC."""
    import datetime
    times = [os.stat(os.path.realpath(p)).st_mtime for p in strata_binaries(build)]
    if not times:
        return "unknown"
    return datetime.datetime.fromtimestamp(
        max(times), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def prepare_cache(work, stamp, enabled):
    """<work>/cache/<stamp>, with the entries of other stamps removed."""
    root = os.path.join(work, "cache")
    if not enabled:
        return ""
    if os.path.isdir(root):
        for entry in os.listdir(root):
            if entry != stamp:
                shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
    path = os.path.join(root, stamp)
    os.makedirs(path, exist_ok=True)
    return path


# -- workers ----------------------------------------------------------------

class Worker:
    """One worker.py process; runs one case at a time."""

    def __init__(self, index, env, log_dir):
        self.index = index
        self.env = env
        self.log_path = os.path.join(log_dir, f"worker{index}.log")
        self.process = None
        self.cases_run = 0

    def start(self):
        read_fd, write_fd = os.pipe()
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "worker.py"), str(write_fd)],
            stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT,
            env=self.env, pass_fds=(write_fd,), start_new_session=True)
        os.close(write_fd)
        self.results = os.fdopen(read_fd, "rb", buffering=0)
        self.buffer = b""
        self.cases_run = 0

    def stop(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.results.close()
        self.log.close()
        self.process = None

    def close(self):
        if self.process is None:
            return
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.stop()

    def _log_tail(self, offset, count=6):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [l for l in text.splitlines() if l.strip()]
        return "\n".join(lines[-count:])

    def run(self, request, timeout):
        """Runs one case; returns its result dict."""
        if self.process is None:
            self.start()
        self.log.flush()
        offset = os.path.getsize(self.log_path)
        name = os.path.basename(request["dir"])
        self.cases_run += 1
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                return {"name": name, "status": "timeout",
                        "reason": f"no result after {timeout} s",
                        "detail": f"killed after {timeout} s"}
            ready, _, _ = select.select([self.results], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.results.fileno(), 1 << 16)
            if not chunk:  # the worker died
                code = self.process.wait()
                tail = self._log_tail(offset)
                self.stop()
                if code < 0:
                    try:
                        how = f"killed by {signal.Signals(-code).name}"
                    except ValueError:
                        how = f"killed by signal {-code}"
                else:
                    how = f"process exited with status {code}"
                detail = how + (f"; last output: {tail}" if tail else "")
                return {"name": name, "status": "crash", "reason": how,
                        "detail": detail}
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def run_all(cases, args, env, cache, log_dir, on_result):
    """Runs [(name, folder)] on args.jobs workers; calls on_result(result)
    from the worker threads (under a lock)."""
    queue = list(reversed(cases))
    lock = threading.Lock()

    def loop(index):
        worker = Worker(index, env, log_dir)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    name, folder = queue.pop()
                request = {"dir": folder, "cache": cache, "target": args.target}
                started = time.monotonic()
                result = worker.run(request, args.timeout)
                if result["status"] == "crash":
                    # Confirm in a fresh process, where no earlier case can
                    # have left anything behind.
                    again = worker.run(request, args.timeout)
                    if again["status"] != "crash":
                        result["detail"] += (f" (when run alone in a fresh worker: "
                                             f"{again['status']})")
                result["seconds"] = time.monotonic() - started
                with lock:
                    on_result(result)
        finally:
            worker.close()

    threads = [threading.Thread(target=loop, args=(i,), daemon=True)
               for i in range(max(1, args.jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Progress:
    def __init__(self, total):
        self.total = total
        self.done = 0
        self.counts = {}
        self.tty = sys.stdout.isatty()
        self.next_print = 0
        self.started = time.monotonic()

    def update(self, result):
        self.done += 1
        status = result["status"]
        self.counts[status] = self.counts.get(status, 0) + 1
        failed = sum(v for k, v in self.counts.items()
                     if k not in ("pass", "out_of_scope"))
        text = (f"[{self.done}/{self.total}] pass {self.counts.get('pass', 0)}, "
                f"fail {failed}, out of scope {self.counts.get('out_of_scope', 0)}, "
                f"{time.monotonic() - self.started:.0f} s")
        if status in ("crash", "timeout", "harness"):
            self._clear()
            print(f"{report.STATUS_TITLES[status].upper()}: {result['name']}: "
                  f"{result.get('detail')}", flush=True)
        if self.tty:
            print(f"\r{text}  {result['name'][:40]:40}", end="", flush=True)
        elif self.done >= self.next_print or self.done == self.total:
            print(text, flush=True)
            self.next_print = self.done + max(1, self.total // 10)

    def _clear(self):
        if self.tty:
            print("\r" + " " * 100 + "\r", end="")

    def finish(self):
        if self.tty:
            print()


# -- cases ------------------------------------------------------------------

def read_passing(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def write_passing(path, names, onnx_version):
    with open(path, "w") as f:
        f.write("# ONNX node tests that pass through strata: the CI gate\n"
                "# (run_conformance.py --gate, a suite of `make test`).\n"
                f"# Generated by run_conformance.py --update-passing with onnx "
                f"{onnx_version}; a test\n"
                "# leaves this list only by a deliberate --update-passing.\n")
        for name in sorted(set(names)):
            f.write(name + "\n")


#: The gate's tests that make test also runs compiled for the other
#: x86-64 levels the host can run (run_all.py's cross-target suite): those
#: whose code depends most on the vector ISA (half and bfloat16 floats,
#: casts, attention, convolutions, matrix products), and every 8th of the
#: rest.
SLICE_PATTERN = re.compile(r"bf16|bfloat16|float16|cast|attention|conv|gemm|matmul")


def cross_target_slice(names):
    rest = [n for n in names if not SLICE_PATTERN.search(n)]
    return [n for n in names if SLICE_PATTERN.search(n)] + rest[::8]


def collect(args, cases_dir, gate_names):
    """Returns (runnable [(name, folder)], immediate results, ops by name)."""
    import cases as cases_mod

    ops = {}
    if gate_names is not None:
        # Fast path: every gated case is already written for this onnx.
        metas = {n: cases_mod.read_meta(os.path.join(cases_dir, n)) for n in gate_names}
        if all(metas.values()):
            for name, meta in metas.items():
                ops[name] = meta["op"]
            return [(n, os.path.join(cases_dir, n)) for n in gate_names], [], ops

    started = time.monotonic()
    all_cases = cases_mod.load_cases(args.kind)
    print(f"loaded {len(all_cases)} {args.kind} tests from onnx in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    by_name = {c.name: c for c in all_cases}
    if gate_names is not None:
        selected, results = [], []
        for name in gate_names:
            if name in by_name:
                selected.append(by_name[name])
            else:
                ops[name] = "?"
                results.append({"name": name, "status": "harness", "op": "?",
                                "reason": "test not found in the installed onnx",
                                "detail": "passing.txt names a test that onnx's "
                                          "loader does not give"})
    else:
        pattern = re.compile(args.filter) if args.filter else None
        selected = [c for c in all_cases if not pattern or pattern.search(c.name)]
        results = []
    runnable = []
    for case in selected:
        ops[case.name] = case.op
        if case.out_of_scope and gate_names is None:
            results.append({"name": case.name, "status": "out_of_scope",
                            "reason": case.out_of_scope, "detail": ""})
            continue
        folder = os.path.join(cases_dir, case.name)
        cases_mod.write_case(case, folder)
        runnable.append((case.name, folder))
    return runnable, results, ops


# -- main -------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.environ.get(
        "STRATA_BUILD_DIR", os.path.join(REPO, "build")))
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds per test (default 60)")
    parser.add_argument("--filter", help="regular expression on test names")
    parser.add_argument("--gate", action="store_true",
                        help="run only passing.txt; exit 1 on any regression")
    parser.add_argument("--update-passing", action="store_true",
                        help="rewrite passing.txt from this run")
    parser.add_argument("--passing", default=PASSING, help=argparse.SUPPRESS)
    parser.add_argument("--report", help="markdown report to write "
                        "(default docs/conformance.md for a full run)")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--junit", help="JUnit XML report to write")
    parser.add_argument("--json", help="raw results (JSON) to write "
                        "(default <build>/conformance/results.json)")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--kind", default="node", help=argparse.SUPPRESS)
    parser.add_argument("--target", default="host",
                        help="strata.compile target preset (default host)")
    parser.add_argument("--slice", action="store_true",
                        help="with --gate: only the cross-target slice of "
                        "passing.txt (cross_target_slice)")
    args = parser.parse_args()
    if args.slice and not args.gate:
        parser.error("--slice selects from the gate: use it with --gate")
    if args.gate and (args.filter or args.update_passing):
        parser.error("--gate runs passing.txt as it is: no --filter or --update-passing")
    if args.kind != "node" and (args.gate or args.update_passing):
        parser.error("the gate and passing.txt are for node tests only")

    started = time.monotonic()
    build = os.path.abspath(args.build_dir)
    package = os.path.join(build, "python", "strata")
    if not os.path.isdir(package):
        print(f"error: {package} is missing: build strata first (make build)",
              file=sys.stderr)
        return 2
    onnx_version, pin = check_onnx_version()
    import numpy

    work = os.path.join(build, "conformance")
    cases_dir = os.path.join(work, "cases", onnx_version, args.kind)
    mode = "gate" if args.gate else "run"
    if args.target != "host":
        mode += "-" + args.target
    log_dir = os.path.join(work, "logs", mode)
    os.makedirs(log_dir, exist_ok=True)
    for old in os.listdir(log_dir):
        os.remove(os.path.join(log_dir, old))
    stamp = binaries_stamp(build)
    cache = prepare_cache(work, stamp, not args.no_cache)

    gate_names = None
    if args.gate:
        gate_names = read_passing(args.passing)
        if args.slice:
            gate_names = cross_target_slice(gate_names)
        if not gate_names:
            print(f"error: {args.passing} lists no test", file=sys.stderr)
            return 2

    runnable, results, ops = collect(args, cases_dir, gate_names)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.path.join(build, "python"), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    what = "gated tests" if args.gate else "tests"
    print(f"running {len(runnable)} {what} on {args.jobs} workers"
          + (f" ({len(results)} out of scope)" if results and not args.gate else ""),
          flush=True)

    progress = Progress(len(runnable) + len(results))
    for result in results:
        progress.update(result)

    def on_result(result):
        results.append(result)
        progress.update(result)

    run_all(runnable, args, env, cache, log_dir, on_result)
    progress.finish()
    if binaries_stamp(build) != stamp:
        print("warning: strata's binaries changed during the run (a rebuild?): "
              "the results may mix two builds; run again", file=sys.stderr)
    for result in results:
        result["op"] = ops.get(result["name"], "?")
    seconds = time.monotonic() - started

    json_path = args.json or os.path.join(
        work, "results.json" if mode == "run" else f"results-{mode}.json")
    with open(json_path, "w") as f:
        json.dump(sorted(results, key=lambda r: r["name"]), f, indent=1)
    if args.junit:
        suite = "conformance" if args.target == "host" else \
            f"conformance[{args.target}]"
        report.write_junit(args.junit, results, suite=suite, seconds=seconds)

    failed = [r for r in results if r["status"] not in ("pass", "out_of_scope")]
    passed = [r for r in results if r["status"] == "pass"]
    if args.gate:
        target = "" if args.target == "host" else f" (target {args.target})"
        print(f"conformance gate{target}: {len(passed)}/{len(results)} still "
              f"pass ({seconds:.1f} s)")
        if failed:
            print(f"REGRESSIONS ({len(failed)}): tests in {os.path.relpath(args.passing)} "
                  "that no longer pass:")
            for r in sorted(failed, key=lambda r: r["name"]):
                print(f"  {r['name']}: {report.reason_of(r)}")
                for line in (r.get("detail") or "").splitlines():
                    print(f"      {line}")
            return 1
        return 0

    in_scope = [r for r in results if r["status"] != "out_of_scope"]
    print(f"\n{len(passed)}/{len(results)} tests pass "
          f"({len(passed)}/{len(in_scope)} in scope, "
          f"{len(results) - len(in_scope)} out of scope) in {seconds:.0f} s")
    counts = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print("  " + ", ".join(f"{report.STATUS_TITLES[s]} {counts[s]}"
                           for s in report.STATUS_TITLES if s in counts))
    groups = {}
    for r in failed:
        key = report.reason_of(r)
        groups[key] = groups.get(key, 0) + 1
    if groups:
        print("largest failure groups:")
        for key, count in sorted(groups.items(), key=lambda kv: -kv[1])[:10]:
            print(f"  {count:5d}  {key}")
    crashes = [r for r in results if r["status"] in ("crash", "timeout", "harness")]
    if crashes:
        print(f"CRASHES/TIMEOUTS ({len(crashes)}):")
        for r in crashes:
            print(f"  {r['name']}: {r.get('detail')}")

    report_path = args.report
    if report_path is None and not args.filter and not args.no_report \
            and args.kind == "node":
        report_path = DEFAULT_REPORT
    if report_path and not args.no_report:
        info = {"date": report.utc_now(), "machine": report.machine_info(),
                "onnx_version": onnx_version, "onnx_pin": pin,
                "numpy_version": numpy.__version__,
                "revision": report.git_revision(REPO),
                "build_time": build_time(build), "jobs": args.jobs,
                "timeout": args.timeout, "seconds": seconds}
        report.write_markdown(report_path, results, info)
        print(f"wrote {os.path.relpath(report_path)}")

    if args.update_passing:
        old = set(read_passing(args.passing)) if os.path.exists(args.passing) else set()
        selected = {r["name"] for r in results}
        new = (old - selected) | {r["name"] for r in passed}
        added, removed = sorted(new - old), sorted(old - new)
        write_passing(args.passing, new, onnx_version)
        print(f"updated {os.path.relpath(args.passing)}: {len(new)} tests "
              f"(+{len(added)}, -{len(removed)})")
        if removed:
            print("  REMOVED (no longer pass): " + ", ".join(removed))
    print(f"conformance run time: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
