"""Seed-exact generators: Xoshiro256++ and ChaCha8, seeded as SC-NeuroCore's engine seeds them.

* Xoshiro256++ seeded from a u64 by four SplitMix64 outputs (rand_xoshiro ``seed_from_u64``).
* ChaCha8 (8 rounds, 64-bit block counter, stream 0) keyed from a u64 by eight PCG32 outputs
  (rand_core ``seed_from_u64``), consumed as a plain stream of u32 words.
* f64 draws are ``(u64 >> 11) * 2**-53``; byte fills follow each generator's partial-word rule.

Generator state lives in small ``uint64`` arrays so that Numba kernels can carry it:
``xoshiro_state(seed)`` (4 words) and ``chacha_state(seed)`` (26 words: key, next block counter,
read index, 16 buffered words). The ``*_next_*`` helpers are inlined into the kernels that draw
from them; the public classes :class:`Xoshiro256pp` and :class:`ChaCha8` draw whole arrays.
"""

from __future__ import annotations

import numpy as np

from ._jit import inline, kernel

__all__ = [
    "ChaCha8",
    "Xoshiro256pp",
    "chacha_next_u32",
    "chacha_next_u64",
    "chacha_seed",
    "chacha_state",
    "u64_to_f64",
    "xoshiro_next",
    "xoshiro_state",
]

_M32 = np.uint64(0xFFFFFFFF)
_F53 = 1.0 / 9007199254740992.0  # 2**-53


@inline
def u64_to_f64(x):
    """Map a u64 to [0, 1) as rand's ``gen::<f64>()`` does."""
    return np.float64(x >> np.uint64(11)) * _F53


@inline
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@inline
def _splitmix64(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    z = x
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31)), x


@inline
def xoshiro_seed_into(seed, s):
    """Seed Xoshiro256++ state ``s`` (uint64[4]) from a u64, SplitMix64-style."""
    x = np.uint64(seed)
    for i in range(4):
        s[i], x = _splitmix64(x)


@inline
def xoshiro_next(s):
    """Return the next u64 of Xoshiro256++ state ``s`` (uint64[4]), advancing it."""
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    out = _rotl(s0 + s3, 23) + s0
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return out


@kernel
def _xoshiro_state(seed):
    s = np.empty(4, dtype=np.uint64)
    xoshiro_seed_into(np.uint64(seed), s)
    return s


def xoshiro_state(seed: int) -> np.ndarray:
    """Return a fresh Xoshiro256++ state (uint64[4]) seeded from ``seed`` (taken mod 2**64)."""
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"Xoshiro256++ seed must be an integer, not {seed!r}")
    seed = int(seed)
    return _xoshiro_state(np.uint64(seed % (1 << 64)))


# ---------------------------------------------------------------------------------------------
# ChaCha8

_CHACHA_KEY, _CHACHA_CTR, _CHACHA_IDX, _CHACHA_BUF = 0, 8, 9, 10


@inline
def _qr(a, b, c, d):
    a = (a + b) & _M32
    d ^= a
    d = ((d << np.uint64(16)) | (d >> np.uint64(16))) & _M32
    c = (c + d) & _M32
    b ^= c
    b = ((b << np.uint64(12)) | (b >> np.uint64(20))) & _M32
    a = (a + b) & _M32
    d ^= a
    d = ((d << np.uint64(8)) | (d >> np.uint64(24))) & _M32
    c = (c + d) & _M32
    b ^= c
    b = ((b << np.uint64(7)) | (b >> np.uint64(25))) & _M32
    return a, b, c, d


@inline
def _chacha_refill(st):
    """Compute block number st[8] into st[10:26] and advance the counter."""
    ctr = st[_CHACHA_CTR]
    i0, i1, i2, i3 = (
        np.uint64(0x61707865),
        np.uint64(0x3320646E),
        np.uint64(0x79622D32),
        np.uint64(0x6B206574),
    )
    i4, i5, i6, i7 = st[0], st[1], st[2], st[3]
    i8, i9, i10, i11 = st[4], st[5], st[6], st[7]
    i12, i13, i14, i15 = ctr & _M32, ctr >> np.uint64(32), np.uint64(0), np.uint64(0)
    x0, x1, x2, x3, x4, x5, x6, x7 = i0, i1, i2, i3, i4, i5, i6, i7
    x8, x9, x10, x11, x12, x13, x14, x15 = i8, i9, i10, i11, i12, i13, i14, i15
    for _ in range(4):  # 8 rounds = 4 double rounds
        x0, x4, x8, x12 = _qr(x0, x4, x8, x12)
        x1, x5, x9, x13 = _qr(x1, x5, x9, x13)
        x2, x6, x10, x14 = _qr(x2, x6, x10, x14)
        x3, x7, x11, x15 = _qr(x3, x7, x11, x15)
        x0, x5, x10, x15 = _qr(x0, x5, x10, x15)
        x1, x6, x11, x12 = _qr(x1, x6, x11, x12)
        x2, x7, x8, x13 = _qr(x2, x7, x8, x13)
        x3, x4, x9, x14 = _qr(x3, x4, x9, x14)
    b = _CHACHA_BUF
    st[b + 0], st[b + 1] = (x0 + i0) & _M32, (x1 + i1) & _M32
    st[b + 2], st[b + 3] = (x2 + i2) & _M32, (x3 + i3) & _M32
    st[b + 4], st[b + 5] = (x4 + i4) & _M32, (x5 + i5) & _M32
    st[b + 6], st[b + 7] = (x6 + i6) & _M32, (x7 + i7) & _M32
    st[b + 8], st[b + 9] = (x8 + i8) & _M32, (x9 + i9) & _M32
    st[b + 10], st[b + 11] = (x10 + i10) & _M32, (x11 + i11) & _M32
    st[b + 12], st[b + 13] = (x12 + i12) & _M32, (x13 + i13) & _M32
    st[b + 14], st[b + 15] = (x14 + i14) & _M32, (x15 + i15) & _M32
    st[_CHACHA_CTR] = ctr + np.uint64(1)
    st[_CHACHA_IDX] = 0


@inline
def chacha_next_u32(st):
    """Return the next u32 word (as uint64) of ChaCha8 state ``st``, advancing it."""
    if st[_CHACHA_IDX] >= 16:
        _chacha_refill(st)
    w = st[_CHACHA_BUF + st[_CHACHA_IDX]]
    st[_CHACHA_IDX] += np.uint64(1)
    return w


@inline
def chacha_next_u64(st):
    """Return the next u64 of ChaCha8 state ``st``: two words, the first is the low half."""
    lo = chacha_next_u32(st)
    hi = chacha_next_u32(st)
    return lo | (hi << np.uint64(32))


@kernel
def chacha_seed(seed):
    """Return a fresh ChaCha8 state for a uint64 seed (callable from kernels)."""
    st = np.zeros(26, dtype=np.uint64)
    state = np.uint64(seed)
    for i in range(8):  # PCG32 expansion of the u64 seed into the 32-byte key
        state = state * np.uint64(6364136223846793005) + np.uint64(11634580027462260723)
        x = (((state >> np.uint64(18)) ^ state) >> np.uint64(27)) & _M32
        rot = state >> np.uint64(59)
        st[i] = ((x >> rot) | (x << ((np.uint64(32) - rot) & np.uint64(31)))) & _M32
    st[_CHACHA_IDX] = 16  # buffer empty: the first draw computes block 0
    return st


def chacha_state(seed: int) -> np.ndarray:
    """Return a fresh ChaCha8 state (uint64[26]) keyed from ``seed`` (taken mod 2**64)."""
    return chacha_seed(np.uint64(seed % (1 << 64)))


# ---------------------------------------------------------------------------------------------
# Array draws (used by the public classes and the tests)


@kernel
def _xoshiro_u64(s, out):
    for i in range(out.shape[0]):
        out[i] = xoshiro_next(s)


@kernel
def _xoshiro_f64(s, out):
    for i in range(out.shape[0]):
        out[i] = u64_to_f64(xoshiro_next(s))


@kernel
def _xoshiro_bytes(s, out):
    n = out.shape[0]
    full = n // 8
    for i in range(full):
        x = xoshiro_next(s)
        for j in range(8):
            out[8 * i + j] = (x >> np.uint64(8 * j)) & np.uint64(0xFF)
    rem = n - 8 * full
    if rem:
        x = xoshiro_next(s)
        if rem <= 4:  # a 1-4 byte tail is a prefix of next_u32 (the upper half of a u64)
            x >>= np.uint64(32)
        for j in range(rem):
            out[8 * full + j] = (x >> np.uint64(8 * j)) & np.uint64(0xFF)


@kernel
def _chacha_u32(st, out):
    for i in range(out.shape[0]):
        out[i] = chacha_next_u32(st)


@kernel
def _chacha_u64(st, out):
    for i in range(out.shape[0]):
        out[i] = chacha_next_u64(st)


@kernel
def _chacha_f64(st, out):
    for i in range(out.shape[0]):
        out[i] = u64_to_f64(chacha_next_u64(st))


@kernel
def _chacha_bytes(st, out):
    # whole words, little-endian; the unused bytes of a partly used last word are discarded
    for i in range(0, out.shape[0], 4):
        w = chacha_next_u32(st)
        for j in range(min(4, out.shape[0] - i)):
            out[i + j] = (w >> np.uint64(8 * j)) & np.uint64(0xFF)


def _count(n: int) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
        raise ValueError(f"Draw count must be a non-negative integer, not {n!r}")
    return int(n)


class Xoshiro256pp:
    """Xoshiro256++ seeded like rand_xoshiro's ``seed_from_u64`` (SplitMix64 expansion).

    >>> hex(Xoshiro256pp(0).next_u64(1)[0])
    '0x53175d61490b23df'
    """

    def __init__(self, seed: int = 0):
        self.state = xoshiro_state(seed)

    def next_u64(self, n: int) -> np.ndarray:
        """Draw ``n`` u64 values."""
        out = np.empty(_count(n), dtype=np.uint64)
        _xoshiro_u64(self.state, out)
        return out

    def next_u32(self, n: int) -> np.ndarray:
        """Draw ``n`` u32 values (the upper halves of ``n`` u64 draws)."""
        return (self.next_u64(n) >> np.uint64(32)).astype(np.uint32)

    def next_f64(self, n: int) -> np.ndarray:
        """Draw ``n`` floats in [0, 1)."""
        out = np.empty(_count(n), dtype=np.float64)
        _xoshiro_f64(self.state, out)
        return out

    def fill_bytes(self, n: int) -> np.ndarray:
        """Draw ``n`` bytes as rand_xoshiro's ``fill_bytes`` does."""
        out = np.empty(_count(n), dtype=np.uint8)
        _xoshiro_bytes(self.state, out)
        return out


class ChaCha8:
    """ChaCha8 keyed like rand_core's ``seed_from_u64`` (PCG32 expansion), as one u32 stream.

    >>> hex(ChaCha8(0).next_u64(1)[0])
    '0xb585f767a79a3b6c'
    """

    def __init__(self, seed: int = 0):
        self.state = chacha_state(seed)

    def next_u32(self, n: int) -> np.ndarray:
        """Draw ``n`` u32 words."""
        out = np.empty(_count(n), dtype=np.uint64)
        _chacha_u32(self.state, out)
        return out.astype(np.uint32)

    def next_u64(self, n: int) -> np.ndarray:
        """Draw ``n`` u64 values (two words each, low word first)."""
        out = np.empty(_count(n), dtype=np.uint64)
        _chacha_u64(self.state, out)
        return out

    def next_f64(self, n: int) -> np.ndarray:
        """Draw ``n`` floats in [0, 1)."""
        out = np.empty(_count(n), dtype=np.float64)
        _chacha_f64(self.state, out)
        return out

    def fill_bytes(self, n: int) -> np.ndarray:
        """Draw ``n`` bytes; a partly used last word is discarded."""
        out = np.empty(_count(n), dtype=np.uint8)
        _chacha_bytes(self.state, out)
        return out
