"""Twin of :class:`scgen.hw.Lif`: the fixed-point LIF neuron of SEED_BEHAVIOUR §4."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import LifParams
from ._jit import inline, kernel, parallel_kernel, sequential_and_parallel
from ._ports import as_stimulus, bit_range, check_params, finish, signed_range

__all__ = ["LifTrace", "lif", "lif_drive", "lif_step"]


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
    shift = 64 - data_width
    diff = v_rest - v
    if diff_width <= data_width:
        diff = _wrap(diff, 64 - diff_width)
    # the leak and input terms wrap like the sum; wrapping once at the end is the same number
    # (wrap(a + wrap(b)) == wrap(a + b)) and keeps the chain from v to v_next short
    dv_leak = (diff * leak_k) >> fraction
    dv_in = (I_t * gain_k) >> fraction
    v_next = _wrap(dv_leak + (v + (dv_in + noise_in)), shift)
    if not blueprint:
        # refractory first; the step is computed anyway and chosen by selects, not branches:
        # the spikes of a driven neuron are irregular, and a mispredicted branch costs more
        # than the whole step
        refractory = rc > 0
        fired = not refractory and v_next >= v_threshold
        return (
            (1 if fired else 0),
            (v_rest if refractory else (v_reset if fired else v_next)),
            (rc - 1 if refractory else (refractory_period if fired else rc)),
        )
    fired = v_next >= v_threshold
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


def _lif_drive_rows(kernel_config, leak_k, gain_k, I_t, noise_in, spike, v):
    """One neuron, constant leak and gain, a current and a noise per step (the noise may be a
    zero-stride view of one 0): no enable test or per-step parameter loads, so the loop is the
    step's dependency chain alone."""
    vs = np.int64(kernel_config[3])
    rc = np.int64(0)
    for t in range(I_t.shape[0]):
        sp, vs, rc = lif_step(
            kernel_config, vs, rc, leak_k, gain_k, np.int64(I_t[t]), np.int64(noise_in[t])
        )
        spike[t] = sp
        v[t] = vs


def _lif_drive_q88_rows(kernel_config, leak_k, gain_k, I_t, noise_in, spike, v):
    """:func:`_lif_drive_rows` for the engine's Q8.8 neuron with a 16-bit ``v_rest - v``: the
    widths are constants the compiler folds (wraps become sign extensions), 1.5x faster."""
    c = kernel_config
    q88 = (c[0], 16, 8, c[3], c[4], c[5], c[6], 16)
    vs = np.int64(c[3])
    rc = np.int64(0)
    for t in range(I_t.shape[0]):
        sp, vs, rc = lif_step(q88, vs, rc, leak_k, gain_k, np.int64(I_t[t]), np.int64(noise_in[t]))
        spike[t] = sp
        v[t] = vs


# The step-by-step driver is compiled twice: one neuron runs sequentially (waking the thread pool
# costs about 10 us), a batch runs its rows in parallel; prange is range in the sequential build.
# The constant-input driver stays parallel: its sequential build copies periods 4x slower.
_lif_kernel_1, _lif_kernel = sequential_and_parallel(_lif_rows)
_lif_const_kernel = parallel_kernel(_lif_const_rows)
_lif_drive_kernel = kernel(_lif_drive_rows)
_lif_drive_q88_kernel = kernel(_lif_drive_q88_rows)


def _fits(owner: str, name: str, a: np.ndarray, lo: int, hi: int) -> None:
    """Refuse values outside ``[lo, hi]``; an integer dtype inside that range needs no scan."""
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{owner} input {name!r} must hold integers, not {a.dtype} values")
    info = np.iinfo(a.dtype)
    if a.size and (info.min < lo or info.max > hi):
        amin, amax = int(a.min()), int(a.max())
        if amin < lo or amax > hi:
            bad = amin if amin < lo else amax
            raise ValueError(f"{owner} input {name!r} must be between {lo} and {hi}, not {bad}")


def lif_drive(
    params: LifParams,
    leak_k: int,
    gain_k: int,
    I_t: np.ndarray,
    noise_in: np.ndarray | None,
    out: tuple[np.ndarray, np.ndarray],
) -> None:
    """Run one neuron from reset with constant ``leak_k``/``gain_k`` and a current per step.

    The same neuron as :func:`lif` with ``en = 1`` on every cycle, for the common case of a
    1-D current (and optional noise) array; it fills ``out = (spike, v)`` (1-D, one entry per
    step) without :func:`lif`'s broadcasting.
    """
    check_params("LIF", LifParams, params)
    lo, hi = signed_range(params.data_width)
    for name, value in (("leak_k", leak_k), ("gain_k", gain_k)):
        if not lo <= value <= hi:
            raise ValueError(f"LIF input {name!r} must be between {lo} and {hi}, not {value}")
    _fits("LIF", "I_t", I_t, lo, hi)
    steps = I_t.shape[0]
    if noise_in is not None:
        _fits("LIF", "noise_in", noise_in, lo, hi)
        if noise_in.shape != I_t.shape:
            raise ValueError(
                f"LIF noise_in must have the shape of I_t {I_t.shape}, not {noise_in.shape}"
            )
    spike, v = out
    if spike.shape != (steps,) or v.shape != (steps,):
        raise ValueError(
            f"LIF out arrays must have shape {(steps,)}, not {spike.shape} and {v.shape}"
        )
    if noise_in is None:
        noise_in = np.broadcast_to(np.zeros(1, dtype=I_t.dtype), I_t.shape)
    cfg = params.kernel_config()
    q88 = cfg[1] == 16 and cfg[2] == 8 and cfg[7] == 16
    run = _lif_drive_q88_kernel if q88 else _lif_drive_kernel
    run(cfg, leak_k, gain_k, I_t, noise_in, spike, v)


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
