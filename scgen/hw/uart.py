"""UART transmitter and receiver (8N1, least significant bit first): the host link's line."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib.wiring import In, Out

from ..params import UartRxParams, UartTxParams
from ._base import Primitive

__all__ = ["UartRx", "UartTx"]


class UartTx(Primitive):
    """UART transmitter (see :class:`scgen.params.UartTxParams`).

    A byte accepted on cycle ``t`` puts its start bit on ``tx`` from cycle ``t + 1`` for
    ``clocks_per_bit`` cycles, then data bits 0 to 7, then the stop bit (``1``); a frame is
    ``10 * clocks_per_bit`` cycles. The next byte can be accepted on the stop bit's last cycle,
    so back-to-back bytes leave no idle cycle between frames.

    Members
    -------
    data : In(8)
        Byte to send, read on the cycle it is accepted.
    valid : In(1)
        ``data`` is to be sent; accepted on a cycle where ``ready`` is also 1.
    ready : Out(1)
        A byte offered now is accepted (a register); 1 after reset.
    tx : Out(1)
        The serial line (registered), 1 when idle and after reset.
    """

    PARAMS = UartTxParams

    def __init__(self, params: UartTxParams):
        super().__init__(params, {"data": In(8), "valid": In(1), "ready": Out(1), "tx": Out(1)})

    def elaborate(self, platform):
        m = Module()
        cpb = self.params.clocks_per_bit
        line = Signal(init=1)
        shreg = Signal(9)  # data bits still to send, then the stop bit
        left = Signal(range(11))  # bits of the frame not yet finished, the current one included
        div = Signal(range(max(cpb, 2)))  # cycles left in the current bit, minus one
        # ready = (left == 0) | ((left == 1) & (div == 0)), kept as a register (set from the
        # next left and div): the link's reply path starts at it
        ready = Signal(init=1)
        m.d.comb += [self.tx.eq(line), self.ready.eq(ready)]
        with m.If(self.valid & ready):
            m.d.sync += [line.eq(0), shreg.eq(Cat(self.data, 1)), left.eq(10), div.eq(cpb - 1)]
            m.d.sync += ready.eq(0)
        with m.Elif(left != 0):
            with m.If(div == 0):
                m.d.sync += [
                    left.eq(left - 1),
                    line.eq(shreg[0]),
                    shreg.eq(Cat(shreg[1:], 1)),
                    div.eq(cpb - 1),
                    ready.eq((left == 1) | ((left == 2) if cpb == 1 else 0)),
                ]
            with m.Else():
                m.d.sync += [div.eq(div - 1), ready.eq((left == 1) & (div == 1))]
        return m


class UartRx(Primitive):
    """UART receiver with mid-bit sampling (see :class:`scgen.params.UartRxParams`).

    ``rx`` passes a two-flop synchronizer first, so the receiver sees the line two cycles late.
    A low sample in idle opens a frame; ``clocks_per_bit // 2`` cycles later the start bit is
    sampled again (a high sample there was a glitch: back to idle), then each data bit and the
    stop bit are sampled ``clocks_per_bit`` cycles apart. Right after the stop-bit sample the
    receiver is idle again and watches for the next start bit.

    Members
    -------
    rx : In(1)
        The serial line (asynchronous; idle high).
    data : Out(8)
        Received bits, shifted in as they are sampled; the whole byte from ``clocks_per_bit``
        cycles before the cycle ``valid`` or ``error`` is 1 (from the cycle after the last data
        bit's sample), held until the next frame's first data bit. 0 after reset.
    valid : Out(1)
        1 for one cycle after a frame whose stop bit was 1.
    error : Out(1)
        1 for one cycle after a frame whose stop bit was 0 (framing error; ``data`` holds the
        bits received).
    """

    PARAMS = UartRxParams

    def __init__(self, params: UartRxParams):
        super().__init__(params, {"rx": In(1), "data": Out(8), "valid": Out(1), "error": Out(1)})

    def elaborate(self, platform):
        m = Module()
        p = self.params
        cpb = p.clocks_per_bit
        sync1, line = Signal(init=1), Signal(init=1)
        m.d.sync += [sync1.eq(self.rx), line.eq(sync1)]
        # phase 0: idle, 1: start bit, 2..9: data bits 0..7, 10: stop bit
        phase = Signal(range(11))
        div = Signal(range(max(cpb, 2)))  # cycles to the next sample
        data, valid, error = Signal(8), Signal(), Signal()
        m.d.comb += [self.data.eq(data), self.valid.eq(valid), self.error.eq(error)]
        m.d.sync += [valid.eq(0), error.eq(0)]
        with m.If(phase == 0):
            with m.If(~line):
                m.d.sync += [phase.eq(1), div.eq(p.half_bit - 1)]
        with m.Elif(div != 0):
            m.d.sync += div.eq(div - 1)
        with m.Else():
            m.d.sync += div.eq(cpb - 1)
            with m.If(phase == 1):
                m.d.sync += phase.eq(Mux(line, 0, 2))  # a glitch returns to idle
            with m.Elif(phase != 10):
                m.d.sync += [data.eq(Cat(data[1:], line)), phase.eq(phase + 1)]
            with m.Else():
                m.d.sync += [phase.eq(0), valid.eq(line), error.eq(~line)]
        return m
