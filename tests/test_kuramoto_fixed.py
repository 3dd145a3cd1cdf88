# amaranth: UnusedElaboratable=no
"""The fixed-point Kuramoto primitive: parameters, a plain-Python reference of the step, the
two twin drivers against each other, and how closely R(t) follows the float solver."""

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import hw, sw
from scgen.nn import KuramotoSolver
from scgen.params import KuramotoParams, LfsrParams

from .strategies import params

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def reference_phases(p: KuramotoParams, steps: int) -> list[list[int]]:
    """The step of the KuramotoParams docstring in exact integer arithmetic, one step at a
    time; the noise LFSR advances once per cycle (N**2 cycles per step)."""
    big, n = 1 << p.phase_bits, p.n
    amp = 2 ** (p.sine_bits - 1) - 1
    size = 2**p.lut_bits
    table = [math.floor(amp * math.sin(2 * math.pi * a / size) + 0.5) for a in range(size)]
    span = big // size  # phase units per table entry
    lfsr = [p.noise.seed]  # LFSR state during each cycle
    theta = list(p.initial_phases())
    out = [theta]
    for s in range(steps):
        new = []
        for i in range(n):
            acc = sum(
                p.coupling[i][j]
                * table[(2 * ((theta[j] - theta[i]) % big) + span) // (2 * span) % size]
                for j in range(n)
            )
            inc = (2 * acc + 2**p.fraction) // 2 ** (p.fraction + 1)  # round half up
            noise = 0
            if p.noise_bits:
                cycle = s * n * n + i * n + n - 1
                while len(lfsr) <= cycle:
                    lfsr.append(p.noise.step(lfsr[-1]))
                u = lfsr[cycle] % 2**p.noise_bits
                noise = 2 * u - (2**p.noise_bits - 1)
            new.append((theta[i] + p.omega[i] + inc + noise) % big)
        theta = new
        out.append(theta)
    return out


def test_kuramoto_sine_table_known_answer():
    p = KuramotoParams(lut_bits=4, sine_bits=8)
    t = p.sine_table()
    assert len(t) == 16
    assert (t[0], t[4], t[8], t[12]) == (0, 127, 0, -127)
    assert t[2] == round(127 / math.sqrt(2)) == -t[14]


def test_kuramoto_known_answer_two_oscillators():
    # omega 1 and 3 units, weights 64, F = 6: one sine unit per unit weight
    p = KuramotoParams(
        omega=(1, 3),
        coupling=((0, 64), (64, 0)),
        phases=(0, 64),
        phase_bits=8,
        lut_bits=8,
        sine_bits=8,
        weight_bits=8,
        fraction=6,
    )
    # step 1: diff 64 = a quarter turn, sine 127 -> inc +-127; the phases close in
    assert sw.kuramoto_phases(p, 1).tolist() == [[0, 64], [128, 196]]


@settings(max_examples=40)
@given(p=params("kuramoto"), steps=st.integers(1, 12))
def test_kuramoto_twin_matches_reference(p, steps):
    np.testing.assert_array_equal(sw.kuramoto_phases(p, steps), reference_phases(p, steps))


@settings(max_examples=20)
@given(p=params("kuramoto"), seed=st.integers(0, 2**32 - 1))
def test_kuramoto_cycle_twin_matches_step_twin(p, seed):
    rng = np.random.default_rng(seed)
    cycles = 40 * p.n * p.n
    en = (rng.random(cycles) < 0.7).astype(np.uint8)
    steps = sw.kuramoto_phases(p, int(en.sum()) // (p.n * p.n))
    # read every oscillator on the cycle after each step commits: hold en low, sweep sel
    tr = [sw.kuramoto(p, en, np.full(cycles, k)) for k in range(p.n)]
    done = np.flatnonzero(tr[0].done)
    assert done.size == steps.shape[0] - 1
    for k in range(p.n):
        assert tr[k].phase[0] == steps[0, k]
        np.testing.assert_array_equal(
            tr[k].phase[done[done + 1 < cycles] + 1],
            steps[1 : 1 + np.count_nonzero(done + 1 < cycles), k],
        )


def test_kuramoto_from_float_round_trip():
    rng = np.random.default_rng(3)
    n, dt = 6, 0.02
    omega, k = 1 + rng.standard_normal(n), rng.uniform(-2, 2, (n, n))
    p = KuramotoParams.from_float(omega, k, dt, phase_bits=16, noise_amp=0.5)
    om, kq, std = p.to_float(dt)
    unit_rad = 2 * math.pi / 2**16
    assert np.abs(np.array(om) - omega).max() <= 0.5 * unit_rad / dt
    top = np.abs(k / n).max()
    assert np.abs(np.array(kq) - k / n).max() <= top / ((1 << (p.weight_bits - 1)) - 1)
    assert max(abs(c) for row in p.coupling for c in row) <= (1 << (p.weight_bits - 1)) - 1
    # noise: uniform on 2**b odd values, std within a factor sqrt(2) of the float's 0.5 dt
    assert 0.5 * dt / math.sqrt(2) <= std <= 0.5 * dt * math.sqrt(2)
    assert KuramotoParams.from_float([1.0], [[0.0]], 0.1).fraction == 0
    ph = KuramotoParams.from_float(
        [1.0, 2.0], np.ones(4), 0.1, phases=[-math.pi / 2, 2 * math.pi], coupling_scale="none"
    ).phases
    assert ph == (3 << 10, 0)


def _locked_tolerance(
    p: KuramotoParams, n: int, k: float, dt: float, r: float, cos_min: float
) -> float:
    """Bound on |R_fixed - R_float| in the locked state, from the quantisation.

    Per step, each fixed-point increment is off by at most 1/2 unit (ω rounding) + 1/2 unit
    (rounding the coupling sum) + N times (weight * (1/2 + A π / 2**lut_bits): sample
    rounding and the half-entry address rounding; + 1/2 A / 2**F: weight rounding). An error
    δω in an oscillator's frequency moves its locked offset ψ by δω / (K R cos ψ), and R moves
    by at most the mean offset change.
    """
    amp = (1 << (p.sine_bits - 1)) - 1
    unit = (1 << p.phase_bits) / (2 * math.pi)
    weight = k / n * dt * unit / amp  # units per sine step, before rounding
    delta = 1.0 + n * (
        weight * (0.5 + amp * math.pi / (1 << p.lut_bits)) + 0.5 * amp / (1 << p.fraction)
    )
    return delta / unit / dt / (k * r * cos_min)


@pytest.mark.parametrize("n", [8, 16])
@pytest.mark.parametrize("phase_bits", [12, 16])
def test_kuramoto_fixed_order_parameter_follows_float(n, phase_bits):
    sys.path.insert(0, str(EXAMPLES))
    try:
        from kuramoto_fixed import DT, compare, model
    finally:
        sys.path.remove(str(EXAMPLES))
    k, steps = 2.0, 1000
    r_float, r_fixed, p = compare(n, phase_bits, steps, k=k)
    omega, coupling, phases = model(n, 0, k)
    s = KuramotoSolver(omega, coupling, phases, 0.0)
    s.run(steps, DT)
    z = np.exp(1j * s.phases).mean()
    cos_min = np.cos(s.phases - np.angle(z)).min()
    tol = _locked_tolerance(p, n, k, DT, abs(z), cos_min)
    locked = slice(steps // 2, None)  # after the transient (R settles by t = 5)
    assert np.abs(r_fixed - r_float)[locked].max() <= tol
    assert tol < 0.03  # the bound says something at these widths


def test_kuramoto_example_writes_png(tmp_path, capsys):
    sys.path.insert(0, str(EXAMPLES))
    try:
        import kuramoto_fixed
    finally:
        sys.path.remove(str(EXAMPLES))
    assert kuramoto_fixed.main([str(tmp_path / "r.png"), "--steps", "200"]) == 0
    assert (tmp_path / "r.png").stat().st_size > 10_000
    assert capsys.readouterr().out.count("\n| ") == 13  # header rule + 12 rows


def _err(field, match, exc=ValueError, **kwargs):
    with pytest.raises(exc, match="^" + re.escape(match) + "$"):
        KuramotoParams(**kwargs)


def test_kuramoto_params_wrong():
    _err("phase_bits", "Kuramoto phase_bits must be between 4 and 32, not 3", phase_bits=3)
    _err(
        "lut_bits",
        "Kuramoto lut_bits must be between 2 and 6 for phase_bits 6, not 7",
        phase_bits=6,
        lut_bits=7,
        omega=(0,),
        coupling=((0,),),
    )
    _err("sine_bits", "Kuramoto sine_bits must be between 2 and 18, not 19", sine_bits=19)
    _err("weight_bits", "Kuramoto weight_bits must be between 2 and 18, not 1", weight_bits=1)
    _err("fraction", "Kuramoto fraction must be between 0 and 48, not -1", fraction=-1)
    _err("noise", "Kuramoto noise must be an LfsrParams, not 3", TypeError, noise=3)
    _err(
        "noise_bits",
        "Kuramoto noise_bits must be between 0 and 4 for a 4-bit noise LFSR, not 5",
        noise_bits=5,
        noise=LfsrParams(width=4, seed=1),
    )
    _err("omega", "Kuramoto omega must be a tuple of integers, not 3", TypeError, omega=3)
    _err("omega", "Kuramoto omega must be a tuple of integers, not (1.5,)", TypeError, omega=(1.5,))
    _err(
        "omega",
        "Kuramoto omega values must be between -2048 and 2047 for phase_bits 12, not 2048",
        omega=(2048, 0, 0, 0),
    )
    _err("omega", "Kuramoto omega must have 1 to 64 oscillators, not 0", omega=(), coupling=())
    _err(
        "coupling",
        "Kuramoto coupling must be 2 rows of 2 weights (one per oscillator pair), not ((1, 2),)",
        omega=(0, 0),
        coupling=((1, 2),),
    )
    _err(
        "coupling",
        "Kuramoto coupling values must be between -8 and 7 for weight_bits 4, not -9",
        omega=(0,),
        coupling=((-9,),),
        weight_bits=4,
    )
    _err(
        "phases",
        "Kuramoto phases values must be between 0 and 15 for phase_bits 4, not 16",
        omega=(0,),
        coupling=((0,),),
        phase_bits=4,
        lut_bits=4,
        phases=(16,),
    )
    _err(
        "phases",
        "Kuramoto phases must have 1 values (one per oscillator), not 2",
        omega=(0,),
        coupling=((0,),),
        phases=(1, 2),
    )


def test_kuramoto_from_float_wrong():
    f = KuramotoParams.from_float
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto dt must be a positive finite number, "
        r"not 0\.0$",
    ):
        f([1.0], [[1.0]], 0.0)
    with pytest.raises(ValueError, match=r"^Kuramoto coupling must have 2 x 2 values, not 3$"):
        f([1.0, 2.0], [1.0, 2.0, 3.0], 0.1)
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto coupling_scale must be 'mean' or 'none', "
        r"not 'sum'$",
    ):
        f([1.0], [1.0], 0.1, coupling_scale="sum")
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto omega \* dt must stay within ±π for "
        r"phase_bits 12, not 4\.0$",
    ):
        f([40.0], [1.0], 0.1)
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto sine_bits must be between 2 and 18, "
        r"not 1$",
    ):
        f([1.0], [1.0], 0.1, sine_bits=1)


def test_kuramoto_twin_and_component_wrong():
    with pytest.raises(
        TypeError,
        match=r"^Kuramoto parameters must be an instance of "
        r"KuramotoParams, not 1$",
    ):
        sw.kuramoto(1, cycles=4)
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto input 'sel' must be between 0 and 3, "
        r"not 4$",
    ):
        sw.kuramoto(KuramotoParams(), 1, [0, 4])
    with pytest.raises(
        ValueError,
        match=r"^Kuramoto steps must be a non-negative integer, "
        r"not -1$",
    ):
        sw.kuramoto_phases(KuramotoParams(), -1)
    with pytest.raises(
        TypeError,
        match=r"^Kuramoto parameters must be an instance of "
        r"KuramotoParams, not 1$",
    ):
        hw.Kuramoto(1)


@pytest.mark.slow
@pytest.mark.verilator
def test_kuramoto_full_size_verilator(tmp_path):
    from scgen import sim

    rng = np.random.default_rng(8)
    duts, inputs, cycles = [], [], 40_000
    for n, pb, noise in ((8, 12, 0.3), (16, 16, 0.1), (16, 8, 0.0)):
        omega, k = 1 + 0.5 * rng.standard_normal(n), rng.uniform(0, 3, (n, n))
        p = KuramotoParams.from_float(
            omega, k, 0.05, phases=rng.uniform(0, 6, n), noise_amp=noise, phase_bits=pb
        )
        duts.append(p)
        inputs.append(
            {"en": (rng.random(cycles) < 0.9).astype(np.uint8), "sel": rng.integers(0, n, cycles)}
        )
    traces, _ = sim.run_many(
        [hw.Kuramoto(p) for p in duts], inputs, cycles, backend="verilator", build_dir=tmp_path
    )
    for p, ins, actual in zip(duts, inputs, traces, strict=True):
        assert sim.first_mismatch(sw.kuramoto(p, **ins)._asdict(), actual) is None
