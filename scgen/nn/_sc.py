"""Kernels shared by the SC modes of attention and the graph layer (SEED_BEHAVIOUR §7, §8).

Both layers encode matrices element by element, row-major, from one ChaCha8 generator with the
byte-threshold encoder (engine 3.15.7): ``p <= 0`` and ``p >= 1`` give constant streams without
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
from ..sw.bernoulli import chacha_encode_row, words_for
from ..sw.rng import chacha_state

__all__ = ["encode_matrix", "new_rng", "words_for"]

_NAN_DRAWS = 5e-324  # a positive value whose byte threshold is 0: draws, encodes all zeros


@kernel
def _encode_rows(st, probs, length, out):
    for i in range(probs.shape[0]):
        p = probs[i]
        chacha_encode_row(st, _NAN_DRAWS if p != p else p, length, out[i])


def new_rng(seed: int) -> np.ndarray:
    """Return a fresh ChaCha8 state for ``seed`` (taken mod 2**64)."""
    return chacha_state(seed)


def encode_matrix(st: np.ndarray, values: np.ndarray, length: int) -> np.ndarray:
    """Encode ``values`` row-major from ChaCha8 state ``st`` (advanced in place).

    Returns uint64 ``values.shape + (words,)``.
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    out = np.empty((flat.shape[0], words_for(length)), dtype=np.uint64)
    _encode_rows(st, flat, length, out)
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


def weighted_counts(rows: np.ndarray, cols: np.ndarray, a: np.ndarray,
                    v: np.ndarray) -> np.ndarray:
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
def _row_times(a, i, b, out_row):
    # out_row[c] = sum_j a[i, j] * b[j, c], accumulated in j order
    for c in range(out_row.shape[0]):
        out_row[c] = 0.0
    for j in range(a.shape[1]):
        x = a[i, j]
        for c in range(out_row.shape[0]):
            out_row[c] += x * b[j, c]


@parallel_kernel
def matmul(a, b):
    """Return ``a @ b`` with every sum in index order (no BLAS)."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.float64)
    for i in prange(a.shape[0]):
        _row_times(a, i, b, out[i])
    return out


@parallel_kernel
def attention_rate(q, kt, v):
    """Rate-mode attention: ``S = q kt``, rows divided by their sum (0 taken as 1), times v."""
    n, m = q.shape[0], kt.shape[1]
    out = np.empty((n, v.shape[1]), dtype=np.float64)
    for i in prange(n):
        s = np.empty(m, dtype=np.float64)
        for j in range(m):
            s[j] = 0.0
        for t in range(q.shape[1]):
            x = q[i, t]
            for j in range(m):
                s[j] += x * kt[t, j]
        total = 0.0
        for j in range(m):
            total += s[j]
        if total == 0.0:
            total = 1.0
        for c in range(v.shape[1]):
            out[i, c] = 0.0
        for j in range(m):
            a = s[j] / total
            for c in range(v.shape[1]):
                out[i, c] += a * v[j, c]
    return out


@parallel_kernel
def attention_softmax(q, kt, v, temperature):
    """Softmax attention: ``softmax(q kt / temperature) v`` row by row."""
    n, m = q.shape[0], kt.shape[1]
    out = np.empty((n, v.shape[1]), dtype=np.float64)
    for i in prange(n):
        s = np.empty(m, dtype=np.float64)
        for j in range(m):
            s[j] = 0.0
        for t in range(q.shape[1]):
            x = q[i, t]
            for j in range(m):
                s[j] += x * kt[t, j]
        top = -np.inf
        for j in range(m):
            s[j] = s[j] / temperature
            if s[j] > top:
                top = s[j]
        total = 0.0
        for j in range(m):
            s[j] = math.exp(s[j] - top)
            total += s[j]
        for c in range(v.shape[1]):
            out[i, c] = 0.0
        for j in range(m):
            a = s[j] / total
            for c in range(v.shape[1]):
                out[i, c] += a * v[j, c]
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
