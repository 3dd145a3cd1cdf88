"""The engine's ``DenseLayer`` (3.15.7 behaviour) over :class:`scgen.nn.DenseLayer`'s kernels.

Divergence: where the engine panics (``n_inputs``, ``n_neurons`` or ``length`` of 0) this raises
``ValueError`` with the engine's panic text.
"""

from __future__ import annotations

import numpy as np

from ..nn.dense import DenseLayer as _NativeDense
from ..sw import dense_engine as _k
from ._args import int_arg, ndarray_arg

__all__ = ["DenseLayer"]


def _floats(name: str, values: object) -> np.ndarray:
    if isinstance(values, str | bytes):
        raise TypeError(f"argument '{name}': Can't extract `{type(values).__name__}` to `Vec`")
    try:
        return np.ascontiguousarray(np.array(list(values), dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(
            f"argument '{name}': '{type(values).__name__}' object cannot be converted to 'Sequence'"
        ) from None


class DenseLayer:
    """Stochastic dense layer with the engine's names, defaults, return types and errors."""

    def __init__(self, n_inputs, n_neurons, length=1024, seed=24301):
        ni = int_arg("n_inputs", n_inputs, "u64")
        nn = int_arg("n_neurons", n_neurons, "u64")
        n = int_arg("length", length, "u64")
        s = int_arg("seed", seed, "u64")
        for name, value in (("n_inputs", ni), ("n_neurons", nn)):
            if value == 0:
                raise ValueError(f"{name} must be > 0")
        if n == 0:
            raise ValueError("bitstream length must be > 0")
        self._layer = _NativeDense(ni, nn, length=n, seed=s)

    # -- helpers ---------------------------------------------------------------------------
    def _check_len(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] != self._layer.n_inputs:
            raise ValueError(f"Expected input of length {self._layer.n_inputs}, got {x.shape[0]}.")
        return x

    def _y(self, counts: np.ndarray) -> np.ndarray:
        return counts * (1.0 / self._layer.length)

    def _bytes(self, x: np.ndarray, seed: object) -> np.ndarray:
        s = int_arg("seed", seed, "u64")
        return self._y(_k.dense_counts_bytes(self._layer._packed_t, x, self._layer.length, s))

    # -- forward variants ---------------------------------------------------------------------
    def forward(self, input_values, seed=44257):
        """f64 encoder from one Xoshiro256++(seed) over the inputs in order; list of floats."""
        x = self._check_len(_floats("input_values", input_values))
        s = int_arg("seed", seed, "u64")
        return self._y(
            _k.dense_counts_f64(self._layer._packed_t, x, self._layer.length, s)
        ).tolist()

    def forward_fast(self, input_values, seed=44257):
        """Byte-threshold encoder, input ``i`` from Xoshiro256++(seed + i); list of floats."""
        x = self._check_len(_floats("input_values", input_values))
        return self._bytes(x, seed).tolist()

    def forward_numpy(self, input_values, seed=44257):
        """:meth:`forward_fast` on a float64 NumPy vector; returns a float64 array."""
        x = ndarray_arg("input_values", input_values, np.float64, 1)
        return self._bytes(self._check_len(np.ascontiguousarray(x)), seed)

    def forward_batch_numpy(self, inputs, seed=44257):
        """Rows of a float64 ``(samples, n_inputs)`` array; row ``s`` seeds ``seed + s * 10**6``."""
        xs = ndarray_arg("inputs", inputs, np.float64, 2)
        s = int_arg("seed", seed, "u64")
        if xs.shape[1] != self._layer.n_inputs:
            raise ValueError(f"Expected {self._layer.n_inputs} input features, got {xs.shape[1]}.")
        counts = _k.dense_counts_bytes_batch(
            self._layer._packed_t, np.ascontiguousarray(xs), self._layer.length, s
        )
        return self._y(counts)

    def forward_prepacked(self, packed_inputs):
        """Pre-packed inputs: a 2-D integer array or a list of word lists; list of floats."""
        ni, words = self._layer.n_inputs, self._layer.words
        if isinstance(packed_inputs, np.ndarray):
            if packed_inputs.ndim != 2 or not np.issubdtype(packed_inputs.dtype, np.integer):
                raise ValueError(
                    "packed_inputs must be a 2-D numpy uint64 array or list[list[int]]."
                )
            if packed_inputs.shape == (ni, words):  # the common case: no per-row conversion
                x = np.ascontiguousarray(packed_inputs, dtype=np.uint64)
                return self._y(_k.dense_counts_packed(self._layer._packed_t, x)).tolist()
            rows = list(packed_inputs.astype(np.uint64))
        else:
            rows = [np.array(r, dtype=np.uint64) for r in packed_inputs]
        if len(rows) != ni:
            raise ValueError(f"Expected {ni} packed inputs, got {len(rows)}.")
        for k, r in enumerate(rows):
            if r.shape[0] != words:
                raise ValueError(f"Packed input {k} has {r.shape[0]} words, expected {words}.")
        x = np.ascontiguousarray(np.stack(rows)) if rows else np.empty((0, words), np.uint64)
        return self._y(_k.dense_counts_packed(self._layer._packed_t, x)).tolist()

    def forward_prepacked_numpy(self, packed_inputs):
        """Pre-packed inputs as a contiguous uint64 ``(n_inputs, words)`` array; float64 array."""
        x = ndarray_arg("packed_inputs", packed_inputs, np.uint64, 2)
        ni, words = self._layer.n_inputs, self._layer.words
        if x.shape[0] != ni:
            raise ValueError(f"Expected {ni} packed inputs, got {x.shape[0]}.")
        if x.shape[1] != words:
            raise ValueError(f"Expected {words} words per input, got {x.shape[1]}.")
        if not x.flags.c_contiguous:
            raise ValueError(
                "Array not contiguous: The given array is not contiguous or is misaligned."
            )
        return self._y(_k.dense_counts_packed(self._layer._packed_t, x))

    # -- weights ----------------------------------------------------------------------------
    def get_weights(self):
        """Weights as a list of ``n_neurons`` lists of ``n_inputs`` floats."""
        return self._layer._weights.tolist()

    def set_weights(self, weights):
        """Replace the weights (list of rows) and re-pack them."""
        rows = [_floats("weights", r) for r in weights]
        nn, ni = self._layer.n_neurons, self._layer.n_inputs
        if len(rows) != nn:
            raise ValueError(f"Expected {nn} rows, got {len(rows)}.")
        for k, r in enumerate(rows):
            if r.shape[0] != ni:
                raise ValueError(f"Row {k} has length {r.shape[0]}, expected {ni}.")
        self._layer._weights = np.stack(rows)
        self._layer.refresh_packed_weights()

    def refresh_packed_weights(self):
        """Re-pack the current weights (same bits every time)."""
        self._layer.refresh_packed_weights()
