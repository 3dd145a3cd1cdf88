"""Twin of :class:`scgen.hw.Counter`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import CounterParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish

__all__ = ["CounterTrace", "counter"]


class CounterTrace(NamedTuple):
    """Per-cycle outputs of the window counter.

    ``count`` (int64): result of the last finished window, held until the next one finishes.
    ``done`` (uint8): 1 on the cycle right after a window's last counted bit.
    ``busy`` (uint8): 1 on every cycle whose ``x`` is counted.
    """

    count: np.ndarray
    done: np.ndarray
    busy: np.ndarray


@parallel_kernel
def _counter_kernel(window, start, x, count, done, busy):
    for b in prange(start.shape[0]):
        acc = np.int64(0)
        left = np.int64(0)
        result = np.int64(0)
        finished = np.uint8(0)
        for t in range(start.shape[1]):
            # comb
            if start[b, t]:
                acc_in = np.int64(0)
                left_in = np.int64(window)
            else:
                acc_in = acc
                left_in = left
            count[b, t] = result
            done[b, t] = finished
            busy[b, t] = left_in != 0
            # sync
            finished = 0
            if left_in != 0:
                acc = acc_in + x[b, t]
                left = left_in - 1
                if left == 0:
                    result = acc
                    finished = 1
            else:
                acc = acc_in
                left = left_in


def counter(params: CounterParams, start: object, x: object) -> CounterTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Counter`.

    ``start`` and ``x`` are 0/1 per cycle, ``(cycles,)`` or ``(batch, cycles)``. A ``start``
    opens a window of ``params.window`` cycles beginning with that cycle; a ``start`` during a
    window restarts it.
    """
    check_params("Counter", CounterParams, params)
    ins, one_d = as_stimulus(
        "Counter", {"start": (start, bit_range(), np.uint8), "x": (x, bit_range(), np.uint8)}
    )
    shape = ins["x"].shape
    count = np.empty(shape, dtype=np.int64)
    done = np.empty(shape, dtype=np.uint8)
    busy = np.empty(shape, dtype=np.uint8)
    _counter_kernel(params.window, ins["start"], ins["x"], count, done, busy)
    return CounterTrace(*finish(one_d, count, done, busy))
