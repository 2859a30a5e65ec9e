"""ConvTranspose, Resize / Upsample, TopK and the recurrent layers (RNN, GRU,
LSTM) end to end against onnxruntime (fp32: rtol=1e-4, atol=1e-5, see
harness.py), plus their errors for unsupported attribute values, which
name the node and the attribute."""

import numpy as np
import pytest
from onnx import TensorProto, helper

import model_builders as mb
from onnx import numpy_helper

from harness import (check_against_onnxruntime, check_clean_failure,
                     random_inputs, run_onnxruntime, run_tool, save_model)

FLOAT = TensorProto.FLOAT


def node_model(op_type, inputs, consts, attrs, outputs=("y",), opset=17,
               seed=0, name="op", input_types=None, output_types=None):
    """One `op_type` node named `name`. `inputs` maps graph inputs to
    shapes; `consts` maps initializer names to arrays, to shapes (random
    weights) or to None (an omitted optional input, written as "").
    Node inputs: graph inputs, then constants, in order."""
    g = mb.rng(seed)
    inits, names = [], list(inputs)
    for cname, spec in consts.items():
        if spec is None:
            names.append("")
            continue
        array = mb.weights(g, spec) if isinstance(spec, tuple) else np.asarray(spec)
        inits.append(mb.const(cname, array))
        names.append(cname)
    while names and names[-1] == "":
        names.pop()
    types = input_types or {}
    graph_inputs = [mb.value(n, list(s), types.get(n, FLOAT))
                    for n, s in inputs.items()]
    node = helper.make_node(op_type, names, list(outputs), name=name, **attrs)
    out_types = output_types or {}
    graph_outputs = [mb.value(o, None, out_types[o]) if o in out_types else o
                     for o in outputs if o]
    return mb.make_model([node], graph_inputs, graph_outputs, inits,
                         opset=opset, name=f"{op_type.lower()}_test")


# ---------------------------------------------------------------------------
# ConvTranspose
# ---------------------------------------------------------------------------

def conv_transpose(x, w, bias=True, **attrs):
    consts = {"w": tuple(w)}
    if bias:
        consts["b"] = (w[1] * attrs.get("group", 1),)
    return node_model("ConvTranspose", {"x": x}, consts, attrs)


CONV_TRANSPOSE_CASES = {
    "basic": lambda: conv_transpose([1, 3, 5, 7], [3, 4, 3, 3]),
    "no_bias": lambda: conv_transpose([2, 2, 4, 3], [2, 3, 2, 2], bias=False),
    "strides_pads": lambda: conv_transpose([1, 3, 5, 6], [3, 2, 3, 3],
                                           strides=[2, 3],
                                           pads=[1, 0, 1, 2]),
    "output_padding": lambda: conv_transpose([1, 2, 4, 5], [2, 3, 3, 3],
                                             strides=[2, 2],
                                             output_padding=[1, 0]),
    "group": lambda: conv_transpose([2, 4, 5, 5], [4, 3, 3, 3], group=2,
                                    strides=[2, 2]),
    "depthwise": lambda: conv_transpose([1, 3, 6, 5], [3, 1, 3, 2], group=3),
    "dilations": lambda: conv_transpose([1, 2, 5, 5], [2, 3, 3, 3],
                                        dilations=[2, 1], strides=[1, 2]),
    "large_pads": lambda: conv_transpose([1, 2, 5, 5], [2, 2, 3, 3],
                                         strides=[2, 2], pads=[3, 4, 3, 2]),
    "output_shape": lambda: conv_transpose([1, 2, 4, 4], [2, 3, 3, 3],
                                           strides=[2, 2],
                                           output_shape=[8, 9]),
    "output_shape_larger": lambda: conv_transpose([1, 2, 3, 3], [2, 1, 3, 3],
                                                  strides=[2, 2],
                                                  output_shape=[8, 8]),
    "same_upper": lambda: conv_transpose([1, 2, 5, 4], [2, 2, 3, 3],
                                         strides=[2, 2],
                                         auto_pad="SAME_UPPER"),
    "same_lower": lambda: conv_transpose([1, 2, 5, 4], [2, 2, 4, 3],
                                         strides=[2, 2],
                                         auto_pad="SAME_LOWER"),
    "kernel_shape": lambda: conv_transpose([1, 2, 3, 3], [2, 2, 2, 3],
                                           kernel_shape=[2, 3]),
    "conv1d": lambda: conv_transpose([2, 3, 9], [3, 2, 4], strides=[3],
                                     pads=[1, 2]),
    "conv3d": lambda: conv_transpose([1, 2, 3, 4, 3], [2, 2, 2, 3, 2],
                                     strides=[2, 1, 2], group=2),
}


@pytest.mark.parametrize("case", sorted(CONV_TRANSPOSE_CASES))
def test_conv_transpose(strata, compile_api, case):
    model = CONV_TRANSPOSE_CASES[case]()
    check_against_onnxruntime(strata, compile_api(model, "ct_" + case), model)


# ---------------------------------------------------------------------------
# Resize and Upsample
# ---------------------------------------------------------------------------

def f32(values):
    return np.asarray(values, dtype=np.float32)


def i64(values):
    return np.asarray(values, dtype=np.int64)


def resize(x, scales=None, sizes=None, roi=None, opset=19, **attrs):
    consts = {"roi": roi, "scales": scales if scales is None else f32(scales),
              "sizes": sizes if sizes is None else i64(sizes)}
    if opset == 10:  # (X, scales)
        consts = {"scales": f32(scales)}
    elif opset < 13:  # roi and scales must be listed (possibly empty)
        if roi is None:
            consts["roi"] = f32([])
        if scales is None:
            consts["scales"] = f32([])
    if roi is not None:
        consts["roi"] = f32(roi)
    return node_model("Resize", {"x": x}, consts, attrs, opset=opset)


RESIZE_CASES = {
    "linear_half_pixel_up": lambda: resize([1, 2, 4, 5], [1, 1, 2, 1.5],
                                           mode="linear"),
    "linear_half_pixel_down": lambda: resize([1, 2, 9, 7], [1, 1, 0.5, 0.6],
                                             mode="linear"),
    "linear_align_corners": lambda: resize([2, 3, 5], sizes=[2, 3, 9],
                                           mode="linear",
                                           coordinate_transformation_mode=
                                           "align_corners"),
    "linear_asymmetric": lambda: resize([1, 1, 4, 6], sizes=[1, 1, 7, 4],
                                        mode="linear",
                                        coordinate_transformation_mode=
                                        "asymmetric"),
    "linear_pytorch": lambda: resize([1, 2, 5, 1], sizes=[1, 2, 8, 1],
                                     mode="linear",
                                     coordinate_transformation_mode=
                                     "pytorch_half_pixel"),
    "linear_symmetric": lambda: resize([1, 1, 5, 6], [1, 1, 1.7, 0.7],
                                       mode="linear",
                                       coordinate_transformation_mode=
                                       "half_pixel_symmetric"),
    "linear_3d": lambda: resize([1, 1, 3, 4, 5], [1, 1, 2, 1.5, 0.8],
                                mode="linear"),
    "linear_crop": lambda: resize([1, 1, 6, 7], sizes=[1, 1, 5, 4],
                                  roi=[0, 0, 0.2, -0.3, 1, 1, 0.9, 1.4],
                                  mode="linear",
                                  coordinate_transformation_mode=
                                  "tf_crop_and_resize",
                                  extrapolation_value=-3.5),
    "cubic_half_pixel": lambda: resize([1, 2, 5, 6], [1, 1, 1.6, 2],
                                       mode="cubic"),
    "cubic_exclude_outside": lambda: resize([1, 1, 6, 5], [1, 1, 0.6, 1.4],
                                            mode="cubic", cubic_coeff_a=-0.5,
                                            exclude_outside=1),
    "cubic_align_corners": lambda: resize([1, 1, 4, 4], sizes=[1, 1, 7, 3],
                                          mode="cubic",
                                          coordinate_transformation_mode=
                                          "align_corners"),
    "cubic_asymmetric": lambda: resize([1, 1, 5, 4], [1, 1, 2, 2],
                                       mode="cubic",
                                       coordinate_transformation_mode=
                                       "asymmetric"),
    "cubic_crop": lambda: resize([1, 1, 5, 5], sizes=[1, 1, 4, 6],
                                 roi=[0, 0, 0.1, -0.2, 1, 1, 0.8, 1.1],
                                 mode="cubic",
                                 coordinate_transformation_mode=
                                 "tf_crop_and_resize"),
    "nearest_default": lambda: resize([1, 2, 3, 4], [1, 1, 2, 3]),
    "nearest_round_prefer_ceil": lambda: resize(
        [1, 1, 5, 7], [1, 1, 1.4, 0.6], mode="nearest",
        nearest_mode="round_prefer_ceil"),
    "nearest_floor": lambda: resize([1, 1, 5, 7], sizes=[1, 1, 8, 3],
                                    nearest_mode="floor",
                                    coordinate_transformation_mode=
                                    "asymmetric"),
    "nearest_ceil": lambda: resize([1, 1, 5, 7], sizes=[1, 1, 8, 3],
                                   nearest_mode="ceil",
                                   coordinate_transformation_mode=
                                   "asymmetric"),
    "nearest_round_prefer_floor_asymmetric": lambda: resize(
        [1, 1, 4, 6], [1, 1, 2.5, 0.5],
        coordinate_transformation_mode="asymmetric"),
    "nearest_tf_half_pixel": lambda: resize(
        [1, 1, 5, 6], [1, 1, 1.5, 0.7],
        coordinate_transformation_mode="tf_half_pixel_for_nn"),
    "nearest_align_corners": lambda: resize(
        [1, 1, 5, 6], sizes=[1, 1, 9, 4],
        coordinate_transformation_mode="align_corners"),
    "nearest_crop": lambda: resize([1, 1, 6, 5], sizes=[1, 1, 4, 7],
                                   roi=[0, 0, -0.2, 0.3, 1, 1, 1.2, 0.9],
                                   coordinate_transformation_mode=
                                   "tf_crop_and_resize",
                                   extrapolation_value=7.0),
    "axes_not_larger": lambda: resize([1, 2, 6, 8], sizes=[5, 5], axes=[2, 3],
                                      keep_aspect_ratio_policy="not_larger",
                                      mode="linear"),
    # (onnxruntime 1.32 ignores the policy with negative axes: positive.)
    "axes_not_smaller": lambda: resize([1, 2, 6, 8], sizes=[5, 5],
                                       axes=[2, 3],
                                       keep_aspect_ratio_policy=
                                       "not_smaller"),
    "axes_negative": lambda: resize([1, 2, 6, 8], sizes=[5, 3],
                                    axes=[-1, -2], mode="linear"),
    "axes_scales": lambda: resize([1, 2, 6, 4], [1.5], axes=[3],
                                  mode="cubic"),
    "opset10_nearest": lambda: resize([1, 1, 3, 10], [1, 1, 2, 0.6],
                                      opset=10),
    "opset10_linear": lambda: resize([1, 1, 3, 10], [1, 1, 1.7, 0.6],
                                     mode="linear", opset=10),
    "opset11_sizes": lambda: resize([1, 2, 3, 5], sizes=[1, 2, 7, 4],
                                    mode="linear", opset=11),
    "opset13_cubic": lambda: resize([1, 2, 3, 5], sizes=[1, 2, 7, 9],
                                    mode="cubic", opset=13),
}


@pytest.mark.parametrize("case", sorted(RESIZE_CASES))
def test_resize(strata, compile_api, case):
    model = RESIZE_CASES[case]()
    check_against_onnxruntime(strata, compile_api(model, "rs_" + case), model)


def test_resize_uint8(strata, compile_api):
    model = node_model("Resize", {"x": [1, 3, 4, 5]},
                       {"roi": None, "scales": f32([1, 1, 1.5, 2])},
                       {"mode": "nearest"}, opset=13,
                       input_types={"x": TensorProto.UINT8},
                       output_types={"y": TensorProto.UINT8})
    x = np.random.default_rng(3).integers(0, 256, (1, 3, 4, 5), np.uint8)
    check_against_onnxruntime(strata, compile_api(model, "rs_u8"), model,
                              feeds={"x": x})


@pytest.mark.parametrize("opset", [7, 9])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_upsample(strata, compile_api, opset, mode):
    scales = [1.0, 1.0, 2.0, 3.0]
    if opset == 7:
        model = node_model("Upsample", {"x": [1, 2, 3, 4]}, {},
                           {"mode": mode, "scales": scales}, opset=opset)
    else:
        model = node_model("Upsample", {"x": [1, 2, 3, 4]},
                           {"scales": f32(scales)}, {"mode": mode},
                           opset=opset)
    check_against_onnxruntime(strata, compile_api(model, f"up{opset}{mode}"),
                              model)


# ---------------------------------------------------------------------------
# TopK
# ---------------------------------------------------------------------------

def top_k(x, k, opset=17, dtype=FLOAT, **attrs):
    if opset < 10:
        return node_model("TopK", {"x": x}, {}, dict(attrs, k=k),
                          outputs=("values", "indices"), opset=opset,
                          input_types={"x": dtype},
                      output_types={"values": dtype,
                                    "indices": TensorProto.INT64})
    return node_model("TopK", {"x": x}, {"k": i64([k])}, attrs,
                      outputs=("values", "indices"), opset=opset,
                      input_types={"x": dtype},
                      output_types={"values": dtype,
                                    "indices": TensorProto.INT64})


TOPK_CASES = {
    "last_axis": lambda: top_k([3, 11], 4),
    "first_axis_smallest": lambda: top_k([9, 4], 3, axis=0, largest=0),
    "middle_axis": lambda: top_k([2, 7, 3], 7, axis=1),
    "negative_axis": lambda: top_k([2, 5, 6], 2, axis=-2, largest=0),
    "k_one": lambda: top_k([4, 13], 1),
    "vector": lambda: top_k([17], 5),
    "opset1_attribute": lambda: top_k([3, 8], 3, opset=1),
    "opset10": lambda: top_k([3, 8], 3, opset=10, axis=0),
}


@pytest.mark.parametrize("case", sorted(TOPK_CASES))
def test_top_k(strata, compile_api, case):
    model = TOPK_CASES[case]()
    check_against_onnxruntime(strata, compile_api(model, "tk_" + case), model)


@pytest.mark.parametrize("largest", [0, 1])
def test_top_k_ties_integers(strata, compile_api, largest):
    """Equal values come out in index order."""
    model = top_k([3, 12], 6, dtype=TensorProto.INT64, largest=largest)
    x = np.random.default_rng(5).integers(-3, 3, (3, 12)).astype(np.int64)
    check_against_onnxruntime(strata, compile_api(model, f"tk_ties{largest}"),
                              model, feeds={"x": x})


def test_top_k_unsorted(strata, compile_api):
    """sorted=0 leaves the order open: compare the selected sets."""
    model = top_k([4, 9], 3, sorted=0)
    x = np.random.default_rng(6).standard_normal((4, 9)).astype(np.float32)
    expected = run_onnxruntime(model, {"x": x})
    values, indices = strata.load(compile_api(model, "tk_unsorted")).run({"x": x})
    np.testing.assert_array_equal(np.sort(values, axis=1),
                                  np.sort(expected["values"], axis=1))
    np.testing.assert_array_equal(np.take_along_axis(x, indices, axis=1),
                                  values)


# ---------------------------------------------------------------------------
# RNN, GRU, LSTM
# ---------------------------------------------------------------------------

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def recurrent(op, seq=5, batch=3, size=4, hidden=6, direction="forward",
              bias=True, initial_h=False, initial_c=False, peepholes=False,
              layout=0, outputs=None, seed=0, **attrs):
    gates, dirs = GATES[op], 2 if direction == "bidirectional" else 1
    x_shape = [seq, batch, size] if layout == 0 else [batch, seq, size]
    state = (dirs, batch, hidden) if layout == 0 else (batch, dirs, hidden)
    consts = {"w": (dirs, gates * hidden, size),
              "r": (dirs, gates * hidden, hidden),
              "b": (dirs, 2 * gates * hidden) if bias else None,
              "sequence_lens": None,
              "initial_h": state if initial_h else None}
    if op == "LSTM":
        consts["initial_c"] = state if initial_c else None
        consts["p"] = (dirs, 3 * hidden) if peepholes else None
    if outputs is None:
        outputs = ("y", "y_h", "y_c") if op == "LSTM" else ("y", "y_h")
    attrs = dict(attrs, hidden_size=hidden, direction=direction)
    if layout:
        attrs["layout"] = layout
    return node_model(op, {"x": x_shape}, consts, attrs, outputs=outputs,
                      seed=seed)


RECURRENT_CASES = {
    "rnn_forward": lambda: recurrent("RNN"),
    "rnn_reverse_initial_h": lambda: recurrent("RNN", direction="reverse",
                                               initial_h=True),
    "rnn_bidirectional_relu": lambda: recurrent(
        "RNN", direction="bidirectional", bias=False,
        activations=["Relu", "Tanh"]),
    "gru_forward": lambda: recurrent("GRU", initial_h=True),
    "gru_linear_before_reset": lambda: recurrent("GRU",
                                                 linear_before_reset=1),
    "gru_bidirectional": lambda: recurrent("GRU", direction="bidirectional",
                                           initial_h=True,
                                           linear_before_reset=1),
    "gru_reverse_no_bias": lambda: recurrent("GRU", direction="reverse",
                                             bias=False),
    "gru_clip": lambda: recurrent("GRU", clip=0.4),
    "lstm_forward": lambda: recurrent("LSTM"),
    "lstm_states": lambda: recurrent("LSTM", initial_h=True, initial_c=True),
    "lstm_peepholes": lambda: recurrent("LSTM", initial_c=True,
                                        peepholes=True),
    "lstm_reverse": lambda: recurrent("LSTM", direction="reverse",
                                      initial_h=True),
    "lstm_bidirectional": lambda: recurrent("LSTM", seq=4, batch=2,
                                            direction="bidirectional",
                                            initial_h=True, initial_c=True,
                                            peepholes=True),
    "lstm_clip": lambda: recurrent("LSTM", clip=0.5, initial_c=True),
    "lstm_only_y_h": lambda: recurrent("LSTM", outputs=("", "y_h")),
    "lstm_input_forget": lambda: recurrent("LSTM", input_forget=1),
    "lstm_activations": lambda: recurrent(
        "LSTM", activations=["Sigmoid", "Relu", "Tanh"]),
}


@pytest.mark.parametrize("case", sorted(RECURRENT_CASES))
def test_recurrent(strata, compile_api, case):
    model = RECURRENT_CASES[case]()
    check_against_onnxruntime(strata, compile_api(model, "rnn_" + case), model)


@pytest.mark.parametrize("op", ["LSTM", "GRU"])
def test_recurrent_layout1(strata, compile_api, op):
    """onnxruntime has no batch-first layout (1): compare with the layout-0
    model run on transposed data."""
    kwargs = dict(initial_h=True, direction="bidirectional", seed=3)
    if op == "LSTM":
        kwargs["initial_c"] = True
    model0 = recurrent(op, **kwargs)
    model1 = recurrent(op, layout=1, **kwargs)
    # Same weights; the initial states transposed to [batch, dirs, hidden].
    states0 = {t.name: numpy_helper.to_array(t)
               for t in model0.graph.initializer}
    for tensor in model1.graph.initializer:
        if tensor.name.startswith("initial_"):
            tensor.CopyFrom(numpy_helper.from_array(
                states0[tensor.name].transpose(1, 0, 2), tensor.name))
    x = np.random.default_rng(4).standard_normal((3, 5, 4)).astype(np.float32)
    expected = run_onnxruntime(model0, {"x": x.transpose(1, 0, 2)})
    outputs = strata.load(compile_api(model1, "layout1" + op)).run({"x": x})
    for (name, want), got in zip(expected.items(), outputs):
        perm = (2, 0, 1, 3) if want.ndim == 4 else (1, 0, 2)
        np.testing.assert_allclose(got, want.transpose(perm), rtol=1e-4,
                                   atol=1e-5, err_msg=name)


def test_lstm_through_cli(strata, compile_cli):
    model = RECURRENT_CASES["lstm_bidirectional"]()
    check_against_onnxruntime(strata, compile_cli(model, "lstm_cli"), model)


# ---------------------------------------------------------------------------
# Errors: unsupported attribute values name the node and the attribute
# ---------------------------------------------------------------------------

def unchecked(op_type, inputs, consts, attrs, outputs, opset=17):
    g = mb.rng(0)
    inits = [mb.const(n, mb.weights(g, s) if isinstance(s, tuple)
                      else np.asarray(s)) for n, s in consts.items()]
    node = helper.make_node(op_type, list(inputs) + list(consts),
                            [o.name for o in outputs], name="bad_node",
                            **attrs)
    graph = helper.make_graph([node], "bad",
                              [mb.value(n, s) for n, s in inputs.items()],
                              outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset)])
    model.ir_version = mb.IR_VERSION
    return model


BAD_ATTRIBUTES = {
    "resize_antialias": (
        lambda: unchecked("Resize", {"x": [1, 1, 8, 8]},
                          {"roi": f32([]), "scales": f32([1, 1, 0.5, 0.5])},
                          {"mode": "linear", "antialias": 1},
                          [mb.value("y", [1, 1, 4, 4])], opset=18),
        ["bad_node", "Resize", "antialias"]),
    "resize_mode": (
        lambda: unchecked("Resize", {"x": [1, 1, 4, 4]},
                          {"roi": f32([]), "scales": f32([1, 1, 2, 2])},
                          {"mode": "area"}, [mb.value("y", [1, 1, 8, 8])]),
        ["bad_node", "Resize", "mode", "area"]),
    "resize_transform": (
        lambda: unchecked("Resize", {"x": [1, 1, 4, 4]},
                          {"roi": f32([]), "scales": f32([1, 1, 2, 2])},
                          {"coordinate_transformation_mode": "center"},
                          [mb.value("y", [1, 1, 8, 8])]),
        ["bad_node", "Resize", "coordinate_transformation_mode", "center"]),
    "lstm_activation": (
        lambda: unchecked("LSTM", {"x": [2, 1, 3]},
                          {"w": (1, 16, 3), "r": (1, 16, 4)},
                          {"hidden_size": 4,
                           "activations": ["Sigmoid", "LeakyRelu", "Tanh"]},
                          [mb.value("y", [2, 1, 1, 4])]),
        ["bad_node", "LSTM", "activations", "LeakyRelu"]),
    "gru_direction": (
        lambda: unchecked("GRU", {"x": [2, 1, 3]},
                          {"w": (1, 12, 3), "r": (1, 12, 4)},
                          {"hidden_size": 4, "direction": "sideways"},
                          [mb.value("y", [2, 1, 1, 4])]),
        ["bad_node", "GRU", "direction", "sideways"]),
    "rnn_sequence_lens": (
        lambda: unchecked("RNN", {"x": [3, 2, 3]},
                          {"w": (1, 4, 3), "r": (1, 4, 4), "b": (1, 8),
                           "sequence_lens": np.array([3, 2], np.int32)},
                          {"hidden_size": 4},
                          [mb.value("y", [3, 1, 2, 4])]),
        ["bad_node", "RNN", "sequence_lens"]),
    "conv_transpose_auto_pad": (
        lambda: unchecked("ConvTranspose", {"x": [1, 2, 4, 4]},
                          {"w": (2, 2, 3, 3)}, {"auto_pad": "SAME"},
                          [mb.value("y", [1, 2, 6, 6])]),
        ["bad_node", "ConvTranspose", "auto_pad", "SAME"]),
    "conv_transpose_strides": (
        lambda: unchecked("ConvTranspose", {"x": [1, 2, 4, 4]},
                          {"w": (2, 2, 3, 3)}, {"strides": [2, 2, 2]},
                          [mb.value("y", [1, 2, 6, 6])]),
        ["bad_node", "ConvTranspose", "strides"]),
    "top_k_too_large": (
        lambda: unchecked("TopK", {"x": [2, 5]},
                          {"k": np.array([7], np.int64)}, {},
                          [mb.value("v", [2, 7]),
                           mb.value("i", [2, 7], TensorProto.INT64)]),
        ["bad_node", "TopK", "k = 7"]),
}


@pytest.mark.parametrize("case", sorted(BAD_ATTRIBUTES))
def test_unsupported_attribute(tools, tmp_path, case):
    builder, expected = BAD_ATTRIBUTES[case]
    path = save_model(builder(), tmp_path, case)
    check_clean_failure(run_tool([tools.compile, path, "-o", tmp_path / "out"]),
                        *expected)


# ---------------------------------------------------------------------------
# f16 and f64: compared with onnxruntime's f32 result on the same (rounded)
# data, as onnxruntime lacks most of these kernels for other float types
# ---------------------------------------------------------------------------

FLOAT_TYPE_CASES = {
    "conv_transpose": CONV_TRANSPOSE_CASES["group"],
    "resize_cubic": RESIZE_CASES["cubic_half_pixel"],
    "resize_linear": RESIZE_CASES["linear_crop"],
    "top_k": TOPK_CASES["middle_axis"],
    "lstm": RECURRENT_CASES["lstm_bidirectional"],
    "gru": RECURRENT_CASES["gru_linear_before_reset"],
    "rnn": RECURRENT_CASES["rnn_forward"],
}
# f16 keeps ~3 decimal digits; its tolerance covers the rounding of every
# intermediate (f32 accumulation in resize, f16 elsewhere).
FLOAT_TYPES = {"float16": (TensorProto.FLOAT16, np.float16, 1e-2, 1e-2),
               "float64": (TensorProto.DOUBLE, np.float64, 1e-4, 1e-5)}


def retyped(model, elem_type, np_type):
    """A copy of `model` with its f32 inputs, outputs and weights (not
    Resize's scales and roi) in another float type."""
    copy = type(model)()
    copy.CopyFrom(model)
    for vi in list(copy.graph.input) + list(copy.graph.output):
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = elem_type
    for tensor in copy.graph.initializer:
        array = numpy_helper.to_array(tensor)
        if array.dtype == np.float32 and tensor.name not in ("scales", "roi"):
            tensor.CopyFrom(numpy_helper.from_array(array.astype(np_type),
                                                    tensor.name))
    return copy


@pytest.mark.parametrize("dtype", sorted(FLOAT_TYPES))
@pytest.mark.parametrize("case", sorted(FLOAT_TYPE_CASES))
def test_other_float_types(strata, compile_api, case, dtype):
    elem_type, np_type, rtol, atol = FLOAT_TYPES[dtype]
    model32 = FLOAT_TYPE_CASES[case]()
    # The f32 reference reads the weights as rounded to the other type.
    for tensor in model32.graph.initializer:
        array = numpy_helper.to_array(tensor)
        if array.dtype == np.float32 and tensor.name not in ("scales", "roi"):
            tensor.CopyFrom(numpy_helper.from_array(
                array.astype(np_type).astype(np.float32), tensor.name))
    model = retyped(model32, elem_type, np_type)
    feeds = {name: value.astype(np_type)
             for name, value in random_inputs(model32).items()}
    expected = run_onnxruntime(
        model32, {n: v.astype(np.float32) for n, v in feeds.items()})
    outputs = strata.load(compile_api(model, f"{case}_{dtype}")).run(feeds)
    for (name, want), got in zip(expected.items(), outputs):
        if want.dtype == np.float32:
            assert got.dtype == np_type, name
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=rtol,
                                   atol=atol, err_msg=name)
