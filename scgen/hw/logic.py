"""Bitstream arithmetic: AND and XNOR multipliers, MUX adder (combinational, per lane)."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib.wiring import In, Out

from ..params import AddMuxParams, MulAndParams, MulXnorParams
from ._base import Primitive

__all__ = ["AddMux", "MulAnd", "MulXnor"]


def _lanes(params) -> int:
    return getattr(params, "lanes", 1)


class MulAnd(Primitive):
    """Unipolar SC multiplier.

    Members
    -------
    a, b : In(lanes)
        One stream bit per lane.
    o : Out(lanes)
        ``a & b``, combinational; P(o) = P(a) P(b) for independent streams.
    """

    PARAMS = MulAndParams

    def __init__(self, params: MulAndParams):
        n = _lanes(params)
        super().__init__(params, {"a": In(n), "b": In(n), "o": Out(n)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.o.eq(self.a & self.b)
        return m


class MulXnor(Primitive):
    """Bipolar SC multiplier.

    Members
    -------
    a, b : In(lanes)
    o : Out(lanes)
        ``~(a ^ b)``, combinational; bipolar value(o) = value(a) value(b).
    """

    PARAMS = MulXnorParams

    def __init__(self, params: MulXnorParams):
        n = _lanes(params)
        super().__init__(params, {"a": In(n), "b": In(n), "o": Out(n)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.o.eq(~(self.a ^ self.b))
        return m


class AddMux(Primitive):
    """Scaled SC adder.

    Members
    -------
    a, b : In(lanes)
    sel : In(lanes)
        Select stream per lane (P(sel) = 1/2 gives (a + b) / 2).
    o : Out(lanes)
        ``b`` where ``sel`` is 1, else ``a``; combinational.
    """

    PARAMS = AddMuxParams

    def __init__(self, params: AddMuxParams):
        n = _lanes(params)
        super().__init__(params, {"a": In(n), "b": In(n), "sel": In(n), "o": Out(n)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.o.eq((self.a & ~self.sel) | (self.b & self.sel))
        return m
