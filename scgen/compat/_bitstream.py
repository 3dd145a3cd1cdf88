"""Seed-compatible bitstream functions: the names, signatures and behaviour of the reference
engine ``sc_neurocore_engine`` 3.15.7 (SEED_BEHAVIOUR §1.2), on top of :mod:`scgen.sw.bitstream`.

Everything here reproduces what the engine does when run, found by experiment, including
its quirks:

* Sequence arguments are read the way the engine's bindings read them: an object is a sequence
  when CPython's ``PySequence_Check`` says so (``str`` is refused; ``dict``, ``set`` and
  generators are not sequences, ``bytes`` and NumPy arrays are), items are iterated, and each
  bit must convert through ``__index__`` to 0..255 (a word to 0..2**64-1). A 2-D reading is
  tried first, then a 1-D reading; when neither fits, a ``ValueError`` with the engine's fixed
  text is raised.
* ``pack_bitstream`` returns a list of Python ints (a list of such lists for 2-D input),
  ``unpack_bitstream`` returns ``bytes`` (a list of ``bytes`` for 2-D input).
* Divergence: where the engine panics (``pyo3_runtime.PanicException``, a ``BaseException``) on
  a stream length of 0 or on more bits than the words hold, this raises ``ValueError`` with the
  panic's text, as everywhere in :mod:`scgen.compat`.
* Integer arguments follow the engine's conversion rules and messages: ``TypeError`` prefixed
  with ``argument '<name>': `` for non-integers, ``OverflowError`` for negative or too-large
  values.
"""

from __future__ import annotations

import array
import ctypes
import functools
import operator
import platform

import numpy as np

from ..sw.bernoulli import words_for as _words_for
from ..sw.bitstream import _pack_checked, _popcount_all, _total_count, _unpack_checked
from ._args import ndarray_arg, type_label

__all__ = [
    "pack_bitstream",
    "unpack_bitstream",
    "popcount",
    "pack_bitstream_numpy",
    "unpack_bitstream_numpy",
    "popcount_numpy",
    "simd_tier",
]

_BITS_ERROR = "Expected a 1-D or 2-D array of uint8 bits."
_WORDS_ERROR = "Expected packed uint64 words as 1-D or 2-D sequence."
_CONTIGUOUS_ERROR = "Cannot read numpy array: The given array is not contiguous or is misaligned."
_LENGTH_PANIC = "bitstream length must be > 0"
_U64_MAX = (1 << 64) - 1
_U8, _U64 = np.dtype(np.uint8), np.dtype(np.uint64)

_py_sequence_check = ctypes.pythonapi.PySequence_Check
_py_sequence_check.argtypes = [ctypes.py_object]
_py_sequence_check.restype = ctypes.c_int


class _NotThisShape(Exception):
    """An argument does not read as the 1-D or 2-D sequence being tried."""


# --- argument reading ---------------------------------------------------------------------------


def _is_sequence(obj: object) -> bool:
    return not isinstance(obj, str) and _py_sequence_check(obj) == 1


def _u8_items(obj: object) -> bytes:
    """Return the items of sequence ``obj`` as bytes (each through ``__index__``, 0..255)."""
    if not _is_sequence(obj):
        raise _NotThisShape
    try:
        return bytes(iter(obj))  # an iterator, so buffers are read item by item, not raw
    except Exception:
        raise _NotThisShape from None


def _u64_items(obj: object) -> np.ndarray:
    """Return the items of sequence ``obj`` as uint64 (each through ``__index__``)."""
    if not _is_sequence(obj):
        raise _NotThisShape
    try:
        words = array.array("Q", iter(obj))
    except Exception:
        raise _NotThisShape from None
    return np.frombuffer(words, dtype=np.uint64) if words else np.zeros(0, dtype=np.uint64)


def _rows_of(obj: object, items) -> list | None:
    """Read ``obj`` as a sequence of rows, each read by ``items``; None if it does not fit."""
    if not _is_sequence(obj):
        return None
    try:
        return [items(row) for row in obj]
    except Exception:  # a row does not fit, or iterating failed
        return None


def _flat_of(obj: object, items):
    """Read ``obj`` as one sequence of items; None if it does not fit."""
    try:
        return items(obj)
    except _NotThisShape:
        return None


def _integer_ndarray(obj: object) -> bool:
    # The fast path: a plain ndarray whose items are NumPy integer scalars (not sequences).
    return type(obj) is np.ndarray and obj.dtype.kind in "iu" and obj.ndim in (1, 2)


def _in_range(a: np.ndarray, hi: int) -> bool:
    if a.size == 0 or (a.dtype.kind == "u" and np.iinfo(a.dtype).max <= hi):
        return True
    return int(a.min()) >= 0 and int(a.max()) <= hi


def _bits_array(obj: object) -> list[np.ndarray] | np.ndarray:
    """Return a 2-D uint8 array or list of 1-D rows (2-D input), or a 1-D uint8 array."""
    if _integer_ndarray(obj):
        if obj.ndim == 1 and obj.size == 0:
            return np.zeros((0, 0), dtype=np.uint8)  # empty: read as zero rows, like the engine
        if not _in_range(obj, 255):
            raise ValueError(_BITS_ERROR)
        return np.ascontiguousarray(obj, dtype=np.uint8)
    rows = _rows_of(obj, _u8_items)
    if rows is not None:
        if len({len(r) for r in rows}) <= 1:
            n = len(rows[0]) if rows else 0
            return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), n)
        return [np.frombuffer(r, dtype=np.uint8) for r in rows]
    flat = _flat_of(obj, _u8_items)
    if flat is None:
        raise ValueError(_BITS_ERROR)
    return np.frombuffer(flat, dtype=np.uint8)


def _words_arrays(obj: object) -> list[np.ndarray] | np.ndarray:
    """Return a 2-D uint64 array or list of 1-D rows (2-D input), or a 1-D uint64 array."""
    if _integer_ndarray(obj):
        if obj.ndim == 1 and obj.size == 0:
            return np.zeros((0, 0), dtype=np.uint64)
        if not _in_range(obj, _U64_MAX):
            raise ValueError(_WORDS_ERROR)
        return np.ascontiguousarray(obj.astype(np.uint64, copy=False))
    rows = _rows_of(obj, _u64_items)
    if rows is not None:
        if len({len(r) for r in rows}) <= 1:
            n = len(rows[0]) if rows else 0
            return (
                np.concatenate(rows).reshape(len(rows), n) if rows else np.zeros((0, 0), np.uint64)
            )
        return rows
    flat = _flat_of(obj, _u64_items)
    if flat is None:
        raise ValueError(_WORDS_ERROR)
    return flat


def _usize(name: str, value: object) -> int:
    try:
        n = operator.index(value)
    except TypeError as e:
        raise TypeError(f"argument '{name}': {e}") from None
    if n < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if n > _U64_MAX:
        raise OverflowError("int too big to convert")
    return n


def _shape_pair(value: object) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, tuple):
        raise TypeError(
            f"argument 'original_shape': {type_label(value, downcast=True)} is not an instance "
            f"of 'tuple'"
        )
    size = tuple.__len__(value)
    if size != 2:
        raise ValueError(f"expected tuple of length 2, but got tuple of length {size}")
    return (
        _usize("original_shape", tuple.__getitem__(value, 0)),
        _usize("original_shape", tuple.__getitem__(value, 1)),
    )


def _readable(a: np.ndarray) -> np.ndarray:
    flags = a.flags
    if not ((flags.c_contiguous or flags.f_contiguous) and flags.aligned):
        raise ValueError(_CONTIGUOUS_ERROR)
    return a if type(a) is np.ndarray else np.asarray(a)  # a subclass reads as its data


def _check_unpack(words: int, length: int) -> None:
    """Raise the engine's panic text for a length of 0 or more bits than ``words`` hold."""
    if length == 0:
        raise ValueError(_LENGTH_PANIC)
    if length > 64 * words:
        # the engine reads bit after bit: the first word it lacks is index ``words``
        raise ValueError(f"index out of bounds: the len is {words} but the index is {words}")


# --- helpers on checked arrays ------------------------------------------------------------------


def _pack_rows(rows: np.ndarray) -> np.ndarray:
    out = np.empty((*rows.shape[:-1], _words_for(rows.shape[-1])), dtype=np.uint64)
    return _pack_checked(rows, out)


def _unpack_rows(words: np.ndarray, length: int) -> np.ndarray:
    return _unpack_checked(words, length, np.empty((*words.shape[:-1], length), dtype=np.uint8))


# --- the engine's functions ---------------------------------------------------------------------


def pack_bitstream(bits):
    """Pack bits (any non-zero value counts as 1) into 64-bit words, LSB first.

    Parameters
    ----------
    bits : sequence of int, or sequence of such sequences
        A 1-D or 2-D sequence (lists, tuples, bytes, NumPy integer arrays ...) of values in
        0..255.

    Returns
    -------
    list of int, or list of list of int
        ``ceil(n / 64)`` words per stream; one list per row for 2-D input.

    Raises
    ------
    ValueError
        "Expected a 1-D or 2-D array of uint8 bits." for anything else.
    """
    a = _bits_array(bits)
    if isinstance(a, list):
        return [_pack_rows(r).tolist() for r in a]
    return _pack_rows(a).tolist()


def unpack_bitstream(packed, original_length, original_shape=None):
    """Unpack 64-bit words into one byte (0 or 1) per bit.

    Parameters
    ----------
    packed : sequence of int, or sequence of such sequences
        Words in 0..2**64-1; 1-D for one stream, 2-D for one stream per row.
    original_length : int
        Bits to unpack (1-D), or the total over all rows (2-D, split evenly).
    original_shape : tuple (rows, length), optional
        For 2-D input: the row count (which must match) and the bits per row.

    Returns
    -------
    bytes, or list of bytes
        One byte per bit; one ``bytes`` per row for 2-D input.

    Raises
    ------
    ValueError
        "Expected packed uint64 words as 1-D or 2-D sequence." for unreadable ``packed``;
        "original_shape batch B does not match packed batch R." for a row-count mismatch;
        the engine's panic text for a stream length of 0 or more bits than a stream's words
        hold (the engine raises ``PanicException`` there).
    """
    length = _usize("original_length", original_length)
    shape = _shape_pair(original_shape)
    words = _words_arrays(packed)
    if isinstance(words, np.ndarray) and words.ndim == 1:
        _check_unpack(words.shape[0], length)
        return _unpack_rows(words, length).tobytes()
    rows = len(words)
    if shape is not None:
        if shape[0] != rows:
            raise ValueError(f"original_shape batch {shape[0]} does not match packed batch {rows}.")
        row_length = shape[1]
    else:
        row_length = length // rows if rows else 0
    if isinstance(words, np.ndarray):
        if rows:
            _check_unpack(words.shape[1], row_length)
        return [r.tobytes() for r in _unpack_rows(words, row_length)]
    for w in words:  # the engine unpacks row by row: the first bad row panics
        _check_unpack(len(w), row_length)
    return [_unpack_rows(w, row_length).tobytes() for w in words]


def popcount(packed):
    """Return the number of set bits over all words (and all rows).

    Parameters
    ----------
    packed : sequence of int, or sequence of such sequences
        Words in 0..2**64-1.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        "Expected packed uint64 words as 1-D or 2-D sequence." for unreadable ``packed``.
    """
    words = _words_arrays(packed)
    if isinstance(words, list):
        return sum(int(_popcount_all(w)) for w in words)
    return _total_count(words)


def pack_bitstream_numpy(bits):
    """Pack a 1-D uint8 array into a uint64 array; the same words as :func:`pack_bitstream`.

    Raises
    ------
    TypeError
        Unless ``bits`` is a 1-D ndarray of dtype uint8.
    ValueError
        For a non-contiguous array.
    """
    a = _readable(ndarray_arg("bits", bits, _U8, 1))
    return _pack_rows(a)


def unpack_bitstream_numpy(packed, original_length):
    """Unpack a 1-D uint64 array into a uint8 array of ``original_length`` bits.

    Raises
    ------
    TypeError
        Unless ``packed`` is a 1-D ndarray of dtype uint64.
    ValueError
        For a non-contiguous array; with the engine's panic text (the engine raises
        ``PanicException``) for a length of 0 or more bits than the words hold.
    """
    ndarray_arg("packed", packed, _U64, 1)
    length = _usize("original_length", original_length)
    a = _readable(packed)
    _check_unpack(a.shape[0], length)
    return _unpack_rows(a, length)


def popcount_numpy(packed):
    """Return the number of set bits of a 1-D uint64 array (0 when empty).

    Raises
    ------
    TypeError
        Unless ``packed`` is a 1-D ndarray of dtype uint64.
    ValueError
        For a non-contiguous array.
    """
    a = _readable(ndarray_arg("packed", packed, _U64, 1))
    return int(_popcount_all(a))


@functools.cache
def simd_tier():
    """Return the engine's name for the widest popcount-capable SIMD tier of this CPU.

    The first of "avx512-vpopcntdq", "avx512bw", "avx512f", "avx2", "popcnt" whose flag
    ``/proc/cpuinfo`` lists (x86-64), "neon" on AArch64, else "portable".
    """
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return "neon"
    if machine not in ("x86_64", "amd64"):
        return "portable"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            flags = next(
                (line.split(":", 1)[1].split() for line in f if line.startswith("flags")), []
            )
    except OSError:
        return "portable"
    tiers = [
        ("avx512_vpopcntdq", "avx512-vpopcntdq"),
        ("avx512bw", "avx512bw"),
        ("avx512f", "avx512f"),
        ("avx2", "avx2"),
        ("popcnt", "popcnt"),
    ]
    return next((tier for flag, tier in tiers if flag in flags), "portable")
