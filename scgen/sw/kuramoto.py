"""Twin of :class:`scgen.hw.Kuramoto`: the time-multiplexed fixed-point oscillator network."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import KuramotoParams
from ._jit import inline, kernel
from ._ports import as_stimulus, bit_range, check_params, finish
from .lfsr import lfsr_next

__all__ = ["KuramotoTrace", "kuramoto", "kuramoto_phases"]


class KuramotoTrace(NamedTuple):
    """Per-cycle outputs of the network: ``phase`` of oscillator ``sel`` (uint32) and the
    ``done`` strobe of a finished Euler step (uint8)."""

    phase: np.ndarray
    done: np.ndarray


@inline
def _cycle(kernel_config, sine_table, omega, coupling, theta, nxt, st):
    """Advance one enabled clock edge. ``st`` holds the registers ``[n, m, acc, lfsr]``;
    ``theta`` the phases, ``nxt`` the new phases of the rows finished in this step. Returns
    True when the edge commits a step. The only software copy of the datapath."""
    phase_bits, lut_bits, fraction, noise_bits = (
        kernel_config[0],
        kernel_config[1],
        kernel_config[2],
        kernel_config[3],
    )
    n_osc = theta.shape[0]
    mask = (np.int64(1) << phase_bits) - 1
    n, m = st[0], st[1]
    diff = (theta[m] - theta[n]) & mask
    shift = phase_bits - lut_bits
    if shift > 0:
        addr = ((diff + (np.int64(1) << (shift - 1))) >> shift) & ((np.int64(1) << lut_bits) - 1)
    else:
        addr = diff
    total = (st[2] if m != 0 else 0) + coupling[n, m] * sine_table[addr]
    committed = False
    if m == n_osc - 1:
        half = (np.int64(1) << (fraction - 1)) if fraction > 0 else 0
        inc = (total + half) >> fraction
        noise = 0
        if noise_bits > 0:
            noise = 2 * (st[3] & ((np.int64(1) << noise_bits) - 1)) - (
                (np.int64(1) << noise_bits) - 1
            )
        new = (theta[n] + omega[n] + inc + noise) & mask
        if n == n_osc - 1:
            for k in range(n_osc - 1):
                theta[k] = nxt[k]
            theta[n] = new
            st[0] = 0
            committed = True
        else:
            nxt[n] = new
            st[0] = n + 1
        st[1] = 0
    else:
        st[1] = m + 1
    st[2] = total
    if noise_bits > 0:
        st[3] = lfsr_next(st[3], kernel_config[4], kernel_config[5], kernel_config[6])
    return committed


def _start(params: KuramotoParams):
    theta = np.array(params.initial_phases(), dtype=np.int64)
    st = np.array([0, 0, 0, params.noise.seed], dtype=np.int64)
    return (
        np.array(params.sine_table(), dtype=np.int64),
        np.array(params.omega, dtype=np.int64),
        np.array(params.coupling, dtype=np.int64).reshape(params.n, params.n),
        theta,
        np.zeros(params.n, dtype=np.int64),
        st,
    )


@kernel
def _kuramoto_kernel(
    kernel_config, sine_table, omega, coupling, initial_phases, en, sel, phase, done
):
    n_osc = omega.shape[0]
    for b in range(en.shape[0]):
        theta = initial_phases.copy()
        nxt = np.zeros(n_osc, dtype=np.int64)
        st = np.array([0, 0, 0, kernel_config[7]], dtype=np.int64)
        for t in range(en.shape[1]):
            phase[b, t] = theta[sel[b, t]]  # comb: the phase register selected this cycle
            done[b, t] = 1 if en[b, t] and st[0] == n_osc - 1 and st[1] == n_osc - 1 else 0
            if en[b, t]:
                _cycle(kernel_config, sine_table, omega, coupling, theta, nxt, st)


@kernel
def _steps(kernel_config, sine_table, omega, coupling, theta, nxt, st, out):
    """Run enabled cycles until ``out.shape[0]`` steps have committed; row k of ``out`` gets the
    phases after step k + 1."""
    k = 0
    while k < out.shape[0]:
        if _cycle(kernel_config, sine_table, omega, coupling, theta, nxt, st):
            out[k] = theta
            k += 1


def kuramoto(
    params: KuramotoParams, en: object = 1, sel: object = 0, *, cycles: int | None = None
) -> KuramotoTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Kuramoto`.

    ``en`` (0/1) and ``sel`` (an oscillator index below N) are given per cycle as scalars or
    ``(cycles,)`` / ``(batch, cycles)`` arrays; each batch row is a network starting from reset.
    ``phase[t]`` is the phase of oscillator ``sel[t]`` during cycle t; ``done[t]`` is 1 when
    the clock edge ending cycle t commits an Euler step (every N**2 enabled cycles).
    """
    check_params("Kuramoto", KuramotoParams, params)
    ins, one_d = as_stimulus(
        "Kuramoto",
        {"en": (en, bit_range(), np.uint8), "sel": (sel, (0, params.n - 1), np.int64)},
        cycles=cycles,
    )
    shape = ins["en"].shape
    phase, done = np.empty(shape, dtype=np.uint32), np.empty(shape, dtype=np.uint8)
    table, omega, coupling, theta, _, _ = _start(params)
    _kuramoto_kernel(
        params.kernel_config(), table, omega, coupling, theta, ins["en"], ins["sel"], phase, done
    )
    return KuramotoTrace(*finish(one_d, phase, done))


def kuramoto_phases(params: KuramotoParams, steps: int) -> np.ndarray:
    """Return the phases (phase units) after each of ``steps`` Euler steps with ``en`` held
    high: shape ``(steps + 1, N)``, row 0 the phases after reset. The same datapath as
    :func:`kuramoto`, without the per-cycle outputs (``N**2`` cycles per step)."""
    check_params("Kuramoto", KuramotoParams, params)
    if not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"Kuramoto steps must be a non-negative integer, not {steps!r}")
    table, omega, coupling, theta, nxt, st = _start(params)
    out = np.empty((int(steps) + 1, params.n), dtype=np.int64)
    out[0] = theta
    _steps(params.kernel_config(), table, omega, coupling, theta, nxt, st, out[1:])
    return out
