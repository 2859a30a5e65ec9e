"""Targets: strata-compile --target presets (host, x86-64, x86-64-v2/-v3/
-v4), what a library records of them (descriptor ABI v3), the runtime's
view of this CPU, and its refusal of a library that uses features the CPU
lacks (an error naming them, never SIGILL). The families themselves run at
every level in test_model_families.py."""

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import model_builders as mb
from harness import (check_against_onnxruntime, check_clean_failure,
                     check_tool_ok, run_tool, save_model)

LEVELS = ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")

#: Linux's /proc/cpuinfo flag for each feature name the runtime reports
#: (LLVM's spelling), where they differ.
CPUINFO_FLAG = {
    "sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "sahf": "lahf_lm",
    "bmi": "bmi1", "lzcnt": "abm", "pclmul": "pclmulqdq", "sha": "sha_ni",
    "prfchw": "3dnowprefetch", "avx512vnni": "avx512_vnni",
    "avx512bf16": "avx512_bf16", "avx512fp16": "avx512_fp16",
    "avx512vbmi2": "avx512_vbmi2", "avx512bitalg": "avx512_bitalg",
    "avx512vpopcntdq": "avx512_vpopcntdq",
    "avx512vp2intersect": "avx512_vp2intersect", "avxvnni": "avx_vnni",
    "avxifma": "avx_ifma", "avxvnniint8": "avx_vnni_int8",
    "avxneconvert": "avx_ne_convert", "amx-tile": "amx_tile",
    "amx-int8": "amx_int8", "amx-bf16": "amx_bf16",
}

#: Features one of which this machine lacks, whatever it is: AVX-512 on
#: Zen 3, AMX on Zen 5, AMD's FMA4 / XOP on Intel.
RARE_FEATURES = ("avx512f", "amx-tile", "avx512fp16", "fma4", "xop",
                 "avxneconvert")


def cpuinfo_flags():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    pytest.fail("/proc/cpuinfo has no flags line")


def all_feature_names(strata):
    return strata._strata.preset_features("x86-64-v4") + [
        "avx512vnni", "avx512bf16", "avx512fp16", "avx512vbmi", "avx512vbmi2",
        "avx512ifma", "avx512bitalg", "avx512vpopcntdq", "avx512vp2intersect",
        "avxvnni", "avxifma", "avxvnniint8", "avxneconvert", "gfni", "vaes",
        "vpclmulqdq", "pclmul", "aes", "sha", "adx", "prfchw", "fma4", "xop",
        "amx-tile", "amx-int8", "amx-bf16"]


def test_runtime_sees_what_the_kernel_sees(strata):
    """CPUID (with the OS's register support) against Linux's flags."""
    have = set(strata.cpu_features())
    flags = cpuinfo_flags()
    for name in all_feature_names(strata):
        flag = CPUINFO_FLAG.get(name, name)
        assert (name in have) == (flag in flags), (
            f"{name}: runtime says {name in have}, /proc/cpuinfo flag "
            f"{flag!r} says {flag in flags}")


def test_levels_nest_and_host_runs_its_level(strata):
    features = [set(strata._strata.preset_features(level)) for level in LEVELS]
    assert features[0] == set()
    for lower, higher in zip(features, features[1:]):
        assert lower < higher
    runnable = strata.runnable_targets()
    assert runnable[0] == "host" and "x86-64-v2" in runnable, runnable
    if "avx2" in strata.cpu_features() and "fma" in strata.cpu_features():
        assert "x86-64-v3" in runnable


@pytest.mark.parametrize("level", LEVELS)
def test_descriptor_records_the_target(strata, tmp_path, level):
    lib = strata.compile(save_model(mb.mlp(), tmp_path, "mlp"), tmp_path / "out",
                         target=level)
    required = set(strata._strata.preset_features(level))
    if not required <= set(strata.cpu_features()):
        with pytest.raises(strata.RunError, match=f"target '{level}'"):
            strata.load(lib)
        return
    loaded = strata.load(lib)
    assert (loaded.target, loaded.cpu) == (level, level)
    assert set(loaded.cpu_features) == required


def test_host_target_records_every_host_feature(strata, tools, tmp_path):
    lib = strata.compile(save_model(mb.mlp(), tmp_path, "mlp"), tmp_path / "out")
    info = check_tool_ok(run_tool([tools.run, "--info", lib])).stdout
    assert "target    'host'" in info and "runs here yes" in info, info
    loaded = strata.load(lib)
    assert loaded.target == "host"
    assert set(loaded.cpu_features) == set(strata.cpu_features())
    check_against_onnxruntime(strata, lib, mb.mlp())


def test_library_for_missing_feature_is_refused(strata, tools, tmp_path):
    lacking = [f for f in RARE_FEATURES if f not in strata.cpu_features()]
    assert lacking, "this CPU has every rare feature"
    feature = lacking[0]
    onnx_path = save_model(mb.mlp(), tmp_path, "mlp")
    lib = strata.compile(onnx_path, tmp_path / "out", target_features="+" + feature)
    with pytest.raises(strata.RunError,
                       match=rf"lacks: .*{re.escape(feature)}.*--target=x86-64"):
        strata.load(lib)
    proc = run_tool([tools.run, lib])
    check_clean_failure(proc, "uses CPU features that this CPU lacks", feature)
    # Inspecting it works, and says why it cannot run.
    inspected = strata.load(lib, inspect=True)
    assert feature in inspected.cpu_features
    assert "lacks: " in inspected.not_runnable, inspected.not_runnable
    with pytest.raises(strata.RunError, match="lacks: "):
        inspected.run([np.zeros(inspected.inputs[0][2], np.float32)])
    info = run_tool([tools.run, "--info", lib])
    assert info.returncode == 1, info
    assert "checksum  ok" in info.stdout, info.stdout
    assert f", {feature}" in info.stdout and "runs here no: " in info.stdout, info.stdout


def test_cli_target_errors_and_help(tools, tmp_path):
    onnx_path = save_model(mb.mlp(), tmp_path, "mlp")
    out = tmp_path / "out"
    check_clean_failure(run_tool([tools.compile, onnx_path, "-o", out,
                                  "--target=x86-64-v9"]),
                        "unknown target 'x86-64-v9'", "x86-64-v3")
    check_clean_failure(run_tool([tools.compile, onnx_path, "-o", out,
                                  "--mcpu=no-such-cpu"]), "unknown CPU 'no-such-cpu'")
    check_clean_failure(run_tool([tools.compile, onnx_path, "-o", out,
                                  "--mattr=+no-such-feature"]),
                        "unknown target feature 'no-such-feature'")
    check_clean_failure(run_tool([tools.compile, onnx_path, "-o", out,
                                  "--mattr=avx2"]), "must start with '+' or '-'")
    assert not out.exists() or not any(out.iterdir())
    help_text = check_tool_ok(run_tool([tools.compile, "--help"])).stdout
    for preset in ("host", *LEVELS):
        assert f"  {preset} " in help_text, help_text
    check_tool_ok(run_tool([tools.compile, onnx_path, "-o", out,
                            "--target=x86-64-v2"]))
    assert (out / "libmlp.so").is_file()
