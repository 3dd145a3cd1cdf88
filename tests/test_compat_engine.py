"""Differential tests: scgen.compat against sc-neurocore-engine 3.15.7 (the `parity` extra)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen.compat import _dense, _encode, _lif, _tensor

eng = pytest.importorskip("sc_neurocore_engine")
if eng.__version__ != "3.15.7":  # pragma: no cover
    pytest.skip(f"parity target is 3.15.7, found {eng.__version__}", allow_module_level=True)


def _same_outcome(ours, theirs):
    """Call both; equal results, or the same exception type (and text unless a panic)."""
    try:
        want = theirs()
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":
            with pytest.raises(ValueError, match=re.escape(str(exc).splitlines()[0][:40])):
                ours()
        else:
            with pytest.raises(type(exc)) as info:
                ours()
            assert str(info.value) == str(exc)
        return None
    got = ours()
    _assert_same(got, want)
    return got


def _assert_same(got, want):
    assert type(got) is type(want), (type(got), type(want))
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, tuple | list) and want and isinstance(want[0], np.ndarray | tuple | list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _assert_same(g, w)
    else:
        assert got == want


# --- LIF ----------------------------------------------------------------------------------------


@st.composite
def lif_args(draw):
    w = draw(st.integers(2, 16))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    v = st.integers(lo, hi)
    kw = {
        "data_width": w,
        "fraction": draw(st.integers(0, w - 1)),
        "v_rest": draw(v),
        "v_reset": draw(v),
        "v_threshold": draw(v),
        "refractory_period": draw(st.one_of(st.integers(0, 4), st.integers(0, 1000))),
    }
    return kw, v


@settings(max_examples=150)
@given(args=lif_args(), data=st.data(), n=st.sampled_from([0, 1, 5, 70, 1000, 20000]))
def test_compat_batch_lif_run(args, data, n):
    kw, v = args
    leak, gain, cur, noise = (data.draw(v) for _ in range(4))
    _same_outcome(
        lambda: _lif.batch_lif_run(n, leak, gain, cur, noise, **kw),
        lambda: eng.batch_lif_run(n, leak, gain, cur, noise, **kw),
    )


@settings(max_examples=100)
@given(args=lif_args(), data=st.data(), n=st.integers(0, 300), noisy=st.booleans())
def test_compat_batch_lif_run_varying(args, data, n, noisy):
    kw, v = args
    leak, gain = data.draw(v), data.draw(v)
    cur = np.array(data.draw(st.lists(v, min_size=n, max_size=n)), dtype=np.int16)
    noise = (
        np.array(data.draw(st.lists(v, min_size=n, max_size=n)), dtype=np.int16) if noisy else None
    )
    _same_outcome(
        lambda: _lif.batch_lif_run_varying(leak, gain, cur, noise, **kw),
        lambda: eng.batch_lif_run_varying(leak, gain, cur, noise, **kw),
    )


@settings(max_examples=60)
@given(
    data=st.data(),
    n=st.sampled_from([1, 64, 5000]),
    noisy=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_compat_batch_lif_run_varying_q88(data, n, noisy, seed):
    # the engine's own Q8.8 neuron has its own compiled loop: every i16 value, long runs
    v = st.integers(-(1 << 15), (1 << 15) - 1)
    rng = np.random.default_rng(seed)
    span = data.draw(st.sampled_from([300, 1 << 9, 1 << 15]))
    cur = rng.integers(-span, span, n).astype(np.int16)
    noise = rng.integers(-span, span, n).astype(np.int16) if noisy else None
    kw = {
        "v_rest": data.draw(v),
        "v_reset": data.draw(v),
        "v_threshold": data.draw(st.one_of(st.just(256), v)),
        "refractory_period": data.draw(st.integers(0, 5)),
    }
    leak, gain = data.draw(st.one_of(st.just(20), v)), data.draw(st.one_of(st.just(256), v))
    _same_outcome(
        lambda: _lif.batch_lif_run_varying(leak, gain, cur, noise, **kw),
        lambda: eng.batch_lif_run_varying(leak, gain, cur, noise, **kw),
    )


@settings(max_examples=60)
@given(args=lif_args(), data=st.data(), nn=st.integers(0, 8), ns=st.sampled_from([0, 3, 500]))
def test_compat_batch_lif_run_multi(args, data, nn, ns):
    kw, v = args
    leak, gain = data.draw(v), data.draw(v)
    cur = np.array(data.draw(st.lists(v, min_size=nn, max_size=nn)), dtype=np.int16)
    _same_outcome(
        lambda: _lif.batch_lif_run_multi(nn, ns, leak, gain, cur, **kw),
        lambda: eng.batch_lif_run_multi(nn, ns, leak, gain, cur, **kw),
    )


@settings(max_examples=60)
@given(args=lif_args(), data=st.data())
def test_compat_fixed_point_lif(args, data):
    kw, v = args
    ours, theirs = _lif.FixedPointLif(**kw), eng.FixedPointLif(**kw)
    for _ in range(30):
        step = [data.draw(v) for _ in range(4)]
        assert ours.step(*step) == theirs.step(*step)
        assert ours.get_state() == theirs.get_state()
    ours.reset()
    theirs.reset()
    assert ours.get_state() == theirs.get_state()


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("batch_lif_run", (-1, 20, 256, 128)),
        ("batch_lif_run", (3, 20.0, 256, 128)),
        ("batch_lif_run", (3, 20, 256, 40000)),
        ("batch_lif_run", (3, "20", 256, 128)),
        ("batch_lif_run", (3, 20, 256, 128, 0, 20)),
        ("batch_lif_run", (3, 20, 256, 128, 0, 0)),
        ("batch_lif_run", (3, 20, 256, 128, 0, -1)),
        ("batch_lif_run_multi", (3, 5, 20, 256, np.array([1, 2], np.int16))),
        ("batch_lif_run_multi", (2, 5, 20, 256, np.array([1, 2], np.int64))),
        ("batch_lif_run_multi", (2, 5, 20, 256, [1, 2])),
        (
            "batch_lif_run_varying",
            (20, 256, np.array([1, 2, 3], np.int16), np.array([1], np.int16)),
        ),
        ("batch_lif_run_varying", (20, 256, np.arange(10, dtype=np.int16)[::2])),
        ("batch_lif_run_varying", (20, 256, np.zeros((2, 2), np.int16))),
    ],
)
def test_compat_lif_errors(call, args):
    _same_outcome(lambda: getattr(_lif, call)(*args), lambda: getattr(eng, call)(*args))


def test_compat_lif_readme_example():
    assert _lif.batch_lif_run(10000, leak_k=200, gain_k=256, i_t=300)[0].sum() == 3334


# --- encoders -------------------------------------------------------------------------------------

probs = st.lists(
    st.one_of(
        st.floats(-0.5, 1.5), st.sampled_from([0.0, 1.0, float("nan"), float("inf"), 255 / 256])
    ),
    max_size=12,
)
lengths = st.one_of(st.sampled_from([0, 1, 63, 64, 65, 1024]), st.integers(0, 300))


@settings(max_examples=100)
@given(p=probs, length=lengths, seed=st.integers(0, 2**64 - 1))
def test_compat_batch_encode(p, length, seed):
    a = np.array(p, dtype=np.float64)
    _same_outcome(
        lambda: _encode.batch_encode_numpy(a, length, seed),
        lambda: eng.batch_encode_numpy(a, length, seed),
    )
    _same_outcome(
        lambda: _encode.batch_encode(a, length, seed), lambda: eng.batch_encode(a, length, seed)
    )


@settings(max_examples=40)
@given(
    n=st.integers(0, 100),
    length=lengths,
    seed=st.integers(0, 2**64 - 1),
    fseed=st.integers(0, 2**32 - 1),
)
def test_compat_batch_encode_many(n, length, seed, fseed):
    # rows go 8 generators at a time: full groups, a remainder, and the special values in both
    rng = np.random.default_rng(fseed)
    a = rng.random(n) * 1.4 - 0.2
    special = np.array([0.0, 1.0, np.nan, np.inf, 255 / 256, 254.9 / 256])
    a[rng.integers(0, n, min(n, 6))] = special[: min(n, 6)]
    _same_outcome(
        lambda: _encode.batch_encode_numpy(a, length, seed),
        lambda: eng.batch_encode_numpy(a, length, seed),
    )


@pytest.mark.parametrize(
    "args",
    [
        ([0.5], 8, 1),
        (np.zeros(2, np.float32), 8, 1),
        (np.zeros((2, 2)), 8, 1),
        (np.zeros(2), -1, 1),
        (np.zeros(2), 8, 2**64),
    ],
)
def test_compat_encode_errors(args):
    for name in ("batch_encode", "batch_encode_numpy"):
        _same_outcome(
            lambda n=name: getattr(_encode, n)(*args), lambda n=name: getattr(eng, n)(*args)
        )


@settings(max_examples=40)
@given(
    seed=st.integers(1, 65535),
    xs=st.lists(st.integers(0, 65535), max_size=50),
    reset_to=st.one_of(st.none(), st.integers(1, 65535)),
)
def test_compat_lfsr16_and_encoder(seed, xs, reset_to):
    ours, theirs = _encode.Lfsr16(seed), eng.Lfsr16(seed)
    assert [ours.step() for _ in range(20)] == [theirs.step() for _ in range(20)]
    ours.reset(reset_to)
    theirs.reset(reset_to)
    assert (ours.reg, ours.width) == (theirs.reg, theirs.width)
    oe, te = _encode.BitstreamEncoder(16, seed), eng.BitstreamEncoder(16, seed)
    assert [oe.step(x) for x in xs] == [te.step(x) for x in xs]
    assert (oe.reg, oe.data_width) == (te.reg, te.data_width)


@pytest.mark.parametrize("args", [(0,), (-1,), (70000,), (1.5,), (None,)])
def test_compat_lfsr16_errors(args):
    _same_outcome(lambda: _encode.Lfsr16(*args), lambda: eng.Lfsr16(*args))


# --- dense layer ----------------------------------------------------------------------------------


@settings(max_examples=40)
@given(
    ni=st.integers(1, 12),
    nn=st.integers(1, 9),
    length=st.one_of(st.sampled_from([1, 64, 65, 1024]), st.integers(1, 300)),
    seed=st.integers(0, 2**64 - 1),
    fseed=st.integers(0, 2**64 - 1),
    data=st.data(),
)
def test_compat_dense_layer(ni, nn, length, seed, fseed, data):
    ours, theirs = _dense.DenseLayer(ni, nn, length, seed), eng.DenseLayer(ni, nn, length, seed)
    assert ours.get_weights() == theirs.get_weights()
    x = data.draw(st.lists(st.floats(-0.5, 1.5), min_size=ni, max_size=ni))
    xs = np.array(
        data.draw(st.lists(st.lists(st.floats(0, 1), min_size=ni, max_size=ni), max_size=4)),
        dtype=np.float64,
    ).reshape(-1, ni)
    words = (length + 63) // 64
    packed = np.random.default_rng(fseed % 2**32).integers(0, 2**63, (ni, words), np.uint64)
    for _ in range(2):
        _assert_same(ours.forward(x, fseed), theirs.forward(x, fseed))
        _assert_same(ours.forward_fast(x, fseed), theirs.forward_fast(x, fseed))
        _assert_same(
            ours.forward_numpy(np.array(x), fseed), theirs.forward_numpy(np.array(x), fseed)
        )
        _assert_same(ours.forward_batch_numpy(xs, fseed), theirs.forward_batch_numpy(xs, fseed))
        _assert_same(ours.forward_prepacked(packed), theirs.forward_prepacked(packed))
        _assert_same(ours.forward_prepacked_numpy(packed), theirs.forward_prepacked_numpy(packed))
        w = data.draw(
            st.lists(
                st.lists(st.floats(-0.3, 1.3), min_size=ni, max_size=ni), min_size=nn, max_size=nn
            )
        )
        ours.set_weights(w)
        theirs.set_weights(w)


@settings(max_examples=25, deadline=None)
@given(
    ni=st.sampled_from([1, 7, 8, 9, 17, 64, 100]),
    nn=st.sampled_from([1, 8, 31, 32, 33, 128, 129, 170]),
    length=st.sampled_from([64, 65, 200, 1024]),
    seed=st.integers(0, 2**64 - 1),
    fseed=st.integers(0, 2**32 - 1),
)
def test_compat_dense_layer_tiles(ni, nn, length, seed, fseed):
    # the count kernel's neuron tiles (128, 32, 8, then one by one) and input groups of 8
    ours, theirs = _dense.DenseLayer(ni, nn, length, seed), eng.DenseLayer(ni, nn, length, seed)
    rng = np.random.default_rng(fseed)
    x, xs = rng.random(ni), rng.random((3, ni))
    x[rng.integers(0, ni)] = 1.0
    packed = rng.integers(0, 2**63, (ni, (length + 63) // 64), np.uint64)
    _assert_same(ours.forward_numpy(x, fseed), theirs.forward_numpy(x, fseed))
    _assert_same(ours.forward_fast(list(x), fseed), theirs.forward_fast(list(x), fseed))
    _assert_same(ours.forward(list(x), fseed), theirs.forward(list(x), fseed))
    _assert_same(ours.forward_batch_numpy(xs, fseed), theirs.forward_batch_numpy(xs, fseed))
    _assert_same(ours.forward_prepacked_numpy(packed), theirs.forward_prepacked_numpy(packed))


@pytest.mark.parametrize("threads", [1, 2])
def test_compat_dense_layer_any_thread_count(threads):
    # one thread runs the sequential build (one chunk), more the parallel one (8 chunks)
    import numba

    saved = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        rng = np.random.default_rng(threads)
        for ni, nn, length in ((784, 128, 1024), (9, 33, 65), (1, 1, 1)):
            ours, theirs = _dense.DenseLayer(ni, nn, length), eng.DenseLayer(ni, nn, length)
            x = rng.random(ni)
            _assert_same(ours.forward_numpy(x, 99), theirs.forward_numpy(x, 99))
    finally:
        numba.set_num_threads(saved)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("forward", ([0.5, 0.5],)),
        ("forward", ("abc",)),
        ("forward_fast", ([0.5],)),
        ("forward_numpy", ([0.5] * 3,)),
        ("forward_numpy", (np.zeros(3, np.float32),)),
        ("forward_prepacked", (np.zeros((2, 2), np.uint64),)),
        ("forward_prepacked", (np.zeros((3, 3), np.uint64),)),
        ("forward_prepacked", ([[0, 0], [1], [2, 3]],)),
        ("forward_prepacked", (np.zeros(6, np.uint64),)),
        ("forward_prepacked_numpy", (np.zeros((2, 2), np.uint64),)),
        ("forward_prepacked_numpy", (np.zeros((3, 3), np.uint64),)),
        ("forward_prepacked_numpy", (np.zeros((3, 4), np.uint64)[:, ::2],)),
        ("forward_batch_numpy", (np.zeros((2, 2)),)),
        ("forward_batch_numpy", (np.zeros(3),)),
        ("set_weights", ([[0.5] * 3],)),
        ("set_weights", ([[0.5] * 3, [0.5] * 2],)),
    ],
)
def test_compat_dense_errors(method, args):
    ours, theirs = _dense.DenseLayer(3, 2, 70), eng.DenseLayer(3, 2, 70)
    _same_outcome(lambda: getattr(ours, method)(*args), lambda: getattr(theirs, method)(*args))


@pytest.mark.parametrize("args", [(0, 2, 70), (2, 0, 70), (2, 2, 0), (-1, 2, 70)])
def test_compat_dense_constructor_errors(args):
    _same_outcome(lambda: _dense.DenseLayer(*args), lambda: eng.DenseLayer(*args))


# --- BitStreamTensor ------------------------------------------------------------------------------


@settings(max_examples=40)
@given(
    n=st.integers(1, 300),
    seeds=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=6),
    shift=st.integers(0, 1000),
)
def test_compat_bitstream_tensor(n, seeds, shift):
    ours = [_tensor.BitStreamTensor(n, s) for s in seeds]
    theirs = [eng.BitStreamTensor(n, s) for s in seeds]
    assert [t.data for t in ours] == [t.data for t in theirs]
    assert repr(ours[0]) == repr(theirs[0]) and len(ours[0]) == len(theirs[0])
    assert _tensor.BitStreamTensor.bundle(ours).data == eng.BitStreamTensor.bundle(theirs).data
    assert ours[0].hamming_distance(ours[-1]) == theirs[0].hamming_distance(theirs[-1])
    assert ours[0].xor(ours[-1]).data == theirs[0].xor(theirs[-1]).data
    ours[0].rotate_right(shift)
    theirs[0].rotate_right(shift)
    assert ours[0].data == theirs[0].data
    _same_outcome(lambda: ours[0].xor_inplace(ours[-1]), lambda: theirs[0].xor_inplace(theirs[-1]))
    assert ours[0].popcount() == theirs[0].popcount()


def test_compat_bitstream_tensor_errors():
    _same_outcome(lambda: _tensor.BitStreamTensor(0), lambda: eng.BitStreamTensor(0))
    _same_outcome(
        lambda: _tensor.BitStreamTensor(64, 1).xor(_tensor.BitStreamTensor(70, 1)),
        lambda: eng.BitStreamTensor(64, 1).xor(eng.BitStreamTensor(70, 1)),
    )
    _same_outcome(
        lambda: _tensor.BitStreamTensor.bundle([]), lambda: eng.BitStreamTensor.bundle([])
    )
    _same_outcome(
        lambda: _tensor.BitStreamTensor(64, 1).rotate_right(-1),
        lambda: eng.BitStreamTensor(64, 1).rotate_right(-1),
    )
