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

__all__ = ["Divergence", "first_divergence", "graph_drivers", "window_divergence"]


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
