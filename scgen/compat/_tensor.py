"""The engine's ``BitStreamTensor``: a packed bitstream with the HDC operations of §10.

Divergence: the engine panics (``PanicException``) on a zero dimension, on XOR or Hamming
distance of different lengths and on bundling nothing; this raises ``ValueError`` with the same
text.
"""

from __future__ import annotations

import numpy as np

from ..sw.bernoulli import bernoulli_f64
from ._args import int_arg

__all__ = ["BitStreamTensor"]


def _tail_mask(length: int, words: int) -> np.ndarray:
    mask = np.full(words, np.uint64(0xFFFFFFFFFFFFFFFF))
    if length % 64:
        mask[-1] = np.uint64((1 << (length % 64)) - 1)
    return mask


def _popcount(words: np.ndarray) -> int:
    return int(np.bitwise_count(words).sum())


class BitStreamTensor:
    """Packed bitstream of ``dimension`` bits, each 1 with probability 1/2.

    Bit ``i`` is ``draw_f64() < 0.5`` from Xoshiro256++(``seed``), i.e. the f64 encoder.
    """

    def __init__(self, dimension=10000, seed=0xACE1):
        n = int_arg("dimension", dimension, "u64")
        s = int_arg("seed", seed, "u64")
        if n == 0:
            raise ValueError("bitstream length must be > 0")
        self._words = bernoulli_f64([0.5], n, seed=s, rng="xoshiro")[0]
        self._length = n

    @staticmethod
    def from_packed(data, length):
        """Wrap packed words as they are (no validation, as in the engine)."""
        t = BitStreamTensor.__new__(BitStreamTensor)
        t._words = np.array([int_arg("data", w, "u64") for w in data], dtype=np.uint64)
        t._length = int_arg("length", length, "u64")
        return t

    @property
    def data(self):
        return [int(w) for w in self._words]

    @property
    def length(self):
        return self._length

    def __len__(self):
        return self._length

    def __repr__(self):
        return f"BitStreamTensor(length={self._length}, popcount={self.popcount()})"

    def popcount(self):
        """Number of set bits."""
        return _popcount(self._words)

    def _same_length(self, other: BitStreamTensor, what: str) -> None:
        if self._length != other._length:
            raise ValueError(f"assertion `left == right` failed: Bitstream lengths must match "
                             f"for {what}.\n  left: {self._length}\n right: {other._length}")

    def xor(self, other):
        """Bind: a new tensor ``self XOR other``."""
        self._same_length(other, "XOR")
        t = BitStreamTensor.from_packed([], self._length)
        t._words = self._words ^ other._words
        return t

    def xor_inplace(self, other):
        """Bind in place."""
        if other is self:  # the engine cannot borrow one tensor mutably and immutably at once
            raise RuntimeError("Already mutably borrowed")
        self._same_length(other, "XOR")
        self._words = self._words ^ other._words

    def rotate_right(self, shift):
        """Permute in place: bit ``i`` moves to ``(i + shift) % length``; tail bits cleared."""
        k = int_arg("shift", shift, "u64")
        n = self._length
        if n == 0 or k % n == 0:
            return
        bits = np.unpackbits(self._words.view(np.uint8), bitorder="little")[:n]
        rolled = np.roll(bits, k % n)
        out = np.zeros(self._words.shape[0] * 64, dtype=np.uint8)
        out[:n] = rolled
        self._words = np.packbits(out, bitorder="little").view(np.uint64).copy()

    def hamming_distance(self, other):
        """Fraction of differing bits, computed in float32 as the engine does."""
        self._same_length(other, "Hamming distance")
        d = np.float32(_popcount(self._words ^ other._words)) / np.float32(self._length)
        return float(d)

    @staticmethod
    def bundle(vectors):
        """Strict-majority bundle: bit 1 where more than half of the vectors have it."""
        vs = list(vectors)
        if not vs:
            raise ValueError("Cannot bundle zero vectors.")
        first = vs[0]
        words = first._words.shape[0]
        counts = np.zeros(words * 64, dtype=np.int64)
        for v in vs:
            counts += np.unpackbits(v._words[:words].view(np.uint8), bitorder="little")
        bits = (counts > len(vs) // 2).astype(np.uint8)
        t = BitStreamTensor.from_packed([], first._length)
        t._words = np.packbits(bits, bitorder="little").view(np.uint64).copy() \
            & _tail_mask(first._length, words) if words else np.zeros(0, np.uint64)
        return t
