"""The engine's pure-Python bridge classes (``sc_neurocore_engine.layers`` and ``.neurons``):
``VectorizedSCLayer`` over :class:`DenseLayer` and ``FixedPointLIFNeuron`` over
:class:`FixedPointLif`, with the bridge's names, defaults, array conversions and error texts
(engine 3.15.7, observed). The numbers are those of the wrapped classes, so bit-exact with the
engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._dense import DenseLayer
from ._lif import FixedPointLif

__all__ = ["FixedPointLIFNeuron", "VectorizedSCLayer"]

_SEED = 44257


@dataclass
class VectorizedSCLayer:
    """Dense SC layer with the default weight seed; ``weights`` is an editable float64 copy
    (``_refresh_packed_weights`` pushes it into the layer); ``packed_weights`` is ``None``, as
    in the bridge; ``use_gpu`` is accepted and has no effect."""

    n_inputs: int
    n_neurons: int
    length: int = 1024
    use_gpu: bool = False

    def __post_init__(self) -> None:
        self._dense = DenseLayer(self.n_inputs, self.n_neurons, self.length)
        self.weights = np.array(self._dense.get_weights(), dtype=np.float64)
        self.packed_weights: np.ndarray | None = None

    def _refresh_packed_weights(self) -> None:
        self._dense.set_weights(self.weights.tolist())
        self._dense.refresh_packed_weights()

    def _vector(self, values) -> list[float]:
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 1 or x.shape[0] != self.n_inputs:
            raise ValueError(f"Expected 1-D input of length {self.n_inputs}, got shape {x.shape}")
        return x.tolist()

    def forward(self, input_values) -> np.ndarray:
        """The layer's ``forward`` (f64 encoder, seed 44257) as a float64 array."""
        return np.array(self._dense.forward(self._vector(input_values)), dtype=np.float64)

    def forward_fast(self, input_values, seed: int = _SEED) -> np.ndarray:
        """The layer's ``forward_fast`` as a float64 array."""
        return np.array(self._dense.forward_fast(self._vector(input_values), seed), np.float64)

    def forward_prepacked(self, packed_inputs) -> np.ndarray:
        """Packed inputs, one row of words per input, as a float64 array."""
        p = np.asarray(packed_inputs, dtype=np.uint64)
        if p.ndim != 2:
            raise ValueError(f"Expected 2-D packed input array, got shape {p.shape}")
        if p.shape[0] != self.n_inputs:
            raise ValueError(f"Expected {self.n_inputs} packed input rows, got {p.shape[0]}")
        return np.array(self._dense.forward_prepacked(p), dtype=np.float64)

    def forward_prepacked_numpy(self, packed_inputs) -> np.ndarray:
        """Packed inputs converted to a contiguous uint64 array first."""
        p = np.ascontiguousarray(packed_inputs, dtype=np.uint64)
        return self._dense.forward_prepacked_numpy(p)

    def forward_numpy(self, input_values, seed: int = _SEED) -> np.ndarray:
        """Inputs converted to a contiguous float64 array first."""
        x = np.ascontiguousarray(input_values, dtype=np.float64)
        return self._dense.forward_numpy(x, seed)

    def forward_batch_numpy(self, input_values, seed: int = _SEED) -> np.ndarray:
        """Rows of a ``(n_samples, n_inputs)`` array; sample ``s`` seeds ``seed + s * 10**6``."""
        xs = np.ascontiguousarray(input_values, dtype=np.float64)
        if xs.ndim != 2 or xs.shape[1] != self.n_inputs:
            raise ValueError(
                f"Expected 2-D input with shape (n_samples, {self.n_inputs}), got {xs.shape}"
            )
        return self._dense.forward_batch_numpy(xs, seed)


class FixedPointLIFNeuron(FixedPointLif):
    """:class:`FixedPointLif` under the bridge's name; ``step`` names the current ``I_t``."""

    def step(self, leak_k, gain_k, I_t, noise_in=0):
        """Take one step; return ``(spike, v)``."""
        return super().step(leak_k, gain_k, I_t, noise_in)
