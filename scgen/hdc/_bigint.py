"""Hypervectors as Python integers: the fastest representation for one vector at a time.

A packed bitstream of ``nw`` uint64 words is the integer ``sum(word[k] << 64 k)``. CPython's
integer XOR, AND, OR and shifts run over 30-bit limbs in C, so one operation on a 10 000-bit
vector costs about 0.1 us, less than a NumPy or Numba call on the same words costs just to be
dispatched. The engine-compatible :class:`scgen.compat.BitStreamTensor` and
:class:`scgen.compat.HDCVector` hold their bits this way; batches use :mod:`scgen.hdc.ops`.
"""

from __future__ import annotations

import struct

import numpy as np

__all__ = ["from_words", "majority", "mask", "ratio_f32", "ratio_table", "rotate", "to_words"]

_F32 = struct.Struct("<f")


_MASKS: dict[int, int] = {}
_RATIOS: dict[int, list[float]] = {}


def mask(bits: int) -> int:
    """Return the integer with the low ``bits`` bits set (cached: vectors share a few sizes)."""
    m = _MASKS.get(bits)
    if m is None:
        m = (1 << bits) - 1
        if len(_MASKS) < 256:
            _MASKS[bits] = m
    return m


def from_words(words: np.ndarray) -> int:
    """Return the integer of packed uint64 ``words`` (word 0 lowest)."""
    return int.from_bytes(np.ascontiguousarray(words, dtype="<u8").tobytes(), "little")


def to_words(x: int, nw: int) -> np.ndarray:
    """Return the low ``nw`` uint64 words of ``x``."""
    return np.frombuffer((x & mask(64 * nw)).to_bytes(8 * nw, "little"), dtype="<u8").astype(
        np.uint64
    )


def rotate(x: int, n: int, shift: int) -> int:
    """Rotate the low ``n`` bits of ``x``: bit ``i`` moves to ``(i + shift) % n``; higher bits
    are dropped. ``0 < shift < n``."""
    m = mask(n)
    if x.bit_length() > n:  # O(1) check: only from_packed words carry bits past the length
        x &= m
    return ((x << shift) & m) | (x >> (n - shift))


def majority(xs: list[int], full: int) -> int:
    """Strict majority of the bits of ``xs``: bit 1 where more than ``len(xs) // 2`` are 1.

    ``full`` has every bit of interest set. The count of every bit position is kept bit-sliced
    (plane ``p`` holds bit ``p`` of all counts), so the cost is a few integer operations per
    vector, independent of the vector length.
    """
    n = len(xs)
    if n == 1:
        return xs[0] & full
    if n == 2:
        return xs[0] & xs[1] & full
    if n == 3:
        a, b, c = xs
        return ((a & b) | (c & (a | b))) & full
    planes: list[int] = []
    for x in xs:
        carry = x & full
        for p in range(len(planes)):
            if not carry:
                break
            plane = planes[p]
            planes[p] = plane ^ carry
            carry &= plane
        if carry:
            planes.append(carry)
    threshold = n // 2
    greater, equal = 0, full  # count > threshold, count == threshold on the planes seen so far
    for p in range(max(len(planes), threshold.bit_length()) - 1, -1, -1):
        plane = planes[p] if p < len(planes) else 0
        if (threshold >> p) & 1:
            equal &= plane
        else:
            greater |= equal & plane
            equal &= ~plane
    return greater & full


def ratio_f32(count: int, length: int) -> float:
    """Return ``float32(count) / float32(length)`` as a Python float.

    Below 2**24 both operands are exact in float32 and rounding the double quotient to float32
    is the correctly rounded float32 quotient (53 >= 2 * 24 + 2 bits, so double rounding is
    harmless); larger operands go through NumPy's float32 division.
    """
    table = _RATIOS.get(length)
    if table is not None and count <= length:  # more only with junk bits past the length
        return table[count]
    if count < (1 << 24) and length < (1 << 24):
        return _F32.unpack(_F32.pack(count / length))[0]
    return float(np.float32(count) / np.float32(length))


def ratio_table(length: int) -> list[float]:
    """Return ``[ratio_f32(c, length) for c in 0..length]``, cached for lengths up to 2**20
    (similarity then costs one list look-up instead of two float32 conversions)."""
    table = _RATIOS.get(length)
    if table is None:
        c = np.arange(length + 1, dtype=np.float32)
        table = (c / np.float32(length)).astype(np.float64).tolist()
        if length <= (1 << 20) and len(_RATIOS) < 64:
            _RATIOS[length] = table
    return table
