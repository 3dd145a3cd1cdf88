"""CORDIV: the sequential stochastic divider (one register per lane)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib.wiring import In, Out

from ..params import CordivParams
from ._base import Primitive

__all__ = ["Cordiv"]


class Cordiv(Primitive):
    """CORDIV sequential divider: the quotient of two correlated streams.

    Members
    -------
    a : In(lanes)
        Dividend stream bit per lane; its ones should be a subset of ``b``'s.
    b : In(lanes)
        Divisor stream bit per lane.
    o : Out(lanes)
        ``a`` where ``b`` is 1, else the last such ``a`` (0 after reset); combinational from
        ``a``, ``b`` and one register per lane. ``P(o) = P(a) / P(b)`` for ``a`` within ``b``.
    """

    PARAMS = CordivParams

    def __init__(self, params: CordivParams):
        n = getattr(params, "lanes", 1)
        super().__init__(params, {"a": In(n), "b": In(n), "o": Out(n)})

    def elaborate(self, platform):
        m = Module()
        q = Signal(self.params.lanes)
        m.d.comb += self.o.eq((self.a & self.b) | (q & ~self.b))
        m.d.sync += q.eq(self.o)
        return m
