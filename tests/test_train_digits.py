"""examples/train_digits.py: train an SC classifier, deploy it, and check hardware == twin."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from scgen.ir import GraphBuilder
from scgen.ir.graph import Op
from scgen.ir.ports import LoweringError
from scgen.ir.ports import const_value as _const_value
from scgen.ir.types import parse_type
from scgen.sim import run_hardware, run_windows

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train_digits.py"


def _example():
    if "train_digits" not in sys.modules:
        spec = importlib.util.spec_from_file_location("train_digits", EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        sys.modules["train_digits"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["train_digits"]


def _dense_graph(weights, as_constant):
    b = GraphBuilder("d")
    x = b.input("x", "vec<rate,2>")
    w = b.constant(tuple(weights), "vec<rate,6>") if as_constant else b.input("w", "vec<rate,6>")
    b.output(
        "s",
        b.dense_forward(
            x,
            w,
            leak=b.constant(3, "i16"),
            gain=b.constant(300, "i16"),
            n_inputs=2,
            n_neurons=3,
            stream_length=40,
            y_max=700,
        ),
    )
    return b.build().check()


def test_vector_constant_weights_lower_like_inputs():
    rng = np.random.default_rng(5)
    weights = rng.random(6)
    xs = rng.random((5, 2))
    const = run_windows(_dense_graph(weights, True), {"x": xs})
    fed = run_windows(_dense_graph(weights, False), {"x": xs, "w": np.tile(weights, (5, 1))})
    np.testing.assert_array_equal(const.outputs["s"], fed.outputs["s"])
    assert const.outputs["s"].any()
    hw = run_hardware([_dense_graph(weights, True)], [{"x": xs}], backend="pysim")[0]
    np.testing.assert_array_equal(hw.outputs["s"], const.outputs["s"])


def test_vector_constant_wrong_length():
    op = Op("constant", 0, (), (("value", (0.5, 0.25)), ("type", parse_type("vec<rate,3>"))))
    with pytest.raises(
        LoweringError,
        match=r"^constant of type vec<rate,3> has 2 elements, "
        r"not 3$",
    ):
        _const_value(op)


def test_readout_gain_is_a_power_of_two_within_the_drive():
    td = _example()
    cfg = td.Config(readout_drive=40.0)
    f = np.full((4, 2), 0.5)
    w = np.array([[1.0, 1.0], [0.5, 0.0]])  # leading neuron: 1 hit per cycle on average
    assert td.readout_gain(w, f, cfg) == 32
    assert td.readout_gain(w, f, td.Config(rate_gain=3)) == 3


def test_spike_counts_read_every_bit():
    td = _example()
    words = np.array([[0b101, 0b001, 0b100], [0, 0b010, 0b010]])
    np.testing.assert_array_equal(td.spike_counts(words, 3), [[2, 0, 2], [0, 2, 0]])


@pytest.mark.verilator
def test_train_digits_short_form(tmp_path):
    td = _example()
    cfg = td.quick_config(str(tmp_path / "out"))
    summary = td.run(cfg, log=lambda *a: None)
    v = summary["verilator"]
    assert v["images"] == cfg.verilator_images
    assert v["cycles_equal"] and v["counts_equal"] and v["predictions_equal"]
    assert v["mismatched_windows"] == 0
    # 8 pooled pixels, 10 epochs: far above chance (10 %), far below the full network
    assert summary["trained_float"] > 0.55
    assert all(a > 0.5 for a in summary["sc_engine"].values())
    out = Path(cfg.out)
    assert (out / "accuracy.png").stat().st_size > 1000
    assert json.loads((out / "summary.json").read_text())["float_baseline"] > 0.7
    assert "hardware-exact twin" in (out / "summary.md").read_text()
    assert "sc.dense_forward" in (out / "digits.scir").read_text()


@pytest.mark.slow
@pytest.mark.verilator
def test_train_digits_full(tmp_path):
    td = _example()
    summary = td.run(td.Config(out=str(tmp_path / "out")), log=lambda *a: None)
    v = summary["verilator"]
    assert v["images"] >= 200
    assert v["cycles_equal"] and v["counts_equal"] and v["predictions_equal"]
    assert summary["float_baseline"] - summary["sc_engine"]["1024"] <= 0.03
