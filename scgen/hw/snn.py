"""Time-multiplexed fixed-point spiking network: layers in a chain, weights in block RAM."""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..params.snn import Leak, Reset, SnnLayerParams, SnnParams
from .lfsr import lfsr_next

__all__ = ["SnnLayer", "SnnNetwork"]


class SnnLayer(wiring.Component):
    """One projection + population, ``pe`` neurons per cycle, one input synapse per cycle.

    Members
    -------
    go : In(1)
        Start a time step: ``s_in`` is copied, work runs for ``params.cycles()`` cycles.
    first : In(1)
        Held during the step: the step starts a sample (membranes read as 0).
    s_in : In(n_in)
        Input spikes, sampled on the ``go`` cycle.
    fin : Out(1)
        The step's last cycle (combinational); ``s_next`` is the step's spikes then.
    s_next : Out(n_out)
        The spike register's next value (the step's spikes on the ``fin`` cycle).
    s_out : Out(n_out)
        The spike register: the latest finished step's spikes, from the cycle after ``fin``.
    v_next : Out(n_out * membrane_width)
        The membranes (neuron ``j`` in bits ``j * membrane_width`` upwards, after any reset)
        on the ``fin`` cycle: an LI readout's output.

    The membranes sit in a ring of registers that rotates by ``pe`` per group, the weights in a
    ROM of ``groups * n_in`` words of ``pe`` weights, bias and threshold in a ROM of ``groups``
    words. Group schedule (``c`` = cycle in group): ``c < n_in`` fetch weight word and spike
    ``c``; ``1 <= c <= n_in`` accumulate; ``c = 0`` leak the ring's head, ``c = 1`` add the bias,
    ``c = n_in + 1`` add the synaptic sum, ``c = n_in + 2`` saturate and compare, ``c = n_in + 3``
    subtract or reset, and rotate. With a synaptic current (CUBA) a second ring holds the
    currents: ``c = 0`` leaks its head too, ``c = 1`` adds the bias to it (not to the membrane),
    ``c = n_in + 1`` adds the synaptic sum to the current and saturates, and the membrane's
    stages follow one cycle later (``n_in + 5`` cycles per group).

    Stochastic synapses stretch the synaptic phase to ``N = n_in * L`` cycles: word and spike
    ``c >> log2 L`` are held for L cycles while the layer's LFSR makes ``weight_width - 1``
    steps a cycle (from the step's saved state at each group's ``c = 0``, so every group sees
    the same draws) and each lane adds ``+-2**stream_shift`` where the draw is below ``|w|``; the
    stages above follow with ``N`` in place of ``n_in`` (``N + 1`` the sum, or the current, then
    with a current the membrane at ``N + 2``; compare and rotate after: ``N + 4`` or ``N + 5``
    cycles per group). After the last group the saved state takes the LFSR's (a ``first`` step
    starts from ``seed`` instead).

    Per-neuron values (:meth:`SnnLayerParams.neuron_fields`: beta, alpha, v_reset where the
    neurons differ) sit in the neuron ROM word after each lane's bias and threshold. The word is
    the group's from ``c = 1`` on, so a per-neuron leak, ``(v * beta_lane) >> beta_fraction``
    (signed ``v``, unsigned ``beta_lane``, floor shift: the twin's arithmetic), is computed at
    ``c = 1`` together with the bias (the ring's head holds until the rotation); ``v_reset``
    is read at the reset.
    """

    def __init__(self, params: SnnLayerParams):
        if not isinstance(params, SnnLayerParams):
            self._MustUse__silence = True
            raise TypeError(f"SnnLayer parameters must be an SnnLayerParams, not {params!r}")
        self._params = params
        super().__init__(
            {
                "go": In(1),
                "first": In(1),
                "s_in": In(params.n_in),
                "fin": Out(1),
                "s_next": Out(params.n_out),
                "s_out": Out(params.n_out),
                "v_next": Out(params.n_out * params.membrane_width),
            }
        )

    @property
    def params(self) -> SnnLayerParams:
        return self._params

    def elaborate(self, platform):
        m = Module()
        p = self._params
        n_in, pe, groups = p.n_in, p.pe, p.groups()
        n_pad, mw, ww = groups * pe, p.membrane_width, p.weight_width
        sw = p.sum_width()
        n_syn = p.synapse_cycles()  # n_in, or n_in * L for stochastic synapses
        tail = n_syn + p.has_current  # the last accumulate stage (the current's, with one)

        wrom = Memory(shape=unsigned(pe * ww), depth=groups * n_in, init=p.weight_words())
        lane_bits = p.neuron_word_width()  # 2 * mw, plus any per-neuron beta, alpha, v_reset
        nrom = Memory(shape=unsigned(pe * lane_bits), depth=groups, init=p.neuron_words())
        m.submodules.wrom, m.submodules.nrom = wrom, nrom
        wport, nport = wrom.read_port(), nrom.read_port()

        active = Signal()
        c = Signal(range(tail + 4))
        g = Signal(range(max(groups, 2)))
        addr = Signal(range(max(groups * n_in, 2)))
        sin = Signal(n_in)
        bit_d, fetch_d = Signal(), Signal()
        ring = [Signal(signed(mw), name=f"v{j}") for j in range(n_pad)]
        spikes = Signal(n_pad)
        acc = [Signal(signed(p.acc_width()), name=f"acc{lane}") for lane in range(pe)]
        leaked = [Signal(signed(sw), name=f"leaked{lane}") for lane in range(pe)]
        biased = [Signal(signed(sw), name=f"biased{lane}") for lane in range(pe)]
        total = [Signal(signed(sw), name=f"total{lane}") for lane in range(pe)]
        u = [Signal(signed(mw), name=f"u{lane}") for lane in range(pe)]
        cring = [Signal(signed(mw), name=f"i{j}") for j in range(n_pad if p.has_current else 0)]

        m.d.comb += [wport.addr.eq(addr), nport.addr.eq(g)]
        if p.stochastic:
            lfsr = p.lfsr()
            draw = Signal(lfsr.width, init=lfsr.seed)  # r_(c - 1) during cycle c of a group
            saved = Signal(lfsr.width, init=lfsr.seed)  # the step's state, replayed per group
            nxt = Signal(lfsr.width, name="leap0")
            m.d.comb += nxt.eq(Mux(c == 0, Mux(self.first, lfsr.seed, saved), draw))
            for k in range(p.draw_steps()):
                # a signal per step: nested expressions would copy the state once per tap
                step = Signal(lfsr.width, name=f"leap{k + 1}")
                m.d.comb += step.eq(lfsr_next(lfsr, nxt))
                nxt = step
            hit_value = Const(1 << p.stream_shift(), signed(ww + 1))
            below = draw[p.compare_shift() :]
        # registered phase flags keep the counters' comparators off the control paths
        end, last_group = Signal(), Signal()
        m.d.comb += self.fin.eq(end & last_group)

        lo, hi = -(1 << (mw - 1)), (1 << (mw - 1)) - 1

        def out_of_range(x):
            # ``x > hi`` and ``x < lo`` from the bits above the membrane's sign: not all equal
            # means out of range, the sign says which way (LUTs only, no carry chain)
            extra = x[mw - 1 : -1]
            if not len(extra):
                return Const(0), Const(0)
            return ~x[-1] & extra.any(), x[-1] & ~extra.all()

        def sat(x):
            over, under = out_of_range(x)
            return Mux(over, Const(hi, signed(mw)), Mux(under, Const(lo, signed(mw)), x[:mw]))

        def leak(x, mode, shift, beta):
            if mode is Leak.SHIFT:
                return x - (x >> shift)
            if mode is Leak.MULTIPLY:
                if isinstance(beta, int):
                    beta = Const(beta, unsigned(p.beta_fraction + 1))
                return (x * beta) >> p.beta_fraction  # signed x, unsigned beta, floor shift
            return x

        fires, newv, newi = [], [], []
        per_neuron = dict(p.neuron_fields())
        for lane in range(pe):
            base = lane * lane_bits
            bias = nport.data[base : base + mw].as_signed()
            thr = nport.data[base + mw : base + 2 * mw].as_signed()
            # the per-neuron values after them, in neuron_fields() order
            lane_value, at = {}, base + 2 * mw
            for name, width in p.neuron_fields():
                field = nport.data[at : at + width]
                lane_value[name] = field.as_signed() if name == "v_reset" else field
                at += width
            w = wport.data[lane * ww : (lane + 1) * ww].as_signed()
            # leak(0) = 0, so a sample's first step masks the leaked head instead of leaking 0:
            # ``first`` (from the network, far away) then skips the carry chain. A per-neuron
            # beta is read from the neuron ROM, whose word is the group's from c = 1: the leak
            # then joins the bias's stage (ring[lane] holds until the rotation)
            var_beta = "beta" in per_neuron
            var_alpha = "alpha" in per_neuron
            beta = lane_value.get("beta", p.beta)
            leak_expr = Mux(self.first, 0, leak(ring[lane], p.leak, p.leak_shift, beta))
            # one carry chain per pipeline stage: the sum, then saturate and compare at once
            # (``sat(total) > thr`` is ``thr != hi`` above the range, 0 below it, else the low
            # bits' compare), then subtract (or reset) into the ring
            fire = Signal(name=f"fire{lane}")
            nv = Signal(signed(mw), name=f"newv{lane}")
            over, under = out_of_range(total[lane])
            compare = Mux(over, thr != hi, ~under & (total[lane][:mw].as_signed() > thr))
            with m.If(active & (c == tail + 2)):
                m.d.sync += [u[lane].eq(sat(total[lane])), fire.eq(compare if p.spiking else 0)]
            if p.reset is Reset.ZERO:
                # a per-neuron v_reset a non-spiking layer never uses is not in the ROM
                shared = p.v_reset if isinstance(p.v_reset, int) else 0
                m.d.comb += nv.eq(Mux(fire, lane_value.get("v_reset", shared), u[lane]))
            else:
                m.d.comb += nv.eq(Mux(fire, sat(u[lane] - thr), u[lane]))
            fires.append(fire)
            newv.append(nv)
            if p.has_current:
                # the current takes the bias and the sum; the membrane gets the current after
                ileaked = Signal(signed(sw), name=f"ileaked{lane}")
                ibiased = Signal(signed(sw), name=f"ibiased{lane}")
                inew = Signal(signed(mw), name=f"inew{lane}")
                alpha = lane_value.get("alpha", p.alpha)
                ileak_expr = Mux(
                    self.first, 0, leak(cring[lane], p.syn_leak, p.syn_leak_shift, alpha)
                )
                if not var_alpha:
                    with m.If(active & (c == 0)):
                        m.d.sync += ileaked.eq(ileak_expr)
                with m.If(active & (c == 1)):
                    m.d.sync += [
                        ibiased.eq((ileak_expr if var_alpha else ileaked) + bias),
                        biased[lane].eq(leak_expr if var_beta else leaked[lane]),
                    ]
                with m.If(active & (c == n_syn + 1)):
                    m.d.sync += inew.eq(sat(ibiased + acc[lane]))
                with m.If(active & (c == tail + 1)):
                    m.d.sync += total[lane].eq(biased[lane] + inew)
                newi.append(inew)
            with m.If(active):
                with m.If(c == 0):
                    if var_beta:
                        m.d.sync += acc[lane].eq(0)
                    else:  # the statements in their old order: the same netlist as before
                        m.d.sync += [leaked[lane].eq(leak_expr), acc[lane].eq(0)]
                if not p.has_current:
                    with m.If(c == 1):
                        m.d.sync += biased[lane].eq(
                            (leak_expr if var_beta else leaked[lane]) + bias
                        )
                with m.If(fetch_d & bit_d):
                    if p.stochastic:
                        hit = Mux(w < 0, -hit_value, hit_value)
                        m.d.sync += acc[lane].eq(acc[lane] + Mux(below < abs(w), hit, 0))
                    else:
                        m.d.sync += acc[lane].eq(acc[lane] + w)
                if not p.has_current:
                    with m.If(c == n_syn + 1):  # exact in sw bits: saturated a stage later
                        m.d.sync += total[lane].eq(biased[lane] + acc[lane])

        # the spike register after this group's rotation
        rotated = Signal(n_pad)
        m.d.comb += rotated.eq(Cat(spikes[pe:], *fires) if n_pad > pe else Cat(*fires))
        m.d.comb += [self.s_next.eq(rotated[: p.n_out]), self.s_out.eq(spikes[: p.n_out])]
        # after the last group's rotation the ring holds neuron j at position j again
        m.d.comb += self.v_next.eq(Cat(*ring[pe:], *newv)[: p.n_out * mw])

        m.d.sync += [fetch_d.eq(0), end.eq(active & ~self.go & (c == tail + 2))]
        with m.If(self.go):
            m.d.sync += [active.eq(1), c.eq(0), g.eq(0), addr.eq(0), sin.eq(self.s_in)]
            m.d.sync += last_group.eq(groups == 1)
        with m.Elif(active):
            if not p.stochastic:
                with m.If(c < n_in):
                    m.d.sync += [
                        addr.eq(addr + 1),
                        bit_d.eq(sin[0]),
                        fetch_d.eq(1),
                        sin.eq(Cat(sin[1:], sin[0]) if n_in > 1 else sin),
                    ]
            else:
                with m.If(c < n_syn):
                    m.d.sync += [bit_d.eq(sin[0]), fetch_d.eq(1), draw.eq(nxt)]
                    # the next synapse's word and spike after L cycles
                    with m.If(c[: p.stream_length.bit_length() - 1] == p.stream_length - 1):
                        m.d.sync += [
                            addr.eq(addr + 1),
                            sin.eq(Cat(sin[1:], sin[0]) if n_in > 1 else sin),
                        ]
            with m.If(end):
                m.d.sync += [c.eq(0), g.eq(g + 1), spikes.eq(rotated)]
                m.d.sync += last_group.eq((g == groups - 2) if groups > 1 else 1)
                for j in range(n_pad - pe):
                    m.d.sync += ring[j].eq(ring[j + pe])
                for lane in range(pe):
                    m.d.sync += ring[n_pad - pe + lane].eq(newv[lane])
                for j in range(len(cring) - pe):
                    m.d.sync += cring[j].eq(cring[j + pe])
                for lane, inew in enumerate(newi):
                    m.d.sync += cring[n_pad - pe + lane].eq(inew)
                with m.If(last_group):
                    m.d.sync += [active.eq(0), g.eq(0)]
                    if p.stochastic:
                        m.d.sync += saved.eq(draw)
            with m.Else():
                m.d.sync += c.eq(c + 1)
        return m


class SnnNetwork(wiring.Component):
    """A chain of :class:`SnnLayer`: one time step per ``start`` (see :class:`SnnParams`).

    Members
    -------
    start : In(1)
        Begin a time step with ``s_in`` and ``first``; ignored while ``busy``.
    first : In(1)
        This step starts a sample: every membrane reads as 0 (the reset state).
    s_in : In(n_in)
        Input spikes of the step (bit ``i`` = input ``i``), sampled on the ``start`` cycle.
    busy : Out(1)
        1 from the cycle after ``start`` for ``params.step_cycles()`` cycles.
    done : Out(1)
        1 for the one cycle after the last busy one; ``s_out`` shows the step's spikes from then
        until the next step's ``done``.
    s_out : Out(n_out)
        The last layer's spikes of the latest finished step; 0 after reset (always 0 for an LI
        readout).
    v_out : Out(n_out * membrane_width)
        The last layer's membranes after the latest finished step (signed, neuron ``j`` in bits
        ``j * membrane_width`` upwards, after any reset), shown like ``s_out``: the output of
        an LI readout (``params.readout``).
    """

    def __init__(self, params: SnnParams):
        if not isinstance(params, SnnParams):
            self._MustUse__silence = True
            raise TypeError(f"SnnNetwork parameters must be an SnnParams, not {params!r}")
        self._params = params
        super().__init__(
            {
                "start": In(1),
                "first": In(1),
                "s_in": In(params.n_in),
                "busy": Out(1),
                "done": Out(1),
                "s_out": Out(params.n_out),
                "v_out": Out(params.n_out * params.layers[-1].membrane_width),
            }
        )

    @property
    def params(self) -> SnnParams:
        return self._params

    def elaborate(self, platform):
        m = Module()
        layers = [SnnLayer(la) for la in self._params.layers]
        for k, layer in enumerate(layers):
            m.submodules[f"layer{k}"] = layer
        busy, done, first = Signal(), Signal(), Signal()
        held, v_held = Signal(self._params.n_out), Signal(len(self.v_out))
        m.d.comb += [self.busy.eq(busy), self.done.eq(done), self.s_out.eq(held)]
        m.d.comb += self.v_out.eq(v_held)
        accept = Signal()
        m.d.comb += accept.eq(self.start & ~busy)
        with m.If(accept):
            m.d.sync += [busy.eq(1), first.eq(self.first)]
        m.d.comb += [layers[0].go.eq(accept), layers[0].s_in.eq(self.s_in)]
        for k, layer in enumerate(layers):
            m.d.comb += layer.first.eq(first)
            if k:
                # one cycle between layers: the next layer starts from registers only
                prev, go = layers[k - 1], Signal(name=f"go{k}")
                m.d.sync += go.eq(prev.fin)
                m.d.comb += [layer.go.eq(go), layer.s_in.eq(prev.s_out)]
        m.d.sync += done.eq(layers[-1].fin)
        with m.If(layers[-1].fin):
            m.d.sync += [busy.eq(0), held.eq(layers[-1].s_next), v_held.eq(layers[-1].v_next)]
        return m
