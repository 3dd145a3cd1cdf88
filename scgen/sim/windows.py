"""Graphs over windows: the twin executor and the hardware run with the window protocol.

:func:`run_windows` runs a graph on its ops' twins, many windows in one call; :func:`run_hardware`
runs the same graphs' hardware (:class:`~scgen.ir.lower.GraphTop`, or the emitted SystemVerilog
as :class:`EmittedTop`) on a simulator backend, one window per entry, and reads the same
per-window results back, so the two compare with ``==``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from amaranth.hdl import ClockSignal, Instance, Module, ResetSignal
from amaranth.lib import wiring

from ..ir.graph import Graph, Op, ir_hash
from ..ir.lower import GraphTop, checked, output_ports
from ..ir.ops import OPS, TwinContext
from ..ir.ports import input_ports, per_cycle

__all__ = [
    "EmittedTop",
    "WindowResult",
    "carries_state",
    "collect_windows",
    "explain",
    "harness_run",
    "run_hardware",
    "run_windows",
    "window_stimulus",
]


@dataclass
class WindowResult:
    """Per-window outputs: window-level values ``(windows,)``, streams ``(windows, L)``.

    ``engine`` says how each op ran (op index -> ``"packed"``, ``"bit-sliced ..."``, ``"twin"``);
    ``independent`` whether the windows ran independently, each from reset (``state="fresh"``,
    or a graph that carries no state from window to window), in parallel where an op can.
    """

    outputs: dict[str, np.ndarray]
    length: int
    engine: dict[int, str] = field(default_factory=dict)
    independent: bool = False


ENGINES = ("compiled", "twin")
STATES = ("carry", "fresh")
# per graph: values computed once. Graphs are frozen and compare by content, so equal graphs
# (equal IR hashes) share one entry; the key hashes in microseconds where ir_hash prints the text
_GRAPH_CACHE: OrderedDict[Graph, dict] = OrderedDict()
_GRAPH_CACHE_SIZE = 32


def _graph_cache(graph: Graph) -> dict:
    key = graph
    cache = _GRAPH_CACHE.pop(key, None)
    if cache is None:
        cache = {}
    _GRAPH_CACHE[key] = cache
    while len(_GRAPH_CACHE) > _GRAPH_CACHE_SIZE:
        _GRAPH_CACHE.popitem(last=False)
    return cache


def carries_state(graph: Graph) -> bool:
    """True when some op of ``graph`` keeps state from window to window
    (:meth:`~scgen.ir.ops.OpKind.carries_state`), so its windows depend on the ones before."""
    return any(OPS[op.kind].carries_state(op) for op in graph.ops)


def run_windows(
    graph: Graph,
    inputs: dict[str, Any],
    *,
    engine: str = "compiled",
    state: str = "carry",
) -> WindowResult:
    """Run ``windows`` windows of the graph on the twins; inputs are one value per window.

    Rates are given as probabilities (converted exactly as the hardware port holds them);
    integers and fixed point as raw integers. With ``engine="compiled"`` every op computes its
    result with its :meth:`~scgen.ir.ops.OpKind.compiled` part (packed streams, bit-sliced
    dense counts; an op without one runs its twin), with ``engine="twin"`` with its own
    :meth:`~scgen.ir.ops.OpKind.twin` (the reference the compiled engine is tested against).

    With ``state="carry"`` (the default) the neurons' state carries from window to window, as
    in hardware; with ``state="fresh"`` every window starts from reset, as if it ran alone
    (independent samples of a batch). A graph without state across windows gives the same
    bits either way; its windows run independently (and in parallel where an op can) in both.
    """
    if engine not in ENGINES:
        raise ValueError(f"run_windows engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if state not in STATES:
        raise ValueError(f"run_windows state must be one of {', '.join(STATES)}, not {state!r}")
    types, length = checked(graph)
    ports = input_ports(graph, inputs)
    n = {len(v) for v in ports.values()}
    if len(n) > 1:
        raise ValueError(
            f"Graph {graph.name!r} inputs must give the same number of windows, not {sorted(n)}"
        )
    windows = n.pop() if n else 1
    independent = state == "fresh" or not carries_state(graph)
    if engine == "twin" and independent and windows > 1 and carries_state(graph):
        # the reference for fresh state: every window run alone, from reset
        ran = [
            _run(graph, types, length, {k: v[w : w + 1] for k, v in ports.items()}, 1, False, False)
            for w in range(windows)
        ]
        outputs = {k: np.concatenate([r.outputs[k] for r in ran]) for k in ran[0].outputs}
        return WindowResult(outputs, length, ran[0].engine, True)
    result = _run(graph, types, length, ports, windows, engine == "compiled", independent)
    return result


def _run(
    graph: Graph,
    types: dict,
    length: int,
    ports: dict[str, np.ndarray],
    windows: int,
    compiled: bool,
    fresh: bool,
) -> WindowResult:
    producer: dict[int, Op] = {op.result: op for op in graph.ops if op.result is not None}
    ctx = TwinContext(graph, types, producer, length, windows, ports, fresh=compiled and fresh)
    if compiled:
        ctx.cache = _graph_cache(graph)
    val: dict[int, Any] = {}
    for i, op in enumerate(graph.ops):
        ctx.index = i
        kind, args = OPS[op.kind], [val[o] for o in op.operands]
        if compiled:
            value = kind.compiled(ctx, op, args)
        else:
            value = kind.twin(ctx, op, args)
            ctx.ran("twin")
        if op.result is not None:
            val[op.result] = value
    return WindowResult(ctx.outputs, length, ctx.engine, fresh)


def explain(graph: Graph, result: WindowResult) -> str:
    """How each op of ``graph`` ran in ``result``: one line per op, its text and its engine."""
    from ..ir.text import print_graph

    text = print_graph(graph).splitlines()[1 : 1 + len(graph.ops)]
    lines = [
        "windows: independent, each from reset (in parallel where an op can)"
        if result.independent
        else "windows: in order, state carried from window to window"
    ]
    lines += [f"{result.engine.get(i, '-'):<32} {line.strip()}" for i, line in enumerate(text)]
    return "\n".join(lines)


class EmittedTop(GraphTop):
    """The graph's *emitted* SystemVerilog (:func:`scgen.emit.verilog`) as a black box with
    :class:`GraphTop`'s ports: simulating it (Verilator only) checks the file users get."""

    def __init__(self, graph: Graph, *, sv: bool = True):
        from ..emit.verilog import verilog

        super().__init__(graph)
        # one module per distinct graph, so several can share one simulation
        self.module = f"emitted_{graph.name}_{ir_hash(graph)[:10]}"
        self.verilog_source = verilog(graph, name=self.module, sv=sv)

    @property
    def design_key(self) -> tuple:
        return (*super().design_key, self.module, self.verilog_source)

    def elaborate(self, platform: Any) -> Module:
        m = Module()
        ports = {
            ("i_" if member.flow is wiring.In else "o_") + name: getattr(self, name)
            for name, member in self.signature.members.items()
        }
        m.submodules.emitted = Instance(
            self.module, i_clk=ClockSignal(), i_rst=ResetSignal(), **ports
        )
        return m


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
            if width > 63:  # Python ints, from random bytes (one draw for every cycle)
                nbytes, mask = (width + 7) // 8, (1 << width) - 1
                raw = rng.bytes(nbytes * cycles)
                stim[name] = np.array(
                    [
                        int.from_bytes(raw[k : k + nbytes], "little") & mask
                        for k in range(0, nbytes * cycles, nbytes)
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
    length, types = top.length, top.types
    done = np.flatnonzero(trace["done"])
    expected = starts + length + 2
    if done.tolist() != expected.tolist():
        raise AssertionError(
            f"done on cycles {done.tolist()[:8]}..., expected {expected.tolist()[:8]}..."
        )
    outputs = {}
    for port, (src, _field) in output_ports(top.graph, types).items():
        values = trace[port]
        if per_cycle(types[src]):
            idx = starts[:, None] + 1 + top.latency + np.arange(length)[None, :]
            outputs[port] = values[idx]
        else:
            outputs[port] = values[done]
    return WindowResult(outputs, length)


def harness_run(
    graphs: list[Graph],
    inputs: list[dict[str, object]],
    *,
    backend: str = "pysim",
    build_dir=None,
    seed: int = 1,
    emitted: bool = False,
    optimize: bool = True,
    trace=None,
) -> tuple[list[GraphTop], list[dict[str, np.ndarray]], list[np.ndarray], list[dict]]:
    """Run graphs side by side with the window protocol and return the raw cycle traces.

    Returns ``(tops, stimuli, starts, traces)``: each graph's top, its per-cycle stimulus, the
    start cycle of each window and its per-cycle output trace. :func:`run_hardware` reads the
    window results out of them; :func:`scgen.sim.diverge.op_divergence` compares them cycle
    by cycle. ``trace`` writes a waveform as for :func:`scgen.sim.run_many`.
    """
    if emitted and backend != "verilator":
        raise ValueError(f"Emitted files run on the verilator backend, not {backend!r}")
    from . import run_many

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
    traces, _ = run_many(
        tops, stims, cycles, backend=backend, build_dir=build_dir, optimize=optimize, trace=trace
    )
    return tops, stims, starts, traces


def run_hardware(
    graphs: list[Graph],
    inputs: list[dict[str, object]],
    *,
    backend: str = "pysim",
    build_dir=None,
    seed: int = 1,
    emitted: bool = False,
    optimize: bool = True,
) -> list[WindowResult]:
    """Run graphs side by side on a simulator backend with the window protocol.

    ``inputs`` are per-window values as for :func:`run_windows`; all graphs share one
    simulation (one Verilator build). ``emitted=True`` (Verilator) simulates the emitted
    SystemVerilog files (:class:`EmittedTop`) instead of Amaranth's own conversion.
    ``optimize=False`` builds the native model at ``-O0`` (many graphs, few cycles).
    """
    tops, _stims, starts, traces = harness_run(
        graphs,
        inputs,
        backend=backend,
        build_dir=build_dir,
        seed=seed,
        emitted=emitted,
        optimize=optimize,
    )
    return [collect_windows(t, tr, s) for t, tr, s in zip(tops, traces, starts, strict=True)]
