#!/usr/bin/env python3
"""Images (samples) per second at batch 8 against batch 1, from one library
compiled with a symbolic batch, beside onnxruntime on the same model.

    python3 bench/batch_throughput.py [--build-dir build] [--threads 1]
        [--models resnet50,mlp] [--repeat 7]

For each model the batch dimension is made symbolic ("N") and the model is
compiled three ways: --batch-chunk=auto (what strata picks), 0 (one sample
at a time) and 8 (a program for chunks of 8 samples). Each library runs
batches of 1 and 8 (strata's Python API); onnxruntime (all graph
optimizations, the same intra-op threads) runs the same inputs. Prints the
median time per sample and the batch-8 gain (samples per second at batch 8
over batch 1) of each, and checks the batch-8 outputs against
onnxruntime's.
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True


def mlp():
    """x [N, 1024] -> 4096 -> 4096 -> 1000 (Gemm, Relu), softmax: 100 MB of
    weights for 25 M multiply-adds per sample."""
    import compare
    return compare.mlp(batch=1, sizes=(1024, 4096, 4096, 1000)), "x", (1024,)


def resnet50():
    import models
    model, _ = models.resnet50(batch=1)
    return model, "image", (3, 224, 224)


MODELS = {"resnet50": resnet50, "mlp": mlp}


def symbolic_batch(model):
    for value in list(model.graph.input) + list(model.graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        dim.ClearField("dim_value")
        dim.dim_param = "N"
    return model


def median_ms(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default="resnet50,mlp")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build_dir), "python"))
    import onnxruntime as ort
    import strata

    work = tempfile.mkdtemp(prefix="strata-batch-")
    atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
    print(f"{args.threads} thread(s); ms per sample (median of {args.repeat} runs)\n")
    print("| model | runtime | batch 1 | batch 8 | batch-8 gain |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in args.models.split(","):
        model, input_name, shape = MODELS[name]()
        path = os.path.join(work, f"{name}.onnx")
        onnx.save(symbolic_batch(model), path)
        gen = np.random.default_rng(0)
        feeds = {b: {input_name: gen.uniform(-1, 1, (b, *shape)).astype(np.float32)}
                 for b in (1, 8)}
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        reference = session.run(None, feeds[8])[0]
        rows = [("onnxruntime", lambda b: session.run(None, feeds[b]))]
        for chunk in (None, 0, 8):
            label = {None: "auto", 0: "0", 8: "8"}[chunk]
            lib = strata.compile(path, os.path.join(work, f"{name}-{label}"), name="m",
                                 batch_chunk=chunk)
            loaded = strata.load(lib, threads=args.threads)
            got = loaded.run(feeds[8])[0]
            error = float(np.abs(got - reference).max() / max(np.abs(reference).max(), 1e-30))
            if error > 1e-4:
                raise SystemExit(f"{name}, --batch-chunk={label}: relative error {error:.1e}")
            rows.append((f"strata --batch-chunk={label}",
                         lambda b, loaded=loaded: loaded.run(feeds[b])))
        for label, run in rows:
            one = median_ms(lambda: run(1), args.repeat * 4)
            eight = median_ms(lambda: run(8), args.repeat) / 8
            print(f"| {name} | {label} | {one:.3f} | {eight:.3f} | {one / eight:.2f}x |",
                  flush=True)


if __name__ == "__main__":
    main()
