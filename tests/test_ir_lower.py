"""Whole-graph equivalence: the twin executor, Amaranth pysim and Verilator agree on every output
of every window, for the seed's example and for random well-typed graphs."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen.ir import GraphBuilder, ScGraphBuilder, parse
from scgen.ir.lower import GraphTop
from scgen.ir.ports import LoweringError
from scgen.sim import run_hardware, run_windows

from .test_ir import SEED_SYNAPSE


@st.composite
def graphs(draw):
    """Random well-typed graphs: rate inputs encoded by LFSRs with distinct seeds, products,
    counts, divisions, and LIF steps driven by counts."""
    b = GraphBuilder("g")
    length = draw(st.sampled_from([1, 7, 64, 100]))
    rates = [b.input(f"p{k}") for k in range(draw(st.integers(1, 3)))]
    for _ in range(draw(st.integers(0, 2))):  # window-level rate arithmetic before encoding
        r = draw(st.sampled_from(rates))
        rates.append(
            b.scale(r, draw(st.floats(-2, 4)))
            if draw(st.booleans())
            else b.offset(r, draw(st.floats(-1, 1)))
        )
    seeds = iter(draw(st.lists(st.integers(1, 0xFFFF), min_size=12, max_size=12, unique=True)))
    streams = [
        b.encode(draw(st.sampled_from(rates)), length=length, seed=next(seeds))
        for _ in range(draw(st.integers(1, 3)))
    ]
    for _ in range(draw(st.integers(0, 3))):
        streams.append(
            draw(st.sampled_from(streams))
            & b.encode(draw(st.sampled_from(rates)), length=length, seed=next(seeds))
        )
    counts = [b.popcount(draw(st.sampled_from(streams))) for _ in range(draw(st.integers(1, 2)))]
    if draw(st.booleans()):
        counts.append(b.div_const(draw(st.sampled_from(counts)), draw(st.integers(1, 9))))
    b.output("s0", draw(st.sampled_from(streams)))
    for k, c in enumerate(counts):
        b.output(f"c{k}", c)
    if draw(st.booleans()):  # a dense layer (ports of up to 3 rates: 48 bits)
        ni = draw(st.integers(1, 3))
        per_neuron = ni == 1 and draw(st.booleans())
        nn = draw(st.integers(1, 3)) if per_neuron else draw(st.integers(1, 5))
        xs = b.input("xs", f"vec<rate,{ni}>")
        ws = b.input("ws", f"vec<rate,{ni * nn if per_neuron else ni}>")
        b.output(
            "spikes",
            b.dense_forward(
                xs,
                ws,
                leak=b.constant(draw(st.integers(0, 40)), "i16"),
                gain=b.constant(draw(st.integers(100, 700)), "i16"),
                n_inputs=ni,
                n_neurons=nn,
                stream_length=length,
                input_seed_base=draw(st.integers(0, 0xFFFF)),
                weight_seed_base=draw(st.integers(0, 0xFFFF)),
                y_max=draw(st.integers(0, 600)),
            ),
        )
    if draw(st.booleans()):
        leak = b.input("leak", "i16")
        gain = b.constant(draw(st.integers(-300, 600)), "i16")
        noise = b.input("noise", "i8")
        b.output(
            "n",
            b.lif_step(
                draw(st.sampled_from(counts)),
                leak=leak,
                gain=gain,
                noise=noise,
                refractory_period=draw(st.integers(0, 3)),
                v_threshold=draw(st.integers(-50, 400)),
            ),
        )
    return b.build()


def _inputs(graph, windows, rng):
    out = {}
    for op in graph.inputs:
        t = str(op.attr("type"))
        if t.startswith("vec<rate,"):
            out[op.attr("name")] = rng.random((windows, int(t[9:-1])))
        elif t == "rate":
            out[op.attr("name")] = np.append(rng.random(windows - 2), [0.0, 1.0])
        else:
            bits = int(t[1:])
            out[op.attr("name")] = rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), windows)
    return out


def _check(graph, results):
    twin, hw = results
    assert sorted(twin.outputs) == sorted(hw.outputs)
    for name, want in twin.outputs.items():
        got, want = np.asarray(hw.outputs[name]), np.asarray(want)
        assert got.shape == want.shape, name
        assert [int(x) for x in got.ravel()] == [int(x) for x in want.ravel()], name


def _hardware(graphs_, inputs, backend, build_dir=None, seed=1, optimize=True):
    return run_hardware(
        graphs_, inputs, backend=backend, build_dir=build_dir, seed=seed, optimize=optimize
    )


def test_ir_seed_synapse_three_ways(tmp_path):
    g = parse(SEED_SYNAPSE)
    ins = {
        "x_prob": np.array([0.5, 0.25, 1.0, 0.0, 0.75]),
        "w_prob": np.array([0.5, 1.0, 1.0, 0.3, 0.75]),
    }
    twin = run_windows(g, ins)
    assert twin.outputs["firing_rate"].tolist() == [0, 0, 1, 0, 0]  # hits // 1024
    for backend, build in (("pysim", None), ("verilator", tmp_path)):
        _check(g, (twin, _hardware([g], [ins], backend, build)[0]))


def test_ir_rate_half_means_half():
    # the seed's IR turned rate 0.5 into 128/65536 in hardware; here it is 0x8000
    b = GraphBuilder("half")
    x, w = b.input("x"), b.input("w")
    b.output("hits", b.popcount(b.encode(x, seed=0xACE1) & b.encode(w, seed=0xBEEF)))
    hits = run_windows(b.build(), {"x": np.array([0.5]), "w": np.array([0.5])}).outputs["hits"]
    sigma = (1024 * 0.25 * 0.75) ** 0.5
    assert abs(int(hits[0]) - 256) < 5 * sigma


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), seed=st.integers(0, 2**32 - 1))
def test_ir_random_graphs_twin_equals_pysim(g, seed):
    assert [p for p in g.verify() if p.severity == "error"] == []
    ins = _inputs(g, 6, np.random.default_rng(seed))
    _check(g, (run_windows(g, ins), _hardware([g], [ins], "pysim", seed=seed)[0]))


def test_ir_wide_dense_three_ways(tmp_path):
    # 6 inputs x 12 neurons with a weight each: a 1152-bit weight port, 96-bit input port
    b = ScGraphBuilder("wide")
    ids = [
        b.input(n, t)
        for n, t in (
            ("x", "vec<rate,6>"),
            ("w", "vec<rate,72>"),
            ("l", "fixed<16,8>"),
            ("g", "fixed<16,8>"),
        )
    ]
    b.output("s", b.dense_forward(*ids, n_inputs=6, n_neurons=12, stream_length=50, y_max=256))
    g = b.build()
    assert g.verify() == []
    rng = np.random.default_rng(4)
    ins = {
        "x": rng.random((4, 6)),
        "w": rng.random((4, 72)),
        "l": np.full(4, 10),
        "g": np.full(4, 256),
    }
    twin = run_windows(g, ins)
    assert twin.outputs["s"].any()
    for backend, build in (("pysim", None), ("verilator", tmp_path)):
        _check(g, (twin, _hardware([g], [ins], backend, build)[0]))


def test_ir_lowering_errors():
    b = GraphBuilder("m")
    x = b.input("x")
    b.output("a", b.popcount(b.encode(x, length=8)))
    b.output("b", b.popcount(b.encode(x, length=16, seed=3)))
    with pytest.raises(
        LoweringError,
        match=r"^graph 'm' mixes stream lengths \[8, 16\]; a "
        r"window has one length$",
    ):
        GraphTop(b.build())


@st.composite
def primitive_graphs(draw):
    """Random graphs that use the registry's primitive ops: encoders with LFSR and Sobol
    sources in either ordering and encoding (of inputs or constants), XNOR and AND products,
    MUX additions, binds and bundles."""
    from scgen.params import EncoderParams, LfsrForm, LfsrParams, SobolParams

    # 16-bit sources: the rate and i16 operands fill a 16-bit comparator
    lfsr16 = st.builds(
        LfsrParams, width=st.just(16), seed=st.integers(1, 0xFFFF), form=st.sampled_from(LfsrForm)
    )
    sobol16 = st.builds(
        SobolParams,
        width=st.just(16),
        dimension=st.integers(0, 9),
        start=st.integers(0, 0xFFFF),
        scramble=st.integers(0, 0xFFFF),
    )
    b = GraphBuilder("p")
    length = draw(st.sampled_from([5, 64, 130]))
    rate = b.input("r")
    word = b.input("w", "i16")
    streams = []
    for _ in range(draw(st.integers(2, 4))):
        bipolar = draw(st.booleans())
        src = draw(st.one_of(lfsr16, sobol16))
        params = EncoderParams(
            source=src,
            encoding="bipolar" if bipolar else "unipolar",
            ordering=draw(st.sampled_from(["hardware", "blueprint"])),
        )
        value = word if bipolar else rate
        if draw(st.integers(0, 3)) == 0:  # a constant operand: one stream for every window
            value = (
                b.constant(draw(st.integers(-(1 << 15), (1 << 15) - 1)), "i16")
                if bipolar
                else b.constant(draw(st.floats(0, 1)), "rate")
            )
        streams.append(b.apply("encoder", value, params=params, length=length))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["mul_and", "mul_xnor", "add_mux", "bind", "bundle"]))
        arity = {"add_mux": 3, "bundle": 3}.get(kind, 2)
        args = [draw(st.sampled_from(streams)) for _ in range(arity)]
        if kind == "mul_and" and any(a.type.encoding != "unipolar" for a in args):
            kind = "mul_xnor"
        streams.append(b.apply(kind, *args))
    b.output("last", streams[-1])
    b.output("count", b.popcount(streams[-1]))
    if draw(st.booleans()):  # a bare source's words
        kind = draw(st.sampled_from(["lfsr", "sobol"]))
        b.output(
            "words",
            b.apply(kind, params=draw(lfsr16 if kind == "lfsr" else sobol16), length=length),
        )
    return b.build()


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(g=primitive_graphs(), seed=st.integers(0, 2**32 - 1))
def test_ir_primitive_op_graphs_twin_equals_pysim(g, seed):
    from scgen.ir import parse

    assert parse(g.to_text()) == g
    ins = _inputs(g, 5, np.random.default_rng(seed))
    _check(g, (run_windows(g, ins), _hardware([g], [ins], "pysim", seed=seed)[0]))


def _examples(strategy, n):
    found = []

    @settings(max_examples=n)
    @given(g=strategy())
    def collect(g):
        found.append(g)

    collect()
    return found


@pytest.mark.verilator
def test_ir_random_graphs_twin_equals_verilator(tmp_path):
    # 210 hypothesis graphs side by side in ONE Verilator model (each GraphTop's ports prefixed
    # by its instance), built at -O0: the build, not the few thousand cycles, is the cost.
    # Every output of every window of every graph must equal the twin's.
    found = _examples(graphs, 150) + _examples(primitive_graphs, 60)
    assert len(found) >= 200
    rng = np.random.default_rng(40)
    inputs = [_inputs(g, 40 if k < 150 else 20, rng) for k, g in enumerate(found)]
    hw = _hardware(found, inputs, "verilator", tmp_path, optimize=False)
    for g, ins, got in zip(found, inputs, hw, strict=True):
        _check(g, (run_windows(g, ins), got))


SEED_DENSE = """sc.graph @sc_dense_layer {
  %0 = sc.input "x_input" : vec<rate,3>
  %1 = sc.input "weights" : vec<rate,3>
  %2 = sc.input "leak_k" : fixed<16,8>
  %3 = sc.input "gain_k" : fixed<16,8>
  %4 = sc.dense_forward %0, weights=%1, leak=%2, gain=%3, ni=3, nn=7, len=LENGTH : vec<bool,7>
  sc.output "spikes" %4
}
"""


@pytest.mark.parametrize(("value", "steps", "spikes"), [(52428, 1000, 475), (32768, 2000, 357)])
def test_ir_dense_known_answers(value, steps, spikes):
    # SEED_BEHAVIOUR §5.2: the seed's v2 dense pipeline (seeds 0xACE1 + 7i / 0xBEEF + 13i,
    # I_t = 256 * count // 3, LIF with leak 10, gain 256, refractory 0), one window of `steps`
    g = parse(SEED_DENSE.replace("LENGTH", str(steps)))
    p = value / 65536
    out = run_windows(
        g,
        {
            "x_input": np.full((1, 3), p),
            "weights": np.full((1, 3), p),
            "leak_k": [10],
            "gain_k": [256],
        },
    ).outputs["spikes"][0]
    assert all(int(((out >> n) & 1).sum()) == spikes for n in range(7))


def test_ir_seed_dense_three_ways(tmp_path):
    g = parse(SEED_DENSE.replace("LENGTH", "100"))
    rng = np.random.default_rng(3)
    ins = {
        "x_input": rng.random((6, 3)),
        "weights": rng.random((6, 3)),
        "leak_k": rng.integers(0, 40, 6),
        "gain_k": rng.integers(200, 600, 6),
    }
    twin = run_windows(g, ins)
    assert twin.outputs["spikes"].any()
    for backend, build in (("pysim", None), ("verilator", tmp_path)):
        _check(g, (twin, _hardware([g], [ins], backend, build)[0]))


@pytest.mark.parametrize("length", [1, 2, 3, 1000, (1 << 17) + 3])
def test_ir_window_counter_every_length(length):
    # windows up to 2**17 cycles are counted by an LFSR (its compare state precomputed), longer
    # ones in binary: done and the counts come on the same cycles either way
    from scgen.ir.lower import window_state

    b = GraphBuilder("count")
    b.output("n", b.popcount(b.encode(b.input("x"), length=length, seed=0x1D3)))
    g = b.build()
    inputs = {"x": np.array([0.3, 0.7])}
    hw = run_hardware([g], [inputs], backend="pysim")[0]  # checks done on t0 + L + 2
    np.testing.assert_array_equal(hw.outputs["n"], run_windows(g, inputs).outputs["n"])
    if length < 1 << 17:
        assert 0 < window_state(length) < 1 << max(3, (length + 1).bit_length())
