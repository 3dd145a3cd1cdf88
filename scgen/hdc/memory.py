"""Associative (item) memory: stored hypervectors, queried for the nearest by Hamming distance."""

from __future__ import annotations

import numpy as np
from numba import prange

from ..sw._intrinsics import popcount64
from ..sw._jit import inline, kernel, parallel_kernel
from ..sw.bernoulli import words_for
from .ops import _dimension, _packed

__all__ = ["ItemMemory"]


@inline
def _distance(x, y):
    """Hamming distance of two packed vectors."""
    d = np.uint64(0)
    for w in range(x.shape[0]):
        d += popcount64(x[w] ^ y[w])
    return d


@inline
def _nearest(items, count, q):
    """(index, distance) of the stored item nearest ``q``; the lowest index wins a tie."""
    best = np.int64(-1)
    best_d = np.uint64(0xFFFFFFFFFFFFFFFF)
    for i in range(count):
        d = _distance(items[i], q)
        if d < best_d:  # strict: the lowest index wins a tie
            best_d = d
            best = i
    return best, np.int64(best_d)


@kernel
def _nearest_one(items, count, q, out):  # serial: one query does not wake the thread pool
    out[0], out[1] = _nearest(items, count, q)


@parallel_kernel
def _nearest_many(items, count, qs, index, dist):
    for k in prange(qs.shape[0]):
        index[k], dist[k] = _nearest(items, count, qs[k])


@parallel_kernel
def _all_distances(items, count, qs, out):
    for k in prange(qs.shape[0]):
        for i in range(count):
            out[k, i] = np.int64(_distance(items[i], qs[k]))


class ItemMemory:
    """Hypervectors stored by index (and optionally by label), queried by Hamming distance.

    Parameters
    ----------
    dimension : int
        Bits per hypervector.
    capacity : int
        Initial room; the memory grows as needed.

    The nearest item is the one with the fewest differing bits; ties go to the lowest index
    (the rule the hardware query, :class:`scgen.hw.AssocQuery`, also follows).
    """

    def __init__(self, dimension: int = 10_000, *, capacity: int = 16):
        self._dimension = _dimension(dimension)
        self._words = np.zeros((max(1, int(capacity)), words_for(self._dimension)), np.uint64)
        self._count = 0
        self._labels: list[object] = []

    @property
    def dimension(self) -> int:
        return self._dimension

    def __len__(self) -> int:
        return self._count

    @property
    def items(self) -> np.ndarray:
        """The stored hypervectors, ``(len(self), words)`` (a read-only view)."""
        v = self._words[: self._count]
        v.flags.writeable = False
        return v

    @property
    def labels(self) -> list[object]:
        return list(self._labels)

    def store(self, vectors: np.ndarray, labels: list[object] | None = None) -> np.ndarray:
        """Append one ``(words,)`` or many ``(n, words)`` hypervectors; return their indices."""
        vs = _packed("vectors", vectors, self._dimension)
        vs = vs.reshape(-1, vs.shape[-1])
        n = vs.shape[0]
        if labels is None:
            labels = list(range(self._count, self._count + n))
        elif len(labels) != n:
            raise ValueError(
                f"Item memory labels must give one label per vector ({n}), not {len(labels)}"
            )
        if self._count + n > self._words.shape[0]:
            grown = np.zeros(
                (max(2 * self._words.shape[0], self._count + n), self._words.shape[1]), np.uint64
            )
            grown[: self._count] = self._words[: self._count]
            self._words = grown
        tail = self._dimension % 64
        self._words[self._count : self._count + n] = vs
        if tail:  # bits past the dimension must not count in distances
            self._words[self._count : self._count + n, -1] &= np.uint64((1 << tail) - 1)
        self._labels.extend(labels)
        self._count += n
        return np.arange(self._count - n, self._count)

    def _queries(self, queries: object) -> np.ndarray:
        if self._count == 0:
            raise ValueError("Item memory is empty; store hypervectors before querying")
        q = _packed("queries", queries, self._dimension)
        tail = self._dimension % 64
        if tail and (q[..., -1] >> np.uint64(tail)).any():
            q = q.copy()
            q[..., -1] &= np.uint64((1 << tail) - 1)
        return q

    def query(self, query: np.ndarray) -> tuple[int, int]:
        """Return ``(index, distance)`` of the stored item nearest to one ``(words,)`` query."""
        q = self._queries(query)
        if q.ndim != 1:
            raise ValueError(
                f"Item memory query must be one vector (words,), not shape "
                f"{q.shape}; use query_batch"
            )
        out = np.empty(2, dtype=np.int64)
        _nearest_one(self._words, self._count, q, out)
        return int(out[0]), int(out[1])

    def query_batch(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest item of every query ``(n, words)``: ``(indices, distances)``, int64 each."""
        q = self._queries(queries)
        flat = q.reshape(-1, q.shape[-1])
        index = np.empty(flat.shape[0], dtype=np.int64)
        dist = np.empty(flat.shape[0], dtype=np.int64)
        _nearest_many(self._words, self._count, flat, index, dist)
        return index.reshape(q.shape[:-1]), dist.reshape(q.shape[:-1])

    def distances(self, queries: np.ndarray) -> np.ndarray:
        """Hamming distance of every query to every item: ``(..., len(self))`` int64."""
        q = self._queries(queries)
        flat = q.reshape(-1, q.shape[-1])
        out = np.empty((flat.shape[0], self._count), dtype=np.int64)
        _all_distances(self._words, self._count, flat, out)
        return out.reshape(*q.shape[:-1], self._count)

    def lookup(self, query: np.ndarray) -> object:
        """Return the label of the nearest stored item."""
        return self._labels[self.query(query)[0]]
