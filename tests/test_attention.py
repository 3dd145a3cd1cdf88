"""StochasticAttention and StochasticGraphLayer against sc-neurocore-engine 3.15.7.

Rate modes agree to 1e-12; SC modes are bit-exact (identical float64 arrays); errors match the
engine's type and text.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scgen.compat as sc
from scgen.nn import StochasticAttention, StochasticGraphLayer

eng = pytest.importorskip("sc_neurocore_engine")


def _mat(rng, shape, special):
    a = rng.random(shape)
    if special:  # constants and out-of-range values draw nothing; NaN draws zeros
        mask = rng.random(shape) < 0.3
        a = np.where(mask, rng.choice([0.0, 1.0, 1.5, -0.25, np.nan], shape), a)
    return a


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 6),
    m=st.integers(1, 6),
    d=st.integers(1, 9),
    dv=st.integers(1, 5),
    length=st.integers(1, 300),
    seed=st.integers(0, (1 << 64) - 1),
    special=st.booleans(),
    data=st.integers(0, 2**32),
)
def test_attention_sc_bit_exact(n, m, d, dv, length, seed, special, data):
    rng = np.random.default_rng(data)
    q, k, v = _mat(rng, (n, d), special), _mat(rng, (m, d), special), _mat(rng, (m, dv), special)
    want = eng.StochasticAttention(d).forward_sc(q, k, v, length, seed)
    assert np.array_equal(sc.StochasticAttention(d).forward_sc(q, k, v, length, seed), want)
    got = StochasticAttention(d).forward_sc(q, k, v, length=length, seed=seed)
    assert np.array_equal(got, want)


def test_attention_sc_bit_exact_large():
    rng = np.random.default_rng(5)
    q, k, v = rng.random((40, 64)), rng.random((70, 64)), rng.random((70, 33))
    want = eng.StochasticAttention(64).forward_sc(q, k, v, 256, 9)
    assert np.array_equal(sc.StochasticAttention(64).forward_sc(q, k, v, 256, 9), want)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 6),
    m=st.integers(1, 6),
    hd=st.integers(1, 4),
    hv=st.integers(1, 4),
    heads=st.integers(1, 3),
    temperature=st.one_of(st.none(), st.floats(0.1, 5.0)),
    signed=st.booleans(),
    data=st.integers(0, 2**32),
)
def test_attention_rate_modes(n, m, hd, hv, heads, temperature, signed, data):
    rng = np.random.default_rng(data)
    q, k, v = rng.random((n, hd * heads)), rng.random((m, hd * heads)), rng.random((m, hv * heads))
    if signed:
        q -= 0.5
    theirs = (
        eng.StochasticAttention(hd * heads)
        if temperature is None
        else eng.StochasticAttention(hd * heads, temperature)
    )
    ours = sc.StochasticAttention(hd * heads, temperature)
    native = StochasticAttention(hd * heads, temperature=temperature)
    for method, args in (
        ("forward", ()),
        ("forward_softmax", ()),
        ("forward_multihead", (heads,)),
        ("forward_multihead_softmax", (heads,)),
    ):
        want = np.asarray(getattr(theirs, method)(q, k, v, *args))
        np.testing.assert_allclose(getattr(ours, method)(q, k, v, *args), want, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            getattr(native, method)(q, k, v, *args), want, rtol=0, atol=1e-12
        )


def test_attention_promotion_and_zero_rows():
    theirs, ours = eng.StochasticAttention(2), sc.StochasticAttention(2)
    k, v = [[1, 1], [1, 1]], [[0.3], [0.4]]
    for q in ([0.1, 0.2], [[0.0, 0.0]], [[1.0, -1.0]], np.array([[True, False]])):
        np.testing.assert_allclose(
            ours.forward(q, k, v), theirs.forward(q, k, v), rtol=0, atol=1e-12
        )
        assert np.array_equal(ours.forward_sc(q, k, v, 64, 1), theirs.forward_sc(q, k, v, 64, 1))


_Q, _K, _V = np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 2))
_BAD = [
    (np.ones((2, 2)), _K, _V),
    (_Q, _K, np.ones((3, 2))),
    (np.ones((0, 3)), _K, _V),
    ([], _K, _V),
    ([[1, 2, 3], [1, 2]], _K, _V),
    (np.ones((1, 2, 3)), _K, _V),
    (1.0, _K, _V),
    ("abc", _K, _V),
    (np.ones((2, 0)), np.ones((4, 0)), _V),
    (_Q, _K, np.ones((4, 0))),
    (_Q, np.ones((0, 3)), np.ones((0, 2))),
    (np.ones((2, 0)), np.ones((1, 4, 3)), _V),
    (_Q, np.ones((4, 0)), np.ones((1, 1, 1))),
    (_Q, np.ones((4, 2)), np.ones((3, 2))),
    (None, _K, _V),
]


def _outcome(fn):
    try:
        return "ok", np.asarray(fn()).shape
    except Exception as exc:  # the engine's error type and text are the contract
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("case", range(len(_BAD)))
@pytest.mark.parametrize(
    "method,args",
    [
        ("forward", ()),
        ("forward_sc", (64, 1)),
        ("forward_softmax", ()),
        ("forward_multihead", (1,)),
        ("forward_multihead_softmax", (2,)),
    ],
)
def test_attention_errors_match(case, method, args):
    q, k, v = _BAD[case]
    theirs, ours = eng.StochasticAttention(4), sc.StochasticAttention(4)
    assert _outcome(lambda: getattr(ours, method)(q, k, v, *args)) == _outcome(
        lambda: getattr(theirs, method)(q, k, v, *args)
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.forward_multihead(np.ones((2, 4)), np.ones((4, 4)), np.ones((4, 6)), 0),
        lambda a: a.forward_multihead(np.ones((2, 4)), np.ones((4, 4)), np.ones((4, 6)), 3),
        lambda a: a.forward_multihead(np.ones((2, 4)), np.ones((4, 4)), np.ones((4, 6)), -1),
        lambda a: a.forward_multihead(np.ones((2, 4)), np.ones((4, 4)), np.ones((4, 6)), 1.5),
        lambda a: a.forward_multihead_softmax(np.ones((2, 4)), np.ones((4, 4)), np.ones((4, 3)), 2),
        lambda a: a.forward_multihead(np.ones((2, 4)), np.ones((4, 6)), np.ones((3, 2)), 2),
        lambda a: a.forward_multihead(np.ones((2, 3)), np.ones((4, 2)), np.ones((3, 2)), 0),
        lambda a: a.forward_sc(_Q, _K, _V, 0),
        lambda a: a.forward_sc(_Q, _K, _V, -1),
        lambda a: a.forward_sc(_Q, _K, _V, 1.5),
        lambda a: a.forward_sc(_Q, _K, _V, 2**64),
        lambda a: a.forward_sc(_Q, _K, _V, 64, -1),
        lambda a: a.forward_sc(_Q, _K, _V, 64, 2**64 - 1),
        lambda a: a.forward_sc(np.ones((2, 4)), np.ones((4, 6)), np.ones((3, 2)), 0),
    ],
)
def test_attention_argument_errors_match(call):
    assert _outcome(lambda: call(sc.StochasticAttention(4))) == _outcome(
        lambda: call(eng.StochasticAttention(4))
    )


@pytest.mark.parametrize("args", [(-1,), (1.5,), (None,), (4, "a"), (4, 0.0), (4, 1)])
def test_attention_constructor_matches(args):
    def run(cls):
        return cls(*args).forward_softmax(_Q, _K, _V)

    assert _outcome(lambda: run(sc.StochasticAttention)) == _outcome(
        lambda: run(eng.StochasticAttention)
    )


def test_native_attention_errors():
    a = StochasticAttention(4)
    with pytest.raises(
        ValueError,
        match=r"^Attention Q and K must have the same number of "
        r"columns, not 2 and 3$",
    ):
        a.forward(np.ones((1, 2)), np.ones((2, 3)), np.ones((2, 1)))
    with pytest.raises(
        ValueError,
        match=r"^Attention K and V must have the same number of "
        r"rows, not 2 and 3$",
    ):
        a.forward(np.ones((1, 2)), np.ones((2, 2)), np.ones((3, 1)))
    with pytest.raises(
        ValueError,
        match=r"^Attention V columns must be divisible by "
        r"n_heads=2, not 3$",
    ):
        a.forward_multihead(np.ones((1, 2)), np.ones((2, 2)), np.ones((2, 3)), 2)
    with pytest.raises(ValueError, match=r"^Attention Q must not be empty, not shape \(0, 2\)$"):
        a.forward(np.ones((0, 2)), np.ones((2, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^Attention length must be at least 1, not 0$"):
        a.forward_sc(np.ones((1, 2)), np.ones((2, 2)), np.ones((2, 3)), length=0)
    with pytest.raises(TypeError, match=r"^Attention temperature must be a number, not 'x'$"):
        StochasticAttention(4, temperature="x")


# --------------------------------------------------------------------------------------------
# graph layer


def _adjacency(rng, n, weighted, isolated):
    a = (rng.random((n, n)) < 0.5).astype(float)
    if weighted:
        a *= rng.random((n, n)) * 1.5
    if isolated and n > 1:
        a[rng.integers(0, n)] = 0.0
    return a


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 7),
    f=st.integers(1, 5),
    length=st.integers(1, 300),
    seed=st.integers(0, (1 << 64) - 1),
    wseed=st.integers(0, 1000),
    weighted=st.booleans(),
    isolated=st.booleans(),
    data=st.integers(0, 2**32),
)
def test_graph_dense_bit_exact(n, f, length, seed, wseed, weighted, isolated, data):
    rng = np.random.default_rng(data)
    adj, x = _adjacency(rng, n, weighted, isolated), rng.random((n, f))
    theirs, ours = eng.StochasticGraphLayer(adj, f, wseed), sc.StochasticGraphLayer(adj, f, wseed)
    assert np.array_equal(ours.weights, theirs.weights)
    assert np.array_equal(ours.forward_sc(x, length, seed), theirs.forward_sc(x, length, seed))
    np.testing.assert_allclose(ours.forward(x), theirs.forward(x), rtol=0, atol=1e-12)
    native = StochasticGraphLayer(adj, f, seed=wseed)
    assert np.array_equal(
        native.forward_sc(x, length=length, seed=seed), theirs.forward_sc(x, length, seed)
    )


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 7),
    f=st.integers(1, 5),
    length=st.integers(1, 200),
    seed=st.integers(0, 1 << 32),
    data=st.integers(0, 2**32),
)
def test_graph_sparse_bit_exact(n, f, length, seed, data):
    rng = np.random.default_rng(data)
    rows, cols, vals = [0], [], []
    for _ in range(n):  # unsorted columns, duplicates and explicit zeros included
        k = int(rng.integers(0, n + 2))
        cols += rng.integers(0, n, k).tolist()
        vals += np.where(rng.random(k) < 0.2, 0.0, rng.random(k)).tolist()
        rows.append(len(cols))
    x = rng.random((n, f))
    theirs = eng.StochasticGraphLayer.from_sparse(rows, cols, vals, n, f, seed=3)
    ours = sc.StochasticGraphLayer.from_sparse(rows, cols, vals, n, f, seed=3)
    assert ours.is_sparse() and theirs.is_sparse()
    assert np.array_equal(ours.forward_sc(x, length, seed), theirs.forward_sc(x, length, seed))
    np.testing.assert_allclose(ours.forward(x), theirs.forward(x), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "threshold,adj",
    [
        (0.3, np.eye(3)),
        (1 / 3, np.eye(3)),
        (0.34, np.eye(3)),
        (0.0, np.zeros((3, 3))),
        (0.5, np.ones((2, 2))),
        (0.9, np.eye(4) * 0.5),
    ],
)
def test_graph_from_dense_auto(threshold, adj):
    theirs = eng.StochasticGraphLayer.from_dense_auto(adj, 2, density_threshold=threshold)
    ours = sc.StochasticGraphLayer.from_dense_auto(adj, 2, density_threshold=threshold)
    assert ours.is_sparse() == theirs.is_sparse()
    x = np.random.default_rng(1).random((adj.shape[0], 2))
    assert np.array_equal(ours.forward_sc(x, 100, 4), theirs.forward_sc(x, 100, 4))


def test_graph_weights_get_set():
    adj = np.ones((3, 3))
    theirs = eng.StochasticGraphLayer(adj, 3)._engine
    ours = sc.StochasticGraphLayer(adj, 3)
    assert ours.get_weights() == theirs.get_weights()
    w = np.linspace(-0.5, 1.5, 9).tolist()
    ours.set_weights(w)
    theirs.set_weights(w)
    assert ours.get_weights() == theirs.get_weights() == w
    x = np.random.default_rng(2).random((3, 3))
    assert np.array_equal(ours.forward_sc(x, 128, 1), np.asarray(theirs.forward_sc(x, 128, 1)))
    np.testing.assert_allclose(ours.forward(x), theirs.forward(x), rtol=0, atol=1e-12)
    assert _outcome(lambda: ours.set_weights([0.1] * 3)) == _outcome(
        lambda: theirs.set_weights([0.1] * 3)
    )


_N, _F = 5, 3


@pytest.mark.parametrize(
    "call",
    [
        lambda G: G.from_sparse([0, 1], [0], [1.0], _N, _F),
        lambda G: G.from_sparse([0] * (_N + 1), [0], [1.0], _N, _F),
        lambda G: G.from_sparse([0, 1] + [1] * (_N - 1), [0], [1.0, 2.0], _N, _F),
        lambda G: G(np.ones((2, 3)), _F),
        lambda G: G(np.ones(3), _F),
        lambda G: G(np.ones((0, 0)), _F),
        lambda G: G(np.ones((2, 2)), -1),
        lambda G: G(np.ones((2, 2)), 1.5),
        lambda G: G.from_dense_auto(np.ones((2, 3)), _F),
        lambda G: G.from_dense_auto(np.ones(3), _F),
        lambda G: G.from_dense_auto(np.ones((0, 0)), _F),
        lambda G: G.from_dense_auto(np.ones((1, 2, 2)), _F),
        lambda G: G.from_dense_auto(np.eye(2), _F, density_threshold="a"),
        lambda G: G(np.ones((_N, _N)), _F).forward(np.ones((_N, _F + 1))),
        lambda G: G(np.ones((_N, _N)), _F).forward(np.ones((_N + 1, _F))),
        lambda G: G(np.ones((_N, _N)), _F).forward(np.ones(_N * _F)),
        lambda G: G(np.ones((_N, _N)), _F).forward(np.ones((1, _N, _F))),
        lambda G: G(np.ones((_N, _N)), _F).forward_sc(np.ones((_N, _F + 1)), 64, 1),
        lambda G: G(np.ones((_N, _N)), _F).forward_sc(np.ones((_N, _F)), 0, 1),
        lambda G: G(np.ones((_N, _N)), _F).forward_sc(np.ones((_N, _F)), 64, -1),
        lambda G: G(np.ones((_N, _N)), 0).forward_sc(np.ones((_N, 0)), 64, 1),
        lambda G: G(np.ones((1, 1)), _F).forward([[0.1, 0.2, 0.3]]),
    ],
)
def test_graph_errors_match(call):
    assert _outcome(lambda: call(sc.StochasticGraphLayer)) == _outcome(
        lambda: call(eng.StochasticGraphLayer)
    )


def test_native_graph_errors():
    with pytest.raises(
        ValueError,
        match=r"^Graph layer adjacency must be a square matrix, not "
        r"shape \(2, 3\)$",
    ):
        StochasticGraphLayer(np.ones((2, 3)), 2)
    with pytest.raises(
        ValueError,
        match=r"^Graph layer col_indices must be between 0 and 1, "
        r"not 2$",
    ):
        StochasticGraphLayer.from_csr([0, 1, 1], [2], [1.0], 2, 2)
    with pytest.raises(
        ValueError,
        match=r"^Graph layer row_offsets must start at 0 and never "
        r"decrease",
    ):
        StochasticGraphLayer.from_csr([0, 1, 0], [0], [1.0], 2, 2)
    g = StochasticGraphLayer(np.ones((2, 2)), 2)
    with pytest.raises(
        ValueError,
        match=r"^Graph layer node features must have shape \(2, 2\), "
        r"not \(2, 3\)$",
    ):
        g.forward(np.ones((2, 3)))
    with pytest.raises(
        ValueError,
        match=r"^Graph layer weights must have 4 values \(F x F\), "
        r"not 3$",
    ):
        g.weights = [1, 2, 3]


def test_isolated_nodes_are_zero():
    adj = np.zeros((3, 3))
    adj[0, 1] = adj[1, 0] = 1.0
    g = StochasticGraphLayer(adj, 2)
    x = np.random.default_rng(0).random((3, 2))
    assert (g.forward(x)[2] == 0).all() and (g.forward_sc(x, length=64)[2] == 0).all()


def test_same_numbers_on_any_thread_count():
    import numba

    rng = np.random.default_rng(7)
    q, k, v = rng.random((33, 16)), rng.random((40, 16)), rng.random((40, 9))
    adj = (rng.random((30, 30)) < 0.2).astype(float)
    x = rng.random((30, 5))
    att, layer = StochasticAttention(16), StochasticGraphLayer(adj, 5)
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least two Numba threads")
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            results.append(
                [
                    att.forward(q, k, v),
                    att.forward_softmax(q, k, v),
                    att.forward_sc(q, k, v, length=200),
                    layer.forward(x),
                    layer.forward_sc(x, length=200),
                ]
            )
    finally:
        numba.set_num_threads(before)
    for a, b in zip(results[0], results[-1], strict=True):
        assert a.tobytes() == b.tobytes()
