"""First-divergence reports: a planted bug in a twin is found at the right cycle and port."""

from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

from scgen import hw, sim
from scgen.params import MulAndParams
from scgen.primitives import PRIMITIVES, Primitive, register
from scgen.sim.diverge import first_divergence

CYCLES = 5000

BugOut = namedtuple("BugOut", ["o"])


def buggy_mul_and(params, a, b):
    """The AND multiplier's twin with its operator changed to XOR (the planted bug)."""
    return BugOut((np.asarray(a, np.uint8) ^ np.asarray(b, np.uint8)).astype(np.uint8))


@pytest.fixture
def buggy():
    good = PRIMITIVES["mul_and"]
    prim = Primitive(
        "mul_and_bug", MulAndParams, hw.MulAnd, buggy_mul_and, good.stimulus, example=good.example
    )
    yield register(prim)
    del PRIMITIVES["mul_and_bug"]  # (monkeypatch.delitem would put it back at teardown)


@pytest.mark.verilator
def test_diverge_names_planted_bug(buggy, tmp_path):
    good = PRIMITIVES["mul_and"]
    params = MulAndParams()
    rng = np.random.default_rng(7)
    inputs = [good.stimulus(params, rng, CYCLES) for _ in range(2)]
    # instance 0 is correct everywhere; instance 1 uses the buggy twin
    duts = [good.hw(params), buggy.hw(params)]
    expected = [good.run_twin(params, inputs[0]), buggy.run_twin(params, inputs[1])]
    actual, _ = sim.run_many(duts, inputs, CYCLES, backend="verilator")
    report = first_divergence(
        expected,
        actual,
        inputs=inputs,
        labels=["mul_and", "mul_and_bug"],
        drivers=[{"o": "mul_and.o"}, {"o": "mul_and_bug.o"}],
    )
    a, b = inputs[1]["a"].astype(int), inputs[1]["b"].astype(int)
    # independent of both twins: AND and XOR differ exactly where a | b
    want_cycle = int(np.flatnonzero(a | b)[0])
    assert (report.instance, report.port, report.driver) == (1, "o", "mul_and_bug.o")
    assert report.cycle == want_cycle
    assert report.mismatches == int(np.count_nonzero(a | b))
    first, end = report.window
    assert first == max(0, want_cycle - 8) and end == want_cycle + 3
    assert report.inputs["a"].tolist() == a[first:end].tolist()
    assert report.actual["o"].tolist() == (a & b)[first:end].tolist()
    assert report.expected["o"].tolist() == (a ^ b)[first:end].tolist()
    report = report.write_vcd(duts, inputs, tmp_path / "div.vcd")
    text = report.vcd.read_text()
    assert "c1__o" in text and f"#{10 * end}" not in text and f"#{10 * first}" in text
    assert f"port 'o' driven by mul_and_bug.o, at cycle {want_cycle}" in str(report)


def test_diverge_equal_is_none():
    a = {"o": np.arange(10)}
    assert first_divergence([a], [{"o": np.arange(10)}]) is None


def test_diverge_earliest_over_instances():
    want = [{"o": np.zeros(20, int)}, {"o": np.zeros(20, int)}]
    got = [{"o": np.zeros(20, int)}, {"o": np.zeros(20, int)}]
    got[0]["o"][12] = 1
    got[1]["o"][5] = 1
    r = first_divergence(want, got)
    assert (r.instance, r.cycle, r.window, r.label) == (1, 5, (0, 8), "instance 1")


def test_diverge_missing_port_wrong():
    with pytest.raises(ValueError, match=r"^Instance 0 port 'o' is missing from the actual trace$"):
        first_divergence([{"o": np.zeros(3)}], [{}])


def test_diverge_shape_wrong():
    with pytest.raises(
        ValueError, match=r"^Instance 0 port 'o' must have shape \(3,\), not \(4,\)$"
    ):
        first_divergence([{"o": np.zeros(3)}], [{"o": np.zeros(4)}])


def test_diverge_count_wrong():
    with pytest.raises(
        ValueError, match=r"^Divergence needs as many actual traces as expected \(1\), not 0$"
    ):
        first_divergence([{"o": np.zeros(3)}], [])


def test_diverge_window_names_op():
    from scgen.ir import parse
    from scgen.ir.ports import random_inputs
    from scgen.sim import run_windows
    from scgen.sim.diverge import window_divergence

    graph = parse((Path(__file__).parents[1] / "examples" / "synapse.scir").read_text())
    twin = run_windows(graph, random_inputs(graph, 4, np.random.default_rng(0)))
    assert window_divergence(graph, twin.outputs, twin.outputs) is None
    bad = {k: v.copy() for k, v in twin.outputs.items()}
    bad["product"][2, 40] ^= 1
    bad["product"][3, 5] ^= 1
    want = int(twin.outputs["product"][2, 40])
    assert window_divergence(graph, twin.outputs, bad) == (
        "first divergence: output 'product' driven by '%4 = sc.and %2, %3', at window 2, "
        f"stream cycle 40: twin {want}, hardware {want ^ 1}"
    )
    bad["hits"][1] += 1
    assert window_divergence(graph, twin.outputs, bad).startswith(
        "first divergence: output 'hits' driven by '%5 = sc.popcount %4', at window 1: twin "
    )


@pytest.fixture
def buggy_op():
    """``mul_and_bug``: the AND multiplier's hardware with a twin that XORs, as an IR op;
    unregistered afterwards (from the registry and from the op table)."""
    from scgen.ir import OPS
    from scgen.primitives import IrSpec

    good = PRIMITIVES["mul_and"]
    prim = Primitive(
        "mul_and_bug",
        MulAndParams,
        hw.MulAnd,
        buggy_mul_and,
        good.stimulus,
        IrSpec(streams=("a", "b")),
        example=good.example,
    )
    yield register(prim)
    del PRIMITIVES["mul_and_bug"]
    OPS._ops.pop("mul_and_bug", None)
    assert "mul_and_bug" not in OPS


def _bug_graph(op_kind):
    from scgen.ir import GraphBuilder

    b = GraphBuilder("bug")
    x, w = b.input("x"), b.input("w")
    a, c = b.encode(x, length=64, seed=0xACE1), b.encode(w, length=64, seed=0xBEEF)
    prod = b.apply(op_kind, a, c)
    b.output("hits", b.popcount(prod))
    b.output("a", a)
    b.output("c", c)
    return b.build()


BUG_INPUTS = {"x": np.array([0.0, 0.0, 0.3, 0.7]), "w": np.array([0.0, 0.0, 0.0, 0.6])}


def _want_cycle():
    # independent of the buggy op: the good graph's streams; AND and XOR differ where a | c.
    # Windows 0 and 1 encode 0 and 0 (no bits), so the first difference is in window 2
    from scgen.sim import run_windows

    twin = run_windows(_bug_graph("mul_and"), BUG_INPUTS).outputs
    either = (twin["a"] | twin["c"]).astype(bool)
    window = int(np.flatnonzero(either.any(axis=1))[0])
    return window, int(np.flatnonzero(either[window])[0]), twin


@pytest.mark.verilator
def test_op_divergence_names_planted_op(buggy_op, tmp_path):
    from scgen.sim.diverge import op_divergence
    from scgen.sim.windows import harness_run

    graph = _bug_graph("mul_and_bug")
    window, k, twin = _want_cycle()
    _, _, starts, _ = harness_run([graph], [BUG_INPUTS], backend="pysim", seed=3)
    report = op_divergence(
        graph, BUG_INPUTS, backend="verilator", seed=3, vcd=tmp_path / "op.vcd", build_dir=tmp_path
    )
    assert report is not None
    # op 4 is %4 = sc.mul_and_bug (ops: 0 x, 1 w, 2 encode, 3 encode, 4 the bug, 5 popcount)
    assert (report.op, report.window, report.stream_cycle) == (4, window, k)
    assert report.cycle == int(starts[0][window]) + 1 + k
    assert report.text.startswith("%4 = sc.mul_and_bug %2, %3")
    assert 5 in report.also  # the popcount inherits the difference, later
    assert report.mismatches == int(np.count_nonzero(twin["a"] | twin["c"]))  # every window
    a, c = twin["a"][window], twin["c"][window]
    # the op's operands and result on the cycles leading to it, both sides
    assert list(report.ports.values()) == ["%2 (operand)", "%3 (operand)", "%4 (result)"]
    first, end = report.span
    assert (first, end) == (report.cycle - 8, report.cycle + 3)
    offset = int(starts[0][window]) + 1  # stream cycle 0 of the window
    rows = np.arange(first, end) - offset
    inside = (rows >= 0) & (rows < 64)
    got = dict(zip(report.ports.values(), report.actual.values(), strict=True))
    want = dict(zip(report.ports.values(), report.expected.values(), strict=True))
    assert got["%2 (operand)"][inside].tolist() == a[rows[inside]].tolist()
    assert got["%4 (result)"][inside].tolist() == (a & c)[rows[inside]].tolist()
    assert [int(v) for v in want["%4 (result)"][inside]] == (a ^ c)[rows[inside]].tolist()
    text = str(report)
    assert "op[4] '%4 = sc.mul_and_bug %2, %3" in text and f"at cycle {report.cycle}" in text
    vcd = report.vcd.read_text()
    assert "probe4" in vcd and f"#{10 * first}" in vcd and f"#{10 * end}" not in vcd


@pytest.mark.verilator
def test_op_divergence_through_verify(buggy_op, tmp_path, capsys):
    from scgen.cli import main

    path = tmp_path / "bug.scir"
    path.write_text(_bug_graph("mul_and_bug").to_text())
    assert main(["verify", str(path), "--windows", "6", "--out", str(tmp_path / "v")]) == 1
    out = capsys.readouterr().out
    for backend in ("pysim", "verilator"):
        line = next(x for x in out.splitlines() if x.startswith("first divergence inside") and
                    f"on {backend}:" in x)  # fmt: skip
        assert "op[4] '%4 = sc.mul_and_bug %2, %3" in line
    assert (tmp_path / "v" / "divergence-verilator.vcd").exists()


def test_op_divergence_none_when_equal():
    from scgen.sim.diverge import op_divergence

    assert op_divergence(_bug_graph("mul_and"), BUG_INPUTS, backend="pysim") is None
