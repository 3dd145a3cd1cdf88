"""Packed streams: 64 stream cycles per uint64 word, and the kernels the compiled graph engine
runs on them.

A packed stream over windows is a ``(rows, ceil(L / 64))`` uint64 array: bit ``t % 64`` of word
``t // 64`` is cycle ``t`` of the window, bits past ``L`` are 0. Products are word-wise logic,
window counts hardware popcounts. A dense layer's per-cycle synapse counts come from bit-sliced
adders: carry-save adders turn the ``n_inputs`` product words of a neuron into the bit planes of
64 counts at once, so its LIF neuron steps on each count without unpacking a synapse.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._intrinsics import popcount64
from ._jit import inline, kernel, parallel_kernel, sequential_and_parallel
from .bernoulli import words_for
from .lif import lif_step

__all__ = [
    "count_planes",
    "dense_packed",
    "pack_streams",
    "popcount_streams",
    "stream_mask",
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


def stream_mask(length: int) -> np.ndarray:
    """The ``(ceil(length / 64),)`` uint64 words whose bits are 1 on the stream's cycles and 0
    past ``length`` (what a packed stream's padding must stay)."""
    mask = np.full(words_for(length), np.uint64(0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
    if length % 64:
        mask[-1] = np.uint64((1 << (length % 64)) - 1)
    return mask


def unpack_streams(words: np.ndarray, length: int) -> np.ndarray:
    """The per-cycle bits ``(rows, length)`` (int64) of packed streams."""
    w = np.ascontiguousarray(words, dtype="<u8")
    bits = np.unpackbits(w.view(np.uint8).reshape(w.shape[0], -1), axis=1, bitorder="little")
    return bits[:, :length].astype(np.int64)


def _popcount_rows(words, out):
    for r in prange(words.shape[0]):
        c = np.uint64(0)
        for k in range(words.shape[1]):
            c += popcount64(words[r, k])
        out[r] = c


_popcount_rows_1, _popcount_rows_parallel = sequential_and_parallel(_popcount_rows)


def popcount_streams(words: np.ndarray, *, parallel: bool = False) -> np.ndarray:
    """The ones of every packed stream, ``(rows,)`` int64; ``parallel`` splits the rows over
    threads."""
    w = np.ascontiguousarray(words, dtype=np.uint64)
    out = np.empty(w.shape[0], dtype=np.int64)
    (_popcount_rows_parallel if parallel else _popcount_rows_1)(w, out)
    return out


@inline
def _csa(a, b, c):
    """A carry-save adder over 64 bit positions: ``(carry, sum)`` of three words."""
    t = a ^ b
    return (a & b) | (t & c), t ^ c


@inline
def _ripple(planes, word, start):
    """Add ``word`` (weight ``2**start``) into the bit planes ``planes``."""
    c = word
    for p in range(start, planes.shape[0]):
        t = planes[p] & c
        planes[p] ^= c
        c = t


@inline
def _csa8(ones, twos, fours, words, i):
    """Add ``words[i : i + 8]`` into the partial sums; return the eights' carry and the new
    ones, twos and fours."""
    twos_a, ones = _csa(ones, words[i], words[i + 1])
    twos_b, ones = _csa(ones, words[i + 2], words[i + 3])
    fours_a, twos = _csa(twos, twos_a, twos_b)
    twos_a, ones = _csa(ones, words[i + 4], words[i + 5])
    twos_b, ones = _csa(ones, words[i + 6], words[i + 7])
    fours_b, twos = _csa(twos, twos_a, twos_b)
    eights, fours = _csa(fours, fours_a, fours_b)
    return eights, ones, twos, fours


@inline
def _count_planes(words, n, planes):
    """Set ``planes`` to the bit planes of the per-position counts of ``words[:n]``: bit ``t`` of
    ``planes[j]`` is bit ``j`` of the number of words whose bit ``t`` is 1.

    Sixteen words at a time go through a Harley-Seal tree of carry-save adders (15 adders,
    the ones, twos, fours and eights held as partial sums); its sixteens ripple into the planes
    above, and the last ``n % 16`` words ripple in one by one.
    """
    for p in range(planes.shape[0]):
        planes[p] = 0
    ones = np.uint64(0)
    twos = np.uint64(0)
    fours = np.uint64(0)
    eights = np.uint64(0)
    full = n - n % 16
    for i in range(0, full, 16):
        eights_a, ones, twos, fours = _csa8(ones, twos, fours, words, i)
        eights_b, ones, twos, fours = _csa8(ones, twos, fours, words, i + 8)
        sixteens, eights = _csa(eights, eights_a, eights_b)
        _ripple(planes, sixteens, 4)
    if full:  # n >= 16: the planes hold at least five bits
        planes[0] = ones
        planes[1] = twos
        planes[2] = fours
        planes[3] = eights
    for i in range(full, n):
        _ripple(planes, words[i], 0)


@kernel
def _count_planes_rows(words, planes):
    for r in range(words.shape[0]):
        _count_planes(words[r], words.shape[1], planes[r])


def count_planes(words: np.ndarray) -> np.ndarray:
    """The bit planes ``(rows, n.bit_length())`` of the per-position counts of each row's
    ``n`` words (``(rows, n)`` uint64): bit ``t`` of plane ``j`` is bit ``j`` of the number of
    the row's words whose bit ``t`` is 1."""
    w = np.ascontiguousarray(words, dtype=np.uint64)
    if w.ndim != 2 or w.shape[1] < 1:
        raise ValueError(f"Words to count must be (rows, n) with n >= 1, not shape {w.shape}")
    planes = np.empty((w.shape[0], w.shape[1].bit_length()), dtype=np.uint64)
    _count_planes_rows(w, planes)
    return planes


def _spread_table() -> np.ndarray:
    """``table[b]``: byte ``i`` of the word is bit ``i`` of ``b`` (eight 8-bit lanes)."""
    b = np.arange(256, dtype=np.uint64)
    out = np.zeros(256, dtype=np.uint64)
    for i in range(8):
        out |= ((b >> np.uint64(i)) & np.uint64(1)) << np.uint64(8 * i)
    return out


_SPREAD = _spread_table()


@inline
def _bit_length(n):
    b = 0
    while n:
        n >>= 1
        b += 1
    return b


@parallel_kernel
def _dense_packed_kernel(
    lif_config,
    x,
    w,
    table,
    current,
    leak,
    gain,
    length,
    block,
    fresh,
    spread,
    partial,
):
    """Neuron blocks in parallel; in a block, windows and words in order (the neurons' state
    carries from window to window), or with ``fresh`` every (block, window) pair in parallel,
    each from reset. ``x`` is ``(windows, words, n_inputs)``, ``w`` ``(1 or windows, words,
    n_weights)``. ``partial[b, win, t]`` gets the spikes of block ``b``'s neurons on cycle
    ``t``, neuron ``n`` at bit ``n % 64``.

    Counts below 256 (``n_inputs < 256``) are read off the planes eight cycles at a time: a
    look-up spreads a plane's byte into eight 8-bit lanes, one per cycle, and lanes add without
    carries between them.
    """
    windows, n_words, ni = x.shape
    nn = table.shape[0]
    n_blocks = partial.shape[0]
    n_planes = _bit_length(ni)
    lanes_ok = n_planes <= 8
    items = n_blocks * windows if fresh else n_blocks
    for item in prange(items):
        b, first, stop = np.int64(item), np.int64(0), np.int64(windows)
        if fresh:
            b, first = divmod(np.int64(item), np.int64(windows))
            stop = first + 1
        lo = b * block
        hi = min(nn, lo + block)
        m = hi - lo
        v = np.full(m, np.int64(lif_config[3]), dtype=np.int64)
        rc = np.zeros(m, dtype=np.int64)
        slot = np.zeros(ni, dtype=np.uint64)
        planes = np.zeros(n_planes, dtype=np.uint64)
        lanes = np.zeros((m, 8), dtype=np.uint64)
        counts = np.zeros((m, 64), dtype=np.int64)
        for win in range(first, stop):
            ws = 0 if w.shape[0] == 1 else win
            lk = np.int64(leak[win])
            gk = np.int64(gain[win])
            for k in range(n_words):
                cycles = min(64, length - 64 * k)
                for q in range(m):
                    n = lo + q
                    for i in range(ni):
                        slot[i] = x[win, k, i] & w[ws, k, table[n, i]]
                    _count_planes(slot, ni, planes)
                    if lanes_ok:
                        for c in range(8):
                            acc = np.uint64(0)
                            for p in range(n_planes):
                                byte = (planes[p] >> np.uint64(8 * c)) & np.uint64(255)
                                acc |= spread[byte] << np.uint64(p)
                            lanes[q, c] = acc
                    else:
                        for j in range(64):
                            counts[q, j] = 0
                        for p in range(n_planes):
                            for j in range(64):
                                bit = (planes[p] >> np.uint64(j)) & np.uint64(1)
                                counts[q, j] |= np.int64(bit) << p
                for j in range(cycles):
                    spikes = np.uint64(0)
                    for q in range(m):
                        if lanes_ok:
                            c = (lanes[q, j >> 3] >> np.uint64(8 * (j & 7))) & np.uint64(255)
                            cur = np.int64(current[c])
                        else:
                            cur = np.int64(current[counts[q, j]])
                        sp, v[q], rc[q] = lif_step(lif_config, v[q], rc[q], lk, gk, cur, 0)
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
    fresh: bool = False,
) -> np.ndarray:
    """Run a dense layer's neurons over windows of packed synapse streams.

    ``x`` is ``(windows, n_inputs, words)`` packed input streams, ``w`` ``(windows or 1,
    n_weights, words)`` weight streams, ``table[n, i]`` the weight of synapse ``(n, i)``,
    ``current[c]`` a neuron's input for a count of ``c`` synapses, ``leak``/``gain`` one value per
    window. Neuron ``n`` steps ``length`` times per window on its per-cycle counts; the state
    carries over windows, or with ``fresh`` every window starts from reset (and windows run in
    parallel). Returns ``(groups, windows, length)`` uint64: bit ``n % 64`` of group ``n // 64``
    is neuron ``n``'s spike. ``threads`` only splits the work into blocks; the result is the
    same for any value.
    """
    windows = x.shape[0]
    nn = table.shape[0]
    block = 64
    parallel = -(-nn // block) * (windows if fresh else 1)
    while block > 8 and parallel < threads:
        block //= 2
        parallel = -(-nn // block) * (windows if fresh else 1)
    n_blocks = -(-nn // block)
    partial = np.empty((n_blocks, windows, length), dtype=np.uint64)
    # words outermost: a neuron's synapse words of one 64-cycle slice lie side by side
    xt, wt = (np.ascontiguousarray(a.transpose(0, 2, 1), dtype=np.uint64) for a in (x, w))
    table, current, leak, gain = (
        np.ascontiguousarray(a, dtype=np.int64) for a in (table, current, leak, gain)
    )
    _dense_packed_kernel(
        lif_config,
        xt,
        wt,
        table,
        current,
        leak,
        gain,
        length,
        block,
        fresh,
        _SPREAD,
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
