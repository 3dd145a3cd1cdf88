import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import hw, sim, sw
from scgen.params import MAXIMAL_TAPS, LfsrForm, LfsrParams

from .reference import lfsr_fibonacci, lfsr_galois
from .strategies import params

SEED_STATES = [0xACE1, 0x59C3, 0xB387, 0x670F, 0xCE1E, 0x9C3C, 0x3879, 0x70F2, 0xE1E4]


def test_lfsr_known_answer_twin():
    assert sw.lfsr(LfsrParams(), cycles=9).value.tolist() == SEED_STATES


def test_lfsr_known_answer_hardware():
    trace = sim.run(hw.Lfsr(LfsrParams()), {"en": np.ones(9, dtype=np.uint8)})
    assert trace["value"].tolist() == SEED_STATES


def test_lfsr_default_period():
    values = sw.lfsr(LfsrParams(), cycles=65536).value
    assert values[65535] == 0xACE1
    assert len(np.unique(values[:65535])) == 65535
    assert 0 not in values


def _polymulmod(a, b, mod, n):
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a >> n & 1:
            a ^= mod
    return r


def _x_pow(e, mod, n):
    result, base = 1, 2
    while e:
        if e & 1:
            result = _polymulmod(result, base, mod, n)
        base = _polymulmod(base, base, mod, n)
        e >>= 1
    return result


def _prime_factors(m):
    out, q = set(), 2
    while q * q <= m:
        while m % q == 0:
            out.add(q)
            m //= q
        q += 1
    if m > 1:
        out.add(m)
    return out


@pytest.mark.parametrize("width", sorted(MAXIMAL_TAPS))
def test_lfsr_taps_table_primitive(width):
    poly = 1 | sum(1 << e for e in MAXIMAL_TAPS[width])
    order = (1 << width) - 1
    assert _x_pow(order, poly, width) == 1
    for q in _prime_factors(order):
        assert _x_pow(order // q, poly, width) != 1, (
            f"x^({order}/{q}) == 1 mod the width-{width} polynomial"
        )


@pytest.mark.parametrize("form", list(LfsrForm))
@pytest.mark.parametrize("width", range(2, 21))
def test_lfsr_period_maximal(width, form):
    p = LfsrParams(width=width, seed=1, form=form)
    period = (1 << width) - 1
    values = sw.lfsr(p, cycles=period + 1).value
    assert values[period] == 1
    assert len(np.unique(values[:period])) == period


@settings(max_examples=60)
@given(p=params("lfsr"), n=st.integers(1, 300))
def test_lfsr_twin_matches_reference(p, n):
    ref = lfsr_galois if p.form is LfsrForm.GALOIS else lfsr_fibonacci
    assert sw.lfsr(p, cycles=n).value.tolist() == ref(p.width, p.exponents, p.seed, n)


def test_lfsr_custom_taps():
    p = LfsrParams(width=4, seed=1, taps=(4, 1))
    assert p.taps_mask() == 0b1001
    assert not p.maximal
    assert sw.lfsr(p, cycles=20).value.tolist() == lfsr_fibonacci(4, (4, 1), 1, 20)


def test_lfsr_enable_holds_state():
    en = np.array([1, 0, 0, 1, 1, 0, 1], dtype=np.uint8)
    v = sw.lfsr(LfsrParams(), en).value.tolist()
    assert v == [0xACE1, 0x59C3, 0x59C3, 0x59C3, 0xB387, 0x670F, 0x670F]


def test_lfsr_batch_seeds():
    seeds = np.array([0xACE1, 1, 0xFFFF], dtype=np.int64)
    batch = sw.lfsr(LfsrParams(), cycles=50, seeds=seeds).value
    assert batch.shape == (3, 50)
    for row, s in zip(batch, seeds, strict=True):
        assert row.tolist() == lfsr_fibonacci(16, (16, 14, 13, 11), int(s), 50)


def test_lfsr_advanced():
    assert LfsrParams().advanced(3).seed == 0x670F


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"width": 1}, ValueError, "LFSR width must be between 2 and 32, not 1"),
        ({"width": 33}, ValueError, "LFSR width must be between 2 and 32, not 33"),
        ({"width": 16.0}, TypeError, "LFSR width must be an integer, not 16.0"),
        ({"seed": 0}, ValueError, "LFSR seed must be non-zero, not 0; a zero state locks the LFSR"),
        (
            {"seed": 0x10000},
            ValueError,
            "LFSR seed must be between 0 and 65535 for width 16, not 65536",
        ),
        ({"seed": True}, TypeError, "LFSR seed must be an integer, not True"),
        (
            {"form": "ring"},
            ValueError,
            "LFSR form must be one of 'fibonacci', 'galois', not 'ring'",
        ),
        (
            {"taps": (15, 3)},
            ValueError,
            "LFSR taps must be distinct exponents between 1 and the width 16, including 16, "
            "not (15, 3)",
        ),
        (
            {"taps": (16, 16, 3)},
            ValueError,
            "LFSR taps must be distinct exponents between 1 and the width 16, including 16, "
            "not (16, 16, 3)",
        ),
        ({"taps": "16,3"}, TypeError, "LFSR taps must be a tuple of integers, not '16,3'"),
    ],
)
def test_lfsr_params_wrong(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        LfsrParams(**kwargs)


def test_lfsr_twin_inputs_wrong():
    p = LfsrParams()
    with pytest.raises(ValueError, match=r"^LFSR input 'en' must be between 0 and 1, not 2$"):
        sw.lfsr(p, [1, 2])
    with pytest.raises(
        TypeError, match=r"^LFSR needs cycles=N when no input is an array over cycles$"
    ):
        sw.lfsr(p)
    with pytest.raises(
        ValueError, match=r"^LFSR seeds must be between 1 and 65535 for width 16, not 0$"
    ):
        sw.lfsr(p, cycles=4, seeds=[1, 0])
    with pytest.raises(
        TypeError, match=r"^LFSR parameters must be an instance of LfsrParams, not 3$"
    ):
        sw.lfsr(3, cycles=4)


def test_lfsr_hw_params_wrong():
    with pytest.raises(
        TypeError, match=r"^Lfsr parameters must be an instance of LfsrParams, not None$"
    ):
        hw.Lfsr(None)
