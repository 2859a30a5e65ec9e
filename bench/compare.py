#!/usr/bin/env python3
"""Side-by-side latency of strata and onnxruntime on the same machine, in
one process: both get the same inputs, outputs are checked to agree, and
each is timed as the median of --repeat runs after --warmup runs.

    PYTHONPATH=build/python python3 bench/compare.py [--repeat 200]

onnxruntime runs with one intra-op thread, since strata's runtime is
single-threaded today; pass --ort-threads 0 for its default. Models are
built with the onnx helper API (examples/make_demo_model.py and the builders
below); results are printed as a table with the ratio ort/strata (> 1 means
strata is faster). Not a test: nothing here gates CI.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import make_demo_model  # noqa: E402
import strata  # noqa: E402


def mlp(batch=8, sizes=(256, 512, 512, 10), seed=0):
    gen = np.random.default_rng(seed)
    nodes, inits, prev = [], [], "x"
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        inits += [numpy_helper.from_array(
            (gen.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32), f"w{i}"),
            numpy_helper.from_array(gen.uniform(-0.1, 0.1, n_out).astype(np.float32), f"b{i}")]
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [f"g{i}"], transB=1))
        prev = f"g{i}"
        if i < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [prev], [f"r{i}"]))
            prev = f"r{i}"
    nodes.append(helper.make_node("Softmax", [prev], ["y"], axis=-1))
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, sizes[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, sizes[-1]])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def median_ms(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--ort-threads", type=int, default=1)
    args = parser.parse_args()
    models = {"demo_cnn_1x3x32x32": make_demo_model.build_model(),
              "mlp_8x256_512_512_10": mlp()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in models.items():
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            compiled = strata.load(strata.compile(path, os.path.join(tmp, name), name="m"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = args.ort_threads
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            gen = np.random.default_rng(1)
            feeds = {i.name: gen.uniform(-1, 1, [d for d in i.shape]).astype(np.float32)
                     for i in session.get_inputs()}
            ours = compiled.run(feeds)
            ref = session.run(None, feeds)
            err = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, ref))
            t_strata = median_ms(lambda: compiled.run(feeds), args.warmup, args.repeat)
            t_ort = median_ms(lambda: session.run(None, feeds), args.warmup, args.repeat)
            rows.append((name, t_strata, t_ort, t_ort / t_strata, err))
    print(f"{'model':28} {'strata ms':>10} {'ort ms':>10} {'ort/strata':>11} {'max |diff|':>11}")
    for name, ts, to, ratio, err in rows:
        print(f"{name:28} {ts:10.4f} {to:10.4f} {ratio:11.2f} {err:11.2e}")


if __name__ == "__main__":
    main()
