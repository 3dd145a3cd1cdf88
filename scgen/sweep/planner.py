# amaranth: UnusedElaboratable=no
# (plan() builds a GraphTop only to read its latency; it is never elaborated)
"""Resource and speed estimates of a graph without synthesis, from per-op models.

Every op kind gives its own features (:meth:`scgen.ir.ops.OpKind.plan_features`: encoders,
counter bits, neuron data width, latched input bits, ...); each resource (LUT, FF, carry,
BRAM, DSP) is a non-negative linear model of them, fitted on real builds
(:mod:`scgen.sweep.calibrate`, data in ``scgen/sweep/data/``). fmax comes from a period model:
a base delay, the longest carry chain of any op and the log of the design size (routing). The
stream length for a stated error uses the Bernoulli variance p(1 - p)/L of an LFSR-driven
stream at the worst case p = 1/2.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..ir.graph import Graph
from ..ir.types import Bitstream

__all__ = [
    "RESOURCES",
    "Model",
    "Plan",
    "fit",
    "load_model",
    "nnls",
    "op_features",
    "plan",
    "sobol_length_for",
    "stream_length_for",
]

RESOURCES = ("lut", "ff", "carry", "bram", "dsp")
WINDOW_FEATURES = ("window", "window_bits")  # the window controller's


def op_features(graph: Graph, family: str) -> list[tuple[int, str, dict[str, float], int]]:
    """Return, per op (and a ``window`` pseudo-op for the window controller), its index, kind,
    features on ``family`` and the length of its longest carry chain in bits. Every op kind
    gives its own features (:meth:`scgen.ir.ops.OpKind.plan_features`); the family decides
    where a ROM goes (:mod:`scgen.mapping`)."""
    from ..ir.graph import OPS
    from ..ir.lower import window_length
    from ..ir.ops import PlanContext

    graph.check()
    length = window_length(graph)
    ctx = PlanContext(
        graph.result_types(),
        {op.result: op for op in graph.ops if op.result is not None},
        length,
        family=family,
    )
    bits = max(1, (length + 2).bit_length())
    rows = [(-1, "window", dict(zip(WINDOW_FEATURES, (1.0, float(bits)), strict=True)), 0)]
    for i, op in enumerate(graph.ops):
        got = OPS[op.kind].plan_features(ctx, op)
        if got is None:
            raise ValueError(
                f"Planner op kind must be one with a resource model (OpKind.plan_features), "
                f"not {op.kind!r} (op[{i}])"
            )
        rows.append((i, op.kind, *got))
    return rows


@dataclass(frozen=True)
class Model:
    """A fitted model for one FPGA family: per-resource coefficients over the features of its
    calibration graphs and the period model ``ns = base + max over ops ((per_chain_bit +
    chain[kind]) * chain + delay[kind]) + per_log2_lut * log2(lut) + per_sqrt_cells *
    sqrt(lut + ff)`` (routing: a net's length grows with the placed design's side, the square
    root of its cells)."""

    family: str
    coef: dict[str, dict[str, float]]
    period: dict[str, float]
    calibration_rows: int = 0
    features: tuple[str, ...] = ()  # every feature the calibration graphs exercise
    # the 5th and 95th percentiles of planned / built fmax - 1 over the calibration builds
    fmax_spread: tuple[float, float] = (0.0, 0.0)

    def resources(self, features: dict[str, float], kind: str = "") -> dict[str, float]:
        unknown = sorted(k for k, v in features.items() if v and k not in self.features)
        if unknown:
            raise ValueError(
                f"Planner model of family {self.family!r} must be calibrated on every feature "
                f"it is asked about, not without {', '.join(map(repr, unknown))} (op kind "
                f"{kind!r}); add graphs with it to scgen.sweep.families.calibration_graphs and "
                f"run python -m scgen.sweep.calibrate"
            )
        return {
            r: sum(self.coef[r].get(k, 0.0) * v for k, v in features.items()) for r in RESOURCES
        }

    def path_ns(self, chain: int, kind: str) -> float:
        """The delay of an op's longest path: its carry chain and the op kind's own delay (a
        multiplier, a multiplexer tree), both fitted per family."""
        return _path_ns(self.period, kind, chain)

    def fmax_mhz(self, path_ns: float, lut: float, ff: float = 0.0) -> float:
        return 1000.0 / (path_ns + _size_ns(self.period, lut, ff))

    def to_json(self) -> str:
        return json.dumps(
            {
                "family": self.family,
                "coef": self.coef,
                "period": self.period,
                "calibration_rows": self.calibration_rows,
                "features": list(self.features),
                "fmax_spread": list(self.fmax_spread),
            },
            indent=1,
        )


def _graph_features(graph: Graph, family: str) -> tuple[dict[str, float], list[tuple[str, int]]]:
    """The graph's summed features and the (kind, carry-chain bits) of every op with a path."""
    total: dict[str, float] = {}
    paths = []
    for _i, k, f, c in op_features(graph, family):
        for name, v in f.items():
            total[name] = total.get(name, 0.0) + v
        if c:
            paths.append((k, c))
    return total, paths


def _path_ns(period: dict, kind: str, chain: int) -> float:
    return (period["per_chain_bit"] + period.get(f"chain.{kind}", 0.0)) * chain + period.get(
        f"delay.{kind}", 0.0
    )


def _size_ns(period: dict, lut: float, ff: float) -> float:
    """The period's terms of the design's size: the base, the log of its LUTs and the square
    root of its cells (LUTs and flip-flops: the side of the area it is placed on)."""
    return (
        period["base"]
        + period["per_log2_lut"] * math.log2(max(lut, 2))
        + period.get("per_sqrt_cells", 0.0) * math.sqrt(max(lut + ff, 0.0))
    )


def _planned_ns(period: dict, paths: list, lut: np.ndarray, ff: np.ndarray) -> np.ndarray:
    """The period model's clock period of each build (its slowest path and its size)."""
    return np.array(
        [
            _size_ns(period, u, f) + max((_path_ns(period, *kc) for kc in p), default=0.0)
            for p, u, f in zip(paths, lut, ff, strict=True)
        ]
    )


def _fit_period(
    paths: list[list[tuple[str, int]]],
    lut: np.ndarray,
    ff: np.ndarray,
    ns: np.ndarray,
    *,
    slopes: bool = True,
) -> dict:
    """Fit ``ns = base + max over ops ((per_chain_bit + chain[kind]) * chain + delay[kind]) +
    per_log2_lut * log2(lut) + per_sqrt_cells * sqrt(lut + ff)`` (relative error): by turns,
    take each build's slowest op under the current fit and solve the linear non-negative
    problem for it, until the slowest ops settle. The max makes it non-convex, so it starts
    from the longest chain and from each kind being slowest where it occurs, and keeps the best
    fit. ``slopes``: per-kind chain slopes."""
    kinds = sorted({k for p in paths for k, _c in p})
    names = ["base", "per_chain_bit", "per_log2_lut", "per_sqrt_cells"]
    names += [f"delay.{k}" for k in kinds]
    if slopes:
        names += [f"chain.{k}" for k in kinds]
    col = {n: j for j, n in enumerate(names)}
    logs = np.log2(np.maximum(lut, 2))
    roots = np.sqrt(np.maximum(lut + ff, 0.0))

    def refine(period: dict) -> tuple[float, dict]:
        slowest: list[tuple[str, int]] | None = None
        for _ in range(20):
            now = [max(p, key=lambda kc: _path_ns(period, *kc)) if p else ("", 0) for p in paths]
            if now == slowest:
                break
            slowest = now
            a = np.zeros((len(ns), len(names)))
            a[:, 0], a[:, 2], a[:, 3] = 1.0, logs, roots
            for r, (k, c) in enumerate(now):
                a[r, 1] = c
                if k:
                    a[r, col[f"delay.{k}"]] = 1.0
                    if slopes:
                        a[r, col[f"chain.{k}"]] = c
            sol = nnls(a / ns[:, None], np.ones(len(ns)))
            period = {n: float(v) for n, v in zip(names, sol, strict=True) if v or n in names[:4]}
        pred = _planned_ns(period, paths, lut, ff)
        return float(np.sum((pred / ns - 1) ** 2)), period

    starts = [{"base": 0.0, "per_chain_bit": 1.0, "per_log2_lut": 0.0}]
    starts += [
        {"base": 0.0, "per_chain_bit": 0.01, "per_log2_lut": 0.0, f"delay.{k}": 1e3} for k in kinds
    ]
    return min((refine(s) for s in starts), key=lambda ep: ep[0])[1]


def nnls(a: np.ndarray, b: np.ndarray, *, tol: float = 1e-10) -> np.ndarray:
    """The x >= 0 that minimises ||a x - b||, by Lawson and Hanson's active-set method
    (Solving Least Squares Problems, 1974, ch. 23): free the variable with the largest
    gradient, solve on the free set, step back to the boundary while a free variable would go
    negative. In NumPy, so planning does not import SciPy (a third of a second)."""
    m, n = a.shape
    x = np.zeros(n)
    free = np.zeros(n, dtype=bool)
    scale = tol * max(1.0, float(np.abs(a).max(initial=0.0)) * max(m, n))
    for _ in range(3 * n + 10):
        grad = a.T @ (b - a @ x)
        cand = ~free & (grad > scale)
        if not cand.any():
            break
        free[np.argmax(np.where(cand, grad, -np.inf))] = True
        while True:
            z = np.zeros(n)
            z[free] = np.linalg.lstsq(a[:, free], b, rcond=None)[0]
            bad = free & (z <= 0)
            if not bad.any():
                x = z
                break
            alpha = np.min(x[bad] / (x[bad] - z[bad]))
            x = x + alpha * (z - x)
            free &= x > scale
            x[~free] = 0.0
    return x


def fit(rows: list[dict], family: str) -> Model:
    """Fit the per-op models on measured rows (``calibrate`` output: graph text and figures)."""
    from ..ir import parse

    if not rows:
        raise ValueError(f"Planner calibration for family {family!r} must have rows, not none")
    graphs = [parse(r["graph"]) for r in rows]
    vecs = [_graph_features(g, family) for g in graphs]
    features = tuple(sorted({k for f, _c in vecs for k, v in f.items() if v}))
    x = np.array([[f.get(k, 0.0) for k in features] for f, _c in vecs])
    used = x.any(axis=0)
    coef: dict[str, dict[str, float]] = {}
    for res in RESOURCES:
        y = np.array([float(r[res]) for r in rows])
        # relative error matters (±20 %), so each row is weighted by 1/y
        w = 1.0 / np.maximum(y, 1.0)
        sol = nnls(x[:, used] * w[:, None], y * w)
        full = np.zeros(len(features))
        full[used] = sol
        coef[res] = {k: round(float(c), 5) for k, c in zip(features, full, strict=True) if c}
    lut_pred, ff_pred = (
        x @ np.array([coef[r].get(k, 0.0) for k in features]) for r in ("lut", "ff")
    )
    ns = np.array([1000.0 / r["fmax_mhz"] for r in rows])
    paths = [p for _v, p in vecs]
    period = _fit_period(paths, lut_pred, ff_pred, ns)
    err = (
        ns / _planned_ns(period, paths, lut_pred, ff_pred) - 1
    )  # planned fmax over built fmax, less one
    spread = (round(float(np.quantile(err, 0.05)), 4), round(float(np.quantile(err, 0.95)), 4))
    return Model(family, coef, period, len(rows), features, spread)


def _model_cache(family: str, data: bytes) -> Path:
    """Where the model fitted on ``data`` is kept: ``$SCGEN_CACHE_DIR/planner`` (default
    ``~/.cache/scgen``), named by a hash of the data and of the code that turns graphs into
    features and fits them (the IR, the primitives, their params, the mapping rules, this
    module)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(data)
    for path in sorted(
        [
            *root.glob("ir/*.py"),
            *root.glob("params/*.py"),
            root / "primitives.py",
            Path(__file__),
            root / "mapping.py",
        ]
    ):
        h.update(path.name.encode() + path.read_bytes())
    base = os.environ.get("SCGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "scgen"
    )
    return Path(base) / "planner" / f"{family}-{h.hexdigest()[:32]}.json"


@functools.cache
def load_model(family: str) -> Model:
    """The model fitted on the committed calibration data of ``family`` (kept in a cache
    after the first fit: parsing and fitting 45 graphs takes a few tenths of a second)."""
    from . import calibrate

    path = calibrate.data_path("calibration", family)
    if not path.exists():
        have = sorted(
            p.stem.removeprefix("calibration-") for p in calibrate.DATA.glob("calibration-*.json")
        )
        raise ValueError(
            f"Planner family must be one with calibration data ({', '.join(have) or 'none'}), "
            f"not {family!r}; run python -m scgen.sweep.calibrate --board BOARD to make it"
        )
    data = path.read_bytes()
    cached = _model_cache(family, data)
    try:
        d = json.loads(cached.read_text())
        return Model(
            d["family"],
            d["coef"],
            d["period"],
            d["calibration_rows"],
            tuple(d["features"]),
            tuple(d["fmax_spread"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached yet (or unreadable): fit
    model = fit(json.loads(data)["rows"], family)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(model.to_json())
        tmp.replace(cached)
    except OSError:
        pass  # a read-only cache: fit again next time
    return model


def stream_length_for(error: float, p: float = 0.5) -> int:
    """Stream length whose Bernoulli standard error sqrt(p(1 - p)/L) is at most ``error``."""
    if not 0 < error < 0.5:
        raise ValueError(f"Planner error must be between 0 and 0.5, not {error!r}")
    return math.ceil(p * (1 - p) / error**2 - 1e-9)  # 0.09 / 0.01**2 is 900.0000000000001


def sobol_length_for(error: float, dimensions: int = 1) -> int:
    """Smallest power-of-two length whose discrepancy bound (log2 L + 1)**d / L is at most
    ``error``: the worst-case error of a rate estimated from ``d`` Sobol dimensions (a product
    of two streams is a 2-D integral, Koksma-Hlawka)."""
    if not 0 < error < 0.5:
        raise ValueError(f"Planner error must be between 0 and 0.5, not {error!r}")
    n = 1
    while (n + 1) ** dimensions / 2**n > error:
        n += 1
    return 2**n


def _stream_sources(graph: Graph, result: int) -> set[str]:
    """The source identities of every stream that ``result`` is computed from."""
    types = graph.result_types()
    producer = {op.result: op for op in graph.ops if op.result is not None}
    seen, todo, out = set(), [result], set()
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        t = types.get(r)
        if isinstance(t, Bitstream) and t.source:
            out.add(t.source)
        else:
            todo.extend(producer[r].operands)
    return out


@dataclass
class Plan:
    """Per-op and total estimates of a graph on a board."""

    graph: str
    board: str
    family: str
    ops: list[dict] = field(default_factory=list)
    total: dict[str, float] = field(default_factory=dict)
    fmax_mhz: float = 0.0
    fmax_spread: tuple[float, float] = (0.0, 0.0)  # the model's (Model.fmax_spread)
    calibration_rows: int = 0
    cycles_per_window: int = 0
    stream_length: int = 0
    needed_length: dict[str, int] = field(default_factory=dict)
    error: float = 0.01
    sobol: set = field(default_factory=set)  # outputs whose streams are all Sobol
    notes: list[str] = field(default_factory=list)  # what ops say of themselves (plan_notes)

    @property
    def fmax_range(self) -> tuple[float, float]:
        """Where place and route lands if the graph errs like the middle 90 % of the
        calibration builds: the estimate over their spread of errors."""
        lo, hi = self.fmax_spread
        return self.fmax_mhz / (1 + hi), self.fmax_mhz / (1 + lo)

    def format(self) -> str:
        head = f"{'op':<22}" + "".join(f"{r:>8}" for r in RESOURCES) + f"{'fmax MHz':>10}"
        lines = [f"plan of graph {self.graph} on {self.board} ({self.family}):", head]
        for o in self.ops:
            name = "window control" if o["index"] < 0 else f"op[{o['index']}] {o['kind']}"
            lines.append(
                f"{name:<22}"
                + "".join(f"{o[r]:>8.0f}" for r in RESOURCES)
                + (f"{o['fmax_mhz']:>10.1f}" if o["chain"] else f"{'':>10}")
            )
        lines.append(
            f"{'total':<22}"
            + "".join(f"{self.total[r]:>8.0f}" for r in RESOURCES)
            + f"{self.fmax_mhz:>10.1f}"
        )
        lo, hi = self.fmax_spread
        lines.append(
            f"fmax {self.fmax_mhz:.1f} MHz, off by {lo:+.0%} to {hi:+.0%} on 90 % of the "
            f"{self.calibration_rows} {self.family} calibration builds: place and route "
            f"{self.fmax_range[0]:.0f}-{self.fmax_range[1]:.0f} MHz if this graph is like them"
        )
        lines.append(
            f"cycles per window: {self.cycles_per_window} (stream length {self.stream_length})"
        )
        lines.extend(self.notes)
        for name, n in self.needed_length.items():
            how = (
                f"error at most {self.error:g} (Sobol sources, discrepancy bound)"
                if name in self.sobol
                else f"standard error {self.error:g} (LFSR sources, Bernoulli p(1 - p)/L at "
                f"p = 0.5)"
            )
            lines.append(f"output {name!r}: stream length {n} for {how}")
        return "\n".join(lines)


def plan(graph: Graph, board: str, *, error: float = 0.01) -> Plan:
    """Estimate ``graph`` on ``board``: resources per op and in total, fmax, cycles per window
    and, for each output carrying a stream estimate, the stream length for ``error``."""
    from ..emit import board as get_board
    from ..ir.graph import OPS
    from ..ir.lower import GraphTop, window_length

    b = get_board(board)
    model = load_model(b.family)
    need = stream_length_for(error)
    rows = op_features(graph, b.family)
    per_op = [(i, k, model.resources(f, k), c) for i, k, f, c in rows]
    total = {r: sum(res[r] for _i, _k, res, _c in per_op) for r in RESOURCES}
    out = Plan(graph.name, b.name, b.family, total=total, error=error)
    for i, k, res, c in per_op:
        out.ops.append(
            {
                "index": i,
                "kind": k,
                **res,
                "chain": c,
                "fmax_mhz": (
                    model.fmax_mhz(model.path_ns(c, k), total["lut"], total["ff"]) if c else None
                ),
            }
        )
    path = max((model.path_ns(c, k) for _i, k, _r, c in per_op if c), default=0.0)
    out.fmax_mhz = model.fmax_mhz(path, total["lut"], total["ff"])
    out.fmax_spread = model.fmax_spread
    out.calibration_rows = model.calibration_rows
    out.stream_length = window_length(graph)
    out.cycles_per_window = out.stream_length + 2 + GraphTop(graph).latency
    for i, op in enumerate(graph.ops):
        out.notes.extend(f"op[{i}] {op.kind}: {line}" for line in OPS[op.kind].plan_notes(op))
    types = graph.result_types()
    producer = {op.result: op for op in graph.ops if op.result is not None}
    for op in graph.outputs:
        src = producer[op.operands[0]]
        assert src.result is not None  # an output's operand is a result
        if isinstance(types[src.result], Bitstream) or src.kind == "popcount":
            sources = _stream_sources(graph, src.result)
            if sources and all(x.startswith("sobol") for x in sources):
                out.needed_length[op.attr("name")] = sobol_length_for(error, len(sources))
                out.sobol.add(op.attr("name"))
            else:
                out.needed_length[op.attr("name")] = need
    return out
