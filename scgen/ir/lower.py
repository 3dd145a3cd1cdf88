"""Lowering: a verified graph to one Amaranth component, and the twin executor of the same graph.

Execution model (one *window* per ``start``):

* cycle ``t0``: ``start`` is 1; every graph input is latched; every encoder's source reloads
  its seed;
* cycles ``t0 + 1 .. t0 + L``: the stream section runs (``L`` = the graph's stream length):
  stream bit ``k`` of every bitstream value is on cycle ``t0 + 1 + k``, and ``busy`` is 1;
* cycle ``t0 + L + 1``: counts are final; the window-level ops (``div_const``, ``lif_step``)
  take their step and every window-level output is registered;
* ``scale`` and ``offset`` act on rates held for the window (e.g. before an ``encode``), in
  integer arithmetic: ``scale`` multiplies by ``trunc(factor * 256)`` and shifts right by 8 (the
  seed's Q8.8 factor), ``offset`` adds ``trunc(offset * 65536)``; both clamp to [0, 1];
* ``dense_forward`` runs during the stream section, like the seed's ``sc_dense_layer_core`` but
  with a weight per neuron and input: input ``i`` is encoded by the 16-bit LFSR seeded
  ``input_seed_base + 7 i``, weight ``(n, i)`` by the one seeded ``weight_seed_base + 13 k``
  (``k = n * n_inputs + i`` for per-neuron weights, ``k = i`` for one shared weight vector; a
  seed of 0 becomes 1). On every cycle neuron ``n`` counts its synapse bits ``c`` and steps its
  LIF (Q8.8-style: fraction ``min(8, W - 1)``, threshold ``2**fraction``, refractory 0, noise 0)
  with ``I_t = y_min + (y_max - y_min) * c // n_inputs`` wrapped to ``data_width`` bits. Its
  result is the spike word of each cycle (bit ``n`` = neuron ``n``), like a stream output; the
  neurons keep their state between windows;
* cycle ``t0 + L + 2``: ``done`` is 1 and the outputs hold the window's results until the next
  window's ``done``. Bitstream outputs are the stream bits themselves, valid while ``busy``.

A graph with a dense layer has a *latency* of one cycle (:attr:`GraphTop.latency`): its
neurons step one cycle after their synapses are counted (a register splits the two timing
paths), so every per-cycle output, and ``busy``, comes one cycle later (stream bit ``k`` on
cycle ``t0 + 2 + k``); ``done`` and the window-level outputs keep their cycles.

LIF neurons keep their state from window to window (one step per window). The twin executor
(:func:`run_windows`) computes the same values from the twins of the same primitives, for many
windows in one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from amaranth.hdl import (
    ClockSignal,
    Const,
    Instance,
    Module,
    Mux,
    ResetInserter,
    ResetSignal,
    Shape,
    Signal,
    signed,
)
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .. import hw, sw
from ..params import CounterParams, EncoderParams, LfsrParams, LifParams, MulAndParams
from ..primitives import PRIMITIVES
from .graph import Graph
from .prims import params_from_attrs
from .types import (
    RATE_BITS,
    Bitstream,
    Bool,
    Fixed,
    Rate,
    SInt,
    Tuple,
    Type,
    UInt,
    Vec,
    Words,
)

__all__ = [
    "EmittedTop",
    "GraphPorts",
    "GraphTop",
    "LoweringError",
    "graph_ports",
    "random_inputs",
    "run_hardware",
    "run_windows",
    "window_length",
]


class LoweringError(ValueError):
    """A graph that verifies but cannot (yet) be lowered to hardware."""


def _shape(t: Type):
    if isinstance(t, Rate):
        return RATE_BITS
    if isinstance(t, Vec) and isinstance(t.elem, Rate):
        return RATE_BITS * t.n
    if isinstance(t, UInt | Bool | Bitstream | Words) or (
        isinstance(t, Vec) and isinstance(t.elem, Bool)
    ):
        return t.width
    if isinstance(t, SInt | Fixed):
        return signed(t.width)
    raise LoweringError(f"type {t} has no hardware port yet")


def window_length(graph: Graph) -> int:
    """Return the graph's stream length ``L`` (all bitstream values must agree; 1 if none)."""
    types = graph.result_types()
    lengths = {t.length for t in types.values() if isinstance(t, Bitstream | Words)}
    lengths |= {op.attr("stream_length") for op in graph.ops if op.kind == "dense_forward"}
    if len(lengths) > 1:
        raise LoweringError(
            f"graph {graph.name!r} mixes stream lengths {sorted(lengths)}; a window has one length"
        )
    return lengths.pop() if lengths else 1


def _checked(graph: Graph) -> tuple[dict, int]:
    graph.check()  # every op kind is lowered; what verify() accepts is lowerable up to here
    types = graph.result_types()
    for op in graph.inputs:
        _shape(op.attr("type"))
    for i, op in enumerate(graph.ops):
        if op.kind in ("scale", "offset") and not isinstance(types[op.operands[0]], Rate):
            raise LoweringError(
                f"op[{i}] ({op.kind}) is lowered for rates only, not {types[op.operands[0]]}"
            )
    return types, window_length(graph)


def _encoder_params(op) -> EncoderParams:
    return EncoderParams(source=LfsrParams(seed=op.attr("seed")))


def _lif_params(op) -> LifParams:
    a = dict(op.attrs)
    return LifParams(
        data_width=a["data_width"],
        fraction=a["fraction"],
        v_rest=a["v_rest"],
        v_reset=a["v_reset"],
        v_threshold=a["v_threshold"],
        refractory_period=a["refractory_period"],
    )


def _const_value(op) -> int:
    """The constant as its port value: vectors packed element 0 first (rates quantised)."""
    v, t = op.attr("value"), op.attr("type")
    if isinstance(t, Rate) or (
        isinstance(t, Vec) and isinstance(t.elem, Rate) and isinstance(v, tuple)
    ):
        if isinstance(t, Vec) and len(v) != t.n:
            raise LoweringError(f"constant of type {t} has {len(v)} elements, not {t.n}")
        return int(_to_port_value(t, [v])[0])
    if isinstance(v, tuple) or (isinstance(t, Fixed) and isinstance(v, float)):
        raise LoweringError(
            f"constant {v!r} : {t} has no hardware value; constants are "
            f"rates, integers, raw fixed point or vectors of rates"
        )
    return int(v)


def _const_windows(op, windows: int) -> np.ndarray:
    """The constant's port value repeated for every window (object ints past 63 bits)."""
    value = _const_value(op)
    if Shape.cast(_shape(op.attr("type"))).width <= 63:
        return np.full(windows, value, dtype=np.int64)
    return np.array([value] * windows, dtype=object)


def _rate_op_constant(op) -> int:
    if op.kind == "scale":
        return int(op.attr("factor") * 256)
    return int(op.attr("offset") * (1 << RATE_BITS))


def _rate_op_twin(op, x: np.ndarray) -> np.ndarray:
    k = _rate_op_constant(op)
    y = (x * k) >> 8 if op.kind == "scale" else x + k
    return np.clip(y, 0, (1 << RATE_BITS) - 1)


def _per_cycle(t: Type) -> bool:
    """Values that change on every cycle of a window: streams, source words, spike words."""
    return isinstance(t, Bitstream | Words) or (isinstance(t, Vec) and isinstance(t.elem, Bool))


def _port_names(graph: Graph, types: dict) -> dict[str, tuple[int, str | None]]:
    """Output port name -> (source id, tuple field or None)."""
    out = {}
    for op in graph.outputs:
        src = op.operands[0]
        if isinstance(types[src], Tuple):
            out[f"{op.attr('name')}__spike"] = (src, "spike")
            out[f"{op.attr('name')}__v"] = (src, "v")
        else:
            out[op.attr("name")] = (src, None)
    return out


class GraphPorts(NamedTuple):
    """What a graph's hardware exchanges: GraphTop's data ports and the window length."""

    inputs: dict[str, Shape]  # input name -> shape
    outputs: dict[str, tuple[Shape, bool]]  # output port -> (shape, changes every cycle)
    length: int


def graph_ports(graph: Graph) -> GraphPorts:
    """The data ports of :class:`GraphTop` for ``graph`` (checked to lower to hardware)."""
    types, length = _checked(graph)
    inputs = {op.attr("name"): Shape.cast(_shape(op.attr("type"))) for op in graph.inputs}
    outputs = {}
    for name, (src, field) in _port_names(graph, types).items():
        t = types[src]
        if field == "spike":
            outputs[name] = (Shape.cast(1), False)
        elif field == "v":
            outputs[name] = (signed(t.items[1].width), False)
        else:
            outputs[name] = (Shape.cast(_shape(t)), _per_cycle(t))
    return GraphPorts(inputs, outputs, length)


class GraphTop(wiring.Component):
    """The hardware of a graph (see the module docstring for the window protocol).

    Parameters
    ----------
    graph : Graph
        A verified graph of supported ops.
    latch_inputs : bool
        Latch every input at ``start`` (default). With False the inputs are read from the
        ports throughout the window, so the driver must hold them steady from ``start`` to
        ``done``; that saves one flop per input bit (the host link holds them).

    Members
    -------
    start : In(1)
        Latch the inputs and begin a window (ignored while ``busy``).
    busy : Out(1)
        The stream section is running.
    done : Out(1)
        The window's results are on the outputs (one cycle).
    <input names> : In(...)
        One port per graph input: a rate is 16-bit full scale, integers and fixed point keep
        their width and sign.
    <output names> : Out(...)
        One port per graph output; a LIF result gives ``NAME__spike`` and ``NAME__v``.
    """

    def __init__(self, graph: Graph, *, latch_inputs: bool = True):
        self._MustUse__silence = True  # until built: a graph that fails to lower is not "unused"
        if not isinstance(graph, Graph):
            raise TypeError(f"GraphTop needs a Graph, not {graph!r}")
        self._graph = graph
        # False: the driver holds the input ports steady from ``start`` to ``done`` (the host
        # link does), so the per-bit input registers can go
        self._latch_inputs = bool(latch_inputs)
        self._types, self._length = _checked(graph)
        self._MustUse__silence = False
        ports = graph_ports(graph)
        members = {"start": In(1), "busy": Out(1), "done": Out(1)}
        members.update({name: In(shape) for name, shape in ports.inputs.items()})
        members.update({name: Out(shape) for name, (shape, _) in ports.outputs.items()})
        super().__init__(members)

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def length(self) -> int:
        """Stream length ``L`` of a window."""
        return self._length

    @property
    def latency(self) -> int:
        """Cycles from a stream bit to its per-cycle outputs: 1 when the graph has a dense
        layer (its neurons step one cycle after their synapses), else 0."""
        return int(any(op.kind == "dense_forward" for op in self._graph.ops))

    def elaborate(self, platform):
        m = Module()
        g, types, length = self._graph, self._types, self._length
        left = Signal(range(length + 2))
        start = Signal()
        m.d.comb += start.eq(self.start & (left == 0))
        start_d = Signal()
        last = Signal()  # cycle t0 + L + 1: counts are final
        m.d.sync += start_d.eq(start)
        with m.If(start):
            m.d.sync += left.eq(length + 1)
        with m.Elif(left != 0):
            m.d.sync += left.eq(left - 1)
        run = Signal()  # the stream section: cycles t0 + 1 .. t0 + L
        run_d = Signal()
        m.d.comb += [last.eq(left == 1), run.eq((left != 0) & ~last)]
        m.d.sync += run_d.eq(run)
        lat = self.latency
        m.d.comb += self.busy.eq(run_d if lat else run)
        m.d.sync += self.done.eq(last)

        sig: dict[int, object] = {}
        producer = {op.result: op for op in g.ops if op.result is not None}
        for i, op in enumerate(g.ops):
            name = f"op{i}_{op.kind}"
            if op.kind == "input":
                port = getattr(self, op.attr("name"))
                if not self._latch_inputs:
                    sig[op.result] = port
                    continue
                reg = Signal(_shape(op.attr("type")), name=f"in_{op.attr('name')}")
                with m.If(start):
                    m.d.sync += reg.eq(port)
                sig[op.result] = reg
            elif op.kind == "constant":
                sig[op.result] = Const(_const_value(op), _shape(op.attr("type")))
            elif op.kind == "encode":
                enc = hw.Encoder(_encoder_params(op))
                m.submodules[name] = ResetInserter(start)(enc)
                m.d.comb += [enc.x.eq(sig[op.operands[0]]), enc.en.eq(1)]
                sig[op.result] = enc.o
            elif op.kind == "and":
                mul = hw.MulAnd(MulAndParams())
                m.submodules[name] = mul
                m.d.comb += [mul.a.eq(sig[op.operands[0]]), mul.b.eq(sig[op.operands[1]])]
                sig[op.result] = mul.o
            elif op.kind == "popcount":
                cnt = hw.Counter(CounterParams(window=length))
                m.submodules[name] = cnt
                m.d.comb += [cnt.start.eq(start_d), cnt.x.eq(sig[op.operands[0]])]
                value = Signal(op.attr("width"), name=f"v{op.result}")
                m.d.comb += value.eq(cnt.count)
                sig[op.result] = value
            elif op.kind == "div_const":
                value = Signal(types[op.result].width, name=f"v{op.result}")
                m.d.comb += value.eq(sig[op.operands[0]] // op.attr("divisor"))
                sig[op.result] = value
            elif op.kind == "dense_forward":
                a = dict(op.attrs)
                ni, nn = a["n_inputs"], a["n_neurons"]
                xs, ws, leak, gain = (sig[o] for o in op.operands)
                shared = types[op.operands[1]].n == ni
                x_seeds, w_seeds = _dense_seeds(op, shared)
                x_bits = []
                for i, seed in enumerate(x_seeds):
                    enc = hw.Encoder(EncoderParams(source=LfsrParams(seed=seed)))
                    m.submodules[f"{name}_x{i}"] = ResetInserter(start)(enc)
                    m.d.comb += [enc.x.eq(xs[RATE_BITS * i : RATE_BITS * (i + 1)]), enc.en.eq(1)]
                    x_bits.append(enc.o)
                spikes = Signal(nn, name=f"v{op.result}")
                w_bits: dict[int, object] = {}  # weight index -> stream (one per weight)
                w_op = producer[op.operands[1]]
                n_weights = ni if shared else ni * nn
                if w_op.kind == "constant" and n_weights * length <= ROM_BITS:
                    # constant weights: their streams are known at elaboration, so they come
                    # from a ROM (block RAM) instead of one LFSR and comparator per weight
                    rom = Memory(
                        shape=n_weights,
                        depth=length,
                        init=_weight_rom(_const_value(w_op), w_seeds, shared, ni, nn, length),
                    )
                    m.submodules[f"{name}_rom"] = rom
                    port = rom.read_port()
                    addr = Signal(range(length + 1), name=f"{name}_addr")
                    with m.If(start):
                        m.d.sync += addr.eq(1)
                    with m.Elif(run):
                        m.d.sync += addr.eq(addr + 1)
                    m.d.comb += port.addr.eq(Mux(start, 0, addr))
                    for k in range(n_weights):
                        w_bits[k] = port.data[k]
                for n in range(nn):
                    for i in range(ni):
                        k = i if shared else n * ni + i
                        if k not in w_bits:
                            enc = hw.Encoder(EncoderParams(source=LfsrParams(seed=w_seeds[n][i])))
                            m.submodules[f"{name}_w{k}"] = ResetInserter(start)(enc)
                            m.d.comb += [
                                enc.x.eq(ws[RATE_BITS * k : RATE_BITS * (k + 1)]),
                                enc.en.eq(1),
                            ]
                            w_bits[k] = enc.o
                lif_params = _dense_lif(op)
                for n in range(nn):
                    # the synapse count is registered: the LIF steps one cycle later, so the
                    # encoder/popcount path and the neuron update are separate timing paths
                    count = Signal(range(ni + 1), name=f"v{op.result}_count{n}")
                    m.d.sync += count.eq(
                        sum(x_bits[i] & w_bits[i if shared else n * ni + i] for i in range(ni))
                    )
                    lif = _lif(
                        lif_params,
                        {
                            "leak_k": (leak, producer[op.operands[2]]),
                            "gain_k": (gain, producer[op.operands[3]]),
                        },
                        m,
                    )
                    m.submodules[f"{name}_lif{n}"] = lif
                    m.d.comb += [
                        lif.en.eq(run_d),
                        lif.I_t.eq(_dense_current(op, count)),
                        lif.noise_in.eq(0),
                        spikes[n].eq(lif.spike),
                    ]
                sig[op.result] = spikes
            elif op.kind in ("scale", "offset"):
                x, k = sig[op.operands[0]], _rate_op_constant(op)
                raw = Signal(signed(RATE_BITS + 40), name=f"raw{op.result}")
                m.d.comb += raw.eq((x * k) >> 8 if op.kind == "scale" else x + k)
                value = Signal(RATE_BITS, name=f"v{op.result}")
                top = (1 << RATE_BITS) - 1
                m.d.comb += value.eq(Mux(raw < 0, 0, Mux(raw > top, top, raw)))
                sig[op.result] = value
            elif op.kind in PRIMITIVES:
                prim = PRIMITIVES[op.kind]
                dut = prim.hw(params_from_attrs(prim, dict(op.attrs)))
                spec = prim.ir
                m.submodules[name] = dut if spec.stateful else ResetInserter(start)(dut)
                for port, o in zip(spec.streams + spec.values, op.operands, strict=True):
                    m.d.comb += getattr(dut, port).eq(sig[o])
                window_signals = {"first": start_d, "busy": self.busy}
                for port, value in spec.tied:
                    m.d.comb += getattr(dut, port).eq(window_signals.get(value, value))
                sig[op.result] = getattr(dut, spec.output)
            elif op.kind == "lif_step":
                cur, leak, gain, noise = (sig[o] for o in op.operands)
                lif = _lif(
                    _lif_params(op),
                    {
                        "leak_k": (leak, producer[op.operands[1]]),
                        "gain_k": (gain, producer[op.operands[2]]),
                    },
                    m,
                )
                m.submodules[name] = lif
                m.d.comb += [lif.en.eq(last), lif.I_t.eq(cur), lif.noise_in.eq(noise)]
                sig[op.result] = (lif.spike, lif.v)
        for port, (src, field) in _port_names(g, types).items():
            value = sig[src]
            if field is not None:
                value = value[0] if field == "spike" else value[1]
            out = getattr(self, port)
            if _per_cycle(types[src]) and lat and producer[src].kind != "dense_forward":
                m.d.sync += out.eq(value)  # aligned with the dense layers' spike words
            elif _per_cycle(types[src]):
                m.d.comb += out.eq(value)
            else:
                with m.If(last):
                    m.d.sync += out.eq(value)
        return m


def _lif(params: LifParams, factors: dict, m: Module):
    """A LIF whose constant leak/gain (graph constants) are folded in at elaboration; the
    others are wired to their signals."""
    w = params.data_width
    folded, wired = {}, {}
    for port, (value, producer) in factors.items():
        if producer.kind == "constant":
            raw = _const_value(producer) & ((1 << w) - 1)  # the port's view: wrapped to W bits
            folded[port] = raw - (1 << w) if raw >> (w - 1) else raw
        else:
            wired[port] = value
    lif = hw.Lif(params, **folded)
    for port, value in wired.items():
        m.d.comb += getattr(lif, port).eq(value)
    return lif


class EmittedTop(GraphTop):
    """The graph's *emitted* SystemVerilog (:func:`scgen.emit.verilog`) as a black box with
    :class:`GraphTop`'s ports: simulating it (Verilator only) checks the file users get."""

    def __init__(self, graph: Graph, *, sv: bool = True):
        from ..emit import verilog

        super().__init__(graph)
        from ..emit import ir_hash

        # one module per distinct graph, so several can share one simulation
        self.module = f"emitted_{graph.name}_{ir_hash(graph)[:10]}"
        self.verilog_source = verilog(graph, name=self.module, sv=sv)

    def elaborate(self, platform):
        m = Module()
        ports = {
            ("i_" if member.flow is wiring.In else "o_") + name: getattr(self, name)
            for name, member in self.signature.members.items()
        }
        m.submodules.emitted = Instance(
            self.module, i_clk=ClockSignal(), i_rst=ResetSignal(), **ports
        )
        return m


# --------------------------------------------------------------------------------------------
# twin executor


@dataclass
class WindowResult:
    """Per-window outputs: window-level values ``(windows,)``, streams ``(windows, L)``."""

    outputs: dict[str, np.ndarray]
    length: int


def _to_port_value(t: Type, values: np.ndarray) -> np.ndarray:
    if isinstance(t, Rate):
        v = np.asarray(values, dtype=np.float64)
        return np.clip(np.floor(v * (1 << RATE_BITS)), 0, (1 << RATE_BITS) - 1).astype(np.int64)
    if isinstance(t, Vec) and isinstance(t.elem, Rate):
        q = _to_port_value(t.elem, np.asarray(values, dtype=np.float64).reshape(-1, t.n))
        if RATE_BITS * t.n <= 63:
            return (q << (RATE_BITS * np.arange(t.n, dtype=np.int64))).sum(axis=1)
        # wider ports hold Python ints (object arrays)
        return np.array(
            [sum(int(x) << (RATE_BITS * k) for k, x in enumerate(row)) for row in q.tolist()],
            dtype=object,
        )
    return np.asarray(values).astype(np.int64)


def _dense_seeds(op, shared: bool) -> tuple[list[int], list[list[int]]]:
    a = dict(op.attrs)
    ni, nn = a["n_inputs"], a["n_neurons"]
    x = [((a["input_seed_base"] + 7 * i) & 0xFFFF) or 1 for i in range(ni)]
    w = [
        [
            ((a["weight_seed_base"] + 13 * (i if shared else n * ni + i)) & 0xFFFF) or 1
            for i in range(ni)
        ]
        for n in range(nn)
    ]
    return x, w


ROM_BITS = 1 << 20  # constant weight streams up to this many bits go into a ROM


def _weight_rom(packed: int, w_seeds, shared: bool, ni: int, nn: int, length: int) -> list[int]:
    """ROM words of constant weights: bit ``k`` of word ``t`` is weight ``k``'s stream bit
    ``t`` (the twin's encoder from its seed; the same bits the LFSR encoders would give)."""
    mask = (1 << RATE_BITS) - 1
    words = np.zeros(length, dtype=object)
    for n in range(1 if shared else nn):
        for i in range(ni):
            k = i if shared else n * ni + i
            x = np.full(length, (packed >> (RATE_BITS * k)) & mask, dtype=np.int64)
            bits = sw.encoder(EncoderParams(source=LfsrParams(seed=w_seeds[n][i])), x).o
            words += np.asarray(bits, dtype=object) << k
    return [int(w) for w in words]


def _dense_lif(op) -> LifParams:
    w = op.attr("data_width")
    f = min(8, w - 1)
    return LifParams(data_width=w, fraction=f, v_threshold=1 << f, refractory_period=0)


def _dense_current(op, count):
    """``y_min + (y_max - y_min) * count // n_inputs`` (the caller wraps it to the port)."""
    return op.attr("y_min") + (op.attr("y_max") - op.attr("y_min")) * count // op.attr("n_inputs")


def input_ports(graph: Graph, inputs: dict[str, object]) -> dict[str, np.ndarray]:
    """Convert per-window input values (rates as probabilities) to port values."""
    from .values import port_values

    out = {}
    for op in graph.inputs:
        name = op.attr("name")
        if name not in inputs:
            raise ValueError(f"Graph {graph.name!r} input {name!r} is missing")
        out[name] = port_values(name, op.attr("type"), inputs[name])  # exact, or ValueError
    return out


def random_inputs(graph: Graph, windows: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random valid per-window values of every graph input: rates (and vectors of rates) as
    probabilities, integers and fixed point over their whole range."""
    out = {}
    for op in graph.inputs:
        t = op.attr("type")
        if isinstance(t, Rate):
            out[op.attr("name")] = rng.random(windows)
        elif isinstance(t, Vec) and isinstance(t.elem, Rate):
            out[op.attr("name")] = rng.random((windows, t.n))
        elif isinstance(t, UInt | Bool):
            out[op.attr("name")] = rng.integers(0, 1 << t.width, windows, dtype=np.int64)
        elif isinstance(t, SInt | Fixed):
            half = 1 << (t.width - 1)
            out[op.attr("name")] = rng.integers(-half, half, windows, dtype=np.int64)
        else:
            raise LoweringError(
                f"Graph input {op.attr('name')!r} has type {t}, which has no "
                f"random values; inputs are rates, integers or fixed point"
            )
    return out


def _dense_twin(op, types, val, windows: int, length: int) -> np.ndarray:
    a = dict(op.attrs)
    ni, nn = a["n_inputs"], a["n_neurons"]
    xs, ws, leak, gain = (val[o] for o in op.operands)
    shared = types[op.operands[1]].n == ni
    x_seeds, w_seeds = _dense_seeds(op, shared)
    mask = (1 << RATE_BITS) - 1

    def stream(packed, k, seed):
        element = np.array([(int(p) >> (RATE_BITS * k)) & mask for p in packed], dtype=np.int64)
        x = np.broadcast_to(element[:, None], (windows, length))
        return sw.encoder(EncoderParams(source=LfsrParams(seed=seed)), x).o.reshape(windows, length)

    x_bits = [stream(xs, i, s) for i, s in enumerate(x_seeds)]
    p = _dense_lif(op)
    lo, span = -(1 << (p.data_width - 1)), 1 << p.data_width
    words = np.zeros((windows, length), dtype=object if nn > 63 else np.int64)
    for n in range(nn):
        count = sum(
            x_bits[i].astype(np.int64) & stream(ws, i if shared else n * ni + i, w_seeds[n][i])
            for i in range(ni)
        )
        current = (_dense_current(op, count) - lo) % span + lo  # the W-bit I_t port
        per_step = [np.repeat(v, length) for v in (leak, gain)]
        spike = sw.lif(p, *per_step, current.reshape(-1), 0).spike
        bits = spike.reshape(windows, length).astype(np.int64)
        words |= bits.astype(object) << n if nn > 63 else bits << n
    return words


def run_windows(graph: Graph, inputs: dict[str, object]) -> WindowResult:
    """Run ``windows`` windows of the graph on the twins; inputs are one value per window.

    Rates are given as probabilities (converted exactly as the hardware port holds them);
    integers and fixed point as raw integers.
    """
    types, length = _checked(graph)
    ports = input_ports(graph, inputs)
    n = {len(v) for v in ports.values()}
    if len(n) > 1:
        raise ValueError(
            f"Graph {graph.name!r} inputs must give the same number of windows, not {sorted(n)}"
        )
    windows = n.pop() if n else 1
    val: dict[int, np.ndarray | tuple] = {}
    for op in graph.ops:
        if op.kind == "input":
            val[op.result] = ports[op.attr("name")]
        elif op.kind == "constant":
            val[op.result] = _const_windows(op, windows)
        elif op.kind == "encode":
            x = np.broadcast_to(val[op.operands[0]][:, None], (windows, length))
            val[op.result] = sw.encoder(_encoder_params(op), x).o.reshape(windows, length)
        elif op.kind == "and":
            a, b = val[op.operands[0]], val[op.operands[1]]
            val[op.result] = a & b
        elif op.kind == "popcount":
            val[op.result] = val[op.operands[0]].astype(np.int64).sum(axis=1)
        elif op.kind == "div_const":
            val[op.result] = val[op.operands[0]] // op.attr("divisor")
        elif op.kind in ("scale", "offset"):
            val[op.result] = _rate_op_twin(op, val[op.operands[0]])
        elif op.kind == "dense_forward":
            val[op.result] = _dense_twin(op, types, val, windows, length)
        elif op.kind in PRIMITIVES:
            prim = PRIMITIVES[op.kind]
            spec = prim.ir
            ins = {port: val[o] for port, o in zip(spec.streams, op.operands, strict=False)}
            for port, o in zip(spec.values, op.operands[len(spec.streams) :], strict=True):
                ins[port] = np.broadcast_to(val[o][:, None], (windows, length))
            first = np.zeros((windows, length), dtype=np.int64)
            first[:, 0] = 1
            window_signals = {"first": first, "busy": np.ones((windows, length), np.int64)}
            ins.update(
                {
                    port: window_signals[value]
                    if isinstance(value, str)
                    else np.full((windows, length), value)
                    for port, value in spec.tied
                }
            )
            if spec.stateful:  # one instance over the stream cycles of every window in a row
                ins = {port: np.asarray(v).reshape(-1) for port, v in ins.items()}
            out = prim.twin(params_from_attrs(prim, dict(op.attrs)), **ins)._asdict()
            val[op.result] = np.asarray(out[spec.output]).reshape(windows, length)
        elif op.kind == "lif_step":
            p = _lif_params(op)
            lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
            args = []
            for o in op.operands:
                v = val[o]
                # the port truncates to data_width bits, as the hardware connection does
                args.append(
                    ((v - lo) & ((1 << p.data_width) - 1)) + lo
                    if (v < lo).any() or (v > hi).any()
                    else v
                )
            current, leak, gain, noise = args  # operand order of sc.lif_step
            trace = sw.lif(p, leak_k=leak, gain_k=gain, I_t=current, noise_in=noise)
            val[op.result] = (trace.spike.astype(np.int64), trace.v.astype(np.int64))
    outputs = {}
    for port, (src, field) in _port_names(graph, types).items():
        v = val[src]
        if field is not None:
            v = v[0] if field == "spike" else v[1]
        outputs[port] = np.asarray(v)
    return WindowResult(outputs, length)


# --------------------------------------------------------------------------------------------
# running the hardware with the window protocol


def window_stimulus(
    top: GraphTop,
    ports: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Cycle-level inputs for ``top`` that run one window per entry of ``ports``.

    Between starts the input ports carry random values and ``start`` pulses spuriously while
    ``busy``, so the latching and the busy guard are exercised. Returns the inputs and the start
    cycle of every window.
    """
    length = top.length
    windows = len(next(iter(ports.values()))) if ports else 1
    starts, t = [], 0
    for _ in range(windows):
        starts.append(t)
        t += length + 2 + int(rng.integers(0, 3))
    cycles = t + 2
    stim: dict[str, np.ndarray] = {"start": np.zeros(cycles, dtype=np.int64)}
    for name, member in top.signature.members.items():
        if member.flow == wiring.In and name != "start":
            shape = member.shape
            width = shape.width if hasattr(shape, "width") else int(shape)
            is_signed = getattr(shape, "signed", False)
            if width > 63:  # Python ints, from random bytes
                stim[name] = np.array(
                    [
                        int.from_bytes(rng.bytes((width + 7) // 8), "little") & ((1 << width) - 1)
                        for _ in range(cycles)
                    ],
                    dtype=object,
                )
                continue
            lo = -(1 << (width - 1)) if is_signed else 0
            hi = (1 << (width - 1)) - 1 if is_signed else (1 << width) - 1
            stim[name] = rng.integers(lo, hi, cycles, endpoint=True)
    for w, s in enumerate(starts):
        stim["start"][s] = 1
        for k in range(s + 1, s + length + 1):  # spurious starts while busy are ignored
            if rng.random() < 0.05:
                stim["start"][k] = 1
        for name, values in ports.items():
            stim[name][s] = values[w]
    return stim, np.array(starts)


def collect_windows(
    top: GraphTop, trace: dict[str, np.ndarray], starts: np.ndarray
) -> WindowResult:
    """Read per-window results out of a cycle trace of ``top`` (see :func:`window_stimulus`)."""
    length, types = top.length, top._types
    done = np.flatnonzero(trace["done"])
    expected = starts + length + 2
    if done.tolist() != expected.tolist():
        raise AssertionError(
            f"done on cycles {done.tolist()[:8]}..., expected {expected.tolist()[:8]}..."
        )
    outputs = {}
    for port, (src, _field) in _port_names(top.graph, types).items():
        values = trace[port]
        if _per_cycle(types[src]):
            idx = starts[:, None] + 1 + top.latency + np.arange(length)[None, :]
            outputs[port] = values[idx]
        else:
            outputs[port] = values[done]
    return WindowResult(outputs, length)


def run_hardware(
    graphs: list[Graph],
    inputs: list[dict[str, object]],
    *,
    backend: str = "pysim",
    build_dir=None,
    seed: int = 1,
    emitted: bool = False,
) -> list[WindowResult]:
    """Run graphs side by side on a simulator backend with the window protocol.

    ``inputs`` are per-window values as for :func:`run_windows`; all graphs share one
    simulation (one Verilator build). ``emitted=True`` (Verilator) simulates the emitted
    SystemVerilog files (:class:`EmittedTop`) instead of Amaranth's own conversion.
    """
    if emitted and backend != "verilator":
        raise ValueError(f"Emitted files run on the verilator backend, not {backend!r}")
    from .. import sim

    rng = np.random.default_rng(seed)
    tops, stims, starts = [], [], []
    for g, ins in zip(graphs, inputs, strict=True):
        top = EmittedTop(g) if emitted else GraphTop(g)
        stim, first = window_stimulus(top, input_ports(g, ins), rng)
        tops.append(top)
        stims.append(stim)
        starts.append(first)
    cycles = max(len(s["start"]) for s in stims)
    for stim in stims:  # idle cycles pad every run to the longest
        for k, v in stim.items():
            stim[k] = np.concatenate([v, np.zeros(cycles - len(v), dtype=v.dtype)])
    traces, _ = sim.run_many(tops, stims, cycles, backend=backend, build_dir=build_dir)
    return [collect_windows(t, tr, s) for t, tr, s in zip(tops, traces, starts, strict=True)]
