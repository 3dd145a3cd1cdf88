"""The engine's ``StochasticAttention`` and ``StochasticGraphLayer`` (3.15.7 behaviour) over
:mod:`scgen.nn.attention` and :mod:`scgen.nn.graph`.

Inputs are converted as the engine's Python bridge converts them (``np.asarray(x, float64)``,
1-D promoted to one row; ``length``, ``seed`` and ``n_heads`` through ``int()``), then checked
in the engine's order with its messages. Divergence: ``from_sparse`` refuses column indices out
of range and decreasing row offsets at construction (the engine accepts them and fails later).
"""

from __future__ import annotations

import numpy as np

from ..nn import attention as _att
from ..nn import graph as _graph
from ._args import int_arg

__all__ = ["StochasticAttention", "StochasticGraphLayer"]


def _to_2d(value: object) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    return a[None, :] if a.ndim == 1 else a


def _checked(name: str, a: np.ndarray) -> np.ndarray:
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 1-D or 2-D float array.")
    if a.shape[0] == 0:
        raise ValueError(f"{name} must not be an empty matrix.")
    if a.shape[1] == 0:
        raise ValueError(f"{name} must not have zero columns.")
    return np.ascontiguousarray(a)


def _real(name: str, value: object) -> float:
    if isinstance(value, str | bytes) or not hasattr(value, "__float__"):
        raise TypeError(f"argument '{name}': must be real number, not {type(value).__name__}")
    return float(value)


class StochasticAttention:
    """Stochastic attention with the engine's names, defaults, return types and errors."""

    def __init__(self, dim_k, temperature=None):
        self.dim_k = dim_k
        int_arg("dim_k", dim_k, "u64")
        t = None if temperature is None else _real("temperature", temperature)
        if t is not None and not t > 0:  # engine 3.15.7: 0, -0, negative or NaN act as 1.0
            t = 1.0
        self._layer = _att.StochasticAttention(int(dim_k), temperature=t)

    @staticmethod
    def _operands(q, k, v, n_heads=None):
        q, k, v = _checked("Q", _to_2d(q)), _checked("K", _to_2d(k)), _checked("V", _to_2d(v))
        if n_heads is None:
            if q.shape[1] != k.shape[1]:
                raise ValueError(
                    f"Q/K dimension mismatch: q_cols={q.shape[1]}, k_cols={k.shape[1]}."
                )
        else:
            h = int_arg("n_heads", int(n_heads), "u64")
            if h == 0:
                raise ValueError("n_heads must be > 0.")
            if q.shape[1] % h or k.shape[1] % h or v.shape[1] % h:
                raise ValueError(
                    f"Total columns must be divisible by n_heads={h}. Got "
                    f"Q={q.shape[1]}, K={k.shape[1]}, V={v.shape[1]}."
                )
            if q.shape[1] // h != k.shape[1] // h:
                raise ValueError(
                    f"Q/K head dimensions must match: Q_head={q.shape[1] // h}, "
                    f"K_head={k.shape[1] // h}."
                )
        if k.shape[0] != v.shape[0]:
            raise ValueError(f"K/V row mismatch: k_rows={k.shape[0]}, v_rows={v.shape[0]}.")
        return q, k, v

    def forward(self, Q, K, V):
        """Rate mode; float64 ``(n, dv)``."""
        return self._layer._rate(*self._operands(Q, K, V))

    def forward_softmax(self, Q, K, V):
        """``softmax(Q K^T / T) V``, ``T = temperature`` or ``sqrt(dim_k)``."""
        return self._layer._softmax(*self._operands(Q, K, V))

    def forward_multihead(self, Q, K, V, n_heads):
        """Rate mode per head, heads concatenated per row."""
        q, k, v = self._operands(Q, K, V, n_heads)
        return self._layer._multihead(q, k, v, int(n_heads), self._layer._rate)

    def forward_multihead_softmax(self, Q, K, V, n_heads):
        """Softmax mode per head, heads concatenated per row."""
        q, k, v = self._operands(Q, K, V, n_heads)
        return self._layer._multihead(q, k, v, int(n_heads), self._layer._softmax)

    def forward_sc(self, Q, K, V, length=1024, seed=44257):
        """Bitstream attention, bit-exact with the engine."""
        n = int_arg("length", int(length), "u64")
        s = int_arg("seed", int(seed), "u64")
        q, k, v = self._operands(Q, K, V)
        if n == 0:
            raise ValueError("length must be > 0 for SC mode.")
        return _att.sc_attention(q, k, v, n, s)


class StochasticGraphLayer:
    """Stochastic graph layer with the engine's names, defaults, return types and errors.

    Like the engine's bridge it has ``n_nodes``, ``n_features`` and ``weights`` (an F x F copy
    taken at construction); ``get_weights`` / ``set_weights`` (flat lists) are the native
    engine's methods.
    """

    def __init__(self, adj_matrix, n_features, seed=42):
        adj = np.asarray(adj_matrix, dtype=np.float64)
        if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
            raise ValueError(f"adj_matrix must be square 2-D, got shape {adj.shape}")
        self._finish(self._dense(adj, int(n_features), seed))

    @staticmethod
    def _dense(adj: np.ndarray, n_features, seed) -> _graph.StochasticGraphLayer:
        f = int_arg("n_features", n_features, "u64")
        s = int_arg("seed", seed, "u64")
        if adj.shape[0] == 0:
            raise ValueError("adj_matrix must not be an empty matrix.")
        return _graph.StochasticGraphLayer(adj, f, seed=s)

    def _finish(self, layer: _graph.StochasticGraphLayer) -> None:
        self._layer = layer
        self.n_nodes = layer.n_nodes
        self.n_features = layer.n_features
        self.weights = layer.weights

    @classmethod
    def from_sparse(cls, row_offsets, col_indices, values, n_nodes, n_features, seed=42):
        """CSR adjacency (row offsets, column indices, values), stored order kept."""
        rows, cols = list(row_offsets), list(col_indices)
        vals = [float(v) for v in values]
        n = int_arg("n_nodes", n_nodes, "u64")
        if len(rows) != n + 1:
            raise ValueError(f"row_offsets length {len(rows)} != n_rows + 1 = {n + 1}")
        if len(cols) != rows[-1]:
            raise ValueError(f"col_indices length {len(cols)} != nnz from row_offsets {rows[-1]}")
        if len(cols) != len(vals):
            raise ValueError(f"col_indices length {len(cols)} != values length {len(vals)}")
        obj = cls.__new__(cls)
        obj._finish(
            _graph.StochasticGraphLayer.from_csr(
                rows,
                cols,
                vals,
                n,
                int_arg("n_features", n_features, "u64"),
                seed=int_arg("seed", seed, "u64"),
            )
        )
        return obj

    @classmethod
    def from_dense_auto(cls, adj_matrix, n_features, seed=42, density_threshold=0.3):
        """Dense adjacency, stored as CSR when its density is below ``density_threshold``."""
        adj = _to_2d(adj_matrix)
        if adj.ndim != 2:
            raise ValueError("adj_matrix must be a 1-D or 2-D float array.")
        if adj.shape[0] != adj.shape[1]:
            raise ValueError(f"adj_matrix must be square, got {adj.shape[0]}x{adj.shape[1]}.")
        threshold = _real("density_threshold", density_threshold)
        n = adj.shape[0]
        nnz = int(np.count_nonzero(adj))
        obj = cls.__new__(cls)
        if n and nnz / (n * n) < threshold:
            rows = np.concatenate([[0], np.cumsum(np.count_nonzero(adj, axis=1))])
            r, c = np.nonzero(adj)
            obj._finish(
                _graph.StochasticGraphLayer.from_csr(
                    rows,
                    c,
                    adj[r, c],
                    n,
                    int_arg("n_features", n_features, "u64"),
                    seed=int_arg("seed", seed, "u64"),
                )
            )
        else:
            obj._finish(cls._dense(adj, n_features, seed))
        return obj

    def is_sparse(self):
        """True when the adjacency is stored as CSR."""
        return self._layer.sparse

    def _features(self, node_features) -> np.ndarray:
        x = _checked("node_features", _to_2d(node_features))
        want = (self.n_nodes, self.n_features)
        if x.shape != want:
            raise ValueError(f"Expected node_features shape {want}, got {x.shape}.")
        return x

    def forward(self, node_features):
        """Rate mode; float64 ``(n_nodes, n_features)``."""
        return self._layer.forward(self._features(node_features))

    def forward_sc(self, node_features, length=1024, seed=44257):
        """Bitstream message passing, bit-exact with the engine."""
        n = int_arg("length", int(length), "u64")
        s = int_arg("seed", int(seed), "u64")
        x = self._features(node_features)
        if n == 0:
            raise ValueError("length must be > 0 for SC mode.")
        return self._layer.forward_sc(x, length=n, seed=s)

    def get_weights(self):
        """``W`` as a flat row-major list of F * F floats."""
        return self._layer.weights.reshape(-1).tolist()

    def set_weights(self, weights):
        """Replace ``W`` from a flat row-major list of F * F floats."""
        w = [float(x) for x in weights]
        f = self.n_features
        if len(w) != f * f:
            raise ValueError(f"weights length mismatch: got {len(w)}, expected {f * f}.")
        self._layer.weights = np.array(w)
