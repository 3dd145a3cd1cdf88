import re

import numpy as np
import pytest

from scgen import hw, sim, sw
from scgen.params import AddMuxParams, MulAndParams, MulXnorParams


def test_logic_truth_tables_twin_and_hardware():
    a = np.array([0, 0, 1, 1])
    b = np.array([0, 1, 0, 1])
    for params, hw_cls, twin, expected in [
        (MulAndParams(), hw.MulAnd, sw.mul_and, [0, 0, 0, 1]),
        (MulXnorParams(), hw.MulXnor, sw.mul_xnor, [1, 0, 0, 1]),
    ]:
        assert twin(params, a, b).o.tolist() == expected
        assert sim.run(hw_cls(params), {"a": a, "b": b})["o"].tolist() == expected
    sel = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    a8, b8 = np.array([0, 0, 1, 1, 0, 0, 1, 1]), np.array([0, 0, 0, 0, 1, 1, 1, 1])
    expected = [0, 0, 1, 0, 0, 1, 1, 1]
    assert sw.add_mux(AddMuxParams(), a8, b8, sel).o.tolist() == expected
    assert (
        sim.run(hw.AddMux(AddMuxParams()), {"a": a8, "b": b8, "sel": sel})["o"].tolist() == expected
    )


def test_logic_lanes_are_independent():
    rng = np.random.default_rng(3)
    a, b, s = (rng.integers(0, 1 << 63, 100, dtype=np.uint64) for _ in range(3))
    p = 64
    np.testing.assert_array_equal(sw.mul_and(MulAndParams(lanes=p), a, b).o, a & b)
    np.testing.assert_array_equal(sw.mul_xnor(MulXnorParams(lanes=p), a, b).o, ~(a ^ b))
    np.testing.assert_array_equal(sw.add_mux(AddMuxParams(lanes=p), a, b, s).o, (a & ~s) | (b & s))


def test_logic_stochastic_products():
    # accuracy claim, not an equivalence: tolerance from the stream length (5 sigma)
    from scgen.params import EncoderParams, LfsrParams, SobolParams

    n = 1 << 14
    pa, pb = 0.75, 0.375
    a = sw.encoder(EncoderParams(source=SobolParams(dimension=0)), np.full(n, int(pa * 65536))).o
    b = sw.encoder(EncoderParams(source=SobolParams(dimension=1)), np.full(n, int(pb * 65536))).o
    sel = sw.encoder(EncoderParams(source=LfsrParams(seed=0x1234)), np.full(n, 32768)).o
    tol = 5 * np.sqrt(0.25 / n)
    assert abs(sw.mul_and(MulAndParams(), a, b).o.mean() - pa * pb) < tol
    va, vb = 2 * pa - 1, 2 * pb - 1
    assert abs(2 * sw.mul_xnor(MulXnorParams(), a, b).o.mean() - 1 - va * vb) < 2 * tol
    assert abs(sw.add_mux(AddMuxParams(), a, b, sel).o.mean() - (pa + pb) / 2) < tol


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (MulAndParams, "AND multiplier"),
        (MulXnorParams, "XNOR multiplier"),
        (AddMuxParams, "MUX adder"),
    ],
)
def test_logic_params_wrong(kind, name):
    with pytest.raises(
        ValueError, match=f"^{re.escape(name)} lanes must be between 1 and 64, not 65$"
    ):
        kind(lanes=65)
    with pytest.raises(TypeError, match=f"^{re.escape(name)} lanes must be an integer, not '2'$"):
        kind(lanes="2")


def test_logic_inputs_wrong():
    with pytest.raises(
        ValueError, match=r"^AND multiplier input 'b' must be between 0 and 1, not 2$"
    ):
        sw.mul_and(MulAndParams(), [1], [2])
    with pytest.raises(
        TypeError,
        match=r"^MUX adder parameters must be an instance of AddMuxParams, not MulAndParams\(lanes=1\)$",
    ):
        sw.add_mux(MulAndParams(), [1], [1], [0])
