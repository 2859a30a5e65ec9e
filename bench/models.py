"""Full-size benchmark networks built with the onnx helper API, with fixed
seeds (random weights: latency and load time do not depend on their
values). They use the Builder of the tests' small model families
(test/python/model_families.py), at full size.

    python3 bench/models.py resnet50 out/resnet50.onnx
"""

import os
import sys

import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "test", "python"))
from model_families import Builder, tensor  # noqa: E402


def resnet50(seed=0, batch=1):
    """ResNet-50 v1.5 (stride 2 in the 3x3 convolution of each first
    bottleneck), 224x224 ImageNet input, 1000 classes: 25.6 M parameters,
    4.1 GMAC. Convolutions without bias, each followed by BatchNorm, as
    exporters write it."""
    b = Builder(seed)

    def conv_bn(x, c_in, c_out, k, stride=1, relu=True):
        y = b.batch_norm(b.conv(x, c_in, c_out, k, stride, bias=False), c_out)
        return b.op("Relu", [y]) if relu else y

    x = conv_bn("image", 3, 64, 7, stride=2)
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    c_in = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(blocks):
            s = stride if i == 0 else 1
            y = conv_bn(x, c_in, width, 1)
            y = conv_bn(y, width, width, 3, stride=s)
            y = conv_bn(y, width, 4 * width, 1, relu=False)
            shortcut = x if i > 0 else conv_bn(x, c_in, 4 * width, 1, stride=s,
                                                relu=False)
            x = b.op("Relu", [b.op("Add", [y, shortcut])])
            c_in = 4 * width
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    logits = b.op("Gemm", [x, b.weight((1000, 2048), scale=2048 ** -0.5),
                           b.weight((1000,), scale=0.01)], transB=1)
    return b.model("resnet50", [tensor("image", [batch, 3, 224, 224])],
                   [tensor(logits, [batch, 1000])])


BUILDERS = {"resnet50": resnet50}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in BUILDERS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(BUILDERS)} OUT.onnx")
    onnx.save(BUILDERS[sys.argv[1]](), sys.argv[2])
