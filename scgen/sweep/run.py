"""Design-space sweeps: a grid over graph attributes and boards, each point on dask.distributed.

Each point is a pure function of its parameters (:func:`evaluate_point`): the graph with the
point's attributes set, run on the twin over the given inputs (the seeds are attributes, so the
figures are the same on any cluster and any number of workers), the planner's estimate, and with
``synth`` a real build. Finished points are appended to ``OUT/points.jsonl`` as they complete, so
an interrupted sweep resumes where it stopped; the tables are written from that file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np

from ..ir.graph import OPS, Graph

__all__ = ["Param", "apply_point", "evaluate_point", "grid", "parse_param", "run_sweep"]

_log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Param:
    """One swept parameter: an attribute (as the text format spells it) on every op that has it,
    or on the op whose result is ``%op``; or ``board``."""

    name: str
    values: tuple
    op: int | None = None

    @property
    def column(self) -> str:
        return self.name if self.op is None else f"%{self.op}.{self.name}"


def _value(text: str):
    for conv in (lambda s: int(s, 0), float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def parse_param(spec: str) -> Param:
    """Parse ``NAME=V1,V2,...`` or ``%ID.NAME=V1,...`` (values: integers, hex, floats, text)."""
    name, sep, text = spec.partition("=")
    if not sep or not name or not text:
        raise ValueError(f"Sweep parameter must be NAME=V1,V2,... or %ID.NAME=..., not {spec!r}")
    op = None
    if name.startswith("%"):
        ident, dot, name = name[1:].partition(".")
        if not dot or not ident.isdigit() or not name:
            raise ValueError(f"Sweep parameter op must be written %ID.NAME, not {spec!r}")
        op = int(ident)
    values = tuple(_value(v) for v in text.split(","))
    if len(set(values)) != len(values):
        raise ValueError(f"Sweep parameter {name!r} values must be distinct, not {text!r}")
    return Param(name, values, op)


def _attr_name(kind: str, key: str) -> str | None:
    d = OPS.get(kind)
    for a in d.attrs if d else ():
        if key in (a.text_key, a.name):
            return a.name
    return None


def apply_point(graph: Graph, point: dict, params: list[Param]) -> Graph:
    """Return ``graph`` with the point's attribute values set (``board`` is not an attribute)."""
    ops = list(graph.ops)
    for p in params:
        if p.name == "board" and p.op is None:
            continue
        hit = False
        for i, op in enumerate(ops):
            if p.op is not None and op.result != p.op:
                continue
            attr = _attr_name(op.kind, p.name)
            if attr is None:
                if p.op is not None:
                    raise ValueError(
                        f"Sweep parameter {p.column!r} must name an attribute of op %{p.op} "
                        f"(sc.{op.kind}), not {p.name!r}"
                    )
                continue
            value = point[p.column]
            attrs = tuple((k, value if k == attr else v) for k, v in op.attrs)
            ops[i] = dataclasses.replace(op, attrs=attrs)
            hit = True
        if not hit:
            where = f"op %{p.op}" if p.op is not None else "any op"
            raise ValueError(
                f"Sweep parameter {p.column!r} must be an attribute of {where} in graph "
                f"{graph.name!r}, not absent"
            )
    return dataclasses.replace(graph, ops=tuple(ops))


def grid(params: list[Param]) -> list[dict]:
    """Every combination of the parameters' values, in a fixed order."""
    cols = [p.column for p in params]
    if len(set(cols)) != len(cols):
        raise ValueError(f"Sweep parameters must be distinct, not {cols!r}")
    return [
        dict(zip(cols, combo, strict=True))
        for combo in itertools.product(*(p.values for p in params))
    ]


def _key(point: dict, graph_text: str) -> str:
    blob = json.dumps([graph_text, sorted(point.items())], default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _output_values(graph: Graph, outputs: dict, length: int) -> dict[str, np.ndarray]:
    """One float per window and output: streams and counts as rates, other values raw."""
    producer = {op.result: op for op in graph.ops if op.result is not None}
    out = {}
    for op in graph.outputs:
        v = np.asarray(outputs[op.attr("name")])
        src = producer[op.operands[0]]
        if v.ndim == 2 and v.shape[1] == length and src.kind != "dense_forward":
            out[op.attr("name")] = v.astype(np.float64).mean(axis=1)
        elif src.kind == "popcount":
            out[op.attr("name")] = v.astype(np.float64) / length
        elif v.ndim == 1:
            out[op.attr("name")] = v.astype(np.float64)
    return out


def _spike_counts(graph: Graph, outputs: dict) -> dict[str, np.ndarray]:
    """Spikes per window and neuron (windows x neurons) of each dense layer's output."""
    producer = {op.result: op for op in graph.ops if op.result is not None}
    out = {}
    for op in graph.outputs:
        src = producer[op.operands[0]]
        if src.kind == "dense_forward":
            words = np.asarray(outputs[op.attr("name")])
            nn = src.attr("n_neurons")
            out[op.attr("name")] = np.stack(
                [((words >> n) & 1).astype(np.int64).sum(axis=1) for n in range(nn)], axis=1
            )
    return out


def evaluate_point(
    graph_text: str,
    params: list[Param],
    point: dict,
    inputs: dict[str, np.ndarray],
    labels: dict[str, np.ndarray] | None,
    board: str,
    synth: bool = False,
) -> dict:
    """Evaluate one point: twin figures, the planner's estimate, and a build with ``synth``."""
    from ..ir import parse
    from ..sim import run_windows
    from .planner import plan

    t0 = time.perf_counter()
    row: dict = {**point, "board": board, "error": ""}
    try:
        g = apply_point(parse(graph_text), point, params)
        result = run_windows(g, inputs)
        values = _output_values(g, result.outputs, result.length)
        for name, counts in _spike_counts(g, result.outputs).items():
            row[f"{name}.mean"] = float(counts.mean() / result.length)
            if labels and name in labels:  # class labels: the neuron that fires most
                ref = np.resize(np.asarray(labels[name]).astype(np.int64), counts.shape[0])
                row[f"{name}.accuracy"] = float((counts.argmax(axis=1) == ref).mean())
                row[f"{name}.error_rate"] = 1.0 - row[f"{name}.accuracy"]
        for name, v in values.items():
            row[f"{name}.mean"] = float(v.mean())
            if labels and name in labels:
                ref = np.resize(np.asarray(labels[name], dtype=np.float64), v.shape)
                row[f"{name}.mae"] = float(np.abs(v - ref).mean())
                row[f"{name}.rmse"] = float(np.sqrt(((v - ref) ** 2).mean()))
        est = plan(g, board)
        row.update({f"plan.{k}": round(v, 1) for k, v in est.total.items()})
        row["plan.fmax_mhz"] = round(est.fmax_mhz, 2)
        row["plan.fmax_low_mhz"], row["plan.fmax_high_mhz"] = (round(f, 2) for f in est.fmax_range)
        row["cycles_per_window"] = est.cycles_per_window
        row["latency_us"] = round(est.cycles_per_window / est.fmax_mhz, 3)
        if synth:
            from .calibrate import measure_graph

            m = measure_graph(g, board)
            row.update({f"synth.{k}": m[k] for k in ("lut", "ff", "carry", "bram", "dsp")})
            row["synth.fmax_mhz"] = m["fmax_mhz"]
    except (ValueError, RuntimeError) as exc:  # a point that does not verify or build
        row["error"] = str(exc)
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


def _done(path: Path) -> dict[str, dict]:
    done = {}
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:  # a line cut by an interruption
                continue
            done[rec["key"]] = rec["row"]
    return done


def _client(scheduler: str | None, n_workers: int | None, scratch: Path):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    import dask

    # every local process (workers and nannies) keeps its spill space and locks in ``scratch``
    dask.config.set({"temporary-directory": str(scratch)})
    cluster = LocalCluster(
        n_workers=n_workers or max(1, (os.cpu_count() or 1)),
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        local_directory=str(scratch),  # the workers' spill space, inside the sweep's folder
    )
    return Client(cluster), cluster


def run_sweep(
    graph: Graph,
    params: list[Param],
    inputs: dict[str, np.ndarray],
    out,
    *,
    labels: dict[str, np.ndarray] | None = None,
    synth: bool = False,
    scheduler: str | None = None,
    n_workers: int | None = None,
    retries: int = 3,
    progress=None,
):
    """Run the grid of ``params`` (a ``board`` parameter lists boards; default icebreaker) and
    return the results table (a pandas DataFrame, one row per point in grid order)."""
    import pandas as pd
    from dask.distributed import as_completed

    graph.check()
    text = graph.to_text()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    points = grid(params)
    if not any(p.name == "board" and p.op is None for p in params):
        points = [{**pt, "board": "icebreaker"} for pt in points]
    for pt in points:  # reject a bad attribute before starting the cluster
        apply_point(graph, pt, params)
    keys = [_key(pt, text) for pt in points]
    log = out / "points.jsonl"
    done = _done(log)
    todo = [(k, pt) for k, pt in zip(keys, points, strict=True) if k not in done]
    if todo:
        # builds are CPU-heavy and use every core themselves: locally, one at a time
        scratch = out / ".dask-scratch"
        client, cluster = _client(scheduler, n_workers or (1 if synth else None), scratch)
        try:
            futures = {
                client.submit(
                    evaluate_point,
                    text,
                    params,
                    {c: v for c, v in pt.items() if c != "board"},
                    inputs,
                    labels,
                    pt["board"],
                    synth,
                    key=f"scgen-point-{k}",
                    retries=retries,
                    pure=False,
                ): k
                for k, pt in todo
            }
            t0 = time.perf_counter()
            with open(log, "a") as fh:
                if log.stat().st_size and not log.read_bytes().endswith(b"\n"):
                    fh.write("\n")  # end a line cut by an interruption; it is skipped on load
                for n, fut in enumerate(as_completed(futures), 1):
                    k = futures[fut]
                    row = fut.result()
                    done[k] = row
                    fh.write(json.dumps({"key": k, "row": row}) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                    eta = (time.perf_counter() - t0) / n * (len(todo) - n)
                    if progress is not None:
                        progress(f"{n}/{len(todo)} points, ETA {eta:.0f} s")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
            shutil.rmtree(scratch, ignore_errors=True)
    table = pd.DataFrame([done[k] for k in keys])
    table.insert(0, "point", range(len(table)))
    table.to_csv(out / "results.csv", index=False)
    table.to_parquet(out / "results.parquet", index=False)
    (out / "summary.md").write_text(summary(table, graph.name, params))
    pareto_plot(table, out / "pareto.png")
    return table


def _error_column(table) -> str | None:
    cols = [c for c in table.columns if c.endswith((".mae", ".error_rate"))]
    return cols[0] if cols else None


def pareto_front(table, x: str, y: str) -> list[int]:
    """Row positions on the lower-left front of ``y`` against ``x`` (both minimised)."""
    ok = table[table[x].notna() & table[y].notna()].sort_values([x, y])
    front, best = [], math.inf
    for pos, r in ok.iterrows():
        if r[y] < best:
            front.append(pos)
            best = r[y]
    return front


def summary(table, name: str, params: list[Param]) -> str:
    """A Markdown summary: the grid, the failed points, the Pareto points."""
    err = _error_column(table)
    lines = [
        f"# Sweep of graph `{name}`",
        "",
        f"{len(table)} points over "
        + ", ".join(f"`{p.column}` ({len(p.values)})" for p in params)
        + f"; {int((table['error'] != '').sum())} failed.",
        "",
    ]
    figure = err or "plan.lut"
    if err:
        front = pareto_front(table, "plan.lut", err)
        lines += [f"Pareto points ({err} against planned LUTs):", ""]
        shown = table.loc[front]
    else:
        lines += ["No labels given: the points by planned LUTs.", ""]
        shown = table.sort_values("plan.lut") if "plan.lut" in table else table
    cols = [p.column for p in params] + [
        c
        for c in ("board", figure, "plan.lut", "plan.ff", "plan.fmax_mhz", "latency_us")
        if c in table and c not in [p.column for p in params]
    ]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for _i, r in shown.iterrows():
        lines.append(
            "| "
            + " | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in cols)
            + " |"
        )
    return "\n".join(lines) + "\n"


def pareto_plot(table, path: Path) -> None:
    """Error (or the first output's mean without labels) against planned LUTs and latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    err = _error_column(table) or next((c for c in table.columns if c.endswith(".mean")), None)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, x, label in (
        (axes[0], "plan.lut", "planned LUTs"),
        (axes[1], "latency_us", "latency per window (us)"),
    ):
        if err and x in table:
            ax.scatter(table[x], table[err], s=14, color="0.5")
            front = pareto_front(table, x, err)
            f = table.loc[front]
            ax.plot(f[x], f[err], "o-", color="C3", label="Pareto front")
            ax.legend()
        ax.set_xlabel(label)
        ax.set_ylabel(err or "")
    fig.suptitle("scgen sweep")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
