"""Twin of :class:`scgen.hw.Hamming`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import HammingParams
from ._ports import as_stimulus, bit_range, check_params, finish, unsigned_range
from .counter import _counter_kernel as _count_windows

__all__ = ["HammingTrace", "hamming"]


class HammingTrace(NamedTuple):
    """Per-cycle outputs of :class:`scgen.hw.Hamming` (as :class:`scgen.sw.CounterTrace`)."""

    count: np.ndarray
    done: np.ndarray
    busy: np.ndarray


def hamming(params: HammingParams, start: object, a: object, b: object) -> HammingTrace:
    """Twin of :class:`scgen.hw.Hamming`."""
    check_params("Hamming", HammingParams, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus(
        "Hamming",
        {
            "start": (start, bit_range(), np.uint8),
            "a": (a, rng, np.uint64),
            "b": (b, rng, np.uint64),
        },
    )
    shape = ins["a"].shape
    count = np.empty(shape, dtype=np.int64)
    done = np.empty(shape, dtype=np.uint8)
    busy = np.empty(shape, dtype=np.uint8)
    # the counter's window machine, counting the bits in which a and b differ
    _count_windows(
        params.words, ins["start"], np.bitwise_count(ins["a"] ^ ins["b"]), count, done, busy
    )
    return HammingTrace(*finish(one_d, count, done, busy))
