"""Twin of :class:`scgen.hw.Lfsr`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import LfsrParams
from ._jit import inline, parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, per_instance

__all__ = ["SourceTrace", "lfsr", "lfsr_next"]


class SourceTrace(NamedTuple):
    """Per-cycle output of a source: ``value`` (uint32), ``(cycles,)`` or ``(batch, cycles)``."""

    value: np.ndarray


@inline
def lfsr_next(state, galois, width, taps_mask):
    """Return the LFSR state after one step (int64 arithmetic, width <= 32)."""
    if galois:
        if state & 1:
            return (state >> 1) ^ taps_mask
        return state >> 1
    p = state & taps_mask
    p ^= p >> 16
    p ^= p >> 8
    p ^= p >> 4
    p ^= p >> 2
    p ^= p >> 1
    return ((state << 1) | (p & 1)) & ((1 << width) - 1)


@parallel_kernel
def _lfsr_kernel(galois, width, taps_mask, seed, en, value):
    for b in prange(en.shape[0]):
        s = np.int64(seed[b])
        for t in range(en.shape[1]):
            value[b, t] = s  # comb: the register drives `value` during cycle t
            if en[b, t]:  # sync: step on the clock edge that ends cycle t
                s = lfsr_next(s, galois, width, taps_mask)


def check_seeds(params: LfsrParams, seeds: object) -> np.ndarray:
    """Return per-instance seeds as int64, checked like :attr:`LfsrParams.seed`."""
    return per_instance("LFSR", "seeds", seeds, 1, (1 << params.width) - 1, params.width)


def lfsr(
    params: LfsrParams,
    en: object = None,
    *,
    cycles: int | None = None,
    seeds: object = None,
) -> SourceTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Lfsr`.

    Parameters
    ----------
    params : LfsrParams
    en : array_like of 0/1, optional
        Step enable per cycle, shape ``(cycles,)`` or ``(batch, cycles)``; default all ones
        (then ``cycles`` is required).
    seeds : array_like of int, optional
        One seed per instance (batch); overrides ``params.seed``.

    Returns
    -------
    SourceTrace
        ``value[t]`` is the register during cycle ``t`` (``value[0] == seed``).
    """
    check_params("LFSR", LfsrParams, params)
    seed = check_seeds(params, params.seed if seeds is None else seeds)
    batch = None if seeds is None else len(seed)
    ins, one_d = as_stimulus(
        "LFSR", {"en": (en, bit_range(), np.uint8)}, cycles=cycles, batch=batch, defaults={"en": 1}
    )
    en_a = ins["en"]
    if seeds is None:
        seed = np.full(en_a.shape[0], params.seed, dtype=np.int64)
    value = np.empty(en_a.shape, dtype=np.uint32)
    _lfsr_kernel(params.galois(), params.width, params.taps_mask(), seed, en_a, value)
    return SourceTrace(*finish(one_d, value))
