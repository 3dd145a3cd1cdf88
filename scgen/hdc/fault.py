"""Fault-tolerant Boolean logic on bitstreams (the seed's example 07).

A Boolean is a stream of ``length`` bits: TRUE all ones, FALSE all zeros. Noise flips each bit
independently with probability ``rate`` (XOR with a Bernoulli mask); AND, OR and NOT act word by
word; a stream decodes to TRUE when more than half of its bits are 1. A wrong decode needs more
than half of the bits flipped, so for ``rate < 1/2`` the error falls exponentially with the
length (Hoeffding: at most ``exp(-2 L (1/2 - rate)**2)`` for one noisy stream).
"""

from __future__ import annotations

import numpy as np

from ..sw.bernoulli import bernoulli_f64, words_for

__all__ = [
    "decode",
    "false_stream",
    "inject_noise",
    "logic_and",
    "logic_not",
    "logic_or",
    "true_stream",
]


def _length(length: object) -> int:
    if not isinstance(length, int | np.integer) or isinstance(length, bool) or length < 1:
        raise ValueError(f"Stream length must be a positive integer, not {length!r}")
    return int(length)


def _tail(length: int) -> np.uint64:
    return np.uint64((1 << (length % 64)) - 1 if length % 64 else 0xFFFFFFFFFFFFFFFF)


def true_stream(length: int = 1024) -> np.ndarray:
    """All ones over ``length`` bits (tail masked): the stream of TRUE."""
    n = _length(length)
    out = np.full(words_for(n), np.uint64(0xFFFFFFFFFFFFFFFF))
    out[-1] = _tail(n)
    return out


def false_stream(length: int = 1024) -> np.ndarray:
    """All zeros: the stream of FALSE."""
    return np.zeros(words_for(_length(length)), dtype=np.uint64)


def inject_noise(streams: np.ndarray, length: int, rate: float, *, seed: int) -> np.ndarray:
    """Flip every bit of ``streams`` ``(..., words)`` with probability ``rate``.

    The masks come from the f64 encoder on Xoshiro256++(``seed``), one stream after another, so
    a seed gives the same flips on every machine.
    """
    n = _length(length)
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"Noise rate must be between 0 and 1, not {rate!r}")
    s = np.asarray(streams, dtype=np.uint64)
    if s.shape[-1] != words_for(n):
        raise ValueError(
            f"Streams must have {words_for(n)} words for length {n}, not shape {s.shape}"
        )
    rows = int(np.prod(s.shape[:-1], dtype=np.int64))
    masks = bernoulli_f64(np.full(rows, float(rate)), n, seed=seed, rng="xoshiro")
    return s ^ masks.reshape(s.shape)


def logic_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Word-wise AND."""
    return np.bitwise_and(a, b)


def logic_or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Word-wise OR."""
    return np.bitwise_or(a, b)


def logic_not(a: np.ndarray, length: int) -> np.ndarray:
    """Word-wise NOT with the bits past ``length`` kept 0."""
    out = np.bitwise_not(np.asarray(a, dtype=np.uint64))
    out[..., -1] &= _tail(_length(length))
    return out


def decode(streams: np.ndarray, length: int) -> np.ndarray | bool:
    """Majority decoding: True where more than ``length // 2`` bits of a stream are 1."""
    n = _length(length)
    counts = np.bitwise_count(np.asarray(streams, dtype=np.uint64)).sum(axis=-1)
    result = counts > n // 2
    return bool(result) if np.ndim(result) == 0 else result
