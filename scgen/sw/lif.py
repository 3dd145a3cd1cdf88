"""Twin of :class:`scgen.hw.Lif`: the fixed-point LIF neuron of SEED_BEHAVIOUR §4."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import LifParams
from ._jit import inline, parallel_kernel, sequential_and_parallel
from ._ports import as_stimulus, bit_range, check_params, finish, signed_range

__all__ = ["LifTrace", "lif", "lif_step"]


class LifTrace(NamedTuple):
    """Per-cycle outputs of the LIF neuron: ``spike`` (uint8) and membrane ``v`` (int32)."""

    spike: np.ndarray
    v: np.ndarray


@inline
def _wrap(x, shift):
    """Reduce ``x`` to a signed (64 - shift)-bit integer: two's-complement wrap-around."""
    return (x << shift) >> shift


@inline
def lif_step(kernel_config, v, rc, leak_k, gain_k, I_t, noise_in):
    """Return ``(spike, v, rc)`` after one step from membrane ``v`` and refractory count ``rc``.

    ``kernel_config`` is :meth:`LifParams.kernel_config`. This is the only implementation of the
    neuron's arithmetic in software; every driver below calls it.
    """
    (
        blueprint,
        data_width,
        fraction,
        v_rest,
        v_reset,
        v_threshold,
        refractory_period,
        diff_width,
    ) = kernel_config
    if not blueprint and rc > 0:
        return 0, v_rest, rc - 1
    shift = 64 - data_width
    diff = v_rest - v
    if diff_width <= data_width:
        diff = _wrap(diff, 64 - diff_width)
    dv_leak = _wrap((diff * leak_k) >> fraction, shift)
    dv_in = _wrap((I_t * gain_k) >> fraction, shift)
    v_next = _wrap(v + dv_leak + dv_in + noise_in, shift)
    fired = v_next >= v_threshold
    if not blueprint:
        # selects, not a branch: the spikes of a driven neuron are irregular
        return (
            (1 if fired else 0),
            (v_reset if fired else v_next),
            (refractory_period if fired else rc),
        )
    # blueprint: the refractory override comes after the threshold, so it also hides the spike
    rc1 = refractory_period if fired else rc
    if rc1 > 0:
        return 0, v_rest, rc1 - 1
    return (1 if fired else 0), (v_reset if fired else v_next), rc1


def _lif_rows(kernel_config, en, leak_k, gain_k, I_t, noise_in, spike, v):
    for b in prange(en.shape[0]):
        vs = np.int64(kernel_config[3])
        rc = np.int64(0)
        for t in range(en.shape[1]):
            if en[b, t]:
                sp, vs, rc = lif_step(
                    kernel_config,
                    vs,
                    rc,
                    np.int64(leak_k[b, t]),
                    np.int64(gain_k[b, t]),
                    np.int64(I_t[b, t]),
                    np.int64(noise_in[b, t]),
                )
                spike[b, t] = sp
            else:
                spike[b, t] = 0
            v[b, t] = vs


def _lif_const_rows(kernel_config, leak_k, gain_k, I_t, noise_in, spike, v):
    """Constant inputs per neuron: the state (v, rc) then follows a fixed map, so its trajectory
    is eventually periodic. Find the period with Brent's algorithm, simulate to the end of the
    first period, then copy the periodic part: exact, and bounded by memory bandwidth."""
    n_steps = spike.shape[1]
    cfg = kernel_config
    for b in prange(spike.shape[0]):
        lk, gk = np.int64(leak_k[b]), np.int64(gain_k[b])
        it, nz = np.int64(I_t[b]), np.int64(noise_in[b])
        v0, rc0 = np.int64(cfg[3]), np.int64(0)
        # Brent: lam = period length; give up (and only simulate) past n_steps // 2 steps
        power, lam = 1, 1
        tv, trc = v0, rc0
        _, hv, hrc = lif_step(cfg, v0, rc0, lk, gk, it, nz)
        while (tv != hv or trc != hrc) and lam <= n_steps // 2:
            if power == lam:
                tv, trc = hv, hrc
                power *= 2
                lam = 0
            _, hv, hrc = lif_step(cfg, hv, hrc, lk, gk, it, nz)
            lam += 1
        direct, mu = n_steps, 0
        if tv == hv and trc == hrc:  # mu = first step of the cycle
            tv, trc, hv, hrc = v0, rc0, v0, rc0
            for _ in range(lam):
                _, hv, hrc = lif_step(cfg, hv, hrc, lk, gk, it, nz)
            while tv != hv or trc != hrc:
                _, tv, trc = lif_step(cfg, tv, trc, lk, gk, it, nz)
                _, hv, hrc = lif_step(cfg, hv, hrc, lk, gk, it, nz)
                mu += 1
            direct = min(n_steps, mu + lam)
        vs, rc = v0, rc0
        for t in range(direct):
            sp, vs, rc = lif_step(cfg, vs, rc, lk, gk, it, nz)
            spike[b, t] = sp
            v[b, t] = vs
        t = direct  # [mu, t) holds whole periods; doubling copies keep it so
        while t < n_steps:
            k = min(t - mu, n_steps - t)
            spike[b, t : t + k] = spike[b, mu : mu + k]
            v[b, t : t + k] = v[b, mu : mu + k]
            t += k


# The step-by-step driver is compiled twice: one neuron runs sequentially (waking the thread pool
# costs about 10 us), a batch runs its rows in parallel; prange is range in the sequential build.
# The constant-input driver stays parallel: its sequential build copies periods 4x slower.
_lif_kernel_1, _lif_kernel = sequential_and_parallel(_lif_rows)
_lif_const_kernel = parallel_kernel(_lif_const_rows)


def lif(
    params: LifParams,
    leak_k: object,
    gain_k: object,
    I_t: object,
    noise_in: object = 0,
    en: object = 1,
    *,
    cycles: int | None = None,
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> LifTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Lif`.

    Every input is a signed ``data_width``-bit integer per cycle (``en`` is 0/1), given as a
    scalar or as ``(cycles,)`` / ``(batch, cycles)``-shaped arrays that broadcast
    together; each batch row is an independent neuron starting from reset. On a cycle with
    ``en = 1`` the neuron takes one step and shows its result (``spike``, new ``v``) on that
    cycle; with ``en = 0`` it holds (``spike = 0``, ``v`` unchanged).

    ``out`` optionally gives the ``(spike, v)`` arrays to fill (any integer dtypes wide enough,
    shaped like the broadcast inputs); by default they are uint8 and int32.
    """
    check_params("LIF", LifParams, params)
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
    if out is None:
        spike, v = np.empty(shape, dtype=np.uint8), np.empty(shape, dtype=np.int32)
    else:
        spike, v = (o.reshape(shape) if one_d and o.shape == shape[1:] else o for o in out)
        if spike.shape != shape or v.shape != shape:
            raise ValueError(
                f"LIF out arrays must have shape {shape}, not {spike.shape} and {v.shape}"
            )
        w = params.data_width
        if v.dtype.kind != "i" or np.iinfo(v.dtype).bits < w:
            raise TypeError(
                f"LIF out v must be a signed integer array of at least {w} bits for data_width "
                f"{w}, not {v.dtype}"
            )
        if spike.dtype.kind not in "biu":
            raise TypeError(f"LIF out spike must be an integer array, not {spike.dtype}")
    cfg = params.kernel_config()
    if shape[1] > 64 and all(a.strides[1] == 0 for a in ins.values()) and ins["en"][:, 0].all():
        _lif_const_kernel(
            cfg,
            ins["leak_k"][:, 0],
            ins["gain_k"][:, 0],
            ins["I_t"][:, 0],
            ins["noise_in"][:, 0],
            spike,
            v,
        )
    else:
        run = _lif_kernel_1 if shape[0] == 1 else _lif_kernel
        run(cfg, ins["en"], ins["leak_k"], ins["gain_k"], ins["I_t"], ins["noise_in"], spike, v)
    return LifTrace(*finish(one_d, spike, v))
