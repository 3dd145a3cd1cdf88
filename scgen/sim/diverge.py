"""First divergence between two runs of the same design (twin against hardware, or two backends).

:func:`first_divergence` compares per-cycle traces of instances run side by side and returns a
:class:`Divergence` naming the first cycle (the earliest over every instance and port), the
port, what drives it (a primitive's port or an IR op), and every input and output of that
instance over the cycles leading to it on both sides. :meth:`Divergence.write_vcd` reruns the
hardware on the native backend with a waveform of that window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Divergence",
    "OpDivergence",
    "first_divergence",
    "graph_drivers",
    "op_divergence",
    "probe_graph",
    "window_divergence",
]


def _ints(values) -> np.ndarray:
    a = np.asarray(values)
    return a if a.dtype == object else a.astype(np.int64)


@dataclass(frozen=True)
class Divergence:
    """Where two traces first differ.

    ``instance`` indexes the instances run side by side; ``label`` names it (e.g. the primitive
    and its params); ``driver`` names what drives ``port`` (``"lif.v"`` for a primitive port,
    ``"%3 = lif(...)"`` for an IR op). ``window`` is ``(first, end)``: the cycles shown in
    ``inputs``, ``expected`` and ``actual`` (one array per port, ``end - first`` values each).
    """

    instance: int
    label: str
    port: str
    cycle: int
    driver: str
    window: tuple[int, int]
    inputs: dict[str, np.ndarray]
    expected: dict[str, np.ndarray]
    actual: dict[str, np.ndarray]
    mismatches: int = 0
    vcd: Path | None = field(default=None, compare=False)

    def __str__(self) -> str:
        first, end = self.window
        lines = [
            f"first divergence: instance {self.instance} ({self.label}), port {self.port!r} "
            f"driven by {self.driver}, at cycle {self.cycle} "
            f"({self.mismatches} differing cycles on that port)",
            f"{'cycle':>8}  "
            + "  ".join(f"{n:>10}" for n in self.inputs)
            + "".join(f"  {n + ' want':>12}  {n + ' got':>12}" for n in self.expected),
        ]
        for i, t in enumerate(range(first, end)):
            cells = [f"{int(v[i]):>10}" for v in self.inputs.values()]
            for n, want in self.expected.items():
                got = self.actual[n]
                mark = "*" if want[i] != got[i] else " "
                cells.append(f"{int(want[i]):>12}  {int(got[i]):>11}{mark}")
            lines.append(f"{t:>8}  " + "  ".join(cells))
        if self.vcd is not None:
            lines.append(f"waveform of cycles {first}..{end - 1}: {self.vcd}")
        return "\n".join(lines)

    def write_vcd(self, duts, inputs, path) -> Divergence:
        """Rerun ``duts`` on the native backend with a VCD of this window; return the report
        with :attr:`vcd` set."""
        from .native import run_native

        path = Path(path)
        first, end = self.window
        prefix = [{p: np.asarray(v)[:end] for p, v in ins.items()} for ins in inputs]
        run_native(duts, prefix, end, trace=(path, first, end))
        return Divergence(**{**self.__dict__, "vcd": path})


def first_divergence(
    expected: list[dict[str, np.ndarray]],
    actual: list[dict[str, np.ndarray]],
    *,
    inputs: list[dict[str, np.ndarray]] | None = None,
    labels: list[str] | None = None,
    drivers: list[dict[str, str]] | None = None,
    before: int = 8,
    after: int = 2,
) -> Divergence | None:
    """Return the earliest divergence between per-instance traces, or None when all agree.

    ``expected`` and ``actual`` hold one ``{port: per-cycle array}`` per instance; every port of
    ``expected`` must be in ``actual`` with the same length. ``inputs`` (the stimulus) is
    shown beside the outputs; ``labels`` and ``drivers`` name instances and ports (defaults:
    ``"instance k"`` and the port name). The window spans ``before`` cycles before the first
    difference to ``after`` cycles after it.
    """
    if len(expected) != len(actual):
        raise ValueError(
            f"Divergence needs as many actual traces as expected ({len(expected)}), "
            f"not {len(actual)}"
        )
    best = None  # (cycle, instance, port, count)
    for k, (want_k, got_k) in enumerate(zip(expected, actual, strict=True)):
        for port, want in want_k.items():
            if port not in got_k:
                raise ValueError(f"Instance {k} port {port!r} is missing from the actual trace")
            w, g = _ints(want), _ints(got_k[port])
            if w.shape != g.shape:
                raise ValueError(
                    f"Instance {k} port {port!r} must have shape {w.shape}, not {g.shape}"
                )
            bad = np.flatnonzero(w != g)
            if bad.size and (best is None or (int(bad[0]), k) < best[:2]):
                best = (int(bad[0]), k, port, int(bad.size))
    if best is None:
        return None
    cycle, k, port, count = best
    n = len(_ints(expected[k][port]))
    first, end = max(0, cycle - before), min(n, cycle + after + 1)
    ins = {} if inputs is None else {p: _ints(v)[first:end] for p, v in inputs[k].items()}
    return Divergence(
        instance=k,
        label=labels[k] if labels else f"instance {k}",
        port=port,
        cycle=cycle,
        driver=(drivers[k].get(port, port) if drivers else port),
        window=(first, end),
        inputs=ins,
        expected={p: _ints(v)[first:end] for p, v in expected[k].items()},
        actual={p: _ints(actual[k][p])[first:end] for p in expected[k]},
        mismatches=count,
    )


def graph_drivers(graph) -> dict[str, str]:
    """Map each output port of ``graph`` to the op that drives it, as ``'%4 = sc.and %2, %3'``."""
    producers = {op.result: op for op in graph.ops if op.result is not None}
    out = {}
    for op in graph.outputs:
        src = producers.get(op.operands[0])
        name = op.attr("name")
        if src is None:
            out[name] = f"%{op.operands[0]}"
            continue
        args = ", ".join(f"%{v}" for v in src.operands)
        text = f"'%{src.result} = sc.{src.kind} {args}'"
        out[name] = text
        out[f"{name}__spike"] = text
        out[f"{name}__v"] = text
    return out


def window_divergence(graph, expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]):
    """Describe the first window output where a hardware run of ``graph`` leaves the twin.

    ``expected`` and ``actual`` are :class:`~scgen.ir.lower.WindowResult` outputs (one value
    per window, or ``(windows, length)`` for streams). Returns one line naming the output, the
    op that drives it, the window (and stream cycle) and both values, or None when all agree.
    """
    drivers = graph_drivers(graph)
    best = None
    for name, want in expected.items():
        w, g = _ints(want), _ints(actual[name])
        w2, g2 = w.reshape(len(w), -1), g.reshape(len(g), -1)
        bad = np.argwhere(w2 != g2)
        if bad.size and (best is None or tuple(bad[0]) < best[:2]):
            best = (int(bad[0][0]), int(bad[0][1]), name, w2, g2)
    if best is None:
        return None
    window, cycle, name, w2, g2 = best
    where = f"window {window}" + (f", stream cycle {cycle}" if w2.shape[1] > 1 else "")
    return (
        f"first divergence: output {name!r} driven by {drivers.get(name, name)}, at {where}: "
        f"twin {int(w2[window, cycle])}, hardware {int(g2[window, cycle])}"
    )


# --------------------------------------------------------------------------------------------
# per-op divergence inside a window


def probe_graph(graph):
    """Return ``graph`` with every op's result also a graph output, and the probe names.

    The probe output of result ``%k`` is named ``probeK`` (underscores appended while the name
    is taken). GraphTop of the probe graph is the *debug build*: the same ops, plus a port per
    op, so the hardware's own value of every op is visible on every cycle.
    """
    from ..ir.graph import Graph, Op

    taken = {op.attr("name") for op in graph.ops if op.kind in ("input", "output")}
    names: dict[int, str] = {}
    extra = []
    for op in graph.ops:
        if op.result is None:
            continue
        name = f"probe{op.result}"
        while name in taken:
            name += "_"
        taken.add(name)
        names[op.result] = name
        extra.append(Op("output", None, (op.result,), (("name", name),)))
    return Graph(graph.name, (*graph.ops, *extra)), names


@dataclass(frozen=True)
class OpDivergence:
    """The IR op whose own value first leaves the twin, cycle by cycle.

    ``op`` indexes ``graph.ops`` and ``text`` is its line of IR text. ``window`` and
    ``stream_cycle`` (None for a window-level value) say where in the window protocol the
    first difference is; ``cycle`` is the harness cycle. ``ports`` maps each shown probe port
    to what it carries (``"%2 (operand)"``, ``"%3 (result)"``); ``expected`` (the twin's values
    placed on the cycles where the hardware shows them, None where the protocol defines no
    value) and ``actual`` (the hardware's probe ports) cover cycles ``span[0] <= t <
    span[1]``. ``also`` lists the other ops whose values differ later (their index).
    """

    graph: str
    backend: str
    op: int
    text: str
    window: int
    stream_cycle: int | None
    cycle: int
    span: tuple[int, int]
    ports: dict[str, str]
    expected: dict[str, np.ndarray]
    actual: dict[str, np.ndarray]
    mismatches: int = 0
    also: tuple[int, ...] = ()
    vcd: Path | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"window {self.window}" + (
            f", stream cycle {self.stream_cycle}" if self.stream_cycle is not None else ""
        )
        lines = [
            f"first divergence inside graph {self.graph!r} on {self.backend}: op[{self.op}] "
            f"'{self.text}' is the first op whose own value differs, at cycle {self.cycle} "
            f"({where}; {self.mismatches} differing cycles of that op"
            + (f"; later also op {', '.join(map(str, self.also))}" if self.also else "")
            + ")",
            f"{'cycle':>8}"
            + "".join(
                f"  {what.split()[0] + ' twin':>14} {what.split()[0] + ' hw':>12} "
                for what in self.ports.values()
            )
            + "   (probe ports: "
            + ", ".join(f"{p} = {what}" for p, what in self.ports.items())
            + ")",
        ]
        for i, t in enumerate(range(*self.span)):
            cells = []
            for p in self.ports:
                want, got = self.expected[p][i], self.actual[p][i]
                mark = "*" if want is not None and int(want) != int(got) else " "
                shown = "." if want is None else str(int(want))
                cells.append(f"  {shown:>14} {int(got):>12}{mark}")
            lines.append(f"{t:>8}" + "".join(cells))
        if self.vcd is not None:
            lines.append(f"waveform of cycles {self.span[0]}..{self.span[1] - 1}: {self.vcd}")
        return "\n".join(lines)


def _on_cycles(top, value, starts: np.ndarray, cycles: int, stream: bool) -> np.ndarray:
    """The twin's window values placed on the harness cycles where GraphTop shows them."""
    out = np.full(cycles, None, dtype=object)
    value = np.asarray(value)
    if stream:
        idx = starts[:, None] + 1 + top.latency + np.arange(top.length)[None, :]
        out[idx.ravel()] = list(value.reshape(-1).tolist())
    else:
        done = starts + top.length + 2
        for w, t in enumerate(done.tolist()):
            end = int(done[w + 1]) if w + 1 < len(done) else cycles
            out[t:end] = [value[w].item() if hasattr(value[w], "item") else value[w]] * (end - t)
    return out


def op_divergence(
    graph,
    inputs: dict,
    *,
    backend: str = "verilator",
    build_dir=None,
    seed: int = 1,
    engine: str = "compiled",
    before: int = 8,
    after: int = 2,
    vcd=None,
) -> OpDivergence | None:
    """Find the first IR op of ``graph`` whose own value differs between twin and hardware.

    The graph runs as its probe graph (:func:`probe_graph`: a port per op) on ``backend`` with
    the stimulus :func:`~scgen.sim.run_hardware` draws for ``seed``, and on the twin
    (``engine`` as for :func:`~scgen.sim.run_windows`). Every op's value is compared on every
    cycle where the window protocol defines it. The op reported is the first in graph order
    among those that differ in the earliest differing window (a downstream op inherits an
    upstream difference, never the other way round). ``vcd`` (a path) reruns the hardware with
    a waveform of the report's cycles. Returns None when every op agrees on every cycle.
    """
    from ..ir.lower import output_ports
    from ..ir.ports import per_cycle
    from ..ir.text import print_graph
    from .windows import harness_run, run_windows

    probe, names = probe_graph(graph)
    twin = run_windows(probe, inputs, engine=engine)
    run_kw = {"backend": backend, "build_dir": build_dir, "seed": seed}
    tops, stims, starts_l, traces = harness_run([probe], [inputs], **run_kw)
    top, stim, starts, trace = tops[0], stims[0], starts_l[0], traces[0]
    cycles = len(stim["start"])
    types = top.types
    ports_of: dict[int, list[str]] = {}
    for port, (src, _field) in output_ports(probe, types).items():
        if port.startswith(names.get(src, "\0")):
            ports_of.setdefault(src, []).append(port)
    expected: dict[str, np.ndarray] = {}
    first_bad: dict[int, tuple[int, int]] = {}  # op index -> (window, cycle)
    count: dict[int, int] = {}
    for i, op in enumerate(graph.ops):
        if op.result is None:
            continue
        for port in ports_of[op.result]:
            want = _on_cycles(top, twin.outputs[port], starts, cycles, per_cycle(types[op.result]))
            expected[port] = want
            got = _ints(trace[port])
            defined = np.array([v is not None for v in want])
            bad = [t for t in np.flatnonzero(defined).tolist() if int(want[t]) != int(got[t])]
            if bad:
                t = bad[0]
                w = int(np.searchsorted(starts, t, side="right")) - 1
                if i not in first_bad or t < first_bad[i][1]:
                    first_bad[i] = (w, t)
                count[i] = max(count.get(i, 0), len(bad))
    if not first_bad:
        return None
    i = min(first_bad, key=lambda j: (first_bad[j][0], j))
    window, cycle = first_bad[i]
    op = graph.ops[i]
    stream = per_cycle(types[op.result])
    stream_cycle = int(cycle - starts[window] - 1 - top.latency) if stream else None
    shown: dict[str, str] = {}

    def label(rid: int, port: str) -> str:
        field = port.rpartition("__")[2] if "__" in port else ""
        return f"%{rid}" + (f".{field}" if field else "")

    for o in op.operands:
        for port in ports_of.get(o, []):
            shown[port] = f"{label(o, port)} (operand)"
    for port in ports_of[op.result]:
        shown[port] = f"{label(op.result, port)} (result)"
    span = (max(0, cycle - before), min(cycles, cycle + after + 1))
    report = OpDivergence(
        graph=graph.name,
        backend=backend,
        op=i,
        text=print_graph(graph).splitlines()[1 + i].strip(),
        window=window,
        stream_cycle=stream_cycle,
        cycle=cycle,
        span=span,
        ports=shown,
        expected={p: expected[p][span[0] : span[1]] for p in shown},
        actual={p: _ints(trace[p])[span[0] : span[1]] for p in shown},
        mismatches=count[i],
        also=tuple(sorted(j for j in first_bad if j != i)),
    )
    if vcd is not None:
        from . import run_many

        path = Path(vcd)
        prefix = {p: np.asarray(v)[: span[1]] for p, v in stim.items()}
        run_many([top], [prefix], span[1], backend=backend, build_dir=build_dir,
                 trace=(path, span[0], span[1]))  # fmt: skip
        report = OpDivergence(**{**report.__dict__, "vcd": path})
    return report
