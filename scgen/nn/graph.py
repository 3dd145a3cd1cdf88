"""Stochastic graph layer (SEED_BEHAVIOUR §8): rate and SC message passing.

``out = tanh(agg W)`` with ``agg_i = (sum_j adj_ij X_j) / degree_i`` (``degree_i = sum_j adj_ij``;
a node of degree 0 keeps the raw sum, which is 0 for an isolated node). ``W`` (F x F) holds
ChaCha8(seed) draws, row-major. The adjacency is dense (N x N) or sparse (CSR, stored order).

SC mode (:meth:`StochasticGraphLayer.forward_sc`) is bit-exact with sc-neurocore-engine 3.15.7:
one ChaCha8(seed) encodes X (row-major), then the adjacency (dense: every entry row-major; CSR:
the stored values in stored order), with the byte-threshold encoder;
``agg_if = sum_j popcount(A_ij & X_jf) / L`` divided by the degree when it is not 0; then
``agg`` and ``clamp(W, 0, 1)`` are encoded from the same generator and
``out_if = tanh(sum_g popcount(agg_ig & W_gf) / L)``.
"""

from __future__ import annotations

import numpy as np

from ..sw.rng import ChaCha8
from . import _sc
from ._checks import check_int, check_seed

__all__ = ["StochasticGraphLayer", "graph_layer_graph", "run_graph_layer_graph"]


class StochasticGraphLayer:
    """Graph layer over a fixed adjacency (engine 3.15.7 numbers).

    Parameters
    ----------
    adj : array (N, N)
        Dense adjacency (weights; usually 0/1). Use :meth:`from_csr` for a sparse one.
    n_features : int
        Feature width F of the nodes (input and output).
    seed : int
        Weight seed (default 42): ``W`` = ChaCha8(seed) f64 draws, row-major ``W[g, f]``.
    """

    def __init__(self, adj, n_features: int, *, seed: int = 42):
        a = np.asarray(adj, dtype=np.float64)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError(f"Graph layer adjacency must be a square matrix, not shape {a.shape}")
        if a.shape[0] == 0:
            raise ValueError("Graph layer adjacency must have at least one node, not 0")
        n = a.shape[0]
        rows = np.arange(0, n * n + 1, n, dtype=np.int64)
        cols = np.tile(np.arange(n, dtype=np.int64), n)
        self._init(n, rows, cols, a.reshape(-1).copy(), n_features, seed, sparse=False)

    @classmethod
    def from_csr(
        cls, row_offsets, col_indices, values, n_nodes: int, n_features: int, *, seed: int = 42
    ) -> StochasticGraphLayer:
        """Build the layer from a CSR adjacency; duplicates add, stored order is kept."""
        n = check_int("Graph layer", "n_nodes", n_nodes, 0)
        rows = np.asarray(row_offsets, dtype=np.int64).reshape(-1)
        cols = np.asarray(col_indices, dtype=np.int64).reshape(-1)
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
        if rows.shape[0] != n + 1:
            raise ValueError(
                f"Graph layer row_offsets must have n_nodes + 1 = {n + 1} entries, "
                f"not {rows.shape[0]}"
            )
        if rows[0] != 0 or (np.diff(rows) < 0).any():
            raise ValueError(
                f"Graph layer row_offsets must start at 0 and never decrease, not "
                f"{rows.tolist()[:8]}"
            )
        if cols.shape[0] != rows[-1] or vals.shape[0] != rows[-1]:
            raise ValueError(
                f"Graph layer col_indices and values must have row_offsets[-1] = "
                f"{rows[-1]} entries, not {cols.shape[0]} and {vals.shape[0]}"
            )
        if cols.shape[0] and (cols.min() < 0 or cols.max() >= n):
            bad = int(cols[(cols < 0) | (cols >= n)][0])
            raise ValueError(f"Graph layer col_indices must be between 0 and {n - 1}, not {bad}")
        layer = cls.__new__(cls)
        layer._init(n, rows, cols, vals, n_features, seed, sparse=True)
        return layer

    def _init(self, n, rows, cols, vals, n_features, seed, *, sparse: bool) -> None:
        self.n_nodes = n
        self.n_features = check_int("Graph layer", "n_features", n_features, 0)
        self.seed = check_seed("Graph layer", seed)
        self.sparse = sparse
        self._rows, self._cols, self._vals = rows, cols, vals
        # degree_i: the row's stored values summed in order
        self._degree = np.array(
            [sum(vals[rows[i] : rows[i + 1]].tolist(), 0.0) for i in range(n)], dtype=np.float64
        )
        # entries that draw from the generator (p > 0 or NaN); the others give all-zero streams
        # without drawing, so encoding and counting only these gives the same bits
        active = ~(vals <= 0.0)
        self._active = np.flatnonzero(active)
        before = np.concatenate([[0], np.cumsum(active)]).astype(np.int64)
        self._active_rows = before[rows]  # CSR offsets of the active entries
        f = self.n_features
        self._weights = ChaCha8(self.seed).next_f64(f * f).reshape(f, f)

    # -- weights --------------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """``W`` as an F x F float64 array (a copy)."""
        return self._weights.copy()

    @weights.setter
    def weights(self, value) -> None:
        w = np.asarray(value, dtype=np.float64)
        f = self.n_features
        if w.size != f * f:
            raise ValueError(f"Graph layer weights must have {f * f} values (F x F), not {w.size}")
        self._weights = w.reshape(f, f).copy()

    def adjacency(self) -> np.ndarray:
        """The adjacency as a dense N x N array (duplicate CSR entries summed)."""
        a = np.zeros((self.n_nodes, self.n_nodes))
        rows = np.repeat(np.arange(self.n_nodes), np.diff(self._rows))
        np.add.at(a, (rows, self._cols), self._vals)
        return a

    # -- forward --------------------------------------------------------------------------
    def _features(self, x) -> np.ndarray:
        a = np.asarray(x, dtype=np.float64)
        if a.ndim == 1:
            a = a[None, :]
        if a.shape != (self.n_nodes, self.n_features):
            raise ValueError(
                f"Graph layer node features must have shape "
                f"{(self.n_nodes, self.n_features)}, not {a.shape}"
            )
        return np.ascontiguousarray(a)

    def _normalise(self, agg: np.ndarray) -> np.ndarray:
        d = self._degree
        return np.where(d[:, None] != 0.0, agg / np.where(d == 0.0, 1.0, d)[:, None], agg)

    def forward(self, x) -> np.ndarray:
        """Rate mode: ``tanh(agg W)``; shape ``(N, F)``."""
        x = self._features(x)
        return _sc.graph_rate(
            self._rows, self._cols, self._vals, self._degree, x, np.ascontiguousarray(self._weights)
        )

    def forward_sc(self, x, *, length: int = 1024, seed: int = 44257) -> np.ndarray:
        """Bitstream message passing, bit-exact with the engine (see the module docstring)."""
        x = self._features(x)
        length = check_int("Graph layer", "length", length, 1)
        st = _sc.new_rng(check_seed("Graph layer", seed))
        xb = _sc.encode_matrix(st, x, length)
        ab = _sc.encode_matrix(st, self._vals[self._active], length)
        counts = _sc.weighted_counts(self._active_rows, self._cols[self._active], ab, xb)
        agg = self._normalise(counts / length)
        gb = _sc.encode_matrix(st, agg, length)
        wb = _sc.encode_matrix(st, np.clip(self._weights, 0.0, 1.0), length)
        n, f = agg.shape
        if f == 0:
            return np.zeros((n, 0))
        counts = _sc.dense_counts(gb.reshape(n, f, -1), wb)
        return _sc.tanh_of(counts, float(length))


def graph_layer_graph(*args, **kwargs):  # defined in scgen.nn.hw_graphs (imports the IR)
    """Build the SC graph layer as an IR graph; see :func:`scgen.nn.hw_graphs.graph_layer_graph`."""
    from .hw_graphs import graph_layer_graph as build

    return build(*args, **kwargs)


def run_graph_layer_graph(*args, **kwargs):
    """Run :func:`graph_layer_graph` on the twin; see :func:`scgen.nn.hw_graphs.run_graph_layer`."""
    from .hw_graphs import run_graph_layer

    return run_graph_layer(*args, **kwargs)
