"""The JK divider: its rate is p_a / (p_a + p_b) for independent streams (the three-way
equivalence comes from its registry entry alone, in tests/test_equivalence.py)."""

import math

import numpy as np
import pytest

from scgen import sw
from scgen.params import JkDivParams


@pytest.mark.parametrize("pa, pb", [(0.5, 0.5), (0.2, 0.6), (0.75, 0.25), (0.05, 0.9), (1.0, 0.3)])
def test_jkdiv_rate_is_the_ratio(pa, pb):
    # independent streams without autocorrelation (Bernoulli): a sequential divider needs them;
    # comparator streams from one LFSR each are autocorrelated and bias it (0.217 for 0.2/0.6)
    n = 1 << 17
    rng = np.random.default_rng(7)
    a = (rng.random(n) < pa).astype(np.uint8)
    b = (rng.random(n) < pb).astype(np.uint8)
    o = sw.jkdiv(JkDivParams(), a, b).o
    want = pa / (pa + pb)
    # q is a two-state Markov chain flipping with rate about p_a + p_b - p_a p_b; its ones are
    # correlated over about 1 / that many cycles: 5 standard errors of n / corr samples
    flip = pa + pb - pa * pb
    corr = max(1.0, (2 - flip) / flip)
    sigma = math.sqrt(want * (1 - want) * corr / n)
    assert abs(o.mean() - want) <= 5 * sigma


def test_jkdiv_truth_table():
    # J K: 0 0 hold, 1 0 set, 0 1 clear, 1 1 toggle (q starts at 0)
    a = np.array([0, 1, 0, 1, 1, 0, 1, 1])
    b = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    assert sw.jkdiv(JkDivParams(), a, b).o.tolist() == [0, 0, 1, 1, 0, 1, 0, 1]


def test_jkdiv_lanes_are_independent():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 1 << 8, 500), rng.integers(0, 1 << 8, 500)
    wide = sw.jkdiv(JkDivParams(lanes=8), a, b).o
    for k in range(8):
        lane = sw.jkdiv(JkDivParams(), (a >> k) & 1, (b >> k) & 1).o
        np.testing.assert_array_equal((wide >> np.uint64(k)) & np.uint64(1), lane)


def test_jkdiv_wrong():
    with pytest.raises(ValueError, match=r"^JK divider lanes must be between 1 and 64, not 0$"):
        JkDivParams(lanes=0)
    with pytest.raises(
        TypeError, match=r"^JK divider parameters must be an instance of JkDivParams"
    ):
        sw.jkdiv(3, [0], [0])
