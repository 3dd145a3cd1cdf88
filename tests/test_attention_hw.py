"""SC attention and the SC graph layer as IR graphs: hardware == twin, and accuracy vs rate mode.

The CORDIV primitive itself is checked three ways by tests/test_equivalence.py (registry).
"""

import numpy as np
import pytest

from scgen import sw
from scgen.nn import StochasticAttention, StochasticGraphLayer
from scgen.nn import hw_graphs as H
from scgen.params import CordivParams
from scgen.sim import run_hardware, run_windows


def _same(twin, hw):
    assert sorted(twin.outputs) == sorted(hw.outputs)
    for name, want in twin.outputs.items():
        assert np.asarray(hw.outputs[name]).tolist() == np.asarray(want).tolist(), name


def _cases(rng, windows, n=4, m=4, d=8, dv=8, nodes=8, f=4, length=256):
    att = H.attention_graph(n, m, d, dv, length=length)
    q, k, v = rng.random((windows, n, d)), rng.random((windows, m, d)), rng.random((windows, m, dv))
    q[0] = 0.0  # a row of zero scores: output 0, as in rate mode
    adj = (rng.random((nodes, nodes)) < 0.4) * rng.choice([1.0, 0.5, 2.0], (nodes, nodes))
    adj[1] = 0.0  # an isolated node
    layer = StochasticGraphLayer(adj, f)
    gl = H.graph_layer_graph(adj, f, length=length)
    x = rng.random((windows, nodes, f))
    return ([att, gl], [H.attention_inputs(q, k, v), H.graph_layer_inputs(x, layer.weights)])


def test_cordiv_divides_correlated_streams():
    rng = np.random.default_rng(0)
    b = (rng.random(200_000) < 0.6).astype(np.uint64)
    a = b & (rng.random(200_000) < 0.5).astype(np.uint64)  # within b: P(a) / P(b) = 0.5
    o = sw.cordiv(CordivParams(), a, b).o
    # o holds each sample of a for a geometric number of cycles (mean 1 / P(b)), which inflates
    # the variance of its mean by (2 - P(b)) / P(b) over independent bits
    sigma = np.sqrt(0.25 * (2 - 0.6) / 0.6 / 200_000)
    assert abs(o.mean() - 0.5) < 5 * sigma
    assert sw.cordiv(CordivParams(), [1, 0, 0, 1, 0], [1, 0, 1, 1, 0]).o.tolist() == [1, 1, 0, 1, 1]


def test_small_graphs_twin_equals_pysim():
    rng = np.random.default_rng(1)
    graphs, inputs = _cases(rng, 3, n=2, m=3, d=3, dv=2, nodes=4, f=2, length=40)
    for g, ins, hw in zip(
        graphs, inputs, run_hardware(graphs, inputs, backend="pysim"), strict=True
    ):
        _same(run_windows(g, ins), hw)


@pytest.mark.slow  # one Verilator build of ~1300 ops: about 2.5 minutes on 2 cores
@pytest.mark.verilator
def test_attention_4x4x8_and_graph_8x4_twin_equals_verilator(tmp_path):
    rng = np.random.default_rng(2)
    graphs, inputs = _cases(rng, 4, length=256)
    for g, ins, hw in zip(
        graphs,
        inputs,
        run_hardware(graphs, inputs, backend="verilator", build_dir=tmp_path),
        strict=True,
    ):
        _same(run_windows(g, ins), hw)


def test_attention_graph_tracks_rate_mode():
    # 64 windows of random 2x3x4 attention at L = 1024: the CORDIV estimate's error is about
    # sqrt(p (1 - p) / (L P(divisor))) per output; its mean is well inside that
    rng = np.random.default_rng(3)
    q, k, v = rng.random((64, 2, 4)), rng.random((64, 3, 4)), rng.random((64, 3, 2))
    est = H.run_attention(q, k, v, length=1024)
    ref = np.stack([StochasticAttention(4).forward(*w) for w in zip(q, k, v, strict=True)])
    err = np.abs(est - ref)
    assert err.mean() < 0.06 and abs((est - ref).mean()) < 0.02


def test_graph_layer_graph_tracks_rate_mode():
    rng = np.random.default_rng(4)
    adj = (rng.random((5, 5)) < 0.5).astype(float)
    adj[2] = 0.0
    layer = StochasticGraphLayer(adj, 3)
    x = rng.random((32, 5, 3))
    est = H.run_graph_layer(adj, x, layer.weights, length=1024)
    ref = np.stack([layer.forward(w) for w in x])
    assert (est[:, 2] == 0).all()
    assert np.abs(est - ref).mean() < 0.05


def test_graph_errors():
    with pytest.raises(ValueError, match=r"^Graph layer adjacency must be non-negative"):
        H.graph_layer_graph(-np.eye(2), 2)
    with pytest.raises(
        ValueError,
        match=r"^Attention graph dv must be a positive integer, "
        r"not 0$",
    ):
        H.attention_graph(1, 1, 1, 0)
    with pytest.raises(ValueError, match=r"^Stream length must be a positive integer, not 0$"):
        H.attention_graph(1, 1, 1, 1, length=0)


@pytest.mark.slow  # twin of two ~800-op graphs: about 20 s
def test_example_runs(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "examples" / "attention_hw.py"
    spec = importlib.util.spec_from_file_location("attention_hw", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    example.main(["--windows", "2", "--lengths", "32"])
    out = capsys.readouterr().out
    assert out.count("hardware graph: mean |err|") == 2
