"""Bit-exact Numba twin of :class:`scgen.snn.SnnNetwork`: per time step, and per cycle."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params.snn import SnnParams
from ._jit import inline, kernel, parallel_kernel
from .lfsr import lfsr_next

__all__ = ["SnnTrace", "snn", "snn_steps"]


class SnnTrace(NamedTuple):
    """Per-cycle outputs of the network: ``busy``, ``done`` and the last layer's ``s_out``."""

    busy: np.ndarray
    done: np.ndarray
    s_out: np.ndarray


@inline
def _sat(x, width):
    hi = (1 << (width - 1)) - 1
    lo = -(1 << (width - 1))
    return hi if x > hi else (lo if x < lo else x)


@inline
def _layer_step(cfg, weights, neurons, s_in, v, s_out, first, peak, rng):
    """One time step of one layer: reads spikes ``s_in``, updates ``v``, writes ``s_out``.

    ``peak[0]`` keeps the largest |u| before saturation (the quantisation report's figure).
    ``rng[0]`` is the layer's LFSR state for stochastic synapses (``cfg[10:]``, see
    :meth:`SnnLayerParams.synapse_config`): the step draws ``n_in * L`` states from it (from
    ``seed`` when ``first``), the same ones for every neuron, and leaves the last one there.
    """
    n_in, n_out, w_off, n_off = cfg[0], cfg[1], cfg[2], cfg[3]
    mode, shift, beta, reset, v_reset, width = cfg[4], cfg[5], cfg[6], cfg[7], cfg[8], cfg[9]
    stochastic, length, sc_shift = cfg[10], cfg[11], cfg[17]
    draws = np.empty(n_in * length if stochastic else 0, dtype=np.int64)
    if stochastic:
        state = cfg[12] if first else rng[0]
        for c in range(n_in * length):
            for _ in range(cfg[18]):
                state = lfsr_next(state, cfg[13], cfg[14], cfg[15])
            draws[c] = state >> cfg[16]
        rng[0] = state
    for j in range(n_out):
        v0 = 0 if first else v[j]
        if mode == 1:
            leaked = v0 - (v0 >> shift)
        elif mode == 2:
            leaked = (v0 * beta) >> shift
        else:
            leaked = v0
        acc = 0
        row = w_off + j * n_in
        for i in range(n_in):
            if s_in[i]:
                w = weights[row + i]
                if stochastic == 0:
                    acc += w
                else:
                    mag = w if w >= 0 else -w
                    count = 0
                    for c in range(i * length, (i + 1) * length):
                        if draws[c] < mag:
                            count += 1
                    acc += (count << sc_shift) if w >= 0 else -(count << sc_shift)
        u = leaked + neurons[n_off + j] + acc
        if abs(u) > peak[0]:
            peak[0] = abs(u)
        u = _sat(u, width)
        thr = neurons[n_off + n_out + j]
        if u > thr:
            s_out[j] = 1
            v[j] = v_reset if reset == 0 else _sat(u - thr, width)
        else:
            s_out[j] = 0
            v[j] = u


@parallel_kernel
def _snn_steps_kernel(config, weights, neurons, spikes, out, peak):
    """``spikes`` (T, B, n_in) -> every layer's spikes ``out`` (T, B, sum n_out) per sample."""
    steps, batch = spikes.shape[0], spikes.shape[1]
    layers = config.shape[0]
    total = out.shape[2]
    for b in prange(batch):
        rng = np.zeros(layers, dtype=np.int64)  # set from the seeds on the first step
        v = np.zeros(total, dtype=np.int64)
        for t in range(steps):
            base = 0
            for k in range(layers):
                n_out = config[k, 1]
                if k == 0:
                    s_in = spikes[t, b]
                else:
                    s_in = out[t, b, base - config[k - 1, 1] : base]
                _layer_step(
                    config[k], weights, neurons, s_in, v[base : base + n_out],
                    out[t, b, base : base + n_out], t == 0, peak[b, k : k + 1], rng[k : k + 1],
                )  # fmt: skip
                base += n_out


def snn_steps(
    params: SnnParams, spikes: np.ndarray, *, stream_length: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``spikes`` ``(T, batch, n_in)`` (0/1), every sample from the reset state.

    Returns every layer's spikes ``(T, batch, sum of n_out)`` as uint8 (layers side by side) and
    the largest |membrane sum before saturation| ``(batch, layers)``. Each layer's synapses are
    exact or stochastic as its params say (see :mod:`scgen.params.snn`); every sample starts
    its LFSRs from the layers' seeds, as the hardware does on a ``first`` step.

    ``stream_length`` = L > 0 makes every layer stochastic with streams of L (a shorthand for
    setting ``synapse="stochastic", stream_length=L`` on each layer).
    """
    spikes = np.asarray(spikes)
    if spikes.ndim != 3 or spikes.shape[2] != params.n_in:
        raise ValueError(
            f"SNN input spikes must have shape (T, batch, {params.n_in}), not {spikes.shape!r}"
        )
    bad = spikes[(spikes != 0) & (spikes != 1)]
    if bad.size:
        raise ValueError(f"SNN input spikes must be 0 or 1, not {bad.flat[0].item()!r}")
    if stream_length:
        params = params.with_synapse("stochastic", stream_length)
    config, weights, neurons = params.kernel_arrays()
    batch = spikes.shape[1]
    total = sum(la.n_out for la in params.layers)
    out = np.zeros((spikes.shape[0], batch, total), dtype=np.uint8)
    peak = np.zeros((batch, len(params.layers)), dtype=np.int64)
    _snn_steps_kernel(
        config, weights, neurons, np.ascontiguousarray(spikes, dtype=np.uint8), out, peak
    )
    return out, peak


@kernel
def _snn_kernel(
    layer_config, weight_values, neuron_values, step_cycles, start, first, s_in, busy, done, s_out
):
    config, weights, neurons, work = layer_config, weight_values, neuron_values, step_cycles
    layers = config.shape[0]
    total = 0
    for k in range(layers):
        total += config[k, 1]
    n_last = config[layers - 1, 1]
    v = np.zeros(total, dtype=np.int64)
    spk = np.zeros(total, dtype=np.uint8)
    peak = np.zeros(1, dtype=np.int64)
    rng = config[:, 12].copy()  # every layer's LFSR starts at its seed after reset
    result = np.zeros(n_last, dtype=np.int64)
    held = np.zeros(n_last, dtype=np.int64)
    is_busy, count, is_done = False, 0, False
    for t in range(start.shape[0]):
        # comb: what the hardware shows this cycle
        busy[t] = 1 if is_busy else 0
        done[t] = 1 if is_done else 0
        word = 0
        for j in range(n_last):
            word |= held[j] << j
        s_out[t] = word
        # sync
        is_done = False
        if is_busy:
            count -= 1
            if count == 0:
                is_busy, is_done = False, True
                held[:] = result
        elif start[t]:
            base = 0
            for k in range(layers):
                n_out = config[k, 1]
                if k == 0:
                    vin = s_in[t]
                else:
                    vin = spk[base - config[k - 1, 1] : base]
                _layer_step(
                    config[k], weights, neurons, vin, v[base : base + n_out],
                    spk[base : base + n_out], first[t] != 0, peak, rng[k : k + 1],
                )  # fmt: skip
                base += n_out
            result[:] = spk[total - n_last :]
            is_busy, count = True, work


def snn(params: SnnParams, start, first, s_in) -> SnnTrace:
    """Bit-exact, cycle-exact twin of :class:`scgen.snn.SnnNetwork`.

    ``start``/``first`` are 0/1 per cycle, ``s_in`` the input spike word per cycle (bit ``i`` =
    input ``i``). Returns ``busy``, ``done`` (int64) and ``s_out`` (int64, or Python ints in an
    object array when the last layer has more than 63 neurons).
    """
    start = np.asarray(start, dtype=np.int64)
    first = np.asarray(first, dtype=np.int64)
    words = np.asarray(s_in)
    cycles = start.shape[0]
    for name, a in (("first", first), ("s_in", words)):
        if a.shape != (cycles,):
            raise ValueError(f"SNN twin input {name} must have shape ({cycles},), not {a.shape!r}")
    if words.dtype.kind in "iu" and params.n_in <= 63:
        shifts = np.arange(params.n_in, dtype=np.int64)
        bits = ((words.astype(np.int64)[:, None] >> shifts) & 1).astype(np.uint8)
    else:
        bits = np.zeros((cycles, params.n_in), dtype=np.uint8)
        for i in range(params.n_in):
            bits[:, i] = [(int(x) >> i) & 1 for x in words]
    config, weights, neurons = params.kernel_arrays()
    busy = np.zeros(cycles, dtype=np.int64)
    done = np.zeros(cycles, dtype=np.int64)
    if params.n_out <= 63:
        s_out = np.zeros(cycles, dtype=np.int64)
        _snn_kernel(
            config, weights, neurons, params.step_cycles(), start, first, bits, busy, done, s_out
        )
    else:
        raise ValueError(f"SNN twin last layer must have at most 63 neurons, not {params.n_out!r}")
    return SnnTrace(busy, done, s_out)
