"""Fixed-point Kuramoto oscillator network, time-multiplexed over one multiply-accumulate."""

from __future__ import annotations

from amaranth.hdl import Array, Const, Module, Mux, Signal, signed
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..params import KuramotoParams
from ._base import Primitive
from .lfsr import Lfsr

__all__ = ["Kuramoto"]


class Kuramoto(Primitive):
    """N phase oscillators with sine coupling (see :class:`scgen.params.KuramotoParams`).

    One coupling term ``coupling[n][m] * sine(θ_m - θ_n)`` per enabled cycle, m fastest: a
    step takes N**2 enabled cycles and commits all N new phases on its last edge. The network
    needs one multiplier, one sine table and 2N - 1 phase registers whatever N is; a parallel
    datapath would need N (or N**2) multipliers, more than an iCE40 UP5K has for N = 8..16
    (8 DSPs, 5280 LUTs), while N**2 = 256 cycles per step still gives 47 000 steps/s at
    12 MHz. The sine table and the weights are constant ROMs folded at elaboration.

    Members
    -------
    en : In(1)
        Do one coupling term on the clock edge that ends this cycle.
    sel : In(index_bits)
        Which oscillator ``phase`` shows; must be below N.
    phase : Out(phase_bits)
        Phase of oscillator ``sel`` during this cycle (``phases`` after reset), a fraction of
        2π in units of 2π / 2**phase_bits.
    done : Out(1)
        1 when this cycle's edge commits an Euler step (``en`` high on the last term).
    """

    PARAMS = KuramotoParams

    def __init__(self, params: KuramotoParams):
        super().__init__(
            params,
            {
                "en": In(1),
                "sel": In(getattr(params, "index_bits", 1)),
                "phase": Out(getattr(params, "phase_bits", 1)),
                "done": Out(1),
            },
        )

    def elaborate(self, platform):
        m = Module()
        p = self.params
        n, pb, ib = p.n, p.phase_bits, p.index_bits
        theta = Array(
            Signal(pb, init=v, name=f"theta{k}") for k, v in enumerate(p.initial_phases())
        )
        nxt = [Signal(pb, name=f"next{k}") for k in range(n - 1)]
        row, col = Signal(ib), Signal(ib)
        acc = Signal(signed(p.acc_width))

        m.submodules.sine = sine = Memory(
            shape=signed(p.sine_bits), depth=1 << p.lut_bits, init=p.sine_table()
        )
        sine_rd = sine.read_port(domain="comb")
        flat = [0] * (1 << (2 * ib))  # weight of (row, col) at address {row, col}
        for i, weights in enumerate(p.coupling):
            for j, w in enumerate(weights):
                flat[(i << ib) | j] = w
        m.submodules.weights = weights = Memory(
            shape=signed(p.weight_bits), depth=len(flat), init=flat
        )
        weight_rd = weights.read_port(domain="comb")

        diff = Signal(pb)
        shift = pb - p.lut_bits
        m.d.comb += [
            diff.eq(theta[col] - theta[row]),
            sine_rd.addr.eq((diff + (1 << (shift - 1)) if shift else diff) >> shift),
            weight_rd.addr.eq((row << ib) | col),
        ]
        total = Signal(signed(p.acc_width))
        m.d.comb += total.eq(Mux(col == 0, 0, acc) + weight_rd.data * sine_rd.data)

        noise = Const(0, signed(2))
        if p.noise_bits:
            m.submodules.lfsr = lfsr = Lfsr(p.noise)
            m.d.comb += lfsr.en.eq(self.en)
            b = p.noise_bits
            noise = Signal(signed(b + 2))
            m.d.comb += noise.eq((lfsr.value[:b] << 1) - ((1 << b) - 1))
        inc = Signal(signed(p.acc_width))
        new = Signal(pb)
        half = (1 << (p.fraction - 1)) if p.fraction else 0
        m.d.comb += [
            inc.eq((total + half) >> p.fraction),
            new.eq(theta[row] + Array(Const(w, signed(pb)) for w in p.omega)[row] + inc + noise),
        ]

        last_col, last_row = col == n - 1, row == n - 1
        m.d.comb += [
            self.phase.eq(theta[self.sel]),
            self.done.eq(self.en & last_col & last_row),
        ]
        with m.If(self.en):
            m.d.sync += acc.eq(total)
            with m.If(last_col):
                m.d.sync += col.eq(0)
                with m.If(last_row):
                    m.d.sync += row.eq(0)
                    m.d.sync += [theta[k].eq(nxt[k]) for k in range(n - 1)]
                    m.d.sync += theta[n - 1].eq(new)
                with m.Else():
                    m.d.sync += row.eq(row + 1)
                    with m.Switch(row):
                        for k in range(n - 1):
                            with m.Case(k):
                                m.d.sync += nxt[k].eq(new)
            with m.Else():
                m.d.sync += col.eq(col + 1)
        return m
