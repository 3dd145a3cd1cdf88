"""SC attention and the SC graph layer as IR graphs of registered primitives (for hardware).

Both graphs compute in one window of ``L`` cycles, with every sum over a set of streams done
by a tree of MUX adders (``add_mux``) whose select streams are encoded constants, so the sum is
scaled by a known constant:

* **Attention** ``(n, m, d, dv)``: ``s_ij = MUX_t(Q_it & K_jt)`` has ``P = S_ij / d`` with
  ``S = Q K^T``. For row ``i`` the divisor stream ``MUX_j(s_ij)`` and the dividend streams
  ``MUX_j(s_ij & V_jc)`` use the *same* select streams, so each dividend's ones lie within the
  divisor's and a CORDIV divider (``cordiv``) gives ``P = sum_j S_ij V_jc / sum_j S_ij``: the
  rate-mode output, normalisation included. A counter per output counts its ones; the
  estimate is ``count / L`` (0 when the row's scores are all 0, as in rate mode).
* **Graph layer** (static adjacency, non-negative weights): ``agg_ig`` is a MUX tree over the
  neighbours of ``i`` whose selects are weighted by ``adj_ij``, i.e. the degree normalisation is
  a constant divider folded into the tree (an isolated node gives a constant-0 stream). Then
  ``z_if = MUX_g(agg_ig & W_gf)`` has ``P = (agg W)_if / F``; a counter per output counts its
  ones, and the layer output is ``tanh(F * count / L)``, applied at readout.

Every encoder is the 16-bit LFSR comparator with its own seed; seeds are LFSR states spaced
evenly along the period so that the streams are practically independent.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..ir import GraphBuilder
from ..ir.graph import Graph
from ..params import LfsrParams
from ..sim import run_windows

__all__ = [
    "attention_graph",
    "attention_inputs",
    "graph_layer_graph",
    "graph_layer_inputs",
    "run_attention",
    "run_graph_layer",
]


@cache
def _lfsr_states() -> tuple[int, ...]:
    p, s, out = LfsrParams(), LfsrParams().seed, []
    for _ in range((1 << 16) - 1):
        out.append(s)
        s = p.step(s)
    return tuple(out)


class _Streams:
    """A builder that hands out encoders with evenly spaced LFSR seeds and shares selects."""

    def __init__(self, name: str, length: int, encoders: int):
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            raise ValueError(f"Stream length must be a positive integer, not {length!r}")
        self.b = GraphBuilder(name)
        self.length = length
        states = _lfsr_states()
        self._seeds = iter(states[k * (len(states) // encoders)] for k in range(encoders))
        self._selects: dict[tuple, object] = {}

    def encode(self, rate):
        return self.b.encode(rate, length=self.length, seed=next(self._seeds))

    def constant(self, p: float):
        return self.encode(self.b.constant(float(p)))

    def select(self, key: tuple, p: float):
        if key not in self._selects:
            self._selects[key] = self.constant(p)
        return self._selects[key]

    def mux_tree(self, family: object, items: list, weights: list[float], path: tuple = ()):
        """Sum ``items`` scaled so that item ``k`` counts ``weights[k] / sum(weights)``."""
        if len(items) == 1:
            return items[0]
        h = len(items) // 2
        left = self.mux_tree(family, items[:h], weights[:h], (*path, 0))
        right = self.mux_tree(family, items[h:], weights[h:], (*path, 1))
        p = sum(weights[h:]) / sum(weights)
        return self.b.apply("add_mux", left, right, self.select((family, path), p))


def _positive(name: str, value: object) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ValueError(f"Attention graph {name} must be a positive integer, not {value!r}")
    return int(value)


def attention_graph(
    n: int, m: int, d: int, dv: int, *, length: int = 256, name: str = "sc_attention"
) -> Graph:
    """Build SC attention for ``Q (n, d)``, ``K (m, d)``, ``V (m, dv)`` (see module docstring).

    Inputs are rates ``q{i}_{t}``, ``k{j}_{t}``, ``v{j}_{c}``; outputs are counts
    ``out{i}_{c}`` (estimate ``count / length``).
    """
    n, m, d, dv = (_positive(k, v) for k, v in (("n", n), ("m", m), ("d", d), ("dv", dv)))
    s = _Streams(name, length, n * d + m * d + m * dv + (d - 1) + (m - 1))
    q = [[s.encode(s.b.input(f"q{i}_{t}")) for t in range(d)] for i in range(n)]
    k = [[s.encode(s.b.input(f"k{j}_{t}")) for t in range(d)] for j in range(m)]
    v = [[s.encode(s.b.input(f"v{j}_{c}")) for c in range(dv)] for j in range(m)]
    ones_m = [1.0] * m
    for i in range(n):
        scores = [
            s.mux_tree("d", [q[i][t] & k[j][t] for t in range(d)], [1.0] * d) for j in range(m)
        ]
        divisor = s.mux_tree("m", scores, ones_m)
        for c in range(dv):
            dividend = s.mux_tree("m", [scores[j] & v[j][c] for j in range(m)], ones_m)
            s.b.output(f"out{i}_{c}", s.b.popcount(s.b.apply("cordiv", dividend, divisor)))
    return s.b.build()


def attention_inputs(q, k, v) -> dict[str, np.ndarray]:
    """Graph inputs of :func:`attention_graph` for one or more windows.

    ``q (windows, n, d)`` (or ``(n, d)`` for one window), likewise ``k`` and ``v``.
    """
    out = {}
    for prefix, a in (("q", q), ("k", k), ("v", v)):
        a = np.asarray(a, dtype=np.float64)
        a = a[None] if a.ndim == 2 else a
        for r in range(a.shape[1]):
            for c in range(a.shape[2]):
                out[f"{prefix}{r}_{c}"] = a[:, r, c]
    return out


def run_attention(q, k, v, *, length: int = 256, graph: Graph | None = None) -> np.ndarray:
    """Run :func:`attention_graph` on the twin; returns ``count / length``, ``(windows, n, dv)``.

    The twin equals the hardware bit for bit (``tests/test_attention_hw.py``).
    """
    q3, v3 = np.asarray(q, dtype=np.float64), np.asarray(v, dtype=np.float64)
    q3, v3 = (q3[None] if q3.ndim == 2 else q3), (v3[None] if v3.ndim == 2 else v3)
    n, d = q3.shape[1:]
    m, dv = v3.shape[1:]
    g = graph if graph is not None else attention_graph(n, m, d, dv, length=length)
    res = run_windows(g, attention_inputs(q, k, v))
    counts = np.stack(
        [np.stack([res.outputs[f"out{i}_{c}"] for c in range(dv)], axis=-1) for i in range(n)],
        axis=-2,
    )
    return counts / res.length


def graph_layer_graph(
    adj, n_features: int, *, length: int = 256, name: str = "sc_graph_layer"
) -> Graph:
    """Build the SC graph layer for a static adjacency (see the module docstring).

    Inputs are rates ``x{j}_{f}`` (node features) and ``w{g}_{f}`` (weights, clamped to
    [0, 1]); outputs are counts ``out{i}_{f}`` (layer output ``tanh(F * count / length)``).
    """
    a = np.asarray(adj, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(
            f"Graph layer adjacency must be a non-empty square matrix, not shape {a.shape}"
        )
    if not (a >= 0).all():
        raise ValueError(
            "Graph layer adjacency must be non-negative for hardware, not "
            f"{a.min()!r} at {np.unravel_index(int(a.argmin()), a.shape)}"
        )
    f = _positive("n_features", n_features)
    nodes = a.shape[0]
    neighbours = [np.flatnonzero(a[i]).tolist() for i in range(nodes)]
    trees = sum(max(len(js) - 1, 0) for js in neighbours)
    s = _Streams(name, length, nodes * f + f * f + trees + (f - 1) + 1)
    x = [[s.encode(s.b.input(f"x{j}_{g}")) for g in range(f)] for j in range(nodes)]
    w = [[s.encode(s.b.input(f"w{g}_{c}")) for c in range(f)] for g in range(f)]
    zero = None
    for i in range(nodes):
        js = neighbours[i]
        if js:
            weights = [float(a[i, j]) for j in js]
            agg = [s.mux_tree(("node", i), [x[j][g] for j in js], weights) for g in range(f)]
        else:  # isolated: the raw sum is 0
            zero = zero if zero is not None else s.constant(0.0)
            agg = [zero] * f
        for c in range(f):
            z = s.mux_tree("g", [agg[g] & w[g][c] for g in range(f)], [1.0] * f)
            s.b.output(f"out{i}_{c}", s.b.popcount(z))
    return s.b.build()


def graph_layer_inputs(x, w) -> dict[str, np.ndarray]:
    """Graph inputs of :func:`graph_layer_graph`: ``x (windows, N, F)`` or ``(N, F)``, and
    ``w (F, F)`` (the same weights in every window) or ``(windows, F, F)``."""
    x = np.asarray(x, dtype=np.float64)
    x = x[None] if x.ndim == 2 else x
    w = np.clip(np.asarray(w, dtype=np.float64), 0.0, 1.0)
    w = np.broadcast_to(w, (x.shape[0], *w.shape[-2:]))
    out = {f"x{j}_{g}": x[:, j, g] for j in range(x.shape[1]) for g in range(x.shape[2])}
    out.update({f"w{g}_{c}": w[:, g, c] for g in range(w.shape[1]) for c in range(w.shape[2])})
    return out


def run_graph_layer(adj, x, w, *, length: int = 256, graph: Graph | None = None) -> np.ndarray:
    """Run :func:`graph_layer_graph` on the twin; returns ``tanh(F * count / length)``,
    ``(windows, N, F)``."""
    x3 = np.asarray(x, dtype=np.float64)
    x3 = x3[None] if x3.ndim == 2 else x3
    nodes, f = x3.shape[1:]
    g = graph if graph is not None else graph_layer_graph(adj, f, length=length)
    res = run_windows(g, graph_layer_inputs(x, w))
    counts = np.stack(
        [np.stack([res.outputs[f"out{i}_{c}"] for c in range(f)], axis=-1) for i in range(nodes)],
        axis=-2,
    )
    return np.tanh(f * counts / res.length)
