"""``sc.snn``: a whole fixed-point spiking network (:class:`scgen.params.SnnParams`) as one op.

The op takes the spikes of one sample, ``spikes<T, n_in>`` (one window), and gives the last
population's spikes on every step, ``spikes<T, n_out>``; every window starts from the reset state
(membranes 0), so windows are independent samples. Its attributes are the network's params,
layer after layer, flattened so that they print and parse::

    %1 = sc.snn %0, steps=16, sizes=[64, 32, 10], weight=[...], bias=[...], threshold=[...],
         leak="shift,shift", leak_shift=[3, 3], beta=[0, 0], beta_fraction=[8, 8],
         reset="zero,zero", v_reset=[0, 0], weight_width=[8, 8], membrane_width=[16, 16],
         pe=[8, 4] : spikes<16, 10>

``weight`` holds every layer's ``[out][in]`` table row by row, ``bias`` and ``threshold`` one
entry per neuron, layer after layer; ``leak`` and ``reset`` one name per layer, comma-separated.
``neuron="lif,cuba"``, ``syn_leak``, ``syn_leak_shift`` and ``alpha`` (the same per-layer forms)
give the neuron model and the synaptic current's decay; left out, every layer is a LIF.
``synapse="exact,stochastic"`` (one mode per layer) with per-layer ``stream_length``, ``seed``
and ``lfsr_width`` give stochastic synapses; left out, every layer is exact. Each set prints
only when some layer needs it, and the two are independent (a layer may be stochastic and CUBA).
Per-neuron leak factors and reset levels print as ``beta_n``, ``alpha_n`` and ``v_reset_n``, one
entry per neuron of every layer (layer after layer, like ``threshold``), only when some layer's
neurons differ in that value; they then give every layer's value (the per-layer ``beta``,
``alpha`` or ``v_reset`` reads 0 for a per-neuron layer and is ignored).

When the last layer is non-spiking (``neuron`` ``li`` or ``cuba_li``, a readout) the result is
``vec<iM, n_out>`` instead (``M`` its membrane_width): its membranes after the window's last
step, neuron ``j`` in bits ``j * M`` upwards.

``encode="lfsr"`` (with ``encode_seed``, default 0xACE1) or ``encode="sobol"`` (with
``encode_dimension``, default 1) makes the operand one sample's rates, ``vec<rate, n_in>``,
encoded on chip: one 16-bit source, reset at the window's start, steps once per input per step,
and input ``i`` spikes at step ``t`` when ``r[t * n_in + i] < x_i`` (the :class:`scgen.hw.Encoder`
compare; ``x_i`` the 16-bit rate). These attributes print only when ``encode`` is set.

Hardware: :class:`scgen.hw.SnnNetwork` stepped ``T`` times per window, step ``t`` fed with the
input's word ``t``; each step's spikes are shifted into the result, which is final (and the
window's outputs registered) on the window's last cycle. The window is ``T * (step_cycles + 2)
+ 1`` cycles long. With an encoder, one comparator and a multiplexer over the rates fill the
next step's word, one input a cycle, while the current step runs (a step lasts more than
``n_in`` cycles); only the first word delays the window, by ``n_in - 1`` cycles. Twin:
:func:`scgen.sw.snn_steps` over all windows at once, on the spikes the source's sequence gives.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from amaranth.hdl import Cat, ResetInserter, Signal

from ..hw.encoder import Encoder
from ..hw.snn import SnnNetwork
from ..params import EncoderParams, LfsrParams, SobolParams
from ..params.snn import Leak, Neuron, Reset, SnnLayerParams, SnnParams
from .graph import Op
from .ops import AttrDef, HwContext, OpKind, PlanContext, TwinContext, register_op
from .types import Rate, SInt, Spikes, Type, Vec
from .values import pack_spikes, spike_array

__all__ = ["ENCODERS", "SnnOp", "encode_source", "encoded_spikes", "snn_attrs", "snn_params"]

ENCODERS = ("lfsr", "sobol")  # the on-chip input encoders (``encode``)
_ENCODE_SEED = 0xACE1
_ENCODE_DIMENSION = 1

_ENCODE = ("encode", "encode_seed", "encode_dimension")  # not the network's params
_PER_LAYER = (
    "leak_shift",
    "beta",
    "beta_fraction",
    "v_reset",
    "weight_width",
    "membrane_width",
    "pe",
    "stream_length",
    "seed",
    "lfsr_width",
)
_SYNAPSE = ("stream_length", "seed", "lfsr_width")  # printed only with stochastic synapses
_CURRENT = ("syn_leak_shift", "alpha")  # per layer too, printed only with a synaptic current
# one entry per neuron of every layer (layer after layer), printed only when some layer has
# that value per neuron; they then replace the per-layer beta, alpha and v_reset (0 there)
_PER_NEURON = ("beta_n", "alpha_n", "v_reset_n")


def snn_attrs(
    params: SnnParams,
    steps: int,
    *,
    encode: str = "",
    seed: int | None = None,
    dimension: int | None = None,
) -> dict[str, object]:
    """The ``sc.snn`` attributes of ``params`` run for ``steps`` time steps per window, its
    inputs encoded on chip by ``encode`` (``"lfsr"`` seeded ``seed``, ``"sobol"`` of
    ``dimension``) or given as spikes (``""``)."""
    if not isinstance(params, SnnParams):
        raise TypeError(f"sc.snn needs an SnnParams, not {params!r}")
    if encode not in ("", *ENCODERS):
        raise ValueError(f"sc.snn encode must be '', 'lfsr' or 'sobol', not {encode!r}")
    if encode != "lfsr" and seed is not None:
        raise ValueError(f"sc.snn encode_seed needs encode='lfsr', not encode={encode!r}")
    if encode != "sobol" and dimension is not None:
        raise ValueError(f"sc.snn encode_dimension needs encode='sobol', not encode={encode!r}")
    layers = params.layers
    attrs: dict[str, object] = {
        "steps": steps,
        "sizes": (params.n_in, *(la.n_out for la in layers)),
        "weight": tuple(x for la in layers for row in la.weight for x in row),
        "bias": tuple(x for la in layers for x in la.biases),
        "threshold": tuple(x for la in layers for x in la.threshold),
        "leak": ",".join(la.leak.value for la in layers),
        "reset": ",".join(la.reset.value for la in layers),
    }
    stochastic = any(la.stochastic for la in layers)

    def shared(la, name):  # a per-neuron value prints as 0 here and in full in ``name_n``
        value = getattr(la, name)
        return value if isinstance(value, int) else 0

    for name in _PER_LAYER:
        if stochastic or name not in _SYNAPSE:
            attrs[name] = tuple(shared(la, name) for la in layers)
    if stochastic:
        attrs["synapse"] = ",".join(la.synapse.value for la in layers)
    # all-LIF networks keep their text: the neuron attributes only when some layer needs them
    if any(la.neuron is not Neuron.LIF for la in layers):
        attrs["neuron"] = ",".join(la.neuron.value for la in layers)
    if any(la.has_current for la in layers):
        attrs["syn_leak"] = ",".join(la.syn_leak.value for la in layers)
        for name in _CURRENT:
            attrs[name] = tuple(shared(la, name) for la in layers)
    for name in _PER_NEURON:  # graphs without per-neuron values keep their text
        field = name[:-2]
        if any(isinstance(getattr(la, field), tuple) for la in layers):
            attrs[name] = tuple(x for la in layers for x in la.per_neuron(field))
    if encode:  # spike-input graphs keep their text
        attrs["encode"] = encode
        if encode == "lfsr":
            attrs["encode_seed"] = _ENCODE_SEED if seed is None else seed
        else:
            attrs["encode_dimension"] = _ENCODE_DIMENSION if dimension is None else dimension
        encode_source(attrs)  # checked here: a bad seed or dimension is a ValueError
    return attrs


def encode_source(attrs: dict) -> LfsrParams | SobolParams | None:
    """The 16-bit source of an ``sc.snn``'s on-chip encoder (``attrs`` by name), or ``None``
    when its operand is spikes; ``ValueError`` for an unknown encoder or a bad seed."""
    encode = attrs.get("encode") or ""
    if encode == "":
        return None
    if encode == "lfsr":
        seed = attrs.get("encode_seed")
        return LfsrParams(seed=_ENCODE_SEED if seed is None else seed)
    if encode == "sobol":
        dim = attrs.get("encode_dimension")
        return SobolParams(dimension=_ENCODE_DIMENSION if dim is None else dim)
    raise ValueError(f"sc.snn encode must be '', 'lfsr' or 'sobol', not {encode!r}")


def _op_source(op: Op) -> LfsrParams | SobolParams | None:
    return encode_source(dict(op.attrs))


def encoded_spikes(source: LfsrParams | SobolParams, rates: np.ndarray, steps: int) -> np.ndarray:
    """The input spikes ``(windows, steps, n_in)`` uint8 the on-chip encoder makes from
    ``rates`` ``(windows, n_in)`` (16-bit): input ``i`` spikes at step ``t`` when the source's
    value number ``t * n_in + i`` (from its start state) is below ``rates[:, i]``."""
    from ..sw.lfsr import lfsr  # Numba: on first run
    from ..sw.sobol import sobol

    x = np.asarray(rates, dtype=np.int64)
    n_in = x.shape[1]
    cycles = steps * n_in
    trace = (
        lfsr(source, cycles=cycles)
        if isinstance(source, LfsrParams)
        else sobol(source, cycles=cycles)
    )
    r = trace.value.astype(np.int64).reshape(steps, n_in)
    return (r[None, :, :] < x[:, None, :]).astype(np.uint8)


def _cut(name: str, values: tuple, sizes: list[int]) -> list[tuple]:
    if len(values) != sum(sizes):
        raise ValueError(f"sc.snn {name} must have {sum(sizes)} entries, not {len(values)}")
    out, k = [], 0
    for n in sizes:
        out.append(tuple(values[k : k + n]))
        k += n
    return out


@lru_cache(maxsize=64)
def _params(attrs: tuple[tuple[str, Any], ...]) -> SnnParams:
    a = dict(attrs)
    sizes = a.get("sizes")
    if sizes is None or len(sizes) < 2 or any(n < 1 for n in sizes):
        raise ValueError(
            f"sc.snn sizes must list the inputs and every layer's neurons (at least two "
            f"positive counts), not {sizes!r}"
        )
    n_layers = len(sizes) - 1
    weights = _cut("weight", a["weight"] or (), [sizes[k] * sizes[k + 1] for k in range(n_layers)])
    outs = list(sizes[1:])
    bias = _cut("bias", a["bias"], outs) if a.get("bias") is not None else [None] * n_layers
    threshold = _cut("threshold", a["threshold"] or (), outs)
    per_layer: dict[str, list] = {}
    for name in ("leak", "reset", "synapse", "neuron", "syn_leak"):
        text = a.get(name)
        items = text.split(",") if text is not None else []
        if text is not None and len(items) != n_layers:
            raise ValueError(
                f"sc.snn {name} must name one mode per layer ({n_layers}), not {text!r}"
            )
        per_layer[name] = items
    for name in _PER_LAYER + _CURRENT:
        values = a.get(name)
        if values is not None and len(values) != n_layers:
            raise ValueError(
                f"sc.snn {name} must have one entry per layer ({n_layers}), not {len(values)}"
            )
        per_layer[name] = list(values) if values is not None else []
    for name in _PER_NEURON:
        values = a.get(name)
        per_layer[name] = _cut(name, values, outs) if values is not None else []
    layers = []
    for k in range(n_layers):
        n_in = sizes[k]
        w = weights[k]
        fields: dict[str, Any] = {
            "weight": tuple(w[j * n_in : (j + 1) * n_in] for j in range(outs[k])),
            "bias": bias[k],
            "threshold": threshold[k],
        }
        if per_layer["leak"]:
            fields["leak"] = Leak(per_layer["leak"][k])
        if per_layer["reset"]:
            fields["reset"] = Reset(per_layer["reset"][k])
        if per_layer["synapse"]:
            fields["synapse"] = per_layer["synapse"][k]
        if per_layer["neuron"]:
            fields["neuron"] = Neuron(per_layer["neuron"][k])
        if per_layer["syn_leak"]:
            fields["syn_leak"] = Leak(per_layer["syn_leak"][k])
        for name in _PER_LAYER + _CURRENT:
            if per_layer[name]:
                fields[name] = per_layer[name][k]
        for name in _PER_NEURON:
            if per_layer[name]:
                fields[name[:-2]] = per_layer[name][k]
        layers.append(SnnLayerParams(**fields))
    return SnnParams(layers=tuple(layers))


def _result_type(params: SnnParams, steps: int) -> Type:
    if params.readout:
        return Vec(SInt(params.layers[-1].membrane_width), params.n_out)
    return Spikes(steps, params.n_out)


def snn_params(op: Op) -> SnnParams:
    """The network of an ``sc.snn`` op (checked; ``ValueError`` or ``TypeError`` if invalid)."""
    return _params(tuple((k, v) for k, v in op.attrs if k != "steps" and k not in _ENCODE))


def _attrs_params(attrs: dict) -> SnnParams:
    return _params(
        tuple(
            (a.name, attrs.get(a.name))
            for a in SnnOp.attrs
            if a.name != "steps" and a.name not in _ENCODE
        )
    )


class SnnOp(OpKind):
    """A fixed-point spiking network over the time steps of one sample per window."""

    kind = "snn"
    operands = ("spikes",)
    attrs = (
        AttrDef("steps", "int", None, "", 1, 1 << 16),
        AttrDef("sizes", "ints"),
        AttrDef("weight", "ints"),
        AttrDef("bias", "ints"),
        AttrDef("threshold", "ints"),
        AttrDef("leak", "str"),
        AttrDef("leak_shift", "ints"),
        AttrDef("beta", "ints"),
        AttrDef("beta_fraction", "ints"),
        AttrDef("reset", "str"),
        AttrDef("v_reset", "ints"),
        AttrDef("weight_width", "ints"),
        AttrDef("membrane_width", "ints"),
        AttrDef("pe", "ints"),
        AttrDef("synapse", "str"),
        AttrDef("stream_length", "ints"),
        AttrDef("seed", "ints"),
        AttrDef("lfsr_width", "ints"),
        AttrDef("neuron", "str"),
        AttrDef("syn_leak", "str"),
        AttrDef("syn_leak_shift", "ints"),
        AttrDef("alpha", "ints"),
        AttrDef("beta_n", "ints"),
        AttrDef("alpha_n", "ints"),
        AttrDef("v_reset_n", "ints"),
        AttrDef("encode", "str"),
        AttrDef("encode_seed", "int", None, "", 1, 0xFFFF, hex=True),
        AttrDef("encode_dimension", "int", None, "", 0, 64),
    )

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        try:
            params = _attrs_params(attrs)
        except (TypeError, ValueError) as exc:
            return [f"parameters: {exc}"]
        t, steps = types[0], attrs.get("steps")
        if steps is None:
            return ["attribute 'steps' must be given (the time steps of a sample)"]
        try:
            source = encode_source(attrs)
        except (TypeError, ValueError) as exc:
            return [f"parameters: {exc}"]
        if source is not None:
            want = Vec(Rate(), params.n_in)
            if t != want:
                return [
                    f"operand 'spikes' must be {want} (one sample's rates, encoded on chip by "
                    f"{attrs['encode']}), not {t}"
                ]
            return []
        if not isinstance(t, Spikes):
            return [f"operand 'spikes' must be spikes<{steps}, {params.n_in}>, not {t}"]
        if (t.steps, t.neurons) != (steps, params.n_in):
            return [
                f"operand 'spikes' must be spikes<{steps}, {params.n_in}> ({steps} steps of the "
                f"network's {params.n_in} inputs), not {t}"
            ]
        return []

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        try:
            params = _attrs_params(attrs)
        except (TypeError, ValueError):
            return None  # check() reports the parameters
        return _result_type(params, attrs["steps"])

    def stream_length(self, op: Op) -> int | None:
        # step t starts on cycle t0 + 2 + t * (period + 1); the last one's spikes are registered
        # on t0 + steps * (period + 1) + 2, the window's last cycle
        # an on-chip encoder delays the first step by n_in - 1 cycles (its first word)
        params = snn_params(op)
        extra = params.n_in - 1 if _op_source(op) is not None else 0
        return op.attr("steps") * (params.step_cycles() + 2) + 1 + extra

    def carries_state(self, op: Op) -> bool:
        # every sample (window) starts from the reset state: the first step clears the state
        return False

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        params, steps = snn_params(op), op.attr("steps")
        n_in, n_out = params.n_in, params.n_out
        m = ctx.m
        net = SnnNetwork(params)
        m.submodules[ctx.name(op)] = net
        step = Signal(range(steps + 1), name=f"snn{op.result}_step")
        if params.readout:  # the last step's membranes
            result = Signal(len(net.v_out), name=f"snn{op.result}_membranes")
        else:
            result = Signal(steps * n_out, name=f"snn{op.result}_spikes")
        # every control input of the network is a register: a step starts the cycle after
        # the previous one's done (or on t0 + 2), its input word selected a cycle ahead
        issue = Signal(name=f"snn{op.result}_issue")
        more = Signal(name=f"snn{op.result}_more")  # steps left to start
        word = Signal(n_in, name=f"snn{op.result}_word")
        source = _op_source(op)
        if source is None:
            m.d.sync += [
                word.eq(args[0].word_select(step, n_in) if steps > 1 else args[0]),
                issue.eq(ctx.start_d | (net.done & more)),
            ]
        else:
            first_word = self._encoder(ctx, op, args[0], source, n_in, steps, step, issue, word)
            m.d.sync += issue.eq(first_word | (net.done & more))
        m.d.sync += more.eq(step != steps)
        m.d.comb += [
            net.start.eq(issue),
            net.first.eq(step == 0),
            net.s_in.eq(word),
        ]
        with m.If(ctx.start):
            m.d.sync += step.eq(0)
        with m.Elif(issue):
            m.d.sync += step.eq(step + 1)
        with m.If(net.done):
            if params.readout:
                m.d.sync += result.eq(net.v_out)
            else:
                m.d.sync += result.eq(Cat(result[n_out:], net.s_out) if steps > 1 else net.s_out)
        return result

    @staticmethod
    def _encoder(ctx, op, rates, source, n_in, steps, step, issue, word) -> Signal:
        # one comparator encoder, reset on the window's t0, encodes input k of the next step on
        # each cycle of a fill: the first fill on t0 + 1 .. t0 + n_in, then one from the cycle
        # after each issue but the last (a step lasts step_cycles + 2 > n_in cycles, so the word
        # is whole before the step's done); the word shifts in from the top, input 0 last at bit 0
        m = ctx.m
        enc = Encoder(EncoderParams(source=source))
        m.submodules[ctx.name(op, "_encoder")] = ResetInserter(ctx.start)(enc)
        fill = Signal(name=f"snn{op.result}_fill")
        k = Signal(range(n_in), name=f"snn{op.result}_input")
        last = Signal(name=f"snn{op.result}_last")  # the fill's last input this cycle
        m.d.comb += [
            enc.x.eq(rates.word_select(k, 16) if n_in > 1 else rates),
            enc.en.eq(fill),
            last.eq(k == n_in - 1),
        ]
        with m.If(fill):
            m.d.sync += word.eq(Cat(word[1:], enc.o) if n_in > 1 else enc.o)
            with m.If(last):
                m.d.sync += [fill.eq(0), k.eq(0)]
            with m.Else():
                m.d.sync += k.eq(k + 1)
        with m.If(ctx.start):
            m.d.sync += [fill.eq(1), k.eq(0)]
        with m.Elif(issue & (step != steps - 1)):  # the issued step is not the last
            m.d.sync += fill.eq(1)
        first = Signal(name=f"snn{op.result}_first_word")
        m.d.comb += first.eq(fill & last & (step == 0))
        return first

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        # per layer: the lanes' adders, saturation and compare (acc, leak + bias, + sum, sat,
        # u > thr), the membrane ring with its spike bits, the input spike shift register, the
        # leak's constant multiply (shift-add per set bit of beta; a per-neuron beta or alpha
        # is a variable multiply, snn_varmul_bits = pe * mw * (beta_fraction + 1)), stochastic
        # synapses' LFSR (weight_width - 1 XOR steps a cycle, the saved state) and per-lane
        # comparators, and the two ROMs where the family puts them; the op's own window logic:
        # the input word multiplexer and the result shift register
        from ..mapping import dsp_multiply

        params, steps = snn_params(op), op.attr("steps")
        last = params.layers[-1]
        # the result: every step's spikes, or a readout's membranes (held in the network's
        # v_out register and again in the result)
        out_bits = (
            2 * params.n_out * last.membrane_width if params.readout else steps * params.n_out
        )
        f = {
            "snn_layers": float(len(params.layers)),
            "snn_word_bits": float(steps * params.n_in),  # the step's input word multiplexer
            "snn_result_bits": float(out_bits),
        }
        chain = 0

        def add(name: str, value: float) -> None:
            f[name] = f.get(name, 0.0) + value

        def multiply(lanes: int, width: int, constant: int) -> None:
            # the leak's constant factor: a DSP per lane where mul2dsp takes it, else shift-add
            if dsp_multiply(ctx.family, width, constant):
                add("snn_mul_dsps", lanes)
            else:
                add("snn_mul_bits", lanes * width * bin(constant).count("1"))

        for la in params.layers:
            mw = la.membrane_width
            # a readout (LI) saturates its sum but neither compares nor resets
            tail_bits = (3 if la.spiking else 1) * mw
            add("snn_lane_bits", la.pe * (la.acc_width() + 2 * la.sum_width() + tail_bits))
            add("snn_ring_bits", la.groups() * la.pe * (mw + 1) + la.n_in)
            varmul = la.pe * mw * (la.beta_fraction + 1)  # a lane's variable multiply
            per_neuron = dict(la.neuron_fields())  # beta, alpha from the neuron ROM word
            if la.leak is Leak.MULTIPLY:
                if "beta" in per_neuron:
                    add("snn_varmul_bits", varmul)
                else:
                    multiply(la.pe, mw, la.leak_config()[2])
            if la.has_current:  # the current ring, its leak, bias and sum stages per lane
                add("snn_ring_bits", la.groups() * la.pe * mw)
                add("snn_lane_bits", la.pe * (2 * la.sum_width() + 2 * mw))
                if la.syn_leak is Leak.MULTIPLY:
                    if "alpha" in per_neuron:
                        add("snn_varmul_bits", varmul)
                    else:
                        multiply(la.pe, mw, la.syn_leak_config()[2])
            if la.stochastic:
                add("snn_sc_bits", (la.draw_steps() + 2) * la.lfsr_width + la.pe * la.weight_width)
            for width, depth in (
                (la.pe * la.weight_width, la.groups() * la.n_in),
                (la.pe * la.neuron_word_width(), la.groups()),
            ):
                for k, v in ctx.rom(width, depth).items():
                    add(k, v)
            chain = max(chain, la.sum_width())
            if la.stochastic:  # |w| from the ROM word, compared with the draw, then added
                chain = max(chain, 2 * la.weight_width + la.acc_width())
        source = _op_source(op)
        if source is not None:
            # the encoder: its source (16 bits, a Sobol's index too), the rate multiplexer
            # (16 bits of n_in), the 16-bit compare and the input counter; the window's input
            # is the rates, not the spikes
            n_in = params.n_in
            src_bits = 16 if isinstance(source, LfsrParams) else 32
            f["snn_encode_bits"] = float(src_bits + 16 * n_in + 16 + n_in.bit_length())
            f["snn_word_bits"] = 0.0  # no word of the spikes operand to select per step
            chain = max(chain, 16 + max(1, (n_in - 1).bit_length()))
        return f, chain

    def plan_notes(self, op: Op) -> list[str]:
        params, steps = snn_params(op), op.attr("steps")
        layers = ", ".join(
            f"{la.n_in}->{la.n_out} pe {la.pe}: {la.cycles()}" for la in params.layers
        )
        notes = [
            f"{steps} time steps of {params.step_cycles() + 2} cycles each ({layers} cycles "
            f"per step)"
        ]
        source = _op_source(op)
        if source is not None:
            how = (
                f"LFSR seed {source.seed:#06x}"
                if isinstance(source, LfsrParams)
                else f"Sobol dimension {source.dimension}"
            )
            notes.append(
                f"input rates encoded on chip ({how}, one input a cycle, during the previous "
                f"step; the first step waits {params.n_in - 1} cycles more)"
            )
        return notes

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        from ..sw.snn import pack_membranes, snn_steps  # Numba: on first run

        params, steps = snn_params(op), op.attr("steps")
        source = _op_source(op)
        if source is None:
            spikes = spike_array(Spikes(steps, params.n_in), args[0])
        else:
            from ..sw.dense import unpack_fields

            rates = unpack_fields(args[0], params.n_in, 16)
            spikes = encoded_spikes(source, rates, steps)
        spikes = spikes.transpose(1, 0, 2)
        out, _ = snn_steps(params, spikes)
        last = out[:, :, out.shape[2] - params.n_out :].transpose(1, 0, 2)
        if params.readout:
            return pack_membranes(last[:, -1], params.layers[-1].membrane_width)
        return pack_spikes(Spikes(steps, params.n_out), last)


register_op(SnnOp())
