"""The planner: per-op estimates, held-out accuracy, the stream length for an error."""

import json
from pathlib import Path

import numpy as np
import pytest

from scgen.cli import main
from scgen.ir import GraphBuilder, parse
from scgen.ir.snn_op import snn_params
from scgen.sim import run_windows
from scgen.sweep.calibrate import data_path, load_rows, measure_graph
from scgen.sweep.families import (
    calibration_graphs,
    chain_graph,
    holdout_graphs,
    primitive_graph,
    snn_graph,
)
from scgen.sweep.planner import RESOURCES, load_model, plan, sobol_length_for, stream_length_for

ROOT = Path(__file__).resolve().parents[1]
SYNAPSE = (ROOT / "examples" / "synapse.scir").read_text()


def test_planner_data_is_the_families():
    """The committed measurements are of the graphs the families make now, none shared."""
    cal = load_rows(data_path("calibration", "ice40"))
    held = load_rows(data_path("holdout", "ice40"))
    made = {g.name: g.to_text() for g in calibration_graphs() + holdout_graphs(14)}
    assert len(cal) >= 20 and len(held) >= 10
    for r in cal + held:
        assert made[r["name"]] == r["graph"]
    assert not {r["graph"] for r in cal} & {r["graph"] for r in held}


# held-out graphs within LUT and FF ±20 %, BRAM exact, fmax ±25 %: what the committed data gives
HOLDOUT_WITHIN = {
    "ice40": {"n": 27, "lut": 27, "ff": 27, "bram": 27, "fmax_mhz": 27},
    "ecp5": {"n": 29, "lut": 28, "ff": 29, "bram": 29, "fmax_mhz": 29},
    "gowin": {"n": 29, "lut": 29, "ff": 29, "bram": 29, "fmax_mhz": 15},
}


@pytest.mark.parametrize("family", sorted(HOLDOUT_WITHIN))
def test_planner_holdout_within_limits(family):
    held = load_rows(data_path("holdout", family))
    ok = {"lut": 0, "ff": 0, "bram": 0, "fmax_mhz": 0}
    for r in held:
        p = plan(parse(r["graph"]), r["board"])
        got = {"lut": p.total["lut"], "ff": p.total["ff"], "fmax_mhz": p.fmax_mhz}
        for k, lim in (("lut", 0.2), ("ff", 0.2), ("fmax_mhz", 0.25)):
            ok[k] += abs(got[k] - r[k]) <= lim * r[k]
        ok["bram"] += round(p.total["bram"]) == r["bram"]
    assert {"n": len(held), **ok} == HOLDOUT_WITHIN[family]


def _committed_rows():
    for family in ("ice40", "ecp5", "gowin"):
        for kind in ("calibration", "holdout"):
            for r in load_rows(data_path(kind, family)):
                yield family, r, parse(r["graph"])


def test_planner_rom_rule_is_the_tools():
    """memory_libmap's choice as scgen.mapping models it: every committed build's block RAMs
    are its weight ROMs' blocks (iCE40, ECP5 and Gowin, both sides of each family's rule)."""
    from scgen.ir.core_ops import _dense_params
    from scgen.mapping import map_rom

    sides = set()
    for family, r, g in _committed_rows():
        producer = {op.result: op for op in g.ops if op.result is not None}
        blocks = 0
        for op in g.ops:
            if op.kind == "dense_forward":
                p = _dense_params(op, g.result_types(), producer)
                if p.uses_rom:
                    m = map_rom(family, p.n_weights, p.stream_length)
                    blocks += m.blocks
                    sides.add((family, m.blocks > 0, m.mux_bits > 0))
            if op.kind == "snn":  # each layer's weight ROM and bias/threshold ROM
                for la in snn_params(op).layers:
                    for width, depth in (
                        (la.pe * la.weight_width, la.groups() * la.n_in),
                        (la.pe * 2 * la.membrane_width, la.groups()),
                    ):
                        blocks += map_rom(family, width, depth).blocks
        assert r["bram"] == blocks, (family, r["name"])
    assert {(f, b) for f, b, _m in sides} == {(f, b) for f in HOLDOUT_WITHIN for b in (0, 1)}
    assert {f for f, _b, m in sides if m} == set(HOLDOUT_WITHIN)  # read muxes in front


def test_planner_dsp_rule_is_the_tools():
    """mul2dsp's choice as scgen.mapping models it: in every committed build whose only
    multiplies are constant factors, the DSPs are the factors it puts in DSPs."""
    from scgen.mapping import dsp_multiply

    checked = set()
    for family, r, g in _committed_rows():
        kinds = {op.kind for op in g.ops}
        if "scale" not in kinds or kinds & {"lif_step", "dense_forward"}:
            continue
        factors = [int(op.attr("factor") * 256) for op in g.ops if op.kind == "scale"]
        assert r["dsp"] == sum(dsp_multiply(family, 16, k) for k in factors), r["name"]
        checked.add((family, r["dsp"] > 0))
    assert checked == {(f, d) for f in HOLDOUT_WITHIN for d in (False, True)}


def test_planner_soft_multiply_per_constant():
    """A constant multiply in logic gets a feature of its own per odd part (what Yosys makes
    of x 3, x 5 and x 7 differs by 0 to 32 LUTs on Gowin); in a DSP it is ``rate_mul``."""
    from scgen.sweep.planner import op_features

    def features(factor, family):
        b = GraphBuilder("s")
        b.output("c", b.popcount(b.encode(b.scale(b.input("x"), factor), length=64)))
        return next(f for _i, k, f, _c in op_features(b.build(), family) if k == "scale")

    soft = {"rate_op": 1.0, "rate_mul": 0.0}
    assert features(0.75, "gowin") == soft | {"rate_clamps": 0.0, "rate_soft_mul3": 1.0}
    assert features(3.0, "gowin") == soft | {"rate_clamps": 1.0, "rate_soft_mul3": 1.0}
    assert features(0.625, "gowin") == soft | {"rate_clamps": 0.0, "rate_soft_mul5": 1.0}
    assert features(1.75, "gowin") == soft | {"rate_clamps": 1.0, "rate_soft_mul7": 1.0}
    assert features(0.5, "gowin") == soft | {"rate_clamps": 0.0}  # a shift
    dsp = {"rate_op": 1.0, "rate_mul": 1.0, "rate_clamps": 0.0}
    assert features(0.9, "gowin") == features(0.75, "ecp5") == features(0.75, "ice40") == dsp


def test_planner_fmax_range_is_the_calibration_spread():
    """The plan's fmax range is its estimate over the 5th and 95th percentile of the
    calibration builds' errors, which are recomputed here from the committed rows."""
    rows = load_rows(data_path("calibration", "gowin"))
    errs = [plan(parse(r["graph"]), r["board"]).fmax_mhz / r["fmax_mhz"] - 1 for r in rows]
    lo, hi = load_model("gowin").fmax_spread
    assert (lo, hi) == pytest.approx(tuple(np.quantile(errs, [0.05, 0.95])), abs=1e-4)
    assert lo < 0 < hi
    p = plan(parse(SYNAPSE), "tangnano9k")
    assert p.fmax_range == pytest.approx((p.fmax_mhz / (1 + hi), p.fmax_mhz / (1 + lo)))
    assert (
        f"fmax {p.fmax_mhz:.1f} MHz, off by {lo:+.0%} to {hi:+.0%} on 90 % of the {len(rows)} "
        f"gowin calibration builds: place and route {p.fmax_range[0]:.0f}-"
        f"{p.fmax_range[1]:.0f} MHz if this graph is like them"
    ) in p.format().splitlines()


def test_planner_per_op_sums():
    g = parse(SYNAPSE)
    p = plan(g, "icebreaker")  # its wall time is bench_planner's figure, not a test's
    assert p.total["lut"] == pytest.approx(sum(o["lut"] for o in p.ops))
    assert [o["kind"] for o in p.ops][:3] == ["window", "input", "input"]
    assert p.cycles_per_window == 1024 + 2 + 0
    assert p.needed_length == {"hits": 2500, "product": 2500}
    longer = chain_graph("g", chains=1, length=1 << 16)
    assert plan(longer, "icebreaker").total["ff"] > p.total["ff"]


def test_planner_stream_length_against_the_twin():
    """At the planned length the twin's product estimate has at most the stated error."""
    error = 0.02
    length = stream_length_for(error)
    b = GraphBuilder("syn")
    x, w = b.input("x"), b.input("w")
    b.output(
        "c",
        b.popcount(
            b.encode(x, length=length, seed=0xACE1) & b.encode(w, length=length, seed=0xBEEF)
        ),
    )
    rng = np.random.default_rng(3)
    xs, ws = rng.random(400), rng.random(400)
    counts = run_windows(b.build(), {"x": xs, "w": ws}).outputs["c"]
    rmse = np.sqrt(np.mean((counts / length - xs * ws) ** 2))
    assert rmse <= error
    assert stream_length_for(0.01) == 2500 and stream_length_for(0.01, p=0.1) == 900


def test_planner_sobol_length_against_the_twin():
    """Sobol streams: the discrepancy bound holds for every window at the planned length."""
    error = 0.05
    length = sobol_length_for(error, 2)
    g = primitive_graph("s", source="sobol", chains=1, length=length)
    assert plan(g, "icebreaker", error=error).needed_length == {"c0": length}
    rng = np.random.default_rng(4)
    xs, ws = rng.random(200), rng.random(200)
    counts = run_windows(g, {"x0": xs, "w0": ws}).outputs["c0"]
    assert np.abs(counts / length - xs * ws).max() <= error
    assert sobol_length_for(0.01, 1) == 2048


def test_planner_error_wrong():
    with pytest.raises(ValueError, match=r"^Planner error must be between 0 and 0.5, not 0.7$"):
        stream_length_for(0.7)


def test_planner_family_wrong(tmp_path, monkeypatch):
    from scgen.sweep import calibrate

    (tmp_path / "calibration-ice40.json").write_text(
        calibrate.data_path("calibration", "ice40").read_text()
    )
    monkeypatch.setattr(calibrate, "DATA", tmp_path)
    load_model.cache_clear()
    try:
        with pytest.raises(
            ValueError,
            match=r"^Planner family must be one with calibration data \(ice40\), not 'ecp5'; run python -m scgen.sweep.calibrate --board BOARD to make it$",
        ):
            plan(parse(SYNAPSE), "ulx3s-85f")
    finally:
        load_model.cache_clear()


def test_planner_kind_wrong():
    b = GraphBuilder("d")
    q = b.apply("jkdiv", b.encode(b.input("x"), length=64), b.encode(b.input("y"), length=64))
    b.output("q", b.popcount(q))
    with pytest.raises(
        ValueError,
        match=r"^Planner op kind must be one with a resource model \(OpKind.plan_features\), not 'jkdiv' \(op\[4\]\)$",
    ):
        plan(b.build(), "icebreaker")


def test_planner_feature_uncalibrated():
    from scgen.sweep.planner import Model

    model = Model("ice40", {r: {"window": 1.0} for r in RESOURCES}, {}, 1, ("window",))
    with pytest.raises(
        ValueError,
        match=r"^Planner model of family 'ice40' must be calibrated on every feature it is asked about, not without 'cordiv_lanes' \(op kind 'cordiv'\); add graphs with it to scgen.sweep.families.calibration_graphs and run python -m scgen.sweep.calibrate$",
    ):
        model.resources({"cordiv_lanes": 2.0}, "cordiv")


def test_cli_plan(tmp_path, capsys):
    (tmp_path / "g.scir").write_text(SYNAPSE)
    assert main(["plan", str(tmp_path / "g.scir"), "--board", "icebreaker"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("plan of graph sc_synapse on icebreaker (ice40):")
    assert "cycles per window: 1026 (stream length 1024)" in out


def test_cli_plan_snn(tmp_path, capsys):
    """A spiking network plans like any graph: its op's resources, its schedule per time step
    (the network's own cycle count) and the window, without synthesis (the wall time of a plan
    is benchmarks/bench_planner.py's, not a test's)."""
    g = snn_graph("plan_snn", sizes=(20, 10, 4), pe=(2, 1), steps=6, stochastic=4)
    (tmp_path / "g.scir").write_text(g.to_text())
    assert main(["plan", str(tmp_path / "g.scir"), "--board", "icebreaker"]) == 0
    out = capsys.readouterr().out
    params = snn_params(g.ops[1])
    row = next(line for line in out.splitlines() if line.startswith("op[1] snn "))
    assert float(row.split()[2]) > 0  # LUTs of the network
    assert (
        f"op[1] snn: 6 time steps of {params.step_cycles() + 2} cycles each (20->10 pe 2: "
        f"{params.layers[0].cycles()}, 10->4 pe 1: {params.layers[1].cycles()} cycles per step)"
    ) in out
    assert f"cycles per window: {6 * (params.step_cycles() + 2) + 1 + 2}" in out


@pytest.mark.slow
@pytest.mark.board
def test_planner_against_one_build():
    """One small real build (Yosys + nextpnr), not in either committed set."""
    g = chain_graph("one_build", chains=2, length=777)
    built, p = measure_graph(g, "icebreaker"), plan(g, "icebreaker")
    assert abs(p.total["lut"] - built["lut"]) <= 0.2 * built["lut"]
    assert abs(p.total["ff"] - built["ff"]) <= 0.2 * built["ff"]
    assert abs(p.fmax_mhz - built["fmax_mhz"]) <= 0.25 * built["fmax_mhz"]


def test_planner_nnls_equals_scipy():
    """The planner's own NNLS (no SciPy import when planning) reaches SciPy's optimum."""
    from scipy.optimize import nnls as scipy_nnls

    from scgen.sweep.planner import nnls

    rng = np.random.default_rng(11)
    for t in range(300):
        m, n = int(rng.integers(3, 40)), int(rng.integers(1, 25))
        a = rng.normal(size=(m, n)) * rng.random(n) * 10.0 ** int(rng.integers(-2, 3))
        if t % 3 == 0:
            a = np.abs(a)
        b = rng.normal(size=m) * 10
        ours, ref = nnls(a, b), scipy_nnls(a, b)[0]
        assert (ours >= 0).all()
        r_ours, r_ref = np.linalg.norm(a @ ours - b), np.linalg.norm(a @ ref - b)
        assert r_ours <= r_ref * (1 + 1e-6) + 1e-9


def test_planner_model_cache(tmp_path, monkeypatch):
    """The fitted model is kept in the cache folder and read back equal; a damaged file is
    refitted over."""
    monkeypatch.setenv("SCGEN_CACHE_DIR", str(tmp_path))
    load_model.cache_clear()
    try:
        fitted = load_model("ice40")
        (cached,) = (tmp_path / "planner").glob("ice40-*.json")
        load_model.cache_clear()
        assert load_model("ice40") == fitted
        cached.write_text("{not json")
        load_model.cache_clear()
        assert load_model("ice40") == fitted
        assert json.loads(cached.read_text())["coef"] == fitted.coef
    finally:
        load_model.cache_clear()


def test_planner_new_op_brings_its_features(monkeypatch):
    """An op kind defined outside the planner is planned from its own plan_features: the
    planner has no list of kinds."""
    from scgen.ir.ops import OPS, OpKind
    from scgen.ir.types import Bitstream
    from scgen.sweep.planner import op_features

    class Planted(OpKind):
        kind = "planted_not"
        operands = ("a",)

        def result(self, types, attrs):
            return Bitstream(types[0].length, types[0].encoding, types[0].source)

        def hardware(self, ctx, op, args):
            return ~args[0]

        def twin(self, ctx, op, args):
            return 1 - args[0]

        def plan_features(self, ctx, op):
            return {"and": 2.0}, 3  # as two AND gates' worth, for the test

    monkeypatch.setitem(OPS._ops, "planted_not", Planted())
    b = GraphBuilder("planted")
    b.output("c", b.popcount(b._value("planted_not", (b.encode(b.input("x"), length=64),), {})))
    g = b.build()
    rows = {k: (f, c) for _i, k, f, c in op_features(g, "ice40")}
    assert rows["planted_not"] == ({"and": 2.0}, 3)
    p = plan(g, "icebreaker")
    (planted,) = [o for o in p.ops if o["kind"] == "planted_not"]
    assert planted["chain"] == 3
