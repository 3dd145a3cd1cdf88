"""One equivalence test for every registered primitive: twin == Amaranth pysim == Verilator.

Parameters come from the hypothesis strategies of tests/strategies.py; stimulus comes from each
primitive's registered generator with a seed drawn alongside. Equality is exact on every output
port and every cycle. Verilator runs on the native harness (10**6 cycles for each of the
hypothesis parameter sets, side by side in one build); a last test checks that the cocotb
backend gives the same traces as the native one for every primitive.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scgen import hw, sim
from scgen.params import EncoderParams, LfsrParams, LifParams
from scgen.primitives import PRIMITIVES

from .strategies import params as primitive_params

PYSIM_EXAMPLES, PYSIM_CYCLES = 20, 2000
VERILATOR_CONFIGS, VERILATOR_CYCLES = 5, 10**6
COCOTB_CYCLES = 3000


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_equivalence_pysim(name):
    prim = PRIMITIVES[name]
    seen = []

    @settings(max_examples=PYSIM_EXAMPLES, suppress_health_check=[HealthCheck.filter_too_much])
    @given(params=primitive_params(name), seed=st.integers(0, 2**32 - 1))
    def check(params, seed):
        assume(params not in seen)  # every example is a new parameter set
        inputs = prim.stimulus(params, np.random.default_rng(seed), PYSIM_CYCLES)
        expected = prim.run_twin(params, inputs)
        (actual,), _ = sim.run_many([prim.hw(params)], [inputs], PYSIM_CYCLES)
        assert sorted(actual) == sorted(expected)
        problem = sim.first_mismatch(expected, actual)
        assert problem is None, f"{params!r}: {problem}"
        seen.append(params)

    check()
    assert len(seen) >= PYSIM_EXAMPLES


def draw_configs(name: str, n: int) -> list:
    """Return ``n`` distinct ``(params, stimulus seed)`` pairs chosen by hypothesis."""
    configs = []

    # Hypothesis chooses the parameter sets; all of them go into one Verilator build.
    @settings(max_examples=n, suppress_health_check=[HealthCheck.filter_too_much])
    @given(params=primitive_params(name), seed=st.integers(0, 2**32 - 1))
    def collect(params, seed):
        assume(all(params != p for p, _ in configs))
        configs.append((params, seed))

    collect()
    assert len(configs) == n
    return configs


@pytest.mark.verilator
@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_equivalence_verilator(name):
    prim = PRIMITIVES[name]
    configs = draw_configs(name, VERILATOR_CONFIGS)
    inputs = [prim.stimulus(p, np.random.default_rng(s), VERILATOR_CYCLES) for p, s in configs]
    traces, _ = sim.run_many(
        [prim.hw(p) for p, _ in configs], inputs, VERILATOR_CYCLES, backend="verilator"
    )
    for (params, _), ins, actual in zip(configs, inputs, traces, strict=True):
        expected = prim.run_twin(params, ins)
        assert sorted(actual) == sorted(expected)
        problem = sim.first_mismatch(expected, actual)
        assert problem is None, f"{params!r}: {problem}"


@pytest.mark.verilator
def test_equivalence_cocotb_native(tmp_path):
    # every primitive at its example params and at one hypothesis draw, all in one build
    duts, inputs = [], []
    for name in sorted(PRIMITIVES):
        prim = PRIMITIVES[name]
        for params, seed in [(prim.params(), 0), *draw_configs(name, 1)]:
            duts.append(prim.hw(params))
            inputs.append(prim.stimulus(params, np.random.default_rng(seed), COCOTB_CYCLES))
    native, _ = sim.run_many(duts, inputs, COCOTB_CYCLES, backend="verilator")
    cocotb, _ = sim.run_many(
        duts, inputs, COCOTB_CYCLES, backend="cocotb", build_dir=tmp_path / "cocotb"
    )
    for k, (want, got) in enumerate(zip(cocotb, native, strict=True)):
        assert sorted(want) == sorted(got)
        problem = sim.first_mismatch(want, got)
        assert problem is None, f"instance {k} ({duts[k]!r}): {problem}"


@pytest.mark.verilator
def test_known_answers_verilator(tmp_path):
    n = 1000
    duts = [
        hw.Lfsr(LfsrParams()),
        hw.Encoder(EncoderParams()),
        hw.Encoder(EncoderParams(ordering="blueprint")),
        hw.Lif(LifParams()),
        hw.Lif(LifParams(ordering="blueprint")),
        hw.Lif(LifParams(refractory_period=0)),
    ]
    ones = np.ones(n, np.uint8)
    lif_in = {
        "en": ones,
        "leak_k": np.full(n, 20),
        "gain_k": np.full(n, 256),
        "I_t": np.full(n, 128),
        "noise_in": np.zeros(n, int),
    }
    enc_in = {"x": np.full(n, 0x8000), "en": ones}
    inputs = [{"en": ones}, enc_in, enc_in, lif_in, lif_in, lif_in]
    t, _ = sim.run_many(duts, inputs, n, backend="verilator", build_dir=tmp_path)
    assert t[0]["value"][:9].tolist() == [
        0xACE1,
        0x59C3,
        0xB387,
        0x670F,
        0xCE1E,
        0x9C3C,
        0x3879,
        0x70F2,
        0xE1E4,
    ]
    assert t[1]["o"][:16].tolist() == [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0]
    assert t[2]["o"][:16].tolist() == [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]
    assert np.flatnonzero(t[3]["spike"][:128]).tolist() == list(range(2, 128, 5))
    assert t[4]["spike"].sum() == 0
    assert t[5]["spike"].sum() == 333
