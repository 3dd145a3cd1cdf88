"""Whole-stream encoding with the hardware encoder: what :class:`scgen.hw.Encoder` emits, packed.

A comparator encoder's source runs the same sequence whatever value it encodes, so encoding many
values with one encoder configuration is one source run plus a vectorised compare: ``L`` source
steps, then ``n * L`` compares packed 64 to a word.
"""

from __future__ import annotations

import dataclasses
import functools

import numba
import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.extending import intrinsic

from ..params import EncoderParams, Encoding, LfsrParams, SobolParams
from ._jit import parallel_kernel, sequential_and_parallel
from ._ports import check_params
from .bernoulli import words_for
from .lfsr import lfsr
from .sobol import sobol

__all__ = ["encode_lfsr", "encode_lfsr_seeds", "quantize"]


_V64xI32 = ir.VectorType(ir.IntType(32), 64)


@intrinsic
def _less64(typingctx, values, base, t):
    """Return the word whose bit ``j`` is ``values[base + j] < t`` (uint32 values, 64 of them),
    as one vector compare and a mask move."""
    if not (
        isinstance(values, types.Array)
        and values.dtype == types.uint32
        and values.layout == "C"
        and isinstance(base, types.Integer)
        and t == types.uint32
    ):
        return None

    def codegen(context, builder, sig, args):
        arr = context.make_array(sig.args[0])(context, builder, args[0])
        idx = context.cast(builder, args[1], sig.args[1], types.intp)
        ptr = builder.bitcast(builder.gep(arr.data, [idx]), _V64xI32.as_pointer())
        v = builder.load(ptr, align=4)
        i32 = ir.IntType(32)
        splat = builder.insert_element(
            ir.Constant(_V64xI32, ir.Undefined), args[2], ir.Constant(i32, 0)
        )
        splat = builder.shuffle_vector(
            splat, ir.Constant(_V64xI32, ir.Undefined), ir.Constant(ir.VectorType(i32, 64), None)
        )
        return builder.bitcast(builder.icmp_unsigned("<", v, splat), ir.IntType(64))

    return types.uint64(values, base, t), codegen


@parallel_kernel
def _compare_pack(values, thresholds, out):
    length = values.shape[0]
    full = length // 64
    for i in prange(thresholds.shape[0]):
        t = np.uint32(thresholds[i])
        for k in range(full):
            out[i, k] = _less64(values, 64 * k, t)
        if full < out.shape[1]:
            w = np.uint64(0)
            for j in range(length - 64 * full):
                w |= np.uint64(values[64 * full + j] < t) << np.uint64(j)
            out[i, full] = w


def _compare_pack_seed_rows(cycle, starts, thresholds, length, chunk, out):
    """``out[r, k]``: the packed compares of ``cycle[starts[k] + t]`` (around the cycle) with
    ``thresholds[r, k]``, 64 cycles per word; rows in chunks of ``chunk`` (in parallel in the
    parallel build)."""
    period = cycle.shape[0]
    rows = thresholds.shape[0]
    for c in prange((rows + chunk - 1) // chunk):
        r0 = c * chunk
        r1 = min(rows, r0 + chunk)
        window = np.empty(64, dtype=np.uint32)
        for k in range(starts.shape[0]):
            for j in range(out.shape[2]):
                n = min(64, length - 64 * j)
                p = (starts[k] + 64 * j) % period
                for b in range(64):
                    window[b] = cycle[p] if b < n else 0
                    p = p + 1 if p + 1 < period else 0
                keep = np.uint64(0xFFFFFFFFFFFFFFFF) >> np.uint64(64 - n)  # no bits past length
                for r in range(r0, r1):
                    out[r, k, j] = _less64(window, 0, thresholds[r, k]) & keep
    return out


_compare_pack_seeds, _compare_pack_seeds_parallel = sequential_and_parallel(_compare_pack_seed_rows)


@functools.lru_cache(maxsize=64)
def _source_values(src: LfsrParams | SobolParams, length: int) -> np.ndarray:
    """The source's first ``length`` values (``en = 1`` from reset), computed once per config."""
    ones = np.ones(length, dtype=np.uint8)
    values = lfsr(src, ones).value if isinstance(src, LfsrParams) else sobol(src, ones).value
    values.flags.writeable = False
    return values


def quantize(params: EncoderParams, p: object) -> np.ndarray:
    """Map probabilities (unipolar) or values in [-1, 1) (bipolar) to the encoder's ``x``."""
    a = np.asarray(p, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError("Encoder values must not contain NaN")
    w = params.width
    if params.encoding is Encoding.BIPOLAR:
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        return np.clip(np.floor(a * (1 << (w - 1))), lo, hi).astype(np.int64)
    return np.clip(np.floor(a * (1 << w)), 0, (1 << w) - 1).astype(np.int64)


def encode_lfsr(params: EncoderParams, x: object, length: int) -> np.ndarray:
    """Return the packed streams ``(len(x), ceil(length / 64))`` that the hardware encoder emits.

    Every value in ``x`` (the encoder's integer input, held for ``length`` cycles from reset,
    ``en = 1``) is compared with the same source sequence: bit ``t`` of a stream equals
    ``scgen.sw.encoder(params, full(length, x)).o[t]``.
    """
    check_params("Encoder", EncoderParams, params)
    if not isinstance(length, int | np.integer) or isinstance(length, bool) or length < 0:
        raise ValueError(f"Stream length must be a non-negative integer, not {length!r}")
    xs = np.atleast_1d(np.asarray(x))
    if xs.ndim != 1 or not np.issubdtype(xs.dtype, np.integer):
        raise TypeError(f"Encoder values must be a 1-D array of integers, not {x!r}")
    w = params.width
    values = _source_values(params.source_params(), int(length))
    lo, hi = (
        (-(1 << (w - 1)), (1 << (w - 1)) - 1)
        if params.encoding is Encoding.BIPOLAR
        else (0, (1 << w) - 1)
    )
    if xs.size and (int(xs.min()) < lo or int(xs.max()) > hi):
        bad = int(xs.min()) if int(xs.min()) < lo else int(xs.max())
        raise ValueError(f"Encoder values must be between {lo} and {hi}, not {bad}")
    thresholds = ((xs.astype(np.int64) & ((1 << w) - 1)) ^ params.x_offset()).astype(np.int64)
    out = np.empty((xs.shape[0], words_for(int(length))), dtype=np.uint64)
    _compare_pack(values, thresholds, out)
    return out


@functools.lru_cache(maxsize=8)
def _cycle(src: LfsrParams) -> tuple[np.ndarray, np.ndarray]:
    """A maximal LFSR's whole state cycle from state 1, and each state's position in it."""
    period = (1 << src.width) - 1
    seq = _source_values(dataclasses.replace(src, seed=1), period)
    pos = np.zeros(1 << src.width, dtype=np.int64)
    pos[seq] = np.arange(period, dtype=np.int64)
    pos.flags.writeable = False
    return seq, pos


def encode_lfsr_seeds(
    source: LfsrParams, seeds: object, x: object, length: int, *, parallel: bool = False
) -> np.ndarray:
    """Return the packed streams ``(rows, len(seeds), ceil(length / 64))`` of unipolar
    comparator encoders on ``source``'s LFSR, encoder ``k`` reseeded to ``seeds[k]``.

    ``x`` is ``(rows, len(seeds))``: row ``r``'s values, held for ``length`` cycles from reset.
    Stream ``[r, k]`` equals ``encode_lfsr(EncoderParams(source=replace(source,
    seed=seeds[k])), x[r, k], length)``; a maximal LFSR's states are read off its one cycle, so
    many seeds cost no more than one. ``parallel`` splits the rows over threads (the same bits).
    """
    if not isinstance(source, LfsrParams):
        raise TypeError(f"Seeded encoders need LfsrParams, not {source!r}")
    s = np.asarray(seeds, dtype=np.int64).reshape(-1)
    xs = np.asarray(x, dtype=np.int64)
    if xs.ndim != 2 or xs.shape[1] != s.size:
        raise ValueError(
            f"Encoder values must be (rows, {s.size}) for {s.size} seeds, not shape {xs.shape}"
        )
    n_words = words_for(int(length))
    out = np.empty((xs.shape[0], s.size, n_words), dtype=np.uint64)
    if not source.maximal:
        for k, seed in enumerate(s.tolist()):
            p = EncoderParams(source=dataclasses.replace(source, seed=seed))
            out[:, k, :] = encode_lfsr(p, xs[:, k], length)
        return out
    for seed in {int(s.min()), int(s.max())} if s.size else ():  # the params check the range
        dataclasses.replace(source, seed=seed)
    seq, pos = _cycle(dataclasses.replace(source, seed=1))
    mask = (1 << source.width) - 1
    if xs.size and (int(xs.min()) < 0 or int(xs.max()) > mask):
        bad = int(xs.min()) if int(xs.min()) < 0 else int(xs.max())
        raise ValueError(f"Encoder values must be between 0 and {mask}, not {bad}")
    rows = xs.shape[0]
    if parallel and rows > 1:
        threads = numba.get_num_threads()
        chunk = max(1, -(-rows // (4 * threads)))
        _compare_pack_seeds_parallel(seq, pos[s], xs.astype(np.uint32), int(length), chunk, out)
    else:
        _compare_pack_seeds(seq, pos[s], xs.astype(np.uint32), int(length), max(1, rows), out)
    return out
