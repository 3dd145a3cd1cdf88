"""Twin of :class:`scgen.hw.JkDiv`."""

from __future__ import annotations

import numpy as np
from numba import prange

from ..params.jkdiv import JkDivParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, check_params, finish, unsigned_range
from .logic import LogicTrace

__all__ = ["jkdiv"]


@parallel_kernel
def _jkdiv_kernel(a, b, o):
    for r in prange(a.shape[0]):
        q = np.uint64(0)
        for t in range(a.shape[1]):
            o[r, t] = q  # the register drives the output during cycle t
            q = (a[r, t] & ~q) | (~b[r, t] & q)  # J-K update on the clock edge


def jkdiv(params: JkDivParams, a: object, b: object) -> LogicTrace:
    """Run the bit-exact twin of :class:`scgen.hw.JkDiv`.

    Per lane (bit ``k`` of each integer = lane ``k``) and cycle: ``o = q``, then
    ``q = (a & ~q) | (~b & q)``; ``q`` starts at 0.
    """
    check_params("JK divider", JkDivParams, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus("JK divider", {"a": (a, rng, np.uint64), "b": (b, rng, np.uint64)})
    o = np.empty(ins["a"].shape, dtype=np.uint64)
    _jkdiv_kernel(np.ascontiguousarray(ins["a"]), np.ascontiguousarray(ins["b"]), o)
    return LogicTrace(*finish(one_d, o))
