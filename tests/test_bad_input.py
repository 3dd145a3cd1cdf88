"""Bad input to every command gives one sentence and exit 1 or 2, never a traceback (issue 15)."""

import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from scgen.cli import main
from scgen.ir import Rate, UInt, parse
from scgen.ir.values import parse_input_items, port_values
from scgen.sim import run_windows

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "examples" / "demo.scir"

U8 = """sc.graph @g {
  %0 = sc.input "x" : u8
  %1 = sc.input "p" : rate
  %2 = sc.encode %1, length=16, seed=0xACE1 : bitstream<16>
  %3 = sc.popcount %2, width=5 : u5
  sc.output "y" %0
  sc.output "c" %3
}
"""


def run(argv, capsys) -> tuple[int, str]:
    """Run the command as ``python -m scgen`` would: (exit code, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 1
        else:
            code = exc.code
    return code, capsys.readouterr().err


@pytest.fixture
def u8(tmp_path):
    path = tmp_path / "u8.scir"
    path.write_text(U8)
    return path


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("x=300", "Input 'x' of type u8 must be an integer within [0, 255], not 300"),
        ("x=3.7", "Input 'x' of type u8 must be an integer, not 3.7"),
        ("x=-0.5", "Input 'x' of type u8 must be an integer, not -0.5"),
        ("x=-1", "Input 'x' of type u8 must be an integer within [0, 255], not -1"),
        ("x=0xBEEF", "Input 'x' of type u8 must be an integer within [0, 255], not 48879"),
        ("p=nan", "Input 'p' of type rate must be a probability, not nan"),
        ("p=1.5", "Input 'p' of type rate must be a probability within [0, 1], not 1.5"),
        ("p=-0.5", "Input 'p' of type rate must be a probability within [0, 1], not -0.5"),
        ("p=1e999", "Input 'p' of type rate must be a probability within [0, 1], not inf"),
        ("q=1", "--input 'q' is not an input of graph 'g' (its inputs: x, p)"),
        ("x=abc", "--input x values must be numbers, not 'abc'"),
        ("x", "--input must be NAME=V1,V2,..., not 'x'"),
    ],
)
def test_sim_input_wrong(u8, capsys, given, message):
    defaults = {"x": "x=1", "p": "p=0.5"}
    defaults.pop(given.split("=")[0], None)
    argv = ["sim", u8, "--input", given, *[a for v in defaults.values() for a in ("--input", v)]]
    assert run(argv, capsys) == (1, f"scgen: {message}\n")


def test_sim_hex_and_clamp(u8, capsys):
    assert run(["sim", u8, "--input", "x=0x80", "--input", "p=0.5"], capsys) == (0, "")
    assert main(["sim", str(u8), "--input", "x=300", "--input", "p=1.5", "--clamp"]) == 0
    out = capsys.readouterr().out
    assert "note: input 'x': 1 value(s) clamped to [0, 255]" in out
    assert "note: input 'p': 1 value(s) clamped to [0, 1]" in out
    assert out.splitlines()[-1].split() == ["0", "255", "1", "255", "16"]


def test_twin_and_library_refuse_what_the_port_cannot_hold(u8):
    graph = parse(U8)
    with pytest.raises(ValueError, match=r"^Input 'x' of type u8 must be an integer within "):
        run_windows(graph, {"x": [300], "p": [0.5]})
    with pytest.raises(ValueError, match=r"^Input 'x' of type u8 takes one value per window "):
        run_windows(graph, {"x": [[1, 2], [3, 4]], "p": [0.5, 0.5]})
    assert port_values("p", Rate(), [0.0, 0.5, 1.0]).tolist() == [0, 32768, 65535]
    assert port_values("x", UInt(64), [(1 << 64) - 1]).tolist() == [(1 << 64) - 1]
    notes = []
    assert port_values("x", UInt(8), [-3, 9, 999], clamp=True, clamped=notes.append).tolist() == [
        0,
        9,
        255,
    ]
    assert notes == ["input 'x': 2 value(s) clamped to [0, 255]"]
    with pytest.raises(ValueError, match=r"^--input 'x' is given twice$"):
        parse_input_items(["x=1", "x=2"], ["x"], "g")


def test_sim_npz_wrong(u8, tmp_path, capsys):
    missing = tmp_path / "none.npz"
    assert run(["sim", u8, "--inputs", missing], capsys) == (
        1,
        f"scgen: cannot read --inputs {missing}: No such file or directory\n",
    )
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not numpy at all")
    code, err = run(["sim", u8, "--inputs", junk], capsys)
    assert code == 1 and err.startswith(f"scgen: --inputs {junk} must be a .npz or .npy file")
    assert err.count("\n") == 1
    objects = tmp_path / "obj.npz"
    np.savez(objects, x=np.array([1, "a"], dtype=object), p=np.array([0.5]))
    code, err = run(["sim", u8, "--inputs", objects], capsys)
    assert code == 1 and "numpy cannot load (Object arrays cannot be loaded" in err
    strings = tmp_path / "str.npz"
    np.savez(strings, x=np.array(["1", "2"]), p=np.array([0.5]))
    assert run(["sim", u8, "--inputs", strings], capsys) == (
        1,
        "scgen: Input 'x' of type u8 must be numbers, not an array of <U1 ('1' ...)\n",
    )
    flat = tmp_path / "flat.npz"
    np.savez(flat, x=np.ones((2, 3), dtype=np.int64), p=np.array([0.5]))
    assert run(["sim", u8, "--inputs", flat], capsys) == (
        1,
        "scgen: Input 'x' of type u8 takes one value per window (a 1-D array), not an array "
        "of shape (2, 3)\n",
    )
    extra = tmp_path / "extra.npz"
    np.savez(extra, x=np.array([1]), p=np.array([0.5]), q=np.array([1]))
    assert run(["sim", u8, "--inputs", extra], capsys) == (
        1,
        f"scgen: --inputs {extra} has 'q', which is not an input of graph 'g' (its inputs: x, p)\n",
    )


def test_sim_without_outputs(tmp_path, capsys):
    path = tmp_path / "none.scir"
    path.write_text('sc.graph @g {\n  %0 = sc.input "x" : rate\n}\n')
    assert run(["sim", path, "--input", "x=0.5"], capsys) == (
        1,
        "scgen: graph 'g' has no outputs, so there is nothing to show\n",
    )


def _commands(path):
    return [
        ["sim", path],
        ["verify", path, "--no-verilator"],
        ["emit", path, "-o", path.with_suffix(".sv")],
        ["build", path, "--board", "icebreaker", "-o", path.parent / "b"],
        ["run", path, "--board", "icebreaker", "--port", "loop://"],
    ]


@pytest.mark.parametrize("command", range(5))
def test_binary_graph_wrong(tmp_path, capsys, command):
    path = tmp_path / "bin.scir"
    path.write_bytes(b"sc.graph @g {\n\xff\xfe\x00\x01}\n")
    assert run(_commands(path)[command], capsys) == (
        1,
        f"scgen: {path} must be UTF-8 text (a .scir graph), not bytes such as b'\\xff' at "
        f"offset 14\n",
    )
    nul = tmp_path / "nul.scir"
    nul.write_bytes(b"\x00" * 64)
    code, err = run(_commands(nul)[command], capsys)
    assert code == 1 and err == f"scgen: {nul}: line 1, column 1: unexpected character '\\x00'\n"


def test_dev_zero_graph_wrong(capsys):
    assert run(["sim", "/dev/zero"], capsys) == (
        1,
        "scgen: /dev/zero is larger than the 64 MiB a graph file may be\n",
    )


def test_emit_output_wrong(tmp_path, capsys):
    assert run(["emit", DEMO, "-o", tmp_path], capsys) == (
        1,
        f"scgen: -o {str(tmp_path)!r} is a folder; give the path of a file to write\n",
    )
    (tmp_path / "f").write_text("")
    assert run(["emit", DEMO, "-o", tmp_path / "f" / "x.sv"], capsys) == (
        1,
        f"scgen: cannot write -o {str(tmp_path / 'f' / 'x.sv')!r}: {str(tmp_path / 'f')!r} is a "
        f"file, not a folder\n",
    )
    if Path("/dev/full").is_char_device():
        assert run(["emit", DEMO, "-o", "/dev/full"], capsys) == (
            1,
            "scgen: cannot write -o '/dev/full': No space left on device\n",
        )
        assert Path("/dev/full").is_char_device()  # written to, never replaced


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_emit_read_only_folder_wrong(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    assert run(["emit", DEMO, "-o", ro / "x.sv"], capsys) == (
        1,
        f"scgen: cannot write -o {str(ro / 'x.sv')!r}: Permission denied\n",
    )


@pytest.mark.parametrize("mhz", ["0", "-5", "nan", "inf"])
def test_build_clock_wrong(tmp_path, capsys, mhz):
    argv = ["build", DEMO, "--board", "icebreaker", "-o", tmp_path / "b", "--clock-mhz", mhz]
    assert run(argv, capsys) == (
        2,
        f"scgen build: --clock-mhz must be a finite number between 0.1 and 1000, not {mhz!r} "
        f"(see scgen build --help)\n",
    )


def test_build_root_wrong(capsys):
    code, err = run(["build", DEMO, "--board", "icebreaker", "-o", "/"], capsys)
    assert code == 2 and err.startswith("scgen: Build folder '/' holds ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["verify", DEMO, "--seed", "-1"],
            "scgen verify: --seed must be an integer between 0 and 18446744073709551615, "
            "not '-1' (see scgen verify --help)",
        ),
        (
            ["run", DEMO, "--board", "icebreaker", "--port", "x", "--baud", "-9600"],
            "scgen run: --baud must be an integer between 1 and 50000000, not '-9600' "
            "(see scgen run --help)",
        ),
        (
            ["run", DEMO, "--board", "icebreaker", "--port", "x", "--timeout", "nan"],
            "scgen run: --timeout must be a finite number between 0.001 and 3600, not 'nan' "
            "(see scgen run --help)",
        ),
        (
            ["run", DEMO, "--board", "icebreaker", "--port", "x", "--timeout", "inf"],
            "scgen run: --timeout must be a finite number between 0.001 and 3600, not 'inf' "
            "(see scgen run --help)",
        ),
        (
            ["sim", DEMO, "--windows", "0"],
            "scgen sim: --windows must be an integer between 1 and 4294967296, not '0' "
            "(see scgen sim --help)",
        ),
    ],
)
def test_usage_wrong(capsys, argv, message):
    assert run(argv, capsys) == (2, message + "\n")


def test_run_port_wrong(capsys):
    argv = ["run", DEMO, "--board", "icebreaker", "--port", "bogus://x"]
    argv += ["--input", "x=0.5", "--input", "w=0.5"]
    assert run(argv, capsys) == (
        1,
        "scgen: cannot open --port 'bogus://x': invalid URL, protocol 'bogus' not known\n",
    )


def test_memory_budget(u8, capsys, monkeypatch):
    monkeypatch.setenv("SCGEN_MEMORY_BUDGET", str(1 << 30))
    argv = ["sim", u8, "--windows", "1000000000", "--input", "x=1", "--input", "p=0.5"]
    assert run(argv, capsys) == (
        1,
        "scgen: scgen sim of 1000000000 window(s) of 16 cycles needs about 1.1 TiB, over the "
        "memory budget of 1.0 GiB (a quarter of this machine's memory, or SCGEN_MEMORY_BUDGET); "
        "ask for fewer windows or a shorter stream\n",
    )
    code, err = run(["verify", u8, "--windows", "100000000", "--no-verilator"], capsys)
    assert code == 1 and err.startswith("scgen: scgen verify of 100000000 window(s)")
    long = u8.with_name("long.scir")
    long.write_text(
        U8.replace("length=16", "length=4294967296")
        .replace("<16>", "<4294967296>")
        .replace("width=5 : u5", "width=33 : u33")
    )
    code, err = run(["sim", long, "--input", "x=1", "--input", "p=0.5"], capsys)
    assert code == 1 and "1 window(s) of 4294967296 cycles needs about 256.0 GiB" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vec<" * 2000 + "u8" + ", 2>" * 2000, "brackets may nest at most 64 deep, not deeper"),
        ("u" + "9" * 5000, "a number may have at most 400 characters, not 5000"),
    ],
)
def test_parser_limits_wrong(text, message):
    from scgen.ir import ParseError

    with pytest.raises(ParseError, match=rf"^line 2, column \d+: {message}$"):
        parse(f'sc.graph @g {{\n  %0 = sc.input "x" : {text}\n}}\n')
    with pytest.raises(ParseError, match=r"^line 2, column 20: a number may have at most 400 "):
        parse("sc.graph @g {\n  %0 = sc.constant " + "9" * 4400 + " : u8\n}\n")
    with pytest.raises(ParseError, match=r"brackets may nest at most 64 deep"):
        parse("sc.graph @g {\n  %0 = sc.constant " + "[" * 3000 + " : u8\n}\n")


def test_library_numpy_integers_and_bad_seeds():
    from scgen import sw
    from scgen.params import LfsrParams, LifParams
    from scgen.sw.rng import Xoshiro256pp

    assert LfsrParams(width=np.int64(16), seed=np.uint16(5)) == LfsrParams(width=16, seed=5)
    assert type(LfsrParams(width=np.int64(16)).width) is int
    with pytest.raises(TypeError, match=r"^Xoshiro256\+\+ seed must be an integer, not 1\.5$"):
        Xoshiro256pp(1.5)
    with pytest.raises(
        ValueError,
        match=r"^LFSR taps must be distinct exponents between 1 and the width 16, including 16, "
        r"not \(\)$",
    ):
        LfsrParams(taps=())
    n, z = 8, np.zeros(8, np.int64)
    with pytest.raises(
        TypeError,
        match=r"^LIF out v must be a signed integer array of at least 16 bits for data_width 16, "
        r"not int8$",
    ):
        sw.lif(LifParams(), z + 300, z + 1, z + 256, out=(np.empty(n, np.uint8), np.empty(n, "i1")))


def test_sim_run_refuses_stimulus_the_port_cannot_hold():
    from scgen import sim
    from scgen.hw import Counter
    from scgen.params import CounterParams

    dut = Counter(CounterParams())
    with pytest.raises(
        ValueError, match=r"^Stimulus of 1-bit unsigned port 'x' must be within \[0, 1\], not 2$"
    ):
        sim.run(dut, {"start": np.zeros(4, np.int64), "x": np.array([0, 1, 2, 0])})
    with pytest.raises(
        ValueError, match=r"^Stimulus of 1-bit unsigned port 'x' must be integers, not 0\.5$"
    ):
        sim.run(dut, {"start": np.zeros(2), "x": np.array([0.5, 1.0])})
    dut._MustUse__silence = True  # refused before it was elaborated


def test_unverified_graph_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.scir"
    path.write_text(_synapse_clk_text())
    for argv in (["sim", path, "--input", "clk=0.5"], ["emit", path, "-o", tmp_path / "x.sv"]):
        code, err = run(argv, capsys)
        assert code == 1 and err == (
            f"scgen: {path}: op[0] (input): input name must not be one of the ports scgen adds "
            f"(clk, rst, start, busy, done), not 'clk' (and 1 more; scgen verify lists them all)\n"
        )


def _synapse_clk_text() -> str:
    return (
        'sc.graph @g {\n  %0 = sc.input "clk" : rate\n  %1 = sc.input "done" : rate\n'
        "  %2 = sc.encode %0, length=16 : bitstream<16>\n  %3 = sc.popcount %2, width=5 : u5\n"
        '  sc.output "c" %3\n}\n'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "Input 'x' of type rate must be a probability within [0, 1], not 1.5"),
        (-0.5, "Input 'x' of type rate must be a probability within [0, 1], not -0.5"),
        (math.inf, "Input 'x' of type rate must be a probability within [0, 1], not inf"),
        (math.nan, "Input 'x' of type rate must be a probability, not nan"),
    ],
)
def test_host_link_refuses_rates_the_port_cannot_hold(value, message):
    from scgen.host.protocol import port_values as link_values

    graph = parse((ROOT / "examples" / "demo.scir").read_text())
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        link_values(graph, {"x": value, "w": 0.5})
