"""Hyperdimensional computing: native batched ops, item memory, fault-tolerant logic, and the
seed's BitStreamTensor / HDCVector / PetriNetEngine against sc-neurocore-engine 3.15.7."""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scgen.compat as sc
from scgen import hdc
from scgen.compat import _hdc
from scgen.hdc._bigint import majority, ratio_f32

eng = pytest.importorskip("sc_neurocore_engine")
if eng.__version__ != "3.15.7":  # pragma: no cover
    pytest.skip(f"parity target is 3.15.7, found {eng.__version__}", allow_module_level=True)
from sc_neurocore_engine.hdc import HDCVector as EngineHDC  # noqa: E402
from sc_neurocore_engine.petri_net import PetriNetEngine as EnginePetri  # noqa: E402


def _bits(words, n):
    return np.unpackbits(np.asarray(words, np.uint64).view(np.uint8), bitorder="little")[:n]


# --- native ops against a bit-level reference ------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 700),
    count=st.integers(1, 9),
    shift=st.integers(-2000, 2000),
    seed=st.integers(0, 2**32),
)
def test_hdc_ops_match_bit_reference(n, count, shift, seed):
    vs = hdc.random_hypervectors(count, n, seed=seed)
    bits = np.array([_bits(v, n) for v in vs])
    want = (bits.sum(axis=0) > count // 2).astype(np.uint8)
    assert _bits(hdc.bundle(vs, n), n).tolist() == want.tolist()
    assert np.array_equal(_bits(hdc.permute(vs[0], n, shift), n), np.roll(bits[0], shift))
    assert hdc.distance(vs[0], vs[-1], n) == int((bits[0] != bits[-1]).sum())
    assert hdc.distance(vs, vs[0], n).tolist() == (bits != bits[0]).sum(axis=1).tolist()
    assert np.array_equal(hdc.bind(hdc.bind(vs[0], vs[-1]), vs[-1]), vs[0])
    # the integer majority used by the compat classes agrees with the word kernel
    ints = [int.from_bytes(v.tobytes(), "little") for v in vs]
    assert majority(ints, (1 << n) - 1) == int.from_bytes(hdc.bundle(vs, n).tobytes(), "little")


def test_hdc_random_hypervectors_are_the_seed_tensors():
    vs = hdc.random_hypervectors(3, 100, seed=1)
    assert vs[0].tolist() == [13831547417831602964, 47438477008]
    assert [v.tolist() for v in vs] == [eng.BitStreamTensor(100, s).data for s in (1, 2, 3)]
    t = [eng.BitStreamTensor(100, s) for s in (1, 2, 3)]
    assert hdc.similarity(vs[0], vs[2], 100) == 1.0 - t[0].hamming_distance(t[2])
    assert hdc.similarity(vs[:2], vs[2], 100).tolist() == [
        1.0 - x.hamming_distance(t[2]) for x in t[:2]
    ]


def test_hdc_ops_errors():
    v = hdc.random_hypervectors(2, 100)
    with pytest.raises(ValueError, match=r"^Hypervector dimension must be at least 1, not 0$"):
        hdc.permute(v, 0)
    with pytest.raises(
        TypeError,
        match=r"^Hypervectors 'vectors' must be a uint64 array of "
        r"packed words, not int64$",
    ):
        hdc.bundle(v.astype(np.int64), 100)
    with pytest.raises(
        ValueError,
        match=r"^Hypervectors 'a' must have 2 words on the last axis "
        r"for dimension 100, not shape \(3,\)$",
    ):
        hdc.distance(np.zeros(3, np.uint64), v[0], 100)
    with pytest.raises(ValueError, match=r"^Bundle needs at least one hypervector, not 0$"):
        hdc.bundle(np.zeros((0, 2), np.uint64), 100)


def test_hdc_float32_ratio_is_correctly_rounded():
    rng = np.random.default_rng(0)
    n = rng.integers(1, 1 << 24, 2000)
    c = rng.integers(0, n, endpoint=True)
    got = [ratio_f32(int(a), int(b)) for a, b in zip(c, n, strict=True)]
    assert got == (c.astype(np.float32) / n.astype(np.float32)).astype(np.float64).tolist()


# --- item memory -------------------------------------------------------------------------------


def test_hdc_item_memory_finds_noisy_items():
    n = 1000
    items = hdc.random_hypervectors(50, n, seed=7)
    mem = hdc.ItemMemory(n, capacity=4)  # grows
    assert mem.store(items[:30]).tolist() == list(range(30))
    mem.store(items[30:], labels=[f"x{k}" for k in range(30, 50)])
    noisy = hdc.inject_noise(items, n, 0.2, seed=3)
    index, dist = mem.query_batch(noisy)
    assert index.tolist() == list(range(50))
    assert dist.tolist() == hdc.distance(noisy, items, n).tolist()
    assert mem.query(noisy[40]) == (40, int(dist[40]))
    assert mem.lookup(noisy[45]) == "x45"
    d = mem.distances(noisy[:5])
    assert d.shape == (5, 50) and d.argmin(axis=1).tolist() == list(range(5))


def test_hdc_item_memory_ties_go_to_the_lowest_index():
    mem = hdc.ItemMemory(64)
    mem.store(np.array([[3], [5], [6]], np.uint64))  # distance to 7: 1, 1, 1
    assert mem.query(np.array([7], np.uint64)) == (0, 1)


def test_hdc_item_memory_errors():
    mem = hdc.ItemMemory(64)
    with pytest.raises(
        ValueError,
        match=r"^Item memory is empty; store hypervectors before "
        r"querying$",
    ):
        mem.query(np.zeros(1, np.uint64))
    with pytest.raises(
        ValueError,
        match=r"^Item memory labels must give one label per vector "
        r"\(2\), not 1$",
    ):
        mem.store(np.zeros((2, 1), np.uint64), labels=["a"])


# --- fault-tolerant logic ------------------------------------------------------------------------


def test_hdc_fault_tolerant_logic():
    n = 1024
    t, f = hdc.true_stream(n), hdc.false_stream(n)
    assert hdc.decode(t, n) and not hdc.decode(f, n)
    assert int(np.bitwise_count(t).sum()) == n
    assert hdc.logic_not(f, n).tolist() == t.tolist()
    # 5 % noise always decodes correctly (the seed's claim), on every gate and input pair
    for k, (a, b) in enumerate([(t, t), (t, f), (f, t), (f, f)]):
        na, nb = hdc.inject_noise(np.stack([a, b]), n, 0.05, seed=k)
        da, db = hdc.decode(a, n), hdc.decode(b, n)
        assert hdc.decode(hdc.logic_and(na, nb), n) == (da and db)
        assert hdc.decode(hdc.logic_or(na, nb), n) == (da or db)
        assert hdc.decode(hdc.logic_not(na, n), n) == (not da)


def test_hdc_noise_rate_matches_length():
    n, rate = 1 << 16, 0.3
    flips = int(np.bitwise_count(hdc.inject_noise(hdc.false_stream(n), n, rate, seed=1)).sum())
    assert abs(flips / n - rate) < 5 * np.sqrt(rate * (1 - rate) / n)  # 5 sigma


def test_hdc_fault_errors():
    with pytest.raises(ValueError, match=r"^Noise rate must be between 0 and 1, not 1.5$"):
        hdc.inject_noise(hdc.true_stream(64), 64, 1.5, seed=1)
    with pytest.raises(ValueError, match=r"^Stream length must be a positive integer, not 0$"):
        hdc.true_stream(0)


# --- seed API parity ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 400),
    seeds=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=9),
    shift=st.integers(0, 2**64 - 1),
)
def test_hdc_vector_matches_engine(n, seeds, shift):
    ours = [sc.HDCVector(n, seed=s) for s in seeds]
    theirs = [EngineHDC(n, seed=s) for s in seeds]
    a, b = ours[0], ours[-1]
    ea, eb = theirs[0], theirs[-1]
    assert repr(a) == repr(ea) and len(a) == len(ea) and a.dimension == ea.dimension
    assert (a * b).popcount() == (ea * eb).popcount()
    assert (a + b).popcount() == (ea + eb).popcount()
    assert a.similarity(b) == ea.similarity(eb)
    assert sc.HDCVector.bundle(ours).popcount() == EngineHDC.bundle(theirs).popcount()
    assert a.permute(shift).similarity(b) == ea.permute(shift).similarity(eb)
    assert a.permute().similarity(a) == ea.permute().similarity(ea)
    words = [(a * b).permute(3)._x >> (64 * k) & (2**64 - 1) for k in range(-(-n // 64))]
    assert words == (ea * eb).permute(3)._tensor.data


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200), data=st.data())
def test_hdc_tensor_from_packed_matches_engine(n, data):
    # words exactly as given: junk past the length, more words than needed
    nw = -(-n // 64) + data.draw(st.integers(0, 2))
    word = st.integers(0, 2**64 - 1)
    rows = [data.draw(st.lists(word, min_size=nw, max_size=nw)) for _ in range(3)]
    ours = [sc.BitStreamTensor.from_packed(r, n) for r in rows]
    theirs = [eng.BitStreamTensor.from_packed(r, n) for r in rows]
    assert [t.data for t in ours] == [t.data for t in theirs]
    assert [t.popcount() for t in ours] == [t.popcount() for t in theirs]
    assert sc.BitStreamTensor.bundle(ours).data == eng.BitStreamTensor.bundle(theirs).data
    assert ours[0].hamming_distance(ours[1]) == theirs[0].hamming_distance(theirs[1])
    short = sc.BitStreamTensor.from_packed(rows[2][:1], n)
    assert (
        ours[0].xor(short).data
        == theirs[0].xor(eng.BitStreamTensor.from_packed(rows[2][:1], n)).data
    )
    if nw == -(-n // 64):  # rotation of well-formed words clears the tail
        ours[0].rotate_right(5)
        theirs[0].rotate_right(5)
        assert ours[0].data == theirs[0].data


def test_hdc_vector_readme_example():
    # the seed README's "capital of France" (counter seeds 1..6), with explicit seeds
    country, capital, france, paris, _germany, berlin = (sc.HDCVector(seed=k) for k in range(1, 7))
    record = sc.HDCVector.bundle([country * france, capital * paris])
    query = record * capital
    assert round(paris.similarity(query), 4) == 0.7468
    assert abs(berlin.similarity(query) - 0.5056) < 1e-4
    assert (sc.HDCVector(seed=1) * capital * capital).similarity(sc.HDCVector(seed=1)) == 1.0
    assert (france * paris * paris).similarity(france) == 1.0


def test_hdc_seed_module_paths():
    from scgen.compat.hdc import HDCVector
    from scgen.compat.petri_net import PetriNetEngine

    assert HDCVector is sc.HDCVector and PetriNetEngine is sc.PetriNetEngine


def test_hdc_vector_counter_seeds():
    first = sc.HDCVector(64)
    k = next(
        s
        for s in range(1, 10**6)
        if sc.BitStreamTensor(64, s).popcount() == first.popcount()
        and sc.BitStreamTensor(64, s).data[0] == first._x
    )
    assert sc.HDCVector(64)._x == sc.BitStreamTensor(64, k + 1).data[0]
    got = []
    threads = [threading.Thread(target=lambda: got.append(_hdc._next_seed())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(k + 2, k + 10))  # thread-safe: no value twice


@pytest.mark.parametrize(
    ("call", "engine_call"),
    [
        (lambda: sc.BitStreamTensor(10, 1).xor(5), lambda: eng.BitStreamTensor(10, 1).xor(5)),
        (
            lambda: sc.BitStreamTensor.bundle([sc.BitStreamTensor(10, 1), "x"]),
            lambda: eng.BitStreamTensor.bundle([eng.BitStreamTensor(10, 1), "x"]),
        ),
        (
            lambda: sc.BitStreamTensor(64, 1).rotate_right(2**64),
            lambda: eng.BitStreamTensor(64, 1).rotate_right(2**64),
        ),
        (lambda: sc.HDCVector.bundle([]), lambda: EngineHDC.bundle([])),
        (lambda: sc.HDCVector(10, seed=-1), lambda: EngineHDC(10, seed=-1)),
        (lambda: sc.HDCVector(0, seed=1), lambda: EngineHDC(0, seed=1)),
        (lambda: sc.HDCVector(10, seed=1).permute(-1), lambda: EngineHDC(10, seed=1).permute(-1)),
        (
            lambda: sc.HDCVector(10, seed=1).similarity(sc.HDCVector(11, seed=1)),
            lambda: EngineHDC(10, seed=1).similarity(EngineHDC(11, seed=1)),
        ),
        (
            lambda: sc.HDCVector(10, seed=1) * sc.HDCVector(11, seed=1),
            lambda: EngineHDC(10, seed=1) * EngineHDC(11, seed=1),
        ),
    ],
)
def test_hdc_vector_errors_match_engine(call, engine_call):
    with pytest.raises(BaseException) as theirs:
        engine_call()
    exc = ValueError if type(theirs.value).__name__ == "PanicException" else type(theirs.value)
    with pytest.raises(exc) as ours:
        call()
    assert str(ours.value).splitlines()[0] == str(theirs.value).splitlines()[0]


# --- Petri net ------------------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(
    places=st.integers(1, 6),
    transitions=st.integers(1, 5),
    seed=st.integers(0, 2**31),
    length=st.sampled_from([64, 100, 1024]),
    data=st.data(),
)
def test_hdc_petri_net_matches_engine(places, transitions, seed, length, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32)))
    art = {
        "w_in": rng.uniform(-0.2, 1.2, (transitions, places)),
        "w_out": rng.uniform(-0.2, 1.2, (places, transitions)),
        "thresholds": rng.uniform(0, 0.6, transitions),
    }
    if data.draw(st.booleans()):
        art["marking"] = rng.uniform(0, 3, places)
    ours, theirs = sc.PetriNetEngine(art, length, seed), EnginePetri(art, length, seed)
    for attr in ("n_places", "n_transitions", "length"):
        assert getattr(ours, attr) == getattr(theirs, attr)
    assert np.array_equal(ours.thresholds, theirs.thresholds)
    assert np.array_equal(ours.step(), theirs.step())
    run_seed = data.draw(st.one_of(st.none(), st.integers(0, 2**31)))
    for a, b in zip(ours.run(4, run_seed), theirs.run(4, run_seed), strict=True):
        assert np.array_equal(a, b)
    assert ours.step_count == theirs.step_count == 5
    ours.reset(art.get("marking"))
    theirs.reset(art.get("marking"))
    assert np.array_equal(ours.step(7), theirs.step(7))
    ours.reset()
    theirs.reset()
    assert np.array_equal(ours.marking, theirs.marking) and ours.step_count == 0


def test_hdc_petri_net_fires():
    art = {
        "w_in": [[1.0, 0.0]],
        "w_out": [[0.0], [1.0]],
        "thresholds": [0.5],
        "marking": [1.0, 0.0],
    }
    net = sc.PetriNetEngine(art)
    m = net.step()
    assert m[0] == 0.0 and m[1] > 0.9  # the token moved from place 0 to place 1
    assert np.array_equal(m, EnginePetri(art).step())


def test_hdc_petri_net_shape_errors():
    art = {"w_in": np.ones((2, 3)), "w_out": np.ones((2, 3)), "thresholds": np.ones(2)}
    with pytest.raises(AssertionError, match=r"^w_out shape \(2, 3\) must be \(3, 2\)$"):
        sc.PetriNetEngine(art)
    art["w_out"] = np.ones((3, 2))
    art["thresholds"] = np.ones(3)
    with pytest.raises(AssertionError, match=r"^thresholds shape \(3,\) must be \(2,\)$"):
        sc.PetriNetEngine(art)


def test_hdc_fault_tolerance_example(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "examples" / "fault_tolerance.py"
    spec = importlib.util.spec_from_file_location("fault_tolerance", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    err = example.error_rates(256, [0.0, 0.05, 0.2, 0.35], trials=200)
    assert err[0] == err[1] == 0.0 and err[3] > 0.05  # past the AND/OR limit: errors
    out = example.main([str(tmp_path / "ft.png"), "--trials", "50"])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hdc_benchmark_rows_compute_the_same_things():
    from scgen.bench.rows_hdc import rows

    words = -(-10_000 // 64)
    checked = 0
    for name, build in rows(eng, sc, np.random.default_rng(1)).items():
        theirs, ours, _limit, _units = build()  # the memory rows assert equal answers
        a, b = theirs(), ours()
        if "pairs" in name and "bind" in name:  # engine vectors against packed rows
            assert [x._tensor.data for x in a] == b.tolist(), name
        elif "pairs" in name and "similarity" in name:
            assert np.array_equal(np.array(a), b), name
        elif "bind" in name or "bundle" in name or "permute" in name:
            assert a._tensor.data == [(b._x >> (64 * k)) & (2**64 - 1) for k in range(words)], name
        elif name == "HDC similarity 10000 bits":
            assert a == b, name
        elif "item memory" not in name:
            pytest.fail(f"benchmark row {name!r} is not checked")
        checked += 1
    assert checked >= 9
