#!/usr/bin/env python3
"""Builds a small CNN image classifier as an ONNX model, with random weights
from a fixed seed (the same bytes on every run), using only the onnx helper
API.

    python3 examples/make_demo_model.py [OUTPUT.onnx]   (default:
                                         examples/demo/model.onnx)

image [1, 3, 32, 32] -> Conv 3x3 (16) -> BatchNorm -> Relu -> MaxPool 2
  -> Conv 3x3 (32, stride 2) -> Relu -> Conv 3x3 (32) + residual -> Relu
  -> GlobalAveragePool -> Flatten -> Gemm (10) -> Softmax -> probabilities [1, 10]
"""

import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 2024
OPSET = 13


def build_model(seed=SEED):
    gen = np.random.default_rng(seed)

    def weights(name, shape, fan_in):
        std = np.sqrt(2.0 / fan_in)  # He initialization, so values stay sane
        return numpy_helper.from_array(
            (gen.standard_normal(shape) * std).astype(np.float32), name)

    def vector(name, size, low=-0.1, high=0.1):
        return numpy_helper.from_array(
            gen.uniform(low, high, size).astype(np.float32), name)

    inits = [
        weights("conv1.w", (16, 3, 3, 3), 27), vector("conv1.b", 16),
        vector("bn1.scale", 16, 0.8, 1.2), vector("bn1.bias", 16),
        vector("bn1.mean", 16), vector("bn1.var", 16, 0.8, 1.2),
        weights("conv2.w", (32, 16, 3, 3), 144), vector("conv2.b", 32),
        weights("conv3.w", (32, 32, 3, 3), 288), vector("conv3.b", 32),
        weights("fc.w", (10, 32), 32), vector("fc.b", 10),
    ]
    node = helper.make_node
    nodes = [
        node("Conv", ["image", "conv1.w", "conv1.b"], ["c1"], name="conv1",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("BatchNormalization",
             ["c1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"], ["b1"],
             name="bn1"),
        node("Relu", ["b1"], ["r1"], name="relu1"),
        node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2],
             strides=[2, 2]),
        node("Conv", ["p1", "conv2.w", "conv2.b"], ["c2"], name="conv2",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        node("Relu", ["c2"], ["r2"], name="relu2"),
        node("Conv", ["r2", "conv3.w", "conv3.b"], ["c3"], name="conv3",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("Add", ["c3", "r2"], ["res"], name="residual"),
        node("Relu", ["res"], ["r3"], name="relu3"),
        node("GlobalAveragePool", ["r3"], ["gap"], name="gap"),
        node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
        node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "demo_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="strata-examples",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", nargs="?",
                        default=os.path.join(here, "demo", "model.onnx"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    model = build_model(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    onnx.save(model, args.output)
    params = sum(int(np.prod(i.dims)) for i in model.graph.initializer)
    print(f"wrote {args.output}: {len(model.graph.node)} nodes, "
          f"{params} parameters, input image [1, 3, 32, 32], "
          f"output probabilities [1, 10]")


if __name__ == "__main__":
    main()
