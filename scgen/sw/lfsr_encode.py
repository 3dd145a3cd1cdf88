"""Whole-stream encoding with the hardware encoder: what :class:`scgen.hw.Encoder` emits, packed.

A comparator encoder's source runs the same sequence whatever value it encodes, so encoding many
values with one encoder configuration is one source run plus a vectorised compare: ``L`` source
steps, then ``n * L`` compares packed 64 to a word.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..params import EncoderParams, Encoding, LfsrParams
from ._jit import parallel_kernel
from .bernoulli import words_for
from .lfsr import lfsr
from .sobol import sobol

__all__ = ["encode_lfsr", "quantize"]


@parallel_kernel
def _compare_pack(values, thresholds, out):
    length = values.shape[0]
    for i in prange(thresholds.shape[0]):
        t = thresholds[i]
        for k in range(out.shape[1]):
            w = np.uint64(0)
            base = 64 * k
            for j in range(min(64, length - base)):
                if values[base + j] < t:
                    w |= np.uint64(1) << np.uint64(j)
            out[i, k] = w


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
    if not isinstance(params, EncoderParams):
        raise TypeError(f"Encoder parameters must be an instance of EncoderParams, not {params!r}")
    if not isinstance(length, int | np.integer) or isinstance(length, bool) or length < 0:
        raise ValueError(f"Stream length must be a non-negative integer, not {length!r}")
    xs = np.atleast_1d(np.asarray(x))
    if xs.ndim != 1 or not np.issubdtype(xs.dtype, np.integer):
        raise TypeError(f"Encoder values must be a 1-D array of integers, not {x!r}")
    w = params.width
    src = params.source_params()
    ones = np.ones(int(length), dtype=np.uint8)
    values = lfsr(src, ones).value if isinstance(src, LfsrParams) else sobol(src, ones).value
    lo, hi = ((-(1 << (w - 1)), (1 << (w - 1)) - 1) if params.encoding is Encoding.BIPOLAR
              else (0, (1 << w) - 1))
    if xs.size and (int(xs.min()) < lo or int(xs.max()) > hi):
        bad = int(xs.min()) if int(xs.min()) < lo else int(xs.max())
        raise ValueError(f"Encoder values must be between {lo} and {hi}, not {bad}")
    thresholds = ((xs.astype(np.int64) & ((1 << w) - 1)) ^ params.x_offset()).astype(np.int64)
    out = np.empty((xs.shape[0], words_for(int(length))), dtype=np.uint64)
    _compare_pack(values.astype(np.int64), thresholds, out)
    return out
