"""A compiled model runs on a thread with a small stack: its code keeps
every fixed-size stack buffer in the function's entry block (no alloca in a
loop body, strata-hoist-static-allocas) and puts tensors on the heap, so
its stack use does not grow with the model. The model here has over 64 MB
of intermediates (convolutions at 160x160 with 48 channels, a matrix
product), and runs on a Python thread whose stack is 256 KB: before the
fix, the vector transfer buffers of the convolution tile loops grew the
stack by kilobytes per iteration, and this died with SIGSEGV.

The run happens in a child process, so that a stack overflow fails this
test instead of killing pytest; the outputs are compared with onnxruntime
(fp32: rtol 1e-4, atol 1e-5 as in harness.py)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from onnx import helper

import model_builders as mb
from harness import assert_close, run_onnxruntime, save_model

pytestmark = pytest.mark.slow

STACK_BYTES = 256 * 1024
SIZE, CHANNELS, LAYERS = 160, 48, 6


def deep_cnn():
    """conv 3->C, then LAYERS x (conv C->C, relu), global pool, matmul."""
    gen = mb.rng(3)
    nodes, consts, x = [], [], "image"
    c_in = 3
    for i in range(LAYERS + 1):
        # ~1 / sqrt(fan-in): activations stay of order 1 through the layers.
        w = mb.weights(gen, (CHANNELS, c_in, 3, 3), scale=(c_in * 9) ** -0.5)
        consts += [mb.const(f"w{i}", w),
                   mb.const(f"b{i}", mb.weights(gen, (CHANNELS,), scale=0.1))]
        nodes += [helper.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"c{i}"],
                                   pads=[1, 1, 1, 1], name=f"conv{i}"),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"], name=f"relu{i}")]
        x, c_in = f"r{i}", CHANNELS
    consts.append(mb.const("fc", mb.weights(gen, (CHANNELS, 10))))
    nodes += [helper.make_node("GlobalAveragePool", [x], ["pooled"]),
              helper.make_node("Flatten", ["pooled"], ["flat"]),
              helper.make_node("MatMul", ["flat", "fc"], ["logits"])]
    return mb.make_model(nodes, [mb.value("image", [1, 3, SIZE, SIZE])],
                         ["logits", x], consts, name="deep")


def intermediate_bytes():
    per_layer = 2 * CHANNELS * SIZE * SIZE * 4  # conv output and relu output
    return (LAYERS + 1) * per_layer


CHILD = textwrap.dedent("""
    import sys, threading
    import numpy as np
    import strata
    lib, image_path, out_prefix, stack = sys.argv[1:5]
    model = strata.load(lib)
    image = np.load(image_path)
    threading.stack_size(int(stack))
    results = {}
    def work():
        results["outputs"] = model.run({"image": image})
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    for name, array in zip(model.output_names, results["outputs"]):
        np.save(out_prefix + name + ".npy", array)
    print("ran on a", stack, "byte stack")
""")


def test_model_runs_on_a_256k_stack(strata, build, tmp_path):
    assert intermediate_bytes() > 64 * 2 ** 20, intermediate_bytes()
    model = deep_cnn()
    lib = strata.compile(save_model(model, tmp_path, "deep"), tmp_path / "out")
    image = np.random.default_rng(0).standard_normal((1, 3, SIZE, SIZE)).astype(np.float32)
    np.save(tmp_path / "image.npy", image)
    env = {"PYTHONPATH": str(build / "python"), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(lib), str(tmp_path / "image.npy"),
         str(tmp_path / "out_"), str(STACK_BYTES)],
        capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, (
        f"the child exited {proc.returncode} (negative: killed by signal "
        f"{-proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    expected = run_onnxruntime(model, {"image": image})
    for name, want in expected.items():
        assert_close(np.load(tmp_path / f"out_{name}.npy"), want, f"output {name!r}")
