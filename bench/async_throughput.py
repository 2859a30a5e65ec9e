#!/usr/bin/env python3
"""Throughput of runs in flight through the async API against runs made one
at a time.

    python3 bench/async_throughput.py [--build-dir build] [--threads 2]
        [--repeat 5000] [--in-flight 1 2 4] [--model deep_mlp | --lib LIB.so]

The default model is a 60-layer MLP over 128 features (MatMul, Add, Tanh),
whose ops are too small to split into workgroups: one run uses one thread
however many there are, so only runs in flight can use the rest. For each K
it runs `strata-run LIB --threads T --repeat N --in-flight K`, which times
N runs one at a time (strata_model_run), then submits N runs at once over K
sessions of one instance and checks every session's outputs against the
first run's (tools/strata-run/InFlight.cpp), and prints both.
"""

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def deep_mlp(layers=60, width=128, seed=3):
    """x [1, width] through `layers` x (MatMul, Add bias, Tanh)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    gen = np.random.default_rng(seed)
    nodes, inits, x = [], [], "x"
    for i in range(layers):
        w = (gen.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        b = (0.1 * gen.standard_normal(width)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"], name=f"matmul{i}"),
                  helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"], name=f"add{i}"),
                  helper.make_node("Tanh", [f"a{i}"], [f"t{i}"], name=f"tanh{i}")]
        x = f"t{i}"
    graph = helper.make_graph(
        nodes, "deep_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, width])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--lib")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    lib = args.lib
    if not lib:
        import onnx
        work = tempfile.mkdtemp(prefix="strata-async-")
        atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
        path = os.path.join(work, "deep_mlp.onnx")
        onnx.save(deep_mlp(), path)
        subprocess.run([os.path.join(build, "bin", "strata-compile"), path,
                        "-o", work], check=True, capture_output=True)
        lib = os.path.join(work, "libdeep_mlp.so")
    for k in args.in_flight:
        proc = subprocess.run(
            [os.path.join(build, "bin", "strata-run"), lib, "--threads",
             str(args.threads), "--repeat", str(args.repeat), "--quiet",
             "--in-flight", str(k)], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        print(proc.stdout.strip())


if __name__ == "__main__":
    main()
