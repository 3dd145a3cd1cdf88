"""Twin of :class:`scgen.hw.Permute`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import PermuteParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, unsigned_range

__all__ = ["PermuteTrace", "permute"]


class PermuteTrace(NamedTuple):
    """Per-cycle outputs of :class:`scgen.hw.Permute`: the rotated word ``o`` and ``valid``."""

    o: np.ndarray
    valid: np.ndarray


@parallel_kernel
def _permute_kernel(words, lanes, rotation, start, en, a, o, valid):
    dim = words * lanes
    for b in prange(a.shape[0]):
        hist = np.zeros(words, dtype=np.uint64)  # the last `words` words, by arrival mod words
        rot = np.zeros(words, dtype=np.uint64)  # the rotated previous vector, packed
        j = 0
        done = 0
        n = 0  # words taken so far
        for t in range(a.shape[1]):
            # comb
            jn = 0 if start[b, t] else j
            o[b, t] = rot[jn]
            valid[b, t] = done
            # sync
            if not en[b, t]:
                continue
            hist[n % words] = a[b, t]
            if jn == words - 1:  # a whole vector: rotate it once, not on every output cycle
                rot[:] = 0
                for w in range(words):  # word w was taken as word n - (words - 1) + w
                    x = hist[(n - (words - 1) + w) % words]
                    for k in range(lanes):
                        d = (w * lanes + k + rotation) % dim
                        rot[d // lanes] |= ((x >> np.uint64(k)) & np.uint64(1)) << np.uint64(
                            d % lanes
                        )
                j = 0
                done = 1
            else:
                j = jn + 1
            n += 1


def permute(params: PermuteParams, start: object, en: object, a: object) -> PermuteTrace:
    """Twin of :class:`scgen.hw.Permute`."""
    check_params("Permute", PermuteParams, params)
    ins, one_d = as_stimulus(
        "Permute",
        {
            "start": (start, bit_range(), np.uint8),
            "en": (en, bit_range(), np.uint8),
            "a": (a, unsigned_range(params.lanes), np.uint64),
        },
    )
    shape = ins["a"].shape
    o = np.empty(shape, dtype=np.uint64)
    valid = np.empty(shape, dtype=np.uint8)
    _permute_kernel(
        params.words,
        params.lanes,
        params.rotation,
        *(np.ascontiguousarray(ins[k]) for k in ("start", "en", "a")),
        o,
        valid,
    )
    return PermuteTrace(*finish(one_d, o, valid))
