"""Twins of the combinational HDC primitives: bind (:class:`scgen.hw.Bind`) and bundle
(:class:`scgen.hw.Bundle`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import BindParams, BundleParams
from ._ports import as_stimulus, check_params, finish, unsigned_range

__all__ = ["WordTrace", "bind", "bundle"]


class WordTrace(NamedTuple):
    """Per-cycle output word ``o`` (one bit per lane)."""

    o: np.ndarray


def bind(params: BindParams, a: object, b: object) -> WordTrace:
    """Twin of :class:`scgen.hw.Bind`: ``o = a ^ b``."""
    check_params("Bind", BindParams, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus("Bind", {"a": (a, rng, np.uint64), "b": (b, rng, np.uint64)})
    return WordTrace(*finish(one_d, ins["a"] ^ ins["b"]))


def bundle(params: BundleParams, **streams: object) -> WordTrace:
    """Twin of :class:`scgen.hw.Bundle`: per lane, 1 where more than ``n // 2`` of the
    streams ``a0 .. a{n-1}`` are 1."""
    check_params("Bundle", BundleParams, params)
    names = params.port_names()
    if set(streams) != set(names):
        raise TypeError(
            f"Bundle inputs must be {', '.join(names)}, not {', '.join(sorted(streams)) or 'none'}"
        )
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus("Bundle", {k: (streams[k], rng, np.uint64) for k in names})
    shape = ins[names[0]].shape
    o = np.zeros(shape, dtype=np.uint64)
    count = np.empty(shape, dtype=np.uint8)
    for lane in range(params.lanes):  # one lane at a time: memory stays one count per cycle
        bit = np.uint64(lane)
        count[...] = 0
        for k in names:
            count += ((ins[k] >> bit) & np.uint64(1)).astype(np.uint8)
        o |= (count > params.threshold).astype(np.uint64) << bit
    return WordTrace(*finish(one_d, o))
