import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import hw, sim, sw
from scgen.params import EncoderParams, LfsrParams, SobolParams

from .reference import lfsr_fibonacci
from .strategies import params

# SEED_BEHAVIOUR §3.2: x = 0x8000 from seed 0xACE1, first 16 bits.
HARDWARE_0x8000 = [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0]
BLUEPRINT_0x8000 = [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]


@pytest.mark.parametrize(
    ("ordering", "expected"), [("hardware", HARDWARE_0x8000), ("blueprint", BLUEPRINT_0x8000)]
)
def test_encoder_known_answer(ordering, expected):
    p = EncoderParams(ordering=ordering)
    x = np.full(16, 0x8000)
    assert sw.encoder(p, x).o.tolist() == expected
    assert sim.run(hw.Encoder(p), {"x": x, "en": np.ones(16, np.uint8)})["o"].tolist() == expected


@pytest.mark.parametrize("ordering", ["hardware", "blueprint"])
def test_encoder_first_bit_with_x_equal_seed(ordering):
    # compare-then-step: 0xACE1 < 0xACE1 is false; step-then-compare: 0x59C3 < 0xACE1
    assert sw.encoder(EncoderParams(ordering=ordering), [0xACE1]).o[0] == (ordering == "blueprint")


@pytest.mark.parametrize("ordering", ["hardware", "blueprint"])
def test_encoder_ones_in_10000_steps(ordering):
    assert sw.encoder(EncoderParams(ordering=ordering), np.full(10000, 32768)).o.sum() == 4976


@pytest.mark.parametrize("x", [0, 1, 2, 1000, 32768, 65535])
def test_encoder_full_period_has_x_minus_one_ones(x):
    ones = sw.encoder(EncoderParams(), np.full(65535, x)).o.sum()
    assert ones == max(x - 1, 0)


def test_encoder_bipolar_is_offset_unipolar():
    x = np.arange(-32768, 32768, 7)
    xs = np.broadcast_to(x[:, None], (len(x), 300))
    bip = sw.encoder(EncoderParams(encoding="bipolar"), xs).o
    uni = sw.encoder(EncoderParams(), xs + 32768).o
    np.testing.assert_array_equal(bip, uni)


@settings(max_examples=50)
@given(p=params("encoder"), data=st.data())
def test_encoder_twin_matches_source_compare(p, data):
    n = 200
    w = p.width
    lo, hi = (
        (-(1 << (w - 1)), (1 << (w - 1)) - 1)
        if p.encoding.value == "bipolar"
        else (0, (1 << w) - 1)
    )
    x = np.array(data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)))
    src = p.source.advanced(1) if p.ordering.value == "blueprint" else p.source
    if isinstance(src, LfsrParams):
        values = (
            np.array(lfsr_fibonacci(w, src.exponents, src.seed, n))
            if src.form.value == "fibonacci"
            else sw.lfsr(src, cycles=n).value
        )
    else:
        values = sw.sobol(src, cycles=n).value
    expected = (values < ((x & ((1 << w) - 1)) ^ p.x_offset())).astype(np.uint8)
    np.testing.assert_array_equal(sw.encoder(p, x).o, expected)


def test_encoder_batch_seeds():
    seeds = [0xACE1, 0xBEEF, 7]
    x = np.full((3, 64), 20000)
    for ordering in ("hardware", "blueprint"):
        p = EncoderParams(ordering=ordering)
        batch = sw.encoder(p, x, seeds=seeds).o
        for row, s in zip(batch, seeds, strict=True):
            single = EncoderParams(source=LfsrParams(seed=s), ordering=ordering)
            np.testing.assert_array_equal(row, sw.encoder(single, x[0]).o)
    sob = EncoderParams(source=SobolParams())
    batch = sw.encoder(sob, x, seeds=[0, 5, 9]).o
    np.testing.assert_array_equal(
        batch[1], sw.encoder(EncoderParams(source=SobolParams(scramble=5)), x[0]).o
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"source": 3}, TypeError, "Encoder source must be an LfsrParams or a SobolParams, not 3"),
        (
            {"encoding": "ternary"},
            ValueError,
            "Encoder encoding must be one of 'unipolar', 'bipolar', not 'ternary'",
        ),
        (
            {"ordering": "random"},
            ValueError,
            "Encoder ordering must be one of 'hardware', 'blueprint', not 'random'",
        ),
    ],
)
def test_encoder_params_wrong(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        EncoderParams(**kwargs)


def test_encoder_inputs_wrong():
    with pytest.raises(
        ValueError, match=r"^Encoder input 'x' must be between 0 and 65535, not -1$"
    ):
        sw.encoder(EncoderParams(), [1, -1])
    with pytest.raises(
        ValueError, match=r"^Encoder input 'x' must be between -32768 and 32767, not 32768$"
    ):
        sw.encoder(EncoderParams(encoding="bipolar"), [32768])
    with pytest.raises(
        TypeError, match=r"^Encoder input 'x' must hold integers, not float64 values$"
    ):
        sw.encoder(EncoderParams(), [0.5])
    with pytest.raises(
        ValueError, match=r"^Encoder inputs must have broadcastable shapes, not x\(3,\), en\(4,\)$"
    ):
        sw.encoder(EncoderParams(), [1, 2, 3], [1, 1, 1, 1])
