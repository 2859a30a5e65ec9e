#!/usr/bin/env python3
"""Load time of a compiled library with and without the checksum.

    python3 bench/load_time.py [--build-dir build] [--model resnet50 | --lib LIB.so]
        [--repeat 20]

Compiles the model (bench/models.py; ResNet-50 v1.5 by default, 102 MB of
weights) unless --lib names a library, then times strata.load in one
process, alternating verify=True and verify=False, the file in the page
cache (the first, cold load is not counted). Prints the medians and their
difference: the cost of verifying the size and CRC-32C that strata-compile
records (runtime/library_file.c).
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--lib")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build_dir), "python"))
    sys.path.insert(0, HERE)
    import onnx
    import strata
    import models
    work = tempfile.mkdtemp(prefix="strata-load-")
    atexit.register(shutil.rmtree, work, True)  # compiled models: GBs
    lib = args.lib
    if not lib:
        path = os.path.join(work, f"{args.model}.onnx")
        onnx.save(models.BUILDERS[args.model]()[0], path)
        started = time.monotonic()
        lib = strata.compile(path, os.path.join(work, "out"), name=args.model)
        print(f"compiled {args.model} in {time.monotonic() - started:.1f} s")
    size = os.path.getsize(lib)
    strata.load(lib)  # the cold load, not counted
    times = {True: [], False: []}
    for _ in range(args.repeat):
        for verify in (True, False):
            started = time.perf_counter()
            model = strata.load(lib, verify=verify)
            times[verify].append(1000 * (time.perf_counter() - started))
            del model
    median = {v: sorted(t)[len(t) // 2] for v, t in times.items()}
    print(f"{os.path.basename(lib)}: {size / 1e6:.1f} MB")
    print(f"  load with checksum    {median[True]:8.2f} ms (median of {args.repeat})")
    print(f"  load without          {median[False]:8.2f} ms")
    cost = median[True] - median[False]
    print(f"  checksum cost         {cost:8.2f} ms = "
          f"{size / 1e9 / max(cost / 1000, 1e-9):.1f} GB/s")


if __name__ == "__main__":
    main()
