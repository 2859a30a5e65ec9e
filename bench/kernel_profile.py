#!/usr/bin/env python3
"""Where a network's time goes: the most expensive kernels of strata's code.

    python3 bench/kernel_profile.py [--build-dir build] [--models resnet50,...]
        [--threads 1] [--top 3] [--repeat 20] [--batch 1]

Each network of bench/models.py is compiled (strata-compile) and run with
`strata-run --profile` (one event per dispatch). Dispatches are grouped by
the ONNX nodes they compute (a convolution's fill and its product are one
kernel); each group gets its share of the run, and, where it holds
contractions, its GFLOP/s and the percentage of one core's fp32 FMA peak
(bench/fma_peak.c, measured here). Groups without contractions get the
bytes their nodes read and write per second instead. Prints a Markdown
table per network. --batch N compiles the networks that take a batch size
(ResNet-50) at a static batch of N and reports times per sample.
"""

import argparse
import atexit
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import onnx
from onnx import shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import flops  # noqa: E402
import run_bench  # noqa: E402


def node_bytes(model):
    """{node name: bytes of its inputs and outputs} from inferred shapes."""
    inferred = shape_inference.infer_shapes(model)
    sizes = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.input) + \
            list(inferred.graph.output):
        dims = [d.dim_value for d in value.type.tensor_type.shape.dim]
        if all(dims):
            n = 1
            for d in dims:
                n *= d
            sizes[value.name] = 4 * n
    for init in model.graph.initializer:
        n = 1
        for d in init.dims:
            n *= d
        sizes[init.name] = 4 * n
    return {node.name: sum(sizes.get(v, 0) for v in list(node.input) + list(node.output))
            for node in model.graph.node}


def node_kinds(model):
    """{node name: a kind} such as "Conv 3x3/1 7x7 512->512" (kernel/stride,
    output size, channels), "MatMul 128x768x3072" or the op type."""
    inferred = shape_inference.infer_shapes(model)
    dims = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in list(inferred.graph.value_info) + list(inferred.graph.input) +
            list(inferred.graph.output)}
    for init in model.graph.initializer:
        dims[init.name] = list(init.dims)
    kinds = {}
    for node in model.graph.node:
        out = dims.get(node.output[0], [])
        if node.op_type == "Conv" and len(out) == 4:
            w = dims.get(node.input[1], [0, 0, 0, 0])
            attrs = {a.name: list(a.ints) or a.i for a in node.attribute}
            stride = (attrs.get("strides") or [1])[0]
            group = attrs.get("group", 1) or 1
            kind = "depthwise " if group > 1 and group == out[1] else ""
            kinds[node.name] = (f"Conv {kind}{w[2]}x{w[3]}/{stride} {out[2]}x{out[3]} "
                                f"{w[1] * group}->{out[1]}")
        elif node.op_type in ("MatMul", "Gemm"):
            a = dims.get(node.input[0], [])
            m = 1
            for d in a[:-1]:
                m *= d
            kinds[node.name] = f"{node.op_type} {m}x{a[-1] if a else 0}x{out[-1] if out else 0}"
        else:
            kinds[node.name] = node.op_type
    return kinds


def profile(build, name, model, threads, repeat, work):
    folder = os.path.join(work, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    subprocess.run([os.path.join(build, "bin", "strata-compile"), path, "-o", folder,
                    "--name", "model", "--quiet"], check=True, capture_output=True)
    trace = os.path.join(folder, "trace.json")
    subprocess.run([os.path.join(build, "bin", "strata-run"),
                    os.path.join(folder, "libmodel.so"), "--threads", str(threads),
                    "--repeat", str(repeat), "--profile", trace],
                   check=True, capture_output=True)
    events = json.load(open(trace))
    events = events["traceEvents"] if isinstance(events, dict) else events
    runs = sum(1 for e in events if e.get("name") == "run" and e.get("ph") == "X")
    run_us = sum(e["dur"] for e in events if e.get("name") == "run" and e.get("ph") == "X")
    per_group = collections.Counter()
    for e in events:
        if e.get("cat") == "dispatch" and e.get("ph") == "X":
            per_group[re.sub(r" #\d+$", "", e["name"])] += e["dur"]
    return per_group, max(runs, 1), run_us


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    parser.add_argument("--models", default="resnet50,mobilenet_v2,bert_base,yolo_detector")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1,
                        help="static batch size (networks with a batch argument only)")
    args = parser.parse_args()
    import models
    work = tempfile.mkdtemp(prefix="strata-kernels-")
    atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
    peak = run_bench.fma_peak(work, "native")
    print(f"fp32 FMA peak of one core: {peak:.0f} GFLOP/s; {args.threads} thread(s)\n")
    for name in args.models.split(","):
        if args.batch != 1:
            try:
                model, _ = models.NETWORKS[name](batch=args.batch)
            except TypeError:
                raise SystemExit(f"{name} takes no batch size") from None
        else:
            model, _ = models.NETWORKS[name]()
        node_flops, node_io = flops.per_node(model), node_bytes(model)
        groups, runs, run_us = profile(args.build_dir, name, model, args.threads,
                                       args.repeat, work)
        # Per sample: times, work and bytes divided by the batch.
        runs *= args.batch
        node_flops = {k: v / args.batch for k, v in node_flops.items()}
        node_io = {k: v / args.batch for k, v in node_io.items()}
        unit = "sample" if args.batch > 1 else "run"
        print(f"### {name}: {run_us / runs / 1000:.2f} ms per {unit}\n")
        print(f"| kernel (ONNX nodes) | ms per {unit} | share | GFLOP/s (% of peak) or GB/s |")
        print("| --- | ---: | ---: | ---: |")
        for group, us in groups.most_common(args.top):
            seconds = us / runs / 1e6
            nodes = re.findall(r"(\S+) \([A-Za-z]+\)", group)
            work_flops = sum(node_flops.get(n, 0) for n in nodes)
            if work_flops:
                rate = work_flops / seconds / 1e9
                figure = f"{rate:.0f} ({100 * rate / (peak * args.threads):.0f} %)"
            else:
                figure = f"{sum(node_io.get(n, 0) for n in nodes) / seconds / 1e9:.1f} GB/s"
            print(f"| {group} | {seconds * 1000:.3f} | {100 * us / run_us:.1f} % | {figure} |")
        print()
        # The same by kind: what one kernel improvement would buy.
        kinds = node_kinds(model)
        by_kind = collections.defaultdict(lambda: [0.0, 0, 0])
        for group, us in groups.items():
            nodes = re.findall(r"(\S+) \([A-Za-z]+\)", group)
            key = kinds.get(nodes[0], group) if nodes else group
            by_kind[key][0] += us
            by_kind[key][1] += sum(node_flops.get(n, 0) for n in nodes)
            by_kind[key][2] += 1
        print(f"| kind (first node of each kernel) | kernels | ms per {unit} | share | "
              "GFLOP/s (% of peak) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for key, (us, work_flops, count) in sorted(by_kind.items(),
                                                   key=lambda kv: -kv[1][0])[:args.top + 3]:
            seconds = us / runs / 1e6
            rate = work_flops / seconds / 1e9 if work_flops else 0
            figure = f"{rate:.0f} ({100 * rate / (peak * args.threads):.0f} %)" if rate else "-"
            print(f"| {key} | {count} | {seconds * 1000:.3f} | {100 * us / run_us:.1f} % | "
                  f"{figure} |")
        print()


if __name__ == "__main__":
    main()
