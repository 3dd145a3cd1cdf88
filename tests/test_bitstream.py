import re

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scgen.sw import bitstream as bs

LENGTHS = st.one_of(
    st.sampled_from([0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 320]), st.integers(0, 700)
)
BYTES = st.integers(0, 255)


def naive_pack(bits):
    """Plain-Python packing of one stream: bit i at word i // 64, position i % 64."""
    words = [0] * (-(-len(bits) // 64))
    for i, b in enumerate(bits):
        if b:
            words[i // 64] |= 1 << (i % 64)
    return words


def naive_rows(bits):
    return [naive_pack(row) for row in np.atleast_2d(bits).tolist()]


@st.composite
def bit_arrays(draw, dtype=np.uint8, values=BYTES):
    n = draw(LENGTHS)
    shape = draw(st.sampled_from([(n,), (1, n), (3, n), (0, n)]))
    return draw(hnp.arrays(dtype, shape, elements=values))


@st.composite
def word_pairs(draw, count=2):
    n = draw(LENGTHS)
    shape = draw(st.sampled_from([(-(-n // 64),), (2, -(-n // 64)), (5, -(-n // 64))]))
    arrays = [
        bs.pack(draw(hnp.arrays(np.uint8, (*shape[:-1], n), elements=st.integers(0, 1))))
        for _ in range(count)
    ]
    return n, arrays


def tail_is_clear(words, n):
    """Whether every stream has no set bit at positions >= n."""
    for row in np.atleast_2d(words).tolist():
        if sum(w << (64 * k) for k, w in enumerate(row)) >> n:
            return False
    return True


# --- known answers -------------------------------------------------------------------------------


def test_bitstream_pack_known_answer():
    assert bs.pack(np.array([1, 0, 1], np.uint8)).tolist() == [5]
    assert bs.pack(np.ones(65, np.uint8)).tolist() == [(1 << 64) - 1, 1]
    assert bs.pack(np.array([[0, 1], [1, 1]], np.uint8)).tolist() == [[2], [3]]
    assert bs.pack(np.array([7, 0, 255, 128], np.uint8)).tolist() == [0b1101]  # non-zero is 1
    assert bs.pack(np.array([True, False, True])).tolist() == [5]
    assert bs.pack([0, 0, 0, 5]).tolist() == [8]
    assert bs.pack(np.zeros(0, np.uint8)).shape == (0,)
    assert bs.pack(np.zeros((3, 0), np.uint8)).shape == (3, 0)
    bit_100 = np.zeros(128, np.uint8)
    bit_100[100] = 1
    assert bs.pack(bit_100).tolist() == [0, 1 << 36]


def test_bitstream_unpack_known_answer():
    assert bs.unpack(np.array([5], np.uint64), 3).tolist() == [1, 0, 1]
    assert bs.unpack(np.array([5], np.uint64), 0).shape == (0,)
    out = bs.unpack(np.array([[1 << 63, 1], [3, 0]], np.uint64), 65)
    assert out.dtype == np.uint8 and out.shape == (2, 65)
    assert out[0].nonzero()[0].tolist() == [63, 64]
    assert out[1].nonzero()[0].tolist() == [0, 1]


def test_bitstream_popcount_known_answer():
    w = np.array([[5, (1 << 64) - 1], [0, 1 << 40]], np.uint64)
    assert bs.popcount(w) == 67
    assert isinstance(bs.popcount(w), int)
    counts = bs.popcount(w, axis=-1)
    assert counts.dtype == np.int64 and counts.tolist() == [66, 1]
    assert bs.popcount(w, axis=1).tolist() == [66, 1]
    assert bs.popcount(np.zeros(0, np.uint64)) == 0
    assert bs.popcount(w[0], axis=-1).shape == ()
    assert bs.and_popcount(w[0], np.array([4, 7], np.uint64)) == 4
    assert bs.and_popcount(w, w, axis=-1).tolist() == [66, 1]


def test_bitstream_logic_known_answer():
    a = np.array([0b1100], np.uint64)
    b = np.array([0b1010], np.uint64)
    sel = np.array([0b0110], np.uint64)
    assert bs.bit_and(a, b).tolist() == [0b1000]
    assert bs.bit_or(a, b).tolist() == [0b1110]
    assert bs.bit_xor(a, b).tolist() == [0b0110]
    assert bs.bit_xnor(a, b, 4).tolist() == [0b1001]
    assert bs.bit_xnor(a, b, 64).tolist() == [(1 << 64) - 1 - 0b0110]
    assert bs.bit_not(a, 5).tolist() == [0b10011]
    assert bs.bit_not(np.zeros(3, np.uint64), 70).tolist() == [(1 << 64) - 1, 0b111111, 0]
    assert bs.bit_mux(sel, a, b).tolist() == [0b1100]  # sel ? a : b, bit by bit


# --- properties ----------------------------------------------------------------------------------


@given(bit_arrays())
def test_bitstream_pack_matches_naive_and_round_trips(bits):
    packed = bs.pack(bits)
    n = bits.shape[-1]
    assert packed.dtype == np.uint64 and packed.shape == (*bits.shape[:-1], -(-n // 64))
    if bits.ndim == 1:
        assert packed.tolist() == naive_pack(bits.tolist())
    else:
        assert packed.tolist() == [naive_pack(r) for r in bits.tolist()]
    assert tail_is_clear(packed, n)
    np.testing.assert_array_equal(bs.unpack(packed, n), (bits != 0).astype(np.uint8))
    assert bs.popcount(packed) == int(np.count_nonzero(bits))
    np.testing.assert_array_equal(bs.popcount(packed, axis=-1), np.count_nonzero(bits, axis=-1))


@given(bit_arrays(dtype=np.int64, values=st.integers(-3, 3)))
def test_bitstream_pack_wide_integers(bits):
    np.testing.assert_array_equal(bs.pack(bits), bs.pack((bits != 0).astype(np.uint8)))


@given(bit_arrays(), st.integers(0, 70))
def test_bitstream_unpack_prefix(bits, cut):
    packed = bs.pack(bits)
    n = bits.shape[-1]
    short = max(0, n - cut)
    np.testing.assert_array_equal(bs.unpack(packed, short), (bits[..., :short] != 0))


@given(word_pairs(count=3))
def test_bitstream_logic_matches_bits(case):
    n, (a, b, sel) = case
    ua, ub, us = (bs.unpack(x, n) for x in (a, b, sel))
    for got, want in [
        (bs.bit_and(a, b), ua & ub),
        (bs.bit_or(a, b), ua | ub),
        (bs.bit_xor(a, b), ua ^ ub),
        (bs.bit_xnor(a, b, n), 1 - (ua ^ ub)),
        (bs.bit_not(a, n), 1 - ua),
        (bs.bit_mux(sel, a, b), np.where(us == 1, ua, ub)),
    ]:
        assert tail_is_clear(got, n)
        np.testing.assert_array_equal(got, bs.pack(want))
    assert bs.and_popcount(a, b) == int((ua & ub).sum())
    np.testing.assert_array_equal(bs.and_popcount(a, b, axis=-1), (ua & ub).sum(axis=-1))


@given(word_pairs())
def test_bitstream_xnor_not_clear_whole_words_past_length(case):
    n, (a, b) = case
    words = a.shape[-1]
    for length in {0, n // 2, max(0, n - 64)}:
        if length > 64 * words:
            continue
        for got in (bs.bit_xnor(a, b, length), bs.bit_not(a, length)):
            assert tail_is_clear(got, length)


def test_bitstream_out_arguments_and_aliasing():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 1 << 63, (2, 3), dtype=np.uint64)
    b = rng.integers(0, 1 << 63, (2, 3), dtype=np.uint64)
    want = a & b
    assert bs.bit_and(a, b, out=a) is a
    np.testing.assert_array_equal(a, want)
    out = np.empty(3, np.uint64)
    bits = rng.integers(0, 2, 130, dtype=np.uint8)
    assert bs.pack(bits, out=out) is out
    ubuf = np.empty(130, np.uint8)
    assert bs.unpack(out, 130, out=ubuf) is ubuf
    np.testing.assert_array_equal(ubuf, bits)
    x = bs.pack(bits)
    assert bs.bit_not(x, 130, out=x) is x
    np.testing.assert_array_equal(bs.unpack(x, 130), 1 - bits)


def test_bitstream_non_contiguous_and_read_only_inputs():
    rng = np.random.default_rng(8)
    bits = rng.integers(0, 2, (4, 200), dtype=np.uint8)
    np.testing.assert_array_equal(bs.pack(bits[:, ::2]), bs.pack(bits[:, ::2].copy()))
    np.testing.assert_array_equal(bs.pack(np.asfortranarray(bits)), bs.pack(bits))
    ro = bits.copy()
    ro.flags.writeable = False
    packed = bs.pack(ro)
    np.testing.assert_array_equal(packed, bs.pack(bits))
    packed.flags.writeable = False
    np.testing.assert_array_equal(bs.unpack(packed, 200), bits)
    assert bs.popcount(packed[:, ::2]) == bs.popcount(packed[:, ::2].copy())


def test_bitstream_results_do_not_depend_on_thread_count(monkeypatch):
    monkeypatch.setattr(bs, "_PARALLEL_MIN_WORDS", 0)  # send every batch to the prange kernels
    rng = np.random.default_rng(9)
    bits = rng.integers(0, 3, (37, 1000), dtype=np.uint8)
    other = bs.pack(rng.integers(0, 2, (37, 1000), dtype=np.uint8))
    before = numba.get_num_threads()

    def run():
        packed = bs.pack(bits)
        return (
            packed,
            bs.unpack(packed, 1000),
            bs.popcount(packed),
            bs.popcount(packed, axis=-1),
            bs.and_popcount(packed, other),
            bs.and_popcount(packed, other, axis=-1),
        )

    try:
        numba.set_num_threads(1)
        one = run()
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        assert bs._parallel(37, 16)
        two = run()
    finally:
        numba.set_num_threads(before)
    for x, y in zip(one, two, strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(one[1], (bits != 0))


def python(kernel):
    return getattr(kernel, "py_func", kernel)  # a plain function when NUMBA_DISABLE_JIT=1


def test_bitstream_python_kernels_match_compiled():
    # what NUMBA_DISABLE_JIT=1 runs: the plain-Python kernels and 64-lane helpers
    rng = np.random.default_rng(10)
    bits = rng.integers(0, 4, (3, 150), dtype=np.uint8)
    packed = np.zeros((3, 3), np.uint64)
    python(bs._pack_seq)(bits, packed)
    np.testing.assert_array_equal(packed, bs.pack(bits))
    out = np.zeros((3, 150), np.uint8)
    python(bs._unpack_seq)(packed, 150, out)
    np.testing.assert_array_equal(out, bits != 0)
    counts = np.zeros(3, np.int64)
    python(bs._popcount_seq)(packed, counts)
    np.testing.assert_array_equal(counts, bs.popcount(packed, axis=-1))
    other = packed[::-1].copy()
    python(bs._and_popcount_seq)(packed, other, counts)
    np.testing.assert_array_equal(counts, bs.and_popcount(packed, other, axis=-1))
    assert python(bs._popcount_all)(packed[0]) == bs.popcount(packed[0])
    assert python(bs._and_popcount_all)(packed[0], other[0]) == bs.and_popcount(packed[0], other[0])
    x = packed.copy()
    python(bs._clear_tail)(x, 100)
    np.testing.assert_array_equal(x, bs.pack(np.where(np.arange(150) < 100, bits, 0)))


# --- bad input -----------------------------------------------------------------------------------


def test_bitstream_bits_wrong():
    with pytest.raises(
        TypeError, match=r"^Pack input 'bits' must hold integers or booleans, not float64 values$"
    ):
        bs.pack(np.array([1.0, 0.0]))
    with pytest.raises(
        TypeError, match=r"^Pack input 'bits' must hold integers or booleans, not object values$"
    ):
        bs.pack(None)
    with pytest.raises(
        ValueError,
        match=r"^Pack input 'bits' must be 1-D \(stream\) or 2-D \(rows, stream\), not 3-D$",
    ):
        bs.pack(np.zeros((1, 1, 1), np.uint8))
    with pytest.raises(
        ValueError,
        match=r"^Pack input 'bits' must be 1-D \(stream\) or 2-D \(rows, stream\), not 0-D$",
    ):
        bs.pack(np.uint8(1))


def test_bitstream_packed_wrong():
    with pytest.raises(
        TypeError, match=r"^Unpack input 'packed' must hold uint64 words, not int64 values$"
    ):
        bs.unpack(np.array([5]), 3)
    with pytest.raises(
        TypeError, match=r"^Popcount input 'packed' must hold uint64 words, not float64 values$"
    ):
        bs.popcount(np.array([5.0]))
    with pytest.raises(
        TypeError, match=r"^Bit AND input 'b' must hold uint64 words, not >u8 values$"
    ):
        bs.bit_and(np.zeros(1, np.uint64), np.zeros(1, ">u8"))
    with pytest.raises(
        ValueError,
        match=r"^Bit OR input 'a' must be 1-D \(words\) or 2-D \(rows, words\), not 3-D$",
    ):
        bs.bit_or(np.zeros((1, 1, 1), np.uint64), np.zeros((1, 1, 1), np.uint64))
    with pytest.raises(
        ValueError, match=r"^Bit XOR inputs must have the same shape, not a\(2,\) and b\(3,\)$"
    ):
        bs.bit_xor(np.zeros(2, np.uint64), np.zeros(3, np.uint64))
    with pytest.raises(
        ValueError,
        match=r"^Bit MUX inputs must have the same shape, not sel\(1, 2\), a\(2,\) and b\(2,\)$",
    ):
        bs.bit_mux(np.zeros((1, 2), np.uint64), np.zeros(2, np.uint64), np.zeros(2, np.uint64))
    with pytest.raises(
        ValueError, match=r"^AND-popcount inputs must have the same shape, not a\(2,\) and b\(1,\)$"
    ):
        bs.and_popcount(np.zeros(2, np.uint64), np.zeros(1, np.uint64))


def test_bitstream_length_wrong():
    w = np.zeros(2, np.uint64)
    with pytest.raises(
        ValueError, match=r"^Unpack length must be at most 128 \(2 words of 64 bits\), not 129$"
    ):
        bs.unpack(w, 129)
    with pytest.raises(ValueError, match=r"^Unpack length must be non-negative, not -1$"):
        bs.unpack(w, -1)
    with pytest.raises(TypeError, match=r"^Unpack length must be an integer, not 3\.0$"):
        bs.unpack(w, 3.0)
    with pytest.raises(TypeError, match=r"^Bit NOT length must be an integer, not True$"):
        bs.bit_not(w, True)
    with pytest.raises(
        ValueError, match=r"^Bit XNOR length must be at most 128 \(2 words of 64 bits\), not 200$"
    ):
        bs.bit_xnor(w, w, 200)
    assert bs.unpack(w, np.int64(3)).shape == (3,)


def test_bitstream_axis_wrong():
    w = np.zeros((2, 2), np.uint64)
    with pytest.raises(
        ValueError, match=r"^Popcount axis must be None or -1 \(the word axis\), not 0$"
    ):
        bs.popcount(w, axis=0)
    with pytest.raises(
        TypeError, match=r"^AND-popcount axis must be None or an integer, not 'rows'$"
    ):
        bs.and_popcount(w, w, axis="rows")


def test_bitstream_out_wrong():
    bits = np.zeros(70, np.uint8)
    with pytest.raises(
        ValueError, match=re.escape("Pack output 'out' must have shape (2,), not (3,)") + "$"
    ):
        bs.pack(bits, out=np.zeros(3, np.uint64))
    with pytest.raises(
        TypeError, match=r"^Pack output 'out' must hold uint64 values, not int64 values$"
    ):
        bs.pack(bits, out=np.zeros(2, np.int64))
    with pytest.raises(
        TypeError, match=r"^Unpack output 'out' must be a NumPy array, not \[0, 0\]$"
    ):
        bs.unpack(np.zeros(1, np.uint64), 2, out=[0, 0])
    with pytest.raises(
        ValueError, match=r"^Unpack output 'out' must be C-contiguous, not strides \(2,\)$"
    ):
        bs.unpack(np.zeros(1, np.uint64), 2, out=np.zeros(4, np.uint8)[::2])
    ro = np.zeros(1, np.uint64)
    ro.flags.writeable = False
    with pytest.raises(
        ValueError, match=r"^Bit AND output 'out' must be writeable, not read-only$"
    ):
        bs.bit_and(ro, ro, out=ro)
