"""Twin of :class:`scgen.hw.Hamming`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params_hdc import HammingParams
from ._intrinsics import popcount64
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, finish, unsigned_range
from .hdc import check_params

__all__ = ["HammingTrace", "hamming"]


class HammingTrace(NamedTuple):
    """Per-cycle outputs of :class:`scgen.hw.Hamming` (as :class:`scgen.sw.CounterTrace`)."""

    count: np.ndarray
    done: np.ndarray
    busy: np.ndarray


@parallel_kernel
def _hamming_kernel(words, start, a, b, count, done, busy):
    for v in prange(a.shape[0]):
        acc = np.int64(0)
        left = np.int64(0)
        result = np.int64(0)
        finished = np.uint8(0)
        for t in range(a.shape[1]):
            # comb
            if start[v, t]:
                acc_in = np.int64(0)
                left_in = np.int64(words)
            else:
                acc_in = acc
                left_in = left
            count[v, t] = result
            done[v, t] = finished
            busy[v, t] = left_in != 0
            # sync
            finished = 0
            if left_in != 0:
                acc = acc_in + np.int64(popcount64(a[v, t] ^ b[v, t]))
                left = left_in - 1
                if left == 0:
                    result = acc
                    finished = 1
            else:
                acc = acc_in
                left = left_in


def hamming(params: HammingParams, start: object, a: object, b: object) -> HammingTrace:
    """Twin of :class:`scgen.hw.Hamming`."""
    check_params("Hamming", HammingParams, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus("Hamming", {"start": (start, bit_range(), np.uint8),
                                         "a": (a, rng, np.uint64), "b": (b, rng, np.uint64)})
    shape = ins["a"].shape
    count = np.empty(shape, dtype=np.int64)
    done = np.empty(shape, dtype=np.uint8)
    busy = np.empty(shape, dtype=np.uint8)
    _hamming_kernel(params.words, ins["start"], ins["a"], ins["b"], count, done, busy)
    return HammingTrace(*finish(one_d, count, done, busy))
