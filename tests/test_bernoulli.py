import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen.sw.bernoulli import bernoulli_bytes, bernoulli_f64, words_for
from scgen.sw.rng import ChaCha8, Xoshiro256pp


def _bits(words, length):
    return np.unpackbits(np.asarray(words, np.uint64).view(np.uint8), bitorder="little")[:length]


@settings(max_examples=40)
@given(p=st.floats(-0.5, 1.5), length=st.integers(0, 300), seed=st.integers(0, 2**64 - 1))
def test_bernoulli_f64_is_one_draw_per_bit(p, length, seed):
    words = bernoulli_f64([p], length, seed=seed, rng="xoshiro")[0]
    expected = (Xoshiro256pp(seed).next_f64(length) < p).astype(np.uint8)
    assert words.shape == (words_for(length),)
    np.testing.assert_array_equal(_bits(words, length), expected)
    assert not length % 64 or int(words[-1]) >> (length % 64) == 0  # tail bits are zero


def test_bernoulli_f64_chacha_shares_one_stream():
    p = [0.3, 0.7]
    words = bernoulli_f64(p, 70, seed=5)
    u = ChaCha8(5).next_f64(140)
    np.testing.assert_array_equal(_bits(words[0], 70), u[:70] < 0.3)
    np.testing.assert_array_equal(_bits(words[1], 70), u[70:] < 0.7)


@settings(max_examples=40)
@given(p=st.floats(0.0, 0.999), length=st.integers(1, 300), seed=st.integers(0, 2**63))
def test_bernoulli_bytes_compares_bytes(p, length, seed):
    t = min(int(p * 256), 255)
    words = bernoulli_bytes([p], length, seed=seed)[0]
    # block tail rule: each word draws 64 bytes (8 u64), a partial word uses the first bytes
    raw = Xoshiro256pp(seed).fill_bytes(64 * words_for(length))
    np.testing.assert_array_equal(_bits(words, length), (raw[:length] < t).astype(np.uint8))


def test_bernoulli_bytes_constants():
    w = bernoulli_bytes([0.0, 1.0, 7.0, -1.0, 255 / 256], 100, seed=1)
    assert _bits(w[0], 100).sum() == 0 and _bits(w[3], 100).sum() == 0
    assert _bits(w[1], 100).sum() == 100 and _bits(w[2], 100).sum() == 100
    assert _bits(w[4], 100).sum() < 100  # threshold 255 is not all ones
    assert int(w[1][1]) == (1 << 36) - 1  # tail stays clear


def test_bernoulli_bytes_row_seeds_and_threads():
    p = np.linspace(0, 1, 257)
    a = bernoulli_bytes(p, 1000, seed=2**64 - 3)
    numba.set_num_threads(1)
    try:
        b = bernoulli_bytes(p, 1000, seed=2**64 - 3)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[3], bernoulli_bytes([p[3]], 1000, seed=0)[0])  # wraps mod 2**64


@pytest.mark.parametrize("length", [256, 4096])
def test_bernoulli_accuracy(length):
    # accuracy, not equivalence: |ones/L - p| within 5 sigma of a binomial, t quantisation aside
    p = np.linspace(0.01, 0.99, 50)
    for words in (bernoulli_bytes(p, length, seed=3), bernoulli_f64(p, length, seed=3)):
        ones = np.array([_bits(w, length).sum() for w in words]) / length
        quant = 1 / 256
        assert np.all(np.abs(ones - p) <= 5 * np.sqrt(p * (1 - p) / length) + quant)


def test_bernoulli_wrong():
    with pytest.raises(ValueError, match=r"^Probabilities must not contain NaN, found at index 1$"):
        bernoulli_bytes([0.1, float("nan")], 8, seed=1)
    with pytest.raises(ValueError, match=r"^Stream length must be non-negative, not -1$"):
        bernoulli_f64([0.1], -1, seed=1)
    with pytest.raises(TypeError, match=r"^Stream length must be an integer, not 8.0$"):
        bernoulli_f64([0.1], 8.0, seed=1)
    with pytest.raises(
        TypeError, match=r"^Probabilities must be an array of real numbers, not <U1 values$"
    ):
        bernoulli_bytes(["a"], 8, seed=1)
    with pytest.raises(
        ValueError, match=r"^Probabilities must be 1-D, not 2-D with shape \(1, 1\)$"
    ):
        bernoulli_bytes([[0.5]], 8, seed=1)
    with pytest.raises(ValueError, match=r"^Tail rule must be 'fill' or 'block', not 'x'$"):
        bernoulli_bytes([0.5], 8, seed=1, tail="x")
    with pytest.raises(ValueError, match=r"^Generator must be 'chacha8' or 'xoshiro', not 'pcg'$"):
        bernoulli_f64([0.5], 8, seed=1, rng="pcg")


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(1, 5),
    cols=st.integers(1, 9),
    length=st.integers(1, 300),
    seed=st.integers(0, 2**64 - 1),
    data=st.data(),
)
def test_chacha_pack_rows_equals_drawing_weight_after_weight(rows, cols, length, seed, data):
    # the vectorised keystream gives the bits of encoding element after element, constants
    # (0, 1, NaN, out of range) drawing nothing
    from scgen.sw.bernoulli import chacha_encode_row, chacha_pack_rows, words_for
    from scgen.sw.rng import chacha_state

    special = st.sampled_from([0.0, 1.0, -0.5, 1.5, float("nan"), 1e-9, 1 - 1e-9])
    probs = np.array(
        data.draw(
            st.lists(
                st.one_of(st.floats(0, 1), special), min_size=rows * cols, max_size=rows * cols
            )
        ),
        dtype=np.float64,
    ).reshape(rows, cols)
    words = words_for(length)
    got = np.zeros((cols, words, rows), dtype=np.uint64)
    chacha_pack_rows(probs, length, np.uint64(seed), got)
    for n in range(rows):
        st_ = chacha_state((seed + n) % 2**64)
        for i in range(cols):
            want = np.zeros(words, dtype=np.uint64)
            chacha_encode_row(st_, probs[n, i], length, want)
            np.testing.assert_array_equal(got[i, :, n], want)


@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**64 - 1),
    first=st.one_of(st.integers(0, 40), st.integers(2**32 - 40, 2**32 + 40)),
    count=st.integers(0, 70),
)
def test_chacha_blocks_are_the_keystream(seed, first, count):
    # whole groups of 16 blocks go through the vector kernel, the rest through the lane loop;
    # both are the generator's own words, across a carry into the counter's high word too
    from scgen.sw.bernoulli import chacha_blocks
    from scgen.sw.rng import chacha_state

    out = np.zeros(count * 16 + 2, dtype=np.uint32)
    chacha_blocks(chacha_state(seed)[:8], first, count, out)
    if first < 1000:
        want = ChaCha8(seed).next_u32((first + count) * 16)[first * 16 :]
    else:  # block by block through the lane loop (a single block is never a whole group)
        want = np.zeros(count * 16, dtype=np.uint32)
        for b in range(count):
            one = np.zeros(18, dtype=np.uint32)
            chacha_blocks(chacha_state(seed)[:8], first + b, 1, one)
            want[b * 16 : (b + 1) * 16] = one[:16]
    np.testing.assert_array_equal(out[: count * 16], want)
    assert not out[count * 16 :].any()
