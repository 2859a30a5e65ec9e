#!/usr/bin/env python3
# Acceptance check, not a test: python3 examples/check_unseen_model.py <repo>
# compiles a model that no test builds, through strata.compile and through
# strata-compile + strata-run, and compares both with onnxruntime.
#
# The model: two-branch CNN with grouped/dilated convs, average
# pooling with ceil mode, transposes, concat on channels, Gemm with alpha/beta
# and transA, Clip(relu6), Sigmoid gating, Softmax over axis 1.
import os, sys, subprocess, tempfile, numpy as np, onnx, onnxruntime as ort
from onnx import helper as h, TensorProto as T, numpy_helper as nh
repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
sys.path.insert(0, os.path.join(repo, "build", "python"))
work = tempfile.mkdtemp(prefix="strata-unseen-")
import strata
g = np.random.default_rng(123)
def W(n, s, k=0.2): return nh.from_array((g.standard_normal(s) * k).astype(np.float32), n)
N = h.make_node
nodes = [
  N("Conv", ["x", "w1", "b1"], ["a1"], pads=[2, 2, 2, 2], dilations=[2, 2], name="dil"),
  N("Clip", ["a1", "lo", "hi"], ["a2"], name="relu6"),
  N("Conv", ["a2", "w2"], ["a3"], group=4, strides=[2, 2], pads=[1, 0, 1, 0], name="grp"),
  N("AveragePool", ["a2"], ["p1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 0], ceil_mode=1, name="ap"),
  N("Sigmoid", ["p1"], ["s1"], name="gate"),
  N("Mul", ["a3", "s1"], ["m1"], name="gated"),
  N("Concat", ["m1", "p1"], ["c1"], axis=1, name="cat"),
  N("MaxPool", ["c1"], ["mp"], kernel_shape=[2, 2], strides=[2, 2], name="mp"),
  N("Transpose", ["mp"], ["t1"], perm=[0, 2, 3, 1], name="nhwc"),
  N("Reshape", ["t1", "shape"], ["r1"], name="flat"),
  N("Gemm", ["wt", "r1", "c"], ["gm"], transA=1, transB=1, alpha=0.5, beta=2.0, name="fc"),
  N("Tanh", ["gm"], ["th"], name="tanh"),
  N("Softmax", ["th"], ["y"], axis=1, name="sm"),
]
shape = [2, 8, 13, 11]
# a1: [2,4,13,11]; a3: [2,4,7,6]; p1: ceil((13-3)/2)+1=6 -> 7? computed by ort
inits = [W("w1", [4, 8, 3, 3]), W("b1", [4]), nh.from_array(np.array(0, np.float32), "lo"),
         nh.from_array(np.array(6, np.float32), "hi"), W("w2", [4, 1, 3, 3])]
tmp = h.make_model(h.make_graph(nodes[:8], "probe", [h.make_tensor_value_info("x", T.FLOAT, shape)],
                   [h.make_tensor_value_info("mp", T.FLOAT, None)], inits), opset_imports=[h.make_opsetid("", 13)])
mp = ort.InferenceSession(tmp.SerializeToString()).run(None, {"x": np.zeros(shape, np.float32)})[0]
feat = int(np.prod(mp.shape[1:]))
inits += [nh.from_array(np.array([2, -1], np.int64), "shape"), W("wt", [feat, 5]), W("c", [5, 1])]
model = h.make_model(h.make_graph(nodes, "unseen", [h.make_tensor_value_info("x", T.FLOAT, shape)],
                     [h.make_tensor_value_info("y", T.FLOAT, None)], inits), opset_imports=[h.make_opsetid("", 13)])
onnx.save(model, os.path.join(work, "unseen.onnx"))
x = g.uniform(-1, 1, shape).astype(np.float32)
np.save(os.path.join(work, "x.npy"), x)
ref = ort.InferenceSession(os.path.join(work, "unseen.onnx")).run(None, {"x": x})[0]
# Python API
lib = strata.compile(os.path.join(work, "unseen.onnx"), os.path.join(work, "py"))
y_py = strata.load(lib).run({"x": x})[0]
# CLI
bin_dir = os.path.join(repo, "build", "bin")
subprocess.run([os.path.join(bin_dir, "strata-compile"), os.path.join(work, "unseen.onnx"),
                "-o", os.path.join(work, "cli")], check=True)
subprocess.run([os.path.join(bin_dir, "strata-run"), os.path.join(work, "cli", "libunseen.so"),
                "--input", "x=" + os.path.join(work, "x.npy"),
                "--output-dir", os.path.join(work, "res"), "--quiet"], check=True)
y_cli = np.load(os.path.join(work, "res", "y.npy"))
ok = True
for name, y in (("python", y_py), ("cli", y_cli)):
    rel = np.max(np.abs(y - ref) / (np.abs(ref) + 1e-6))
    close = y.shape == ref.shape and np.allclose(y, ref, rtol=1e-4, atol=1e-6)
    ok = ok and close
    print(f"{name}: shape {y.shape}, max relative error {rel:.2e}, "
          f"allclose(rtol=1e-4, atol=1e-6): {close}")
sys.exit(0 if ok else 1)
