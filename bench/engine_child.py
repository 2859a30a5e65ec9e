#!/usr/bin/env python3
"""Compile and time one ONNX model with one engine, in a child process.

    python engine_child.py --engine {strata,onnxruntime,iree,tvm} \
        --model MODEL.onnx --inputs IN.npz --outputs OUT.npz --threads N \
        --json RESULT.json [--min-seconds 1.0 --min-runs 3 --max-runs 200]
        [--target PRESET] [--mcpu NAME] [--iree-flag=FLAG ...]

strata (found on PYTHONPATH) and onnxruntime run under the main python.
IREE and TVM come from PyPI and live in the benchmark's venv
(bench/requirements.txt); run this script with that venv's python for them.
The script compiles the model (compile_s: from the .onnx file to something
ready to run), runs it once to warm up, then times runs until it has at least
--min-runs and --min-seconds (or --max-runs). Each timed run goes from host
numpy inputs to host numpy outputs. OUT.npz gets the last run's outputs keyed
by graph output name, in graph order; RESULT.json gets
{engine, threads, compile_s, latency_ms (median), runs, version, error}.
On failure RESULT.json still gets written, with "error" set, and the exit
status is 1.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

# numpy's BLAS pool would add idle threads to every process, which muddles
# checking an engine's thread count with ps -L. Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import onnx  # noqa: E402


def graph_io_names(model_path):
    """(input names, output names) of the graph, in graph order. Inputs that
    also have an initializer are constants, not things the caller feeds."""
    graph = onnx.load(model_path, load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    return ([i.name for i in graph.input if i.name not in inits],
            [o.name for o in graph.output])


def measure(run_once, min_runs, min_seconds, max_runs):
    """Warm up once, then time run_once() until both minimums are met (or
    max_runs). Returns (median ms, number of timed runs, last outputs)."""
    outputs = run_once()
    times = []
    start = time.perf_counter()
    while len(times) < max_runs and (
            len(times) < min_runs or time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter()
        outputs = run_once()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, len(times), outputs


# ------------------------------------------------------------------- strata

def run_strata(args, in_names, feeds, out_names):
    """strata-compile's library for --target, run through the Python
    binding, on --threads threads (the caller included). compile_s covers
    compiling and loading the library."""
    import strata
    with tempfile.TemporaryDirectory(prefix="strata-") as tmp:
        t0 = time.perf_counter()
        lib = strata.compile(args.model, tmp, name="model", target=args.target)
        model = strata.load(lib, threads=args.threads)
        if model.threads != args.threads:
            raise RuntimeError(f"strata runs on {model.threads} threads, "
                               f"wanted {args.threads}")
        compile_s = time.perf_counter() - t0
    latency_ms, runs, outputs = measure(lambda: model.run(feeds), args.min_runs,
                                        args.min_seconds, args.max_runs)
    return compile_s, latency_ms, runs, strata.__version__, outputs


# -------------------------------------------------------------- onnxruntime

def run_onnxruntime(args, in_names, feeds, out_names):
    """onnxruntime's CPU provider with every graph optimization, intra-op
    threads = --threads (inter-op 1, sequential execution)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    t0 = time.perf_counter()
    session = ort.InferenceSession(args.model, options,
                                   providers=["CPUExecutionProvider"])
    compile_s = time.perf_counter() - t0
    feed = dict(zip(in_names, feeds))
    latency_ms, runs, outputs = measure(lambda: session.run(out_names, feed),
                                        args.min_runs, args.min_seconds, args.max_runs)
    return compile_s, latency_ms, runs, ort.__version__, outputs


# --------------------------------------------------------------------- IREE

# Local CPU target, code generated for this machine's CPU. Data tiling and
# everything else stay at the compiler's defaults.
IREE_COMPILE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
]


def iree_entry_name(vm_module, graph_name):
    """The module's entry function. The ONNX importer names it after the
    graph; the compiler also exports '<name>$async' (fence-taking variant)
    and '__init' (module initializer), which are not entry points."""
    names = [n for n in vm_module.function_names
             if not n.startswith("__") and not n.endswith("$async")]
    if graph_name in names:
        return graph_name
    if len(names) == 1:
        return names[0]
    raise RuntimeError(f"cannot tell the entry function among {names}")


def run_iree(args, in_names, feeds, out_names):
    import importlib.metadata
    import iree.runtime as rt
    from iree.compiler.tools.binaries import find_tool
    from iree.compiler.tools.import_onnx.__main__ import main as import_main
    from iree.compiler.tools.import_onnx.__main__ import parse_arguments

    # Thread count. local-sync runs everything on the calling thread; local-
    # task has a worker pool, one worker per physical core up to
    # --task_topology_max_group_count (so N above the physical core count
    # gets the core count). These are process-wide runtime flags and must be
    # set before the driver (and its task executor) is created.
    if args.threads == 1:
        driver = "local-sync"
    else:
        driver = "local-task"
        rt.flags.parse_flags(f"--task_topology_max_group_count={args.threads}")

    with tempfile.TemporaryDirectory(prefix="iree-") as tmp:
        mlir, vmfb = os.path.join(tmp, "model.mlir"), os.path.join(tmp, "model.vmfb")
        t0 = time.perf_counter()
        # ONNX -> torch-dialect MLIR, in process (what iree-import-onnx does).
        import_main(parse_arguments([args.model, "-o", mlir]))
        proc = subprocess.run([find_tool("iree-compile"), mlir, "-o", vmfb]
                              + IREE_COMPILE_FLAGS + args.iree_flag,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("iree-compile failed:\n" + proc.stderr)
        config = rt.Config(device=rt.get_driver(driver).create_default_device())
        with open(vmfb, "rb") as f:
            vm_module = rt.VmModule.copy_buffer(config.vm_instance, f.read())
        context = rt.SystemContext(vm_modules=[vm_module], config=config)
        graph_name = onnx.load(args.model, load_external_data=False).graph.name
        entry = context.modules[vm_module.name][iree_entry_name(vm_module, graph_name)]
        compile_s = time.perf_counter() - t0

    def run_once():
        res = entry(*feeds)
        res = res if isinstance(res, (tuple, list)) else (res,)
        return [np.array(r.to_host()) for r in res]

    latency_ms, runs, outputs = measure(run_once, args.min_runs,
                                        args.min_seconds, args.max_runs)
    compiler = importlib.metadata.version("iree-base-compiler")
    runtime = importlib.metadata.version("iree-base-runtime")
    version = compiler if compiler == runtime else f"compiler {compiler}, runtime {runtime}"
    return compile_s, latency_ms, runs, version, outputs


# ---------------------------------------------------------------------- TVM

def host_cpu_name(tvm):
    """LLVM's name for the host CPU. TVM's bundled LLVM rejects -mcpu=native,
    so ask that same LLVM for the host's name (always one it accepts); if
    that fails, fall back to the 'Host CPU:' line of `llc-22 --version`."""
    try:
        return str(tvm.target.codegen.llvm_get_system_cpu())
    except Exception:  # noqa: BLE001 - any failure: try the other way
        out = subprocess.run(["llc-22", "--version"], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            if line.strip().startswith("Host CPU:"):
                return line.split(":", 1)[1].strip()
        raise RuntimeError("cannot determine the host CPU; pass --mcpu")


# TVM's default ("dlight") CPU schedule rules applied after legalization.
# Without them no loop is parallel and --threads changes nothing; with them
# ResNet-50 is ~2x faster on 2 threads but ~1.4x slower on 1 thread than with
# none (Reduction computes conv padding inside the parallel loop). Set to ()
# for TVM's plain CPU pipeline.
TVM_DLIGHT_CPU_RULES = ("GEMV", "Reduction")


def tvm_cpu_pipeline(tvm, target):
    """TVM's CPU pipeline (relax.backend.cpu_generic: legalize, fuse, lower)
    with the dlight CPU rules applied right after legalization, which is
    where TVM's GPU pipeline applies the GPU ones. No MetaSchedule tuning."""
    from tvm import relax
    from tvm.relax.backend.cpu_generic import pipeline as cpu
    from tvm.s_tir import dlight as dl

    rules = [getattr(dl.cpu, name)() for name in TVM_DLIGHT_CPU_RULES]
    passes = ([relax.transform.DecomposeOpsForInference()]  # BatchNorm etc.
              + cpu.library_dispatch_passes(target)
              + cpu.legalize_passes(target)
              + [dl.ApplyDefaultSchedule(*rules)]
              + cpu.dataflow_lower_passes(target)
              + cpu.finalize_passes(target))
    return tvm.transform.Sequential(passes)


def run_tvm(args, in_names, feeds, out_names):
    # TVM's thread pool reads TVM_NUM_THREADS when it starts: set it before
    # tvm is imported (the pool counts the calling thread as one of them).
    os.environ["TVM_NUM_THREADS"] = str(args.threads)
    import tvm
    from tvm import relax
    from tvm.relax.frontend.onnx import from_onnx

    mcpu = args.mcpu or host_cpu_name(tvm)
    # An unknown -mcpu only logs an error and silently compiles for 'generic'.
    codegen = tvm.target.codegen
    if not codegen.llvm_is_valid_cpu(mcpu, codegen.llvm_get_system_triple()):
        raise ValueError(f"TVM's LLVM does not know CPU '{mcpu}'")
    target = tvm.target.Target({"kind": "llvm", "mcpu": mcpu})
    t0 = time.perf_counter()
    # main()'s parameters follow the graph inputs' order.
    mod = from_onnx(onnx.load(args.model),
                    shape_dict={n: list(a.shape) for n, a in zip(in_names, feeds)})
    with target:
        mod = tvm_cpu_pipeline(tvm, target)(mod)
    executable = tvm.compile(mod, target, relax_pipeline=None)  # TIR lowering + codegen
    dev = tvm.cpu()
    vm = relax.VirtualMachine(executable, dev)
    main_fn = vm["main"]
    compile_s = time.perf_counter() - t0

    def run_once():
        res = main_fn(*[tvm.runtime.tensor(a, dev) for a in feeds])
        res = [res] if isinstance(res, tvm.runtime.Tensor) else list(res)
        return [r.numpy() for r in res]

    latency_ms, runs, outputs = measure(run_once, args.min_runs,
                                        args.min_seconds, args.max_runs)
    if tvm.runtime.num_threads() != args.threads:
        raise RuntimeError(f"TVM thread pool has {tvm.runtime.num_threads()} "
                           f"threads, wanted {args.threads}")
    return compile_s, latency_ms, runs, tvm.__version__, outputs


# Each engine: fn(args, input names, feeds (arrays, in graph input order),
# output names) -> (compile_s, latency_ms, runs, version string, outputs
# (arrays, in graph output order)); it raises on failure.
ENGINES = {
    "strata": run_strata,
    "onnxruntime": run_onnxruntime,
    "iree": run_iree,
    "tvm": run_tvm,
}


def short_error(exc, max_lines=6, max_chars=800):
    lines = [ln for ln in f"{type(exc).__name__}: {exc}".splitlines() if ln.strip()]
    return "\n".join(lines[:max_lines])[:max_chars]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--engine", required=True, choices=sorted(ENGINES))
    p.add_argument("--model", required=True)
    p.add_argument("--inputs", required=True, help="npz of inputs by graph input name")
    p.add_argument("--outputs", required=True, help="npz written: outputs by name")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--json", required=True, help="result file written")
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--max-runs", type=int, default=200)
    p.add_argument("--target", default="host",
                   help="strata: target preset (host, x86-64-v3, ...)")
    p.add_argument("--mcpu", help="TVM: LLVM CPU name (default: the host's)")
    p.add_argument("--iree-flag", action="append", default=[], metavar="FLAG",
                   help="IREE: extra iree-compile flag (repeatable), e.g. "
                   "--iree-flag=--iree-preprocessing-pass-pipeline=...")
    args = p.parse_args()

    result = {"engine": args.engine, "threads": args.threads, "compile_s": None,
              "latency_ms": None, "runs": 0, "version": None, "error": None}
    try:
        if args.threads < 1:
            raise ValueError("--threads must be at least 1")
        in_names, out_names = graph_io_names(args.model)
        with np.load(args.inputs) as npz:
            missing = [n for n in in_names if n not in npz.files]
            if missing:
                raise ValueError(f"{args.inputs} lacks graph inputs {missing}")
            feeds = [np.ascontiguousarray(npz[n]) for n in in_names]
        compile_s, latency_ms, runs, version, outputs = ENGINES[args.engine](
            args, in_names, feeds, out_names)
        if len(outputs) != len(out_names):
            raise RuntimeError(f"got {len(outputs)} outputs, graph has {len(out_names)}")
        np.savez(args.outputs, **dict(zip(out_names, outputs)))
        result.update(compile_s=round(compile_s, 3), latency_ms=round(latency_ms, 4),
                      runs=runs, version=version)
    except Exception as exc:  # noqa: BLE001 - reported in RESULT.json
        traceback.print_exc(file=sys.stderr)
        result["error"] = short_error(exc)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    return 1 if result["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
