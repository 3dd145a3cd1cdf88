"""Twins of the combinational HDC primitives: bind (:class:`scgen.hw.Bind`) and bundle
(:class:`scgen.hw.Bundle`), and their one-lane forms on packed streams (see
:mod:`scgen.sw.logic`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import BindParams, BundleParams
from ._ports import as_stimulus, check_params, finish, unsigned_range

__all__ = ["WordTrace", "bind", "bind_packed", "bundle", "bundle_packed"]


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


def bind_packed(params: BindParams, length: int, a: np.ndarray, b: np.ndarray):
    """:func:`bind` on packed streams (one lane; None for more)."""
    return a ^ b if params.lanes == 1 else None


def bundle_packed(params: BundleParams, length: int, **streams: np.ndarray):
    """:func:`bundle` on packed streams (one lane; None for more): the strict majority of the
    ``n`` streams, bit by bit, from the bit planes of their per-cycle counts."""
    if params.lanes != 1:
        return None
    from .packed import count_planes

    words = np.broadcast_arrays(*(streams[k] for k in params.port_names()))
    stacked = np.stack(words, axis=-1)  # (rows, words, n)
    planes = count_planes(stacked.reshape(-1, params.n)).reshape(*stacked.shape[:2], -1)
    return _above(planes, params.threshold)


def _above(planes: np.ndarray, k: int) -> np.ndarray:
    """Bit ``t`` is 1 where the count whose bit ``j`` is bit ``t`` of ``planes[..., j]`` is
    above ``k`` (an unsigned compare of bit-sliced numbers, most significant plane first)."""
    above = np.zeros(planes.shape[:-1], dtype=np.uint64)
    equal = np.full(planes.shape[:-1], np.uint64(0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
    for j in range(planes.shape[-1] - 1, -1, -1):
        p = planes[..., j]
        if (k >> j) & 1:
            equal &= p
        else:
            above |= equal & p
            equal &= ~p
    return above
