"""Differential tests: scgen.compat bitstream functions against the reference engine itself."""

import array
import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scgen.compat import _bitstream as compat

seed = pytest.importorskip("sc_neurocore_engine")

U64_MAX = (1 << 64) - 1


def describe(value):
    """A comparable description of a result: types all the way down, dtypes, shapes, values."""
    if isinstance(value, np.ndarray):
        return (
            "ndarray",
            value.dtype.str,
            value.shape,
            value.flags.c_contiguous,
            value.flags.writeable,
            value.tolist(),
        )
    if isinstance(value, list):
        return ("list", [describe(v) for v in value])
    return (type(value).__name__, value)


def outcome(fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # the engine's PanicException derives from BaseException
        kind = type(e).__name__
        # scgen.compat's one deliberate divergence: an engine panic is a ValueError, same text
        return ("raises", "ValueError" if kind == "PanicException" else kind, str(e))
    return ("returns", describe(result))


def assert_same(name, *args, **kwargs):
    want = outcome(getattr(seed, name), *args, **kwargs)
    got = outcome(getattr(compat, name), *args, **kwargs)
    assert got == want, f"{name}{args!r}"


# --- odd objects the engine's argument reading distinguishes ------------------------------------


class OnlyIndex:
    def __index__(self):
        return 1


class OnlyInt:
    def __int__(self):
        return 1


class GetItem:
    """A sequence to CPython (it has __getitem__) without being a collections.abc.Sequence."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        if i >= 2:
            raise IndexError(i)
        return 1


class IndexAndSequence:
    """Reads as an int (3) and as a one-item sequence: shows which reading comes first."""

    def __index__(self):
        return 3

    def __len__(self):
        return 1

    def __getitem__(self, i):
        if i:
            raise IndexError(i)
        return 1


class Pair(tuple):
    pass


def strided(a):
    return np.repeat(a, 2)[::2]


def misaligned_words(n):
    buf = np.zeros(8 * n + 1, np.uint8)
    return np.frombuffer(buf.data, dtype=np.uint64, count=n, offset=1)


def read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


CASES = [
    # pack_bitstream: what reads as bits, and in which shape
    ("pack_bitstream", ([1, 0, 1],)),
    ("pack_bitstream", ([1] * 65,)),
    ("pack_bitstream", ([[1, 0, 1], [1, 1]],)),
    ("pack_bitstream", ([2, 0, 255],)),
    ("pack_bitstream", ([256],)),
    ("pack_bitstream", ([-1],)),
    ("pack_bitstream", ([1.0],)),
    ("pack_bitstream", ([True, False],)),
    ("pack_bitstream", ([OnlyIndex()],)),
    ("pack_bitstream", ([OnlyInt()],)),
    ("pack_bitstream", ([IndexAndSequence()],)),
    ("pack_bitstream", (GetItem(),)),
    ("pack_bitstream", ([],)),
    ("pack_bitstream", ([[]],)),
    ("pack_bitstream", (((), []),)),
    ("pack_bitstream", ([[1], [1, 0, 1]],)),
    ("pack_bitstream", ([1, [1]],)),
    ("pack_bitstream", ([[1], 1],)),
    ("pack_bitstream", ([[[1]]],)),
    ("pack_bitstream", ([[1], [256]],)),
    ("pack_bitstream", (b"\x01\x00\x01",)),
    ("pack_bitstream", (bytearray(b"\x01\x01"),)),
    ("pack_bitstream", (memoryview(b"\x01\x01"),)),
    ("pack_bitstream", (array.array("B", [1, 1]),)),
    ("pack_bitstream", ([b"\x01\x01", b"\x01"],)),
    ("pack_bitstream", ("",)),
    ("pack_bitstream", ("ab",)),
    ("pack_bitstream", ([""],)),
    ("pack_bitstream", ({0: 1},)),
    ("pack_bitstream", ({1},)),
    ("pack_bitstream", (range(3),)),
    ("pack_bitstream", ((i for i in range(3)),)),
    ("pack_bitstream", (None,)),
    ("pack_bitstream", (5,)),
    ("pack_bitstream", ([2**70],)),
    ("pack_bitstream", ([np.uint8(3), np.int64(0)],)),
    ("pack_bitstream", ([np.True_],)),
    ("pack_bitstream", (np.array([1, 0, 1], np.uint8),)),
    ("pack_bitstream", (np.array([[1, 0, 1], [0, 1, 1]], np.uint8),)),
    ("pack_bitstream", (np.array([1, 0, 2], np.int64),)),
    ("pack_bitstream", (np.array([1, 0, -1], np.int8),)),
    ("pack_bitstream", (np.array([1, 0, 300], np.uint16),)),
    ("pack_bitstream", (np.array([1, 0, 255], np.uint16),)),
    ("pack_bitstream", (np.array([2**63], np.uint64),)),
    ("pack_bitstream", (np.array([[1, -1]]),)),
    ("pack_bitstream", (np.array([1.0, 0.0]),)),
    ("pack_bitstream", (np.ones((2, 2)),)),
    ("pack_bitstream", (np.array([True, False]),)),
    ("pack_bitstream", (np.ones((2, 2), bool),)),
    ("pack_bitstream", (np.zeros(0, bool),)),
    ("pack_bitstream", (np.array([1, 0, 1], object),)),
    ("pack_bitstream", (np.array(1, np.uint8),)),
    ("pack_bitstream", (np.zeros(0, np.uint8),)),
    ("pack_bitstream", (np.zeros((0, 5), np.uint8),)),
    ("pack_bitstream", (np.zeros((3, 0), np.uint8),)),
    ("pack_bitstream", (np.ones((1, 1, 1), np.uint8),)),
    ("pack_bitstream", (np.zeros((0, 2, 2), np.uint8),)),
    ("pack_bitstream", (np.zeros((2, 0, 3), np.uint8),)),
    ("pack_bitstream", (np.ones(10, np.uint8)[::2],)),
    ("pack_bitstream", (np.asfortranarray(np.ones((3, 10), np.uint8)),)),
    ("pack_bitstream", (np.ma.array([1, 0, 1], dtype=np.uint8),)),
    ("pack_bitstream", ([np.array([1, 0], np.uint8), np.array([1], np.uint8)],)),
    # unpack_bitstream: lengths, shapes, panics, argument conversion
    ("unpack_bitstream", ([5], 3)),
    ("unpack_bitstream", ([5], 64)),
    ("unpack_bitstream", ([5], 0)),
    ("unpack_bitstream", ([5], 65)),
    ("unpack_bitstream", ([5, 7], 3)),
    ("unpack_bitstream", (list(range(1000)), 64 * 2000)),
    ("unpack_bitstream", ([], 0)),
    ("unpack_bitstream", ([], 1)),
    ("unpack_bitstream", ([U64_MAX], 64)),
    ("unpack_bitstream", ([1 << 64], 64)),
    ("unpack_bitstream", ([-1], 3)),
    ("unpack_bitstream", ([5.0], 3)),
    ("unpack_bitstream", ([True], 3)),
    ("unpack_bitstream", (b"\x05", 3)),
    ("unpack_bitstream", ([b"\x05"], 3)),
    ("unpack_bitstream", ([IndexAndSequence()], 1)),
    ("unpack_bitstream", ("a", 6)),
    ("unpack_bitstream", (None, 6)),
    ("unpack_bitstream", ([[[5]]], 6)),
    ("unpack_bitstream", ([[5], [3]], 6)),
    ("unpack_bitstream", ([[5], [3]], 7)),
    ("unpack_bitstream", ([[5], [3]], 1)),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 3))),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 5))),
    ("unpack_bitstream", ([[5], [3]], 6, (3, 3))),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 100))),
    ("unpack_bitstream", ([[5], [3]], 6, (2,))),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 3, 4))),
    ("unpack_bitstream", ([[5], [3]], 6, [2, 3])),
    ("unpack_bitstream", ([[5], [3]], 6, (2, -3))),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 1.0))),
    ("unpack_bitstream", ([[5], [3]], 6, (2, 1 << 64))),
    ("unpack_bitstream", ([[5], [3]], 6, (True, True))),
    ("unpack_bitstream", ([[5]], 3, Pair((1, 3)))),
    ("unpack_bitstream", ([[5]], 3, collections.namedtuple("Shape", "rows bits")(1, 3))),
    ("unpack_bitstream", ([[5]], 3, (np.int64(1), np.uint8(3)))),
    ("unpack_bitstream", ([[5]], 3, (1, 0))),
    ("unpack_bitstream", ([[5]], 3, "ab")),
    ("unpack_bitstream", ([[5]], 3, 5)),
    ("unpack_bitstream", ([[5]], 3, None)),
    ("unpack_bitstream", ([5], 3, (7, 3))),
    ("unpack_bitstream", ([[]], 0)),
    ("unpack_bitstream", ([[], []], 4)),
    ("unpack_bitstream", ([[5], []], 3, (2, 0))),
    ("unpack_bitstream", ([[], [5]], 3, (2, 64))),
    ("unpack_bitstream", ([[5], [3, 1]], 130)),
    ("unpack_bitstream", ([[5, 1], [3]], 200)),
    ("unpack_bitstream", ([], 5, (0, 3))),
    ("unpack_bitstream", ([], 3, (1, 3))),
    ("unpack_bitstream", ([5], -1)),
    ("unpack_bitstream", ([5], -(1 << 70))),
    ("unpack_bitstream", ([5], 1 << 64)),
    ("unpack_bitstream", ([5], 1.0)),
    ("unpack_bitstream", ([5], np.float64(3))),
    ("unpack_bitstream", ([5], "3")),
    ("unpack_bitstream", ([5], None)),
    ("unpack_bitstream", ([5], True)),
    ("unpack_bitstream", ([5], False)),
    ("unpack_bitstream", ([5], np.int64(3))),
    ("unpack_bitstream", ("a", -1)),
    ("unpack_bitstream", ("a", 3, (1, 2, 3))),
    ("unpack_bitstream", ([[5]], -1, [1])),
    ("unpack_bitstream", (np.array([5], np.uint64), 3)),
    ("unpack_bitstream", (np.array([5], np.int64), 3)),
    ("unpack_bitstream", (np.array([-1], np.int64), 3)),
    ("unpack_bitstream", (np.array([[5], [3]], np.uint64), 6)),
    ("unpack_bitstream", (np.array([[5], [3]], np.uint64), 200)),
    ("unpack_bitstream", (np.zeros(0, np.uint64), 0)),
    ("unpack_bitstream", (np.zeros((0, 2), np.uint64), 0, (0, 9))),
    ("unpack_bitstream", (np.array([5.0]), 3)),
    ("unpack_bitstream", (np.array([True]), 1)),
    ("unpack_bitstream", (strided(np.array([5, 3], np.uint64)), 70)),
    # popcount: reading order and conversion
    ("popcount", ([IndexAndSequence()],)),
    ("popcount", ([5, 3],)),
    ("popcount", ([[5], [3, U64_MAX]],)),
    ("popcount", ([],)),
    ("popcount", ([[]],)),
    ("popcount", ([[1], [1, 1]],)),
    ("popcount", ([-1],)),
    ("popcount", ([1 << 64],)),
    ("popcount", ([1.0],)),
    ("popcount", ([True],)),
    ("popcount", ([[[5]]],)),
    ("popcount", ("a",)),
    ("popcount", (None,)),
    ("popcount", (5,)),
    ("popcount", (b"\x05\x03",)),
    ("popcount", (np.array([5, 3], np.uint64),)),
    ("popcount", (np.array([5, 3], np.int64),)),
    ("popcount", (np.array([-1], np.int64),)),
    ("popcount", (np.array([True]),)),
    ("popcount", (np.array([[5], [3]], np.uint64),)),
    ("popcount", (np.zeros((0, 4), np.uint64),)),
    # the NumPy variants: exact dtype, 1-D, contiguous and aligned
    ("pack_bitstream_numpy", (np.array([1, 0, 1], np.uint8),)),
    ("pack_bitstream_numpy", (np.array([2, 0, 255], np.uint8),)),
    ("pack_bitstream_numpy", (np.zeros(0, np.uint8),)),
    ("pack_bitstream_numpy", (np.ones(65, np.uint8),)),
    ("pack_bitstream_numpy", (np.array([1, 0, 1], np.int64),)),
    ("pack_bitstream_numpy", (np.array([1, 0, 1], bool),)),
    ("pack_bitstream_numpy", (np.array([1, 0, 1], np.int8),)),
    ("pack_bitstream_numpy", (np.array([1.0, 0.0]),)),
    ("pack_bitstream_numpy", (np.array([1, 0], ">u2"),)),
    ("pack_bitstream_numpy", (np.ones((2, 3), np.uint8),)),
    ("pack_bitstream_numpy", (np.array(1, np.uint8),)),
    ("pack_bitstream_numpy", (np.ones(10, np.uint8)[::2],)),
    ("pack_bitstream_numpy", (np.arange(10, dtype=np.uint8)[::-1],)),
    ("pack_bitstream_numpy", (np.arange(10, dtype=np.uint8)[::20],)),
    ("pack_bitstream_numpy", (read_only(np.array([1, 0, 1], np.uint8)),)),
    ("pack_bitstream_numpy", (np.ma.array([1, 0], dtype=np.uint8),)),
    ("pack_bitstream_numpy", ([1, 0, 1],)),
    ("pack_bitstream_numpy", (None,)),
    ("pack_bitstream_numpy", (5,)),
    ("pack_bitstream_numpy", (b"\x01",)),
    ("pack_bitstream_numpy", (np.uint8(1),)),
    ("pack_bitstream_numpy", (OnlyIndex(),)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), 3)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), 64)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), 65)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), 0)),
    ("unpack_bitstream_numpy", (np.array([5, 7], np.uint64), 3)),
    ("unpack_bitstream_numpy", (np.zeros(0, np.uint64), 0)),
    ("unpack_bitstream_numpy", (np.zeros(0, np.uint64), 1)),
    ("unpack_bitstream_numpy", (np.zeros(1000, np.uint64), 64 * 2000)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), -1)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), 3.0)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint64), None)),
    ("unpack_bitstream_numpy", (np.array([5], np.int64), 3)),
    ("unpack_bitstream_numpy", (np.array([5], np.uint32), 3)),
    ("unpack_bitstream_numpy", (np.array([5], ">u8"), 3)),
    ("unpack_bitstream_numpy", (np.array([5], "Q"), 3)),
    ("unpack_bitstream_numpy", (np.array([[5]], np.uint64), 3)),
    ("unpack_bitstream_numpy", ([5], 3)),
    ("unpack_bitstream_numpy", ([5], -1)),
    ("unpack_bitstream_numpy", (strided(np.array([5, 3], np.uint64)), 66)),
    ("unpack_bitstream_numpy", (strided(np.array([5, 3], np.uint64)), -1)),
    ("unpack_bitstream_numpy", (strided(np.array([5, 3], np.uint64)), 0)),
    ("unpack_bitstream_numpy", (misaligned_words(2), 3)),
    ("unpack_bitstream_numpy", (read_only(np.array([5], np.uint64)), 3)),
    ("popcount_numpy", (np.array([5, 3], np.uint64),)),
    ("popcount_numpy", (np.zeros(0, np.uint64),)),
    ("popcount_numpy", (np.full(3, U64_MAX, np.uint64),)),
    ("popcount_numpy", (np.array([5], np.int64),)),
    ("popcount_numpy", (np.array([5], ">u8"),)),
    ("popcount_numpy", (np.array([[5]], np.uint64),)),
    ("popcount_numpy", (np.array(5, np.uint64),)),
    ("popcount_numpy", (strided(np.array([5, 3], np.uint64)),)),
    ("popcount_numpy", (misaligned_words(2),)),
    ("popcount_numpy", (np.ma.array([5], dtype=np.uint64),)),
    ("popcount_numpy", ([5],)),
    ("popcount_numpy", (None,)),
    ("simd_tier", ()),
]


@pytest.mark.parametrize(
    ("name", "args"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_compat_bitstream_edge_cases(name, args):
    assert_same(name, *args)


def test_compat_bitstream_keywords():
    assert_same("pack_bitstream", bits=[1, 0, 1])
    assert_same("unpack_bitstream", packed=[[5]], original_length=3, original_shape=(1, 3))
    assert_same("unpack_bitstream", [[5]], 3, original_shape=None)
    assert_same("popcount", packed=[5])
    assert_same("pack_bitstream_numpy", bits=np.ones(3, np.uint8))
    assert_same("unpack_bitstream_numpy", packed=np.array([5], np.uint64), original_length=3)
    assert_same("popcount_numpy", packed=np.array([5], np.uint64))
    assert_same("popcount", [5], extra=1)
    assert_same("pack_bitstream")


def test_compat_bitstream_panics_are_value_errors():
    with pytest.raises(ValueError, match=r"^bitstream length must be > 0$"):
        compat.unpack_bitstream([5], 0)
    with pytest.raises(ValueError, match=r"^index out of bounds: the len is 1 but the index is 1$"):
        compat.unpack_bitstream_numpy(np.array([5], np.uint64), 65)


def test_compat_bitstream_names():
    for name in compat.__all__:
        assert callable(getattr(seed, name))


# --- hypothesis-generated inputs ----------------------------------------------------------------

LENGTHS = st.one_of(st.sampled_from([0, 1, 2, 63, 64, 65, 127, 128, 129]), st.integers(0, 400))
BAD_BITS = st.sampled_from([256, -1, 0.5, 1.0, np.float64(1.0), np.True_, "1", None, [1], 2**70])
BAD_WORDS = st.sampled_from([-1, 1 << 64, 1.0, np.float64(1.0), np.True_, "1", None, [1]])


def corrupt(draw, values, bad):
    """Sometimes replace one value with something the engine may refuse."""
    if values and draw(st.integers(0, 3)) == 0:
        values = list(values)
        values[draw(st.integers(0, len(values) - 1))] = draw(bad)
    return values


@st.composite
def bit_rows(draw):
    n = draw(LENGTHS)
    hi = draw(st.sampled_from([1, 1, 255]))
    rows = draw(st.sampled_from([0, 1, 2, 3]))
    ragged = draw(st.booleans())
    return [
        draw(st.lists(st.integers(0, hi), min_size=n if not ragged else 0, max_size=n))
        for _ in range(rows)
    ]


@st.composite
def bits_inputs(draw):
    kind = draw(st.sampled_from(["list", "tuple", "bytes", "rows", "array", "array2", "3d"]))
    n = draw(LENGTHS)
    values = draw(
        st.lists(st.integers(0, draw(st.sampled_from([1, 1, 255]))), min_size=n, max_size=n)
    )
    if kind == "list":
        return corrupt(draw, values, BAD_BITS)
    if kind == "tuple":
        return tuple(corrupt(draw, values, BAD_BITS))
    if kind == "bytes":
        return bytes(values)
    if kind == "rows":
        rows = draw(bit_rows())
        if rows and draw(st.booleans()):
            rows[0] = corrupt(draw, rows[0], BAD_BITS)
        return rows
    dtype = draw(
        st.sampled_from(
            [np.uint8, np.uint8, np.int8, np.int64, np.uint16, np.uint64, np.bool_, np.float64]
        )
    )
    a = np.array(values, dtype=np.int64)
    if a.size and draw(st.integers(0, 3)) == 0:
        a[draw(st.integers(0, a.size - 1))] = draw(st.sampled_from([-1, 256, 127]))
    if kind == "array2":
        a = a[: a.size - a.size % 3].reshape(3, -1) if draw(st.booleans()) else a.reshape(1, -1)
    elif kind == "3d":
        a = a.reshape(1, 1, -1) if draw(st.booleans()) else a.reshape(-1, 1, 1)
    with np.errstate(over="ignore"):
        out = a.astype(dtype) if dtype is not np.bool_ else a != 0
    return strided(out) if out.ndim == 1 and draw(st.booleans()) else out


@st.composite
def word_inputs(draw):
    kind = draw(st.sampled_from(["list", "rows", "ragged", "array", "array2", "bytes"]))
    words = draw(st.integers(0, 8))
    word = st.one_of(st.integers(0, U64_MAX), st.sampled_from([0, 1, U64_MAX, 5]))
    if kind == "list":
        return corrupt(draw, draw(st.lists(word, min_size=words, max_size=words)), BAD_WORDS)
    if kind in ("rows", "ragged"):
        rows = [
            draw(st.lists(word, min_size=0 if kind == "ragged" else words, max_size=words))
            for _ in range(draw(st.integers(0, 3)))
        ]
        if rows and draw(st.integers(0, 3)) == 0:
            rows[-1] = corrupt(draw, rows[-1], BAD_WORDS)
        return rows
    if kind == "bytes":
        return bytes(draw(st.lists(st.integers(0, 255), max_size=words)))
    values = draw(st.lists(st.integers(0, (1 << 63) - 1), min_size=words, max_size=words))
    dtype = draw(st.sampled_from([np.uint64, np.uint64, np.int64, np.uint8, np.float64]))
    a = np.array(values, dtype=np.int64)
    if a.size and draw(st.integers(0, 4)) == 0:
        a[0] = -1
    with np.errstate(over="ignore"):
        a = a.astype(dtype)
    if kind == "array2":
        a = np.stack([a, a[::-1]])
    return a


def shape_rows(packed):
    try:
        return len(packed)
    except TypeError:
        return 0


@st.composite
def unpack_arguments(draw):
    packed = draw(word_inputs())
    try:
        first = packed[0] if len(packed) else []
        words = len(first) if isinstance(first, list | np.ndarray) else len(packed)
    except TypeError:
        words = 0
    length = draw(
        st.one_of(
            st.sampled_from(
                [
                    0,
                    1,
                    63,
                    64,
                    65,
                    64 * words,
                    64 * words + 1,
                    -1,
                    1 << 64,
                    1.5,
                    None,
                    True,
                    np.int64(3),
                ]
            ),
            st.integers(0, 64 * words + 70),
        )
    )
    rows = shape_rows(packed)
    bits = draw(st.integers(0, 64 * words + 70))
    shape = draw(
        st.sampled_from(
            [
                None,
                None,
                (rows, bits),
                (rows + 1, bits),
                (rows,),
                [rows, bits],
                (rows, -1),
                (rows, 1.0),
            ]
        )
    )
    return packed, length, shape


@given(bits_inputs())
def test_compat_pack_bitstream_matches_engine(bits):
    assert_same("pack_bitstream", bits)


@given(word_inputs())
def test_compat_popcount_matches_engine(packed):
    assert_same("popcount", packed)


@given(unpack_arguments())
def test_compat_unpack_bitstream_matches_engine(arguments):
    packed, length, shape = arguments
    assert_same("unpack_bitstream", packed, length)
    assert_same("unpack_bitstream", packed, length, shape)


@given(bits_inputs())
def test_compat_bitstream_round_trip_matches_engine(bits):
    packed = seed.pack_bitstream(bits) if outcome(seed.pack_bitstream, bits)[0] == "returns" else []
    n = len(bits) if not isinstance(bits, np.ndarray) else bits.shape[-1]
    for length in (n, max(n - 1, 0), n + 1):
        assert_same("unpack_bitstream", packed, length)


@st.composite
def numpy_arrays(draw, dtype):
    n = draw(LENGTHS)
    if dtype == np.uint8:
        a = np.array(draw(st.lists(st.integers(0, 255), min_size=n, max_size=n)), np.uint8)
    else:
        a = np.array(
            draw(st.lists(st.integers(0, U64_MAX), min_size=n // 64, max_size=n // 64)), np.uint64
        )
    change = draw(
        st.sampled_from(["none", "none", "none", "strided", "read_only", "dtype", "2d", "list"])
    )
    if change == "strided":
        return strided(a)
    if change == "read_only":
        return read_only(a)
    if change == "dtype":
        return a.astype(draw(st.sampled_from([np.int64, np.bool_, np.float64, np.uint16])))
    if change == "2d":
        return a.reshape(1, -1)
    if change == "list":
        return a.tolist()
    return a


@given(numpy_arrays(np.uint8))
def test_compat_pack_bitstream_numpy_matches_engine(bits):
    assert_same("pack_bitstream_numpy", bits)
    if isinstance(bits, np.ndarray) and bits.ndim == 1 and bits.dtype == np.uint8:
        assert_same("pack_bitstream", bits)


@given(numpy_arrays(np.uint64), st.integers(-2, 600))
def test_compat_numpy_words_match_engine(packed, length):
    assert_same("popcount_numpy", packed)
    assert_same("unpack_bitstream_numpy", packed, length)
    if isinstance(packed, np.ndarray) and packed.ndim == 1:
        assert_same("unpack_bitstream_numpy", packed, 64 * packed.shape[0])
