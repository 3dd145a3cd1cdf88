"""Kernels shared by the SC modes of attention and the graph layer (SEED_BEHAVIOUR §7, §8).

Both layers encode matrices element by element, row-major, from one ChaCha8 generator with the
byte-threshold encoder (engine 3.15.7; fill rule: whole u32 words, the unused bytes of the last
one dropped): ``p <= 0`` and ``p >= 1`` give constant streams without
drawing; NaN draws like any other value but with threshold 0 (an all-zero stream). Streams are
packed 64 bits per word; counts are exact integers, so the parallel loops give the same numbers
on any thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ..sw._intrinsics import popcount64
from ..sw._jit import inline, kernel, parallel_kernel
from ..sw.bernoulli import (
    byte_threshold,
    constant_row,
    keystream_row,
    keystream_words,
    words_for,
)
from ..sw.bernoulli import (
    chacha_blocks as _chacha_blocks,
)
from ..sw.dense_engine import add_counts
from ..sw.rng import _CHACHA_BUF as _BUF
from ..sw.rng import _CHACHA_CTR as _CTR
from ..sw.rng import _CHACHA_IDX as _IDX
from ..sw.rng import chacha_state

__all__ = [
    "attention_rate",
    "attention_softmax",
    "dense_counts",
    "encode_matrix",
    "graph_rate",
    "new_rng",
    "row_normalise",
    "tanh_of",
    "weighted_counts",
]


@parallel_kernel
def _encode_from(ks, start, probs, length, out):
    # element k's bit i is: keystream byte 4 * start[k] + i < its byte threshold
    for e in prange(probs.shape[0]):
        p = probs[e]
        if p >= 1.0 or p <= 0.0:  # constant streams (NaN is neither: it draws)
            constant_row(p >= 1.0, length, out[e])
        else:
            keystream_row(ks, start[e], byte_threshold(p), length, out[e])


new_rng = chacha_state  # a fresh ChaCha8 state for a seed (taken mod 2**64)


def encode_matrix(st: np.ndarray, values: np.ndarray, length: int) -> np.ndarray:
    """Encode ``values`` row-major from ChaCha8 state ``st`` (advanced in place).

    Identical to encoding element after element from the generator (each non-constant element
    takes ``16 * (length // 64) + ceil((length % 64) / 4)`` u32 words), but the keystream of
    all elements is made in one vectorised pass and the elements are then encoded in parallel.
    Returns uint64 ``values.shape + (words,)``.
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    out = np.empty((flat.shape[0], words_for(length)), dtype=np.uint64)
    per = keystream_words(length)
    draws = np.where((flat >= 1.0) | (flat <= 0.0), 0, per)
    start = np.zeros(flat.shape[0], dtype=np.int64)
    np.cumsum(draws[:-1], out=start[1:])
    total = int(draws.sum())
    pos0 = (int(st[_CTR]) - 1) * 16 + int(st[_IDX])  # absolute index of the next u32 word
    first, last = pos0 // 16, (pos0 + total + 15) // 16  # blocks [first, last)
    ks = np.empty((last - first) * 16 + 2, dtype=np.uint32)  # +2: the tail may read a pair
    ks[-2:] = 0
    _chacha_blocks(st[:8], first, last - first, ks)
    _encode_from(ks, start + pos0 % 16, flat, length, out)
    pos1 = pos0 + total
    if pos1 % 16:
        st[_BUF : _BUF + 16] = ks[(pos1 // 16 - first) * 16 : (pos1 // 16 - first + 1) * 16]
        st[_CTR], st[_IDX] = pos1 // 16 + 1, pos1 % 16
    else:
        st[_CTR], st[_IDX] = pos1 // 16, 16
    return out.reshape((*values.shape, out.shape[1]))


@parallel_kernel
def _weighted_counts(rows, cols, a, v, out):
    # CSR of streams: row i has the streams a[rows[i]:rows[i+1]] paired with v[cols[k]];
    # v is (m, words, c) so the inner loop runs over c on contiguous words.
    words, nc = v.shape[1], v.shape[2]
    for i in prange(rows.shape[0] - 1):
        acc = np.zeros(nc, dtype=np.uint64)
        for k in range(rows[i], rows[i + 1]):
            j = cols[k]
            for w in range(words):
                x = a[k, w]
                if x:
                    for c in range(nc):
                        acc[c] += popcount64(x & v[j, w, c])
        for c in range(nc):
            out[i, c] = np.int64(acc[c])


@parallel_kernel
def _dense_counts(a, vt, out):
    # row i is a dense layer's count over inputs j: the AND+popcount tiles of the dense layer
    for i in prange(a.shape[0]):
        acc = np.zeros(vt.shape[2], dtype=np.uint64)
        add_counts(vt, a[i], 0, a.shape[1], acc)
        for c in range(vt.shape[2]):
            out[i, c] = np.int64(acc[c])


def dense_counts(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """:func:`weighted_counts` over a dense pattern: ``a`` is ``(n, m, words)``, row ``i``
    pairs ``a[i, j]`` with ``v[j]``."""
    vt = np.ascontiguousarray(v.transpose(0, 2, 1))
    out = np.empty((a.shape[0], v.shape[1]), dtype=np.int64)
    _dense_counts(np.ascontiguousarray(a), vt, out)
    return out


def weighted_counts(rows: np.ndarray, cols: np.ndarray, a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return ``out[i, c] = sum_k popcount(a[k] & v[cols[k], c])`` for ``k`` in row ``i``.

    ``rows`` are CSR offsets (int64), ``a`` is ``(nnz, words)``, ``v`` is ``(m, c, words)``.
    """
    vt = np.ascontiguousarray(v.transpose(0, 2, 1))
    out = np.empty((rows.shape[0] - 1, v.shape[1]), dtype=np.int64)
    _weighted_counts(rows, cols, np.ascontiguousarray(a), vt, out)
    return out


@kernel
def row_normalise(counts, length):
    """Return ``S / s`` per row with ``S = counts / length`` and ``s = sum_j S`` in order
    (``s = 0`` is taken as 1), the seed's normalisation of SC attention scores."""
    n, m = counts.shape
    out = np.empty((n, m), dtype=np.float64)
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += counts[i, j] / length
        if s == 0.0:
            s = 1.0
        for j in range(m):
            out[i, j] = (counts[i, j] / length) / s
    return out


@kernel
def tanh_of(counts, length):
    """Return ``tanh(counts / length)`` elementwise (libm tanh, as the engine uses)."""
    out = np.empty(counts.shape, dtype=np.float64)
    flat, src = out.reshape(-1), counts.reshape(-1)
    for k in range(src.shape[0]):
        flat[k] = math.tanh(src[k] / length)
    return out


# --------------------------------------------------------------------------------------------
# rate modes: fixed summation order (index order), vectorised across the output columns, one
# row per thread, so results are the same on any machine and thread count


@inline
def _scores(q, kt, i, s):
    """``s = q[i] kt`` in index order."""
    for j in range(s.shape[0]):
        s[j] = 0.0
    for t in range(q.shape[1]):
        x = q[i, t]
        for j in range(s.shape[0]):
            s[j] += x * kt[t, j]


@inline
def _mix(s, total, v, out, i):
    """``out[i] = (s / total) v`` in index order."""
    for c in range(v.shape[1]):
        out[i, c] = 0.0
    for j in range(s.shape[0]):
        a = s[j] / total
        for c in range(v.shape[1]):
            out[i, c] += a * v[j, c]


@parallel_kernel
def attention_rate(q, kt, v):
    """Rate-mode attention: ``S = q kt``, rows divided by their sum (0 taken as 1), times v."""
    n, m = q.shape[0], kt.shape[1]
    out = np.empty((n, v.shape[1]), dtype=np.float64)
    for i in prange(n):
        s = np.empty(m, dtype=np.float64)
        _scores(q, kt, i, s)
        total = 0.0
        for j in range(m):
            total += s[j]
        if total == 0.0:
            total = 1.0
        _mix(s, total, v, out, i)
    return out


@parallel_kernel
def attention_softmax(q, kt, v, temperature):
    """Softmax attention: ``softmax(q kt / temperature) v`` row by row."""
    n, m = q.shape[0], kt.shape[1]
    out = np.empty((n, v.shape[1]), dtype=np.float64)
    for i in prange(n):
        s = np.empty(m, dtype=np.float64)
        _scores(q, kt, i, s)
        top = -np.inf
        for j in range(m):
            s[j] = s[j] / temperature
            if s[j] > top:
                top = s[j]
        total = 0.0
        for j in range(m):
            s[j] = math.exp(s[j] - top)
            total += s[j]
        _mix(s, total, v, out, i)
    return out


@parallel_kernel
def graph_rate(rows, cols, vals, degree, x, w):
    """Rate-mode message passing over a CSR adjacency: ``tanh((A x / degree) w)``."""
    n, f = rows.shape[0] - 1, x.shape[1]
    out = np.empty((n, w.shape[1]), dtype=np.float64)
    for i in prange(n):
        agg = np.zeros(f, dtype=np.float64)
        for k in range(rows[i], rows[i + 1]):
            a = vals[k]
            j = cols[k]
            for g in range(f):
                agg[g] += a * x[j, g]
        if degree[i] != 0.0:
            for g in range(f):
                agg[g] = agg[g] / degree[i]
        for c in range(w.shape[1]):
            out[i, c] = 0.0
        for g in range(f):
            for c in range(w.shape[1]):
                out[i, c] += agg[g] * w[g, c]
        for c in range(w.shape[1]):
            out[i, c] = math.tanh(out[i, c])
    return out
