"""scgen.snn per-neuron parameters (issue 18): beta, alpha and v_reset one per neuron, the twin
against the plain-Python model (tests/reference.py), twin == pysim cycle for cycle and over
samples at several foldings, one Verilator run, shared values unchanged, and the errors."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen import snn
from scgen.ir import parse
from scgen.sim import run_hardware, run_windows
from scgen.snn import Leak, SnnLayerParams, SnnParams

from .reference import snn_run
from .test_snn import test_snn_twin_matches_pysim as lif_twin_matches_pysim
from .test_snn_neurons import networks as neuron_networks


@st.composite
def networks(draw, max_layers=3):
    """test_snn_neurons' chains with some layers' beta, alpha and v_reset per neuron (the
    leaks then a multiply, mostly)."""
    params, seed = draw(neuron_networks(max_layers))
    layers = []
    for la in params.layers:
        top, n = 1 << la.beta_fraction, la.n_out
        mlo, mhi = -(1 << (la.membrane_width - 1)), (1 << (la.membrane_width - 1)) - 1
        fields = {}
        if draw(st.booleans()):
            fields["leak"] = Leak.MULTIPLY
            fields["beta"] = tuple(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)))
        if draw(st.booleans()):
            fields["syn_leak"] = Leak.MULTIPLY
            fields["alpha"] = tuple(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)))
        if draw(st.booleans()):
            small = st.integers(max(mlo, -40), min(mhi, 40))
            fields["v_reset"] = tuple(draw(st.lists(small, min_size=n, max_size=n)))
        layers.append(replace(la, **fields))
    return SnnParams(layers=tuple(layers)), seed


def _spikes(seed, shape):
    return (np.random.default_rng(seed).random(shape) < 0.5).astype(np.uint8)


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(1, 10), st.integers(1, 3))
def test_snn_perneuron_twin_matches_reference(net, steps, batch):
    params, seed = net
    spikes = _spikes(seed, (steps, batch, params.n_in))
    want_spikes, want_v = snn_run(params, spikes)
    np.testing.assert_array_equal(
        snn.run(params, spikes), want_v if params.readout else want_spikes
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_snn_perneuron_twin_matches_pysim(net):
    # every cycle's s_out and v_out, bursts, idle gaps and sample restarts (first)
    lif_twin_matches_pysim.hypothesis.inner_test(net)


@settings(max_examples=25, deadline=None)
@given(networks(), st.data())
def test_snn_perneuron_folding_changes_time_not_bits(net, data):
    params, seed = net
    pes = tuple(data.draw(st.integers(1, la.n_out)) for la in params.layers)
    spikes = _spikes(seed, (8, 2, params.n_in))
    np.testing.assert_array_equal(snn.run(params, spikes), snn.run(params.with_pe(pes), spikes))


def _perneuron(pe=(1, 1)):
    """A CUBA layer with per-neuron beta, alpha and v_reset into an LIF layer with per-neuron
    beta, and 3 samples of 8 steps."""
    rng = np.random.default_rng(11)
    la = SnnLayerParams(
        weight=rng.integers(-60, 90, (5, 6)).tolist(), threshold=[50] * 5, neuron="cuba",
        leak="multiply", beta=(250, 128, 0, 256, 200), syn_leak="multiply",
        alpha=(100, 200, 256, 30, 180), v_reset=(0, -20, 7, 3, -1), pe=pe[0],
    )  # fmt: skip
    lb = SnnLayerParams(
        weight=rng.integers(-60, 90, (3, 5)).tolist(), threshold=[40, 30, 20], leak="multiply",
        beta=(30, 7, 31), beta_fraction=5, membrane_width=12, v_reset=(-5, 0, 5), pe=pe[1],
    )  # fmt: skip
    return SnnParams(layers=(la, lb)), (rng.random((8, 3, 6)) < 0.6).astype(np.uint8)


def test_snn_perneuron_samples_in_pysim_at_every_folding():
    params, spikes = _perneuron()
    every, _ = snn.snn_steps(params, spikes)
    ref = snn.run(params, spikes)
    assert 0 < every.mean() < 1 and 0 < ref.mean() < 1
    np.testing.assert_array_equal(ref, snn_run(params, spikes)[0])
    for pes in ((1, 1), (5, 3), (2, 2), (3, 1)):
        got = snn.run(params.with_pe(pes), spikes, backend="pysim")
        np.testing.assert_array_equal(got, ref)


@pytest.mark.verilator
def test_snn_perneuron_verilator_equals_twin(tmp_path):
    params, spikes = _perneuron((2, 3))
    got = snn.run(params, spikes, backend="verilator", build_dir=tmp_path)
    np.testing.assert_array_equal(got, snn.run(params, spikes))


def test_snn_perneuron_equal_values_are_shared():
    # a tuple of equal values is the one value: the same params, ROM words and twin arrays
    la = SnnLayerParams(weight=[[1, 2], [3, 4]], threshold=[5, 6], leak="multiply", beta=200)
    lb = replace(la, beta=(200, 200), v_reset=[0, 0], alpha=(0, 0))
    assert lb == la and lb.beta == 200 and lb.neuron_fields() == ()
    assert lb.neuron_words() == la.neuron_words()


def test_snn_perneuron_rom_words():
    la = SnnLayerParams(
        weight=[[1], [2], [3]], threshold=[5, 6, 7], leak="multiply", beta=(1, 2, 3),
        beta_fraction=4, v_reset=(-1, 0, 1), membrane_width=8, pe=2,
    )  # fmt: skip
    assert la.neuron_fields() == (("beta", 5), ("v_reset", 8))
    assert la.neuron_word_width() == 29
    lane = lambda b, t, beta, vr: b | t << 8 | beta << 16 | (vr & 255) << 21  # noqa: E731
    assert la.neuron_words() == [
        lane(0, 5, 1, -1) | lane(0, 6, 2, 0) << 29,
        lane(0, 7, 3, 1) | lane(0, 127, 0, 0) << 29,
    ]
    # per-neuron values the neurons do not use (no multiply, no current) stay out of the ROM
    lb = replace(la, leak="shift", alpha=(1, 2, 3))
    assert lb.neuron_fields() == (("v_reset", 8),)
    config, _, neurons = SnnParams(layers=(lb,)).kernel_arrays()
    assert config.shape == (1, 27) and config[0, 24:].tolist() == [6, 9, 12]
    assert neurons.tolist() == [0, 0, 0, 5, 6, 7, 1, 2, 3, 1, 2, 3, -1, 0, 1]


def test_snn_perneuron_file_round_trip():
    params, _ = _perneuron((2, 3))
    assert snn.from_dict(snn.to_dict(params)) == params


def _layer(**kw):
    return SnnLayerParams(weight=[[1], [2]], threshold=[3, 4], **kw)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("beta", (1, 2, 3), r"SNN layer beta must be one integer or one per neuron \(2\), not 3 values"),
        ("alpha", (1,), r"SNN layer alpha must be one integer or one per neuron \(2\), not 1 values"),
        ("beta", (1, 257), r"SNN layer beta\[1\] must be between 0 and 256, not 257"),
        ("alpha", (-1, 2), r"SNN layer alpha\[0\] must be between 0 and 256, not -1"),
        ("v_reset", (0, 1 << 15), r"SNN layer v_reset\[1\] must be between -32768 and 32767, not 32768"),
        ("v_reset", (0, 1.5), r"SNN layer v_reset\[1\] must be an integer, not 1.5"),
    ],
)  # fmt: skip
def test_snn_perneuron_wrong(field, value, message):
    with pytest.raises((ValueError, TypeError), match=f"^{message}$"):
        _layer(**{field: value})


def test_snn_perneuron_graph_prints_parses_and_runs():
    # the per-neuron attributes print, parse back to the same graph, and twin == pysim on it
    params, spikes = _perneuron((2, 3))
    g = snn.network_graph(params, spikes.shape[0])
    assert g.verify() == []
    text = g.to_text()
    assert "beta_n=[250, 128, 0, 256, 200, 30, 7, 31]" in text
    assert "alpha_n=[100, 200, 256, 30, 180, 0, 0, 0]" in text
    assert "v_reset_n=[0, -20, 7, 3, -1, -5, 0, 5]" in text
    assert "beta=[0, 0]" in text and "v_reset=[0, 0]" in text
    assert parse(text) == g
    windows = {"spikes": spikes.transpose(1, 0, 2)}
    twin = run_windows(g, windows)
    hw = run_hardware([g], [windows], backend="pysim")[0]
    np.testing.assert_array_equal(hw.outputs["out"], twin.outputs["out"])
    # shared values print as before: no per-neuron attributes
    layers = tuple(replace(la, beta=5, alpha=5, v_reset=0) for la in params.layers)
    assert "_n=" not in snn.network_graph(SnnParams(layers=layers), 4).to_text()


def test_snn_perneuron_plan_feature():
    # a per-neuron beta or alpha is a variable multiply per lane: pe * mw * (beta_fraction + 1)
    from scgen.sweep.families import calibration_graphs
    from scgen.sweep.planner import op_features

    def features(graph):
        return next(f for _, _, f, _ in op_features(graph, "ice40") if "snn_layers" in f)

    (g,) = [g for g in calibration_graphs() if g.name == "cal_snn_16x8x4_pe4_2_beta_n"]
    assert features(g)["snn_varmul_bits"] == (4 + 2) * 16 * 9
    params, _ = _perneuron((2, 3))  # beta and alpha per neuron in layer 0, beta in layer 1
    assert features(snn.network_graph(params, 4))["snn_varmul_bits"] == 2 * 2 * 16 * 9 + 3 * 12 * 6
    layers = tuple(replace(la, beta=5, alpha=5) for la in params.layers)
    assert "snn_varmul_bits" not in features(snn.network_graph(SnnParams(layers=layers), 4))
