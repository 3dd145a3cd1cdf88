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


@pytest.mark.verilator
def test_native_fst_matches_vcd(tmp_path):
    """An FST trace holds the same signals and values as the VCD of the same cycles."""
    import pywellen  # pinned in requirements.txt: missing, the test fails rather than skips

    rng = np.random.default_rng(6)
    inputs = [wide_stimulus(rng, 120)]
    waves = {}
    for suffix in ("vcd", "fst"):
        path = tmp_path / f"wave.{suffix}"
        sim.run_many([Wide()], inputs, 120, backend="verilator", trace=(path, 30, 70))
        waves[suffix] = pywellen.Waveform(str(path))
    assert waves["fst"].file_format == "FST" and waves["vcd"].file_format == "VCD"
    fst = {v.full_name: v for v in waves["fst"].all_vars()}
    vcd = {v.full_name: v for v in waves["vcd"].all_vars()}
    assert sorted(fst) == sorted(vcd) and any("n100" in name for name in fst)
    for name, var in vcd.items():
        assert fst[name].bitwidth == var.bitwidth, name
        for t in range(300, 700, 5):
            assert fst[name].signal.value_at(t) == var.signal.value_at(t), (name, t)
    assert vcd["top.clk"].signal.value_at(695) is not None


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


def _vcd_values(path, name):
    """``(time, value)`` changes of the first variable called ``name`` in a VCD file."""
    text = path.read_text()
    ident = next(
        line.split()[3]
        for line in text.splitlines()
        if line.split()[:1] == ["$var"] and line.split()[4] == name
    )
    changes, time = [], None
    for tok in text.split("$enddefinitions", 1)[1].split("\n"):
        tok = tok.strip()
        if tok.startswith("#"):
            time = int(tok[1:])
        elif tok[1:] == ident and tok[0] in "01":
            changes.append((time, int(tok[0])))
    return changes


def _value_at(changes, t):
    return [v for time, v in changes if time <= t][-1]


# where each backend's VCD shows cycle t settled (inputs set, before the rising edge)
TRACE_TIMES = {
    "verilator": lambda t: 10 * t + 1,  # the native harness: 10 units per cycle
    "pysim": lambda t: t * 10**9,  # 1 us per cycle, in fs
    "cocotb": lambda t: 10_000 * t + 7_500,  # 10 ns per cycle after the reset cycle, in ps
}


@pytest.mark.parametrize(
    "backend", ["pysim", pytest.param("verilator", marks=pytest.mark.verilator),
                pytest.param("cocotb", marks=pytest.mark.verilator)]
)  # fmt: skip
def test_trace_cycle_range_every_backend(backend, tmp_path):
    from scgen import hw
    from scgen.params import MulAndParams

    rng = np.random.default_rng(11)
    ins = {"a": rng.integers(0, 2, 40), "b": rng.integers(0, 2, 40)}
    first, end = 12, 30
    path = tmp_path / "t.vcd"
    out = sim.run(hw.MulAnd(MulAndParams()), ins, backend=backend, build_dir=tmp_path / "b",
                  trace=(path, first, end))  # fmt: skip
    assert out["o"].tolist() == (ins["a"] & ins["b"]).tolist()
    at = TRACE_TIMES[backend]
    a, o = _vcd_values(path, "c0__a"), _vcd_values(path, "c0__o")
    times = [t for t, _ in a + o]
    assert min(times) == _begin(backend, first)  # the cut opens with every value
    assert max(times) < _begin(backend, end)  # nothing of cycle `end` or later
    for t in range(first, end):
        assert _value_at(a, at(t)) == ins["a"][t], t
        assert _value_at(o, at(t)) == out["o"][t], t


def _begin(backend, t):
    """The time a cut starting at cycle ``t`` opens at on each backend."""
    return {"verilator": 10 * t, "pysim": (2 * t - 1) * 5 * 10**8, "cocotb": 10_000 * t + 5_000}[
        backend
    ]


def test_pysim_trace_whole_run(tmp_path):
    ins = wide_stimulus(np.random.default_rng(5), 20)
    sim.run_many([Wide()], [ins], 20, trace=tmp_path / "p.vcd")
    assert "$enddefinitions" in (tmp_path / "p.vcd").read_text()
    assert os.listdir(tmp_path) == ["p.vcd"]


def test_cut_vcd_not_vcd_wrong(tmp_path):
    from scgen.sim.vcd import cut_vcd

    (tmp_path / "x.vcd").write_text("hello\n")
    with pytest.raises(ValueError, match=r"^.*x\.vcd is not a VCD file \(no \$enddefinitions\)$"):
        cut_vcd(tmp_path / "x.vcd", tmp_path / "y.vcd", 0, 10)


def test_vcd_timescale_missing_wrong():
    from scgen.sim.vcd import vcd_units_per_second

    with pytest.raises(
        ValueError, match=r"^VCD header has no \$timescale; cannot map cycles to times$"
    ):
        vcd_units_per_second("$enddefinitions $end")
