"""The engine's LIF API: ``FixedPointLif`` and ``batch_lif_run*``, on scgen's single LIF twin.

sc-neurocore-engine 3.15.7 uses the hardware ordering (refractory checked first) and keeps the
membrane in an i16, so ``v_rest - v`` wraps at 16 bits: that is ``LifParams(diff_bits=16)``.

Divergences (documented, deliberate): the engine accepts parameter sets that describe no real
neuron register and computes something anyway — ``fraction >= data_width``, a negative
refractory period, ``data_width = 1``, or ``v_rest``/``v_reset``/``v_threshold`` outside the
``data_width``-bit range (e.g. the default threshold 256 with ``data_width = 8``). scgen raises
the ``ValueError`` of :class:`scgen.params.LifParams` for those. Where the engine panics
(``data_width`` 0 or above 16) scgen raises ``ValueError`` with the engine's panic text instead of
a ``PanicException``, which would escape ``except Exception``.
"""

from __future__ import annotations

import functools

import numpy as np

from ..params import LifParams
from ..sw._jit import kernel
from ..sw.lif import lif, lif_drive, lif_step
from ._args import as_contiguous, int_arg, ndarray_arg

__all__ = ["FixedPointLif", "batch_lif_run", "batch_lif_run_multi", "batch_lif_run_varying"]


def _params(data_width, fraction, v_rest, v_reset, v_threshold, refractory_period) -> LifParams:
    dw = int_arg("data_width", data_width, "u32")
    fr = int_arg("fraction", fraction, "u32")
    vr = int_arg("v_rest", v_rest, "i16")
    vs = int_arg("v_reset", v_reset, "i16")
    vt = int_arg("v_threshold", v_threshold, "i16")
    rp = int_arg("refractory_period", refractory_period, "i32")
    if dw == 0 or dw > 16:
        raise ValueError(f"mask width must be 1..=32, got {2 * dw}")
    return _lif_params(dw, fr, vr, vs, vt, rp)


@functools.lru_cache(maxsize=64)
def _lif_params(dw: int, fr: int, vr: int, vs: int, vt: int, rp: int) -> LifParams:
    # checked once per parameter set: a batch call then costs microseconds, not tens of them
    return LifParams(
        data_width=dw,
        fraction=fr,
        v_rest=vr,
        v_reset=vs,
        v_threshold=vt,
        refractory_period=rp,
        diff_bits=16,
    )


def _inputs(**values: object) -> list[int]:
    return [int_arg(name, v, "i16") for name, v in values.items()]


def _outputs(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    return np.empty(shape, dtype=np.int32), np.empty(shape, dtype=np.int16)


def batch_lif_run(
    n_steps,
    leak_k,
    gain_k,
    i_t,
    noise_in=0,
    data_width=16,
    fraction=8,
    v_rest=0,
    v_reset=0,
    v_threshold=256,
    refractory_period=2,
):
    """Run one fresh neuron for ``n_steps`` steps of constant input.

    Returns ``(spikes int32[n_steps], voltages int16[n_steps])``.
    """
    n = int_arg("n_steps", n_steps, "u64")
    leak, gain, cur, noise = _inputs(leak_k=leak_k, gain_k=gain_k, i_t=i_t, noise_in=noise_in)
    p = _params(data_width, fraction, v_rest, v_reset, v_threshold, refractory_period)
    out = _outputs((n,))
    if n:
        lif(p, leak, gain, cur, noise, cycles=n, out=out)
    return out


def batch_lif_run_multi(
    n_neurons,
    n_steps,
    leak_k,
    gain_k,
    currents,
    data_width=16,
    fraction=8,
    v_rest=0,
    v_reset=0,
    v_threshold=256,
    refractory_period=2,
):
    """Run ``n_neurons`` fresh neurons; neuron ``k`` gets the constant current ``currents[k]``.

    ``currents`` must be a contiguous int16 array. Returns int32 and int16 arrays shaped
    ``(n_neurons, n_steps)``.
    """
    nn = int_arg("n_neurons", n_neurons, "u64")
    ns = int_arg("n_steps", n_steps, "u64")
    leak, gain = _inputs(leak_k=leak_k, gain_k=gain_k)
    cur = as_contiguous("currents", ndarray_arg("currents", currents, np.int16, 1))
    p = _params(data_width, fraction, v_rest, v_reset, v_threshold, refractory_period)
    if cur.shape[0] != nn:
        raise ValueError(f"currents length {cur.shape[0]} does not match n_neurons {nn}.")
    out = _outputs((nn, ns))
    if nn and ns:
        lif(p, leak, gain, cur[:, None], 0, cycles=ns, out=out)
    return out


def batch_lif_run_varying(
    leak_k,
    gain_k,
    currents,
    noises=None,
    data_width=16,
    fraction=8,
    v_rest=0,
    v_reset=0,
    v_threshold=256,
    refractory_period=2,
):
    """Run one fresh neuron with a per-step current (and optional per-step noise), int16 arrays.

    Returns ``(spikes int32[T], voltages int16[T])``.
    """
    leak, gain = _inputs(leak_k=leak_k, gain_k=gain_k)
    cur = as_contiguous("currents", ndarray_arg("currents", currents, np.int16, 1))
    if noises is not None:
        noises = as_contiguous("noises", ndarray_arg("noises", noises, np.int16, 1))
    p = _params(data_width, fraction, v_rest, v_reset, v_threshold, refractory_period)
    if noises is not None and noises.shape[0] != cur.shape[0]:
        raise ValueError(
            f"noises length {noises.shape[0]} does not match currents length {cur.shape[0]}."
        )
    out = _outputs(cur.shape)
    if cur.shape[0]:
        lif_drive(p, leak, gain, cur, noises, out)
    return out


@kernel
def _one_step(cfg, v, rc, leak, gain, i_t, noise):
    return lif_step(cfg, v, rc, leak, gain, i_t, noise)


class FixedPointLif:
    """One LIF neuron stepped from Python, as the engine's ``FixedPointLif``."""

    def __init__(
        self, data_width=16, fraction=8, v_rest=0, v_reset=0, v_threshold=256, refractory_period=2
    ):
        self._params = _params(
            data_width, fraction, v_rest, v_reset, v_threshold, refractory_period
        )
        self._cfg = self._params.kernel_config()
        self.reset()

    def step(self, leak_k, gain_k, i_t, noise_in=0):
        """Take one step; return ``(spike, v)``."""
        leak, gain, cur, noise = _inputs(leak_k=leak_k, gain_k=gain_k, i_t=i_t, noise_in=noise_in)
        spike, self._v, self._rc = _one_step(self._cfg, self._v, self._rc, leak, gain, cur, noise)
        return int(spike), int(self._v)

    def reset(self):
        """Return to rest: ``v = v_rest``, refractory counter 0."""
        self._v, self._rc = self._params.v_rest, 0

    def reset_state(self):
        """Same as :meth:`reset`."""
        self.reset()

    def get_state(self):
        """Return ``{"v": int, "refractory_counter": int}``."""
        return {"v": int(self._v), "refractory_counter": int(self._rc)}
