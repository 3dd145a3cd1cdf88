"""Fixed-point leaky integrate-and-fire neuron."""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed
from amaranth.lib.wiring import In, Out

from ..params import LifParams
from ._base import Primitive

__all__ = ["Lif"]


class Lif(Primitive):
    """LIF neuron with wrap-around W-bit arithmetic (see :class:`scgen.params.LifParams`).

    One step per enabled cycle: ``v_next = wrap(v + wrap(((v_rest - v) * leak_k) >> F) +
    wrap((I_t * gain_k) >> F) + noise_in)``, spike when ``v_next >= v_threshold`` (signed), with
    the refractory rule of the chosen ordering (SEED_BEHAVIOUR §4.2 / §4.3).

    Members
    -------
    en : In(1)
        Take one step this cycle.
    leak_k, gain_k, I_t, noise_in : In(signed(data_width))
        This step's leak, gain, input current and noise (raw fixed point).
    spike : Out(1)
        The step's spike (combinational); 0 when ``en`` is 0.
    v : Out(signed(data_width))
        The membrane after this cycle's step (combinational); the held membrane when ``en`` is 0.
        The membrane is ``v_rest`` after reset.

    ``leak_k=`` / ``gain_k=`` (integers) fold a constant leak or gain in at elaboration: the
    port disappears and its products become shifts and adds (no multiplier), with the same
    results as the port held at that value.
    """

    PARAMS = LifParams

    def __init__(self, params: LifParams, *, leak_k: int | None = None, gain_k: int | None = None):
        s = signed(getattr(params, "data_width", 2))
        members = {
            "en": In(1),
            "leak_k": In(s),
            "gain_k": In(s),
            "I_t": In(s),
            "noise_in": In(s),
            "spike": Out(1),
            "v": Out(s),
        }
        # a constant leak or gain replaces its port and is multiplied by shifts and adds
        self._const = {}
        for name, value in (("leak_k", leak_k), ("gain_k", gain_k)):
            if value is None:
                continue
            lo, hi = -(1 << (s.width - 1)), (1 << (s.width - 1)) - 1
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                self._MustUse__silence = True
                raise ValueError(
                    f"Lif constant {name} must be an integer in [{lo}, {hi}], not {value!r}"
                )
            self._const[name] = value
            del members[name]
        super().__init__(params, members)

    def _times(self, name: str, x):
        """``x * k`` for the port or elaboration constant ``k`` called ``name``."""
        if name not in self._const:
            return x * getattr(self, name)
        return _times_constant(x, self._const[name])

    def elaborate(self, platform):
        m = Module()
        p = self.params
        w, f = p.data_width, p.fraction
        shape = signed(w)
        v_rest, v_reset = Const(p.v_rest, shape), Const(p.v_reset, shape)
        v = Signal(shape, init=p.v_rest)
        rc = Signal(p.counter_width)

        diff = Signal(signed(w + 1))
        dv_leak, dv_in, drive, v_next = Signal(shape), Signal(shape), Signal(shape), Signal(shape)
        fired = Signal()
        if p.diff_width() == w + 1:
            # v_rest - v is exact in w + 1 bits, so (v_rest - v) * k = v_rest * k - v * k: the
            # multiplier takes the membrane register directly (no subtractor before it in the
            # loop), and v_rest * k does not depend on v
            rest_k = Signal(signed(2 * w + 1))
            m.d.comb += [
                rest_k.eq(self._times("leak_k", v_rest)),
                dv_leak.eq(((rest_k - self._times("leak_k", v)) >> f)[:w].as_signed()),
            ]
        else:  # a narrower difference wraps: keep the seed's order of operations
            m.d.comb += [
                diff.eq((v_rest - v)[: p.diff_width()].as_signed()),
                dv_leak.eq(((self._times("leak_k", diff)) >> f)[:w].as_signed()),
            ]
        m.d.comb += [
            dv_in.eq(((self._times("gain_k", self.I_t)) >> f)[:w].as_signed()),
            # input and noise do not depend on v: summed beside the leak multiplier, so the
            # membrane's loop has one adder (sums wrap mod 2**w, any grouping is the same)
            drive.eq((dv_in + self.noise_in)[:w].as_signed()),
            v_next.eq((v + dv_leak + drive)[:w].as_signed()),
            fired.eq(v_next >= Const(p.v_threshold, shape)),
        ]

        spike, v_out, rc_out = Signal(), Signal(shape), Signal(p.counter_width)
        if p.blueprint():
            rc1 = Signal(p.counter_width)
            m.d.comb += rc1.eq(Mux(fired, p.refractory_period, rc))
            with m.If(rc1 != 0):
                m.d.comb += [spike.eq(0), v_out.eq(v_rest), rc_out.eq(rc1 - 1)]
            with m.Else():
                m.d.comb += [spike.eq(fired), v_out.eq(Mux(fired, v_reset, v_next)), rc_out.eq(0)]
        else:
            with m.If(rc != 0):
                m.d.comb += [spike.eq(0), v_out.eq(v_rest), rc_out.eq(rc - 1)]
            with m.Elif(fired):
                m.d.comb += [spike.eq(1), v_out.eq(v_reset), rc_out.eq(p.refractory_period)]
            with m.Else():
                m.d.comb += [spike.eq(0), v_out.eq(v_next), rc_out.eq(rc)]

        with m.If(self.en):
            m.d.comb += [self.spike.eq(spike), self.v.eq(v_out)]
            m.d.sync += [v.eq(v_out), rc.eq(rc_out)]
        with m.Else():
            m.d.comb += [self.spike.eq(0), self.v.eq(v)]
        return m


def _times_constant(x, k: int):
    """``x * k`` as shifts and adds of the canonical signed-digit form of ``k`` (at most
    ceil(bits / 2) + 1 terms, no multiplier)."""
    terms, shift = [], 0
    while k != 0:
        if k & 1:
            digit = 2 - (k & 3)  # +1 or -1: the non-adjacent form
            terms.append((digit, shift))
            k -= digit
        k >>= 1
        shift += 1
    if not terms:
        return Const(0, 1)
    acc = None
    for digit, sh in terms:
        term = (x.as_signed() << sh) if digit > 0 else -(x.as_signed() << sh)
        acc = term if acc is None else acc + term
    return acc
