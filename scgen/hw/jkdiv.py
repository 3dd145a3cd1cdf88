"""JK flip-flop divider: the ratio ``a / (a + b)`` of two independent streams."""

from __future__ import annotations

from typing import Any

from amaranth.hdl import Module, Signal
from amaranth.lib.wiring import In, Out

from ..params.jkdiv import JkDivParams
from ._base import Primitive

__all__ = ["JkDiv"]


class JkDiv(Primitive):
    """A JK flip-flop per lane, set by ``a`` (J) and reset by ``b`` (K); both toggle it.

    Members
    -------
    a : In(lanes)
        J: sets ``q`` (toggles it together with ``b``).
    b : In(lanes)
        K: clears ``q`` (toggles it together with ``a``).
    o : Out(lanes)
        The flip-flop ``q`` (registered, 0 after reset). ``P(o) -> P(a) / (P(a) + P(b))``.
    """

    PARAMS = JkDivParams

    def __init__(self, params: JkDivParams):
        n = getattr(params, "lanes", 1)
        super().__init__(params, {"a": In(n), "b": In(n), "o": Out(n)})

    def elaborate(self, platform: Any) -> Module:
        m = Module()
        q = Signal(self.params.lanes)
        m.d.sync += q.eq((self.a & ~q) | (~self.b & q))
        m.d.comb += self.o.eq(q)
        return m
