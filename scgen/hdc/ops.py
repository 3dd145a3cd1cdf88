"""Hyperdimensional computing on packed words: batched bind, bundle, permute and Hamming distance.

A hypervector of ``dimension`` bits is a bitstream in scgen's packed layout (bit ``i`` in word
``i // 64`` at position ``i % 64``, bits past ``dimension`` are 0), so a batch of vectors is a
uint64 array ``(..., words)``. The operations are the seed's (SEED_BEHAVIOUR §10):

* bind = XOR (self-inverse: ``bind(bind(a, b), b) == a``);
* bundle = strict majority: bit 1 where more than ``N // 2`` of the ``N`` vectors have it
  (``N = 2`` is AND, ``N = 1`` the identity);
* permute = cyclic rotation: bit ``i`` moves to ``(i + shift) % dimension``;
* distance = number of differing bits (the seed's ``hamming_distance`` divides it by the length
  in float32; :func:`similarity` returns ``1 - that``).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..nn._checks import check_int
from ..sw._intrinsics import popcount64
from ..sw._jit import inline, kernel, parallel_kernel
from ..sw.bernoulli import bernoulli_f64, words_for

__all__ = ["bind", "bundle", "distance", "permute", "random_hypervectors", "similarity"]

_U64 = np.dtype(np.uint64)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


def _dimension(dimension: object) -> int:
    return check_int("Hypervector", "dimension", dimension)


def _packed(name: str, value: object, dimension: int, *, min_ndim: int = 1) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype != _U64:
        raise TypeError(
            f"Hypervectors {name!r} must be a uint64 array of packed words, not {a.dtype}"
        )
    if a.ndim < min_ndim or a.shape[-1] != words_for(dimension):
        raise ValueError(
            f"Hypervectors {name!r} must have {words_for(dimension)} words on the "
            f"last axis for dimension {dimension}, not shape {a.shape}"
        )
    return np.ascontiguousarray(a)


def random_hypervectors(count: int, dimension: int = 10_000, *, seed: int = 1) -> np.ndarray:
    """Return ``count`` random hypervectors ``(count, words)``; vector ``k`` has the bits of the
    seed's ``BitStreamTensor(dimension, seed + k)`` (Xoshiro256++, p = 1/2)."""
    dimension = _dimension(dimension)
    if not isinstance(count, int | np.integer) or count < 0:
        raise ValueError(f"Hypervector count must be a non-negative integer, not {count!r}")
    out = np.empty((int(count), words_for(dimension)), dtype=np.uint64)
    for k in range(int(count)):
        out[k] = bernoulli_f64([0.5], dimension, seed=(seed + k) % (1 << 64), rng="xoshiro")[0]
    return out


def bind(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bind (XOR) two packed hypervectors or batches (NumPy broadcasting)."""
    return np.bitwise_xor(a, b)


@kernel
def _majority_kernel(vs, threshold, out):
    n, words = vs.shape
    planes = np.zeros(64, dtype=np.uint64)
    for w in range(words):
        used = 0
        for k in range(n):
            carry = vs[k, w]
            p = 0
            while carry != 0:
                if p == used:
                    planes[p] = 0
                    used += 1
                plane = planes[p]
                planes[p] = plane ^ carry
                carry &= plane
                p += 1
        greater = np.uint64(0)
        equal = _ALL
        top = max(used, 64 - _clz(threshold))
        for p in range(top - 1, -1, -1):
            plane = planes[p] if p < used else np.uint64(0)
            if (threshold >> p) & 1:
                equal &= plane
            else:
                greater |= equal & plane
                equal &= ~plane
        out[w] = greater


@inline
def _clz(x):
    n = 64
    while x != 0:
        x >>= 1
        n -= 1
    return n


def bundle(vectors: np.ndarray, dimension: int) -> np.ndarray:
    """Strict-majority bundle of ``vectors`` ``(N, words)``; returns ``(words,)``.

    Counts are kept bit-sliced per word (a ripple-carry add of each vector into
    ``log2(N) + 1`` bit planes), so the cost is a few word operations per vector and word.
    """
    dimension = _dimension(dimension)
    vs = _packed("vectors", vectors, dimension, min_ndim=2)
    if vs.ndim != 2:
        raise ValueError(f"Hypervectors 'vectors' must be 2-D (N, words), not {vs.ndim}-D")
    if vs.shape[0] == 0:
        raise ValueError("Bundle needs at least one hypervector, not 0")
    out = np.empty(vs.shape[1], dtype=np.uint64)
    _majority_kernel(vs, np.int64(vs.shape[0] // 2), out)
    return out


@inline
def _bits(words, start, count):
    """``count`` (1..64) bits of ``words`` from bit ``start``, LSB first."""
    w = start >> 6
    r = start & 63
    x = words[w] >> np.uint64(r)
    if r != 0 and r + count > 64:
        x |= words[w + 1] << np.uint64(64 - r)
    if count < 64:
        x &= (np.uint64(1) << np.uint64(count)) - np.uint64(1)
    return x


@parallel_kernel
def _rotate_kernel(src, n, shift, out):
    words = src.shape[1]
    for v in prange(src.shape[0]):
        for j in range(words):
            lo = j * 64
            count = min(64, n - lo)
            start = (lo - shift) % n  # output bit lo comes from input bit start
            first = min(count, n - start)
            x = _bits(src[v], start, first)
            if first < count:
                x |= _bits(src[v], 0, count - first) << np.uint64(first)
            out[v, j] = x


def permute(vectors: np.ndarray, dimension: int, shift: int = 1) -> np.ndarray:
    """Rotate every hypervector: bit ``i`` moves to ``(i + shift) % dimension``.

    ``shift`` may be any integer (negative rotates the other way). Bits past ``dimension`` in
    the input are ignored and 0 in the output.
    """
    dimension = _dimension(dimension)
    vs = _packed("vectors", vectors, dimension)
    shape = vs.shape
    flat = vs.reshape(-1, shape[-1])
    out = np.empty_like(flat)
    _rotate_kernel(flat, np.int64(dimension), np.int64(int(shift) % dimension), out)
    return out.reshape(shape)


@parallel_kernel
def _distance_kernel(a, b, out):
    for v in prange(a.shape[0]):
        s = np.uint64(0)
        for w in range(a.shape[1]):
            s += popcount64(a[v, w] ^ b[v, w])
        out[v] = s


def distance(a: np.ndarray, b: np.ndarray, dimension: int) -> np.ndarray | int:
    """Hamming distance (differing bits) of packed hypervectors, broadcast over leading axes."""
    dimension = _dimension(dimension)
    a = _packed("a", a, dimension)
    b = _packed("b", b, dimension)
    shape = np.broadcast_shapes(a.shape, b.shape)
    fa = np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1, shape[-1])
    fb = np.ascontiguousarray(np.broadcast_to(b, shape)).reshape(-1, shape[-1])
    out = np.empty(fa.shape[0], dtype=np.uint64)
    _distance_kernel(fa, fb, out)
    if len(shape) == 1:
        return int(out[0])
    return out.astype(np.int64).reshape(shape[:-1])


def similarity(a: np.ndarray, b: np.ndarray, dimension: int) -> np.ndarray | float:
    """``1 - distance / dimension`` with the distance divided in float32, as the seed does."""
    d = distance(a, b, dimension)
    ratio = (
        np.float32(d) / np.float32(dimension)
        if np.isscalar(d)
        else (np.asarray(d, dtype=np.float32) / np.float32(dimension))
    )
    return 1.0 - (float(ratio) if np.isscalar(d) else ratio.astype(np.float64))
