"""Twin of :class:`scgen.hw.Lif`: the fixed-point LIF neuron of SEED_BEHAVIOUR §4."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import LifParams
from ._jit import inline, parallel_kernel
from ._ports import as_stimulus, bit_range, finish, signed_range

__all__ = ["LifTrace", "lif", "lif_step"]


class LifTrace(NamedTuple):
    """Per-cycle outputs of the LIF neuron: ``spike`` (uint8) and membrane ``v`` (int32)."""

    spike: np.ndarray
    v: np.ndarray


@inline
def _wrap(x, half, mask):
    return ((x + half) & mask) - half


@inline
def lif_step(blueprint, data_width, fraction, v_rest, v_reset, v_threshold, refractory_period,
             v, rc, leak_k, gain_k, I_t, noise_in):
    """Return ``(spike, v, rc)`` after one step from membrane ``v`` and refractory count ``rc``."""
    half = np.int64(1) << (data_width - 1)
    mask = (np.int64(1) << data_width) - 1
    if not blueprint and rc > 0:
        return 0, v_rest, rc - 1
    dv_leak = _wrap(((v_rest - v) * leak_k) >> fraction, half, mask)
    dv_in = _wrap((I_t * gain_k) >> fraction, half, mask)
    v_next = _wrap(v + dv_leak + dv_in + noise_in, half, mask)
    fired = v_next >= v_threshold
    if not blueprint:
        if fired:
            return 1, v_reset, np.int64(refractory_period)
        return 0, v_next, rc
    # blueprint: the refractory override comes after the threshold, so it also hides the spike
    rc1 = np.int64(refractory_period) if fired else rc
    if rc1 > 0:
        return 0, v_rest, rc1 - 1
    return (1 if fired else 0), (v_reset if fired else v_next), rc1


@parallel_kernel
def _lif_kernel(blueprint, data_width, fraction, v_rest, v_reset, v_threshold,
                refractory_period, en, leak_k, gain_k, I_t, noise_in, spike, v):
    for b in prange(en.shape[0]):
        vs = np.int64(v_rest)
        rc = np.int64(0)
        for t in range(en.shape[1]):
            if en[b, t]:
                sp, vs, rc = lif_step(
                    blueprint, data_width, fraction, v_rest, v_reset, v_threshold,
                    refractory_period, vs, rc, np.int64(leak_k[b, t]), np.int64(gain_k[b, t]),
                    np.int64(I_t[b, t]), np.int64(noise_in[b, t]),
                )
                spike[b, t] = sp
            else:
                spike[b, t] = 0
            v[b, t] = vs


def lif(
    params: LifParams,
    leak_k: object,
    gain_k: object,
    I_t: object,
    noise_in: object = 0,
    en: object = 1,
    *,
    cycles: int | None = None,
) -> LifTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Lif`.

    Every input is a signed ``data_width``-bit integer per cycle (``en`` is 0/1), given as a
    scalar or as ``(cycles,)`` / ``(batch, cycles)``-shaped arrays that broadcast
    together; each batch row is an independent neuron starting from reset. On a cycle with
    ``en = 1`` the neuron takes one step and shows its result (``spike``, new ``v``) on that
    cycle; with ``en = 0`` it holds (``spike = 0``, ``v`` unchanged).
    """
    if not isinstance(params, LifParams):
        raise TypeError(f"LIF parameters must be an instance of LifParams, not {params!r}")
    rng = signed_range(params.data_width)
    ins, one_d = as_stimulus(
        "LIF",
        {
            "en": (en, bit_range(), np.uint8),
            "leak_k": (leak_k, rng, None),
            "gain_k": (gain_k, rng, None),
            "I_t": (I_t, rng, None),
            "noise_in": (noise_in, rng, None),
        },
        cycles=cycles,
    )
    shape = ins["en"].shape
    spike = np.empty(shape, dtype=np.uint8)
    v = np.empty(shape, dtype=np.int32)
    p = params
    _lif_kernel(p.blueprint(), p.data_width, p.fraction, p.v_rest, p.v_reset, p.v_threshold,
                p.refractory_period, ins["en"], ins["leak_k"], ins["gain_k"], ins["I_t"],
                ins["noise_in"], spike, v)
    return LifTrace(*finish(one_d, spike, v))
