"""The five model families of test/python/model_families.py, compiled
through strata.compile and compared end to end with onnxruntime (fp32:
rtol 1e-4, atol 1e-5 as everywhere; see harness.py)."""
import re

import numpy as np
import pytest

import model_families as families
from harness import check_against_onnxruntime, random_inputs, save_model


def compile_model(strata, tmp_path, model, name):
    return strata.compile(save_model(model, tmp_path, name), tmp_path / "out", name=name)


def test_resnet_symbolic_batch_1_3_8(strata, tmp_path):
    """One library for every batch size (the runtime's batch loop)."""
    model = families.resnet()
    lib = compile_model(strata, tmp_path, model, "resnet")
    for batch in (1, 3, 8):
        image = np.random.default_rng(batch).standard_normal((batch, 3, 16, 16)).astype(np.float32)
        outputs = check_against_onnxruntime(strata, lib, model, {"image": image})
        assert outputs["logits"].shape == (batch, 10)


def test_mobilenet_v2(strata, tmp_path):
    model = families.mobilenet_v2()
    check_against_onnxruntime(strata, compile_model(strata, tmp_path, model, "mobilenet"), model)


def test_transformer_encoder(strata, tmp_path):
    model = families.transformer_encoder()
    feeds = random_inputs(model)
    feeds["mask"] = families.attention_mask()
    check_against_onnxruntime(strata, compile_model(strata, tmp_path, model, "encoder"), model, feeds)


def test_detection_head(strata, tmp_path):
    model = families.detection_head()
    check_against_onnxruntime(strata, compile_model(strata, tmp_path, model, "detect"), model)


def test_lstm_text_classifier(strata, tmp_path):
    model = families.lstm_classifier()
    token_ids = np.random.default_rng(5).integers(0, 20, (7, 1)).astype(np.int64)
    check_against_onnxruntime(strata, compile_model(strata, tmp_path, model, "lstm"), model,
                              {"token_ids": token_ids})


#: The x86-64 levels a library can be compiled for besides the host. A
#: level the host runs is compared with onnxruntime like the host's code
#: (so an AVX-512 machine also tests the AVX2 and SSE code paths); a level
#: it lacks must be refused at load, naming the missing features.
LEVELS = ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")
FAMILIES = {
    "resnet": (families.resnet, lambda m: None),
    "mobilenet": (families.mobilenet_v2, lambda m: None),
    "encoder": (families.transformer_encoder,
                lambda m: dict(random_inputs(m), mask=families.attention_mask())),
    "detect": (families.detection_head, lambda m: None),
    "lstm": (families.lstm_classifier,
             lambda m: {"token_ids": np.random.default_rng(5).integers(
                 0, 20, (7, 1)).astype(np.int64)}),
}


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_at_x86_level(strata, tmp_path, family, level):
    build_model, make_feeds = FAMILIES[family]
    model = build_model()
    lib = strata.compile(save_model(model, tmp_path, family), tmp_path / "out",
                         name=family, target=level)
    if level in strata.runnable_targets():
        check_against_onnxruntime(strata, lib, model, make_feeds(model))
        assert strata.load(lib).target == level
        return
    missing = sorted(set(strata._strata.preset_features(level)) -
                     set(strata.cpu_features()))
    assert missing, f"{level} is not runnable, yet no feature is missing"
    with pytest.raises(strata.RunError, match=f"lacks: .*{re.escape(missing[0])}"):
        strata.load(lib)
