"""The engine's module surface against scgen.compat: names, submodules, version and the
pure-Python bridge classes (``VectorizedSCLayer``, ``FixedPointLIFNeuron``), differentially."""

import builtins
import dataclasses
import importlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scgen.compat as compat

eng = pytest.importorskip("sc_neurocore_engine")
if eng.__version__ != "3.15.7":  # pragma: no cover
    pytest.skip(f"parity target is 3.15.7, found {eng.__version__}", allow_module_level=True)

SUBMODULES = ("attention", "grad", "graphs", "hdc", "ir", "layers", "neurons", "petri_net", "scpn")


def _outcome(fn):
    try:
        return "ok", fn()
    except Exception as exc:  # the engine's bridge raises ValueError and TypeError
        return type(exc).__name__, str(exc)


def _same(ours, theirs):
    (kind_o, got), (kind_t, want) = _outcome(ours), _outcome(theirs)
    assert kind_o == kind_t, (got, want)
    if kind_t != "ok":
        assert got == want
        return
    assert type(got) is type(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    else:
        assert got == want


def test_compat_surface_version_and_names():
    assert compat.__version__ == eng.__version__
    # every name scgen.compat exports is one of the engine's, under the same name
    assert set(compat.__all__) <= set(eng.__all__)
    # the names the migration guide and the engine's own bridge rely on are all there
    needed = {
        "__version__",
        "simd_tier",
        "set_num_threads",
        "pack_bitstream_numpy",
        "popcount_numpy",
        "unpack_bitstream_numpy",
        "batch_lif_run",
        "batch_lif_run_multi",
        "batch_lif_run_varying",
        "batch_encode_numpy",
        "DenseLayer",
        "VectorizedSCLayer",
        "FixedPointLIFNeuron",
        "ScGraph",
        "ScGraphBuilder",
        "parse_ir",
    }
    assert needed <= set(compat.__all__)
    for name in compat.__all__:
        assert getattr(compat, name) is not None


@pytest.mark.parametrize("name", SUBMODULES)
def test_compat_surface_submodules(name):
    # ``from sc_neurocore_engine.<m> import X`` works with scgen.compat for the same X, and X
    # is the object the package exports at the top level
    theirs = importlib.import_module(f"sc_neurocore_engine.{name}")
    ours = importlib.import_module(f"scgen.compat.{name}")
    assert getattr(compat, name) is ours
    public = {n for n, v in vars(theirs).items() if isinstance(v, type) or n == "parse_ir"} - {
        "Sequence",
        "annotations",
    }
    public = {
        n
        for n in public
        if not n.startswith("_") and getattr(theirs, n).__module__.startswith("sc_neurocore_engine")
    }
    for n in public:
        assert getattr(ours, n) is getattr(compat, n), n


def test_compat_surface_distribution_not_claimed():
    # the engine keeps its distribution name; scgen.compat does not register it
    from importlib import metadata

    assert metadata.version("sc-neurocore-engine") == "3.15.7"
    assert compat.__file__ != eng.__file__


# --- bridge classes -----------------------------------------------------------------------------


def test_compat_vectorized_layer_fields():
    ours, theirs = compat.VectorizedSCLayer(3, 2, 128), eng.VectorizedSCLayer(3, 2, 128)
    assert repr(ours) == repr(theirs)
    assert [f.name for f in dataclasses.fields(ours)] == [
        f.name for f in dataclasses.fields(theirs)
    ]
    assert ours.packed_weights is None and theirs.packed_weights is None
    assert ours.weights.dtype == theirs.weights.dtype
    np.testing.assert_array_equal(ours.weights, theirs.weights)


@settings(max_examples=25, deadline=None)
@given(
    ni=st.integers(1, 20),
    nn=st.integers(1, 40),
    length=st.sampled_from([1, 64, 100, 1024]),
    fseed=st.integers(0, 2**32 - 1),
)
def test_compat_vectorized_layer(ni, nn, length, fseed):
    ours, theirs = compat.VectorizedSCLayer(ni, nn, length), eng.VectorizedSCLayer(ni, nn, length)
    rng = np.random.default_rng(fseed)
    x, xs = rng.random(ni), rng.random((3, ni))
    words = (length + 63) // 64
    packed = rng.integers(0, 2**63, (ni, words), np.uint64)
    seed = int(rng.integers(0, 2**63))
    for _ in range(2):
        for method, args in (
            ("forward", (x,)),
            ("forward", (list(x),)),
            ("forward_fast", (x, seed)),
            ("forward_numpy", (x, seed)),
            ("forward_numpy", (list(x),)),
            ("forward_batch_numpy", (xs, seed)),
            ("forward_batch_numpy", (xs.tolist(),)),
            ("forward_prepacked", (packed,)),
            ("forward_prepacked", (packed.tolist(),)),
            ("forward_prepacked_numpy", (packed,)),
            ("forward_prepacked_numpy", (packed.astype(np.int64),)),
            ("forward_prepacked_numpy", (np.repeat(packed, 2, axis=1)[:, ::2],)),
        ):
            _same(
                lambda m=method, a=args: getattr(ours, m)(*a),
                lambda m=method, a=args: getattr(theirs, m)(*a),
            )
        w = rng.random((nn, ni)) * 1.2 - 0.1
        ours.weights[:] = w
        theirs.weights[:] = w
        ours._refresh_packed_weights()
        theirs._refresh_packed_weights()


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("forward", ([0.5, 0.5],)),
        ("forward", (np.zeros((3, 1)),)),
        ("forward_fast", ("abc",)),
        ("forward_fast", ([0.5],)),
        ("forward_numpy", (np.zeros(2),)),
        ("forward_batch_numpy", (np.zeros(3),)),
        ("forward_batch_numpy", (np.zeros((2, 2)),)),
        ("forward_prepacked", (np.zeros(3, np.uint64),)),
        ("forward_prepacked", (np.zeros((2, 2), np.uint64),)),
        ("forward_prepacked", ([[0, 0], [0], [1, 1]],)),
        ("forward_prepacked_numpy", (np.zeros((2, 2), np.uint64),)),
        ("forward_prepacked_numpy", (np.zeros((3, 3), np.uint64),)),
    ],
)
def test_compat_vectorized_layer_errors(method, args):
    ours, theirs = compat.VectorizedSCLayer(3, 2, 128), eng.VectorizedSCLayer(3, 2, 128)
    kind, text = _outcome(lambda: getattr(theirs, method)(*args))
    assert kind != "ok"
    with pytest.raises(getattr(builtins, kind), match=f"^{re.escape(text)}$"):
        getattr(ours, method)(*args)


@settings(max_examples=40)
@given(
    rp=st.integers(0, 4),
    thr=st.integers(-300, 600),
    steps=st.lists(
        st.tuples(
            st.integers(-300, 300),
            st.integers(-300, 300),
            st.integers(-400, 400),
            st.integers(-50, 50),
        ),
        max_size=60,
    ),
)
def test_compat_fixed_point_lif_neuron(rp, thr, steps):
    ours = compat.FixedPointLIFNeuron(v_threshold=thr, refractory_period=rp)
    theirs = eng.FixedPointLIFNeuron(v_threshold=thr, refractory_period=rp)
    for leak, gain, cur, noise in steps:
        assert ours.step(leak, gain, cur, noise) == theirs.step(leak, gain, cur, noise)
        assert ours.get_state() == theirs.get_state()
    ours.reset_state()
    theirs.reset_state()
    assert ours.get_state() == theirs.get_state()
    assert ours.step(20, 256, I_t=300) == theirs.step(20, 256, I_t=300)
    ours.reset()
    theirs.reset()
    assert ours.get_state() == theirs.get_state()
