"""The engine's ``BitStreamTensor``: a packed bitstream with the HDC operations of §10.

The bits are held as one Python integer (see :mod:`scgen.hdc._bigint`): XOR, shifts and
popcount then run in C over the whole vector, with less overhead per call than any array
library. ``from_packed`` keeps the words exactly as given (no validation, as in the engine),
including their number and any bits past ``length``; every operation treats them as the engine
does (XOR and Hamming distance over the common words, bundle over the first vector's words
without masking, popcount over all words).

Not reproduced: ``rotate_right`` of a tensor made by ``from_packed`` with more words than
``ceil(length / 64)``; the engine's result there depends on how it unpacks the extra words
(scgen rotates the ``length`` bits and clears everything above them).

Divergence: the engine panics (``PanicException``) on a zero dimension, on XOR or Hamming
distance of different lengths, on bundling nothing and on reading past a vector's words; this
raises ``ValueError`` with the same text.
"""

from __future__ import annotations

import numpy as np

from ..hdc._bigint import from_words, majority, mask, ratio_f32, rotate, to_words
from ..sw.bernoulli import bernoulli_f64
from ._args import int_arg

__all__ = ["BitStreamTensor"]


def _index_panic(words: int) -> ValueError:
    return ValueError(f"index out of bounds: the len is {words} but the index is {words}")


def _not_tensor(name: str, value: object) -> TypeError:
    return TypeError(
        f"argument '{name}': '{type(value).__name__}' object is not an instance of "
        f"'BitStreamTensor'"
    )


class BitStreamTensor:
    """Packed bitstream of ``dimension`` bits, each 1 with probability 1/2.

    Bit ``i`` is ``draw_f64() < 0.5`` from Xoshiro256++(``seed``), i.e. the f64 encoder.
    """

    __slots__ = ("_length", "_nw", "_x")

    def __init__(self, dimension=10000, seed=0xACE1):
        n = int_arg("dimension", dimension, "u64")
        s = int_arg("seed", seed, "u64")
        if n == 0:
            raise ValueError("bitstream length must be > 0")
        words = bernoulli_f64([0.5], n, seed=s, rng="xoshiro")[0]
        self._x, self._nw, self._length = from_words(words), words.shape[0], n

    @classmethod
    def _of(cls, x: int, nw: int, length: int) -> BitStreamTensor:
        t = object.__new__(cls)
        t._x, t._nw, t._length = x, nw, length
        return t

    @staticmethod
    def from_packed(data, length):
        """Wrap packed words as they are (no validation, as in the engine)."""
        words = np.array([int_arg("data", w, "u64") for w in data], dtype=np.uint64)
        n = int_arg("length", length, "u64")
        return BitStreamTensor._of(from_words(words), words.shape[0], n)

    @property
    def data(self):
        return to_words(self._x, self._nw).tolist()

    @property
    def length(self):
        return self._length

    def __len__(self):
        return self._length

    def __repr__(self):
        return f"BitStreamTensor(length={self._length}, popcount={self._x.bit_count()})"

    def popcount(self):
        """Number of set bits."""
        return self._x.bit_count()

    def _check(self, other: BitStreamTensor, what: str) -> None:
        if not isinstance(other, BitStreamTensor):
            raise _not_tensor("other", other)
        if self._length != other._length:
            raise ValueError(
                f"assertion `left == right` failed: Bitstream lengths must match "
                f"for {what}.\n  left: {self._length}\n right: {other._length}"
            )

    def _xor(self, other: BitStreamTensor) -> tuple[int, int]:
        if self._nw == other._nw:
            return self._x ^ other._x, self._nw
        nw = min(self._nw, other._nw)  # the engine zips the two word lists
        return (self._x ^ other._x) & mask(64 * nw), nw

    def xor(self, other):
        """Bind: a new tensor ``self XOR other``."""
        self._check(other, "XOR")
        x, nw = self._xor(other)
        return BitStreamTensor._of(x, nw, self._length)

    def xor_inplace(self, other):
        """Bind in place."""
        if other is self:  # the engine cannot borrow one tensor mutably and immutably at once
            raise RuntimeError("Already mutably borrowed")
        self._check(other, "XOR")
        self._x, self._nw = self._xor(other)

    def rotate_right(self, shift):
        """Permute in place: bit ``i`` moves to ``(i + shift) % length``; tail bits cleared."""
        k = int_arg("shift", shift, "u64")
        n = self._length
        if n == 0 or k % n == 0:
            return
        if 64 * self._nw < n:
            raise _index_panic(self._nw)
        self._x = rotate(self._x, n, k % n)

    def hamming_distance(self, other):
        """Fraction of differing bits, computed in float32 as the engine does."""
        self._check(other, "Hamming distance")
        if self._length == 0:
            raise ValueError("bitstream length must be > 0")
        return ratio_f32(self._xor(other)[0].bit_count(), self._length)

    @staticmethod
    def bundle(vectors):
        """Strict-majority bundle: bit 1 where more than half of the vectors have it."""
        vs = list(vectors)
        if not vs:
            raise ValueError("Cannot bundle zero vectors.")
        for v in vs:
            if not isinstance(v, BitStreamTensor):
                raise _not_tensor("vectors", v)
        first = vs[0]
        nw = first._nw
        for v in vs:
            if v._nw < nw:
                raise _index_panic(v._nw)
        return BitStreamTensor._of(majority([v._x for v in vs], mask(64 * nw)), nw, first._length)
