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
