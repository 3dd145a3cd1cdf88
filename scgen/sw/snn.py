"""Bit-exact Numba twin of :class:`scgen.snn.SnnNetwork`: per time step, and per cycle."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params.snn import SnnParams
from ._jit import inline, kernel, parallel_kernel
from .lfsr import lfsr_next

__all__ = [
    "SnnTrace",
    "pack_membranes",
    "snn",
    "snn_steps",
    "unpack_membranes",
]


class SnnTrace(NamedTuple):
    """Per-cycle outputs of the network: ``busy``, ``done``, the last layer's ``s_out`` and its
    membranes ``v_out`` (neuron ``j`` in bits ``j * membrane_width`` upwards)."""

    busy: np.ndarray
    done: np.ndarray
    s_out: np.ndarray
    v_out: np.ndarray


@inline
def _leak(x, mode, shift, beta):
    if mode == 1:
        return x - (x >> shift)
    if mode == 2:
        return (x * beta) >> shift
    return x


@inline
def _sat(x, width):
    hi = (1 << (width - 1)) - 1
    lo = -(1 << (width - 1))
    return hi if x > hi else (lo if x < lo else x)


@inline
def _draw_space(config):
    """Scratch length for the largest layer's stochastic draws (``n_in * L``)."""
    most = 0
    for k in range(config.shape[0]):
        if config[k, 15] and config[k, 0] * config[k, 16] > most:
            most = config[k, 0] * config[k, 16]
    return most


@inline
def _layer_step(cfg, weights, neurons, s_in, v, s_out, first, peak, rng, cur, draws):
    """One time step of one layer: reads spikes ``s_in``, updates ``v`` (and the currents
    ``cur``), writes ``s_out`` (0 for a non-spiking layer). ``cfg`` is the layer's row of
    :meth:`SnnParams.kernel_arrays` (the column layout is documented there).

    ``peak[0]`` keeps the largest |u| (and |current|) before saturation (the quantisation
    report's figure). ``rng[0]`` is the layer's LFSR state for stochastic synapses
    (``cfg[15:24]``, see :meth:`SnnLayerParams.synapse_config`): the step draws ``n_in * L``
    states from it (from ``seed`` when ``first``), the same ones for every neuron, and leaves
    the last one there; ``draws`` is the caller's scratch for them (:func:`_draw_space`).
    """
    n_in, n_out, w_off, n_off = cfg[0], cfg[1], cfg[2], cfg[3]
    mode, shift, beta, reset, v_reset, width = cfg[4], cfg[5], cfg[6], cfg[7], cfg[8], cfg[9]
    has_current, spiking = cfg[10], cfg[14]
    stochastic, length, sc_shift = cfg[15], cfg[16], cfg[22]
    if stochastic:
        state = cfg[17] if first else rng[0]
        for c in range(n_in * length):
            for _ in range(cfg[23]):  # draw steps
                state = lfsr_next(state, cfg[18], cfg[19], cfg[20])  # galois, width, taps
            draws[c] = state >> cfg[21]  # compare shift
        rng[0] = state
    beta_at, alpha_at, reset_at = cfg[24], cfg[25], cfg[26]  # per-neuron values, or -1
    for j in range(n_out):
        v0 = 0 if first else v[j]
        leaked = _leak(v0, mode, shift, beta if beta_at < 0 else neurons[beta_at + j])
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
        if has_current:  # synaptic current: the bias and the sum reach the membrane through it
            c0 = 0 if first else cur[j]
            alpha = cfg[13] if alpha_at < 0 else neurons[alpha_at + j]
            c = _leak(c0, cfg[11], cfg[12], alpha) + neurons[n_off + j] + acc
            if abs(c) > peak[0]:
                peak[0] = abs(c)
            cur[j] = _sat(c, width)
            u = leaked + cur[j]
        else:
            u = leaked + neurons[n_off + j] + acc
        if abs(u) > peak[0]:
            peak[0] = abs(u)
        u = _sat(u, width)
        thr = neurons[n_off + n_out + j]
        if spiking == 0:  # LI: no threshold, no reset
            s_out[j] = 0
            v[j] = u
        elif u > thr:
            s_out[j] = 1
            if reset == 0:
                v[j] = v_reset if reset_at < 0 else neurons[reset_at + j]
            else:
                v[j] = _sat(u - thr, width)
        else:
            s_out[j] = 0
            v[j] = u


@parallel_kernel
def _snn_steps_kernel(config, weights, neurons, spikes, out, peak, v_last):
    """``spikes`` (T, B, n_in) -> every layer's spikes ``out`` (T, B, sum n_out) per sample,
    and the last layer's membranes ``v_last`` (T, B, n_out of the last layer)."""
    steps, batch = spikes.shape[0], spikes.shape[1]
    layers = config.shape[0]
    total = out.shape[2]
    space = _draw_space(config)
    for b in prange(batch):
        rng = np.zeros(layers, dtype=np.int64)  # set from the seeds on the first step
        v = np.zeros(total, dtype=np.int64)
        cur = np.zeros(total, dtype=np.int64)
        draws = np.empty(space, dtype=np.int64)
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
                    cur[base : base + n_out], draws,
                )  # fmt: skip
                base += n_out
            v_last[t, b] = v[total - v_last.shape[2] :]


def snn_steps(
    params: SnnParams, spikes: np.ndarray, *, stream_length: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``spikes`` ``(T, batch, n_in)`` (0/1), every sample from the reset state.

    Returns every layer's spikes ``(T, batch, sum of n_out)`` as uint8 (layers side by side) and
    the largest |membrane sum before saturation| ``(batch, layers)``. Each layer's synapses are
    exact or stochastic as its params say (see :mod:`scgen.params.snn`); every sample starts
    its LFSRs from the layers' seeds, as the hardware does on a ``first`` step. When the last
    layer is LI (``params.readout``) the array is int64 and that layer's columns hold its
    membranes after each step instead of spikes.

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
    v_last = np.zeros((spikes.shape[0], batch, params.n_out), dtype=np.int64)
    _snn_steps_kernel(
        config, weights, neurons, np.ascontiguousarray(spikes, dtype=np.uint8), out, peak,
        v_last,
    )  # fmt: skip
    if params.readout:
        out = out.astype(np.int64)
        out[:, :, total - params.n_out :] = v_last
    return out, peak


@kernel
def _snn_kernel(
    layer_config, weight_values, neuron_values, step_cycles, start, first, s_in, busy, done, s_out,
    v_out,
):  # fmt: skip
    config, weights, neurons, work = layer_config, weight_values, neuron_values, step_cycles
    layers = config.shape[0]
    total = 0
    for k in range(layers):
        total += config[k, 1]
    n_last = config[layers - 1, 1]
    v = np.zeros(total, dtype=np.int64)
    cur = np.zeros(total, dtype=np.int64)
    draws = np.empty(_draw_space(config), dtype=np.int64)
    spk = np.zeros(total, dtype=np.uint8)
    peak = np.zeros(1, dtype=np.int64)
    rng = config[:, 17].copy()  # every layer's LFSR starts at its seed after reset
    result = np.zeros(n_last, dtype=np.int64)
    held = np.zeros(n_last, dtype=np.int64)
    v_result = np.zeros(n_last, dtype=np.int64)
    v_held = np.zeros(n_last, dtype=np.int64)
    is_busy, count, is_done = False, 0, False
    for t in range(start.shape[0]):
        # comb: what the hardware shows this cycle
        busy[t] = 1 if is_busy else 0
        done[t] = 1 if is_done else 0
        word = 0
        for j in range(n_last):
            word |= held[j] << j
        s_out[t] = word
        v_out[t] = v_held
        # sync
        is_done = False
        if is_busy:
            count -= 1
            if count == 0:
                is_busy, is_done = False, True
                held[:] = result
                v_held[:] = v_result
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
                    cur[base : base + n_out], draws,
                )  # fmt: skip
                base += n_out
            result[:] = spk[total - n_last :]
            v_result[:] = v[total - n_last :]
            is_busy, count = True, work


def snn(params: SnnParams, start, first, s_in) -> SnnTrace:
    """Bit-exact, cycle-exact twin of :class:`scgen.snn.SnnNetwork`.

    ``start``/``first`` are 0/1 per cycle, ``s_in`` the input spike word per cycle (bit ``i`` =
    input ``i``). Returns ``busy``, ``done`` (int64), ``s_out`` (int64) and ``v_out`` (the
    membranes' two's-complement words side by side: int64 up to 63 bits, else Python ints).
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
    v_out = np.zeros((cycles, params.n_out), dtype=np.int64)
    if params.n_out <= 63:
        s_out = np.zeros(cycles, dtype=np.int64)
        _snn_kernel(
            config, weights, neurons, params.step_cycles(), start, first, bits, busy, done, s_out,
            v_out,
        )  # fmt: skip
    else:
        raise ValueError(f"SNN twin last layer must have at most 63 neurons, not {params.n_out!r}")
    return SnnTrace(busy, done, s_out, pack_membranes(v_out, params.layers[-1].membrane_width))


def pack_membranes(values: np.ndarray, width: int) -> np.ndarray:
    """``values`` ``(..., n)`` signed -> words with value ``j`` in bits ``j * width`` upwards
    (two's complement): int64 when ``n * width <= 63``, else Python ints in an object array."""
    values = np.asarray(values, dtype=np.int64)
    mask, n = (1 << width) - 1, values.shape[-1]
    if n * width <= 63:
        word = np.zeros(values.shape[:-1], dtype=np.int64)
        for j in range(n):
            word |= (values[..., j] & mask) << (j * width)
        return word
    flat = values.reshape(-1, n)
    words = [sum((int(x) & mask) << (j * width) for j, x in enumerate(row)) for row in flat]
    return np.array(words, dtype=object).reshape(values.shape[:-1])


def unpack_membranes(words, n: int, width: int) -> np.ndarray:
    """The signed values ``(..., n)`` int64 of :func:`pack_membranes`' words."""
    words = np.asarray(words)
    out = np.zeros((*words.shape, n), dtype=np.int64)
    flat, mask, top = out.reshape(-1, n), (1 << width) - 1, 1 << (width - 1)
    for k, w in enumerate(words.reshape(-1)):
        fields = [(int(w) >> (j * width)) & mask for j in range(n)]
        flat[k] = [f - ((f & top) << 1) for f in fields]
    return out
