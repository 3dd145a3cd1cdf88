"""Surrogates, SurrogateLif and DifferentiableDenseLayer (scgen.learn and scgen.compat)."""

import pickle

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import sw
from scgen.compat import DifferentiableDenseLayer as CompatDense
from scgen.compat import SurrogateLif as CompatLif
from scgen.learn import (
    SURROGATES,
    DifferentiableDenseLayer,
    Surrogate,
    SurrogateLif,
    arctan,
    fast_sigmoid,
    sigmoid,
    straight_through,
    superspike,
    surrogate,
    surrogate_derivative,
    triangular,
)
from scgen.nn import DenseLayer
from scgen.params import LifParams

from .strategies import params as primitive_params

# --- surrogates: closed forms (float64, written out here), finite differences -----------------

CLOSED = {
    "fast_sigmoid": lambda x, k: 1 / (2 * k * (1 + k * np.abs(x)) ** 2),
    "superspike": lambda x, k: 1 / (1 + k * np.abs(x)) ** 2,
    "arctan": lambda x, k: 1 / (1 + (k * x) ** 2),
    "straight_through": lambda x, k: (np.abs(x) < 0.5).astype(float),
    "sigmoid": lambda x, k: k * np.exp(-k * x) / (1 + np.exp(-k * x)) ** 2,
    "triangular": lambda x, k: np.maximum(0.0, 1 - k * np.abs(x)),
}
DEFAULT_K = {
    "fast_sigmoid": 25,
    "superspike": 100,
    "arctan": 10,
    "straight_through": 1,
    "sigmoid": 25,
    "triangular": 1,
}


@pytest.mark.parametrize("name", list(SURROGATES))
@pytest.mark.parametrize("k", [None, 0.5, 3.0])
def test_surrogate_closed_form(name, k):
    s = surrogate(name, k)
    kk = DEFAULT_K[name] if k is None else k
    assert s.k == kk
    x = np.linspace(-3, 3, 2001, dtype=np.float32)
    # closed form in float64 at the float32 inputs; float32 evaluation error is a few ulps
    # (absolute near the triangle's zero crossing, where 1 - k|x| cancels)
    want = CLOSED[name](x.astype(np.float64), np.float64(np.float32(kk)))
    got = s.derivative(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-7 * want.max())


@pytest.mark.parametrize("name", list(SURROGATES))
def test_surrogate_finite_difference(name):
    s = surrogate(name, 2.0)
    x = np.linspace(-2, 2, 801)
    kinks = {"straight_through": (-0.5, 0.5), "triangular": (-0.5, 0.0, 0.5)}.get(name, (0.0,))
    x = x[np.min([np.abs(x - c) for c in kinks], axis=0) > 1e-3]
    h = 1e-5
    fd = (s.primitive(x + h) - s.primitive(x - h)) / (2 * h)
    np.testing.assert_allclose(s.derivative(x), fd, rtol=1e-4, atol=1e-6)


def test_surrogate_seed_values():
    assert fast_sigmoid().derivative(0.0) == float(np.float32(0.02))
    assert superspike(25).derivative(0.3) / fast_sigmoid(25).derivative(0.3) == pytest.approx(50)
    assert superspike().derivative(0.0) == 1.0
    assert arctan().derivative(0.1) == pytest.approx(0.5, rel=1e-6)
    assert straight_through().derivative(0.5) == 0.0
    assert straight_through().derivative(-0.49) == 1.0
    assert sigmoid().derivative(0.0) == 25 / 4
    assert triangular(2.0).derivative(0.25) == 0.5


def test_surrogate_names_and_aliases():
    for alias, canon in [
        ("FAST-SIGMOID", "fast_sigmoid"),
        ("super_spike", "superspike"),
        ("Arc-Tan", "arctan"),
        ("STE", "straight_through"),
        ("StraightThrough", "straight_through"),
        ("Sigmoid", "sigmoid"),
    ]:
        assert surrogate(alias).name == canon
    assert surrogate(fast_sigmoid(3.0)) == fast_sigmoid(3.0)
    assert surrogate(fast_sigmoid(3.0), 4.0) == fast_sigmoid(4.0)


def test_surrogate_name_wrong():
    with pytest.raises(
        ValueError,
        match=r"^Unknown surrogate 'bogus'\. Use one of: fast_sigmoid, "
        r"superspike, arctan, straight_through, sigmoid, "
        r"triangular\.$",
    ):
        surrogate("bogus")
    with pytest.raises(TypeError, match=r"^Surrogate name must be a string, not 3$"):
        surrogate(3)
    with pytest.raises(ValueError, match=r"^Surrogate name must be one of .*, not 'ste'$"):
        Surrogate("ste", 1.0)


@pytest.mark.parametrize("k", [0, -1.0, float("inf"), float("nan")])
def test_surrogate_k_wrong(k):
    with pytest.raises(ValueError, match=r"^Surrogate k must be a positive finite number, not "):
        fast_sigmoid(k)
    with pytest.raises(TypeError, match=r"^Surrogate k must be a number, not '2'$"):
        fast_sigmoid("2")


def test_surrogate_value_semantics():
    s = superspike(50)
    assert repr(s) == "Surrogate('superspike', k=50.0)"
    assert s == superspike(50.0) and s != superspike(51) and s != fast_sigmoid(50)
    assert hash(s) == hash(superspike(50.0))
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(AttributeError):
        s.k = 3.0
    assert s(0.1) == s.derivative(0.1)
    assert isinstance(s.derivative(0.1), float)
    assert s.derivative(np.zeros((2, 3))).shape == (2, 3)


@numba.njit
def _user_kernel(code, k, xs):
    total = 0.0
    for x in xs:
        total += surrogate_derivative(code, k, x)
    return total


@pytest.mark.parametrize("name", list(SURROGATES))
def test_surrogate_in_numba_kernel(name):
    s = surrogate(name, 1.5)
    x = np.linspace(-2, 2, 101).astype(np.float32)
    want = float(np.sum(s.derivative(x).astype(np.float64)))
    assert _user_kernel(*s.kernel_args(), x) == pytest.approx(want, rel=1e-12)


# --- SurrogateLif -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    params=primitive_params("lif"),
    ordering=st.sampled_from(["hardware", "blueprint"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_surrogate_lif_forward_is_the_twin(params, ordering, seed):
    from dataclasses import replace

    p = replace(params, ordering=ordering)
    rng = np.random.default_rng(seed)
    lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
    n = 300
    leak, gain, cur, noise = (rng.integers(lo, hi, n, endpoint=True) for _ in range(4))
    want = sw.lif(p, leak, gain, cur, noise)
    neuron = SurrogateLif(p, surrogate="arctan")
    got = np.array(
        [
            neuron.forward(int(a), int(b), int(c), int(d))
            for a, b, c, d in zip(leak, gain, cur, noise, strict=True)
        ]
    )
    np.testing.assert_array_equal(got[:, 0], want.spike)
    np.testing.assert_array_equal(got[:, 1], want.v)
    trace = neuron.trace()
    v_norm = (want.v.astype(np.int64) - p.v_threshold).astype(np.float32) / np.float32(
        2**p.fraction
    )
    np.testing.assert_array_equal([t[0] for t in trace], v_norm)
    np.testing.assert_array_equal([t[1] for t in trace], want.spike)
    # LIFO: the last step comes back first
    grads = [neuron.backward(0.75) for _ in range(n)]
    expect = np.float32(0.75) * neuron.surrogate.derivative(v_norm[::-1])
    np.testing.assert_array_equal(grads, expect)
    assert neuron.trace_len() == 0


def test_surrogate_lif_backward_empty_wrong():
    neuron = SurrogateLif()
    with pytest.raises(
        ValueError,
        match=r"^SurrogateLif backward needs a recorded forward step, "
        r"but the trace is empty$",
    ):
        neuron.backward(1.0)


def test_surrogate_lif_reset_and_clear_trace():
    neuron = SurrogateLif(LifParams(refractory_period=0, v_threshold=1000))
    neuron.forward(0, 0, 0, 100)
    neuron.forward(0, 0, 0, 100)
    assert neuron.v == 200 and neuron.trace_len() == 2
    neuron.clear_trace()
    assert neuron.trace_len() == 0 and neuron.v == 200  # the state stays
    assert neuron.forward(0, 0, 0, 100) == (0, 300)
    neuron.reset()
    assert neuron.trace_len() == 0 and neuron.v == 0
    assert neuron.forward(0, 0, 0, 100) == (0, 100)


def test_surrogate_lif_inputs_wrong():
    neuron = SurrogateLif(LifParams(data_width=8, fraction=4, v_threshold=16))
    with pytest.raises(
        ValueError,
        match=r"^SurrogateLif I_t must be between -128 and 127 for "
        r"data_width 8, not 200$",
    ):
        neuron.forward(0, 16, 200)
    with pytest.raises(TypeError, match=r"^SurrogateLif leak_k must be an integer, not 1\.0$"):
        neuron.forward(1.0, 16, 2)
    with pytest.raises(TypeError, match=r"^SurrogateLif params must be a LifParams, not 3$"):
        SurrogateLif(3)
    with pytest.raises(
        TypeError,
        match=r"^SurrogateLif surrogate must be a Surrogate or a name, "
        r"not 1$",
    ):
        SurrogateLif(surrogate=1)


# --- DifferentiableDenseLayer -------------------------------------------------------------------


def _reference_backward(s, threshold, x, y, g, w):
    """Written out: float32 surrogate at y - threshold, everything else float64."""
    gs = g * s.derivative((y - threshold).astype(np.float32)).astype(np.float64)
    grad_w = gs[:, None] * x[None, :]
    grad_in = np.array([sum(gs[j] * w[j, i] for j in range(len(gs))) for i in range(len(x))])
    return grad_in, grad_w


@settings(max_examples=25, deadline=None)
@given(
    ni=st.integers(1, 9),
    nn=st.integers(1, 6),
    length=st.integers(1, 300),
    seed=st.integers(0, 2**32),
    name=st.sampled_from(list(SURROGATES)),
    data=st.integers(0, 2**32 - 1),
)
def test_dense_forward_backward(ni, nn, length, seed, name, data):
    rng = np.random.default_rng(data)
    layer = DifferentiableDenseLayer(ni, nn, length=length, seed=seed, surrogate=name)
    plain = DenseLayer(ni, nn, length=length, seed=seed)
    x, g = rng.random(ni), rng.normal(size=nn)
    y = layer.forward(x, seed=7)
    np.testing.assert_array_equal(y, plain.forward(x, seed=7))
    gi, gw = layer.backward(g)
    wi, ww = _reference_backward(layer.surrogate, 0.5, x, y, g, plain.weights)
    np.testing.assert_array_equal(gi, wi)
    np.testing.assert_array_equal(gw, ww)


def test_dense_batch_backward_sums_samples():
    rng = np.random.default_rng(3)
    layer = DifferentiableDenseLayer(6, 4, length=200, surrogate=None, threshold=2.0)
    xs, g = rng.random((5, 6)), rng.normal(size=(5, 4))
    ys = layer.forward_batch(xs, seed=11)
    np.testing.assert_array_equal(ys, layer.layer.forward_batch(xs, seed=11))
    gi, gw = layer.backward(g)
    assert gi.shape == (5, 6)
    np.testing.assert_allclose(gw, g.T @ xs, rtol=1e-12)  # no surrogate: straight through
    np.testing.assert_allclose(gi, g @ layer.weights, rtol=1e-12)


def test_dense_update_weights_clamps_and_repacks():
    layer = DifferentiableDenseLayer(3, 2, length=128, seed=42)
    w0 = layer.weights
    g = np.array([[0.3, -0.7, 1.1], [2.0, -2.0, 0.01]])
    layer.update_weights(g, 0.5)
    want = np.clip(w0 - 0.5 * g, 0, 1)
    np.testing.assert_array_equal(layer.weights, want)
    fresh = DenseLayer(3, 2, length=128, seed=42)
    fresh.set_weights(want)
    np.testing.assert_array_equal(layer.layer.packed_weights, fresh.packed_weights)
    np.testing.assert_array_equal(layer.forward([0.5] * 3), fresh.forward([0.5] * 3))


def test_dense_errors():
    layer = DifferentiableDenseLayer(3, 2)
    with pytest.raises(
        ValueError,
        match=r"^DifferentiableDenseLayer backward needs a cached "
        r"forward input; call forward\(\) first$",
    ):
        layer.backward([1.0, 1.0])
    layer.forward([0.1, 0.2, 0.3])
    with pytest.raises(
        ValueError,
        match=r"^DifferentiableDenseLayer grad_output must have shape "
        r"\(2,\), not \(3,\)$",
    ):
        layer.backward([1.0, 1.0, 1.0])
    with pytest.raises(
        ValueError,
        match=r"^DifferentiableDenseLayer grads must have shape "
        r"\(2, 3\), not \(3, 2\)$",
    ):
        layer.update_weights(np.zeros((3, 2)), 0.1)
    with pytest.raises(
        TypeError,
        match=r"^DifferentiableDenseLayer lr must be a number, not "
        r"'a'$",
    ):
        layer.update_weights(np.zeros((2, 3)), "a")
    with pytest.raises(TypeError, match=r"^DifferentiableDenseLayer threshold must be a number"):
        DifferentiableDenseLayer(3, 2, threshold="x")
    layer.clear_cache()
    with pytest.raises(ValueError, match=r"backward needs a cached forward input"):
        layer.backward([1.0, 1.0])


# --- compat against sc-neurocore-engine 3.15.7 -------------------------------------------------

try:
    import sc_neurocore_engine as eng
except ImportError:  # pragma: no cover - the `parity` extra is not installed
    eng = None
needs_engine = pytest.mark.skipif(
    eng is None or eng.__version__ != "3.15.7",
    reason="needs sc-neurocore-engine 3.15.7 (the parity extra)",
)


def _outcome(call):
    try:
        return "ok", call()
    except Exception as exc:  # comparing exception types and texts
        return type(exc).__name__, str(exc)


_SEED_NAMES = ["fast_sigmoid", "Super-Spike", "arc_tan", "ste", "STRAIGHTTHROUGH"]


@needs_engine
@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(_SEED_NAMES),
    k=st.one_of(st.none(), st.floats(0.05, 200, allow_nan=False)),
    fraction=st.integers(0, 12),
    vt=st.integers(-2000, 2000),
    rp=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_compat_surrogate_lif_matches_engine(name, k, fraction, vt, rp, seed):
    rng = np.random.default_rng(seed)
    ours = CompatLif(16, fraction, 0, 0, vt, rp, name, k)
    theirs = eng.SurrogateLif(16, fraction, 0, 0, vt, rp, name, k)
    for _ in range(4):
        steps = int(rng.integers(0, 40))
        for _ in range(steps):
            a = [int(v) for v in rng.integers(-600, 600, 4)]
            assert ours.forward(*a) == theirs.forward(*a)
        assert ours.trace_len() == theirs.trace_len()
        for _ in range(int(rng.integers(0, steps + 2))):
            g = float(rng.normal() * 10)
            assert _outcome(lambda g=g: ours.backward(g)) == _outcome(
                lambda g=g: theirs.backward(g)
            )
        if rng.random() < 0.3:
            ours.clear_trace()
            theirs.clear_trace()
        if rng.random() < 0.2:
            ours.reset()
            theirs.reset()


@needs_engine
@settings(max_examples=25, deadline=None)
@given(
    ni=st.integers(1, 8),
    nn=st.integers(1, 6),
    length=st.integers(1, 400),
    wseed=st.integers(0, 2**63),
    name=st.sampled_from(_SEED_NAMES),
    k=st.one_of(st.none(), st.floats(0.05, 200, allow_nan=False)),
    seed=st.integers(0, 2**32 - 1),
)
def test_compat_dense_matches_engine(ni, nn, length, wseed, name, k, seed):
    rng = np.random.default_rng(seed)
    ours = CompatDense(ni, nn, length, wseed, name, k)
    theirs = eng.DifferentiableDenseLayer(ni, nn, length, wseed, name, k)
    np.testing.assert_array_equal(ours.weights, theirs.weights)
    for _ in range(3):
        x = rng.random(ni) * 1.4 - 0.2  # out-of-range inputs are cached raw
        s = int(rng.integers(0, 2**40))
        y = ours.forward(x, s)
        np.testing.assert_array_equal(y, theirs.forward(x, s))
        g = rng.normal(size=nn)
        (gi, gw), (ti, tw) = ours.backward(g), theirs.backward(g)
        np.testing.assert_array_equal(gi, ti)
        np.testing.assert_array_equal(gw, tw)
        lr = float(rng.random())
        ours.update_weights(gw * 50, lr)
        theirs.update_weights(tw * 50, lr)
        np.testing.assert_array_equal(ours.weights, theirs.weights)


@needs_engine
def test_compat_errors_match_engine():
    calls = [
        lambda m: m.SurrogateLif(surrogate="bogus"),
        lambda m: m.SurrogateLif(surrogate="sigmoid"),
        lambda m: m.SurrogateLif(surrogate="triangular"),
        lambda m: m.SurrogateLif(surrogate=3),
        lambda m: m.SurrogateLif(k="a"),
        lambda m: m.SurrogateLif().backward(1.0),
        lambda m: m.SurrogateLif().forward(1.0, 0, 0),
        lambda m: m.SurrogateLif().forward(40000, 0, 0),
        lambda m: m.DifferentiableDenseLayer(3, 2, surrogate="Bo-Gus"),
        lambda m: m.DifferentiableDenseLayer(2.0, 2),
        lambda m: m.DifferentiableDenseLayer(3, 2, 10, -1),
        lambda m: m.DifferentiableDenseLayer(3, 2).backward([1.0, 1.0]),
        lambda m: m.DifferentiableDenseLayer(3, 2).forward([0.5, 0.5]),
        lambda m: m.DifferentiableDenseLayer(3, 2).forward([0.5] * 3, -1),
    ]
    for call in calls:
        assert _outcome(lambda c=call: c(eng)) == _outcome(lambda c=call: c(CompatModule))

    def cached(m):
        d = m.DifferentiableDenseLayer(3, 2, 64, 5)
        d.forward([0.2, 0.4, 0.6])
        return d

    for bad in ([1.0], [1.0, 2.0, 3.0]):
        assert _outcome(lambda b=bad: cached(eng).backward(b)) == _outcome(
            lambda b=bad: cached(CompatModule).backward(b)
        )
    for grads in ([[0.1] * 3], [[0.1] * 3, [0.1] * 2], [[0.1] * 3, [0.1] * 4], []):
        assert _outcome(lambda g=grads: cached(eng).update_weights(g, 0.1)) == _outcome(
            lambda g=grads: cached(CompatModule).update_weights(g, 0.1)
        )


class CompatModule:
    SurrogateLif = CompatLif
    DifferentiableDenseLayer = CompatDense
