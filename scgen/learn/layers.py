"""Differentiable SC layers: :class:`SurrogateLif` and :class:`DifferentiableDenseLayer`.

Both run their forward pass on scgen's twins (the LIF neuron of :mod:`scgen.sw.lif`, the dense
layer of :class:`scgen.nn.DenseLayer`) and add a backward pass with a surrogate gradient, with the
arithmetic of sc-neurocore-engine 3.15.7 (SEED_BEHAVIOUR §6): the surrogate is evaluated in
float32 and the rest in float64.
"""

from __future__ import annotations

import numpy as np

from ..nn.dense import DenseLayer
from ..params import LifParams
from ..sw._jit import kernel
from ..sw.lif import lif_step
from .surrogate import Surrogate, surrogate, surrogate_derivative

__all__ = ["DifferentiableDenseLayer", "SurrogateLif"]


def _as_surrogate(owner: str, value: object, k: float | None) -> Surrogate:
    if isinstance(value, Surrogate | str):
        return surrogate(value, k)
    raise TypeError(f"{owner} surrogate must be a Surrogate or a name, not {value!r}")


@kernel
def _lif_forward(cfg, fraction, v, rc, leak_k, gain_k, I_t, noise_in):
    spike, v, rc = lif_step(cfg, v, rc, leak_k, gain_k, I_t, noise_in)
    v_norm = np.float32(v - cfg[5]) / np.float32(2.0**fraction)
    return spike, v, rc, v_norm


@kernel
def _lif_grad(code, k, v_norm, grad_output):
    return np.float32(grad_output) * surrogate_derivative(code, k, v_norm)


class SurrogateLif:
    """A LIF neuron whose steps can be differentiated with a surrogate gradient.

    :meth:`forward` is one step of the LIF twin (identical ``(spike, v)``, either ordering) and
    records ``(v_norm, spike)`` with ``v_norm = (v - v_threshold) / 2**fraction`` (float32);
    :meth:`backward` pops the most recent record (last in, first out) and returns
    ``grad_output * surrogate'(v_norm)`` in float32.

    Parameters
    ----------
    params : LifParams
        The neuron (default: Q8.8, threshold 1.0, refractory period 2, hardware ordering).
    surrogate : Surrogate or str
        The surrogate (default ``"fast_sigmoid"``); a name takes ``k`` (default: its own).
    """

    def __init__(
        self,
        params: LifParams | None = None,
        *,
        surrogate: Surrogate | str = "fast_sigmoid",
        k: float | None = None,
    ):
        params = LifParams() if params is None else params
        if not isinstance(params, LifParams):
            raise TypeError(f"SurrogateLif params must be a LifParams, not {params!r}")
        self._params = params
        self._cfg = params.kernel_config()
        self._surrogate = _as_surrogate("SurrogateLif", surrogate, k)
        self._trace: list[tuple[np.float32, int]] = []
        self.reset()

    @property
    def params(self) -> LifParams:
        return self._params

    @property
    def surrogate(self) -> Surrogate:
        return self._surrogate

    @property
    def v(self) -> int:
        """Membrane value after the last step."""
        return int(self._v)

    def forward(self, leak_k: int, gain_k: int, I_t: int, noise_in: int = 0) -> tuple[int, int]:
        """Take one step of the neuron; return ``(spike, v)`` and record it for backward."""
        w = self._params.data_width
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        for name, value in (
            ("leak_k", leak_k),
            ("gain_k", gain_k),
            ("I_t", I_t),
            ("noise_in", noise_in),
        ):
            if not isinstance(value, int | np.integer) or isinstance(value, bool):
                raise TypeError(f"SurrogateLif {name} must be an integer, not {value!r}")
            if not lo <= value <= hi:
                raise ValueError(
                    f"SurrogateLif {name} must be between {lo} and {hi} for "
                    f"data_width {w}, not {value!r}"
                )
        spike, self._v, self._rc, v_norm = _lif_forward(
            self._cfg,
            self._params.fraction,
            self._v,
            self._rc,
            int(leak_k),
            int(gain_k),
            int(I_t),
            int(noise_in),
        )
        self._trace.append((v_norm, int(spike)))
        return int(spike), int(self._v)

    def backward(self, grad_output: float) -> float:
        """Pop the latest recorded step; return ``grad_output * surrogate'(v_norm)``."""
        if not self._trace:
            raise ValueError(
                "SurrogateLif backward needs a recorded forward step, but the trace is empty"
            )
        v_norm, _spike = self._trace.pop()
        code, k = self._surrogate.kernel_args()
        return float(_lif_grad(code, k, v_norm, float(grad_output)))

    def trace(self) -> list[tuple[float, int]]:
        """The recorded ``(v_norm, spike)`` pairs, oldest first."""
        return [(float(v), s) for v, s in self._trace]

    def trace_len(self) -> int:
        return len(self._trace)

    def clear_trace(self) -> None:
        """Forget the recorded steps; the neuron keeps its state."""
        self._trace.clear()

    def reset(self) -> None:
        """Return the neuron to rest (``v = v_rest``, no refractory count) and clear the trace."""
        self._v, self._rc = self._params.v_rest, 0
        self._trace.clear()


@kernel
def _dense_backward(code, k, threshold, y, g, x, w, grad_in, grad_w):
    """Batch rows: g'[j] = g[j] * surrogate(y[j] - threshold); grad_w[j, i] = sum_s g'[j] x[i];
    grad_in[s, i] = sum_j g'[j] w[j, i] (j ascending, as the engine sums)."""
    nn, ni = w.shape
    gs = np.empty(nn)  # every element is rewritten for each sample
    for s in range(y.shape[0]):
        for j in range(nn):
            if code < 0:
                gs[j] = g[s, j]
            else:
                gs[j] = g[s, j] * np.float64(
                    surrogate_derivative(code, k, np.float32(y[s, j] - threshold))
                )
        for i in range(ni):
            acc = 0.0
            for j in range(nn):
                acc = acc + gs[j] * w[j, i]
            grad_in[s, i] = acc
        for j in range(nn):
            for i in range(ni):
                grad_w[j, i] += gs[j] * x[s, i]


class DifferentiableDenseLayer:
    """A stochastic dense layer with a backward pass, on :class:`scgen.nn.DenseLayer`.

    ``forward`` is the SC layer (weights in [0, 1] as probabilities); ``backward(g)`` treats the
    SC output ``y`` as a membrane, multiplies ``g`` by ``surrogate'(y - threshold)`` (float32)
    and returns the gradients of the SC dot product: ``grad_w[j, i] = g'[j] x[i]`` and
    ``grad_in[i] = sum_j g'[j] w[j, i]``. With ``surrogate=None`` the factor is 1 (the
    straight-through estimator of the stochastic forward). ``threshold = 0.5`` and the surrogate
    defaults reproduce sc-neurocore-engine 3.15.7 bit for bit.

    Parameters
    ----------
    n_inputs, n_neurons : int
        Layer shape.
    length : int
        Stream length of the SC forward.
    seed : int
        Weight seed (initial weights and packing), as :class:`scgen.nn.DenseLayer`.
    surrogate : Surrogate, str or None
        The surrogate (default ``"fast_sigmoid"``); a name takes ``k``.
    threshold : float
        Where the surrogate is centred on ``y``.
    """

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        *,
        length: int = 1024,
        seed: int = 24301,
        surrogate: Surrogate | str | None = "fast_sigmoid",
        k: float | None = None,
        threshold: float = 0.5,
    ):
        self._layer = DenseLayer(n_inputs, n_neurons, length=length, seed=seed)
        self._surrogate = (
            None if surrogate is None else _as_surrogate("DifferentiableDenseLayer", surrogate, k)
        )
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            raise TypeError(
                f"DifferentiableDenseLayer threshold must be a number, not {threshold!r}"
            )
        self.threshold = float(threshold)
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None

    @property
    def layer(self) -> DenseLayer:
        """The underlying SC layer (shares the weights)."""
        return self._layer

    @property
    def surrogate(self) -> Surrogate | None:
        return self._surrogate

    @property
    def n_inputs(self) -> int:
        return self._layer.n_inputs

    @property
    def n_neurons(self) -> int:
        return self._layer.n_neurons

    @property
    def weights(self) -> np.ndarray:
        """A copy of the weights, ``(n_neurons, n_inputs)``."""
        return self._layer.weights

    def set_weights(self, weights: object) -> None:
        """Replace the weights and re-pack them."""
        self._layer.set_weights(weights)

    def forward(self, x: object, *, seed: int = 44257) -> np.ndarray:
        """SC forward of one input vector (f64 encoder, as the engine); caches ``x`` and ``y``."""
        xa = np.array(x, dtype=np.float64, ndmin=1)
        y = self._layer.forward(xa, seed=seed)
        self._x, self._y = xa[None, :], y[None, :]
        return y

    def forward_batch(self, xs: object, *, seed: int = 44257) -> np.ndarray:
        """SC forward of the rows of ``xs`` (:meth:`DenseLayer.forward_batch`); caches them."""
        xa = np.array(xs, dtype=np.float64, ndmin=2)
        y = self._layer.forward_batch(xa, seed=seed)
        self._x, self._y = xa, y
        return y

    def backward(self, grad_output: object) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(grad_input, grad_weights)`` for the cached forward.

        ``grad_output`` is ``(n_neurons,)`` after :meth:`forward` or ``(batch, n_neurons)`` after
        :meth:`forward_batch`; ``grad_input`` has the matching shape and ``grad_weights``
        (``(n_neurons, n_inputs)``) is summed over the batch.
        """
        if self._x is None:
            raise ValueError(
                "DifferentiableDenseLayer backward needs a cached forward input; "
                "call forward() first"
            )
        g = np.array(grad_output, dtype=np.float64)
        single = g.ndim == 1
        g2 = g[None, :] if single else g
        if g2.shape != self._y.shape or (single and self._y.shape[0] != 1):
            want = (self.n_neurons,) if self._y.shape[0] == 1 and single else self._y.shape
            raise ValueError(
                f"DifferentiableDenseLayer grad_output must have shape {want}, not {g.shape}"
            )
        grad_in = np.empty(self._x.shape)
        grad_w = np.zeros((self.n_neurons, self.n_inputs))
        code, k = (-1, np.float32(1)) if self._surrogate is None else self._surrogate.kernel_args()
        _dense_backward(
            code,
            k,
            self.threshold,
            self._y,
            np.ascontiguousarray(g2),
            self._x,
            self._layer._weights,
            grad_in,
            grad_w,
        )
        return (grad_in[0] if single else grad_in), grad_w

    def update_weights(self, grads: object, lr: float) -> None:
        """``w <- clip(w - lr * grads, 0, 1)``, then re-pack the weights."""
        g = np.asarray(grads, dtype=np.float64)
        if g.shape != (self.n_neurons, self.n_inputs):
            raise ValueError(
                f"DifferentiableDenseLayer grads must have shape ({self.n_neurons}, "
                f"{self.n_inputs}), not {g.shape}"
            )
        if not isinstance(lr, int | float | np.floating) or isinstance(lr, bool):
            raise TypeError(f"DifferentiableDenseLayer lr must be a number, not {lr!r}")
        self._layer.set_weights(np.clip(self._layer._weights - float(lr) * g, 0.0, 1.0))

    def clear_cache(self) -> None:
        """Forget the cached forward."""
        self._x = self._y = None
