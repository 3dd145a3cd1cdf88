"""The engine's encoders: ``batch_encode*``, ``Lfsr16`` and ``BitstreamEncoder``."""

from __future__ import annotations

import numpy as np

from ..params import LfsrParams
from ..sw.bernoulli import bernoulli_bytes, bernoulli_f64, check_probs
from ._args import int_arg, ndarray_arg

__all__ = ["BitstreamEncoder", "Lfsr16", "batch_encode", "batch_encode_numpy"]

_LFSR16 = LfsrParams()  # x^16 + x^14 + x^13 + x^11 + 1, Fibonacci


def _probs(probs: object) -> np.ndarray:
    a = ndarray_arg("probs", probs, np.float64, 1)
    return check_probs("probs", a, allow_nan=True)


def batch_encode(probs, length=1024, seed=44257):
    """f64-encode every probability from one shared ChaCha8(seed); nested lists of words."""
    p = _probs(probs)
    n = int_arg("length", length, "u64")
    s = int_arg("seed", seed, "u64")
    return bernoulli_f64(p, n, seed=s, rng="chacha8", allow_nan=True).tolist()


def batch_encode_numpy(probs, length=1024, seed=44257):
    """Byte-threshold encode probability ``i`` from Xoshiro256++(seed + i); uint64 2-D array."""
    p = _probs(probs)
    n = int_arg("length", length, "u64")
    s = int_arg("seed", seed, "u64")
    return bernoulli_bytes(p, n, seed=s, tail="block", allow_nan=True)


def _seed16(seed: object) -> int:
    s = int_arg("seed", seed, "u16")
    if s == 0:
        raise ValueError("LFSR seed must be non-zero.")
    return s


class Lfsr16:
    """The seed's 16-bit Fibonacci LFSR (the default :class:`scgen.params.LfsrParams`)."""

    def __init__(self, seed=0xACE1):
        self._seed = _seed16(seed)
        self._reg = self._seed

    def step(self):
        """Advance one step and return the new register."""
        self._reg = _LFSR16.step(self._reg)
        return self._reg

    @property
    def reg(self):
        return self._reg

    @property
    def width(self):
        return 16

    def reset(self, seed=None):
        """Reload the stored seed, or ``seed``, which then becomes the stored seed."""
        if seed is not None:
            self._seed = _seed16(seed)
        self._reg = self._seed


class BitstreamEncoder:
    """Comparator encoder on :class:`Lfsr16`, compare-then-step (engine 3.15.7 and the HDL).

    ``data_width`` is stored and reported but, as in the engine, the comparison is always
    against the 16-bit register.
    """

    def __init__(self, data_width=16, seed=0xACE1):
        self._data_width = int_arg("data_width", data_width, "u32")
        self._lfsr = Lfsr16(seed)

    def step(self, x_value):
        """Return ``reg < x_value`` for the current register, then step the LFSR."""
        x = int_arg("x_value", x_value, "u16")
        bit = int(self._lfsr.reg < x)
        self._lfsr.step()
        return bit

    @property
    def reg(self):
        return self._lfsr.reg

    @property
    def data_width(self):
        return self._data_width

    def reset(self, seed=None):
        """Reset the LFSR as :meth:`Lfsr16.reset` does."""
        self._lfsr.reset(seed)
