#!/usr/bin/env python3
"""Damages a compiled model library on purpose and loads every copy.

    python3 test/fuzz/mutate_library.py --build-dir build [--truncations 50]
        [--flips 200] [--seed 1] [--no-verify]

Compiles a small CNN (test/python/model_builders.small_cnn), runs it once
for reference outputs, then makes damaged copies: truncated at N points
spread over the file (the ELF header, the code, the weights, the tables at
the end), and with M single bits flipped at random offsets. Each copy is
loaded and run in a child process twice: by `strata-run` (outputs written
as .npy) and by `strata.load(...).run(...)` in Python. Every run must end
in exit status 0 with outputs identical to the reference (a flip that
changes nothing) or in exit status 1 with an error message. A signal
(SIGSEGV, SIGBUS, ...) or a run that succeeds with other outputs is a
failure of the runtime's checks, and so is a run that hangs (killed after
30 s; a flipped bit in the code can loop forever). Prints the counts by outcome and exits 1
on any failure. With --no-verify the checksum is skipped, which shows what
the structural checks alone catch (signals, hangs and wrong outputs are
then expected and only counted).

`make test` runs it with small counts (test/python/test_damaged_library.py);
`make fuzz` with the full ones.
"""

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

PYTHON_CHILD = r"""
import sys
import numpy as np
import strata
lib, image, out, verify = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
try:
    model = strata.load(lib, verify=verify)
    (y,) = model.run([np.load(image)])
except strata.StrataError as error:
    print(error, file=sys.stderr)
    sys.exit(1)
np.save(out, y)
"""


def compile_reference(build, work):
    """The intact library, its input and its reference output."""
    sys.path.insert(0, os.path.join(build, "python"))
    sys.path.insert(0, os.path.join(REPO, "test", "python"))
    import strata
    import model_builders as mb
    import onnx
    model = mb.small_cnn()
    path = os.path.join(work, "cnn.onnx")
    onnx.save(model, path)
    lib = strata.compile(path, os.path.join(work, "out"), name="cnn")
    name, _, shape = strata.load(lib).inputs[0]
    image = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    np.save(os.path.join(work, "image.npy"), image)
    (want,) = strata.load(lib).run([image])
    return lib, name, want


def mutations(size, truncations, flips, seed):
    """(label, function(bytes) -> bytes) for every damaged copy."""
    gen = random.Random(seed)
    points = sorted({int(size * i / truncations) for i in range(truncations)})
    for cut in points:
        yield f"truncate@{cut}", lambda data, cut=cut: data[:cut]
    for _ in range(flips):
        offset, bit = gen.randrange(size), gen.randrange(8)
        yield (f"flip@{offset}.{bit}",
               lambda data, o=offset, b=bit: data[:o] + bytes([data[o] ^ (1 << b)]) +
               data[o + 1:])


def classify(proc, output, want):
    """unchanged | error | signal N | hang | wrong-output | no-message."""
    if proc.returncode is None:
        return "hang"
    if proc.returncode < 0:
        return f"signal {-proc.returncode}"
    if proc.returncode == 0:
        if not os.path.exists(output):
            return "no-output"
        got = np.load(output)
        same = got.shape == want.shape and np.array_equal(got, want, equal_nan=True)
        return "unchanged" if same else "wrong-output"
    if proc.returncode == 1 and proc.stderr.strip():
        return "error"
    return f"exit {proc.returncode}" if proc.stderr.strip() else "no-message"


TIMEOUT_S = 30  # a run of the intact library takes milliseconds


class Hung:
    """What classify() sees of a run killed at TIMEOUT_S."""
    returncode = None
    stderr = ""


def run_with_timeout(command, **kwargs):
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=TIMEOUT_S, **kwargs)
    except subprocess.TimeoutExpired:
        return Hung()


def run_copy(build, copy, input_name, image, out_dir, want, verify):
    """Outcomes of strata-run and of Python on one damaged copy."""
    outcomes = {}
    run = [os.path.join(build, "bin", "strata-run"), copy, "--repeat", "1",
           "--warmup", "0", "--quiet", "--input", f"{input_name}={image}",
           "--output-dir", out_dir]
    if not verify:
        run.append("--no-verify")
    for f in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, f))
    proc = run_with_timeout(run)
    outputs = [os.path.join(out_dir, f) for f in os.listdir(out_dir)]
    outcomes["strata-run"] = classify(proc, outputs[0] if outputs else "", want)
    out = os.path.join(out_dir, "python.npy")
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"),
               PYTHONDONTWRITEBYTECODE="1")
    proc = run_with_timeout([sys.executable, "-c", PYTHON_CHILD, copy, image, out,
                             "1" if verify else "0"], env=env)
    outcomes["python"] = classify(proc, out, want)
    return outcomes, proc.stderr.strip().splitlines()[-1:] or [""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--truncations", type=int, default=50)
    parser.add_argument("--flips", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--json", help="write the outcome of every copy here")
    args = parser.parse_args(argv)
    build = os.path.abspath(args.build_dir)
    verify = not args.no_verify
    with tempfile.TemporaryDirectory(prefix="strata-mutate-") as work:
        lib, input_name, want = compile_reference(build, work)
        image = os.path.join(work, "image.npy")
        with open(lib, "rb") as f:
            intact = f.read()
        copy = os.path.join(work, "damaged.so")
        out_dir = os.path.join(work, "outputs")
        os.makedirs(out_dir)
        counts = collections.Counter()
        failures, records = [], []
        for label, mutate in mutations(len(intact), args.truncations, args.flips,
                                       args.seed):
            with open(copy, "wb") as f:
                f.write(mutate(intact))
            outcomes, message = run_copy(build, copy, input_name, image, out_dir,
                                         want, verify)
            records.append({"mutation": label, **outcomes, "message": message[0]})
            for tool, outcome in outcomes.items():
                counts[(tool, outcome)] += 1
                if outcome not in ("unchanged", "error"):
                    failures.append(f"{label}: {tool}: {outcome}")
    print(f"library of {len(intact)} bytes, {args.truncations} truncations and "
          f"{args.flips} bit flips, checksum {'on' if verify else 'off'}:")
    for (tool, outcome), n in sorted(counts.items()):
        print(f"  {tool:10s} {outcome:14s} {n}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1)
    if failures:
        print(f"{len(failures)} runs ended in a signal or with wrong outputs:")
        for line in failures[:30]:
            print("  " + line)
    return 1 if failures and verify else 0


if __name__ == "__main__":
    sys.exit(main())
