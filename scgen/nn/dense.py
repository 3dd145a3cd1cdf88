"""The stochastic dense layer: packed weights, seed-exact encoders, AND + popcount."""

from __future__ import annotations

import numpy as np

from ..sw import dense_engine as _k
from ..sw.bernoulli import check_probs, words_for
from ._checks import check_int, check_seed

__all__ = ["DenseLayer"]


class DenseLayer:
    """Stochastic dense layer: ``y[n] = sum_i popcount(W[n, i] AND X[i]) / length``.

    Weights are probabilities, neuron-major ``(n_neurons, n_inputs)``, initialised from
    ChaCha8(``seed``) and packed with one ChaCha8(``seed + 1 + n``) per neuron (the byte-threshold
    encoder; weights ``<= 0`` and ``>= 1`` give constant streams). The output is not normalised by
    the number of inputs: it lies in [0, n_inputs]. Results are identical to
    sc-neurocore-engine 3.15.7 and independent of the thread count.

    Parameters
    ----------
    n_inputs, n_neurons : int
        Layer shape (at least 1 each).
    length : int
        Stream length in bits (at least 1).
    seed : int
        Weight seed (default 24301 = 0x5EED), taken mod 2**64.
    """

    def __init__(self, n_inputs: int, n_neurons: int, *, length: int = 1024, seed: int = 24301):
        self.n_inputs = check_int("DenseLayer", "n_inputs", n_inputs)
        self.n_neurons = check_int("DenseLayer", "n_neurons", n_neurons)
        self.length = check_int("DenseLayer", "length", length)
        self.seed = check_seed("DenseLayer", seed)
        self._weights = _k.init_weights(self.n_inputs, self.n_neurons, self.seed)
        self._packed_t = _k.pack_weights(self._weights, self.length, self.seed)

    @property
    def words(self) -> int:
        """Words per packed stream: ``ceil(length / 64)``."""
        return words_for(self.length)

    @property
    def weights(self) -> np.ndarray:
        """A copy of the weights, ``(n_neurons, n_inputs)`` float64."""
        return self._weights.copy()

    @weights.setter
    def weights(self, value: object) -> None:
        self.set_weights(value)

    def set_weights(self, weights: object) -> None:
        """Replace the weights (``(n_neurons, n_inputs)``, any real values) and re-pack them.

        Values are stored as given; the encoder treats ``<= 0`` as 0 and ``>= 1`` as 1.
        """
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (self.n_neurons, self.n_inputs):
            raise ValueError(
                f"DenseLayer weights must have shape ({self.n_neurons}, "
                f"{self.n_inputs}), not {w.shape}"
            )
        if np.isnan(w).any():
            raise ValueError("DenseLayer weights must not contain NaN")
        self._weights = np.ascontiguousarray(w).copy()
        self.refresh_packed_weights()

    def refresh_packed_weights(self) -> None:
        """Re-pack the weights (deterministic: the same bits every time)."""
        self._packed_t = _k.pack_weights(self._weights, self.length, self.seed)

    @property
    def packed_weights(self) -> np.ndarray:
        """The packed weight streams, ``(n_neurons, n_inputs, words)`` uint64 (a copy)."""
        return np.ascontiguousarray(self._packed_t.transpose(2, 0, 1))

    def _input(self, x: object) -> np.ndarray:
        a = check_probs("DenseLayer input", x)
        if a.shape[0] != self.n_inputs:
            raise ValueError(f"DenseLayer input must have {self.n_inputs} values, not {a.shape[0]}")
        return a

    def _scale(self, counts: np.ndarray) -> np.ndarray:
        return counts * (1.0 / self.length)

    def forward(self, x: object, *, seed: int = 44257) -> np.ndarray:
        """Encode ``x`` with the f64 encoder from one Xoshiro256++(seed), inputs in order."""
        return self._scale(_k.dense_counts_f64(self._packed_t, self._input(x), self.length, seed))

    def forward_fast(self, x: object, *, seed: int = 44257) -> np.ndarray:
        """Encode input ``i`` with the byte-threshold encoder from Xoshiro256++(seed + i)."""
        return self._scale(_k.dense_counts_bytes(self._packed_t, self._input(x), self.length, seed))

    def forward_batch(self, xs: object, *, seed: int = 44257) -> np.ndarray:
        """:meth:`forward_fast` for every row of ``xs``; row ``s`` uses ``seed + s * 1_000_000``."""
        a = np.asarray(xs)
        if a.ndim != 2 or a.shape[1] != self.n_inputs:
            raise ValueError(
                f"DenseLayer batch input must have shape (samples, {self.n_inputs}), not {a.shape}"
            )
        flat = check_probs("DenseLayer batch input", a.reshape(-1))
        counts = _k.dense_counts_bytes_batch(
            self._packed_t, flat.reshape(a.shape), self.length, seed
        )
        return self._scale(counts)

    def forward_packed(self, packed: object) -> np.ndarray:
        """Forward pre-packed input streams, ``(n_inputs, words)`` uint64."""
        p = np.asarray(packed)
        if p.dtype != np.uint64:
            raise TypeError(f"DenseLayer packed input must be uint64, not {p.dtype}")
        if p.shape != (self.n_inputs, self.words):
            raise ValueError(
                f"DenseLayer packed input must have shape ({self.n_inputs}, "
                f"{self.words}), not {p.shape}"
            )
        return self._scale(_k.dense_counts_packed(self._packed_t, np.ascontiguousarray(p)))
