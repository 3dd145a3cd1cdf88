"""Dense SC layer: comparator-encoded synapses, per-neuron synapse counts, LIF neurons."""

from __future__ import annotations

from typing import Any

from amaranth.hdl import Const, Module, Mux, ResetInserter, Signal, signed
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..params import DenseParams, EncoderParams, LfsrParams
from ._base import Primitive
from .encoder import Encoder
from .lif import Lif

__all__ = ["Dense"]


class Dense(Primitive):
    """A dense layer of ``n_neurons`` LIF neurons over ``n_inputs`` SC synapses
    (see :class:`scgen.params.DenseParams`; the IR's ``dense_forward``).

    Every input ``i`` and weight ``k`` is a comparator encoder on the 16-bit LFSR seeded as the
    params say, reseeded by ``start``; constant weights that fit come from a ROM of their
    streams instead. On every cycle each neuron's synapse count (its ``x_i & w_ik`` bits) is
    registered, and on the next cycle, when ``en`` was 1, the neuron steps with
    ``I_t = y_min + (y_max - y_min) * count // n_inputs`` (wrapped to ``data_width`` bits).

    Members
    -------
    start : In(1)
        Reseed every encoder and rewind the weight ROM (the window's first cycle).
    en : In(1)
        A stream cycle: its synapse counts step the neurons one cycle later; advances the ROM.
    x : In(16 * n_inputs)
        The inputs' 16-bit full-scale rates, input 0 in the low bits.
    w : In(16 * n_weights)
        The weights (absent when the params hold constant weights), weight 0 in the low bits.
    leak_k, gain_k : In(signed(data_width))
        The neurons' leak and gain (absent when the params fix them).
    spikes : Out(n_neurons)
        Bit ``n`` is neuron ``n``'s spike on this cycle.
    """

    PARAMS = DenseParams

    def __init__(self, params: DenseParams):
        p = params
        members: dict[str, Any] = {}
        if isinstance(p, DenseParams):
            s = signed(p.data_width)
            members = {"start": In(1), "en": In(1), "x": In(p.RATE_BITS * p.n_inputs)}
            if p.weights is None:
                members["w"] = In(p.RATE_BITS * p.n_weights)
            if p.leak_k is None:
                members["leak_k"] = In(s)
            if p.gain_k is None:
                members["gain_k"] = In(s)
            members["spikes"] = Out(p.n_neurons)
        super().__init__(params, members)

    def elaborate(self, platform: Any) -> Module:
        m = Module()
        p: DenseParams = self.params
        ni, nn, rb = p.n_inputs, p.n_neurons, p.RATE_BITS
        x_bits = []
        for i, seed in enumerate(p.input_seeds()):
            enc = Encoder(EncoderParams(source=LfsrParams(seed=seed)))
            m.submodules[f"x{i}"] = ResetInserter(self.start)(enc)
            m.d.comb += [enc.x.eq(self.x[rb * i : rb * (i + 1)]), enc.en.eq(1)]
            x_bits.append(enc.o)
        w_bits: list[Any] = []
        if p.uses_rom:
            # constant weights: their streams are known at elaboration, so they come from a
            # ROM (block RAM) instead of one LFSR and comparator per weight
            length = p.stream_length
            rom = Memory(shape=p.n_weights, depth=length, init=p.rom_words())
            m.submodules.rom = rom
            port = rom.read_port()
            addr = Signal(range(max(length, 2)))
            with m.If(self.start):
                m.d.sync += addr.eq(1 % length)
            with m.Elif(self.en):
                m.d.sync += addr.eq(Mux(addr == length - 1, 0, addr + 1))
            m.d.comb += port.addr.eq(Mux(self.start, 0, addr))
            w_bits = [port.data[k] for k in range(p.n_weights)]
        else:
            for k, seed in enumerate(p.weight_seeds()):
                enc = Encoder(EncoderParams(source=LfsrParams(seed=seed)))
                m.submodules[f"w{k}"] = ResetInserter(self.start)(enc)
                value = (
                    Const(p.weights[k], rb)
                    if p.weights is not None
                    else self.w[rb * k : rb * (k + 1)]
                )
                m.d.comb += [enc.x.eq(value), enc.en.eq(1)]
                w_bits.append(enc.o)
        en_d = Signal()
        m.d.sync += en_d.eq(self.en)
        lif_params = p.lif_params()
        for n in range(nn):
            # the synapse count is registered: the neuron steps one cycle later, so the
            # encoder/count path and the neuron update are separate timing paths
            count = Signal(range(ni + 1), name=f"count{n}")
            m.d.sync += count.eq(sum(x_bits[i] & w_bits[p.weight_index(n, i)] for i in range(ni)))
            lif = Lif(lif_params, leak_k=p.leak_k, gain_k=p.gain_k)
            m.submodules[f"lif{n}"] = lif
            if p.leak_k is None:
                m.d.comb += lif.leak_k.eq(self.leak_k)
            if p.gain_k is None:
                m.d.comb += lif.gain_k.eq(self.gain_k)
            m.d.comb += [
                lif.en.eq(en_d),
                lif.I_t.eq(p.y_min + (p.y_max - p.y_min) * count // ni),
                lif.noise_in.eq(0),
                self.spikes[n].eq(lif.spike),
            ]
        return m
