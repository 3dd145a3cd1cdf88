"""Linear-feedback shift register source."""

from __future__ import annotations

from functools import reduce
from operator import xor

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib.wiring import In, Out

from ..params import LfsrParams
from ._base import Primitive

__all__ = ["Lfsr"]


class Lfsr(Primitive):
    """Fibonacci or Galois LFSR (see :class:`scgen.params.LfsrParams`).

    Members
    -------
    en : In(1)
        Step on the clock edge that ends this cycle.
    value : Out(width)
        The register during this cycle; ``seed`` after reset. Never 0.
    """

    PARAMS = LfsrParams

    def __init__(self, params: LfsrParams):
        super().__init__(params, {"en": In(1), "value": Out(getattr(params, "width", 1))})

    def elaborate(self, platform):
        m = Module()
        p = self.params
        state = Signal(p.width, init=p.seed)
        m.d.comb += self.value.eq(state)
        with m.If(self.en):
            m.d.sync += state.eq(lfsr_next(p, state))
        return m


def lfsr_next(params: LfsrParams, state):
    """The state after one step of the LFSR ``params`` from ``state`` (an expression)."""
    if params.galois():
        return (state >> 1) ^ Mux(state[0], params.taps_mask(), 0)
    feedback = reduce(xor, (state[e - 1] for e in params.exponents))
    return Cat(feedback, state[:-1])
