# amaranth: UnusedElaboratable=no
# (the error tests build components that are refused before elaboration)
"""The native Verilator harness: wide and signed ports, waveform windows, the model cache."""

import os

import numpy as np
import pytest
from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from scgen import sim
from scgen.sim import native

CYCLES = 3000
WIDTHS = {"n1": 1, "n33": 33, "n64": 64, "n100": 100}


class Wide(wiring.Component):
    """Registers and combinational paths on ports of 1, 33, 64 and 100 bits, signed and not."""

    def __init__(self):
        members = {}
        for name, w in WIDTHS.items():
            members[f"u{name}"] = In(w)
            members[f"s{name}"] = In(signed(w))
            members[f"ru{name}"] = Out(w)
            members[f"cs{name}"] = Out(signed(w))
        super().__init__(members)

    def elaborate(self, platform):
        m = Module()
        for name in WIDTHS:
            reg = Signal.like(getattr(self, f"ru{name}"))
            m.d.sync += reg.eq(getattr(self, f"u{name}") + 1)
            m.d.comb += getattr(self, f"ru{name}").eq(reg)
            m.d.comb += getattr(self, f"cs{name}").eq(getattr(self, f"s{name}") - reg)
        return m


def wide_stimulus(rng, cycles):
    out = {}
    for name, w in WIDTHS.items():
        dtype = object if w > 63 else np.int64
        u = rng.integers(0, 2**31, (cycles, 4)).tolist()
        u = [(a << 93 | b << 62 | c << 31 | d) & ((1 << w) - 1) for a, b, c, d in u]
        out[f"u{name}"] = np.array(u, dtype=dtype)
        out[f"s{name}"] = np.array([v - (1 << w) if v >> (w - 1) else v for v in u[::-1]], dtype)
    return out


@pytest.mark.verilator
def test_native_wide_signed_ports_match_pysim():
    rng = np.random.default_rng(3)
    inputs = [wide_stimulus(rng, CYCLES), wide_stimulus(rng, CYCLES)]
    want, _ = sim.run_many([Wide(), Wide()], inputs, CYCLES)
    got, _ = sim.run_many([Wide(), Wide()], inputs, CYCLES, backend="verilator")
    for w, g in zip(want, got, strict=True):
        assert sorted(w) == sorted(g)
        for port in w:
            assert w[port].dtype == g[port].dtype, port
            assert w[port].tolist() == g[port].tolist(), port


@pytest.mark.verilator
def test_native_trace_window_and_cache(tmp_path):
    rng = np.random.default_rng(4)
    inputs = [wide_stimulus(rng, 200)]
    vcd = tmp_path / "w" / "wave.vcd"
    traced, _ = sim.run_many([Wide()], inputs, 200, backend="verilator", trace=(vcd, 50, 60))
    text = vcd.read_text()
    stamps = [int(line[1:]) for line in text.splitlines() if line.startswith("#")]
    assert min(stamps) == 500 and max(stamps) == 595
    assert "cs_n100" in text or "csn100" in text
    plain, _ = sim.run_many([Wide()], inputs, 200, backend="verilator")
    assert all(traced[0][p].tolist() == plain[0][p].tolist() for p in plain[0])
    # the model is reused: the cache holds one traced and one plain binary
    models = [p for p in native.cache_dir().iterdir() if (p / native.WRAPPER).exists()]
    before = {p: (p / native.WRAPPER).stat().st_mtime_ns for p in models}
    sim.run_many([Wide()], inputs, 200, backend="verilator")
    after = {p: (p / native.WRAPPER).stat().st_mtime_ns for p in models}
    assert before == after


def test_native_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SCGEN_CACHE_DIR", str(tmp_path / "c"))
    assert native.cache_dir() == tmp_path / "c" / "verilator"
    monkeypatch.delenv("SCGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert native.cache_dir() == tmp_path / "x" / "scgen" / "verilator"


def test_native_trace_suffix_wrong(tmp_path):
    with pytest.raises(
        ValueError, match=r"^Trace file must end in \.vcd or \.fst, not '.*w\.txt'$"
    ):
        sim.run_many([Wide()], [{}], 10, backend="verilator", trace=tmp_path / "w.txt")


def test_native_trace_range_wrong(tmp_path):
    with pytest.raises(
        ValueError, match=r"^Trace cycle range must satisfy 0 <= first <= end, not \(5, 2\)$"
    ):
        sim.run_many([Wide()], [{}], 10, backend="verilator", trace=(tmp_path / "w.vcd", 5, 2))


def test_native_trace_kind_wrong():
    with pytest.raises(TypeError, match=r"^Trace must be a path or \(path, first, end\), not 3$"):
        sim.run_many([Wide()], [{}], 10, backend="verilator", trace=3)


def test_native_fst_unavailable(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "_fst_available", lambda: False)
    with pytest.raises(
        sim.SimulatorNotFound,
        match=r"^FST traces need lz4\.h, which is not installed; install liblz4-dev ",
    ):
        native.build_native([Wide()], trace_format="fst")


def test_native_threads_wrong():
    with pytest.raises(
        ValueError, match=r"^Native harness threads must be a positive integer, not 0$"
    ):
        native.build_native([Wide()], threads=0)


def test_native_input_shape_wrong():
    with pytest.raises(
        ValueError, match=r"^Harness input 'un1' of instance 0 must have shape \(10,\), not \(9,\)$"
    ):
        ins = wide_stimulus(np.random.default_rng(0), 10)
        ins["un1"] = ins["un1"][:9]
        sim.run_many([Wide()], [ins], 10, backend="verilator")


def test_native_input_missing_wrong():
    with pytest.raises(ValueError, match=r"^Harness input 'un1' of instance 0 is missing$"):
        sim.run_many([Wide()], [{}], 10, backend="verilator")


def test_native_cycles_wrong():
    with pytest.raises(ValueError, match=r"^Cycle count must be a non-negative integer, not -1$"):
        sim.run_many([Wide()], [{}], -1, backend="verilator")


def test_pysim_trace_range_wrong(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"^The pysim backend traces whole runs \(0, 10\), not \(2, 5\); use "
        r"backend='verilator' for a cycle range$",
    ):
        sim.run_many([Wide()], [{}], 10, trace=(tmp_path / "w.vcd", 2, 5))


def test_pysim_trace_whole_run(tmp_path):
    ins = wide_stimulus(np.random.default_rng(5), 20)
    sim.run_many([Wide()], [ins], 20, trace=tmp_path / "p.vcd")
    assert "$enddefinitions" in (tmp_path / "p.vcd").read_text()
    assert os.listdir(tmp_path) == ["p.vcd"]
