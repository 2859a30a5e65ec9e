"""A damaged copy of a compiled library never takes the process down: the
mutation harness (test/fuzz/mutate_library.py) truncates a library at 20
points and flips 40 random bits, and loads and runs each copy in
strata-run and in Python, each in a child process. Every run must end
with exit status 0 and the intact library's exact outputs, or exit status
1 with a message: no signal, no hang, no silently different output. The
runtime's checksum is what makes that hold for flips in the code and the
weights. `make fuzz` runs the harness with 50 truncations and 200 flips."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
import mutate_library  # noqa: E402


def test_truncations_and_bit_flips_end_in_an_error_or_the_same_outputs(
        build, capsys):
    status = mutate_library.main(["--build-dir", str(build), "--truncations", "20",
                                  "--flips", "40", "--seed", "7"])
    report = capsys.readouterr().out
    assert status == 0, report
    # Every copy was run by both tools and classified.
    assert "strata-run error" in report and "python     error" in report, report


def test_checksum_error_names_the_damage(strata, tools, build, tmp_path):
    import model_builders as mb
    from harness import run_tool, save_model
    lib = Path(strata.compile(save_model(mb.mlp(), tmp_path, "mlp"), tmp_path / "out"))
    assert strata.load(lib).checksum == "ok"
    data = bytearray(lib.read_bytes())
    data[len(data) // 2] ^= 0x10
    # Not named lib*.so: the symbols suite checks every library left here.
    damaged = tmp_path / "damaged-copy.so"
    damaged.write_bytes(bytes(data))
    with pytest.raises(strata.RunError, match="checksum mismatch .*: the file is damaged"):
        strata.load(damaged)
    info = run_tool([tools.run, "--info", damaged])
    assert info.returncode == 1 and "the file is damaged" in info.stdout, info
    assert strata.load(damaged, verify=False).checksum == "not verified"
    damaged.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(strata.RunError, match="truncated"):
        strata.load(damaged)
