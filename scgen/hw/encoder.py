"""Comparator stochastic number generator."""

from __future__ import annotations

from amaranth.hdl import Module, signed
from amaranth.lib.wiring import In, Out

from ..params import EncoderParams, Encoding, LfsrParams
from ._base import Primitive
from .lfsr import Lfsr
from .sobol import Sobol

__all__ = ["Encoder"]


class Encoder(Primitive):
    """Comparator SNG driven by an LFSR or Sobol source (see :class:`scgen.params.EncoderParams`).

    Members
    -------
    x : In(width), or In(signed(width)) when bipolar
        Value to encode this cycle.
    en : In(1)
        Advance the source on the clock edge that ends this cycle.
    o : Out(1)
        Stream bit: ``source < x`` (unsigned compare; bipolar flips the sign bit of ``x``
        first), combinational from this cycle's ``x`` and source value. The blueprint ordering
        is the same circuit with a source that starts one step ahead.
    """

    PARAMS = EncoderParams

    def __init__(self, params: EncoderParams):
        if isinstance(params, EncoderParams):
            w = params.width
            shape = signed(w) if params.encoding is Encoding.BIPOLAR else w
        else:
            shape = 1
        super().__init__(params, {"x": In(shape), "en": In(1), "o": Out(1)})

    def elaborate(self, platform):
        m = Module()
        p = self.params
        src = p.source_params()
        m.submodules.source = source = Lfsr(src) if isinstance(src, LfsrParams) else Sobol(src)
        m.d.comb += [
            source.en.eq(self.en),
            self.o.eq(source.value < (self.x.as_unsigned() ^ p.x_offset())),
        ]
        return m
