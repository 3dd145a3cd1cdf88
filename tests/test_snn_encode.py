"""``sc.snn`` with inputs encoded on chip (``encode="lfsr"`` or ``"sobol"``): the operand is one
sample's rates, ``vec<rate, n_in>``; one 16-bit source per network, restarted every window, gives
input ``i`` at step ``t`` the value ``r[t * n_in + i]`` and the spike ``r < x_i``. The twin's
spikes equal a plain-Python encoding, the twin equals pysim and Verilator, the text round-trips,
and bad operands and seeds are one-sentence errors."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen import snn
from scgen.ir import GraphBuilder, parse
from scgen.ir.lower import window_length
from scgen.ir.snn_op import encoded_spikes
from scgen.ir.values import port_values, spike_array
from scgen.params import LfsrParams, SobolParams
from scgen.params.snn import SnnLayerParams, SnnParams
from scgen.primitives import PRIMITIVES
from scgen.sim import run_hardware, run_windows


def _lfsr_values(seed, n):
    """The seed's 16-bit Fibonacci LFSR x^16 + x^14 + x^13 + x^11 + 1, written out plainly."""
    out, s = [], seed
    for _ in range(n):
        out.append(s)
        bit = ((s >> 15) ^ (s >> 13) ^ (s >> 12) ^ (s >> 10)) & 1
        s = ((s << 1) | bit) & 0xFFFF
    return out


def _encode(values, rates, steps):
    """Plain Python: input i spikes at step t when value t * n_in + i is below its rate."""
    n_in = len(rates[0])
    return np.array(
        [[[int(values[t * n_in + i] < x[i]) for i in range(n_in)] for t in range(steps)]
         for x in rates],
        dtype=np.uint8,
    )  # fmt: skip


def _network(rng, sizes, pe):
    layers = tuple(
        SnnLayerParams(
            weight=rng.integers(-100, 101, (n_out, n_in)).tolist(),
            bias=rng.integers(-8, 9, n_out).tolist(),
            threshold=rng.integers(20, 120, n_out).tolist(),
            leak_shift=3,
            pe=p,
        )
        for n_in, n_out, p in zip(sizes, sizes[1:], pe, strict=False)
    )
    return SnnParams(layers=layers)


def _rates(rng, windows, n_in):
    return rng.random((windows, n_in))


def _spikes(g, result):
    t = g.result_types()[g.outputs[0].operands[0]]
    return spike_array(t, result.outputs["out"])


def test_lfsr_plain_python_matches_the_twin_source():
    from scgen.sw.lfsr import lfsr

    np.testing.assert_array_equal(
        lfsr(LfsrParams(seed=0xACE1), cycles=50).value, _lfsr_values(0xACE1, 50)
    )


@pytest.mark.parametrize("encode", ["lfsr", "sobol"])
def test_encoded_spikes_equal_plain_python(encode):
    from scgen.sw.sobol import sobol

    rng = np.random.default_rng(1)
    steps, n_in = 7, 5
    rates = port_values("x", parse_type_rates(n_in), _rates(rng, 3, n_in)).tolist()
    q = np.array([[(int(v) >> (16 * i)) & 0xFFFF for i in range(n_in)] for v in rates])
    if encode == "lfsr":
        src, values = LfsrParams(seed=0x1234), _lfsr_values(0x1234, steps * n_in)
    else:
        src = SobolParams(dimension=1)
        values = sobol(src, cycles=steps * n_in).value.tolist()
    np.testing.assert_array_equal(encoded_spikes(src, q, steps), _encode(values, q, steps))


def parse_type_rates(n):
    from scgen.ir import parse_type

    return parse_type(f"vec<rate, {n}>")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 4),
    windows=st.integers(2, 3),
    encode=st.sampled_from(["lfsr", "sobol"]),
)
def test_encoded_networks_twin_equals_pysim(seed, steps, windows, encode):
    rng = np.random.default_rng(seed)
    params = PRIMITIVES["snn_network"].example(rng)
    kw = {"seed": int(rng.integers(1, 1 << 16))} if encode == "lfsr" else {
        "dimension": int(rng.integers(0, 8))}  # fmt: skip
    g = snn.network_graph(params, steps, encode=encode, **kw)
    assert g.verify() == []
    assert parse(g.to_text()) == g
    rates = _rates(rng, windows, params.n_in)
    rates[0, 0], rates[-1, -1] = 0.0, 1.0
    twin = run_windows(g, {"rates": rates})
    # the twin is snn_steps on the spikes the source gives
    q = port_values("rates", parse_type_rates(params.n_in), rates).tolist()
    q = np.array([[(int(v) >> (16 * i)) & 0xFFFF for i in range(params.n_in)] for v in q])
    src = (
        LfsrParams(seed=kw["seed"]) if encode == "lfsr" else SobolParams(dimension=kw["dimension"])
    )
    want = snn.run(params, encoded_spikes(src, q, steps).transpose(1, 0, 2)).transpose(1, 0, 2)
    np.testing.assert_array_equal(_spikes(g, twin), want)
    hw = run_hardware([g], [{"rates": rates}], backend="pysim", seed=seed)[0]
    np.testing.assert_array_equal(_spikes(g, hw), _spikes(g, twin))


def test_encoded_window_is_longer_by_the_first_word_only():
    rng = np.random.default_rng(3)
    params = PRIMITIVES["snn_network"].example(rng)
    plain = snn.network_graph(params, 5)
    enc = snn.network_graph(params, 5, encode="lfsr")
    assert window_length(enc) == window_length(plain) + params.n_in - 1
    assert window_length(plain) == 5 * (params.step_cycles() + 2) + 1


def test_rate_zero_never_spikes_and_one_spikes_unless_the_source_is_full_scale():
    steps, n_in = 40, 3
    for src in (LfsrParams(seed=0xACE1), SobolParams(dimension=0), SobolParams(dimension=2)):
        q = np.array([[0, 65535, 32768]])
        s = encoded_spikes(src, q, steps)[0]
        assert s[:, 0].sum() == 0
        from scgen.sw.lfsr import lfsr
        from scgen.sw.sobol import sobol

        run = lfsr if isinstance(src, LfsrParams) else sobol
        r = run(src, cycles=steps * n_in).value.reshape(steps, n_in)
        np.testing.assert_array_equal(s[:, 1], (r[:, 1] != 65535).astype(np.uint8))
    # the LFSR never shows 0, so a rate of 1 (65535) spikes except where r = 65535
    assert encoded_spikes(LfsrParams(seed=0xFFFF), np.array([[65535]]), 2)[0, :, 0].tolist() == [
        0,
        1,
    ]


def test_encoded_text_prints_only_with_encode():
    rng = np.random.default_rng(4)
    params = PRIMITIVES["snn_network"].example(rng)
    plain = snn.network_graph(params, 3).to_text()
    assert "encode" not in plain
    text = snn.network_graph(params, 3, encode="lfsr", seed=0x1234).to_text()
    assert 'encode="lfsr"' in text and "encode_seed=0x1234" in text
    assert "encode_dimension" not in text
    text = snn.network_graph(params, 3, encode="sobol", dimension=3).to_text()
    assert "encode_dimension=3" in text and "encode_seed" not in text
    assert parse(text).to_text() == text


def test_encoded_operand_wrong():
    rng = np.random.default_rng(5)
    params = PRIMITIVES["snn_network"].example(rng)
    b = GraphBuilder("g")
    x = b.input("spikes", f"spikes<3, {params.n_in}>")
    with pytest.raises(TypeError, match=r"sc.snn with encode='lfsr' takes the rates vec<rate,"):
        b.snn(x, params, encode="lfsr", steps=3)
    y = b.input("rates", f"vec<rate, {params.n_in + 1}>")
    with pytest.raises(TypeError, match=r"takes the rates .* not vec<rate,"):
        b.snn(y, params, encode="sobol", steps=3)
    z = b.input("r", f"vec<rate, {params.n_in}>")
    with pytest.raises(TypeError, match=r"sc.snn takes spikes<T, N>, not vec<rate,"):
        b.snn(z, params)
    with pytest.raises(ValueError, match=r"sc.snn encode must be '', 'lfsr' or 'sobol', not 'x'"):
        b.snn(z, params, encode="x", steps=3)
    # the verifier says the same of text
    text = snn.network_graph(params, 3, encode="lfsr").to_text()
    bad = text.replace(f"vec<rate,{params.n_in}>", f"vec<rate,{params.n_in + 1}>", 1)
    errors = parse(bad).verify()
    assert any("operand 'spikes' must be vec<rate," in str(e) for e in errors), errors


def test_encoded_seed_wrong():
    rng = np.random.default_rng(6)
    params = PRIMITIVES["snn_network"].example(rng)
    with pytest.raises(ValueError, match=r"LFSR seed must be non-zero, not 0"):
        snn.network_graph(params, 3, encode="lfsr", seed=0)
    with pytest.raises(ValueError, match=r"seed must be .* not 70000"):
        snn.network_graph(params, 3, encode="lfsr", seed=70000)
    with pytest.raises(ValueError, match=r"encode_seed needs encode='lfsr', not encode='sobol'"):
        snn.network_graph(params, 3, encode="sobol", seed=3)
    text = (
        snn.network_graph(params, 3, encode="lfsr")
        .to_text()
        .replace("encode_seed=0xACE1", "encode_seed=0")
    )
    with pytest.raises(ValueError, match=r"encode_seed must be between 1 and 65535, not 0"):
        parse(text)


@pytest.mark.verilator
def test_encoded_network_verilator_equals_twin(tmp_path):
    rng = np.random.default_rng(7)
    params = _network(rng, (6, 5, 3), (2, 3))
    for encode in ("lfsr", "sobol"):
        g = snn.network_graph(params, 4, encode=encode)
        rates = _rates(rng, 3, params.n_in)
        twin = run_windows(g, {"rates": rates})
        assert 0 < _spikes(g, twin).sum() < _spikes(g, twin).size  # the network does work
        hw = run_hardware(
            [g], [{"rates": rates}], backend="verilator", build_dir=tmp_path / encode
        )[0]
        np.testing.assert_array_equal(_spikes(g, hw), _spikes(g, twin))


def test_encoded_plan_notes_and_builder_steps():
    from scgen.ir.ops import OPS

    rng = np.random.default_rng(8)
    params = _network(rng, (6, 4), (2,))
    g = snn.network_graph(params, 3, encode="sobol", dimension=2)
    op = next(o for o in g.ops if o.kind == "snn")
    notes = OPS["snn"].plan_notes(op)
    assert "input rates encoded on chip (Sobol dimension 2" in notes[-1]
    assert "waits 5 cycles more" in notes[-1]
    b = GraphBuilder("g")
    x = b.input("spikes", "spikes<3, 6>")
    with pytest.raises(ValueError, match=r"sc.snn steps must be the spikes' 3, not 4"):
        b.snn(x, params, steps=4)
    r = b.input("rates", "vec<rate, 6>")
    with pytest.raises(TypeError, match=r"sc.snn with encode='lfsr' needs steps, not None"):
        b.snn(r, params, encode="lfsr")
