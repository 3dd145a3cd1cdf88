# amaranth: UnusedElaboratable=no
"""HDC hardware primitives: twins against independent software references (scgen.hdc), params
validation, the associative-memory query end to end, and HDC ops inside IR graphs."""

import numpy as np
import pytest

from scgen import hdc, hw, sim, sw
from scgen.ir import GraphBuilder, parse
from scgen.params import (
    AssocQueryParams,
    BindParams,
    BundleParams,
    HammingParams,
    PermuteParams,
)
from scgen.sim import run_hardware, run_windows


def _words(vectors, lanes, words):
    """Split packed 64-bit hypervectors into ``lanes``-bit words, word 0 first."""
    bits = np.unpackbits(np.asarray(vectors, np.uint64).view(np.uint8), axis=-1, bitorder="little")[
        ..., : lanes * words
    ]
    w = bits.reshape(*bits.shape[:-1], words, lanes).astype(np.uint64)
    return (w << np.arange(lanes, dtype=np.uint64)).sum(axis=-1, dtype=np.uint64)


def test_bind_bundle_twins_match_hdc():
    rng = np.random.default_rng(0)
    vs = hdc.random_hypervectors(5, 64 * 40, seed=3)
    a = _words(vs, 64, 40)
    assert np.array_equal(sw.bind(BindParams(lanes=64), a[0], a[1]).o, a[0] ^ a[1])
    for n in (1, 2, 3, 5):
        p = BundleParams(n=n, lanes=64)
        got = sw.bundle(p, **{f"a{k}": a[k] for k in range(n)}).o
        assert np.array_equal(got, _words(hdc.bundle(vs[:n], 64 * 40), 64, 40))
    small = rng.integers(0, 8, (4, 100))
    got = sw.bundle(BundleParams(n=4, lanes=3), **{f"a{k}": small[k] for k in range(4)}).o
    bits = (small[:, :, None] >> np.arange(3)) & 1
    assert np.array_equal(got, ((bits.sum(axis=0) > 2) << np.arange(3)).sum(axis=-1))


@pytest.mark.parametrize(("words", "lanes", "shift"), [(16, 16, 1), (5, 7, -12), (1, 9, 4)])
def test_permute_twin_rotates_the_previous_vector(words, lanes, shift):
    p = PermuteParams(words=words, lanes=lanes, shift=shift)
    vs = hdc.random_hypervectors(3, p.dimension, seed=words)
    a = _words(vs, lanes, words).reshape(-1)
    start = np.tile(np.eye(1, words, dtype=np.uint8)[0], 3)
    trace = sw.permute(p, start, 1, a)
    want = _words(hdc.permute(vs, p.dimension, shift), lanes, words)
    assert np.array_equal(trace.o[:words], np.zeros(words))  # nothing complete yet
    assert np.array_equal(trace.o[words:].reshape(2, words), want[:2])
    assert trace.valid.tolist() == [0] * words + [1] * 2 * words
    held = sw.permute(
        p, np.r_[start, 0, 0], np.r_[np.ones(3 * words, int), 0, 0], np.r_[a, 1, 1]
    )  # en = 0: the unit holds
    assert np.array_equal(held.o[-2:], want[2][:1].repeat(2))


def test_hamming_twin_matches_hdc_distance():
    p = HammingParams(words=40, lanes=64)
    vs = hdc.random_hypervectors(6, 64 * 40, seed=9)
    a, b = _words(vs[:3], 64, 40).reshape(-1), _words(vs[3:], 64, 40).reshape(-1)
    start = np.tile(np.eye(1, 40, dtype=np.uint8)[0], 3)
    trace = sw.hamming(p, np.r_[start, 0], np.r_[a, 0], np.r_[b, 0])
    done = np.flatnonzero(trace.done)
    assert done.tolist() == [40, 80, 120]
    assert trace.count[done].tolist() == hdc.distance(vs[:3], vs[3:], 64 * 40).tolist()


def _query_inputs(p, items, query, *, start_gap=0):
    """Write every item word by word, then the query, then start one search."""
    n_items = items.shape[0] * p.words
    cycles = n_items + p.words + 1 + start_gap + p.latency + 4
    ins = {
        k: np.zeros(cycles, np.int64)
        for k in ("wr_en", "wr_addr", "wr_data", "q_wr", "q_addr", "q_data", "start")
    }
    ins["wr_en"][:n_items] = 1
    ins["wr_addr"][:n_items] = np.arange(n_items)
    ins["wr_data"][:n_items] = items.reshape(-1)
    ins["q_wr"][n_items : n_items + p.words] = 1
    ins["q_addr"][n_items : n_items + p.words] = np.arange(p.words)
    ins["q_data"][n_items : n_items + p.words] = query
    t0 = n_items + p.words + start_gap
    ins["start"][t0] = 1
    ins["start"][t0 + 5] = 1  # ignored: busy
    return ins, t0


@pytest.mark.parametrize("p", [AssocQueryParams(), AssocQueryParams(items=3, words=4, lanes=5)])
def test_assoc_query_twin_finds_the_nearest_item(p):
    vs = hdc.random_hypervectors(p.items, p.dimension, seed=p.items)
    target = p.items // 2
    noisy = hdc.inject_noise(vs[target], p.dimension, 0.1, seed=1)
    mem = hdc.ItemMemory(p.dimension)
    mem.store(vs)
    ins, t0 = _query_inputs(p, _words(vs, p.lanes, p.words), _words(noisy, p.lanes, p.words))
    trace = sw.assoc_query(p, **ins)
    done = np.flatnonzero(trace.done)
    assert done.tolist() == [t0 + p.latency]
    assert (int(trace.index[done[0]]), int(trace.distance[done[0]])) == mem.query(noisy)
    assert mem.query(noisy)[0] == target
    assert trace.busy[t0 + 1 : t0 + p.latency].all() and not trace.busy[t0]


def test_assoc_query_default_fits_block_ram():
    p = AssocQueryParams()
    assert (p.items, p.dimension, p.depth * p.lanes) == (16, 1024, 16 * 1024)
    assert p.latency == 1026  # cycles per query


def test_assoc_query_default_pysim_end_to_end():
    p = AssocQueryParams()
    vs = hdc.random_hypervectors(p.items, p.dimension, seed=5)
    q = hdc.inject_noise(vs[11], p.dimension, 0.3, seed=2)
    ins, t0 = _query_inputs(p, _words(vs, p.lanes, p.words), _words(q, p.lanes, p.words))
    got = sim.run(hw.AssocQuery(p), ins)
    assert sim.first_mismatch(sw.assoc_query(p, **ins)._asdict(), got) is None
    t = t0 + p.latency
    assert got["done"][t] == 1 and int(got["index"][t]) == 11


@pytest.mark.parametrize(
    ("cls", "kwargs", "exc", "message"),
    [
        (BundleParams, {"n": 0}, ValueError, r"^Bundle n must be between 1 and 63, not 0$"),
        (
            BundleParams,
            {"lanes": 65},
            ValueError,
            r"^Bundle lanes must be between 1 and 64, not 65$",
        ),
        (BindParams, {"lanes": 0}, ValueError, r"^Bind lanes must be between 1 and 64, not 0$"),
        (
            PermuteParams,
            {"words": 1025},
            ValueError,
            r"^Permute words must be between 1 and 1024, not 1025$",
        ),
        (
            PermuteParams,
            {"words": 100, "lanes": 64},
            ValueError,
            r"^Permute dimension \(words \* lanes\) must be at most 4096, not 6400$",
        ),
        (PermuteParams, {"shift": 1.5}, TypeError, r"^Permute shift must be an integer, not 1.5$"),
        (
            HammingParams,
            {"words": 0},
            ValueError,
            r"^Hamming words must be between 1 and 1048576, not 0$",
        ),
        (
            AssocQueryParams,
            {"words": 48},
            ValueError,
            r"^Associative query words must be a power of two, not 48$",
        ),
        (
            AssocQueryParams,
            {"items": 257},
            ValueError,
            r"^Associative query items must be between 1 and 256, not 257$",
        ),
        (
            AssocQueryParams,
            {"lanes": "16"},
            TypeError,
            r"^Associative query lanes must be an integer, not '16'$",
        ),
    ],
)
def test_hdc_params_wrong(cls, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        cls(**kwargs)


def test_hdc_twin_input_errors():
    with pytest.raises(TypeError, match=r"^Bundle inputs must be a0, a1, a2, not a0, a1$"):
        sw.bundle(BundleParams(), a0=[0], a1=[1])
    with pytest.raises(
        ValueError,
        match=r"^Associative query input 'wr_addr' must be between 0 "
        r"and 1023, not 1024$",
    ):
        sw.assoc_query(AssocQueryParams(), 1, 1024, 0, 0, 0, 0, 0)
    with pytest.raises(
        TypeError,
        match=r"^Permute parameters must be an instance of "
        r"PermuteParams, not 3$",
    ):
        sw.permute(3, 0, 1, 0)


# --- the IR -------------------------------------------------------------------------------------


def _hdc_graph(length=64, shift=5):
    b = GraphBuilder("hdc")
    rates = [b.input(f"p{k}") for k in range(3)]
    s = [b.encode(rates[k], length=length, seed=100 + 7 * k) for k in range(3)]
    bundled = b.apply("bundle", *s)
    permuted = b.apply("permute", bundled, params=PermuteParams(words=length, lanes=1, shift=shift))
    b.output("s0", s[0])
    b.output("s1", s[1])
    b.output("s2", s[2])
    b.output("bound", b.apply("bind", s[0], s[1]))
    b.output("bundle", bundled)
    b.output("perm", permuted)
    b.output("distance", b.popcount(b.apply("bind", permuted, s[2])))  # Hamming distance
    return b.build()


def _assert_same(twin, hard):
    assert sorted(hard.outputs) == sorted(twin.outputs)
    for name, want in twin.outputs.items():
        assert (
            np.asarray(hard.outputs[name]).astype(np.int64).tolist()
            == np.asarray(want).astype(np.int64).tolist()
        ), name


def test_hdc_ir_graph_twin_equals_pysim():
    g = _hdc_graph()
    assert parse(g.to_text()) == g
    rng = np.random.default_rng(0)
    ins = {f"p{k}": rng.random(8) for k in range(3)}
    twin = run_windows(g, ins)
    out = {k: np.asarray(v).astype(np.int64) for k, v in twin.outputs.items()}
    assert np.array_equal(out["bound"], out["s0"] ^ out["s1"])  # bind is XOR
    assert out["bound"].any()
    # window w permutes window w - 1's bundle (the first window sees zeros)
    assert not out["perm"][0].any()
    assert np.array_equal(out["perm"][1:], np.roll(out["bundle"][:-1], 5, axis=1))
    assert np.array_equal(out["distance"], (out["perm"] ^ out["s2"]).sum(axis=1))
    _assert_same(twin, run_hardware([g], [ins])[0])


@pytest.mark.verilator
def test_hdc_ir_graph_twin_equals_verilator(tmp_path):
    graphs = [_hdc_graph(64, 5), _hdc_graph(7, -2)]
    rng = np.random.default_rng(1)
    inputs = [{f"p{k}": rng.random(10) for k in range(3)} for _ in graphs]
    for g, ins, hard in zip(
        graphs,
        inputs,
        run_hardware(graphs, inputs, backend="verilator", build_dir=tmp_path),
        strict=True,
    ):
        _assert_same(run_windows(g, ins), hard)


def test_hdc_ir_errors():
    b = GraphBuilder("bad")
    s = [b.encode(b.input(f"p{k}"), length=32, seed=1 + k) for k in range(3)]
    with pytest.raises(
        TypeError,
        match=r"^sc.permute: a permutation of a 32-bit stream needs "
        r"lanes=1 and words=32, not lanes=2 and words=16$",
    ):
        b.apply("permute", s[0], params=PermuteParams(words=16, lanes=2))
    with pytest.raises(
        TypeError,
        match=r"^sc.bundle: parameters give the hardware an input 'a3' "
        r"that the op cannot feed$",
    ):
        b.apply("bundle", *s, params=BundleParams(n=5))
    text = _hdc_graph(16).to_text().replace("words=16", "words=8")
    problems = [str(p) for p in parse(text).verify()]
    assert any("needs lanes=1 and words=16, not lanes=1 and words=8" in p for p in problems)


@pytest.mark.verilator
def test_assoc_query_default_verilator(tmp_path):
    # the board configuration: 16 items x 1024 bits, several queries back to back
    p = AssocQueryParams()
    vs = hdc.random_hypervectors(p.items, p.dimension, seed=8)
    queries = hdc.inject_noise(vs[[3, 15, 0, 9]], p.dimension, 0.25, seed=4)
    parts = [
        _query_inputs(p, _words(vs, p.lanes, p.words), _words(queries[0], p.lanes, p.words))[0]
    ]
    for q in queries[1:]:  # later queries: write only the query, then search
        ins, _ = _query_inputs(p, np.zeros((0, p.words), np.uint64), _words(q, p.lanes, p.words))
        parts.append(ins)
    ins = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    got = sim.run(hw.AssocQuery(p), ins, backend="verilator", build_dir=tmp_path)
    want = sw.assoc_query(p, **ins)._asdict()
    assert sim.first_mismatch(want, got) is None
    done = np.flatnonzero(got["done"])
    assert got["index"][done].tolist() == [3, 15, 0, 9]
