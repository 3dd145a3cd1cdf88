"""The seed's ``HDCVector`` (``sc_neurocore_engine.hdc``): a hypervector with operators.

``a * b`` binds (XOR), ``a + b`` bundles two vectors (strict majority of two is AND),
``permute`` rotates, ``similarity`` is ``1 - hamming_distance``. Without a seed, a vector takes
the next value of a process-wide, thread-safe counter (1, 2, 3, ...), as the seed does; the
counter is scgen's own, so a program that mixes the engine's vectors with these counts twice.
"""

from __future__ import annotations

import itertools
import threading

from ..hdc._bigint import _RATIOS, majority, mask, ratio_f32, ratio_table, rotate
from ._args import int_arg
from ._tensor import BitStreamTensor, _index_panic

__all__ = ["HDCVector"]

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next_seed() -> int:
    with _counter_lock:
        return next(_counter)


class HDCVector:
    """Hyper-Dimensional Computing vector (default 10 000 bits)."""

    __slots__ = ("_length", "_nw", "_x")

    def __init__(self, dimension=10_000, *, seed=None):
        t = BitStreamTensor(dimension, seed if seed is not None else _next_seed())
        self._x, self._nw, self._length = t._x, t._nw, t._length
        if t._length not in _RATIOS and t._length <= (1 << 20) and len(_RATIOS) < 64:
            ratio_table(t._length)  # similarity then looks its float32 ratio up

    @classmethod
    def _of(cls, x: int, nw: int, length: int) -> HDCVector:
        v = object.__new__(cls)
        v._x, v._nw, v._length = x, nw, length
        return v

    @classmethod
    def from_packed(cls, data, length):
        """Create from pre-packed u64 words."""
        t = BitStreamTensor.from_packed(data, length)
        return cls._of(t._x, t._nw, t._length)

    def _check(self, other: HDCVector, what: str) -> None:
        if self._length != other._length:
            raise ValueError(
                f"assertion `left == right` failed: Bitstream lengths must match "
                f"for {what}.\n  left: {self._length}\n right: {other._length}"
            )

    def __mul__(self, other):
        """Bind (XOR)."""
        if self._length != other._length:
            self._check(other, "XOR")
        if self._nw == other._nw:
            v = object.__new__(HDCVector)
            v._x, v._nw, v._length = self._x ^ other._x, self._nw, self._length
            return v
        nw = min(self._nw, other._nw)
        return HDCVector._of((self._x ^ other._x) & mask(64 * nw), nw, self._length)

    xor = __mul__

    def __add__(self, other):
        """Bundle (majority vote of two vectors, i.e. AND)."""
        return HDCVector.bundle([self, other])

    def permute(self, shift=1):
        """Return a new permuted (cyclic right rotated) vector."""
        k = (
            shift
            if type(shift) is int and 0 <= shift < (1 << 64)
            else int_arg("shift", shift, "u64")
        )
        n = self._length
        if n == 0 or k % n == 0:
            return HDCVector._of(self._x, self._nw, n)
        if 64 * self._nw < n:
            raise _index_panic(self._nw)
        v = object.__new__(HDCVector)
        v._x, v._nw, v._length = rotate(self._x, n, k % n), self._nw, n
        return v

    def similarity(self, other):
        """Cosine-like similarity (1.0 - hamming_distance)."""
        n = self._length
        if n != other._length:
            self._check(other, "Hamming distance")
        if n == 0:
            raise ValueError("bitstream length must be > 0")
        x = self._x ^ other._x
        if self._nw != other._nw:
            x &= mask(64 * min(self._nw, other._nw))
        c = x.bit_count()
        table = _RATIOS.get(n)
        return 1.0 - (table[c] if table is not None and c <= n else ratio_f32(c, n))

    @staticmethod
    def bundle(vectors):
        """Majority-vote bundle across N vectors."""
        if len(vectors) == 0:
            raise ValueError("Cannot bundle zero vectors.")
        first = vectors[0]
        nw = first._nw
        if len(vectors) == 3:  # the common case, without the general loop
            a, b, c = vectors
            if b._nw == nw == c._nw:
                ax, bx = a._x, b._x
                v = object.__new__(HDCVector)
                v._x, v._nw, v._length = (ax & bx) | (c._x & (ax | bx)), nw, a._length
                return v
        for v in vectors:
            if v._nw < nw:
                raise _index_panic(v._nw)
        return HDCVector._of(majority([v._x for v in vectors], mask(64 * nw)), nw, first._length)

    @property
    def dimension(self):
        return self._length

    def popcount(self):
        return self._x.bit_count()

    def __len__(self):
        return self._length

    def __repr__(self):
        return f"HDCVector(dim={self._length}, popcount={self._x.bit_count()})"
