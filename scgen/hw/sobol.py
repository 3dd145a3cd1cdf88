"""Sobol low-discrepancy source."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib.wiring import In, Out

from ..params import SobolParams
from ._base import Primitive

__all__ = ["Sobol"]


class Sobol(Primitive):
    """One Sobol dimension in Gray-code order (see :class:`scgen.params.SobolParams`).

    An index counter and an XOR accumulator: each enabled step flips the direction number of the
    lowest zero bit of the index, so one step costs a priority encoder and a W-bit XOR.

    Members
    -------
    en : In(1)
        Move to the next point on the clock edge that ends this cycle.
    value : Out(width)
        The current point (scrambled); the point of index ``start`` after reset.
    """

    PARAMS = SobolParams

    def __init__(self, params: SobolParams):
        super().__init__(params, {"en": In(1), "value": Out(getattr(params, "width", 1))})

    def elaborate(self, platform):
        m = Module()
        p = self.params
        dirs = p.direction_numbers()
        index = Signal(p.width, init=p.start)
        point = Signal(p.width, init=p.start_value())
        flip = Signal(p.width)
        m.d.comb += self.value.eq(point ^ p.scramble)
        # Lowest zero bit of the index; all ones (end of period) selects the top direction number.
        with m.If(~index[0] if p.width > 1 else 0):
            m.d.comb += flip.eq(dirs[0])
        for k in range(1, p.width - 1):
            with m.Elif(~index[k]):
                m.d.comb += flip.eq(dirs[k])
        with m.Else():
            m.d.comb += flip.eq(dirs[p.width - 1])
        with m.If(self.en):
            m.d.sync += [index.eq(index + 1), point.eq(point ^ flip)]
        return m
