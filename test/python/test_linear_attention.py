"""LinearAttention (opset 27), unrolled over tokens, against onnx's
reference evaluator (onnxruntime has no kernel for it): rtol 1e-4,
atol 1e-5 in float32."""
import numpy as np
import pytest
from onnx import TensorProto, helper

from harness import save_model

F = TensorProto.FLOAT
B, T, HQ, HKV, DK, DV = 2, 3, 4, 2, 4, 3


def linear_attention_model(rule, decay_width=HKV, beta_width=HKV, past=True):
    inputs = [helper.make_tensor_value_info("q", F, [B, T, HQ * DK]),
              helper.make_tensor_value_info("k", F, [B, T, HKV * DK]),
              helper.make_tensor_value_info("v", F, [B, T, HKV * DV])]
    names = ["q", "k", "v", "past" if past else ""]
    if past:
        inputs.append(helper.make_tensor_value_info("past", F, [B, HKV, DK, DV]))
    if "gated" in rule:
        inputs.append(helper.make_tensor_value_info("decay", F, [B, T, decay_width]))
        names.append("decay")
    elif "delta" in rule:
        names.append("")
    if "delta" in rule:
        inputs.append(helper.make_tensor_value_info("beta", F, [B, T, beta_width]))
        names.append("beta")
    node = helper.make_node("LinearAttention", names, ["y", "state"], name="la",
                            q_num_heads=HQ, kv_num_heads=HKV, update_rule=rule)
    graph = helper.make_graph([node], "la", inputs,
                              [helper.make_tensor_value_info("y", F, None),
                               helper.make_tensor_value_info("state", F, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 27)])


def feeds_for(model):
    gen = np.random.default_rng(9)
    feeds = {}
    for value in model.graph.input:
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        data = gen.standard_normal(shape).astype(np.float32) * 0.5
        if value.name == "decay":
            data = -np.abs(data)  # log-decays
        if value.name == "beta":
            data = 1 / (1 + np.exp(-data))
        feeds[value.name] = data
    return feeds


@pytest.mark.parametrize("rule, decay_width, beta_width, past", [
    ("linear", HKV, HKV, True), ("gated", HKV * DK, HKV, True),
    ("delta", HKV, 1, False), ("gated_delta", HKV, HKV, True)])
def test_linear_attention_matches_onnx_reference(strata, tmp_path, rule, decay_width,
                                                 beta_width, past):
    from onnx.reference import ReferenceEvaluator
    model = linear_attention_model(rule, decay_width, beta_width, past)
    feeds = feeds_for(model)
    want = ReferenceEvaluator(model).run(None, feeds)
    lib = strata.compile(save_model(model, tmp_path, "la"), tmp_path / "out")
    got = strata.load(lib).run(feeds)
    for name, a, b in zip(("y", "state"), got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=name)


def test_rule_without_its_inputs_is_rejected(strata, tmp_path):
    model = linear_attention_model("linear")
    model.graph.node[0].attribute[-1].s = b"gated"
    with pytest.raises(strata.CompileError, match=r"node 'la' \(LinearAttention, opset 27\): "
                                                  r"update_rule 'gated' needs 'decay'"):
        strata.compile(save_model(model, tmp_path, "la"), tmp_path / "out")
