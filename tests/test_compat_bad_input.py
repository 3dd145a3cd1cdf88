"""compat matches the installed engine (3.15.7) on bad input where the engine does not crash."""

import math

import numpy as np
import pytest

from scgen.compat import DenseLayer, KuramotoSolver, StochasticAttention

engine = pytest.importorskip("sc_neurocore_engine")


@pytest.mark.parametrize("dt", [math.nan, 0.0, -0.1, math.inf, -math.inf])
@pytest.mark.parametrize("method", ["run", "step", "run_ssgf", "step_ssgf"])
def test_kuramoto_dt_wrong(dt, method):
    args = ([2] if method.startswith("run") else []) + [dt]
    for cls in (KuramotoSolver, engine.KuramotoSolver):
        solver = cls([1.0, 1.2], [[0, 1], [1, 0]], [0.0, 0.5])
        with pytest.raises(ValueError, match=r"^dt must be finite and positive$"):
            getattr(solver, method)(*args)


@pytest.mark.parametrize("temperature", [0.0, -0.0, math.nan, -1.0, math.inf, 1e-320, 1.0])
def test_attention_temperature_fallback(temperature):
    rng = np.random.default_rng(0)
    q, k, v = rng.random((2, 4)), rng.random((3, 4)), rng.random((3, 2))
    ours = StochasticAttention(4, temperature=temperature)
    theirs = engine.StochasticAttention(4, temperature=temperature)
    args = (q.tolist(), k.tolist(), v.tolist())
    # the fallback temperature is the engine's; the softmax itself may differ in the last bit
    # (the order of the exp sum), as it does for any temperature
    np.testing.assert_allclose(
        ours.forward_softmax(*args), theirs.forward_softmax(*args), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        ours.forward_multihead_softmax(*args, 2),
        theirs.forward_multihead_softmax(*args, 2),
        rtol=1e-12,
        atol=0,
    )


def test_dense_nan_weights():
    layer, theirs = DenseLayer(2, 1), engine.DenseLayer(2, 1)
    for lay in (layer, theirs):
        lay.set_weights([[math.nan, 0.5]])
    assert layer.forward([0.7, 0.3]) == theirs.forward([0.7, 0.3]) == [0.15234375]
    rng = np.random.default_rng(3)
    for _ in range(20):
        ni, nn = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        w = rng.random((nn, ni))
        w[rng.random((nn, ni)) < 0.4] = math.nan
        w[rng.random((nn, ni)) < 0.1] = 1.0
        x = rng.random(ni).tolist()
        ours, theirs = DenseLayer(ni, nn, 256), engine.DenseLayer(ni, nn, 256)
        ours.set_weights(w.tolist())
        theirs.set_weights(w.tolist())
        assert ours.forward(x) == theirs.forward(x)
        assert ours.forward_fast(x) == theirs.forward_fast(x)
