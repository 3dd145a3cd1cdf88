import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings

from scgen import hw, sim, sw
from scgen.params import EncoderParams, LfsrParams, SobolParams

from .reference import bit_reverse
from .strategies import params

# First Sobol points of dimensions 1 and 2 in Gray-code order, as published by Joe and Kuo
# (and printed by scipy.stats.qmc.Sobol(2, scramble=False)), times 8.
VAN_DER_CORPUT_GRAY = [0, 4, 6, 2, 3, 7, 5, 1]
SOBOL_DIM2_GRAY = [0, 4, 2, 6, 3, 7, 1, 5]


def test_sobol_known_answer_twin():
    assert sw.sobol(SobolParams(width=3), cycles=9).value.tolist() == [*VAN_DER_CORPUT_GRAY, 0]
    assert sw.sobol(SobolParams(width=3, dimension=1), cycles=8).value.tolist() == SOBOL_DIM2_GRAY


def test_sobol_known_answer_hardware():
    for dim, expected in [(0, VAN_DER_CORPUT_GRAY), (1, SOBOL_DIM2_GRAY)]:
        trace = sim.run(
            hw.Sobol(SobolParams(width=3, dimension=dim)), {"en": np.ones(8, dtype=np.uint8)}
        )
        assert trace["value"].tolist() == expected


@pytest.mark.parametrize("width", [1, 2, 5, 12])
def test_sobol_van_der_corput_is_radical_inverse_of_gray_code(width):
    n = np.arange(1 << width)
    expected = [bit_reverse(int(i ^ (i >> 1)), width) for i in n]
    assert sw.sobol(SobolParams(width=width), cycles=1 << width).value.tolist() == expected


@pytest.mark.parametrize("dimension", range(10))
def test_sobol_period_is_a_permutation(dimension):
    w = 12
    v = sw.sobol(SobolParams(width=w, dimension=dimension), cycles=(1 << w) + 1).value
    assert sorted(v[: 1 << w].tolist()) == list(range(1 << w))
    assert v[1 << w] == v[0] == 0


def test_sobol_first_two_dimensions_form_a_0_m_2_net():
    # In the first 2**m points of (dim 0, dim 1) every elementary box of area 2**-m holds one
    # point, for every split of m into 2**a x 2**b boxes: the defining Sobol property.
    w, m = 16, 10
    x = sw.sobol(SobolParams(width=w), cycles=1 << m).value.astype(np.int64)
    y = sw.sobol(SobolParams(width=w, dimension=1), cycles=1 << m).value.astype(np.int64)
    for a in range(m + 1):
        boxes = (x >> (w - a)) * (1 << (m - a)) + (y >> (w - (m - a)))
        assert np.bincount(boxes, minlength=1 << m).max() == 1


@pytest.mark.parametrize("dimension", range(10))
def test_sobol_every_dimension_is_stratified(dimension):
    # each dimension alone: the first 2**k points hit every interval [j/2**k, (j+1)/2**k) once
    w = 16
    v = sw.sobol(SobolParams(width=w, dimension=dimension), cycles=1 << 10).value.astype(np.int64)
    for k in range(11):
        assert np.bincount(v[: 1 << k] >> (w - k), minlength=1 << k).max() == 1


def _star_discrepancy(u):
    u = np.sort(u)
    n = len(u)
    i = np.arange(1, n + 1)
    return max(np.max(i / n - u), np.max(u - (i - 1) / n))


@pytest.mark.parametrize("n", [64, 256, 1000, 1024, 4096])
def test_sobol_discrepancy_beats_lfsr(n):
    w = 16
    s = sw.sobol(SobolParams(width=w), cycles=n).value / 2**w
    r = sw.lfsr(LfsrParams(), cycles=n).value / 2**w
    d_sobol, d_lfsr = _star_discrepancy(s), _star_discrepancy(r)
    assert d_sobol <= (np.log2(n) + 2) / n  # low-discrepancy bound O(log N / N)
    assert d_sobol * 4 < d_lfsr


@pytest.mark.parametrize("length", [16, 256, 1024, 4096])
def test_sobol_encoder_error_below_one_count(length):
    # over an aligned power-of-two window the comparator count is within one of x * L / 2**w
    w = 16
    xs = np.arange(0, 1 << w, 97)
    ones_sobol = sw.encoder(
        EncoderParams(source=SobolParams(width=w)), np.broadcast_to(xs[:, None], (len(xs), length))
    ).o.sum(axis=1)
    ones_lfsr = sw.encoder(EncoderParams(), np.broadcast_to(xs[:, None], (len(xs), length))).o.sum(
        axis=1
    )
    ideal = xs * length / 2**w
    err_sobol = np.abs(ones_sobol - ideal)
    assert err_sobol.max() < 1
    if length >= 1024:  # LFSR error grows with L (2.0 at 256, 13 at 1024); Sobol stays below 1
        assert np.abs(ones_lfsr - ideal).mean() > 5 * err_sobol.mean()


@settings(max_examples=40)
@given(p=params("sobol"))
def test_sobol_start_and_scramble(p):
    """From any start (up to 2**32 - 1) the twin shows the points of index start, start + 1, ...
    (the Gray-code closed form: point n is the XOR of V[k] over the set bits of n ^ (n >> 1),
    n modulo the period), XOR the scramble."""
    v = SobolParams(width=p.width, dimension=p.dimension).direction_numbers()
    want = []
    for t in range(50):
        n = (p.start + t) % (1 << p.width)
        gray, x = n ^ (n >> 1), 0
        for k in range(p.width):
            if gray >> k & 1:
                x ^= v[k]
        want.append(x ^ p.scramble)
    assert sw.sobol(p, cycles=50).value.tolist() == want


@settings(max_examples=20)
@given(p=params("sobol"))
def test_sobol_start_continues_the_sequence(p):
    """A source started at ``start`` is the one started at 0, ``start`` steps on (starts below
    4096, where the run from 0 is short)."""
    start = p.start % 4096
    base = sw.sobol(SobolParams(width=p.width, dimension=p.dimension), cycles=start + 50).value
    got = sw.sobol(replace(p, start=start % (1 << p.width)), cycles=50).value
    assert got.tolist() == (base[start : start + 50] ^ p.scramble).tolist()


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"width": 0}, ValueError, "Sobol width must be between 1 and 32, not 0"),
        ({"dimension": 10}, ValueError, "Sobol dimension must be between 0 and 9, not 10"),
        ({"dimension": "1"}, TypeError, "Sobol dimension must be an integer, not '1'"),
        (
            {"width": 4, "start": 16},
            ValueError,
            "Sobol start must be between 0 and 15 for width 4, not 16",
        ),
        (
            {"width": 4, "scramble": -1},
            ValueError,
            "Sobol scramble must be between 0 and 15 for width 4, not -1",
        ),
    ],
)
def test_sobol_params_wrong(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        SobolParams(**kwargs)


def test_sobol_scrambles_wrong():
    with pytest.raises(
        ValueError, match=r"^Sobol scrambles must be between 0 and 15 for width 4, not 16$"
    ):
        sw.sobol(SobolParams(width=4), cycles=3, scrambles=[0, 16])
