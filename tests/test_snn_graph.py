"""The spiking network as a graph like any other: ``sc.snn`` over ``spikes<T, N>`` prints, parses,
verifies, runs on the twin, pysim and Verilator (GraphTop and the emitted file) with the same
spikes as ``scgen.snn.run``, and runs over the simulated UART host link and ``scgen run``.
The fixtures are snnTorch 1.0.0's own exports (tests/fixtures/nir); no torch is needed."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen import snn
from scgen.ir import GraphBuilder, Spikes, VerifyError, parse, parse_type
from scgen.ir.lower import window_length
from scgen.ir.values import pack_spikes, port_values, spike_array
from scgen.primitives import PRIMITIVES
from scgen.sim import run_hardware, run_windows

nir = pytest.importorskip("nir")

import scgen.nir as sn  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "nir"


def _fixture(name, pe, fraction=6, calib=None):
    net = sn.read(FIXTURES / f"{name}.nir", dt=1e-4)
    data = np.load(FIXTURES / f"{name}.npz")
    spikes = data["spikes"]
    params, _ = sn.quantize(net, spikes[:, : calib or spikes.shape[1]], fraction=fraction, pe=pe)
    return params, spikes


def _outputs(graph, result, name="out"):
    """A graph's spike output as (T, batch, N), the layout of scgen.snn.run."""
    t = graph.result_types()[graph.outputs[0].operands[0]]
    return spike_array(t, result.outputs[name]).transpose(1, 0, 2)


def _windows(spikes):
    return {"spikes": spikes.transpose(1, 0, 2)}


def test_snn_graph_prints_and_parses():
    for name, pe in (("leaky_zero", (2, 1)), ("digits", (8, 4))):
        params, spikes = _fixture(name, pe, 5, 60)
        g = snn.network_graph(params, spikes.shape[0], name=name)
        assert g.verify() == []
        assert parse(g.to_text()) == g
        assert parse(parse(g.to_text()).to_text()) == g
    assert parse_type("spikes<16, 64>") == Spikes(16, 64)
    assert str(Spikes(3, 5)) == "spikes<3, 5>"


def test_snn_graph_twin_equals_snn_run_and_pysim():
    params, spikes = _fixture("leaky_zero", (4, 2))
    g = snn.network_graph(params, spikes.shape[0])
    want = snn.run(params, spikes)
    assert want.sum() > 20  # the neurons spike
    twin = run_windows(g, _windows(spikes))
    np.testing.assert_array_equal(_outputs(g, twin), want)
    np.testing.assert_array_equal(
        _outputs(g, run_windows(g, _windows(spikes), engine="twin")), want
    )
    hw = run_hardware([g], [_windows(spikes)], backend="pysim")[0]
    np.testing.assert_array_equal(_outputs(g, hw), want)
    # one window is one sample: its length is T steps of (step cycles + 2), plus one
    assert twin.length == spikes.shape[0] * (params.step_cycles() + 2) + 1
    # samples are independent (each starts from reset): fresh state is the same as carried
    assert twin.independent
    fresh = run_windows(g, _windows(spikes), state="fresh")
    np.testing.assert_array_equal(_outputs(g, fresh), want)


def test_snn_graph_stochastic_prints_parses_and_runs():
    params, spikes = _fixture("leaky_zero", (4, 2))
    params = snn.SnnParams(layers=(
        params.layers[0],
        replace(params.layers[1], synapse="stochastic", stream_length=4, seed=0x5A5, lfsr_width=12),
    ))  # fmt: skip
    spikes = spikes[:, :3]
    g = snn.network_graph(params, spikes.shape[0])
    text = g.to_text()
    assert 'synapse="exact,stochastic"' in text and "seed=[1, 1445]" in text
    assert parse(text) == g and g.verify() == []
    want = snn.run(params, spikes)
    assert not np.array_equal(want, snn.run(params.with_synapse("exact"), spikes))
    np.testing.assert_array_equal(_outputs(g, run_windows(g, _windows(spikes))), want)
    hw = run_hardware([g], [_windows(spikes)], backend="pysim")[0]
    np.testing.assert_array_equal(_outputs(g, hw), want)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 4), windows=st.integers(1, 3))
def test_snn_graph_random_networks_twin_equals_pysim(seed, steps, windows):
    rng = np.random.default_rng(seed)
    params = PRIMITIVES["snn_network"].example(rng)
    spikes = (rng.random((steps, windows, params.n_in)) < 0.5).astype(np.uint8)
    g = snn.network_graph(params, steps)
    assert parse(g.to_text()) == g
    twin = run_windows(g, _windows(spikes))
    np.testing.assert_array_equal(_outputs(g, twin), snn.run(params, spikes))
    hw = run_hardware([g], [_windows(spikes)], backend="pysim", seed=seed)[0]
    np.testing.assert_array_equal(_outputs(g, hw), _outputs(g, twin))


def test_snn_graph_folding_changes_the_window_not_the_spikes():
    params, spikes = _fixture("leaky_zero", (1, 1))
    outs, lengths = [], []
    for pe in ((1, 1), (3, 2), (8, 4)):
        g = snn.network_graph(params.with_pe(pe), spikes.shape[0])
        result = run_windows(g, _windows(spikes))
        outs.append(_outputs(g, result))
        lengths.append(window_length(g))
    assert lengths[0] > lengths[1] > lengths[2]
    for out in outs[1:]:
        np.testing.assert_array_equal(out, outs[0])


@pytest.mark.verilator
def test_snn_graph_digits_verilator_equals_twin(tmp_path):
    params, spikes = _fixture("digits", (8, 4), 5, 120)
    spikes = spikes[:, :6]
    g = snn.network_graph(params, spikes.shape[0], name="digits")
    want = snn.run(params, spikes)
    np.testing.assert_array_equal(_outputs(g, run_windows(g, _windows(spikes))), want)
    for emitted in (False, True):  # Amaranth's conversion, and the emitted SystemVerilog file
        hw = run_hardware(
            [g], [_windows(spikes)], backend="verilator", build_dir=tmp_path / str(emitted),
            emitted=emitted,
        )[0]  # fmt: skip
        np.testing.assert_array_equal(_outputs(g, hw), want)


# ---------------------------------------------------------------------------------------------
# errors


def _graph_with(**attrs):
    params, _ = _fixture("leaky_zero", (1, 1))
    g = snn.network_graph(params, 24)
    op = g.ops[1]
    new = tuple((k, attrs.get(k, v)) for k, v in op.attrs)
    new += tuple((k, v) for k, v in attrs.items() if k not in dict(op.attrs))
    return type(g)(g.name, (g.ops[0], type(op)(op.kind, op.result, op.operands, new), g.ops[2]))


def test_snn_graph_steps_wrong():
    with pytest.raises(
        VerifyError,
        match=r"^op\[1\] \(snn\): operand 'spikes' must be spikes<12, 16> \(12 steps of the "
        r"network's 16 inputs\), not spikes<24, 16>$",
    ):
        _graph_with(steps=12).check()


def test_snn_graph_weight_count_wrong():
    with pytest.raises(
        VerifyError,
        match=r"^op\[1\] \(snn\): parameters: sc.snn weight must have 160 entries, not 3$",
    ):
        _graph_with(weight=(1, 2, 3)).check()


@pytest.mark.parametrize("name, value", [("leak", "shift"), ("synapse", "stochastic")])
def test_snn_graph_leak_wrong(name, value):
    with pytest.raises(
        VerifyError,
        match=rf"^op\[1\] \(snn\): parameters: sc.snn {name} must name one mode per layer "
        rf"\(2\), not '{value}'$",
    ):
        _graph_with(**{name: value}).check()


def test_snn_graph_stream_length_wrong():
    with pytest.raises(
        VerifyError,
        match=r"^op\[1\] \(snn\): parameters: SNN layer stream_length must be a power of two "
        r"up to 2\*\*\(weight_width - 1\) = 128, not 5$",
    ):
        _graph_with(synapse="exact,stochastic", stream_length=(1, 5)).check()


def test_snn_graph_operand_wrong():
    params, _ = _fixture("leaky_zero", (1, 1))
    b = GraphBuilder("g")
    with pytest.raises(TypeError, match=r"^sc.snn takes spikes<T, N>, not rate$"):
        b.snn(b.input("x"), params)


def test_snn_graph_input_spikes_wrong():
    t = Spikes(2, 3)
    with pytest.raises(
        ValueError, match=r"^Input 's' of type spikes<2, 3> must be spikes 0 or 1, not 2$"
    ):
        port_values("s", t, [[[0, 1, 2], [0, 0, 0]]])
    with pytest.raises(
        ValueError,
        match=r"^Input 's' of type spikes<2, 3> takes 2 x 3 spikes per window \(an array of "
        r"shape \(windows, 2, 3\)\), not an array of shape \(2, 2\)$",
    ):
        port_values("s", t, [[0, 1], [1, 0]])


def test_snn_graph_spike_ports_round_trip():
    rng = np.random.default_rng(3)
    for t in (Spikes(3, 5), Spikes(16, 64)):
        bits = (rng.random((4, t.steps, t.neurons)) < 0.4).astype(np.uint8)
        np.testing.assert_array_equal(spike_array(t, pack_spikes(t, bits)), bits)
    assert pack_spikes(Spikes(2, 2), np.array([[[1, 0], [0, 1]]]))[0] == 0b1001


# ---------------------------------------------------------------------------------------------
# the command line


def test_snn_graph_cli_import_sim_verify_emit(tmp_path, capsys):
    from scgen.cli import main

    data = np.load(FIXTURES / "leaky_zero.npz")
    np.savez(tmp_path / "in.npz", spikes=data["spikes"])
    net = tmp_path / "leaky.scir"
    argv = ["nir", "import", str(FIXTURES / "leaky_zero.nir"), "--dt", "1e-4", "--calibration",
            str(tmp_path / "in.npz"), "--fraction", "6", "-o", str(net)]  # fmt: skip
    assert main(argv) == 0
    g = parse(net.read_text())
    assert g.verify() == []
    capsys.readouterr()
    save = tmp_path / "out.npz"
    assert main(["sim", str(net), "--inputs", str(tmp_path / "in.npz"), "--save", str(save)]) == 0
    params, _ = sn.quantize(
        sn.read(FIXTURES / "leaky_zero.nir", dt=1e-4), data["spikes"], fraction=6
    )
    want = snn.run(params, data["spikes"])
    np.testing.assert_array_equal(np.load(save)["out"], want)
    counts = want[:, 0].sum(0)
    assert f"counts {counts.tolist()} argmax {int(counts.argmax())}" in capsys.readouterr().out
    assert main(["verify", str(net), "--windows", "2", "--no-verilator"]) == 0
    assert "twin, pysim" in capsys.readouterr().out
    assert main(["emit", str(net), "-o", str(tmp_path / "leaky.sv")]) == 0
    assert "module leaky" in (tmp_path / "leaky.sv").read_text()


def test_snn_graph_cli_import_steps_wrong(tmp_path):
    from scgen.cli import main

    with pytest.raises(
        SystemExit,
        match=r"^scgen: a .scir network needs its time steps per sample: give --steps or "
        r"--calibration spikes \(T, batch, n_in\)$",
    ):
        main(["nir", "import", str(FIXTURES / "leaky_zero.nir"), "--dt", "1e-4", "-o",
              str(tmp_path / "x.scir")])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# over the host link (UART), as on the board


def run_over_host_link(g, spikes, tmp_path):
    """``scgen run`` of graph ``g`` over a simulated UART (pysim), a window per sample of
    ``spikes`` ``(T, batch, n_in)``; returns the ``--save`` file's arrays."""
    import argparse

    from scgen.host import (
        cli,
        encode_clear,
        encode_identify,
        encode_load,
        encode_read,
        encode_start,
    )
    from scgen.host import port_values as host_values
    from scgen.host.sim import ScriptedTransport, simulate
    from scgen.link import HostLinkTop, layout

    lay = layout(g)
    commands = [encode_identify()]
    for w in range(spikes.shape[1]):
        commands += [
            encode_load(lay, host_values(g, {"spikes": spikes[:, w]})),
            encode_clear(),
            encode_start(1),
            encode_read(),
        ]
    replies = simulate(HostLinkTop(g, clocks_per_bit=4), commands).replies
    path = tmp_path / f"{g.name}.scir"
    path.write_text(g.to_text())
    np.savez(tmp_path / "in.npz", spikes=spikes)
    parser = argparse.ArgumentParser(prog="scgen")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["run", str(path), "--board", "icebreaker", "--port", "sim",
                              "--inputs", str(tmp_path / "in.npz"), "--save",
                              str(tmp_path / "out.npz")])  # fmt: skip
    transport = ScriptedTransport(commands, replies)
    assert cli.main(args, transport=transport) == 0
    assert transport.done
    return np.load(tmp_path / "out.npz")


def test_snn_graph_host_link_and_scgen_run_pysim(tmp_path, capsys):
    params, spikes = _fixture("leaky_zero", (4, 2))
    spikes = spikes[:, :2]
    g = snn.network_graph(params, spikes.shape[0], name="leaky")
    saved = run_over_host_link(g, spikes, tmp_path)
    want = snn.run(params, spikes)
    np.testing.assert_array_equal(saved["out"], want)
    counts = want[:, 1].sum(0)
    out = capsys.readouterr().out
    assert f"window 1: out counts {counts.tolist()} argmax {int(counts.argmax())}" in out
