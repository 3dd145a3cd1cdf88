"""Twins of the bitstream arithmetic primitives: AND and XNOR multipliers, MUX adder.

These are combinational, so the twin is the word-wise operation itself: each lane's bits are
given as integers (bit ``k`` = lane ``k``) on every cycle. The ``*_packed`` forms compute one lane
on packed streams (``(rows, ceil(L / 64))`` uint64, bit ``t % 64`` of word ``t // 64`` = cycle
``t``, rows broadcasting), the compiled graph engine's part of the ops; they return None for
``lanes > 1``, which has no packed form.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import AddMuxParams, MulAndParams, MulXnorParams, _LaneParams
from ._ports import as_stimulus, check_params, finish, unsigned_range
from .packed import stream_mask

__all__ = [
    "LogicTrace",
    "add_mux",
    "add_mux_packed",
    "mul_and",
    "mul_and_packed",
    "mul_xnor",
    "mul_xnor_packed",
]


class LogicTrace(NamedTuple):
    """Per-cycle output ``o`` of a bitstream operator (one bit per lane)."""

    o: np.ndarray


def _lanes(owner: str, kind: type, params: _LaneParams, **ports: object):
    check_params(owner, kind, params)
    rng = unsigned_range(params.lanes)
    ins, one_d = as_stimulus(owner, {n: (v, rng, np.uint64) for n, v in ports.items()})
    return ins, one_d, np.uint64((1 << params.lanes) - 1)


def mul_and(params: MulAndParams, a: object, b: object) -> LogicTrace:
    """Twin of :class:`scgen.hw.MulAnd`: ``o = a & b`` (unipolar product)."""
    ins, one_d, _ = _lanes("AND multiplier", MulAndParams, params, a=a, b=b)
    return LogicTrace(*finish(one_d, ins["a"] & ins["b"]))


def mul_xnor(params: MulXnorParams, a: object, b: object) -> LogicTrace:
    """Twin of :class:`scgen.hw.MulXnor`: ``o = ~(a ^ b)`` (bipolar product)."""
    ins, one_d, full = _lanes("XNOR multiplier", MulXnorParams, params, a=a, b=b)
    return LogicTrace(*finish(one_d, ~(ins["a"] ^ ins["b"]) & full))


def add_mux(params: AddMuxParams, a: object, b: object, sel: object) -> LogicTrace:
    """Twin of :class:`scgen.hw.AddMux`: per lane ``o = b if sel else a`` (scaled addition)."""
    ins, one_d, full = _lanes("MUX adder", AddMuxParams, params, a=a, b=b, sel=sel)
    s = ins["sel"]
    return LogicTrace(*finish(one_d, (ins["a"] & ~s & full) | (ins["b"] & s)))


def mul_and_packed(params: MulAndParams, length: int, a: np.ndarray, b: np.ndarray):
    """:func:`mul_and` on packed streams (one lane; None for more)."""
    return a & b if params.lanes == 1 else None


def mul_xnor_packed(params: MulXnorParams, length: int, a: np.ndarray, b: np.ndarray):
    """:func:`mul_xnor` on packed streams (one lane; None for more); bits past ``length`` stay 0."""
    return ~(a ^ b) & stream_mask(length) if params.lanes == 1 else None


def add_mux_packed(
    params: AddMuxParams, length: int, a: np.ndarray, b: np.ndarray, sel: np.ndarray
):
    """:func:`add_mux` on packed streams (one lane; None for more)."""
    return (a & ~sel) | (b & sel) if params.lanes == 1 else None
