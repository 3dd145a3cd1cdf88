"""The compiled graph engine (``run_windows(..., engine="compiled")``): packed streams and
bit-sliced dense counts give exactly the ops' twins' results, and GraphTop's on pysim."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen.ir import parse
from scgen.sim import explain, run_hardware, run_windows
from scgen.sw.packed import count_planes, pack_streams, popcount_streams, unpack_streams

from .test_ir_lower import _check, _inputs, graphs, primitive_graphs

DEMO = Path(__file__).parent.parent / "examples" / "demo.scir"


def _same(a, b):
    assert sorted(a.outputs) == sorted(b.outputs)
    for name, want in a.outputs.items():
        got, want = np.asarray(b.outputs[name]), np.asarray(want)
        assert got.shape == want.shape, name
        assert [int(x) for x in got.ravel()] == [int(x) for x in want.ravel()], name


def test_pack_unpack_round_trip():
    rng = np.random.default_rng(1)
    for length in (1, 63, 64, 65, 200):
        bits = rng.integers(0, 2, (5, length))
        words = pack_streams(bits)
        assert words.shape == (5, -(-length // 64)) and words.dtype == np.uint64
        assert unpack_streams(words, length).tolist() == bits.tolist()
        assert popcount_streams(words).tolist() == bits.sum(axis=1).tolist()
        assert popcount_streams(words, parallel=True).tolist() == bits.sum(axis=1).tolist()
        for r in range(5):  # bit t % 64 of word t // 64 is cycle t
            assert all(int(words[r, t // 64]) >> (t % 64) & 1 == bits[r, t] for t in range(length))


def test_pack_streams_wrong():
    with pytest.raises(
        ValueError, match=r"^Streams to pack must be \(rows, L\), not shape \(3,\)$"
    ):
        pack_streams(np.zeros(3))
    with pytest.raises(ValueError, match=r"^Streams to pack must hold bits 0 and 1, not 2$"):
        pack_streams(np.full((1, 3), 2))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 255, 256])
def test_count_planes_are_per_bit_counts(n):
    # random words, and all-ones words (the largest count, every carry taken)
    rng = np.random.default_rng(n)
    words = rng.integers(0, 2**64, (20, n), dtype=np.uint64)
    words[0] = 2**64 - 1
    words[1, : n // 2] = 2**64 - 1
    planes = count_planes(words)
    assert planes.shape == (20, n.bit_length())
    for r in range(20):
        for bit in range(64):
            count = sum(((int(p) >> bit) & 1) << j for j, p in enumerate(planes[r]))
            assert count == sum((int(w) >> bit) & 1 for w in words[r])


def test_count_planes_wrong():
    with pytest.raises(
        ValueError, match=r"^Words to count must be \(rows, n\) with n >= 1, not shape \(2, 0\)$"
    ):
        count_planes(np.zeros((2, 0), dtype=np.uint64))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"engine": "numba"}, r"^run_windows engine must be one of compiled, twin, not 'numba'$"),
        ({"state": "reset"}, r"^run_windows state must be one of carry, fresh, not 'reset'$"),
    ],
)
def test_run_windows_option_wrong(option, message):
    g = parse(DEMO.read_text())
    with pytest.raises(ValueError, match=message):
        run_windows(g, {"x": [0.5], "w": [0.5]}, **option)


def test_demo_compiled_equals_twin_and_explains():
    g = parse(DEMO.read_text())
    rng = np.random.default_rng(7)
    ins = {"x": np.append(rng.random(300), [0.0, 1.0]), "w": rng.random(302)}
    compiled = run_windows(g, ins)
    _same(run_windows(g, ins, engine="twin"), compiled)
    text = explain(g, compiled)
    assert re.search(r"^packed +%2 = sc.encode", text, re.M)
    assert re.search(r"^packed +%4 = sc.and", text, re.M)
    assert re.search(r"^packed +%5 = sc.popcount", text, re.M)
    assert re.search(r"^twin, per window +%9 = sc.lif_step", text, re.M)
    assert re.search(r"^unpacked +sc.output \"product\"", text, re.M)


def test_constant_operand_encoded_once():
    g = parse(
        """sc.graph @k {
  %0 = sc.input "x" : rate
  %1 = sc.constant 0.3 : rate
  %2 = sc.encode %0, length=100, seed=0xACE1 : bitstream<100, unipolar, "lfsr16:fibonacci:b400:ace1">
  %3 = sc.encode %1, length=100, seed=0xBEEF : bitstream<100, unipolar, "lfsr16:fibonacci:b400:beef">
  %4 = sc.and %2, %3 : bitstream<100>
  %5 = sc.popcount %3, width=7 : u7
  sc.output "p" %4
  sc.output "c" %5
}"""
    )
    ins = {"x": np.random.default_rng(2).random(40)}
    compiled = run_windows(g, ins)
    assert compiled.engine[3] == "packed (constant, encoded once)"
    _same(run_windows(g, ins, engine="twin"), compiled)
    _same(compiled, run_windows(g, ins))  # from the graph's cache


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), seed=st.integers(0, 2**32 - 1), windows=st.integers(1, 40))
def test_random_graphs_compiled_equals_twin(g, seed, windows):
    ins = _inputs(g, max(windows, 2), np.random.default_rng(seed))
    _same(run_windows(g, ins, engine="twin"), run_windows(g, ins))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=primitive_graphs(), seed=st.integers(0, 2**32 - 1))
def test_primitive_graphs_compiled_equals_twin(g, seed):
    ins = _inputs(g, 12, np.random.default_rng(seed))
    _same(run_windows(g, ins, engine="twin"), run_windows(g, ins))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), seed=st.integers(0, 2**32 - 1))
def test_random_graphs_compiled_equals_pysim(g, seed):
    ins = _inputs(g, 6, np.random.default_rng(seed))
    hw = run_hardware([g], [ins], backend="pysim", seed=seed)[0]
    _check(g, (run_windows(g, ins), hw))


@pytest.mark.parametrize("length", [1, 64, 100, 1000])
def test_encode_lfsr_seeds_equals_encode_lfsr(length):
    from dataclasses import replace

    from scgen.params import EncoderParams, LfsrParams
    from scgen.sw.lfsr_encode import encode_lfsr, encode_lfsr_seeds

    rng = np.random.default_rng(length)
    seeds = [1, 0xACE1, 0xFFFF, *rng.integers(1, 1 << 16, 5).tolist()]
    x = rng.integers(0, 1 << 16, (6, len(seeds)))
    x[0] = 0
    x[1] = 0xFFFF
    got = encode_lfsr_seeds(LfsrParams(), seeds, x, length)
    assert encode_lfsr_seeds(LfsrParams(), seeds, x, length, parallel=True).tolist() == got.tolist()
    for k, s in enumerate(seeds):
        want = encode_lfsr(EncoderParams(source=replace(LfsrParams(), seed=s)), x[:, k], length)
        assert got[:, k, :].tolist() == want.tolist()


def test_encode_lfsr_seeds_wrong():
    from scgen.params import LfsrParams
    from scgen.sw.lfsr_encode import encode_lfsr_seeds

    with pytest.raises(
        ValueError, match=r"^LFSR seed must be non-zero, not 0; a zero state locks the LFSR$"
    ):
        encode_lfsr_seeds(LfsrParams(), [0, 3], [[1, 2]], 10)
    with pytest.raises(
        ValueError, match=r"^Encoder values must be \(rows, 2\) for 2 seeds, not shape \(3,\)$"
    ):
        encode_lfsr_seeds(LfsrParams(), [1, 3], [1, 2, 3], 10)
    with pytest.raises(ValueError, match=r"^Encoder values must be between 0 and 65535, not -1$"):
        encode_lfsr_seeds(LfsrParams(), [1, 3], [[1, -1]], 10)


def _dense_graph(ni, nn, length, *, per_neuron, const_w, const_factors, rng, y=(0, 256)):
    from scgen.ir import GraphBuilder

    b = GraphBuilder("d")
    nw = ni * nn if per_neuron else ni
    xs = b.input("xs", f"vec<rate,{ni}>")
    ws = (
        b.constant(rng.random(nw).tolist(), f"vec<rate,{nw}>")
        if const_w
        else b.input("ws", f"vec<rate,{nw}>")
    )
    if const_factors:
        leak = b.constant(int(rng.integers(-30, 40)), "i16")
        gain = b.constant(int(rng.integers(100, 700)), "i16")
    else:
        leak, gain = b.input("leak", "i16"), b.input("gain", "i16")
    spikes = b.dense_forward(
        xs,
        ws,
        leak=leak,
        gain=gain,
        n_inputs=ni,
        n_neurons=nn,
        stream_length=length,
        input_seed_base=int(rng.integers(0, 1 << 16)),
        weight_seed_base=int(rng.integers(0, 1 << 16)),
        y_min=y[0],
        y_max=y[1],
    )
    b.output("spikes", spikes)
    return b.build()


@pytest.mark.parametrize(
    ("ni", "nn", "length", "per_neuron", "const_w", "const_factors", "y"),
    [
        (64, 32, 200, True, True, True, (0, 256)),
        (5, 70, 130, False, True, False, (10, 600)),  # two spike words, Python ints
        (3, 64, 100, False, True, True, (0, 300)),  # one spike word of 64 bits, Python ints
        (17, 9, 64, True, False, False, (0, 40000)),  # the current wraps at 16 bits
        (1, 1, 1, False, False, True, (0, 256)),
        (100, 3, 65, False, True, True, (5, 300)),
    ],
)
def test_dense_compiled_equals_twin(ni, nn, length, per_neuron, const_w, const_factors, y):
    rng = np.random.default_rng(ni * nn + length)
    g = _dense_graph(
        ni,
        nn,
        length,
        per_neuron=per_neuron,
        const_w=const_w,
        const_factors=const_factors,
        rng=rng,
        y=y,
    )
    ins = _inputs(g, 9, rng)
    if not const_factors:
        ins["leak"] = rng.integers(-30, 40, 9)
        ins["gain"] = rng.integers(100, 700, 9)
    compiled = run_windows(g, ins)
    assert compiled.engine[len(g.ops) - 2] == "bit-sliced counts, LIF per cycle"
    twin = run_windows(g, ins, engine="twin")
    assert any(int(v) for v in np.asarray(twin.outputs["spikes"]).ravel())
    _same(twin, compiled)


def test_dense_compiled_same_for_any_thread_count():
    import numba

    rng = np.random.default_rng(11)
    g = _dense_graph(32, 40, 128, per_neuron=True, const_w=True, const_factors=True, rng=rng)
    ins = _inputs(g, 5, rng)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            results.append(run_windows(g, ins))
    finally:
        numba.set_num_threads(before)
    for r in results[1:]:
        _same(results[0], r)


def test_primitive_ops_run_their_packed_parts():
    # a constant's stream (one row for every window) and packed streams into the registry's
    # ops, which run their packed parts (IrSpec.packed), and back into the seed's packed ops
    from scgen.ir import GraphBuilder
    from scgen.params import EncoderParams, SobolParams

    b = GraphBuilder("m")
    x, w = b.input("x"), b.input("w", "i16")
    s1 = b.encode(x, length=100, seed=5)
    s2 = b.encode(b.constant(0.3, "rate"), length=100, seed=7)
    sobol = SobolParams(width=16, dimension=3, scramble=0x1234)
    s3 = b.apply(
        "encoder",
        w,
        params=EncoderParams(source=sobol, encoding="bipolar", ordering="blueprint"),
        length=100,
    )
    s4 = b.apply("encoder", b.constant(0.6, "rate"), params=EncoderParams(), length=100)
    s5 = b.apply("add_mux", b.apply("mul_xnor", s1, s2), s2, s1)
    s6 = b.apply("bind", b.apply("bundle", s5, s3, s4), b.apply("mul_and", s1, s4))
    b.output("o", s6)
    b.output("n", b.popcount(s6))
    b.output("k", b.popcount(s1 & s2))
    g = b.build()
    rng = np.random.default_rng(1)
    ins = {"x": rng.random(30), "w": rng.integers(-(2**15), 2**15, 30)}
    compiled = run_windows(g, ins)
    _same(run_windows(g, ins, engine="twin"), compiled)
    text = explain(g, compiled)
    for kind in ("encoder %1", "mul_xnor", "add_mux", "bundle", "bind", "mul_and", "and"):
        assert re.search(rf"^packed +%\d+ = sc.{kind}", text, re.M), kind
    assert re.search(
        r"^packed \(constant, encoded once\) +%\d+ = sc.encoder %\d+, source=.lfsr", text, re.M
    )
    _same(run_windows(g, ins, engine="twin"), run_windows(g, ins))  # from the graph's cache


def test_primitive_ops_without_packed_form_run_their_twins():
    # two lanes have no packed form: the op runs its twin (and the graph's bits stay the twin's)
    from scgen.ir import GraphBuilder
    from scgen.params import MulXnorParams

    b = GraphBuilder("lanes")
    s = b.encode(b.input("x"), length=70, seed=3)
    t = b.encode(b.input("y"), length=70, seed=4)
    b.output("o", b.apply("mul_xnor", s, t, params=MulXnorParams(lanes=2)))
    g = b.build()
    rng = np.random.default_rng(2)
    ins = {"x": rng.random(5), "y": rng.random(5)}
    compiled = run_windows(g, ins)
    assert compiled.engine[4] == "twin, per cycle"
    _same(run_windows(g, ins, engine="twin"), compiled)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 17, 63])
def test_bundle_packed_is_the_bundle_twin(n):
    from scgen.params import BundleParams
    from scgen.sw.hdc import bundle, bundle_packed

    rng = np.random.default_rng(n)
    length = 150
    bits = {f"a{k}": rng.integers(0, 2, (4, length)) for k in range(n)}
    for k in range(n):  # runs of all ones and all zeros reach every count
        bits[f"a{k}"][:, 100:120] = 1
        bits[f"a{k}"][:, 120:140] = 0
    p = BundleParams(n=n)
    words = bundle_packed(p, length, **{k: pack_streams(v) for k, v in bits.items()})
    want = np.stack([bundle(p, **{k: v[r] for k, v in bits.items()}).o for r in range(4)])
    assert unpack_streams(words, length).tolist() == want.astype(np.int64).tolist()
    assert bundle_packed(BundleParams(n=n, lanes=2), length, **bits) is None


# --------------------------------------------------------------------------------------------
# independent windows: state="fresh", and graphs without state across windows


def _alone(g, ins, engine="twin"):
    """Every window of ``ins`` run alone (from reset), the results side by side."""
    windows = len(next(iter(ins.values())))
    ran = [
        run_windows(g, {k: v[w : w + 1] for k, v in ins.items()}, engine=engine)
        for w in range(windows)
    ]
    return {k: np.concatenate([np.asarray(r.outputs[k]) for r in ran]) for k in ran[0].outputs}


def _same_outputs(want, got):
    assert sorted(want) == sorted(got)
    for name in want:
        assert [int(x) for x in np.asarray(got[name]).ravel()] == [
            int(x) for x in np.asarray(want[name]).ravel()
        ], name


def test_graphs_say_whether_they_carry_state():
    from scgen.ir import GraphBuilder
    from scgen.sim import carries_state

    demo = parse(DEMO.read_text())  # a LIF neuron: state from window to window
    assert carries_state(demo)
    b = GraphBuilder("s")
    s = b.encode(b.input("x"), length=70, seed=3)
    b.output("n", b.popcount(b.apply("mul_xnor", s, s & s)))
    stateless = b.build()
    assert not carries_state(stateless)
    ins = {"x": np.random.default_rng(3).random(20)}
    carry, fresh = run_windows(stateless, ins), run_windows(stateless, ins, state="fresh")
    assert carry.independent and fresh.independent
    _same(carry, fresh)
    assert explain(stateless, carry).splitlines()[0] == (
        "windows: independent, each from reset (in parallel where an op can)"
    )
    d = run_windows(demo, {"x": [0.5, 0.9], "w": [0.7, 0.8]})
    assert not d.independent
    assert explain(demo, d).splitlines()[0] == (
        "windows: in order, state carried from window to window"
    )


def test_demo_fresh_is_every_window_alone():
    g = parse(DEMO.read_text())
    rng = np.random.default_rng(5)
    ins = {"x": np.append(rng.random(60) * 0.3 + 0.7, [0.0, 1.0]), "w": rng.random(62) * 0.2 + 0.8}
    fresh = run_windows(g, ins, state="fresh")
    assert re.search(
        r"^twin, per window, each from reset +%9 = sc.lif_step", explain(g, fresh), re.M
    )
    alone = _alone(g, ins)
    _same_outputs(alone, fresh.outputs)
    _same_outputs(alone, run_windows(g, ins, state="fresh", engine="twin").outputs)
    # carrying state differs: the membrane builds up over windows of high rates
    carry = run_windows(g, ins)
    assert carry.outputs["neuron__v"].tolist() != fresh.outputs["neuron__v"].tolist()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    g=st.one_of(graphs(), primitive_graphs()),
    seed=st.integers(0, 2**32 - 1),
    windows=st.integers(2, 12),
)
def test_random_graphs_fresh_is_every_window_alone(g, seed, windows):
    ins = _inputs(g, windows, np.random.default_rng(seed))
    fresh = run_windows(g, ins, state="fresh")
    assert fresh.independent
    _same_outputs(_alone(g, ins), fresh.outputs)


def test_stateful_primitive_fresh_runs_each_window_alone():
    # a permutation shows the previous window's stream: alone, every window sees zeros
    from scgen.ir import GraphBuilder
    from scgen.params import PermuteParams

    b = GraphBuilder("perm")
    s = b.encode(b.input("x"), length=16, seed=9)
    b.output("o", b.apply("permute", s, params=PermuteParams(lanes=1, words=16, shift=3)))
    g = b.build()
    ins = {"x": np.random.default_rng(4).random(6) * 0.5 + 0.4}
    fresh = run_windows(g, ins, state="fresh")
    assert fresh.engine[2] == "twin, per cycle, each window alone"
    assert not np.asarray(fresh.outputs["o"]).any()
    _same_outputs(_alone(g, ins), fresh.outputs)
    assert np.asarray(run_windows(g, ins).outputs["o"]).any()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), seed=st.integers(0, 2**32 - 1))
def test_random_graphs_fresh_equals_graph_top_per_window(g, seed):
    # each window on its own GraphTop from reset (all side by side in one simulation)
    windows = 3
    ins = _inputs(g, windows, np.random.default_rng(seed))
    one = [{k: v[w : w + 1] for k, v in ins.items()} for w in range(windows)]
    hw = run_hardware([g] * windows, one, backend="pysim", seed=seed)
    want = {k: np.concatenate([np.asarray(r.outputs[k]) for r in hw]) for k in hw[0].outputs}
    _same_outputs(want, run_windows(g, ins, state="fresh").outputs)


def test_dense_fresh_same_for_any_thread_count_and_equals_alone():
    import numba

    rng = np.random.default_rng(12)
    g = _dense_graph(20, 70, 130, per_neuron=True, const_w=True, const_factors=False, rng=rng)
    ins = _inputs(g, 5, rng)
    ins["leak"] = rng.integers(-30, 40, 5)
    ins["gain"] = rng.integers(100, 700, 5)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, 2, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            results.append(run_windows(g, ins, state="fresh"))
    finally:
        numba.set_num_threads(before)
    assert results[0].engine[len(g.ops) - 2] == (
        "bit-sliced counts, LIF per cycle, windows in parallel"
    )
    alone = _alone(g, ins)
    assert any(int(v) for v in alone["spikes"].ravel())
    for r in results:
        _same_outputs(alone, r.outputs)


@pytest.mark.parametrize("state", ["carry", "fresh"])
def test_demo_many_windows_same_for_any_thread_count(state):
    # enough stream cycles (windows x L >= 2**18) for the window-local ops to split their
    # windows over threads
    import numba

    g = parse(DEMO.read_text())
    rng = np.random.default_rng(9)
    ins = {"x": rng.random(1100), "w": rng.random(1100)}
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, 2, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            results.append(run_windows(g, ins, state=state))
    finally:
        numba.set_num_threads(before)
    if numba.config.NUMBA_NUM_THREADS > 1:
        assert results[-1].engine[2] == "packed, windows in parallel"
        assert results[-1].engine[5] == "packed, windows in parallel"
    want = run_windows(g, ins, engine="twin", state=state)
    for r in results:
        _same(want, r)
