"""Small versions of the model families users bring, built with the onnx
helper API (random weights, fixed seeds): ResNet, MobileNetV2, a transformer
encoder, a detection head and an LSTM text classifier. Full-size versions
belong to the benchmarks."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Builder:
    """Accumulates nodes and initializers; names are generated."""

    def __init__(self, seed):
        self.gen = np.random.default_rng(seed)
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, array, prefix="c"):
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(self, shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = np.sqrt(2.0 / fan_in) if scale is None else scale
        return self.const((self.gen.standard_normal(shape) * scale).astype(np.float32), "w")

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names,
                                           name=self.name(op_type + "_"), **attrs))
        return names[0] if outputs == 1 else names

    def model(self, graph_name, inputs, outputs):
        graph = helper.make_graph(self.nodes, graph_name, inputs, outputs, self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])

    # -- layers ---------------------------------------------------------------
    def conv(self, x, c_in, c_out, k=3, stride=1, group=1, bias=True):
        inputs = [x, self.weight((c_out, c_in // group, k, k))]
        if bias:
            inputs.append(self.const(self.gen.uniform(-0.1, 0.1, c_out).astype(np.float32)))
        pad = k // 2
        return self.op("Conv", inputs, pads=[pad] * 4, strides=[stride] * 2, group=group)

    def batch_norm(self, x, c):
        g = self.gen
        params = [g.uniform(0.8, 1.2, c), g.uniform(-0.1, 0.1, c),
                  g.uniform(-0.1, 0.1, c), g.uniform(0.5, 1.5, c)]
        return self.op("BatchNormalization",
                       [x] + [self.const(p.astype(np.float32)) for p in params],
                       epsilon=1e-5)

    def linear(self, x, n_in, n_out):
        w = self.weight((n_in, n_out), scale=1 / np.sqrt(n_in))
        b = self.const(self.gen.uniform(-0.1, 0.1, n_out).astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w]), b])


def tensor(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def resnet(batch="N"):
    """Stem conv-bn-relu-maxpool, a basic block, a downsampling block with a
    1x1 projection shortcut, global average pool and a classifier."""
    b = Builder(11)
    x = b.op("Relu", [b.batch_norm(b.conv("image", 3, 8), 8)])
    x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])

    def block(x, c_in, c_out, stride):
        y = b.op("Relu", [b.batch_norm(b.conv(x, c_in, c_out, stride=stride), c_out)])
        y = b.batch_norm(b.conv(y, c_out, c_out), c_out)
        shortcut = x if stride == 1 and c_in == c_out else b.batch_norm(
            b.conv(x, c_in, c_out, k=1, stride=stride, bias=False), c_out)
        return b.op("Relu", [b.op("Add", [y, shortcut])])

    x = block(x, 8, 8, 1)
    x = block(x, 8, 16, 2)
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    logits = b.op("Gemm", [x, b.weight((10, 16)), b.const(np.zeros(10, np.float32))], transB=1)
    b.nodes[-1].output[0] = "logits"
    return b.model("resnet", [tensor("image", [batch, 3, 16, 16])], [tensor("logits", [batch, 10])])


def mobilenet_v2():
    """Inverted residual blocks: 1x1 expand, depthwise 3x3, 1x1 project,
    ReLU6 as Clip(0, 6), residual add when shapes allow."""
    b = Builder(12)
    lo, hi = b.const(np.float32(0)), b.const(np.float32(6))

    def relu6(x):
        return b.op("Clip", [x, lo, hi])

    x = relu6(b.batch_norm(b.conv("image", 3, 8, stride=2), 8))

    def inverted(x, c_in, c_out, expand, stride):
        hidden = c_in * expand
        y = relu6(b.batch_norm(b.conv(x, c_in, hidden, k=1), hidden))
        y = relu6(b.batch_norm(b.conv(y, hidden, hidden, stride=stride, group=hidden), hidden))
        y = b.batch_norm(b.conv(y, hidden, c_out, k=1), c_out)
        return b.op("Add", [x, y]) if stride == 1 and c_in == c_out else y

    x = inverted(x, 8, 8, 4, 1)
    x = inverted(x, 8, 12, 4, 2)
    x = inverted(x, 12, 12, 6, 1)
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    b.op("Gemm", [x, b.weight((5, 12)), b.const(np.zeros(5, np.float32))], transB=1)
    b.nodes[-1].output[0] = "logits"
    return b.model("mobilenet_v2", [tensor("image", [1, 3, 20, 20])], [tensor("logits", [1, 5])])


def transformer_encoder(seq=8, dim=16, heads=2):
    """One encoder layer: multi-head self-attention with an attention mask,
    residual + LayerNormalization, a Gelu (via Erf) feed-forward, residual +
    LayerNormalization."""
    b = Builder(13)
    head = dim // heads

    def split_heads(x):  # [1, T, D] -> [1, H, T, Dh]
        y = b.op("Reshape", [x, b.const(np.array([1, seq, heads, head], np.int64))])
        return b.op("Transpose", [y], perm=[0, 2, 1, 3])

    q, k, v = (split_heads(b.linear("tokens", dim, dim)) for _ in range(3))
    scores = b.op("MatMul", [q, b.op("Transpose", [k], perm=[0, 1, 3, 2])])
    scores = b.op("Div", [scores, b.const(np.float32(np.sqrt(head)))])
    scores = b.op("Add", [scores, "mask"])
    attn = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), v])
    attn = b.op("Reshape", [b.op("Transpose", [attn], perm=[0, 2, 1, 3]),
                            b.const(np.array([1, seq, dim], np.int64))])

    def layer_norm(x):
        return b.op("LayerNormalization",
                    [x, b.const(b.gen.uniform(0.8, 1.2, dim).astype(np.float32)),
                     b.const(b.gen.uniform(-0.1, 0.1, dim).astype(np.float32))],
                    axis=-1, epsilon=1e-5)

    x = layer_norm(b.op("Add", ["tokens", b.linear(attn, dim, dim)]))
    h = b.linear(x, dim, 4 * dim)
    erf = b.op("Erf", [b.op("Div", [h, b.const(np.float32(np.sqrt(2.0)))])])
    gelu = b.op("Mul", [b.op("Mul", [h, b.const(np.float32(0.5))]),
                        b.op("Add", [erf, b.const(np.float32(1.0))])])
    out = layer_norm(b.op("Add", [x, b.linear(gelu, 4 * dim, dim)]))
    b.nodes[-1].output[0] = "encoded"
    return b.model("transformer", [tensor("tokens", [1, seq, dim]), tensor("mask", [1, 1, seq, seq])],
                   [tensor("encoded", [1, seq, dim])])


def attention_mask(seq=8):
    """Causal mask: 0 on and below the diagonal, -1e9 above."""
    return np.triu(np.full((seq, seq), -1e9, np.float32), 1).reshape(1, 1, seq, seq)


def detection_head():
    """Two feature maps: the coarse one upsampled (Resize nearest) and
    concatenated with the fine one, a conv, then Split into box and class
    channels, Sigmoid on classes, Slice of the box center channels."""
    b = Builder(14)
    coarse = b.op("Relu", [b.conv("features_coarse", 8, 8)])
    up = b.op("Resize", [coarse, "", b.const(np.array([1, 1, 2, 2], np.float32))], mode="nearest")
    x = b.op("Concat", [up, "features_fine"], axis=1)
    x = b.conv(b.op("Relu", [b.conv(x, 12, 12)]), 12, 9, k=1)
    boxes, classes = b.op("Split", [x, b.const(np.array([4, 5], np.int64))], outputs=2, axis=1)
    b.nodes[-1].output[:] = ["boxes", "class_logits"]
    b.op("Sigmoid", ["class_logits"])
    b.nodes[-1].output[0] = "scores"
    b.op("Slice", ["boxes", b.const(np.array([0], np.int64)), b.const(np.array([2], np.int64)),
                   b.const(np.array([1], np.int64))])
    b.nodes[-1].output[0] = "centers"
    return b.model("detection_head",
                   [tensor("features_coarse", [1, 8, 5, 6]), tensor("features_fine", [1, 4, 10, 12])],
                   [tensor("scores", [1, 5, 10, 12]), tensor("centers", [1, 2, 10, 12])])


def lstm_classifier(seq=7, vocab=20, embed=6, hidden=5, classes=3):
    """Embedding Gather, a forward LSTM over the (sequence-major) tokens, the
    final hidden state through Squeeze, Gemm and Softmax."""
    b = Builder(15)
    table = b.const((b.gen.standard_normal((vocab, embed)) * 0.5).astype(np.float32))
    x = b.op("Gather", [table, "token_ids"], axis=0)           # [T, 1, E]
    w = b.const((b.gen.standard_normal((1, 4 * hidden, embed)) * 0.4).astype(np.float32))
    r = b.const((b.gen.standard_normal((1, 4 * hidden, hidden)) * 0.4).astype(np.float32))
    bias = b.const((b.gen.standard_normal((1, 8 * hidden)) * 0.1).astype(np.float32))
    _, h_last = b.op("LSTM", [x, w, r, bias], outputs=2, hidden_size=hidden)
    h = b.op("Squeeze", [h_last, b.const(np.array([0], np.int64))])  # [1, H]
    logits = b.op("Gemm", [h, b.weight((classes, hidden)), b.const(np.zeros(classes, np.float32))],
                  transB=1)
    b.op("Softmax", [logits], axis=-1)
    b.nodes[-1].output[0] = "probabilities"
    return b.model("lstm_classifier", [tensor("token_ids", [seq, 1], TensorProto.INT64)],
                   [tensor("probabilities", [1, classes])])
