#!/usr/bin/env python3
"""strata against onnxruntime, IREE and TVM on full-size networks and
kernels, on this machine, in one run (`make bench`).

    python3 bench/run_bench.py [--build-dir build] [--engines strata,onnxruntime,iree,tvm]
        [--models resnet50,...] [--report docs/benchmarks.md] [--chart docs/benchmarks.png]
        [--quick]

Networks and kernels come from bench/models.py (fixed seeds). For each,
the reference outputs are onnxruntime's (CPU, graph optimizations off, one
thread); then every engine compiles the model and times it in a child
process (bench/engine_child.py: strata and onnxruntime with this
interpreter, IREE and TVM with the benchmark's venv, build/bench-venv),
median of at least 3 runs and 1 s, and its outputs are compared with the
reference: max |diff| / max |reference| must stay within 1e-4 (1e-3 for the
networks, whose sums run through dozens of layers). An engine that fails to
compile or run, or differs, is reported with its error.

Engines: onnxruntime with all graph optimizations at 1 and 2 threads;
strata for the host at 1 and 2 threads and, on an AVX-512 host, for x86-64-v3
(its AVX2 code, one thread);
IREE (llvm-cpu, host CPU, one thread); TVM (Relax, llvm with the host CPU's
name, untuned, one thread). The fp32 FMA peak of one core is measured by
bench/fma_peak.c in the same run (native and x86-64-v3), and GFLOP/s count
2 per multiply-add of the contractions (bench/flops.py).

--quick runs the tests' small model families with strata and onnxruntime
only (test/python/test_bench.py keeps the harness working).
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import flops  # noqa: E402

TOLERANCE = {"network": 1e-3, "kernel": 1e-4}


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def llvm_cpu():
    """The host CPU's LLVM name (znver5), as llc reports it."""
    try:
        out = subprocess.run(["llc-22", "--version"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "Host CPU:" in line:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "generic"


def fma_peak(work, march):
    """GFLOP/s of one core's fp32 FMAs with -march=`march`."""
    binary = os.path.join(work, f"fma_peak_{march}")
    subprocess.run(["clang-22", "-O2", f"-march={march}", "-ffp-contract=fast",
                    os.path.join(HERE, "fma_peak.c"), "-o", binary], check=True)
    return float(subprocess.run([binary], capture_output=True, text=True,
                                check=True).stdout)


def reference(model_path, inputs):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs)))


def run_engine(python, engine, options, model_path, inputs_path, work, build):
    """One engine on one model, in a child process; its result dict."""
    tag = engine + "".join(f"_{k}{v}" for k, v in sorted(options.items()))
    outputs = os.path.join(work, f"{tag}.npz")
    result = os.path.join(work, f"{tag}.json")
    command = [python, os.path.join(HERE, "engine_child.py"), "--engine", engine,
               "--model", model_path, "--inputs", inputs_path, "--outputs", outputs,
               "--json", result, "--threads", str(options.get("threads", 1))]
    if "target" in options:
        command += ["--target", options["target"]]
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"),
               PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS=str(options.get("threads", 1)))
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=env)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 3600 s"}
    if os.path.exists(result):
        with open(result) as f:
            record = json.load(f)
    else:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-2:]
        record = {"error": f"exit {proc.returncode}: " + " ".join(tail)}
    if not record.get("error") and os.path.exists(outputs):
        record["outputs"] = dict(np.load(outputs))
    return record


# Runs argv[1:] and prints its wall time and the peak resident bytes of it
# and its children (the linker). A fresh, small interpreter runs it: Linux
# starts a child's peak at its parent's size.
MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode
print(rc, time.perf_counter() - t0,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def compile_cost(build, model, model_path, work):
    """strata-compile -o of a network: wall seconds, peak resident bytes
    (compiler and linker) and the weights' bytes, or an error."""
    weights = sum(numpy_helper.to_array(t).nbytes for t in model.graph.initializer)
    tool = os.path.join(build, "bin", "strata-compile")
    out = subprocess.run([sys.executable, "-c", MEASURE, tool, model_path, "-o",
                          os.path.join(work, "compile-cost"), "--quiet"],
                         capture_output=True, text=True)
    try:
        rc, seconds, peak = out.stdout.split()
    except ValueError:
        return {"error": out.stderr.strip()[-200:] or "no measurement"}
    if rc != "0":
        return {"error": f"strata-compile exited with {rc}"}
    return {"seconds": float(seconds), "peak_bytes": int(peak), "weights_bytes": weights}


def compare(outputs, expected, tolerance):
    """(ok, max |diff| / max |reference|) over all outputs."""
    worst = 0.0
    for name, want in expected.items():
        got = outputs.get(name)
        if got is None or got.shape != want.shape:
            return False, float("inf")
        scale = max(float(np.abs(want).max()), 1e-30)
        worst = max(worst, float(np.abs(got.astype(np.float64) - want).max()) / scale)
    return worst <= tolerance, worst


def runs_for(engines, avx512):
    """[(column label, engine, options)] in table order."""
    runs = []
    if "onnxruntime" in engines:
        runs += [("onnxruntime 1t", "onnxruntime", {"threads": 1}),
                 ("onnxruntime 2t", "onnxruntime", {"threads": 2})]
    if "strata" in engines:
        runs += [("strata", "strata", {"target": "host", "threads": 1}),
                 ("strata 2t", "strata", {"target": "host", "threads": 2})]
        if avx512:
            runs.append(("strata AVX2", "strata",
                         {"target": "x86-64-v3", "threads": 1}))
    for engine, label in (("iree", "IREE"), ("tvm", "TVM")):
        if engine in engines:
            runs.append((label, engine, {"threads": 1}))
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--engines", default="strata,onnxruntime,iree,tvm")
    parser.add_argument("--models", help="comma-separated names (default: all)")
    parser.add_argument("--report")
    parser.add_argument("--chart")
    parser.add_argument("--json", help="raw results")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    engines = set(args.engines.split(","))
    venv_python = os.path.join(build, "bench-venv", "bin", "python")
    python = {"strata": sys.executable, "onnxruntime": sys.executable,
              "iree": venv_python, "tvm": venv_python}
    import models
    catalog = {**{n: ("network", f) for n, f in models.NETWORKS.items()},
               **{n: ("kernel", f) for n, f in models.KERNELS.items()}}
    if args.quick:
        catalog = models.quick_catalog()
    if args.models:
        catalog = {n: catalog[n] for n in args.models.split(",")}

    work = tempfile.mkdtemp(prefix="strata-bench-")
    atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
    started = time.monotonic()
    peak = {"native": fma_peak(work, "native")}
    sys.path.insert(0, os.path.join(build, "python"))
    import strata
    avx512 = "avx512f" in strata.cpu_features()
    if avx512:
        peak["x86-64-v3"] = fma_peak(work, "x86-64-v3")
    print(f"fp32 FMA peak of one core: " +
          ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peak.items()), flush=True)
    runs = runs_for(engines, avx512)
    results = []
    for name, (kind, build_model) in catalog.items():
        model, inputs = build_model()
        folder = os.path.join(work, name)
        os.makedirs(folder)
        model_path = os.path.join(folder, "model.onnx")
        onnx.save(model, model_path)
        inputs_path = os.path.join(folder, "inputs.npz")
        np.savez(inputs_path, **inputs)
        expected = reference(model_path, inputs)
        row = {"model": name, "kind": kind, "gflop": flops.count(model) / 1e9, "runs": {}}
        for label, engine, options in runs:
            record = run_engine(python[engine], engine, options, model_path, inputs_path,
                                folder, build)
            outputs = record.pop("outputs", None)
            if not record.get("error"):
                ok, error = compare(outputs or {}, expected, TOLERANCE[kind])
                record["max_rel_error"] = error
                if not ok:
                    record["error"] = f"outputs differ from onnxruntime ({error:.2g})"
            row["runs"][label] = record
            shown = (f"{record['latency_ms']:.3f} ms" if not record.get("error")
                     else f"FAILED: {record['error'][:120]}")
            print(f"{name:20s} {label:15s} {shown}", flush=True)
        if kind == "network" and "strata" in engines:
            row["compile"] = compile_cost(build, model, model_path, folder)
            cost = row["compile"]
            print(f"{name:20s} {'compile':15s} " +
                  (f"{cost['seconds']:.1f} s, peak {cost['peak_bytes'] / 2**20:.0f} MiB "
                   f"({cost['peak_bytes'] / max(cost['weights_bytes'], 1):.2f}x the weights)"
                   if "error" not in cost else f"FAILED: {cost['error']}"), flush=True)
        results.append(row)
    seconds = time.monotonic() - started
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu_name(), "llvm_cpu": llvm_cpu(), "cores": os.cpu_count(),
            "isa": "AVX-512" if avx512 else ("AVX2 + FMA" if "avx2" in strata.cpu_features()
                                             else "SSE"),
            "peak": peak, "seconds": seconds, "labels": [r[0] for r in runs]}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "results": results}, f, indent=1, default=str)
    if args.report:
        import report
        report.write_markdown(args.report, info, results)
        print(f"wrote {os.path.relpath(args.report)}")
    if args.chart:
        import report
        report.write_chart(args.chart, info, results, venv_python)
        print(f"wrote {os.path.relpath(args.chart)}")
    failed = [f"{r['model']} {label}" for r in results for label, rec in r["runs"].items()
              if rec.get("error") and label.startswith("strata")]
    if failed:
        print("strata failed on: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
