"""scgen.snn: params checks, the twin against the plain-Python model (tests/reference.py),
twin == pysim == Verilator cycle for cycle on hypothesis networks, and folding that changes time
but never spikes."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen import sim, snn
from scgen.primitives import PRIMITIVES
from scgen.snn import Leak, Reset, SnnLayerParams, SnnNetwork, SnnParams, Synapse

from .reference import snn_run


def _layer(**kw):
    base = {"weight": [[1, 2], [3, -4], [5, 6]], "threshold": [10, 10, 10]}
    return SnnLayerParams(**{**base, **kw})


@st.composite
def networks(draw, max_layers=3, max_length=4):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 7))
    layers = []
    for _ in range(draw(st.integers(1, max_layers))):
        n_out = draw(st.integers(1, 6))
        ww = draw(st.integers(2, 9))
        mw = draw(st.integers(max(4, ww), 14))
        wlo, whi = -(1 << (ww - 1)), (1 << (ww - 1)) - 1
        mlo, mhi = -(1 << (mw - 1)), (1 << (mw - 1)) - 1
        leak = draw(st.sampled_from(list(Leak)))
        bf = draw(st.integers(1, 9))
        synapse = draw(st.sampled_from(list(Synapse)))
        length = 1 << draw(st.integers(0, min(ww - 1, max_length.bit_length() - 1)))
        layers.append(
            SnnLayerParams(
                weight=rng.integers(wlo, whi, (n_out, n), endpoint=True).tolist(),
                # small biases and thresholds keep the neurons spiking; some hit the corners
                bias=np.clip(rng.integers(-3, 4, n_out) * (whi // 2 + 1), mlo, mhi).tolist(),
                threshold=np.clip(rng.integers(-2, 6, n_out) * (whi + 1), mlo, mhi).tolist(),
                leak=leak,
                leak_shift=draw(st.integers(1, mw - 1)),
                beta=draw(st.integers(0, 1 << bf)),
                beta_fraction=bf,
                reset=draw(st.sampled_from(list(Reset))),
                v_reset=int(rng.integers(mlo, mhi, endpoint=True)) // 4,
                weight_width=ww,
                membrane_width=mw,
                pe=draw(st.integers(1, n_out)),
                synapse=synapse,
                stream_length=length if synapse is Synapse.STOCHASTIC else 1,
                seed=draw(st.integers(1, (1 << ww) - 1)),
                lfsr_width=draw(st.integers(ww, 16)),
            )
        )
        n = n_out
    return SnnParams(layers=tuple(layers)), seed


# bursts of back-to-back steps, idle gaps, starts while busy, sample restarts (the registry's)
_stimulus = PRIMITIVES["snn_network"].stimulus


def test_snn_known_answer():
    # one neuron, weights 3 and 5, shift leak k=1 (v - (v >> 1)), threshold 7, zero reset
    la = SnnLayerParams(weight=[[3, 5]], threshold=[7], leak_shift=1, membrane_width=8)
    spikes = np.array([[1, 1], [1, 0], [1, 0], [0, 0], [0, 1]], dtype=np.uint8)[:, None, :]
    # u: 8 (spike, v=0) | 3 | 2 + 3 = 5 | 3 | 2 + 5 = 7 (no spike: strict >)
    got = snn.run(SnnParams(layers=(la,)), spikes)
    assert got[:, 0, 0].tolist() == [1, 0, 0, 0, 0]


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(1, 12), st.integers(1, 3))
def test_snn_twin_matches_reference(net, steps, batch):
    params, seed = net
    spikes = (np.random.default_rng(seed).random((steps, batch, params.n_in)) < 0.5).astype(
        np.uint8
    )
    assert np.array_equal(snn.run(params, spikes), snn_run(params, spikes)[0])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_snn_twin_matches_pysim(net):
    params, seed = net
    inputs = _stimulus(params, np.random.default_rng(seed), 800)
    expected = snn.snn(params, **inputs)._asdict()
    actual = sim.run(SnnNetwork(params), inputs)
    problem = sim.first_mismatch(expected, actual)
    assert problem is None, f"{params!r}: {problem}"
    assert expected["done"].sum() > 0


def test_snn_folding_same_spikes_in_pysim():
    rng = np.random.default_rng(5)
    la = SnnLayerParams(
        weight=rng.integers(-60, 60, (5, 6)).tolist(), threshold=[40] * 5, leak_shift=2
    )
    lb = SnnLayerParams(weight=rng.integers(-60, 90, (3, 5)).tolist(), threshold=[30] * 3)
    params = SnnParams(layers=(la, lb))
    spikes = (rng.random((6, 2, 6)) < 0.6).astype(np.uint8)
    ref = snn.run(params, spikes)
    assert ref.sum() > 0
    for pes in ((1, 1), (5, 3), (2, 2)):
        assert np.array_equal(snn.run(params.with_pe(pes), spikes, backend="pysim"), ref)


@pytest.mark.verilator
def test_snn_twin_matches_verilator(tmp_path):
    configs = []

    @settings(max_examples=4, deadline=None, database=None)
    @given(networks())
    def collect(net):
        configs.append(net)

    collect()
    cycles = 20000
    inputs = [_stimulus(p, np.random.default_rng(s), cycles) for p, s in configs]
    traces, _ = sim.run_many(
        [SnnNetwork(p) for p, _ in configs], inputs, cycles, backend="verilator",
        build_dir=tmp_path,
    )  # fmt: skip
    for (params, _), ins, actual in zip(configs, inputs, traces, strict=True):
        problem = sim.first_mismatch(snn.snn(params, **ins)._asdict(), actual)
        assert problem is None, f"{params!r}: {problem}"


def test_snn_layer_weight_wrong():
    with pytest.raises(
        ValueError,
        match=r"^SNN layer weight\[1\]\[0\] must fit 4 signed bits \(\[-8, 7\]\), not 9$",
    ):
        _layer(weight=[[1, 2], [9, 0], [0, 0]], weight_width=4)


def test_snn_layer_weight_shape_wrong():
    with pytest.raises(
        ValueError,
        match=r"^SNN layer weight must be a non-empty \[out\]\[in\] table, not shape \(3,\)$",
    ):
        _layer(weight=[1, 2, 3])


def test_snn_layer_threshold_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN layer threshold must have one entry per neuron \(3\), not 2$"
    ):
        _layer(threshold=[1, 2])
    with pytest.raises(
        ValueError, match=r"^SNN layer threshold\[2\] must be between -128 and 127, not 200$"
    ):
        _layer(threshold=[1, 2, 200], membrane_width=8)


def test_snn_layer_pe_wrong():
    with pytest.raises(ValueError, match=r"^SNN layer pe must be between 1 and 3, not 4$"):
        _layer(pe=4)


def test_snn_layer_leak_wrong():
    with pytest.raises(ValueError, match=r"^'exp' is not a valid Leak$"):
        _layer(leak="exp")


def test_snn_network_chain_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN layer 1 must take 3 inputs \(layer 0's neurons\), not 2$"
    ):
        SnnParams(layers=(_layer(), _layer()))
    with pytest.raises(ValueError, match=r"^SNN network must have at least one layer, not 0$"):
        SnnParams(layers=())


def test_snn_run_spikes_wrong():
    params = SnnParams(layers=(_layer(),))
    with pytest.raises(
        ValueError, match=r"^SNN input spikes must have shape \(T, batch, 2\), not \(4, 3\)$"
    ):
        snn.run(params, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"^SNN input spikes must be 0 or 1, not 2$"):
        snn.run(params, np.full((1, 1, 2), 2))
    with pytest.raises(
        ValueError,
        match=r"^SNN backend must be one of 'reference', 'twin', 'pysim', 'verilator', not 'fpga'$",
    ):
        snn.run(params, np.zeros((1, 1, 2)), backend="fpga")


def test_snn_to_dict_round_trip():
    params = SnnParams(layers=(_layer(leak="multiply", beta=200, reset="subtract", pe=2),))
    assert snn.from_dict(snn.to_dict(params)) == params
    sc = params.with_synapse("stochastic", 4)
    assert snn.from_dict(snn.to_dict(sc)) == sc


def test_snn_estimate_and_fit():
    rng = np.random.default_rng(3)
    la = SnnLayerParams(weight=rng.integers(-9, 9, (32, 64)).tolist(), threshold=[30] * 32)
    lb = SnnLayerParams(weight=rng.integers(-9, 9, (10, 32)).tolist(), threshold=[30] * 10)
    params = SnnParams(layers=(la, lb))
    e = snn.estimate(params)
    assert e["cycles_per_step"] == 32 * 68 + 10 * 36 + 2
    fitted = snn.fit(params, "iCE40UP5K-SG48")
    f = snn.estimate(fitted)
    assert f["lut"] + f["ff"] <= 0.8 * 5280 and f["cycles_per_step"] < e["cycles_per_step"]
    # one more doubling of any layer would not fit, or that layer is fully parallel
    for k, layer in enumerate(fitted.layers):
        if layer.pe < layer.n_out:
            pes = [x.pe for x in fitted.layers]
            pes[k] = min(layer.n_out, 2 * layer.pe)
            g = snn.estimate(fitted.with_pe(tuple(pes)))
            assert g["lut"] + g["ff"] > 0.8 * 5280 or g["bram"] > 0.8 * 30


def test_snn_fit_device_wrong():
    params = SnnParams(layers=(_layer(),))
    with pytest.raises(ValueError, match=r"^SNN fit device must be one of .*, not 'xc7a35t'$"):
        snn.fit(params, "xc7a35t")


def test_snn_from_dict_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN network file format must be 'scgen.snn/1', not None$"
    ):
        snn.from_dict({})


@pytest.mark.parametrize("length", [4, 32])
def test_snn_stochastic_sum_approaches_exact(length):
    # an IF neuron with one input always on and a threshold it never reaches: |u| after T
    # steps (the peak) is T stochastic sums of L draws; a draw hits with p = |w| / 2**(ww - 1),
    # so the hit count has mean T L p and, the draws being disjoint windows of an m-sequence
    # (close to independent), a binomial spread; allow 5 sigma plus one for the LFSR's
    # missing zero state
    steps, ww = 64, 8
    for w in (1, 5, 37, 64, 100, -77, 127, -128):
        la = SnnLayerParams(
            weight=[[w]], threshold=[(1 << 30) - 1], leak="none", membrane_width=32,
            synapse="stochastic", stream_length=length, seed=0x1D3,
        )  # fmt: skip
        _, peak = snn.snn_steps(SnnParams(layers=(la,)), np.ones((steps, 1, 1), dtype=np.uint8))
        unit = (1 << (ww - 1)) // length
        hits, n, p = int(peak[0, 0]) / unit, steps * length, abs(w) / (1 << (ww - 1))
        assert abs(hits - n * p) <= 5 * np.sqrt(n * p * (1 - p)) + 1, (w, hits, n * p)
        if abs(w) == 1 << (ww - 1):
            assert int(peak[0, 0]) == steps * abs(w)  # p = 1: exactly the weight


def test_snn_stochastic_known_answer():
    # 4-bit weights, L = 2, LFSR width 4 (x^4 + x^3 + 1), seed 0b1001; 3 steps per draw, the
    # top 3 bits compared: states 1001 -> 0011 -> 0110 -> 1101 (draw 6), -> 1010 -> 0101 -> 1011
    # (draw 5); |w| = 6: hits 0 then 1 (5 < 6), each worth 2**3 / 2 = 4: u = 4, spike (> 3)
    la = SnnLayerParams(
        weight=[[6]], threshold=[3], weight_width=4, membrane_width=8, synapse="stochastic",
        stream_length=2, seed=0b1001, lfsr_width=4,
    )  # fmt: skip
    _, peak = snn.snn_steps(SnnParams(layers=(la,)), np.ones((1, 1, 1), dtype=np.uint8))
    assert int(peak[0, 0]) == 4


def test_snn_stochastic_steps_shorthand():
    params = SnnParams(layers=(_layer(),))
    spikes = (np.random.default_rng(2).random((5, 2, 2)) < 0.7).astype(np.uint8)
    out, _ = snn.snn_steps(params, spikes, stream_length=8)
    again, _ = snn.snn_steps(params.with_synapse("stochastic", 8), spikes)
    assert np.array_equal(out, again)
    assert params.with_synapse("stochastic", 8).layers[0].cycles() == 3 * (2 * 8 + 4)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_length=8), st.data())
def test_snn_stochastic_folding_same_spikes_in_pysim(net, data):
    # mixed exact and stochastic layers, several samples (first-step resets), two foldings
    params, seed = net
    rng = np.random.default_rng(seed)
    spikes = (rng.random((3, 2, params.n_in)) < 0.6).astype(np.uint8)
    ref = snn.run(params, spikes)
    assert np.array_equal(ref, snn_run(params, spikes)[0])
    pes = tuple(data.draw(st.integers(1, la.n_out)) for la in params.layers)
    assert np.array_equal(snn.run(params.with_pe(pes), spikes, backend="pysim"), ref)


@pytest.mark.verilator
def test_snn_stochastic_run_verilator_equals_twin(tmp_path):
    rng = np.random.default_rng(11)
    la = SnnLayerParams(
        weight=rng.integers(-100, 100, (6, 5)).tolist(), threshold=[30] * 6, leak_shift=2,
        synapse="stochastic", stream_length=8, seed=0xBEE, pe=3,
    )  # fmt: skip
    lb = SnnLayerParams(weight=rng.integers(-60, 90, (4, 6)).tolist(), threshold=[40] * 4, pe=2)
    lc = SnnLayerParams(
        weight=rng.integers(-8, 8, (3, 4)).tolist(), threshold=[2] * 3, weight_width=4,
        synapse="stochastic", stream_length=4, lfsr_width=11, seed=5,
    )  # fmt: skip
    params = SnnParams(layers=(la, lb, lc))
    spikes = (rng.random((5, 3, 5)) < 0.6).astype(np.uint8)
    want = snn.run(params, spikes)
    assert want.sum() > 0
    got = snn.run(params, spikes, backend="verilator", build_dir=tmp_path)
    assert np.array_equal(got, want)


def test_snn_layer_synapse_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN layer synapse must be one of 'exact', 'stochastic', not 'sc'$"
    ):
        _layer(synapse="sc")


def test_snn_layer_stream_length_wrong():
    with pytest.raises(
        ValueError,
        match=r"^SNN layer stream_length must be a power of two up to 2\*\*\(weight_width - 1\) "
        r"= 128, not 3$",
    ):
        _layer(synapse="stochastic", stream_length=3)
    with pytest.raises(
        ValueError,
        match=r"^SNN layer stream_length must be a power of two up to 2\*\*\(weight_width - 1\) "
        r"= 8, not 16$",
    ):
        _layer(synapse="stochastic", stream_length=16, weight_width=4)
    with pytest.raises(
        ValueError, match=r"^SNN layer stream_length must be 1 for exact synapses, not 4$"
    ):
        _layer(stream_length=4)
    with pytest.raises(ValueError, match=r"^SNN layer stream_length must be at least 1, not 0$"):
        _layer(synapse="stochastic", stream_length=0)


def test_snn_layer_seed_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN layer seed must be non-zero, not 0; a zero state locks the LFSR$"
    ):
        _layer(synapse="stochastic", seed=0)
    with pytest.raises(ValueError, match=r"^SNN layer seed must be between 1 and 1023, not 1024$"):
        _layer(synapse="stochastic", seed=1024, lfsr_width=10)


def test_snn_layer_lfsr_width_wrong():
    with pytest.raises(ValueError, match=r"^SNN layer lfsr_width must be between 8 and 32, not 7$"):
        _layer(synapse="stochastic", lfsr_width=7)
