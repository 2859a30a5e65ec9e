"""Full-size benchmark networks built with the onnx helper API, with fixed
seeds (random weights: latency and load time do not depend on their
values).

    python3 bench/models.py resnet50 out/resnet50.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class _Builder:
    def __init__(self, seed):
        self.gen = np.random.default_rng(seed)
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, array):
        name = self.name("w")
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def weight(self, shape, scale):
        return self.const(self.gen.standard_normal(shape) * scale)

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv_bn(self, x, c_in, c_out, k, stride=1, relu=True):
        """Conv (bias folded away, as exporters write it after BN) + BN."""
        w = self.weight((c_out, c_in, k, k), (2.0 / (c_in * k * k)) ** 0.5)
        y = self.op("Conv", [x, w], kernel_shape=[k, k], strides=[stride, stride],
                    pads=[k // 2] * 4)
        scale = self.const(1 + self.gen.standard_normal(c_out) * 0.1)
        bias, mean = self.weight((c_out,), 0.1), self.weight((c_out,), 0.1)
        var = self.const(self.gen.uniform(0.5, 1.5, c_out))
        y = self.op("BatchNormalization", [y, scale, bias, mean, var], epsilon=1e-5)
        return self.op("Relu", [y]) if relu else y


def resnet50(seed=0, batch=1):
    """ResNet-50 v1.5 (stride 2 in the 3x3 convolution of each first
    bottleneck), 224x224 ImageNet input, 1000 classes: 25.6 M parameters,
    4.1 GMAC."""
    b = _Builder(seed)
    x = b.conv_bn("image", 3, 64, 7, stride=2)
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    c_in = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(blocks):
            s = stride if i == 0 else 1
            y = b.conv_bn(x, c_in, width, 1)
            y = b.conv_bn(y, width, width, 3, stride=s)
            y = b.conv_bn(y, width, 4 * width, 1, relu=False)
            shortcut = x if i > 0 else b.conv_bn(x, c_in, 4 * width, 1, stride=s,
                                                  relu=False)
            x = b.op("Relu", [b.op("Add", [y, shortcut])])
            c_in = 4 * width
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    fc = b.weight((1000, 2048), (1 / 2048) ** 0.5)
    fc_bias = b.weight((1000,), 0.01)
    logits = b.op("Gemm", [x, fc, fc_bias], transB=1)
    graph = helper.make_graph(
        b.nodes, "resnet50",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, 224, 224])],
        [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [batch, 1000])],
        b.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


BUILDERS = {"resnet50": resnet50}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in BUILDERS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(BUILDERS)} OUT.onnx")
    onnx.save(BUILDERS[sys.argv[1]](), sys.argv[2])
