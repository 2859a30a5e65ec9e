"""Full-size benchmark networks and kernels, built with the onnx helper API
and fixed seeds (random weights: latency does not depend on their values).
They use the Builder of the tests' small model families
(test/python/model_families.py), at full size.

    python3 bench/models.py resnet50 out/resnet50.onnx

NETWORKS and KERNELS map names to builders; each returns (model, inputs)
where inputs maps graph input names to arrays in the range of real data.
"""

import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "test", "python"))
from model_families import Builder, tensor  # noqa: E402
from onnx import TensorProto  # noqa: E402


def _image(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)


def resnet50(seed=0, batch=1):
    """ResNet-50 v1.5 (stride 2 in the 3x3 convolution of each first
    bottleneck), 224x224 ImageNet input, 1000 classes: 25.6 M parameters,
    4.1 GMAC. Convolutions without bias, each followed by BatchNorm, as
    PyTorch exports them unfused."""
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
    model = b.model("resnet50", [tensor("image", [batch, 3, 224, 224])],
                    [tensor(logits, [batch, 1000])])
    return model, {"image": _image((batch, 3, 224, 224))}


def mobilenet_v2(seed=1):
    """MobileNetV2 1.0, 224x224, 1000 classes (3.5 M parameters, 300
    MMAC), BatchNorm folded into the convolutions' bias as exporters write
    it, ReLU6 as Clip."""
    b = Builder(seed)
    lo, hi = b.const(np.float32(0)), b.const(np.float32(6))

    def conv(x, c_in, c_out, k=1, stride=1, group=1, relu6=True):
        y = b.conv(x, c_in, c_out, k, stride, group=group)
        return b.op("Clip", [y, lo, hi]) if relu6 else y

    x = conv("image", 3, 32, 3, stride=2)
    c_in = 32
    for expand, c_out, repeat, stride in ((1, 16, 1, 1), (6, 24, 2, 2),
                                          (6, 32, 3, 2), (6, 64, 4, 2),
                                          (6, 96, 3, 1), (6, 160, 3, 2),
                                          (6, 320, 1, 1)):
        for i in range(repeat):
            s = stride if i == 0 else 1
            hidden = c_in * expand
            y = conv(x, c_in, hidden) if expand != 1 else x
            y = conv(y, hidden, hidden, 3, stride=s, group=hidden)
            y = conv(y, hidden, c_out, relu6=False)
            x = b.op("Add", [x, y]) if s == 1 and c_in == c_out else y
            c_in = c_out
    x = conv(x, 320, 1280)
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    logits = b.op("Gemm", [x, b.weight((1000, 1280), scale=1280 ** -0.5),
                           b.weight((1000,), scale=0.01)], transB=1)
    model = b.model("mobilenet_v2", [tensor("image", [1, 3, 224, 224])],
                    [tensor(logits, [1, 1000])])
    return model, {"image": _image((1, 3, 224, 224))}


def _attention_layer(b, x, seq, dim, heads, mask):
    """One self-attention block as exporters write it: Q, K, V projections,
    heads split by Reshape + Transpose, MatMul, scale, additive mask,
    Softmax, MatMul, heads merged, output projection. Returns its output."""
    head = dim // heads

    def split(y):
        y = b.op("Reshape", [y, b.const(np.array([1, seq, heads, head], np.int64))])
        return b.op("Transpose", [y], perm=[0, 2, 1, 3])

    q, k, v = (split(b.linear(x, dim, dim)) for _ in range(3))
    scores = b.op("MatMul", [q, b.op("Transpose", [k], perm=[0, 1, 3, 2])])
    scores = b.op("Add", [b.op("Div", [scores, b.const(np.float32(head ** 0.5))]), mask])
    y = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), v])
    y = b.op("Reshape", [b.op("Transpose", [y], perm=[0, 2, 1, 3]),
                         b.const(np.array([1, seq, dim], np.int64))])
    return b.linear(y, dim, dim)


def _additive_mask(b, mask_input):
    """[1, T] int64 attention mask (1 = token) -> [1, 1, 1, T] float: 0
    for tokens, -10000 for padding, as BERT's exporters compute it."""
    m = b.op("Cast", [b.op("Unsqueeze", [mask_input, b.const(np.array([1, 2], np.int64))])],
             to=TensorProto.FLOAT)
    return b.op("Mul", [b.op("Sub", [b.const(np.float32(1)), m]),
                        b.const(np.float32(-10000))])


def _bert_inputs(seq, dim, valid):
    gen = np.random.default_rng(3)
    mask = np.zeros((1, seq), np.int64)
    mask[:, :valid] = 1
    return {"embeddings": (gen.standard_normal((1, seq, dim)) * 0.5).astype(np.float32),
            "attention_mask": mask}


def bert_base(seed=2, seq=128, dim=768, heads=12, layers=12):
    """BERT-base encoder: 12 layers of self-attention (12 heads) and a GELU
    (Erf form) feed-forward of 3072, post-LayerNorm, over embeddings [1,
    128, 768] with an attention mask (100 real tokens, 28 padding): 85 M
    parameters, 11.2 GMAC."""
    b = Builder(seed)

    def layer_norm(x):
        return b.op("LayerNormalization",
                    [x, b.const(b.gen.uniform(0.8, 1.2, dim).astype(np.float32)),
                     b.const(b.gen.uniform(-0.1, 0.1, dim).astype(np.float32))],
                    axis=-1, epsilon=1e-12)

    mask = _additive_mask(b, "attention_mask")
    x = "embeddings"
    for _ in range(layers):
        x = layer_norm(b.op("Add", [x, _attention_layer(b, x, seq, dim, heads, mask)]))
        h = b.linear(x, dim, 4 * dim)
        erf = b.op("Erf", [b.op("Div", [h, b.const(np.float32(2 ** 0.5))])])
        gelu = b.op("Mul", [b.op("Mul", [h, b.const(np.float32(0.5))]),
                            b.op("Add", [erf, b.const(np.float32(1))])])
        x = layer_norm(b.op("Add", [x, b.linear(gelu, 4 * dim, dim)]))
    model = b.model("bert_base", [tensor("embeddings", [1, seq, dim]),
                                  tensor("attention_mask", [1, seq], TensorProto.INT64)],
                    [tensor(x, [1, seq, dim])])
    return model, _bert_inputs(seq, dim, 100)


def yolo_detector(seed=4, size=320, classes=80):
    """A YOLOv8n-style detector at 320x320: Conv-BN(folded)-SiLU, C2f
    blocks, SPPF, an FPN/PAN neck with nearest Resize, and decoupled box
    (64 DFL channels) and class heads at strides 8, 16, 32, concatenated
    to [1, 144, 2100]: 3.4 M parameters, 1.3 GMAC."""
    b = Builder(seed)

    def conv(x, c_in, c_out, k=1, s=1):
        y = b.conv(x, c_in, c_out, k, s)
        return b.op("Mul", [y, b.op("Sigmoid", [y])])  # SiLU, as exported

    def c2f(x, c_in, c_out, n, shortcut):
        half = c_out // 2
        y = conv(x, c_in, c_out)
        parts = list(b.op("Split", [y, b.const(np.array([half, half], np.int64))],
                          outputs=2, axis=1))
        for _ in range(n):
            z = conv(conv(parts[-1], half, half, 3), half, half, 3)
            parts.append(b.op("Add", [parts[-1], z]) if shortcut else z)
        return conv(b.op("Concat", parts, axis=1), half * (2 + n), c_out)

    def sppf(x, c):
        y = conv(x, c, c // 2)
        pools = [y]
        for _ in range(3):
            pools.append(b.op("MaxPool", [pools[-1]], kernel_shape=[5, 5], pads=[2] * 4))
        return conv(b.op("Concat", pools, axis=1), 2 * c, c)

    def upsample(x):
        return b.op("Resize", [x, "", b.const(np.array([1, 1, 2, 2], np.float32))],
                    mode="nearest")

    x = conv(conv("image", 3, 16, 3, 2), 16, 32, 3, 2)
    x = c2f(x, 32, 32, 1, True)
    p3 = c2f(conv(x, 32, 64, 3, 2), 64, 64, 2, True)
    p4 = c2f(conv(p3, 64, 128, 3, 2), 128, 128, 2, True)
    p5 = sppf(c2f(conv(p4, 128, 256, 3, 2), 256, 256, 1, True), 256)
    n4 = c2f(b.op("Concat", [upsample(p5), p4], axis=1), 384, 128, 1, False)
    n3 = c2f(b.op("Concat", [upsample(n4), p3], axis=1), 192, 64, 1, False)
    m4 = c2f(b.op("Concat", [conv(n3, 64, 64, 3, 2), n4], axis=1), 192, 128, 1, False)
    m5 = c2f(b.op("Concat", [conv(m4, 128, 128, 3, 2), p5], axis=1), 384, 256, 1, False)
    heads = []
    for feature, c in ((n3, 64), (m4, 128), (m5, 256)):
        box = b.conv(conv(conv(feature, c, 64, 3), 64, 64, 3), 64, 64)
        cls = b.conv(conv(conv(feature, c, 80, 3), 80, 80, 3), 80, classes)
        y = b.op("Concat", [box, cls], axis=1)
        heads.append(b.op("Reshape", [y, b.const(np.array([1, 64 + classes, -1], np.int64))]))
    out = b.op("Concat", heads, axis=2)
    cells = sum((size // s) ** 2 for s in (8, 16, 32))
    model = b.model("yolo_detector", [tensor("image", [1, 3, size, size])],
                    [tensor(out, [1, 64 + classes, cells])])
    gen = np.random.default_rng(5)
    return model, {"image": gen.uniform(0, 1, (1, 3, size, size)).astype(np.float32)}


# -- kernels: one op (or block) each, at a size networks use --------------

def gemm_1024():
    b = Builder(10)
    y = b.op("MatMul", ["a", b.weight((1024, 1024), scale=1 / 32)])
    gen = np.random.default_rng(6)
    return (b.model("gemm_1024", [tensor("a", [1024, 1024])], [tensor(y, [1024, 1024])]),
            {"a": gen.standard_normal((1024, 1024)).astype(np.float32)})


def _conv_kernel(name, c_in, c_out, size, k, group=1):
    b = Builder(11)
    y = b.conv("x", c_in, c_out, k, 1, group=group)
    gen = np.random.default_rng(7)
    return (b.model(name, [tensor("x", [1, c_in, size, size])],
                    [tensor(y, [1, c_out, size, size])]),
            {"x": gen.standard_normal((1, c_in, size, size)).astype(np.float32)})


def attention_block(seq=128, dim=768, heads=12):
    """BERT-base's self-attention block, projections included."""
    b = Builder(12)
    y = _attention_layer(b, "embeddings", seq, dim, heads,
                         _additive_mask(b, "attention_mask"))
    return (b.model("attention", [tensor("embeddings", [1, seq, dim]),
                                  tensor("attention_mask", [1, seq], TensorProto.INT64)],
                    [tensor(y, [1, seq, dim])]),
            _bert_inputs(seq, dim, 100))


NETWORKS = {"resnet50": resnet50, "mobilenet_v2": mobilenet_v2,
            "bert_base": bert_base, "yolo_detector": yolo_detector}
KERNELS = {
    "gemm_1024": gemm_1024,
    "conv3x3_64_56": lambda: _conv_kernel("conv3x3_64_56", 64, 64, 56, 3),
    "conv1x1_256_64_56": lambda: _conv_kernel("conv1x1_256_64_56", 256, 64, 56, 1),
    "dwconv3x3_32_112": lambda: _conv_kernel("dwconv3x3_32_112", 32, 32, 112, 3, 32),
    "attention_128": attention_block,
}
BUILDERS = {**NETWORKS, **KERNELS}


def quick_catalog():
    """The tests' small families and a small GEMM: run_bench.py --quick,
    which keeps the harness working in `make test`."""
    import model_families as small
    rng = np.random.default_rng(8)

    def tiny_mobilenet():
        model = small.mobilenet_v2()
        return model, {"image": rng.standard_normal((1, 3, 20, 20)).astype(np.float32)}

    def tiny_encoder():
        model = small.transformer_encoder()
        return model, {"tokens": rng.standard_normal((1, 8, 16)).astype(np.float32),
                       "mask": small.attention_mask()}

    def gemm_128():
        b = Builder(9)
        y = b.op("MatMul", ["a", b.weight((128, 128), scale=1 / 11)])
        return (b.model("gemm_128", [tensor("a", [128, 128])], [tensor(y, [128, 128])]),
                {"a": rng.standard_normal((128, 128)).astype(np.float32)})

    return {"tiny_mobilenet": ("network", tiny_mobilenet),
            "tiny_encoder": ("network", tiny_encoder),
            "gemm_128": ("kernel", gemm_128)}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in BUILDERS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(BUILDERS)} OUT.onnx")
    onnx.save(BUILDERS[sys.argv[1]]()[0], sys.argv[2])
