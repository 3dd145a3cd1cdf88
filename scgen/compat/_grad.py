"""The engine's surrogate-gradient classes (``sc_neurocore_engine.SurrogateLif`` and
``DifferentiableDenseLayer``, 3.15.7 behaviour) over :mod:`scgen.learn`.

Same constructor signatures, defaults, return types and error texts as the engine's Python
wrappers (``sc_neurocore_engine.grad``). The engine accepts only its four surrogates
(``fast_sigmoid``, ``superspike``, ``arctan``, ``straight_through`` and their aliases); scgen's
``sigmoid`` and ``triangular`` are refused here with the engine's message.

Divergences (documented, deliberate): LIF parameter sets that describe no real register raise
the ``ValueError`` of :class:`scgen.params.LifParams` (as :class:`FixedPointLif` does), and where
the engine panics (a layer dimension of 0) scgen raises ``ValueError`` with the panic text.
"""

from __future__ import annotations

import numpy as np

from ..learn.layers import _dense_backward, _lif_forward, _lif_grad
from ..learn.surrogate import SEED_SURROGATES, SURROGATES, Surrogate, canonical_name
from ..sw import dense_engine as _k
from ._args import int_arg, type_label
from ._dense import DenseLayer
from ._lif import _inputs, _params

__all__ = ["DifferentiableDenseLayer", "SurrogateLif"]


def _surrogate(name: object, k: object) -> Surrogate:
    if not isinstance(name, str):
        raise TypeError(
            f"argument 'surrogate': {type_label(name, downcast=True)} is not an instance of 'str'"
        )
    if k is not None:
        if isinstance(k, str | bytes) or not hasattr(type(k), "__float__"):
            raise TypeError(f"argument 'k': must be real number, not {type(k).__name__}")
        k = float(np.float32(float(k)))
    canon = canonical_name(name, SEED_SURROGATES)
    if canon is None:
        raise ValueError(f"Unknown surrogate '{name}'. Use one of: {', '.join(SEED_SURROGATES)}.")
    # the engine takes any float for k (even 0 or negative) and computes with it
    return Surrogate._unchecked(canon, SURROGATES[canon][1] if k is None else k)


class SurrogateLif:
    """LIF neuron with a LIFO trace of ``(v_norm, spike)`` and a surrogate ``backward``."""

    def __init__(
        self,
        data_width=16,
        fraction=8,
        v_rest=0,
        v_reset=0,
        v_threshold=256,
        refractory_period=2,
        surrogate="fast_sigmoid",
        k=None,
    ):
        self._params = _params(
            data_width, fraction, v_rest, v_reset, v_threshold, refractory_period
        )
        self._cfg = self._params.kernel_config()
        self._surrogate = _surrogate(surrogate, k)
        self._trace: list[np.float32] = []
        self._v, self._rc = self._params.v_rest, 0

    def forward(self, leak_k, gain_k, i_t, noise_in=0):
        """One step of the neuron; returns ``(spike, v)`` and records ``v_norm``."""
        args = (leak_k, gain_k, i_t, noise_in)
        if not all(type(a) is int and -32768 <= a <= 32767 for a in args):  # slow path: errors
            args = _inputs(leak_k=leak_k, gain_k=gain_k, i_t=i_t, noise_in=noise_in)
        leak, gain, cur, noise = args
        spike, self._v, self._rc, v_norm = _lif_forward(
            self._cfg, self._params.fraction, self._v, self._rc, leak, gain, cur, noise
        )
        self._trace.append(v_norm)
        return int(spike), int(self._v)

    def backward(self, grad_output):
        """Pop the latest step; return ``grad_output * surrogate'(v_norm)`` (float32 math)."""
        g = float(grad_output)
        if not self._trace:
            raise ValueError("backward() called without matching forward()")
        code, k = self._surrogate.kernel_args()
        return float(_lif_grad(code, k, self._trace.pop(), g))

    def clear_trace(self):
        self._trace.clear()

    def reset(self):
        """Neuron back to rest and trace cleared."""
        self._v, self._rc = self._params.v_rest, 0
        self._trace.clear()

    def trace_len(self):
        return len(self._trace)


class DifferentiableDenseLayer:
    """Dense SC layer with the engine's surrogate backward (``g * surrogate'(y - 0.5)``)."""

    def __init__(
        self, n_inputs, n_neurons, length=1024, seed=24301, surrogate="fast_sigmoid", k=None
    ):
        self._dense = DenseLayer(n_inputs, n_neurons, length, seed)
        self._surrogate = _surrogate(surrogate, k)
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None

    @property
    def _native(self):
        return self._dense._layer

    @property
    def weights(self):
        """The weights as a float64 ``(n_neurons, n_inputs)`` array."""
        return self._native._weights.copy()

    def forward(self, input_values, seed=44257):
        """SC forward (f64 encoder from Xoshiro256++(seed)); returns a float64 array."""
        x = np.ascontiguousarray(np.asarray(input_values, dtype=np.float64).reshape(-1))
        s = int_arg("seed", int(seed), "u64")
        layer = self._native
        if x.shape[0] != layer.n_inputs:
            raise ValueError(f"Expected input of length {layer.n_inputs}, got {x.shape[0]}.")
        y = _k.dense_counts_f64(layer._packed_t, x, layer.length, s) * (1.0 / layer.length)
        self._x, self._y = x, y
        return y

    def backward(self, grad_output):
        """Return ``(grad_input, grad_weights)`` as float64 arrays."""
        g = np.ascontiguousarray(np.asarray(grad_output, dtype=np.float64).reshape(-1))
        if self._x is None:
            raise ValueError("backward() called before a valid forward() input cache.")
        nn = self._native.n_neurons
        if g.shape[0] != nn:
            raise ValueError(f"Expected grad_output length {nn}, got {g.shape[0]}.")
        grad_in = np.empty((1, self._x.shape[0]))
        grad_w = np.zeros((nn, self._x.shape[0]))
        code, k = self._surrogate.kernel_args()
        _dense_backward(
            code,
            k,
            0.5,
            self._y[None, :],
            g[None, :],
            self._x[None, :],
            self._native._weights,
            grad_in,
            grad_w,
        )
        return grad_in[0], grad_w

    def update_weights(self, weight_grads, lr):
        """``w <- clamp(w - lr * g, 0, 1)`` and re-pack."""
        g = np.asarray(weight_grads, dtype=np.float64)
        lr = float(lr)
        layer = self._native
        rows = g.shape[0] if g.ndim else 0
        if rows != layer.n_neurons:
            raise ValueError(f"Expected {layer.n_neurons} grad rows, got {rows}.")
        if g.ndim != 2 or g.shape[1] != layer.n_inputs:
            raise ValueError(f"Expected each grad row to have length {layer.n_inputs}.")
        # Rust's f64::clamp keeps NaN (np.clip does too); the packer encodes NaN as 0
        layer._weights = np.clip(layer._weights - lr * g, 0.0, 1.0)
        layer.refresh_packed_weights()

    def clear_cache(self):
        self._x = self._y = None
