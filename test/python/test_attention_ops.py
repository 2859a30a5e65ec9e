"""ONNX Attention, RotaryEmbedding and Swish (imported as compositions of
graph ops) end to end, compared with onnxruntime: f32 at rtol=1e-4,
atol=1e-5 (harness.py), f16 at rtol=2e-3, atol=1e-3 (one f16 ulp near 1 is
~1e-3).

Each case is one Attention node: (attributes, {input: (shape, onnx type)},
outputs, opset). Inputs are random normals; bool masks random with the
diagonal kept, so no row is fully masked unless the case says so."""

import numpy as np
import pytest
from onnx import TensorProto as TP
from onnx import helper

import model_builders as mb
from harness import ATOL, RTOL, run_onnxruntime, save_model

F32, F16, BOOL, I64 = TP.FLOAT, TP.FLOAT16, TP.BOOL, TP.INT64
INPUT_NAMES = ["Q", "K", "V", "attn_mask", "past_key", "past_value",
               "nonpad_kv_seqlen"]
OUTPUT_NAMES = ["Y", "present_key", "present_value", "qk_matmul_output"]


def attention_model(attrs, inputs, outputs=("Y",), opset=23):
    """inputs: {name: (shape, type)} by ONNX input name, absent ones left
    out; outputs: the ONNX output names wanted."""
    node_inputs = [n if n in inputs else "" for n in INPUT_NAMES]
    while node_inputs[-1] == "":
        node_inputs.pop()
    node_outputs = [n if n in outputs else "" for n in OUTPUT_NAMES]
    while node_outputs[-1] == "":
        node_outputs.pop()
    node = helper.make_node("Attention", node_inputs, node_outputs,
                            name="attention", **attrs)
    infos = [mb.value(n, shape, elem) for n, (shape, elem) in inputs.items()]
    # Output types and shapes come from ONNX shape inference.
    outs = [helper.make_tensor_value_info(o, TP.UNDEFINED, None)
            for o in outputs]
    return mb.make_model([node], infos, outs, opset=opset)


def feeds_for(inputs, seed):
    gen = np.random.default_rng(seed)
    feeds = {}
    for name, (shape, elem) in inputs.items():
        if elem == BOOL:
            mask = gen.random(shape) < 0.7
            # Keep the last query/key diagonal so that no row is empty.
            q, k = shape[-2:] if len(shape) > 1 else (1, shape[-1])
            mask[..., np.arange(min(q, k)), np.arange(min(q, k))] = True
            feeds[name] = mask
        elif elem == I64:
            feeds[name] = gen.integers(1, 7, shape).astype(np.int64)
        else:
            dtype = np.float16 if elem == F16 else np.float32
            feeds[name] = gen.standard_normal(shape).astype(dtype)
    return feeds


B, S, L, D = 2, 4, 6, 8  # batch, query length, key length, head size

CASES = {
    "mha_4d": ({}, {"Q": ([B, 3, S, D], F32), "K": ([B, 3, L, D], F32),
                    "V": ([B, 3, L, D], F32)}),
    "gqa_4d_causal_scaled": (
        {"is_causal": 1, "scale": 0.3},
        {"Q": ([B, 6, S, D], F32), "K": ([B, 2, L, D], F32),
         "V": ([B, 2, L, 5], F32)}),
    "mqa_3d_softcap": (
        {"q_num_heads": 4, "kv_num_heads": 1, "softcap": 1.5},
        {"Q": ([B, S, 4 * D], F32), "K": ([B, L, D], F32),
         "V": ([B, L, 6], F32)}),
    "bool_mask_broadcast": (
        {}, {"Q": ([B, 3, S, D], F32), "K": ([B, 3, L, D], F32),
             "V": ([B, 3, L, D], F32), "attn_mask": ([S, L], BOOL)}),
    "float_mask_4d_causal": (
        {"is_causal": 1},
        {"Q": ([B, 3, S, D], F32), "K": ([B, 3, L, D], F32),
         "V": ([B, 3, L, D], F32), "attn_mask": ([B, 1, S, L], F32)}),
    "past_present_causal_3d": (
        {"is_causal": 1, "q_num_heads": 2, "kv_num_heads": 2},
        {"Q": ([B, S, 2 * D], F32), "K": ([B, S, 2 * D], F32),
         "V": ([B, S, 2 * D], F32), "past_key": ([B, 2, 3, D], F32),
         "past_value": ([B, 2, 3, D], F32)},
        ("Y", "present_key", "present_value")),
    "qk_output_with_bias": (
        {"qk_matmul_output_mode": 2},
        {"Q": ([B, 3, S, D], F32), "K": ([B, 3, L, D], F32),
         "V": ([B, 3, L, D], F32), "attn_mask": ([S, L], F32)},
        ("Y", "qk_matmul_output")),
    # Mode 0 is the product before the softcap (the spec and onnxruntime;
    # onnx 1.23's reference returns it capped).
    "qk_output_raw_with_softcap": (
        {"qk_matmul_output_mode": 0, "softcap": 0.5},
        {"Q": ([B, 2, S, D], F32), "K": ([B, 2, L, D], F32),
         "V": ([B, 2, L, D], F32)},
        ("Y", "qk_matmul_output")),
    "qk_output_softmax_gqa": (
        {"qk_matmul_output_mode": 3},
        {"Q": ([B, 4, S, D], F32), "K": ([B, 2, L, D], F32),
         "V": ([B, 2, L, D], F32), "attn_mask": ([B, 4, S, L], BOOL)},
        ("Y", "qk_matmul_output")),
    "fp16_gqa_past": (
        {"is_causal": 1},
        {"Q": ([B, 4, S, D], F16), "K": ([B, 2, S, D], F16),
         "V": ([B, 2, S, D], F16), "past_key": ([B, 2, 5, D], F16),
         "past_value": ([B, 2, 5, D], F16)},
        ("Y", "present_key", "present_value")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_attention(strata, compile_api, name):
    attrs, inputs, *rest = CASES[name]
    outputs = rest[0] if rest else ("Y",)
    onnx_model = attention_model(attrs, inputs, outputs)
    feeds = feeds_for(inputs, seed=len(name))
    expected = run_onnxruntime(onnx_model, feeds)
    loaded = strata.load(compile_api(onnx_model, "net"))
    assert loaded.output_names == list(expected)
    fp16 = inputs["Q"][1] == F16
    rtol, atol = (2e-3, 1e-3) if fp16 else (RTOL, ATOL)
    for (out, want), got in zip(expected.items(), loaded.run(feeds)):
        assert got.shape == want.shape and got.dtype == want.dtype, out
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol,
                                   err_msg=f"{name}: output {out!r}")


def test_fully_masked_row_is_zero(strata, compile_api):
    """A query row whose bool mask is all false gives zeros, not NaN (the
    onnx 1.23 errata); onnx's reference is the oracle here."""
    inputs = {"Q": ([1, 2, 3, D], F32), "K": ([1, 2, 3, D], F32),
              "V": ([1, 2, 3, D], F32), "attn_mask": ([3, 3], BOOL)}
    onnx_model = attention_model({}, inputs)
    feeds = feeds_for(inputs, seed=3)
    feeds["attn_mask"][1] = False
    from onnx.reference import ReferenceEvaluator
    (want,) = ReferenceEvaluator(onnx_model).run(None, feeds)
    (got,) = strata.load(compile_api(onnx_model, "net")).run(feeds)
    assert not np.isnan(got).any()
    assert (got[:, :, 1] == 0).all()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("attrs, inputs, message", [
    ({}, {"Q": ([B, S, 24], F32), "K": ([B, L, 24], F32),
          "V": ([B, L, 24], F32)},
     "3-D inputs need positive q_num_heads and kv_num_heads attributes"),
    ({}, {"Q": ([B, 4, S, D], F32), "K": ([B, 3, L, D], F32),
          "V": ([B, 3, L, D], F32)},
     "the 4 query heads are not a multiple of the 3 key/value heads"),
    ({}, {"Q": ([B, 3, S, D], F32), "K": ([B, 3, L, D], F32),
          "V": ([B, 3, L, D], F32), "past_key": ([B, 3, 2, D], F32)},
     "past_key and past_value must be given together"),
])
def test_attention_errors(strata, tmp_path, attrs, inputs, message):
    """Unsupported or inconsistent nodes are reported at the node."""
    node_inputs = [n if n in inputs else "" for n in INPUT_NAMES]
    while node_inputs[-1] == "":
        node_inputs.pop()
    node = helper.make_node("Attention", node_inputs, ["Y"], name="attn",
                            **attrs)
    infos = [mb.value(n, shape, elem) for n, (shape, elem) in inputs.items()]
    onnx_model = mb.make_model([node], infos, [mb.value("Y", None, F32)],
                               opset=23, check=False)
    path = save_model(onnx_model, tmp_path, "bad")
    with pytest.raises(strata.CompileError) as error:
        strata.compile(path, tmp_path / "out")
    assert "node 'attn' (Attention, opset 23)" in str(error.value)
    assert message in str(error.value)


# ---------------------------------------------------------------------------
# RotaryEmbedding (opset 23), Swish (24): compositions of graph ops too.
# ---------------------------------------------------------------------------

ROTARY_CASES = {
    # (attributes, x shape, cache shape, with position_ids)
    "4d_halves": ({}, [2, 3, 5, 8], [16, 4], True),
    "4d_interleaved_partial": ({"interleaved": 1, "rotary_embedding_dim": 4},
                               [2, 3, 5, 8], [16, 2], True),
    "3d_no_positions": ({"num_heads": 2}, [2, 5, 16], [2, 5, 4], False),
    "3d_partial_interleaved_no_positions": (
        {"num_heads": 4, "interleaved": 1, "rotary_embedding_dim": 2},
        [1, 3, 24], [1, 3, 1], False),
}


@pytest.mark.parametrize("name", sorted(ROTARY_CASES))
def test_rotary_embedding(strata, compile_api, name):
    attrs, x_shape, cache_shape, positions = ROTARY_CASES[name]
    inputs = [mb.value("x", x_shape), mb.value("cos", cache_shape),
              mb.value("sin", cache_shape)]
    names = ["x", "cos", "sin"]
    gen = np.random.default_rng(5)
    feeds = {n: gen.standard_normal(shape).astype(np.float32)
             for n, shape in zip(names, [x_shape, cache_shape, cache_shape])}
    if positions:
        batch, seq = x_shape[0], x_shape[-2] if len(x_shape) == 4 else x_shape[1]
        inputs.append(mb.value("pos", [batch, seq], I64))
        names.append("pos")
        feeds["pos"] = gen.integers(0, cache_shape[0], (batch, seq))
    node = helper.make_node("RotaryEmbedding", names, ["y"], name="rope",
                            **attrs)
    onnx_model = mb.make_model(
        [node], inputs, [helper.make_tensor_value_info("y", F32, None)],
        opset=23)
    expected = run_onnxruntime(onnx_model, feeds)["y"]
    (got,) = strata.load(compile_api(onnx_model, "net")).run(feeds)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("alpha", [1.0, 0.7])
def test_swish(strata, compile_api, alpha):
    node = helper.make_node("Swish", ["x"], ["y"], name="swish", alpha=alpha)
    onnx_model = mb.make_model(
        [node], [mb.value("x", [3, 7])],
        [helper.make_tensor_value_info("y", F32, None)], opset=24)
    x = np.random.default_rng(2).standard_normal((3, 7)).astype(np.float32)
    expected = run_onnxruntime(onnx_model, {"x": x})["y"]
    (got,) = strata.load(compile_api(onnx_model, "net")).run({"x": x})
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
