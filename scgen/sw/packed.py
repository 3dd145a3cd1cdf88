"""Packed streams: 64 stream cycles per uint64 word, and the kernels the compiled graph engine
runs on them.

A packed stream over windows is a ``(rows, ceil(L / 64))`` uint64 array: bit ``t % 64`` of word
``t // 64`` is cycle ``t`` of the window, bits past ``L`` are 0. Products are word-wise logic,
window counts hardware popcounts. A dense layer's per-cycle synapse counts come from bit-sliced
adders: a carry-save tree turns the ``n_inputs`` product words of a neuron into the bit planes
of 64 counts at once, so its LIF neuron steps on each count without unpacking a synapse.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import prange

from ._intrinsics import popcount64
from ._jit import kernel, parallel_kernel
from .bernoulli import words_for
from .lif import lif_step

__all__ = [
    "adder_schedule",
    "dense_packed",
    "pack_streams",
    "popcount_streams",
    "unpack_streams",
]


def pack_streams(bits: object) -> np.ndarray:
    """Pack per-cycle 0/1 values ``(rows, L)`` into ``(rows, ceil(L / 64))`` uint64 words."""
    a = np.asarray(bits)
    if a.ndim != 2:
        raise ValueError(f"Streams to pack must be (rows, L), not shape {a.shape}")
    rows, length = a.shape
    n = words_for(length)
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(f"Streams to pack must hold bits 0 and 1, not {int(a.max())}")
    padded = np.zeros((rows, 64 * n), dtype=np.uint8)
    padded[:, :length] = a
    packed = np.packbits(padded, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64).reshape(rows, n)


def unpack_streams(words: np.ndarray, length: int) -> np.ndarray:
    """The per-cycle bits ``(rows, length)`` (int64) of packed streams."""
    w = np.ascontiguousarray(words, dtype="<u8")
    bits = np.unpackbits(w.view(np.uint8).reshape(w.shape[0], -1), axis=1, bitorder="little")
    return bits[:, :length].astype(np.int64)


@kernel
def _popcount_rows(words, out):
    for r in range(words.shape[0]):
        c = np.uint64(0)
        for k in range(words.shape[1]):
            c += popcount64(words[r, k])
        out[r] = c


def popcount_streams(words: np.ndarray) -> np.ndarray:
    """The ones of every packed stream, ``(rows,)`` int64."""
    w = np.ascontiguousarray(words, dtype=np.uint64)
    out = np.empty(w.shape[0], dtype=np.int64)
    _popcount_rows(w, out)
    return out


@functools.lru_cache(maxsize=64)
def adder_schedule(n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A carry-save adder tree over ``n`` words of bits: ``(steps, planes, slots)``.

    Slots ``0 .. n - 1`` hold the input words. Each step ``(a, b, c, s, carry)`` is a full adder
    (``c = -1``: a half adder) of slots ``a, b, c`` of one weight into the sum slot ``s`` (same
    weight) and ``carry`` (next weight). ``planes[j]`` is the slot of count bit ``j`` (-1 when it
    is always 0); bit ``t`` of the planes is the number of inputs whose bit ``t`` is 1.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"An adder tree needs a positive number of inputs, not {n!r}")
    steps: list[tuple[int, int, int, int, int]] = []
    levels: dict[int, list[int]] = {0: list(range(n))}
    planes: list[int] = []
    slot = n
    j = 0
    while j in levels:
        words = levels[j]
        nxt = levels.setdefault(j + 1, [])
        while len(words) >= 2:
            a, b = words.pop(0), words.pop(0)
            c = words.pop(0) if words else -1
            steps.append((a, b, c, slot, slot + 1))
            words.append(slot)
            nxt.append(slot + 1)
            slot += 2
        planes.append(words[0] if words else -1)
        if not nxt:
            del levels[j + 1]
        j += 1
    return np.array(steps, dtype=np.int64).reshape(-1, 5), np.array(planes, np.int64), slot


@parallel_kernel
def _dense_packed_kernel(
    lif_config, x, w, table, steps, planes, slots, current, leak, gain, length, block, partial
):
    """Neuron blocks in parallel; in a block, windows and words in order (the neurons' state
    carries from window to window). ``partial[b, win, t]`` gets the spikes of block ``b``'s
    neurons on cycle ``t``, neuron ``n`` at bit ``n % 64``."""
    windows, ni, n_words = x.shape
    nn = table.shape[0]
    n_blocks = partial.shape[0]
    n_planes = planes.shape[0]
    for b in prange(n_blocks):
        lo = b * block
        hi = min(nn, lo + block)
        m = hi - lo
        v = np.full(m, np.int64(lif_config[3]), dtype=np.int64)
        rc = np.zeros(m, dtype=np.int64)
        slot = np.zeros(slots, dtype=np.uint64)
        counts = np.zeros((64, m), dtype=np.int64)
        for win in range(windows):
            ws = 0 if w.shape[0] == 1 else win
            lk = np.int64(leak[win])
            gk = np.int64(gain[win])
            for k in range(n_words):
                cycles = min(64, length - 64 * k)
                for q in range(m):
                    n = lo + q
                    for i in range(ni):
                        slot[i] = x[win, i, k] & w[ws, table[n, i], k]
                    for s in range(steps.shape[0]):
                        a0 = slot[steps[s, 0]]
                        b0 = slot[steps[s, 1]]
                        t = a0 ^ b0
                        if steps[s, 2] < 0:
                            slot[steps[s, 3]] = t
                            slot[steps[s, 4]] = a0 & b0
                        else:
                            c0 = slot[steps[s, 2]]
                            slot[steps[s, 3]] = t ^ c0
                            slot[steps[s, 4]] = (a0 & b0) | (t & c0)
                    for j in range(64):
                        counts[j, q] = 0
                    for p in range(n_planes):
                        if planes[p] >= 0:
                            word = slot[planes[p]]
                            for j in range(64):
                                counts[j, q] |= np.int64((word >> np.uint64(j)) & np.uint64(1)) << p
                for j in range(cycles):
                    spikes = np.uint64(0)
                    for q in range(m):
                        sp, v[q], rc[q] = lif_step(
                            lif_config, v[q], rc[q], lk, gk, np.int64(current[counts[j, q]]), 0
                        )
                        spikes |= np.uint64(sp) << np.uint64((lo + q) % 64)
                    partial[b, win, 64 * k + j] = spikes


@parallel_kernel
def _or_blocks(partial, first, last, out):
    """``out[g, win, t]``: the OR of blocks ``first[g] .. last[g] - 1``."""
    for win in prange(partial.shape[1]):
        for g in range(out.shape[0]):
            for t in range(partial.shape[2]):
                acc = np.uint64(0)
                for b in range(first[g], last[g]):
                    acc |= partial[b, win, t]
                out[g, win, t] = acc


def dense_packed(
    lif_config: tuple,
    x: np.ndarray,
    w: np.ndarray,
    table: np.ndarray,
    current: np.ndarray,
    leak: np.ndarray,
    gain: np.ndarray,
    length: int,
    threads: int = 1,
) -> np.ndarray:
    """Run a dense layer's neurons over windows of packed synapse streams.

    ``x`` is ``(windows, n_inputs, words)`` packed input streams, ``w`` ``(windows or 1,
    n_weights, words)`` weight streams, ``table[n, i]`` the weight of synapse ``(n, i)``,
    ``current[c]`` a neuron's input for a count of ``c`` synapses, ``leak``/``gain`` one value per
    window. Neuron ``n`` steps ``length`` times per window on its per-cycle counts; the state
    carries over windows. Returns ``(groups, windows, length)`` uint64: bit ``n % 64`` of group
    ``n // 64`` is neuron ``n``'s spike. ``threads`` only splits the neurons into blocks; the
    result is the same for any value.
    """
    windows, ni, _ = x.shape
    nn = table.shape[0]
    steps, planes, slots = adder_schedule(ni)
    block = 64
    while block > 8 and -(-nn // block) < threads:
        block //= 2
    n_blocks = -(-nn // block)
    partial = np.empty((n_blocks, windows, length), dtype=np.uint64)
    _dense_packed_kernel(
        lif_config,
        np.ascontiguousarray(x, dtype=np.uint64),
        np.ascontiguousarray(w, dtype=np.uint64),
        np.ascontiguousarray(table, dtype=np.int64),
        steps,
        planes,
        slots,
        np.ascontiguousarray(current, dtype=np.int64),
        np.ascontiguousarray(leak, dtype=np.int64),
        np.ascontiguousarray(gain, dtype=np.int64),
        length,
        block,
        partial,
    )
    if n_blocks == 1:
        return partial
    per_group = 64 // block
    first = np.arange(0, n_blocks, per_group, dtype=np.int64)
    last = np.minimum(first + per_group, n_blocks)
    out = np.empty((len(first), windows, length), dtype=np.uint64)
    _or_blocks(partial, first, last, out)
    return out
