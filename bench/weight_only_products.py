#!/usr/bin/env python3
"""Single weight-only int4 products: strata against onnxruntime's
MatMulNBits, and both against the fp32 product of the same (dequantized)
weight, in one process.

    python3 bench/weight_only_products.py [--build-dir build] [--repeat 50]
        [--target host]

Each product is A [M, K] times a K x N weight quantized as onnxruntime's
weight-only quantizer does (4 bits, blocks of 32 along K, a scale and a
zero point per block, MatMulNBits' packing). The shapes: one row (a
decoding step) of a 4096-wide layer and of BERT-base's feed-forward, 16
rows, and 128 rows (a prompt). Median ms over --repeat runs, one thread.
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from batch_throughput import median_ms  # noqa: E402

SHAPES = [(1, 4096, 4096), (1, 768, 3072), (16, 4096, 4096), (128, 768, 3072)]


def models(m, k, n, block=32, seed=1):
    """(the MatMulNBits model, the fp32 MatMul of its dequantized weight)."""
    gen = np.random.default_rng(seed)
    blocks = k // block
    grouped = gen.standard_normal((n, k)).astype(np.float32).reshape(n, blocks, block)
    low = np.minimum(grouped.min(2), 0)
    high = np.maximum(grouped.max(2), 0)
    scales = ((high - low) / 15).astype(np.float32)
    zeros = np.clip(np.round(-low / scales), 0, 15).astype(np.uint8)
    codes = np.clip(np.round(grouped / scales[..., None]) + zeros[..., None], 0, 15)
    codes = codes.astype(np.uint8)
    packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    zero_rows = np.zeros((n, (blocks + 1) // 2), np.uint8)
    for b in range(blocks):
        zero_rows[:, b // 2] |= zeros[:, b] << (4 * (b % 2))
    weight = ((codes.astype(np.float32) - zeros[..., None]) * scales[..., None]).reshape(n, k)
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])
    node = helper.make_node("MatMulNBits", ["a", "b", "s", "z"], ["y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=block)
    int4 = helper.make_model(
        helper.make_graph([node], "int4", [a], [y],
                          [numpy_helper.from_array(packed, "b"),
                           numpy_helper.from_array(scales.reshape(-1), "s"),
                           numpy_helper.from_array(zero_rows.reshape(-1), "z")]),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    fp32 = helper.make_model(
        helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["y"])], "fp32", [a], [y],
                          [numpy_helper.from_array(weight.T.copy(), "w")]),
        opset_imports=[helper.make_opsetid("", 17)])
    return int4, fp32


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--target", default="host")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build_dir), "python"))
    import onnxruntime as ort
    import strata
    work = tempfile.mkdtemp(prefix="strata-weight-only-")
    atexit.register(shutil.rmtree, work, True)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    print(f"onnxruntime {ort.__version__}, strata target {args.target}, one thread; "
          f"median ms of {args.repeat} runs\n")
    print("| M x K x N | strata int4 | onnxruntime int4 | strata fp32 | onnxruntime fp32 | "
          "max difference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for m, k, n in SHAPES:
        a = np.random.default_rng(2).standard_normal((m, k)).astype(np.float32)
        row, outputs = {}, {}
        for kind, model in zip(("int4", "fp32"), models(m, k, n)):
            path = os.path.join(work, f"{kind}_{m}_{k}_{n}.onnx")
            onnx.save(model, path)
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            outputs["ort " + kind] = session.run(None, {"a": a})[0]
            row["ort " + kind] = median_ms(lambda: session.run(None, {"a": a}), args.repeat)
            name = f"{kind}_{m}_{k}_{n}"
            loaded = strata.load(strata.compile(path, os.path.join(work, name), name=name,
                                                target=args.target), threads=1)
            outputs["strata " + kind] = loaded.run({"a": a})[0]
            row["strata " + kind] = median_ms(lambda: loaded.run({"a": a}), args.repeat)
        diff = float(np.abs(outputs["strata int4"] - outputs["ort int4"]).max())
        print(f"| {m} x {k} x {n} | {row['strata int4']:.3f} | {row['ort int4']:.3f} | "
              f"{row['strata fp32']:.3f} | {row['ort fp32']:.3f} | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
