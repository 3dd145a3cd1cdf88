"""Twin of :class:`scgen.hw.Cordiv`."""

from __future__ import annotations

import numpy as np
from numba import prange

from ..params import CordivParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, check_params, finish, unsigned_range
from .logic import LogicTrace

__all__ = ["cordiv"]


@parallel_kernel
def _cordiv_kernel(a, b, o):
    for r in prange(a.shape[0]):
        q = np.uint64(0)
        for t in range(a.shape[1]):
            sel = b[r, t]
            q = (a[r, t] & sel) | (q & ~sel)  # comb output; the register takes it
            o[r, t] = q


def cordiv(params: CordivParams, a: object, b: object) -> LogicTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Cordiv`.

    Per lane (bit ``k`` of each integer = lane ``k``) and cycle: ``o = a if b else q`` and the
    register ``q`` takes ``o``; ``q`` starts at 0.
    """
    check_params("CORDIV divider", CordivParams, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus("CORDIV divider", {"a": (a, rng, np.uint64), "b": (b, rng, np.uint64)})
    o = np.empty(ins["a"].shape, dtype=np.uint64)
    _cordiv_kernel(np.ascontiguousarray(ins["a"]), np.ascontiguousarray(ins["b"]), o)
    return LogicTrace(*finish(one_d, o))
