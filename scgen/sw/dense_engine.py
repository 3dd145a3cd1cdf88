"""Kernels of the stochastic dense layer (SEED_BEHAVIOUR §5.1, engine 3.15.7 behaviour).

``y[n] = popcount(sum over inputs i of W[n, i] AND X[i]) / length``: the unipolar SC dot product
without normalisation by the number of inputs. Weights are kept packed in an input-major layout
``(n_inputs, words, n_neurons)`` so that the inner loop runs over neurons on contiguous words and
vectorises (AND + hardware popcount); counts are integers, so sums are exact and results do not
depend on the thread count.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ._intrinsics import (
    and_popcount_tile8,
    and_popcount_tile32,
    and_popcount_tile128,
    popcount64,
)
from ._jit import inline, parallel_kernel, sequential_and_parallel
from .bernoulli import (
    TAIL_BLOCK,
    XOSHIRO_LANES,
    _xoshiro_f64_rows,
    chacha_pack_rows,
    words_for,
    xoshiro_encode_rows,
)
from .rng import ChaCha8, xoshiro_state

__all__ = [
    "SAMPLE_SEED_STRIDE",
    "add_counts",
    "dense_counts_bytes",
    "dense_counts_bytes_batch",
    "dense_counts_f64",
    "dense_counts_packed",
    "init_weights",
    "pack_weights",
]

# forward_batch: sample s encodes its inputs from seed + s * SAMPLE_SEED_STRIDE (mod 2**64)
SAMPLE_SEED_STRIDE = 1_000_000
_CHUNKS = 8  # input chunks of a single forward (any number gives the same sums)


def init_weights(n_inputs: int, n_neurons: int, seed: int) -> np.ndarray:
    """Return the initial weights: ChaCha8(seed) f64 draws, neuron-major (n_neurons, n_inputs)."""
    return ChaCha8(seed).next_f64(n_inputs * n_neurons).reshape(n_neurons, n_inputs)


def pack_weights(weights: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Pack weights as the engine does: neuron ``n`` encodes its row from ChaCha8(seed + 1 + n).

    Returns the input-major layout ``(n_inputs, words, n_neurons)`` used by the forward kernels.
    """
    n_neurons, n_inputs = weights.shape
    out_t = np.zeros((n_inputs, words_for(length), n_neurons), dtype=np.uint64)
    # one vectorised keystream per neuron; the same bits as drawing weight after weight
    chacha_pack_rows(
        np.ascontiguousarray(weights, dtype=np.float64),
        length,
        np.uint64((seed + 1) % (1 << 64)),
        out_t,
    )
    return out_t


@inline
def add_counts(wt, x, lo, hi, acc):
    """acc[n] += popcount(W[n, i] & x[i]) over inputs lo..hi-1.

    The neurons go in tiles of 128, 32 and 8 whose counts stay in vector registers while the
    rows of the inputs stream past (:mod:`._intrinsics`); the last few neurons one by one.
    """
    ni, words, nn = wt.shape
    table = wt.reshape((ni * words, nn))
    xs = x.reshape(x.shape[0] * words)
    r0, r1 = lo * words, hi * words
    n0 = 0
    while n0 + 128 <= nn:
        and_popcount_tile128(table, xs, r0, r1, n0, acc)
        n0 += 128
    while n0 + 32 <= nn:
        and_popcount_tile32(table, xs, r0, r1, n0, acc)
        n0 += 32
    while n0 + 8 <= nn:
        and_popcount_tile8(table, xs, r0, r1, n0, acc)
        n0 += 8
    for r in range(r0, r1):
        xw = xs[r]
        for n in range(n0, nn):
            acc[n] += popcount64(table[r, n] & xw)


@inline
def _sum_parts(part, counts):
    """counts[n] = the chunks' partial counts of neuron n, added in chunk order."""
    for n in range(part.shape[1]):
        total = np.uint64(0)
        for c in range(part.shape[0]):
            total += part[c, n]
        counts[n] = total


@parallel_kernel
def _counts_packed(wt, x, counts):
    # split the inputs into a fixed number of chunks (not the thread count): integer partial
    # sums are exact, so the result is the same whatever runs them
    ni, nn = wt.shape[0], wt.shape[2]
    chunks = min(ni, _CHUNKS)
    part = np.zeros((chunks, nn), dtype=np.uint64)
    for c in prange(chunks):
        acc = np.zeros(nn, dtype=np.uint64)
        add_counts(wt, x, c * ni // chunks, (c + 1) * ni // chunks, acc)
        part[c] = acc
    _sum_parts(part, counts)


def dense_counts_packed(wt: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return ``counts[n] = sum_i popcount(W[n, i] & x[i])`` (int64) for packed inputs ``x``."""
    counts = np.empty(wt.shape[2], dtype=np.int64)
    _counts_packed(wt, x, counts)
    return counts


def dense_counts_f64(wt: np.ndarray, x: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Counts with the inputs f64-encoded in index order from one Xoshiro256++(seed)."""
    packed = np.empty((x.shape[0], wt.shape[1]), dtype=np.uint64)
    _xoshiro_f64_rows(xoshiro_state(seed), x, length, packed)
    return dense_counts_packed(wt, packed)


def _counts_bytes_chunks(wt, x, length, seed, max_chunks, counts):
    # each chunk encodes its inputs (into L2: 128 bytes each at L = 1024), then streams their
    # weights once; chunks of whole groups of XOSHIRO_LANES inputs, a fixed number of them
    # (integer sums are exact: the same result however many chunks run, on however many
    # threads). Encoding group by group between the weight reads measured 10 % slower: the
    # reads then stop while the generators run.
    ni, nn = wt.shape[0], wt.shape[2]
    groups = -(-ni // XOSHIRO_LANES)
    chunks = min(groups, max_chunks)
    packed = np.empty((ni, wt.shape[1]), dtype=np.uint64)
    part = np.zeros((chunks, nn), dtype=np.uint64)
    for c in prange(chunks):
        lo = c * groups // chunks * XOSHIRO_LANES
        hi = min(ni, (c + 1) * groups // chunks * XOSHIRO_LANES)
        xoshiro_encode_rows(x, lo, hi, length, seed, TAIL_BLOCK, packed)
        acc = np.zeros(nn, dtype=np.uint64)
        add_counts(wt, packed, lo, hi, acc)
        part[c] = acc
    _sum_parts(part, counts)


# compiled twice: on one thread one chunk in a plain loop (waking the thread pool and
# merging chunks cost about 20 us of a 0.2 ms call)
_counts_bytes_1, _counts_bytes = sequential_and_parallel(_counts_bytes_chunks)


def dense_counts_bytes(wt: np.ndarray, x: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Counts with input ``i`` byte-threshold encoded from its own Xoshiro256++(seed + i)."""
    counts = np.empty(wt.shape[2], dtype=np.int64)
    s = np.uint64(seed % (1 << 64))
    if numba.get_num_threads() == 1:
        _counts_bytes_1(wt, x, length, s, 1, counts)
    else:
        _counts_bytes(wt, x, length, s, _CHUNKS, counts)
    return counts


@parallel_kernel
def _counts_bytes_batch(wt, xs, length, seed, stride, counts):
    nn = wt.shape[2]
    for s in prange(xs.shape[0]):
        packed = np.empty((xs.shape[1], wt.shape[1]), dtype=np.uint64)
        xoshiro_encode_rows(
            xs[s], 0, xs.shape[1], length, seed + np.uint64(s) * stride, TAIL_BLOCK, packed
        )
        acc = np.zeros(nn, dtype=np.uint64)
        add_counts(wt, packed, 0, xs.shape[1], acc)
        for n in range(nn):
            counts[s, n] = acc[n]


def dense_counts_bytes_batch(wt: np.ndarray, xs: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Counts per sample (rows of ``xs``); sample ``s`` seeds from ``seed + s * 1_000_000``."""
    counts = np.empty((xs.shape[0], wt.shape[2]), dtype=np.int64)
    _counts_bytes_batch(
        wt, xs, length, np.uint64(seed % (1 << 64)), np.uint64(SAMPLE_SEED_STRIDE), counts
    )
    return counts
