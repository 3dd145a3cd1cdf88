"""scgen.snn neuron models (issue 18): CUBA populations with a synaptic current and a final LI
readout, alone and behind stochastic synapses, the twin against the plain-Python model
(tests/reference.py), twin == pysim == Verilator cycle for cycle at several foldings, the sc.snn
op's attributes and readout type, the NIR CubaLIF/LI quantiser (also with synapse=) against the
float reference (snnTorch 1.0.0's Synaptic export), and the error messages."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen import snn
from scgen.ir import SInt, Vec, parse
from scgen.sim import run_hardware, run_windows
from scgen.snn import Leak, Neuron, SnnLayerParams, SnnParams
from scgen.sw.snn import pack_membranes, unpack_membranes

from .reference import snn_run
from .test_snn import networks as lif_networks
from .test_snn import test_snn_twin_matches_pysim as lif_twin_matches_pysim

FIXTURES = Path(__file__).parent / "fixtures" / "nir"


@st.composite
def networks(draw, max_layers=3):
    """test_snn's chains (exact and stochastic synapses) with every layer made LIF or CUBA, the
    last one maybe LI/CUBA_LI."""
    params, seed = draw(lif_networks(max_layers))
    layers = []
    for k, la in enumerate(params.layers):
        last = k == len(params.layers) - 1
        layers.append(
            replace(
                la,
                neuron=draw(st.sampled_from(list(Neuron) if last else [Neuron.LIF, Neuron.CUBA])),
                syn_leak=draw(st.sampled_from(list(Leak))),
                syn_leak_shift=draw(st.integers(1, la.membrane_width - 1)),
                alpha=draw(st.integers(0, 1 << la.beta_fraction)),
            )
        )
    return SnnParams(layers=tuple(layers)), seed


def _spikes(seed, shape):
    return (np.random.default_rng(seed).random(shape) < 0.5).astype(np.uint8)


def test_snn_cuba_known_answer():
    # one CUBA neuron, weight 4, current leak alpha = 1/2 (shift 1), membrane leak none
    la = SnnLayerParams(weight=[[4]], threshold=[9], leak="none", neuron="cuba", syn_leak_shift=1)
    spikes = np.array([1, 1, 0, 0, 0], dtype=np.uint8)[:, None, None]
    # i: 4 | 2 + 4 = 6 | 3 | 2 (1.5 floored) | 1; v: 4 | 10 spike -> 0 | 3 | 5 | 6
    got = snn.run(SnnParams(layers=(la,)), spikes)
    assert got[:, 0, 0].tolist() == [0, 1, 0, 0, 0]


def test_snn_li_known_answer():
    # LI readout: v <- v - (v >> 1) + bias + sum, no threshold (10 would have spiked)
    lb = SnnLayerParams(weight=[[6, -2]], bias=[1], threshold=[0], leak_shift=1, neuron="li")
    spikes = np.array([[1, 0], [1, 1], [0, 0]], dtype=np.uint8)[:, None, :]
    got = snn.run(SnnParams(layers=(lb,)), spikes)
    # 7 | 7 - 3 + 1 + 4 = 9 | 9 - 4 + 1 = 6
    assert got.dtype == np.int64 and got[:, 0, 0].tolist() == [7, 9, 6]


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(1, 10), st.integers(1, 3))
def test_snn_neurons_twin_matches_reference(net, steps, batch):
    params, seed = net
    spikes = _spikes(seed, (steps, batch, params.n_in))
    want_spikes, want_v = snn_run(params, spikes)
    got = snn.run(params, spikes)
    np.testing.assert_array_equal(got, want_v if params.readout else want_spikes)
    every, _ = snn.snn_steps(params, spikes)
    n_last = params.n_out
    if params.readout:  # the spiking layers before the readout keep their spikes
        np.testing.assert_array_equal(every[:, :, -n_last:], want_v)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_snn_neurons_twin_matches_pysim(net):
    # every cycle's s_out and v_out, bursts, idle gaps and sample restarts (first): the LIF
    # test's own check (tests/test_snn.py) on these networks
    lif_twin_matches_pysim.hypothesis.inner_test(net)


@settings(max_examples=25, deadline=None)
@given(networks(), st.data())
def test_snn_neurons_folding_changes_time_not_bits(net, data):
    # the one folding test of the twin: these networks mix LIF, CUBA and readouts with exact
    # and stochastic synapses
    params, seed = net
    pes = tuple(data.draw(st.integers(1, la.n_out)) for la in params.layers)
    other = params.with_pe(pes)
    spikes = _spikes(seed, (8, 2, params.n_in))
    np.testing.assert_array_equal(snn.run(params, spikes), snn.run(other, spikes))
    # a synaptic current costs one more pipeline stage per group, after the synaptic phase
    # (n_in * L cycles when stochastic)
    assert other.step_cycles() == len(pes) - 1 + sum(
        -(-la.n_out // p) * (la.n_in * la.stream_length + 4 + la.has_current)
        for la, p in zip(params.layers, pes, strict=True)
    )


def _cuba_li(pe=(1, 1), synapse="exact"):
    """A CUBA layer into an LI readout and 3 samples of 6 steps; ``synapse="stochastic"``
    makes the CUBA layer's synapses stochastic (L = 4) and the readout's too (L = 2)."""
    rng = np.random.default_rng(7)
    sc = synapse == "stochastic"
    la = SnnLayerParams(
        weight=rng.integers(-60, 90, (5, 6)).tolist(), threshold=[50] * 5, neuron="cuba",
        syn_leak="multiply", alpha=200, leak_shift=2, pe=pe[0], synapse=synapse,
        stream_length=4 if sc else 1, seed=0x2B7,
    )  # fmt: skip
    lb = SnnLayerParams(
        weight=rng.integers(-60, 60, (3, 5)).tolist(), bias=[3, -2, 0], threshold=[0] * 3,
        neuron="li", membrane_width=12, pe=pe[1], synapse=synapse, stream_length=2 if sc else 1,
        seed=0x51, lfsr_width=10,
    )  # fmt: skip
    return SnnParams(layers=(la, lb)), (rng.random((6, 3, 6)) < 0.6).astype(np.uint8)


def test_snn_neurons_samples_in_pysim_at_every_folding():
    params, spikes = _cuba_li()
    ref = snn.run(params, spikes)
    assert np.abs(ref).max() > 50 and len(np.unique(ref)) > 20
    for pes in ((1, 1), (5, 3), (2, 2)):
        got = snn.run(params.with_pe(pes), spikes, backend="pysim")
        np.testing.assert_array_equal(got, ref)


@pytest.mark.verilator
def test_snn_neurons_verilator_equals_twin(tmp_path):
    params, spikes = _cuba_li((2, 3))
    got = snn.run(params, spikes, backend="verilator", build_dir=tmp_path)
    np.testing.assert_array_equal(got, snn.run(params, spikes))


# ---------------------------------------------------------------------------------------------
# stochastic synapses and neuron models together


@st.composite
def composed_networks(draw):
    """:func:`networks` (exact and stochastic LIF/CUBA layers mixed) with its first layer made
    stochastic with a current (CUBA, or CUBA_LI when it is the only layer) and its last one an
    LI or CUBA_LI readout, so that every example composes the two features and shows the
    membranes; streams of 2 or 4 keep pysim quick."""
    params, seed = draw(networks(max_layers=3))
    layers = list(params.layers)
    length = 1 << draw(st.integers(1, min(layers[0].weight_width - 1, 2)))
    current = Neuron.CUBA if len(layers) > 1 else Neuron.CUBA_LI
    layers[0] = replace(layers[0], neuron=current, synapse="stochastic", stream_length=length)
    if len(layers) > 1:
        layers[-1] = replace(layers[-1], neuron=draw(st.sampled_from([Neuron.LI, Neuron.CUBA_LI])))
    return SnnParams(layers=tuple(layers)), seed


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(composed_networks(), st.data())
def test_snn_stochastic_cuba_twin_pysim_and_folding(net, data):
    # several samples (each first step resets membranes, currents and LFSRs): twin == the
    # plain-Python model == pysim at another folding, and the twin at a third folding
    params, seed = net
    spikes = _spikes(seed, (4, 2, params.n_in))
    ref = snn.run(params, spikes)  # the readout's membranes after each step
    np.testing.assert_array_equal(ref, snn_run(params, spikes)[1])
    for _ in range(2):
        pes = tuple(data.draw(st.integers(1, la.n_out)) for la in params.layers)
        np.testing.assert_array_equal(snn.run(params.with_pe(pes), spikes), ref)
    pes = tuple(data.draw(st.integers(1, la.n_out)) for la in params.layers)
    np.testing.assert_array_equal(snn.run(params.with_pe(pes), spikes, backend="pysim"), ref)
    # the stochastic layer with a current: n_in * L synaptic cycles, then five pipeline stages
    la = params.layers[0]
    assert la.group_cycles() == la.n_in * la.stream_length + 5


def test_snn_stochastic_cuba_li_samples_in_pysim_at_every_folding():
    params, spikes = _cuba_li(synapse="stochastic")
    ref = snn.run(params, spikes)
    assert not np.array_equal(ref, snn.run(params.with_synapse("exact"), spikes))
    np.testing.assert_array_equal(ref, snn_run(params, spikes)[1])
    assert [la.group_cycles() for la in params.layers] == [6 * 4 + 5, 5 * 2 + 4]
    for pes in ((1, 1), (5, 3)):
        got = snn.run(params.with_pe(pes), spikes, backend="pysim")
        np.testing.assert_array_equal(got, ref)


def test_snn_estimate_stochastic_cuba_adds_both_costs():
    # a stochastic CUBA layer costs the LFSR's registers and the current's, and its cycles
    base = _layer(weight=[[1, 2, 3]] * 4, threshold=[9] * 4, pe=2)
    sc = {"synapse": "stochastic", "stream_length": 8}
    kinds = {"lif": {}, "cuba": {"neuron": "cuba"}, "sc": sc, "both": {"neuron": "cuba", **sc}}
    cost = {k: snn.estimate(SnnParams(layers=(replace(base, **kw),))) for k, kw in kinds.items()}
    for key in ("lut", "ff"):
        assert cost["both"][key] - cost["lif"][key] == (
            cost["cuba"][key] - cost["lif"][key] + cost["sc"][key] - cost["lif"][key]
        )
    assert cost["both"]["cycles_per_step"] == 2 * (3 * 8 + 5) + 1


def test_snn_registry_examples_compose():
    # the registry's examples (pysim and Verilator equivalence tests) meet stochastic CUBA layers
    from scgen.primitives import PRIMITIVES

    examples = [PRIMITIVES["snn_network"].example(np.random.default_rng(s)) for s in range(40)]
    assert any(la.stochastic and la.has_current for p in examples for la in p.layers)


@pytest.mark.verilator
def test_snn_stochastic_cuba_li_verilator_equals_twin(tmp_path):
    params, spikes = _cuba_li((2, 3), synapse="stochastic")
    got = snn.run(params, spikes, backend="verilator", build_dir=tmp_path)
    np.testing.assert_array_equal(got, snn.run(params, spikes))


def test_snn_membrane_words_round_trip():
    rng = np.random.default_rng(3)
    for n, width in ((3, 12), (6, 16)):  # 36 bits in int64, 96 bits as Python ints
        v = rng.integers(-(1 << (width - 1)), 1 << (width - 1), (4, n))
        words = pack_membranes(v, width)
        assert words.dtype == (np.int64 if n * width <= 63 else object)
        np.testing.assert_array_equal(unpack_membranes(words, n, width), v)


# ---------------------------------------------------------------------------------------------
# the sc.snn op


@pytest.mark.parametrize("synapse", ["exact", "stochastic"])
def test_snn_neurons_graph_prints_parses_and_runs(synapse):
    # the neuron attributes, and with stochastic synapses both attribute sets in one op (a
    # stochastic CUBA layer into a stochastic LI readout): print -> parse is the identity, the
    # result is the readout's vec, and twin == pysim on the graph
    params, spikes = _cuba_li((2, 3), synapse)
    g = snn.network_graph(params, spikes.shape[0])
    assert g.verify() == []
    text = g.to_text()
    assert 'neuron="cuba,li"' in text and 'syn_leak="multiply,shift"' in text
    assert "alpha=[200, 0]" in text and text.rstrip().count(": vec<i12,3>") == 1
    sc = ('synapse="stochastic,stochastic"', "stream_length=[4, 2]", "seed=[695, 81]",
          "lfsr_width=[16, 10]")  # fmt: skip
    assert [a in text for a in sc] == [synapse == "stochastic"] * len(sc)
    assert parse(text) == g
    assert g.result_types()[g.outputs[0].operands[0]] == Vec(SInt(12), 3)
    want = snn.run(params, spikes)[-1]  # the membranes after the last step
    windows = {"spikes": spikes.transpose(1, 0, 2)}
    twin = run_windows(g, windows)
    np.testing.assert_array_equal(unpack_membranes(twin.outputs["out"], 3, 12), want)
    hw = run_hardware([g], [windows], backend="pysim")[0]
    np.testing.assert_array_equal(hw.outputs["out"], twin.outputs["out"])


def test_snn_lif_graph_text_has_no_neuron_attributes():
    # an exact LIF network prints neither the neuron nor the synapse attributes
    la = SnnLayerParams(weight=[[1, 2]], threshold=[1])
    text = snn.network_graph(SnnParams(layers=(la,)), 2).to_text()
    for attr in ("neuron=", "syn_leak", "alpha=", "synapse=", "stream_length=", "seed=", "lfsr"):
        assert attr not in text, attr


def test_snn_graph_neuron_wrong():
    params, _ = _cuba_li()
    text = snn.network_graph(params, 6).to_text().replace('neuron="cuba,li"', 'neuron="cuba"')
    problems = parse(text).verify()
    assert [p.message for p in problems] == [
        "parameters: sc.snn neuron must name one mode per layer (2), not 'cuba'"
    ]


def test_snn_sim_cli_shows_membranes_and_argmax(tmp_path, capsys):
    from scgen.cli import main

    params, spikes = _cuba_li()
    (tmp_path / "g.scir").write_text(snn.network_graph(params, 6).to_text())
    np.savez(tmp_path / "in.npz", spikes=spikes)
    assert main(["sim", str(tmp_path / "g.scir"), "--inputs", str(tmp_path / "in.npz")]) == 0
    want = snn.run(params, spikes)[-1]
    text = capsys.readouterr().out
    for row in want:
        assert f"values {row.tolist()} argmax {int(row.argmax())}" in text


def test_snn_nir_run_cli_shows_membranes(tmp_path, capsys):
    import json

    from scgen.cli import main

    params, spikes = _cuba_li()
    (tmp_path / "net.json").write_text(json.dumps(snn.to_dict(params)))
    np.savez(tmp_path / "in.npz", spikes=spikes)
    argv = ["nir", "run", str(tmp_path / "net.json"), "--inputs", str(tmp_path / "in.npz"),
            "--save", str(tmp_path / "out.npz")]  # fmt: skip
    assert main(argv) == 0
    want = snn.run(params, spikes)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npz")["membranes"], want)
    row, text = want[-1, 2], capsys.readouterr().out
    assert f"sample 2: membranes {row.tolist()} argmax {int(row.argmax())}" in text


def test_snn_readout_over_the_host_link(tmp_path, capsys):
    # scgen run over a simulated UART (pysim): the membranes after the last step, as the twin
    pytest.importorskip("nir")  # test_snn_graph's module needs it
    from .test_snn_graph import run_over_host_link

    params, spikes = _cuba_li((5, 3))
    spikes = spikes[:, :2]
    g = snn.network_graph(params, spikes.shape[0], name="readout")
    saved = run_over_host_link(g, spikes, tmp_path)
    want = snn.run(params, spikes)[-1]
    np.testing.assert_array_equal(saved["out"], want)
    row, text = want[1], capsys.readouterr().out
    assert f"window 1: out values {row.tolist()} argmax {int(row.argmax())}" in text


# ---------------------------------------------------------------------------------------------
# errors


def _layer(**kw):
    base = {"weight": [[1, 2], [3, -4], [5, 6]], "threshold": [10, 10, 10]}
    return SnnLayerParams(**{**base, **kw})


def test_snn_layer_neuron_wrong():
    with pytest.raises(ValueError, match=r"^'adex' is not a valid Neuron$"):
        _layer(neuron="adex")
    with pytest.raises(ValueError, match=r"^'exp' is not a valid Leak$"):
        _layer(syn_leak="exp")


def test_snn_layer_current_leak_wrong():
    with pytest.raises(
        ValueError, match=r"^SNN layer syn_leak_shift must be between 1 and 7, not 8$"
    ):
        _layer(neuron="cuba", syn_leak_shift=8, membrane_width=8)
    with pytest.raises(ValueError, match=r"^SNN layer alpha must be between 0 and 16, not 17$"):
        _layer(neuron="cuba", alpha=17, beta_fraction=4)


def test_snn_network_li_not_last_wrong():
    with pytest.raises(
        ValueError,
        match=r"^SNN layer 0 neuron must spike \('lif' or 'cuba'\) unless it is the last layer, "
        r"not 'li'$",
    ):
        SnnParams(layers=(_layer(neuron="li"), SnnLayerParams(weight=[[1, 1, 1]], threshold=[1])))


@pytest.mark.parametrize("synapse", ["exact", "stochastic"])
def test_snn_neurons_file_round_trip(synapse):
    params, _ = _cuba_li(synapse=synapse)
    assert snn.from_dict(snn.to_dict(params)) == params


# ---------------------------------------------------------------------------------------------
# NIR: snnTorch 1.0.0's Synaptic export (CubaLIF) and an LI readout


def _synaptic():
    pytest.importorskip("nir")
    import scgen.nir as sn

    net = sn.read(FIXTURES / "synaptic.nir", dt=1e-4)
    return sn, net, np.load(FIXTURES / "synaptic.npz")["spikes"]


def _replaced(net, name, kind, **params):
    """``net`` with node ``name`` replaced by a ``kind`` node of the same size."""
    from scgen.nir.network import Network, Node

    nodes = {**net.nodes, name: Node(kind, net.nodes[name].size, params)}
    return Network(nodes, net.edges, net.dt, net.order, net.recurrent)


def _with_li(net):
    """The synaptic network with its last LIF replaced by an LI of the same tau and r."""
    last = [n for n in net.order if net.nodes[n].kind == "LIF"][-1]
    q = net.nodes[last].params
    return _replaced(net, last, "LI", **{k: q[k] for k in ("tau", "r", "v_leak")}), last


def test_nir_quantize_cubalif_against_the_float_reference():
    sn, net, spikes = _synaptic()
    params, report = sn.quantize(net, spikes, fraction=6)
    cuba = params.layers[0]
    # alpha = 0.5 = 1 - 2**-1 becomes a shift; beta = 0.9 a multiplication by 230/256
    assert (cuba.neuron, cuba.syn_leak, cuba.syn_leak_shift) == (Neuron.CUBA, Leak.SHIFT, 1)
    assert (cuba.leak, cuba.beta) == (Leak.MULTIPLY, 230)
    assert params.layers[1].neuron is Neuron.LIF
    # measured 2026-12-04 (fraction 6): CubaLIF spikes 0.9896 of entries equal and 0.9583 of
    # the counts; the LIF behind it 0.9688 and 0.8333; every argmax agrees
    ref = sn.simulate(net, spikes, record=True)[1]
    ours = snn.snn_steps(params, spikes)[0]
    assert (ours[:, :, :8] == ref["1"]).mean() >= 0.989
    assert [round(r["spike_agreement"], 4) for r in report.rows] == [0.9896, 0.9688]
    assert report.argmax_agreement == 1.0
    assert all(r["peak"] <= r["limit"] for r in report.rows)


def test_nir_quantize_li_readout_against_the_float_reference():
    sn, net, spikes = _synaptic()
    li, last = _with_li(net)
    params, report = sn.quantize(li, spikes, fraction=6)
    assert params.readout and params.layers[-1].neuron is Neuron.LI
    row = report.rows[-1]
    assert row["spike_agreement"] is None and "readout 3 membranes" in report.table()
    # measured 2026-12-04: relative RMS error 0.0545 of the membranes, argmax after the last
    # step equal for 5 of 6 samples; the CubaLIF's spike mismatches (1 %) feed the readout
    assert row["membrane_error"] < 0.06
    assert report.argmax_agreement == pytest.approx(5 / 6)
    # the readout alone on the float reference's CubaLIF spikes: largest error 0.091 (of
    # membranes up to 9.3), relative RMS 0.0095, every argmax equal
    _, trace, _ = sn.simulate(li, spikes, record=True)
    alone = SnnParams(layers=(params.layers[-1],))
    v = snn.run(alone, trace["1"].astype(np.uint8)) / 2.0**6
    assert np.abs(v - trace[last]).max() < 0.1 and np.abs(trace[last]).max() > 9
    assert np.array_equal(v[-1].argmax(1), trace[last][-1].argmax(1))


def test_nir_quantize_stochastic_cubalif_and_li_readout():
    # synapse= and the CubaLIF/LI mapping together: a stochastic CubaLIF projection into an
    # exact LI readout; the fixed-point columns are those of the all-exact network, the
    # stochastic row adds the SC twin's spike figures and the SC argmax is of the membranes
    sn, net, spikes = _synaptic()
    li, _ = _with_li(net)
    exact, report0 = sn.quantize(li, spikes, fraction=6)
    params, report = sn.quantize(
        li, spikes, fraction=6, synapse=("stochastic", "exact"), stream_length=16
    )
    cuba, readout = params.layers
    assert (cuba.neuron, cuba.synapse, cuba.stream_length) == (
        Neuron.CUBA,
        snn.Synapse.STOCHASTIC,
        16,
    )
    assert readout.neuron is Neuron.LI and params.with_synapse("exact") == exact
    first, last = report.rows
    assert first["spike_agreement"] == report0.rows[0]["spike_agreement"]
    assert last["membrane_error"] == report0.rows[1]["membrane_error"]
    assert 0.5 < first["sc_spike_agreement"] <= 1 and "sc_spike_agreement" not in last
    sc_last = snn.run(params, spikes)[-1].argmax(1)
    ref_last = sn.simulate(li, spikes)[-1].argmax(1)
    assert report.sc_argmax_agreement == (sc_last == ref_last).mean()
    table = report.table()
    assert "SC spikes eq" in table and "argmax agreement, SC twin" in table
    assert "readout 3 membranes: relative RMS error" in table


def test_nir_cubalif_and_li_round_trip_through_nir(tmp_path):
    sn, net, spikes = _synaptic()
    for network in (net, _with_li(net)[0]):
        params, _ = sn.quantize(network, spikes, fraction=6)
        sn.write(sn.dequantize(params, fraction=6, dt=1e-4), tmp_path / "q.nir")
        back = sn.read(tmp_path / "q.nir", dt=1e-4)
        assert [back.nodes[n].kind for n in back.order if n.startswith(("c", "l"))] == [
            "CubaLIF", "LIF" if not params.readout else "LI"
        ]  # fmt: skip
        again, _ = sn.quantize(back, spikes, fraction=6)
        assert again == params


@pytest.mark.parametrize(
    "kind, change, message",
    [
        ("CubaLIF", {"v_leak": np.full(8, 0.25)},
         r"^NIR node '1' field 'v_leak' must be 0 for a CubaLIF in hardware \(the bias reaches "
         r"the membrane through the current\), not values up to 0.25$"),
        ("LI", None,
         r"^NIR node '1' has type LI, which does not spike, so the fixed-point chain needs it "
         r"as the last population$"),
    ],
)  # fmt: skip
def test_nir_quantize_neurons_wrong(kind, change, message):
    sn, net, spikes = _synaptic()
    q = net.nodes["1"].params
    if change is None:  # an LI first, the LIF after it
        fields = {"tau": q["tau_mem"], "r": q["r"], "v_leak": q["v_leak"]}
    else:
        fields = {**q, **change}
    with pytest.raises(sn.NIRImportError, match=message):
        sn.quantize(_replaced(net, "1", kind, **fields), spikes)


def test_nir_dequantize_cuba_without_current_leak_wrong():
    sn = pytest.importorskip("scgen.nir")
    la = SnnLayerParams(weight=[[1, 2]], threshold=[1], neuron="cuba", syn_leak="none")
    with pytest.raises(
        sn.NIRImportError, match=r"^SNN layer 0 alpha must be below 1 for a CubaLIF, not 1.0$"
    ):
        sn.dequantize(SnnParams(layers=(la,)), fraction=4, dt=1e-4)
