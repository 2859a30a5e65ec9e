"""Dropout's mask, Pad mode 'wrap', OptionalGetElement, BatchNormalization
training_mode, MaxPool's Indices, MelWeightMatrix: strata against
onnxruntime, or the ONNX reference implementation where onnxruntime lacks
the op or mode."""
import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper
from onnx.reference import ReferenceEvaluator

import model_builders as mb
from harness import ATOL, RTOL, input_shapes, run_onnxruntime

F32, BOOL = TP.FLOAT, TP.BOOL
GEN = np.random.default_rng(11)


def make(nodes, inputs, outputs, inits=(), opset=19):
    infos = [mb.value(n, s, e) for n, (s, e) in inputs.items()]
    outs = [helper.make_tensor_value_info(o, TP.UNDEFINED, None)
            for o in outputs]
    consts = [mb.const(n, a) for n, a in dict(inits).items()]
    return mb.make_model(nodes, infos, outs, consts, opset=opset)


def reference(model, feeds):
    names = [o.name for o in model.graph.output]
    return dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))


def check(strata, compile_api, model, oracle=run_onnxruntime):
    feeds = {n: GEN.standard_normal(s).astype(np.float32)
             for n, s in input_shapes(model).items()}
    expected = oracle(model, feeds)
    loaded = strata.load(compile_api(model, "net"))
    outputs = loaded.run(feeds)
    assert loaded.output_names == list(expected)
    for (name, want), got in zip(expected.items(), outputs):
        assert got.shape == want.shape and got.dtype == want.dtype, name
        if np.issubdtype(want.dtype, np.floating):
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL,
                                       err_msg=name)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)


def dropout(training):
    inits = {"r": np.array(0.0 if training else 0.3, np.float32)}
    extra = ["r"]
    if training is not None:
        inits["t"] = np.array(training)
        extra.append("t")
    n = helper.make_node("Dropout", ["x", *extra], ["y", "mask"])
    return make([n], {"x": ([3, 4], F32)}, ["y", "mask"], inits, opset=13)


@pytest.mark.parametrize("training", [None, False, True])
def test_dropout_mask(strata, compile_api, training):
    check(strata, compile_api, dropout(training))


def test_dropout_training_nonzero_ratio_fails(strata, compile_api):
    model = dropout(True)
    model.graph.initializer[0].CopyFrom(
        mb.const("r", np.array(0.5, np.float32)))
    with pytest.raises(Exception, match="constant 'ratio' of 0"):
        compile_api(model, "net")


@pytest.mark.parametrize("pads", [[0, 1, 2, 0, 2, 1], [1, 0, 3, 2, 1, 0],
                                  [0, 0, 7, 0, 0, 6]])
def test_pad_wrap(strata, compile_api, pads):
    n = helper.make_node("Pad", ["x", "pads"], ["y"], mode="wrap")
    model = make([n], {"x": ([3, 4, 5], F32)}, ["y"],
                 {"pads": np.array(pads, np.int64)})
    check(strata, compile_api, model, reference)


def test_optional_get_element_tensor(strata, compile_api):
    n = helper.make_node("OptionalGetElement", ["x"], ["y"])
    model = make([n], {"x": ([2, 3], F32)}, ["y"], opset=18)
    check(strata, compile_api, model)


@pytest.mark.parametrize("shape", [[2, 3, 4, 5], [4, 3]])
def test_batchnorm_training(strata, compile_api, shape):
    c = shape[1]
    inits = {"s": GEN.standard_normal(c).astype(np.float32),
             "b": GEN.standard_normal(c).astype(np.float32),
             "m": GEN.standard_normal(c).astype(np.float32),
             "v": GEN.uniform(0.5, 2, c).astype(np.float32)}
    n = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                         ["y", "rm", "rv"], training_mode=1, epsilon=1e-2,
                         momentum=0.8)
    model = make([n], {"x": (shape, F32)}, ["y", "rm", "rv"], inits, 15)
    check(strata, compile_api, model, reference)


@pytest.mark.parametrize("args", [(8, 16, 8192, 0.0, 8192 / 2),
                                  (10, 64, 16000, 100.0, 7000.0),
                                  (4, 33, 22050, 20.0, 11000.0)])
def test_mel_weight_matrix(strata, compile_api, args):
    mels, dft, rate, low, high = args
    inits = {"n": np.array(mels, np.int64), "d": np.array(dft, np.int64),
             "r": np.array(rate, np.int64), "l": np.array(low, np.float32),
             "h": np.array(high, np.float32)}
    x = helper.make_node("Identity", ["x"], ["z"])
    n = helper.make_node("MelWeightMatrix", ["n", "d", "r", "l", "h"], ["y"])
    model = make([x, n], {"x": ([1], F32)}, ["z", "y"], inits, opset=17)
    check(strata, compile_api, model, reference)


@pytest.mark.parametrize("shape,attrs", [
    ([2, 3, 5, 5], {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}),
    ([2, 2, 6, 7], {"kernel_shape": [2, 3], "strides": [2, 2],
                    "storage_order": 1}),
    ([1, 2, 7, 6], {"kernel_shape": [2, 2], "strides": [2, 2],
                    "ceil_mode": 1, "pads": [0, 1, 1, 0]}),
    ([1, 2, 7, 7], {"kernel_shape": [2, 2], "dilations": [2, 2],
                    "storage_order": 1}),
    ([2, 3, 9], {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}),
    ([1, 2, 4, 5, 6], {"kernel_shape": [2, 2, 3], "strides": [1, 2, 2]}),
])
def test_maxpool_indices(strata, compile_api, shape, attrs):
    n = helper.make_node("MaxPool", ["x"], ["y", "i"], **attrs)
    model = make([n], {"x": (shape, F32)}, ["y", "i"], opset=12)
    check(strata, compile_api, model)
