"""Stochastic attention (SEED_BEHAVIOUR §7): rate mode, SC mode, multi-head, softmax.

Rate mode: ``S = Q K^T``, each row divided by its sum (a zero sum is taken as 1), output
``A V``. Softmax mode: ``softmax(Q K^T / T) V`` with ``T = sqrt(dim_k)`` unless a temperature is
given. SC mode (:meth:`StochasticAttention.forward_sc`) is bit-exact with sc-neurocore-engine
3.15.7: one ChaCha8(seed) encodes Q, K and V (row-major, byte-threshold encoder), the scores are
``sum_d popcount(Q_id & K_jd) / L``, row-normalised, encoded from the same generator, and the
output is ``sum_j popcount(A_ij & V_jc) / L``.

:func:`attention_graph` builds the SC attention as an IR graph of registered primitives
(encoders, AND synapses, MUX adders, CORDIV dividers and counters) that runs on the twin, on the
simulators and on a board.
"""

from __future__ import annotations

import numpy as np

from . import _sc
from ._checks import check_int, check_seed

__all__ = ["StochasticAttention", "attention_graph", "run_attention_graph"]


def _matrix(name: str, value: object) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(
            f"Attention {name} must be a 1-D or 2-D array, not {a.ndim}-D with shape {a.shape}"
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"Attention {name} must not be empty, not shape {a.shape}")
    return np.ascontiguousarray(a)


class StochasticAttention:
    """Stochastic attention over probabilities (engine 3.15.7 numbers).

    Parameters
    ----------
    dim_k : int
        Key width; sets the default softmax temperature ``sqrt(dim_k)`` and nothing else.
    temperature : float, optional
        Softmax temperature; default ``sqrt(dim_k)``.

    Inputs are float arrays ``Q (n, d)``, ``K (m, d)``, ``V (m, dv)``; a 1-D input is one row.
    """

    def __init__(self, dim_k: int, *, temperature: float | None = None):
        if not isinstance(dim_k, int | np.integer) or isinstance(dim_k, bool) or dim_k < 0:
            raise ValueError(f"Attention dim_k must be a non-negative integer, not {dim_k!r}")
        self.dim_k = int(dim_k)
        if temperature is not None and (
            not isinstance(temperature, int | float | np.floating) or isinstance(temperature, bool)
        ):
            raise TypeError(f"Attention temperature must be a number, not {temperature!r}")
        self.temperature = None if temperature is None else float(temperature)

    @property
    def softmax_temperature(self) -> float:
        """The temperature the softmax modes divide the scores by."""
        return self.temperature if self.temperature is not None else float(np.sqrt(self.dim_k))

    # -- checks ---------------------------------------------------------------------------
    @staticmethod
    def _operands(q, k, v) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        q, k, v = _matrix("Q", q), _matrix("K", k), _matrix("V", v)
        if q.shape[1] != k.shape[1]:
            raise ValueError(
                f"Attention Q and K must have the same number of columns, not "
                f"{q.shape[1]} and {k.shape[1]}"
            )
        if k.shape[0] != v.shape[0]:
            raise ValueError(
                f"Attention K and V must have the same number of rows, not "
                f"{k.shape[0]} and {v.shape[0]}"
            )
        return q, k, v

    def _heads(self, q, k, v, n_heads) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        h = check_int("Attention", "n_heads", n_heads)
        q, k, v = self._operands(q, k, v)
        for name, a in (("Q", q), ("K", k), ("V", v)):
            if a.shape[1] % h:
                raise ValueError(
                    f"Attention {name} columns must be divisible by n_heads={h}, not {a.shape[1]}"
                )
        return q, k, v, h

    # -- rate modes -----------------------------------------------------------------------
    @staticmethod
    def _rate(q, k, v) -> np.ndarray:
        return _sc.attention_rate(q, np.ascontiguousarray(k.T), v)

    def _softmax(self, q, k, v) -> np.ndarray:
        return _sc.attention_softmax(q, np.ascontiguousarray(k.T), v, self.softmax_temperature)

    def forward(self, q, k, v) -> np.ndarray:
        """Rate mode: ``(S / rowsum(S)) V`` with ``S = Q K^T``; shape ``(n, dv)``."""
        return self._rate(*self._operands(q, k, v))

    def forward_softmax(self, q, k, v) -> np.ndarray:
        """``softmax(Q K^T / T) V`` row by row."""
        return self._softmax(*self._operands(q, k, v))

    def _multihead(self, q, k, v, n_heads, one) -> np.ndarray:
        q, k, v, h = self._heads(q, k, v, n_heads)
        dq, dv = q.shape[1] // h, v.shape[1] // h
        return np.hstack(
            [
                one(
                    np.ascontiguousarray(q[:, i * dq : (i + 1) * dq]),
                    k[:, i * dq : (i + 1) * dq],
                    np.ascontiguousarray(v[:, i * dv : (i + 1) * dv]),
                )
                for i in range(h)
            ]
        )

    def forward_multihead(self, q, k, v, n_heads: int) -> np.ndarray:
        """Rate mode per head on contiguous column blocks, heads concatenated per row."""
        return self._multihead(q, k, v, n_heads, self._rate)

    def forward_multihead_softmax(self, q, k, v, n_heads: int) -> np.ndarray:
        """Softmax mode per head (same temperature for every head), heads concatenated."""
        return self._multihead(q, k, v, n_heads, self._softmax)

    # -- SC mode --------------------------------------------------------------------------
    def forward_sc(self, q, k, v, *, length: int = 1024, seed: int = 44257) -> np.ndarray:
        """Bitstream attention, bit-exact with the engine (see the module docstring)."""
        q, k, v = self._operands(q, k, v)
        length = check_int("Attention", "length", length)
        return sc_attention(q, k, v, length, check_seed("Attention", seed))


def sc_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, length: int, seed: int) -> np.ndarray:
    """The SC-mode computation on checked float64 matrices (no argument checks)."""
    st = _sc.new_rng(seed)
    qb = _sc.encode_matrix(st, q, length)
    kb = _sc.encode_matrix(st, k, length)
    vb = _sc.encode_matrix(st, v, length)
    # scores[i, j] = sum over (d, words) of popcount(Q_id & K_jd): K as (d, m, words)
    scores = _sc.dense_counts(qb, kb.transpose(1, 0, 2))
    weights = _sc.row_normalise(scores, float(length))
    ab = _sc.encode_matrix(st, weights, length)
    counts = _sc.dense_counts(ab, vb)
    return counts / length


def attention_graph(*args, **kwargs):  # defined in scgen.nn.hw_graphs (imports the IR)
    """Build the SC attention as an IR graph; see :func:`scgen.nn.hw_graphs.attention_graph`."""
    from .hw_graphs import attention_graph as build

    return build(*args, **kwargs)


def run_attention_graph(*args, **kwargs):
    """Run :func:`attention_graph` on the twin; see :func:`scgen.nn.hw_graphs.run_attention`."""
    from .hw_graphs import run_attention

    return run_attention(*args, **kwargs)
