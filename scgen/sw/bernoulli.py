"""Software Bernoulli encoders: probabilities to packed bitstreams (SEED_BEHAVIOUR §3.1).

Two encoders, both clamping ``p`` into [0, 1] first:

* the **f64 encoder**: bit ``i`` is ``draw_f64() < p``, exactly one draw per bit;
* the **byte-threshold encoder**: ``t = min(p * 256, 255)`` truncated to a byte; every full 64-bit
  word draws 64 bytes and bit ``j`` is ``byte[j] < t``; a partial last word of ``r`` bits draws
  ``r`` bytes (``tail="fill"``) or a whole 64-byte block of which it uses the first ``r``
  (``tail="block"``, the engine's fused dense path). ``p >= 1`` gives all ones.

Packed layout everywhere: bit ``i`` in word ``i // 64`` at position ``i % 64``; tail bits are 0.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.extending import intrinsic

from ._jit import inline, kernel, parallel_kernel
from .rng import (
    chacha_next_u32,
    chacha_next_u64,
    chacha_seed,
    chacha_state,
    u64_to_f64,
    xoshiro_next,
    xoshiro_seed_into,
    xoshiro_state,
)

__all__ = [
    "TAIL_BLOCK",
    "TAIL_FILL",
    "bernoulli_bytes",
    "bernoulli_f64",
    "byte_threshold",
    "check_probs",
    "words_for",
]

TAIL_FILL, TAIL_BLOCK = 0, 1

_LO8 = np.uint64(0x00FF00FF00FF00FF)
_BIT8 = np.uint64(0x0100010001000100)
_LANE1 = np.uint64(0x0001000100010001)
_GATHER = np.uint64(0x0102040810204080)
_BYTES1 = np.uint64(0x0101010101010101)


def words_for(length: int) -> int:
    """Return the number of 64-bit words that hold ``length`` bits."""
    return -(-length // 64)


@inline
def byte_threshold(p):
    """Return the engine's byte threshold of probability ``p`` (after clamping into [0, 1])."""
    if p != p:  # NaN: the engine's saturating float-to-int cast gives 0
        return np.uint64(0)
    t = min(max(p, 0.0), 1.0) * 256.0
    if t >= 255.0:
        return np.uint64(255)
    return np.uint64(t)


@inline
def bytes_below(x, t):
    """Return 8 flags (bit j = byte j of ``x`` < ``t``) from two 16-bit-lane subtractions."""
    tt = t * _LANE1
    even = ((x & _LO8) | _BIT8) - tt
    odd = (((x >> np.uint64(8)) & _LO8) | _BIT8) - tt
    flags = ((~even & _BIT8) >> np.uint64(8)) | (~odd & _BIT8)
    return (flags * _GATHER) >> np.uint64(56)


_V64 = ir.VectorType(ir.IntType(8), 64)


def _bytes_below_mask(builder, v, t):
    """IR: the i64 whose bit ``j`` is ``v[j] < t`` for a <64 x i8> ``v`` and a u64 ``t``."""
    i32 = ir.IntType(32)
    splat = builder.insert_element(
        ir.Constant(_V64, ir.Undefined), builder.trunc(t, ir.IntType(8)), ir.Constant(i32, 0)
    )
    splat = builder.shuffle_vector(
        splat, ir.Constant(_V64, ir.Undefined), ir.Constant(ir.VectorType(i32, 64), None)
    )
    return builder.bitcast(builder.icmp_unsigned("<", v, splat), ir.IntType(64))


@intrinsic
def _below64(typingctx, x0, x1, x2, x3, x4, x5, x6, x7, t):
    """Return the word whose bit ``j`` is ``byte j < t`` over the 64 bytes of ``x0..x7``.

    The eight u64 draws are assembled into one 512-bit register and compared at once
    (vpcmpub + kmovq on AVX-512BW, pcmpgtb + pmovmskb on AVX2): about 12 scalar operations per
    8 bytes fewer than the SWAR form, and no round trip through memory.
    """
    if not all(a == types.uint64 for a in (x0, x1, x2, x3, x4, x5, x6, x7, t)):
        return None

    def codegen(context, builder, sig, args):
        i32 = ir.IntType(32)
        v = ir.Constant(ir.VectorType(ir.IntType(64), 8), ir.Undefined)
        for k in range(8):
            v = builder.insert_element(v, args[k], ir.Constant(i32, k))
        v = builder.bitcast(v, _V64)
        return _bytes_below_mask(builder, v, args[8])

    return types.uint64(x0, x1, x2, x3, x4, x5, x6, x7, t), codegen


@intrinsic
def _below64_at(typingctx, ks, pos, t):
    """Return the word whose bit ``j`` is ``byte j < t`` over the 64 bytes of the u32 array
    ``ks`` from word ``pos`` on (little-endian: byte ``j`` is byte ``j % 4`` of word
    ``pos + j // 4``): one unaligned 64-byte load and one compare."""
    if not (
        isinstance(ks, types.Array)
        and ks.dtype == types.uint32
        and ks.ndim == 1
        and ks.layout == "C"
        and isinstance(pos, types.Integer)
        and t == types.uint64
    ):
        return None

    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        at = builder.gep(data, [context.cast(builder, args[1], sig.args[1], types.int64)])
        v = builder.load(builder.bitcast(at, _V64.as_pointer()), align=4)
        return _bytes_below_mask(builder, v, args[2])

    return types.uint64(ks, pos, t), codegen


@inline
def xoshiro_fill_word(s, t, r, tail):
    """Bits of a partial last word of ``r`` bits (1..63) under the given tail rule."""
    if tail == TAIL_BLOCK:
        w = _below64(
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            t,
        )
        return w & ((np.uint64(1) << np.uint64(r)) - np.uint64(1))
    # fill_bytes(r): whole u64s, then a 5-7 byte tail from a u64 or a 1-4 byte tail from a u32
    w = np.uint64(0)
    full = r // 8
    for k in range(full):
        w |= bytes_below(xoshiro_next(s), t) << np.uint64(8 * k)
    rem = r - 8 * full
    if rem:
        x = xoshiro_next(s)
        if rem <= 4:
            x >>= np.uint64(32)
        w |= bytes_below(x, t) << np.uint64(8 * full)
    return w & ((np.uint64(1) << np.uint64(r)) - np.uint64(1))


@inline
def xoshiro_encode_row(s, p, length, tail, out):
    """Byte-threshold encode ``p`` into ``out`` (words) from Xoshiro state ``s``."""
    nw = out.shape[0]
    full = length // 64
    r = length - 64 * full
    if p >= 1.0:
        for k in range(full):
            out[k] = ~np.uint64(0)
        if r:
            out[full] = (np.uint64(1) << np.uint64(r)) - np.uint64(1)
        return
    t = byte_threshold(p)
    for k in range(full):
        out[k] = _below64(
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            xoshiro_next(s),
            t,
        )
    if r:
        out[full] = xoshiro_fill_word(s, t, r, tail)
    for k in range(full + (1 if r else 0), nw):
        out[k] = 0


# Byte-threshold encoding of many rows, each from its own Xoshiro256++: the generators are
# independent, so XOSHIRO_LANES of them step side by side in one vector register.

XOSHIRO_LANES = 8
_I64X8 = ir.VectorType(ir.IntType(64), XOSHIRO_LANES)
# byte 8 * lane + j of the result = byte lane of the compare mask of draw j: an 8x8 transpose
_TRANSPOSE = [8 * j + lane for lane in range(8) for j in range(8)]


@intrinsic
def _xoshiro8_word(typingctx, st, tb, dst):
    """One packed word for each of 8 generators: ``dst[l]`` bit ``8j + b`` is byte ``b`` of
    draw ``j`` of generator ``l`` below its threshold.

    ``st`` is uint64[32], the states side by side (``st[8q + l]`` = word ``q`` of generator
    ``l``), advanced by 8 draws; ``tb[l]`` is generator ``l``'s threshold in every byte. The
    8 steps run on <8 x i64> vectors, each draw's 64 bytes are compared at once, and one byte
    shuffle puts every generator's 8 compare bytes in its own word.
    """
    arr = types.Array(types.uint64, 1, "C")
    if not (st == arr and tb == arr and dst == arr):
        return None

    def codegen(context, builder, sig, args):
        i32 = ir.IntType(32)

        def vectors(k):
            data = context.make_array(sig.args[k])(context, builder, args[k]).data
            return builder.bitcast(data, _I64X8.as_pointer())

        sp, tp, dp = vectors(0), vectors(1), vectors(2)
        s0, s1, s2, s3 = (
            builder.load(builder.gep(sp, [ir.Constant(i32, q)]), align=8) for q in range(4)
        )
        thresholds = builder.bitcast(builder.load(tp, align=8), _V64)

        def splat(v):
            return ir.Constant(_I64X8, [v] * XOSHIRO_LANES)

        def rotl(x, k):
            return builder.or_(builder.shl(x, splat(k)), builder.lshr(x, splat(64 - k)))

        masks = ir.Constant(_I64X8, ir.Undefined)
        for j in range(8):
            out = builder.add(rotl(builder.add(s0, s3), 23), s0)
            t = builder.shl(s1, splat(17))
            s2 = builder.xor(s2, s0)
            s3 = builder.xor(s3, s1)
            s1 = builder.xor(s1, s2)
            s0 = builder.xor(s0, s3)
            s2 = builder.xor(s2, t)
            s3 = rotl(s3, 45)
            below = builder.icmp_unsigned("<", builder.bitcast(out, _V64), thresholds)
            masks = builder.insert_element(
                masks, builder.bitcast(below, ir.IntType(64)), ir.Constant(i32, j)
            )
        words = builder.shuffle_vector(
            builder.bitcast(masks, _V64),
            ir.Constant(_V64, ir.Undefined),
            ir.Constant(ir.VectorType(i32, 64), _TRANSPOSE),
        )
        builder.store(builder.bitcast(words, _I64X8), dp, align=8)
        for q, v in enumerate((s0, s1, s2, s3)):
            builder.store(v, builder.gep(sp, [ir.Constant(i32, q)]), align=8)
        return context.get_dummy_value()

    return types.void(st, tb, dst), codegen


@inline
def xoshiro_encode_rows(probs, lo, hi, length, seed, tail, out):
    """Byte-threshold encode ``probs[lo:hi]`` into ``out[lo:hi]``, row ``i`` from its own
    Xoshiro256++(seed + i): the same bits as :func:`xoshiro_encode_row` row by row, with the
    full words of 8 rows at a time from :func:`_xoshiro8_word`."""
    full = length // 64
    r = length - 64 * full
    st = np.empty(4 * XOSHIRO_LANES, dtype=np.uint64)
    tb = np.empty(XOSHIRO_LANES, dtype=np.uint64)
    words = np.empty(XOSHIRO_LANES, dtype=np.uint64)
    s = np.empty(4, dtype=np.uint64)
    g = lo
    while g + XOSHIRO_LANES <= hi:
        for lane in range(XOSHIRO_LANES):
            xoshiro_seed_into(seed + np.uint64(g + lane), s)
            for q in range(4):
                st[q * XOSHIRO_LANES + lane] = s[q]
            tb[lane] = byte_threshold(probs[g + lane]) * _BYTES1
        for k in range(full):
            _xoshiro8_word(st, tb, words)
            for lane in range(XOSHIRO_LANES):
                out[g + lane, k] = words[lane]
        for lane in range(XOSHIRO_LANES):
            row = out[g + lane]
            if probs[g + lane] >= 1.0:  # all ones, whatever was drawn
                xoshiro_encode_row(s, probs[g + lane], length, tail, row)
                continue
            if r:
                for q in range(4):
                    s[q] = st[q * XOSHIRO_LANES + lane]
                row[full] = xoshiro_fill_word(s, tb[lane] & np.uint64(0xFF), r, tail)
            for k in range(full + (1 if r else 0), row.shape[0]):
                row[k] = 0
        g += XOSHIRO_LANES
    for i in range(g, hi):
        xoshiro_seed_into(seed + np.uint64(i), s)
        xoshiro_encode_row(s, probs[i], length, tail, out[i])


@parallel_kernel
def _bernoulli_bytes_kernel(probs, length, seed, tail, out):
    n = probs.shape[0]
    groups = -(-n // XOSHIRO_LANES)
    for g in prange(groups):
        lo = g * XOSHIRO_LANES
        xoshiro_encode_rows(probs, lo, min(n, lo + XOSHIRO_LANES), length, seed, tail, out)


@inline
def chacha_encode_row(st, p, length, out):
    """Byte-threshold encode ``p`` from ChaCha8 state ``st`` (fill rule: whole words).

    As in the engine's weight packing, ``p <= 0`` and ``p >= 1`` give constant streams without
    drawing, so they do not shift the bits of the values encoded after them; NaN draws, with
    threshold 0 (engine 3.15.7, as :func:`chacha_pack_rows`).
    """
    full = length // 64
    r = length - 64 * full
    if p >= 1.0 or p <= 0.0:  # constant streams draw nothing from the generator (NaN does)
        constant_row(p >= 1.0, length, out)
        return
    t = byte_threshold(p)
    for k in range(full):
        w = np.uint64(0)
        for j in range(8):
            x = chacha_next_u32(st) | (chacha_next_u32(st) << np.uint64(32))
            w |= bytes_below(x, t) << np.uint64(8 * j)
        out[k] = w
    if r:
        w = np.uint64(0)
        for j in range((r + 3) // 4):  # whole words; unused bytes of the last are dropped
            w |= (bytes_below(chacha_next_u32(st), t) & np.uint64(0xF)) << np.uint64(4 * j)
        out[full] = w & ((np.uint64(1) << np.uint64(r)) - np.uint64(1))


@kernel
def _chacha_f64_rows(st, probs, length, out):
    for i in range(probs.shape[0]):
        p = probs[i]
        for k in range(out.shape[1]):
            w = np.uint64(0)
            for j in range(min(64, length - 64 * k)):
                w |= np.uint64(u64_to_f64(chacha_next_u64(st)) < p) << np.uint64(j)
            out[i, k] = w


@kernel
def _xoshiro_f64_rows(s, probs, length, out):
    for i in range(probs.shape[0]):
        p = probs[i]
        for k in range(out.shape[1]):
            w = np.uint64(0)
            for j in range(min(64, length - 64 * k)):
                w |= np.uint64(u64_to_f64(xoshiro_next(s)) < p) << np.uint64(j)
            out[i, k] = w


def check_probs(name: str, probs: object, *, allow_nan: bool = False) -> np.ndarray:
    """Return ``probs`` as a contiguous 1-D float64 array, or raise a clear error."""
    a = np.asarray(probs)
    if a.dtype == object or not (
        np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)
    ):
        raise TypeError(f"{name} must be an array of real numbers, not {a.dtype} values")
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim > 1:
        raise ValueError(f"{name} must be 1-D, not {a.ndim}-D with shape {a.shape}")
    a = a.reshape(-1)
    if not allow_nan and a.size and np.isnan(a).any():
        first = int(np.flatnonzero(np.isnan(a))[0])
        raise ValueError(f"{name} must not contain NaN, found at index {first}")
    return a


def _check_length(length: object) -> int:
    if not isinstance(length, int | np.integer) or isinstance(length, bool):
        raise TypeError(f"Stream length must be an integer, not {length!r}")
    if length < 0:
        raise ValueError(f"Stream length must be non-negative, not {length!r}")
    return int(length)


def bernoulli_bytes(
    probs: object, length: int, *, seed: int, tail: str = "block", allow_nan: bool = False
) -> np.ndarray:
    """Encode each probability with the byte-threshold encoder and its own Xoshiro256++.

    Row ``i`` uses Xoshiro256++ seeded with ``seed + i`` (mod 2**64). Returns uint64
    ``(len(probs), ceil(length / 64))``. Rows are encoded in parallel; the result does not
    depend on the thread count. NaN is an error unless ``allow_nan`` (then it encodes as 0, as
    the engine does).
    """
    p = check_probs("Probabilities", probs, allow_nan=allow_nan)
    length = _check_length(length)
    if tail not in ("fill", "block"):
        raise ValueError(f"Tail rule must be 'fill' or 'block', not {tail!r}")
    out = np.empty((p.shape[0], words_for(length)), dtype=np.uint64)
    _bernoulli_bytes_kernel(
        p, length, np.uint64(seed % (1 << 64)), TAIL_FILL if tail == "fill" else TAIL_BLOCK, out
    )
    return out


def bernoulli_f64(
    probs: object, length: int, *, seed: int, rng: str = "chacha8", allow_nan: bool = False
) -> np.ndarray:
    """Encode every probability with the f64 encoder from one shared generator, in order.

    ``rng`` is ``"chacha8"`` (the engine's ``batch_encode``) or ``"xoshiro"`` (its dense
    ``forward``). Returns uint64 ``(len(probs), ceil(length / 64))``. ``allow_nan`` as in
    :func:`bernoulli_bytes`.
    """
    p = check_probs("Probabilities", probs, allow_nan=allow_nan)
    length = _check_length(length)
    out = np.empty((p.shape[0], words_for(length)), dtype=np.uint64)
    if rng == "chacha8":
        _chacha_f64_rows(chacha_state(seed), p, length, out)
    elif rng == "xoshiro":
        _xoshiro_f64_rows(xoshiro_state(seed), p, length, out)
    else:
        raise ValueError(f"Generator must be 'chacha8' or 'xoshiro', not {rng!r}")
    return out


# ---------------------------------------------------------------------------------------------
# Vectorised ChaCha8 keystream: blocks are independent (counter mode), so many are computed at
# once; a stream encoded from a keystream position equals drawing it word by word.

_LANES = 16  # ChaCha8 blocks computed side by side (one AVX-512 register of u32 lanes)


@inline
def _qr(xa, xb, xc, xd):
    for lane in range(xa.shape[0]):
        a, b, c, d = xa[lane], xb[lane], xc[lane], xd[lane]
        a = np.uint32(a + b)
        d ^= a
        d = np.uint32((d << np.uint32(16)) | (d >> np.uint32(16)))
        c = np.uint32(c + d)
        b ^= c
        b = np.uint32((b << np.uint32(12)) | (b >> np.uint32(20)))
        a = np.uint32(a + b)
        d ^= a
        d = np.uint32((d << np.uint32(8)) | (d >> np.uint32(24)))
        c = np.uint32(c + d)
        b ^= c
        b = np.uint32((b << np.uint32(7)) | (b >> np.uint32(25)))
        xa[lane], xb[lane], xc[lane], xd[lane] = a, b, c, d


_U32X16 = ir.VectorType(ir.IntType(32), _LANES)


def _transpose16(builder, rows):
    """IR: transpose 16 <16 x i32> rows (row w, lane b) into 16 rows (row b, lane w): four
    rounds of swapping off-diagonal blocks of 8, 4, 2 and 1 with two-input shuffles."""
    i32 = ir.IntType(32)
    for h in (8, 4, 2, 1):
        new = list(rows)
        for r in range(16):
            if r & h:
                continue
            lo, hi = [], []
            for c in range(16):
                base, off = c - c % (2 * h), c % (2 * h)
                lo.append(base + off if off < h else 16 + base + off - h)
                hi.append(base + h + off if off < h else 16 + base + off)
            for dst, mask in ((r, lo), (r + h, hi)):
                new[dst] = builder.shuffle_vector(
                    rows[r], rows[r + h], ir.Constant(ir.VectorType(i32, 16), mask)
                )
        rows = new
    return rows


@intrinsic
def _chacha16(typingctx, key, first, out, at):
    """Write the 16 ChaCha8 blocks ``first .. first + 15`` (16 u32 words each, block after
    block) into ``out[at:]``: one block per <16 x i32> lane, the 8 rounds in registers, the
    lanes transposed back into blocks by shuffles."""
    if not (
        isinstance(key, types.Array)
        and key.dtype == types.uint64
        and key.ndim == 1
        and isinstance(out, types.Array)
        and out.dtype == types.uint32
        and out.ndim == 1
        and out.layout == "C"
        and isinstance(first, types.Integer)
        and isinstance(at, types.Integer)
    ):
        return None

    def codegen(context, builder, sig, args):
        i32, i64 = ir.IntType(32), ir.IntType(64)
        v64 = ir.VectorType(i64, _LANES)
        key_a = context.make_array(sig.args[0])(context, builder, args[0])
        out_a = context.make_array(sig.args[2])(context, builder, args[2])

        def splat(value, vec):
            v = builder.insert_element(ir.Constant(vec, ir.Undefined), value, ir.Constant(i32, 0))
            zeros = ir.Constant(ir.VectorType(i32, _LANES), None)
            return builder.shuffle_vector(v, ir.Constant(vec, ir.Undefined), zeros)

        consts = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
        inp = [ir.Constant(_U32X16, [c] * _LANES) for c in consts]
        stride = builder.extract_value(key_a.strides, 0)
        for q in range(8):
            offset = builder.mul(ir.Constant(i64, q), builder.udiv(stride, ir.Constant(i64, 8)))
            word = builder.load(builder.gep(key_a.data, [offset]))
            inp.append(splat(builder.trunc(word, i32), _U32X16))
        ctr = builder.add(
            splat(context.cast(builder, args[1], sig.args[1], types.uint64), v64),
            ir.Constant(v64, list(range(_LANES))),
        )
        inp.append(builder.trunc(ctr, _U32X16))
        inp.append(builder.trunc(builder.lshr(ctr, ir.Constant(v64, [32] * _LANES)), _U32X16))
        inp += [ir.Constant(_U32X16, [0] * _LANES)] * 2
        x = list(inp)

        def rotl(v, n):
            left = builder.shl(v, ir.Constant(_U32X16, [n] * _LANES))
            return builder.or_(left, builder.lshr(v, ir.Constant(_U32X16, [32 - n] * _LANES)))

        def qr(a, b, c, d):
            x[a] = builder.add(x[a], x[b])
            x[d] = rotl(builder.xor(x[d], x[a]), 16)
            x[c] = builder.add(x[c], x[d])
            x[b] = rotl(builder.xor(x[b], x[c]), 12)
            x[a] = builder.add(x[a], x[b])
            x[d] = rotl(builder.xor(x[d], x[a]), 8)
            x[c] = builder.add(x[c], x[d])
            x[b] = rotl(builder.xor(x[b], x[c]), 7)

        for _ in range(4):  # 8 rounds = 4 double rounds
            for a, b, c, d in _DOUBLE_ROUND:
                qr(a, b, c, d)
        blocks = _transpose16(builder, [builder.add(x[w], inp[w]) for w in range(16)])
        start = builder.gep(out_a.data, [context.cast(builder, args[3], sig.args[3], types.int64)])
        vp = builder.bitcast(start, _U32X16.as_pointer())
        for b in range(_LANES):
            builder.store(blocks[b], builder.gep(vp, [ir.Constant(i64, b)]), align=4)
        return context.get_dummy_value()

    return types.void(key, first, out, at), codegen


_DOUBLE_ROUND = (
    (0, 4, 8, 12),
    (1, 5, 9, 13),
    (2, 6, 10, 14),
    (3, 7, 11, 15),
    (0, 5, 10, 15),
    (1, 6, 11, 12),
    (2, 7, 8, 13),
    (3, 4, 9, 14),
)


@kernel
def chacha_blocks(key, first, count, out):
    """Write ChaCha8 blocks ``first .. first + count - 1`` (16 u32 words each) into ``out``.

    The blocks are independent (counter mode): whole groups of ``_LANES`` go through
    :func:`_chacha16` (one block per vector lane); the last few through the same rounds with
    the lane loop innermost.
    """
    x = np.empty((16, _LANES), dtype=np.uint32)
    inp = np.empty((16, _LANES), dtype=np.uint32)
    consts = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
    whole = count - count % _LANES
    for b0 in range(0, whole, _LANES):
        _chacha16(key, np.uint64(first + b0), out, b0 * 16)
    for b0 in range(whole, count, _LANES):  # the last few blocks
        for lane in range(_LANES):
            ctr = np.uint64(first + b0 + lane)
            for k in range(4):
                inp[k, lane] = np.uint32(consts[k])
            for k in range(8):
                inp[4 + k, lane] = np.uint32(key[k])
            inp[12, lane] = np.uint32(ctr & np.uint64(0xFFFFFFFF))
            inp[13, lane] = np.uint32(ctr >> np.uint64(32))
            inp[14, lane] = np.uint32(0)
            inp[15, lane] = np.uint32(0)
        x[:, :] = inp
        for _ in range(4):  # 8 rounds = 4 double rounds
            _qr(x[0], x[4], x[8], x[12])
            _qr(x[1], x[5], x[9], x[13])
            _qr(x[2], x[6], x[10], x[14])
            _qr(x[3], x[7], x[11], x[15])
            _qr(x[0], x[5], x[10], x[15])
            _qr(x[1], x[6], x[11], x[12])
            _qr(x[2], x[7], x[8], x[13])
            _qr(x[3], x[4], x[9], x[14])
        for lane in range(min(_LANES, count - b0)):
            for k in range(16):
                out[(b0 + lane) * 16 + k] = np.uint32(x[k, lane] + inp[k, lane])


@inline
def constant_row(ones, length, out):
    """A constant stream: all ones (``ones``) or all zeros, the tail past ``length`` cleared."""
    full = length // 64
    r = length - 64 * full
    fill = ~np.uint64(0) if ones else np.uint64(0)
    for k in range(full):
        out[k] = fill
    if r:
        out[full] = fill & ((np.uint64(1) << np.uint64(r)) - np.uint64(1))


@inline
def keystream_row(ks, w0, t, length, out):
    """Byte-threshold encode from u32 keystream word ``w0`` on (fill rule: whole words):
    bit ``i`` is keystream byte ``4 * w0 + i < t``."""
    full = length // 64
    r = length - 64 * full
    for k in range(full):
        out[k] = _below64_at(ks, w0 + 16 * k, t)
    if r:
        w = np.uint64(0)
        q = w0 + 16 * full
        for i in range(r):
            byte = (np.uint64(ks[q + i // 4]) >> np.uint64(8 * (i % 4))) & np.uint64(0xFF)
            w |= np.uint64(byte < t) << np.uint64(i)
        out[full] = w


@inline
def keystream_words(length):
    """u32 keystream words one byte-threshold stream of ``length`` bits takes (fill rule:
    whole words, the unused bytes of the last one dropped)."""
    return 16 * (length // 64) + (length % 64 + 3) // 4


@parallel_kernel
def chacha_pack_rows(probs, length, seed0, out_t):
    """Row ``n`` of ``probs`` encoded element after element from a fresh ChaCha8(seed0 + n),
    as the engine packs weights (constants draw nothing, NaN draws with threshold 0, as engine
    3.15.7 does), into the input-major ``out_t[i, :, n]``: one vectorised keystream per row."""
    n_rows, n_cols = probs.shape
    per = keystream_words(length)
    words = out_t.shape[1]
    for n in prange(n_rows):
        st = chacha_seed(seed0 + np.uint64(n))
        drawn = 0
        for i in range(n_cols):
            p = probs[n, i]
            if (p > 0.0 and p < 1.0) or p != p:
                drawn += per
        blocks = (drawn + 15) // 16
        ks = np.zeros(blocks * 16 + 2, dtype=np.uint32)  # +2: the tail may read a pair
        chacha_blocks(st[:8], 0, blocks, ks)
        row = np.empty(words, dtype=np.uint64)
        pos = 0
        for i in range(n_cols):
            p = probs[n, i]
            if (p > 0.0 and p < 1.0) or p != p:
                keystream_row(ks, pos, byte_threshold(p), length, row)
                pos += per
            else:
                constant_row(p >= 1.0, length, row)
            for k in range(words):
                out_t[i, k, n] = row[k]
