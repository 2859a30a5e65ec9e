"""ONNX models for strata's end-to-end tests, built with the onnx helper API
only. Weights are random with fixed seeds, so every run builds the same
bytes. Each builder returns a checked onnx.ModelProto whose graph outputs
carry static shapes (filled by ONNX shape inference)."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

#: Default opset: 13 (Clip with min/max inputs, Softmax over one axis,
#: Reshape without allowzero). Well inside libonnx 1.12's range (<= 17).
OPSET = 13
#: IR version 8 is what ONNX 1.10-1.12 write; older readers accept it.
IR_VERSION = 8

FLOAT = TensorProto.FLOAT


def rng(seed):
    return np.random.default_rng(seed)


def weights(gen, shape, scale=0.3):
    return (gen.standard_normal(shape) * scale).astype(np.float32)


def value(name, shape, elem_type=FLOAT):
    return helper.make_tensor_value_info(name, elem_type, shape)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def make_model(nodes, inputs, outputs, initializers=(), opset=OPSET,
               name="test_graph", check=True):
    """Builds a model. `inputs` are value infos; `outputs` are names (their
    types and shapes come from ONNX shape inference) or value infos.
    With check=False (deliberately invalid models) nothing is inferred or
    checked: give outputs as value infos with shapes."""
    outs = [value(o, None) if isinstance(o, str) else o for o in outputs]
    graph = helper.make_graph(list(nodes), name, list(inputs), outs,
                              initializer=list(initializers))
    model = helper.make_model(graph, producer_name="strata-tests",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = IR_VERSION
    if not check:
        return model
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    for out in model.graph.output:
        dims = out.type.tensor_type.shape.dim
        assert dims is not None and all(d.HasField("dim_value") for d in dims), (
            f"test model bug: output {out.name} has no static shape")
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------------------
# Whole models
# ---------------------------------------------------------------------------

def mlp(seed=0, batch=4, features=16, hidden=32, classes=10):
    """Gemm(transB=1) -> Relu -> Gemm -> Softmax."""
    g = rng(seed)
    inits = [
        const("w1", weights(g, (hidden, features))),  # [out, in]: transB=1
        const("b1", weights(g, (hidden,), 0.1)),
        const("w2", weights(g, (hidden, classes))),   # [in, out]: transB=0
        const("b2", weights(g, (classes,), 0.1)),
    ]
    nodes = [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["h"], name="fc1",
                         transB=1),
        helper.make_node("Relu", ["h"], ["h_relu"], name="relu1"),
        helper.make_node("Gemm", ["h_relu", "w2", "b2"], ["logits"], name="fc2"),
        helper.make_node("Softmax", ["logits"], ["probabilities"],
                         name="softmax", axis=-1),
    ]
    return make_model(nodes, [value("features", [batch, features])],
                      ["probabilities"], inits, name="mlp")


def small_cnn(seed=1, channels=8, size=16, classes=10):
    """Conv(pads, bias) -> BatchNormalization -> Relu -> MaxPool -> Conv ->
    residual Add -> Relu -> GlobalAveragePool -> Flatten -> Gemm."""
    g = rng(seed)
    c = channels
    inits = [
        const("conv1_w", weights(g, (c, 3, 3, 3))),
        const("conv1_b", weights(g, (c,), 0.1)),
        const("bn_scale", g.uniform(0.5, 1.5, c).astype(np.float32)),
        const("bn_bias", weights(g, (c,), 0.1)),
        const("bn_mean", weights(g, (c,), 0.1)),
        const("bn_var", g.uniform(0.5, 1.5, c).astype(np.float32)),
        const("conv2_w", weights(g, (c, c, 3, 3), 0.15)),
        const("conv2_b", weights(g, (c,), 0.1)),
        const("fc_w", weights(g, (classes, c))),
        const("fc_b", weights(g, (classes,), 0.1)),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "conv1_w", "conv1_b"], ["c1"],
                         name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
                         ["bn"], name="bn1", epsilon=1e-5),
        helper.make_node("Relu", ["bn"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2_w", "conv2_b"], ["c2"],
                         name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["res"], name="residual"),
        helper.make_node("Relu", ["res"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"],
                         name="fc", transB=1),
    ]
    return make_model(nodes, [value("image", [1, 3, size, size])], ["logits"],
                      inits, name="small_cnn")


# ---------------------------------------------------------------------------
# Single-op models with awkward sizes (not multiples of any vector width)
# ---------------------------------------------------------------------------

def single_op(op_type, input_shapes, attrs=None, consts=None, opset=OPSET,
              seed=0, const_inputs_first=False, positive_consts=False):
    """One node of `op_type` named "op". `input_shapes` maps graph input
    names to shapes; `consts` maps initializer names to arrays or to shapes
    (random weights). Node inputs: graph inputs then constants, unless
    const_inputs_first. An empty-string const name (value None) is an
    omitted optional input."""
    g = rng(seed)
    inits, const_names = [], []
    for cname, spec in (consts or {}).items():
        if spec is None:
            const_names.append("")
            continue
        if isinstance(spec, tuple):
            array = weights(g, spec)
            if positive_consts:
                array = np.abs(array) + 0.5
        else:
            array = np.asarray(spec)
        inits.append(const(cname, array))
        const_names.append(cname)
    graph_inputs = [value(n, list(s)) for n, s in input_shapes.items()]
    names = list(input_shapes)
    node_inputs = const_names + names if const_inputs_first else names + const_names
    while node_inputs and node_inputs[-1] == "":
        node_inputs.pop()
    node = helper.make_node(op_type, node_inputs, ["y"], name="op",
                            **(attrs or {}))
    return make_model([node], graph_inputs, ["y"], inits, opset=opset,
                      name=f"{op_type.lower()}_test")


def conv(x_shape, w_shape, bias=True, **attrs):
    consts = {"w": tuple(w_shape)}
    if bias:
        consts["b"] = (w_shape[0],)
    return single_op("Conv", {"x": x_shape}, attrs, consts)


def _f32(values):
    return np.asarray(values, dtype=np.float32)


# name -> builder; each a case of test_ops.py.
OP_CASES = {
    # MatMul / Gemm
    "matmul_1x7": lambda: single_op("MatMul", {"a": [1, 7]}, consts={"b": (7, 5)}),
    "matmul_13x29": lambda: single_op("MatMul", {"a": [13, 29]},
                                      consts={"b": (29, 17)}),
    "matmul_two_inputs": lambda: single_op("MatMul", {"a": [13, 29], "b": [29, 3]}),
    "matmul_3d_x_2d": lambda: single_op("MatMul", {"a": [2, 5, 7]},
                                        consts={"b": (7, 3)}),
    "gemm_alpha_beta": lambda: single_op(
        "Gemm", {"a": [5, 11]}, {"transB": 1, "alpha": 0.5, "beta": 2.0},
        consts={"b": (7, 11), "c": (1, 7)}),
    # Conv on 5x11 images with 3 channels, and its variants
    "conv_5x11": lambda: conv([2, 3, 5, 11], [4, 3, 3, 3]),
    "conv_asymmetric_pads": lambda: conv([1, 3, 5, 11], [4, 3, 3, 3],
                                         pads=[1, 2, 0, 1]),
    "conv_stride2": lambda: conv([1, 3, 11, 13], [5, 3, 3, 3], strides=[2, 2],
                                 pads=[1, 1, 1, 1]),
    "conv_dilation2": lambda: conv([1, 3, 11, 13], [4, 3, 3, 3],
                                   dilations=[2, 2], pads=[2, 2, 2, 2]),
    "conv_group2": lambda: conv([1, 4, 7, 9], [6, 2, 3, 3], group=2,
                                pads=[1, 1, 1, 1]),
    "conv_depthwise": lambda: conv([1, 3, 5, 11], [3, 1, 3, 3], group=3,
                                   pads=[1, 1, 1, 1]),
    "conv_1x1_no_bias": lambda: conv([1, 5, 7, 3], [7, 5, 1, 1], bias=False),
    # Pooling
    "avgpool_count_include_pad_0": lambda: single_op(
        "AveragePool", {"x": [1, 3, 5, 11]},
        {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
         "count_include_pad": 0}),
    "avgpool_count_include_pad_1": lambda: single_op(
        "AveragePool", {"x": [1, 3, 5, 11]},
        {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
         "count_include_pad": 1}),
    "maxpool_odd": lambda: single_op(
        "MaxPool", {"x": [1, 3, 5, 11]},
        {"kernel_shape": [3, 2], "strides": [2, 1], "pads": [1, 0, 1, 1]}),
    "global_avgpool_5x11": lambda: single_op("GlobalAveragePool",
                                             {"x": [2, 3, 5, 11]}),
    # Shape ops
    "concat_axis1": lambda: single_op("Concat", {"a": [2, 3, 5], "b": [2, 7, 5]},
                                      {"axis": 1}),
    "concat_last_axis_with_const": lambda: single_op(
        "Concat", {"a": [2, 3, 5], "b": [2, 3, 1]}, {"axis": -1},
        consts={"c": (2, 3, 2)}),
    "transpose_nchw_to_nhwc": lambda: single_op(
        "Transpose", {"x": [2, 3, 5, 7]}, {"perm": [0, 2, 3, 1]}),
    "transpose_3d": lambda: single_op("Transpose", {"x": [3, 5, 7]},
                                      {"perm": [2, 0, 1]}),
    "transpose_default_perm": lambda: single_op("Transpose", {"x": [3, 5, 7]}),
    "reshape_zero_and_minus_one": lambda: single_op(
        "Reshape", {"x": [2, 3, 4, 5]},
        consts={"shape": np.array([0, -1, 5], dtype=np.int64)}),
    "reshape_flatten_keep_batch": lambda: single_op(
        "Reshape", {"x": [2, 3, 5]},
        consts={"shape": np.array([0, -1], dtype=np.int64)}),
    "reshape_all_minus_one": lambda: single_op(
        "Reshape", {"x": [2, 3, 5]},
        consts={"shape": np.array([-1], dtype=np.int64)}),
    "flatten_axis2": lambda: single_op("Flatten", {"x": [2, 3, 5, 7]}, {"axis": 2}),
    # Elementwise
    "clip_opset6_attributes": lambda: single_op(
        "Clip", {"x": [3, 7, 5]}, {"min": -0.5, "max": 0.7}, opset=6),
    # Clip-6 (attributes) is still the Clip of opsets 7-10.
    "clip_opset10_attributes": lambda: single_op(
        "Clip", {"x": [3, 7, 5]}, {"min": -0.25}, opset=10),
    "clip_opset13_inputs": lambda: single_op(
        "Clip", {"x": [3, 7, 5]},
        consts={"min": _f32(-0.5), "max": _f32(0.7)}),
    "clip_opset13_max_only": lambda: single_op(
        "Clip", {"x": [3, 7, 5]}, consts={"min": None, "max": _f32(0.3)}),
    "sigmoid": lambda: single_op("Sigmoid", {"x": [3, 7, 5]}),
    "tanh": lambda: single_op("Tanh", {"x": [3, 7, 5]}),
    "relu_odd": lambda: single_op("Relu", {"x": [1, 7]}),
    "softmax_13": lambda: single_op("Softmax", {"x": [3, 13]}, {"axis": -1}),
    "sub_broadcast_const": lambda: single_op(
        "Sub", {"a": [2, 3, 5, 7]}, consts={"b": (3, 1, 7)}),
    "sub_const_minus_input": lambda: single_op(
        "Sub", {"a": [2, 3, 5, 7]}, consts={"b": (7,)}, const_inputs_first=True),
    "mul_broadcast_inputs": lambda: single_op(
        "Mul", {"a": [2, 3, 5, 7], "b": [7]}),
    "mul_scalar": lambda: single_op("Mul", {"a": [3, 7, 5]},
                                    consts={"s": _f32(1.5)}),
    "div_broadcast_channel": lambda: single_op(
        "Div", {"a": [2, 3, 5, 7]}, consts={"b": (1, 3, 1, 1)},
        positive_consts=True),
    "add_both_sides_broadcast": lambda: single_op(
        "Add", {"a": [3, 1, 7], "b": [1, 5, 1]}),
}

# ---------------------------------------------------------------------------
# Invalid or unsupported models (no checker: some are deliberately invalid)
# ---------------------------------------------------------------------------

def unsupported_det():
    """One node the compiler does not support: Det named "my_det"."""
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Det", ["r"], ["det"], name="my_det"),
    ]
    return make_model(nodes, [value("x", [2, 4, 4])], [value("det", [2])],
                      name="unsupported_det")


def two_unsupported():
    """Two unsupported nodes of different types: Unique "my_unique" and Det
    "my_det", both of which must be reported."""
    nodes = [
        helper.make_node("Unique", ["x"], ["u"], name="my_unique", sorted=1),
        helper.make_node("Det", ["m"], ["det"], name="my_det"),
    ]
    outputs = [value("u", [8]), value("det", [2])]
    return make_model(nodes, [value("x", [8]), value("m", [2, 4, 4])], outputs,
                      name="two_unsupported")


def bad_transpose_perm():
    """Transpose with perm [0, 3] on a rank-2 input (axis out of range)."""
    node = helper.make_node("Transpose", ["x"], ["y"], name="bad_transpose",
                            perm=[0, 3])
    # The declared output shape is a plausible one; only the perm is wrong.
    return make_model([node], [value("x", [2, 3])], [value("y", [3, 2])],
                      check=False)


def conv_kernel_too_big():
    """Conv with a 5x5 kernel over an unpadded 3x3 image."""
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="big_conv",
                            kernel_shape=[5, 5])
    w = const("w", weights(rng(0), (1, 1, 5, 5)))
    # The declared output shape is a plausible one; the op itself is invalid.
    return make_model([node], [value("x", [1, 1, 3, 3])],
                      [value("y", [1, 1, 1, 1])], [w], check=False)


def pack_nbits(codes, zeros, bits):
    """MatMulNBits' B and zero points from codes [N, blocks, block] and
    zero points [N, blocks] (uint8 values of `bits` bits): 4-bit values two
    per byte, the first in the low nibble, each row of zero points padded to
    whole bytes; 8-bit values as they are."""
    if bits != 4:
        return codes, zeros
    n, blocks = zeros.shape
    packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    zero_rows = np.zeros((n, (blocks + 1) // 2), np.uint8)
    for b in range(blocks):
        zero_rows[:, b // 2] |= zeros[:, b] << (4 * (b % 2))
    return packed, zero_rows
