#!/usr/bin/env python3
"""Quantized networks: strata against onnxruntime on the same quantized
model, and against both on the fp32 one.

    python3 bench/quantized.py [--build-dir build] [--threads 1]
        [--models resnet50,mobilenet_v2,bert_base,bert_base_int4,bert_base_int4_seq1]
        [--repeat 10]
        [--targets host,x86-64-v3] [--markdown docs/benchmarks.md]

The fp32 networks of bench/models.py are quantized the way users quantize
them, with onnxruntime.quantization:
  * ResNet-50 and MobileNetV2: quantize_static, QDQ format, uint8
    activations, per-channel int8 weights (onnxruntime's defaults besides
    per_channel), calibrated with min/max on 4 images of the benchmark's
    input range;
  * BERT-base: quantize_dynamic (int8 weights, activations quantized at run
    time: DynamicQuantizeLinear + MatMulInteger);
  * BERT-base int4 weight-only: MatMulNBitsQuantizer (every MatMul with a
    constant weight becomes MatMulNBits: 4-bit codes in blocks of 32 along
    K, a scale and a zero point per block), at 128 tokens and at 1 token
    (the weight-bound regime of one decoding step).
Each row is the median latency over --repeat runs at one batch, in one
process: onnxruntime (all graph optimizations, --threads intra-op
threads) on the fp32 and the int8 model, strata on both (its Python API),
for each strata target of --targets that this CPU runs (the default adds
x86-64-v3, the AVX2 code, on an AVX-512 host). The int8 outputs of strata
are checked against onnxruntime's int8 ones (the largest difference
relative to the output's range is printed). --markdown appends the table
to a file (make bench: docs/benchmarks.md).
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from batch_throughput import median_ms  # noqa: E402


def quantize_static(fp32_path, out_path, input_name, sample, samples=4):
    from onnxruntime import quantization as q

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            gen = np.random.default_rng(7)
            self.feeds = iter([{input_name: gen.uniform(-2, 2, sample.shape)
                                .astype(np.float32)} for _ in range(samples)])

        def get_next(self):
            return next(self.feeds, None)

    q.quantize_static(fp32_path, out_path, Reader(), quant_format=q.QuantFormat.QDQ,
                      per_channel=True, activation_type=q.QuantType.QUInt8,
                      weight_type=q.QuantType.QInt8)


def quantize_dynamic(fp32_path, out_path):
    from onnxruntime import quantization as q
    q.quantize_dynamic(fp32_path, out_path, weight_type=q.QuantType.QInt8)


def quantize_int4_weights(fp32_path, out_path):
    import logging
    from onnxruntime.quantization import matmul_nbits_quantizer as mq
    logging.getLogger("onnxruntime.quantization").setLevel(logging.WARNING)
    quantizer = mq.MatMulNBitsQuantizer(onnx.load(fp32_path), block_size=32,
                                        is_symmetric=False)
    quantizer.process()
    onnx.save(quantizer.model.model, out_path)


# name: (bench/models.py builder and arguments, quantizer, what the row is)
NETWORKS = {
    "resnet50": ("resnet50", {}, "static", "int8 QDQ"),
    "mobilenet_v2": ("mobilenet_v2", {}, "static", "int8 QDQ"),
    "bert_base": ("bert_base", {}, "dynamic", "int8 dynamic"),
    "bert_base_int4": ("bert_base", {}, "int4", "int4 weights"),
    "bert_base_int4_seq1": ("bert_base", {"seq": 1}, "int4", "int4 weights, 1 token"),
}


def networks(names, work):
    import models
    for name in names:
        builder, kwargs, method, kind = NETWORKS[name]
        model, inputs = getattr(models, builder)(**kwargs)
        fp32 = os.path.join(work, f"{name}.onnx")
        onnx.save(model, fp32)
        quantized = os.path.join(work, f"{name}.q.onnx")
        if method == "dynamic":
            quantize_dynamic(fp32, quantized)
        elif method == "int4":
            quantize_int4_weights(fp32, quantized)
        else:
            (input_name, sample), = inputs.items()
            quantize_static(fp32, quantized, input_name, sample)
        yield name, kind, fp32, quantized, inputs


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default=",".join(NETWORKS))
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--targets", help="strata targets (default: host, and "
                        "x86-64-v3 on an AVX-512 host)")
    parser.add_argument("--skip-fp32", action="store_true",
                        help="time only the int8 models")
    parser.add_argument("--markdown", help="append the table to this file")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build_dir), "python"))
    import onnxruntime as ort
    import strata

    features = strata.cpu_features()
    avx512 = "avx512f" in features
    targets = (args.targets.split(",") if args.targets
               else ["host"] + (["x86-64-v3"] if avx512 else []))
    targets = [t for t in targets if t in strata.runnable_targets()]
    isa = ("AVX-512" + (" + VNNI" if "avx512vnni" in features else "") if avx512
           else "AVX2 + FMA" + (" + AVX-VNNI" if "avxvnni" in features else "")
           if "avx2" in features else "SSE")
    work = tempfile.mkdtemp(prefix="strata-int8-")
    atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
    lines = [f"{cpu_name()} ({isa}), {args.threads} thread(s), onnxruntime "
             f"{ort.__version__}; median ms of {args.repeat} runs", "",
             "| network | quantized | strata target | ort fp32 | ort quantized | strata fp32 | "
             "strata quantized | strata / ort quantized | strata fp32 / quantized | diff |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for line in lines:
        print(line, flush=True)
    for name, kind_of, fp32, int8, inputs in networks(args.models.split(","), work):
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        times, outputs = {}, {}
        for kind, path in (("fp32", fp32), ("int8", int8)):
            if kind == "fp32" and args.skip_fp32:
                continue
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            outputs["ort " + kind] = session.run(None, inputs)[0]
            times["ort " + kind] = median_ms(lambda: session.run(None, inputs), args.repeat)
        cell = lambda t, k: f"{t[k]:.2f}" if k in t else "-"
        for target in targets:
            mine = dict(times)
            for kind, path in (("fp32", fp32), ("int8", int8)):
                if kind == "fp32" and args.skip_fp32:
                    continue
                lib = strata.compile(path, os.path.join(work, f"{name}-{kind}-{target}"),
                                     name="m", target=target)
                loaded = strata.load(lib, threads=args.threads)
                outputs["strata " + kind] = loaded.run(inputs)[0]
                mine["strata " + kind] = median_ms(lambda: loaded.run(inputs), args.repeat)
            ref = outputs["ort int8"]
            diff = float(np.abs(outputs["strata int8"] - ref).max()
                         / max(float(np.ptp(ref)), 1e-30))
            own = (f"{mine['strata fp32'] / mine['strata int8']:.2f}x"
                   if "strata fp32" in mine else "-")
            line = (f"| {name} | {kind_of} | {target} | {cell(mine, 'ort fp32')} | "
                    f"{cell(mine, 'ort int8')} | "
                    f"{cell(mine, 'strata fp32')} | {cell(mine, 'strata int8')} | "
                    f"{mine['strata int8'] / mine['ort int8']:.2f} | {own} | {diff:.1e} |")
            lines.append(line)
            print(line, flush=True)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n## Quantized networks (bench/quantized.py)\n\n"
                    "ResNet-50 and MobileNetV2 quantized by onnxruntime's quantize_static "
                    "(QDQ, uint8 activations, per-channel int8 weights), BERT-base by "
                    "quantize_dynamic and by MatMulNBitsQuantizer (int4 weights in blocks "
                    "of 32); \"diff\" is strata's largest difference from "
                    "onnxruntime's output on the quantized model, relative to its range."
                    "\n\n"
                    + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
