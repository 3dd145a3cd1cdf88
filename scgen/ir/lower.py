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
(:func:`scgen.sim.run_windows`) computes the same values from the twins of the same primitives,
for many windows in one call.

What each op adds to the module is the op's own :meth:`~scgen.ir.ops.OpKind.hardware`;
:class:`GraphTop` only runs the window protocol and hands every op its operands' signals.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from amaranth.hdl import Module, ResetInserter, Shape, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..hw.lfsr import Lfsr
from ..params import LfsrParams
from .graph import Graph, Op
from .ops import OPS, HwContext
from .ports import LoweringError, output_fields, per_cycle, port_shape
from .types import Bitstream, Tuple, Type, Words

__all__ = [
    "GraphPorts",
    "GraphTop",
    "LoweringError",
    "checked",
    "graph_latency",
    "graph_ports",
    "output_ports",
    "window_length",
]


def window_length(graph: Graph) -> int:
    """Return the graph's stream length ``L`` (all bitstream values must agree; 1 if none)."""
    types = graph.result_types()
    lengths = {t.length for t in types.values() if isinstance(t, Bitstream | Words)}
    lengths |= {n for op in graph.ops if (n := OPS[op.kind].stream_length(op)) is not None}
    if len(lengths) > 1:
        raise LoweringError(
            f"graph {graph.name!r} mixes stream lengths {sorted(lengths)}; a window has one length"
        )
    return lengths.pop() if lengths else 1


def graph_latency(graph: Graph) -> int:
    """Cycles from a stream bit to the graph's per-cycle outputs (the slowest op's)."""
    return max((OPS[op.kind].latency(op) for op in graph.ops), default=0)


def checked(graph: Graph) -> tuple[dict[int, Type], int]:
    """Verify ``graph`` and check every op can be lowered; return its types and ``L``.

    Raises :class:`~scgen.ir.VerifyError` or :class:`LoweringError` naming the op.
    """
    graph.check()
    types = graph.result_types()
    for i, op in enumerate(graph.ops):
        for problem in OPS[op.kind].lowering_problems(op, types):
            raise LoweringError(f"op[{i}] ({op.kind}): {problem}")
    return types, window_length(graph)


def output_ports(graph: Graph, types: dict[int, Type]) -> dict[str, tuple[int, str | None]]:
    """Output port name -> (source id, tuple field or None)."""
    out = {}
    for op in graph.outputs:
        src = op.operands[0]
        for port, field in output_fields(op.attr("name"), types[src]):
            out[port] = (src, field)
    return out


class GraphPorts(NamedTuple):
    """What a graph's hardware exchanges: GraphTop's data ports and the window length."""

    inputs: dict[str, Shape]  # input name -> shape
    outputs: dict[str, tuple[Shape, bool]]  # output port -> (shape, changes every cycle)
    length: int


def graph_ports(graph: Graph) -> GraphPorts:
    """The data ports of :class:`GraphTop` for ``graph`` (checked to lower to hardware)."""
    types, length = checked(graph)
    inputs = {op.attr("name"): port_shape(op.attr("type")) for op in graph.inputs}
    outputs = {}
    for name, (src, field) in output_ports(graph, types).items():
        t = types[src]
        if isinstance(t, Tuple) and field is not None:
            item = t.items[("spike", "v").index(field)]
            shape = Shape.cast(1) if field == "spike" else signed(item.width)
            outputs[name] = (shape, False)
        else:
            outputs[name] = (port_shape(t), per_cycle(t))
    return GraphPorts(inputs, outputs, length)


_LFSR_WINDOWS = 1 << 17  # windows up to this length count with an LFSR


def window_state(length: int) -> int:
    """The window LFSR's state on the cycle before a window's ``last`` (``length - 1`` steps
    from its seed 1)."""
    src = LfsrParams(width=max(3, (length + 1).bit_length()), seed=1)
    return src.advanced(length - 1).seed


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
        self.latch_inputs = bool(latch_inputs)
        self._types, self._length = checked(graph)
        self._MustUse__silence = False
        ports = graph_ports(graph)
        members: dict[str, Any] = {"start": In(1), "busy": Out(1), "done": Out(1)}
        members.update({name: In(shape) for name, shape in ports.inputs.items()})
        members.update({name: Out(shape) for name, (shape, _) in ports.outputs.items()})
        super().__init__(members)

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def design_key(self) -> tuple:
        """What fixes this component's hardware (within one process): equal keys give equal
        Verilog, so a simulator may reuse a conversion."""
        # the op objects themselves (by identity): a primitive registered again under the same
        # name is another op, so its graph's key differs
        kinds = tuple(OPS[k] for k in sorted({op.kind for op in self._graph.ops}))
        return (type(self).__name__, self._graph, self.latch_inputs, kinds)

    @property
    def types(self) -> dict[int, Type]:
        """The type of every result of the graph."""
        return self._types

    @property
    def length(self) -> int:
        """Stream length ``L`` of a window."""
        return self._length

    @property
    def latency(self) -> int:
        """Cycles from a stream bit to its per-cycle outputs: 1 when the graph has a dense
        layer (its neurons step one cycle after their synapses), else 0."""
        return graph_latency(self._graph)

    def elaborate(self, platform: Any) -> Module:
        m = Module()
        length = self._length
        # the window's cycles are counted by an LFSR (one LUT per step, where a binary counter's
        # carry chain was the longest path of windows of thousands of cycles); ``idle`` and
        # ``last`` are registers set a cycle ahead, by a compare with the LFSR's state on cycle
        # t0 + L (cycle t0 + 1 + j holds state j)
        idle = Signal(init=1)
        last = Signal()  # cycle t0 + L + 1: counts are final
        start = Signal()
        m.d.comb += start.eq(self.start & idle)
        start_d = Signal()
        m.d.sync += start_d.eq(start)
        near = Signal()  # the cycle before ``last``
        if length <= _LFSR_WINDOWS:
            src = LfsrParams(width=max(3, (length + 1).bit_length()), seed=1)
            m.submodules.window_lfsr = counter = ResetInserter(start)(Lfsr(src))
            m.d.comb += [counter.en.eq(~idle), near.eq(counter.value == window_state(length))]
        else:  # beyond 2**17 cycles: a binary count (its compare state is not precomputed)
            left = Signal(range(length + 2))
            with m.If(start):
                m.d.sync += left.eq(length)
            with m.Elif(~idle):
                m.d.sync += left.eq(left - 1)
            m.d.comb += near.eq(left == 1)
        with m.If(start):
            m.d.sync += [idle.eq(0), last.eq(0)]
        with m.Elif(~idle):
            m.d.sync += [idle.eq(last), last.eq(near)]
        run = Signal()  # the stream section: cycles t0 + 1 .. t0 + L
        run_d = Signal()
        m.d.comb += run.eq(~idle & ~last)
        m.d.sync += run_d.eq(run)
        m.d.comb += self.busy.eq(run_d if self.latency else run)
        m.d.sync += self.done.eq(last)

        g = self._graph
        producer: dict[int, Op] = {op.result: op for op in g.ops if op.result is not None}
        ctx = HwContext(
            m, self, g, self._types, producer, length, self.latency,
            start, start_d, run, run_d, last, self.busy,
        )  # fmt: skip
        sig: dict[int, Any] = {}
        for i, op in enumerate(g.ops):
            ctx.index = i
            value = OPS[op.kind].hardware(ctx, op, [sig[o] for o in op.operands])
            if op.result is not None:
                sig[op.result] = value
        return m
