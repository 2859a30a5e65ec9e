#!/usr/bin/env python3
"""Runs strata's libFuzzer targets (`make fuzz`).

    python3 test/fuzz/run_fuzz.py --build-dir build-fuzz [--seconds N]
        [--target onnx-import|runtime|npy ...] [--jobs J]

Seeds (written once into <build>/fuzz/seeds/<target>/):
  onnx-import  every ONNX backend node test's model (onnx's own loader, as
               the conformance suite reads them), plus strata's test models
  runtime      random bytes (the target builds descriptors from them)
  npy          .npy files of every dtype strata-run reads, and broken ones
The corpus grows in <build>/fuzz/corpus/<target>/; crashes, leaks and
timeouts land in <build>/fuzz/artifacts/<target>/ (libFuzzer's
crash-*/leak-*/timeout-*/oom-* files). Each target runs --seconds (default
60) in libFuzzer's fork mode (a crash is saved and fuzzing goes on) with
-rss_limit_mb=4096 and -timeout=30; --jobs runs targets side by side. Prints, per target, the executions, the corpus size and the
artifacts found, and writes <build>/fuzz/summary.json. Exits 1 if any
target found an artifact. A found input goes to test/fuzz/regressions/
<target>/ with its fix, where lit replays it on every build
(test/lit/tools/fuzz-regressions.test).
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS = ("onnx-import", "runtime", "npy")


def write_onnx_seeds(folder):
    sys.path.insert(0, os.path.join(REPO, "test", "conformance"))
    import cases
    count = 0
    for case in cases.load_cases("node"):
        with open(os.path.join(folder, f"{case.name}.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        count += 1
    return count


def write_npy_seeds(folder):
    import numpy as np
    gen = np.random.default_rng(0)
    arrays = {
        "f32": gen.standard_normal((2, 3)).astype(np.float32),
        "f16": gen.standard_normal((4,)).astype(np.float16),
        "i8": np.arange(-3, 3, dtype=np.int8), "u8": np.arange(5, dtype=np.uint8),
        "i32": np.arange(6, dtype=np.int32).reshape(2, 3),
        "i64": np.arange(4, dtype=np.int64), "bool": np.array([True, False]),
        "scalar": np.float32(1.5), "empty": np.zeros((0, 3), np.float32),
    }
    for name, array in arrays.items():
        np.save(os.path.join(folder, f"{name}.npy"), array)
    with open(os.path.join(folder, "f32.npy"), "rb") as f:
        good = f.read()
    for name, data in {"truncated": good[:40], "no_magic": b"NUMPY" + good[6:],
                       "v2": good[:6] + b"\x02\x00" + good[8:]}.items():
        with open(os.path.join(folder, f"{name}.npy"), "wb") as f:
            f.write(data)
    return len(arrays) + 3


def write_runtime_seeds(folder):
    for i in range(16):
        with open(os.path.join(folder, f"random{i}.bin"), "wb") as f:
            f.write(os.urandom(64 + 16 * i))
    return 16


def seeds(build, target):
    folder = os.path.join(build, "fuzz", "seeds", target)
    if os.path.isdir(folder) and os.listdir(folder):
        return folder
    os.makedirs(folder, exist_ok=True)
    writer = {"onnx-import": write_onnx_seeds, "runtime": write_runtime_seeds,
              "npy": write_npy_seeds}[target]
    print(f"fuzz: {target}: wrote {writer(folder)} seeds", flush=True)
    return folder


def run_target(build, target, seconds):
    binary = os.path.join(build, "bin", f"strata-fuzz-{target}")
    corpus = os.path.join(build, "fuzz", "corpus", target)
    artifacts = os.path.join(build, "fuzz", "artifacts", target)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    before = set(os.listdir(artifacts))
    log_path = os.path.join(build, "fuzz", f"{target}.log")
    # Fork mode: a crash is saved and fuzzing goes on, so one long run
    # reports every distinct problem it meets, not only the first.
    command = [binary, corpus, seeds(build, target),
               f"-max_total_time={seconds}", "-rss_limit_mb=4096", "-timeout=30",
               "-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1",
               "-ignore_ooms=1", "-print_final_stats=1",
               f"-artifact_prefix={artifacts}/"]
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:allocator_may_return_null=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    text = open(log_path, errors="replace").read()
    # Fork mode's progress lines: "#123456: cov: ... exec/s: ...".
    executions = re.findall(r"^#(\d+): cov:", text, re.M) or \
        re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    found = sorted(set(os.listdir(artifacts)) - before)
    return {"target": target, "seconds": round(time.monotonic() - started),
            "executions": int(executions[-1]) if executions else None,
            "corpus": len(os.listdir(corpus)), "exit": proc.returncode,
            "new_artifacts": found, "log": log_path}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build-fuzz"))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--target", action="append", choices=TARGETS)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    targets = args.target or list(TARGETS)
    for target in targets:
        if not os.access(os.path.join(build, "bin", f"strata-fuzz-{target}"), os.X_OK):
            print(f"fuzz: {build}/bin/strata-fuzz-{target} is missing: build with "
                  "-DSTRATA_FUZZ=ON (make fuzz)", file=sys.stderr)
            return 2
        seeds(build, target)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: run_target(build, t, args.seconds), targets))
    summary_path = os.path.join(build, "fuzz", "summary.json")
    history = []
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            history = json.load(f)
    history.append({"date": time.strftime("%Y-%m-%d %H:%M:%S"), "results": results})
    with open(summary_path, "w") as f:
        json.dump(history, f, indent=1)
    bad = False
    for r in results:
        print(f"fuzz: {r['target']}: {r['executions']} executions in {r['seconds']} s, "
              f"corpus {r['corpus']}, exit {r['exit']}, "
              f"{len(r['new_artifacts'])} new artifacts {r['new_artifacts']}")
        bad |= bool(r["new_artifacts"]) or r["exit"] not in (0,)
    all_artifacts = glob.glob(os.path.join(build, "fuzz", "artifacts", "*", "*"))
    if all_artifacts:
        print(f"fuzz: artifacts to triage: {len(all_artifacts)} in "
              f"{os.path.join(build, 'fuzz', 'artifacts')}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
