"""Window counter: the hardware popcount of a stream."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib.wiring import In, Out

from ..params import CounterParams
from ._base import Primitive

__all__ = ["Counter"]


class Counter(Primitive):
    """Count the ones of ``x`` over ``window`` cycles (see :class:`scgen.params.CounterParams`).

    Members
    -------
    start : In(1)
        Open a window whose first counted bit is this cycle's ``x``; restarts a running window.
    x : In(1)
        Stream bit.
    count : Out(count_width)
        Ones in the last finished window, registered, held until the next window finishes;
        0 after reset.
    done : Out(1)
        1 for one cycle, right after the window's last counted bit (``count`` is new then).
    busy : Out(1)
        1 on every cycle whose ``x`` is counted (combinational).
    """

    PARAMS = CounterParams

    def __init__(self, params: CounterParams):
        cw = getattr(params, "count_width", 1)
        super().__init__(
            params, {"start": In(1), "x": In(1), "count": Out(cw), "done": Out(1), "busy": Out(1)}
        )

    def elaborate(self, platform):
        m = Module()
        p = self.params
        cw = p.count_width
        acc, left, result, finished = Signal(cw), Signal(cw), Signal(cw), Signal()
        acc_in, left_in = Signal(cw), Signal(cw)
        m.d.comb += [
            acc_in.eq(Mux(self.start, 0, acc)),
            left_in.eq(Mux(self.start, p.window, left)),
            self.count.eq(result),
            self.done.eq(finished),
            self.busy.eq(left_in != 0),
        ]
        m.d.sync += finished.eq(0)
        with m.If(left_in != 0):
            m.d.sync += [acc.eq(acc_in + self.x), left.eq(left_in - 1)]
            with m.If(left_in == 1):
                m.d.sync += [result.eq(acc_in + self.x), finished.eq(1)]
        return m
