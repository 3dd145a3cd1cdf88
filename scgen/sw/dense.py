"""Twin of :class:`scgen.hw.Dense`."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from ..params import DenseParams
from ._jit import kernel
from ._ports import as_stimulus, bit_range, check_params, signed_range
from .lfsr import lfsr_next
from .lif import lif_step

__all__ = ["DenseTrace", "dense", "dense_windows", "unpack_fields"]


class DenseTrace(NamedTuple):
    """Per-cycle output of the dense layer: ``spikes`` (bit ``n`` = neuron ``n``), int64 words
    up to 63 neurons, Python ints (object) beyond."""

    spikes: np.ndarray


@kernel
def _dense_kernel(
    lif_config,
    source_config,
    input_seeds,
    weight_seeds,
    weight_table,
    rom_words,
    start,
    en,
    x,
    x_row,
    w,
    w_row,
    leak_k,
    gain_k,
    y_min,
    y_max,
    data_width,
    spikes,
):
    """Cycle by cycle, as the hardware: comb outputs, then the clock edge.

    ``x`` and ``w`` are tables of the ports' 16-bit fields, ``(rows, n)``; cycle ``t`` sees row
    ``x_row[t]`` (``w_row[t]``), so a value held for many cycles is stored once.
    ``rom_words`` is ``(L, n_weights)`` stream bits of constant weights in a ROM, or empty
    (weights from their encoders).
    """
    galois, lfsr_width, taps_mask = source_config
    ni = input_seeds.shape[0]
    nw = weight_seeds.shape[0]
    nn = weight_table.shape[0]
    length = rom_words.shape[0]
    use_rom = length > 0
    y_span = y_max - y_min
    xs = input_seeds.copy()
    ws = weight_seeds.copy()
    count = np.zeros(nn, dtype=np.int64)
    v = np.full(nn, lif_config[3], dtype=np.int64)
    rc = np.zeros(nn, dtype=np.int64)
    en_d = 0
    addr = 0
    rom_data = np.zeros(nw, dtype=np.int64)  # the ROM's read register (0 after reset)
    xb = np.zeros(ni, dtype=np.int64)
    wb = np.zeros(nw, dtype=np.int64)
    shift = 64 - data_width
    for t in range(start.shape[0]):
        # comb: stream bits, and the neurons' step on last cycle's counts
        for i in range(ni):
            xb[i] = 1 if xs[i] < x[x_row[t], i] else 0
        for k in range(nw):
            wb[k] = rom_data[k] if use_rom else (1 if ws[k] < w[w_row[t], k] else 0)
        for n in range(nn):
            if en_d:
                cur = y_min + (y_span * count[n]) // ni
                cur = (cur << shift) >> shift  # the W-bit I_t port
                sp, v[n], rc[n] = lif_step(
                    lif_config, v[n], rc[n], np.int64(leak_k[t]), np.int64(gain_k[t]), cur, 0
                )
                spikes[t, n] = sp
            else:
                spikes[t, n] = 0
        # sync
        for n in range(nn):
            c = 0
            for i in range(ni):
                c += xb[i] & wb[weight_table[n, i]]
            count[n] = c
        if use_rom:
            read = 0 if start[t] else addr
            for k in range(nw):
                rom_data[k] = rom_words[read, k]
            if start[t]:
                addr = 1 % length
            elif en[t]:
                addr = 0 if addr == length - 1 else addr + 1
        for i in range(ni):
            xs[i] = input_seeds[i] if start[t] else lfsr_next(xs[i], galois, lfsr_width, taps_mask)
        if not use_rom:
            for k in range(nw):
                ws[k] = (
                    weight_seeds[k] if start[t] else lfsr_next(ws[k], galois, lfsr_width, taps_mask)
                )
        en_d = en[t]


def unpack_fields(values: object, n: int, bits: int) -> np.ndarray:
    """Packed port values (field 0 in the low bits) as ``(len(values), n)`` int64 fields."""
    mask = (1 << bits) - 1
    if bits in (8, 16, 32):  # whole bytes: one buffer, one view
        size, flat = bits // 8, np.asarray(values).reshape(-1).tolist()
        raw = b"".join(
            (int(v) & ((1 << (bits * n)) - 1)).to_bytes(size * n, "little") for v in flat
        )
        return np.frombuffer(raw, dtype=f"<u{size}").astype(np.int64).reshape(-1, n)
    return np.array(
        [[(int(v) >> (bits * k)) & mask for k in range(n)] for v in np.asarray(values).tolist()],
        dtype=np.int64,
    ).reshape(-1, n)


@cache
def _rom_bits(params: DenseParams) -> np.ndarray:
    """The ROM as ``(L, n_weights)`` bits (unpacked once per params, read-only)."""
    words = np.array(params.rom_words(), dtype=object)
    packed = np.array(
        [w.to_bytes((params.n_weights + 7) // 8, "little") for w in words.tolist()], dtype=object
    )
    raw = np.frombuffer(b"".join(packed.tolist()), dtype=np.uint8).reshape(len(words), -1)
    bits = np.unpackbits(raw, axis=1, bitorder="little")[:, : params.n_weights]
    bits.setflags(write=False)
    return bits


def _run(
    params: DenseParams,
    start: np.ndarray,
    en: np.ndarray,
    x: tuple[np.ndarray, np.ndarray],
    w: tuple[np.ndarray, np.ndarray],
    leak_k: np.ndarray,
    gain_k: np.ndarray,
) -> np.ndarray:
    """Run the kernel; ``x`` and ``w`` are (row per cycle, table of rows)."""
    p = params
    rom = _rom_bits(p) if p.uses_rom else np.zeros((0, p.n_weights), dtype=np.uint8)
    spikes = np.zeros((len(start), p.n_neurons), dtype=np.uint8)
    _dense_kernel(
        p.lif_config(),
        p.source_config(),
        np.array(p.input_seeds(), dtype=np.int64),
        np.array(p.weight_seeds(), dtype=np.int64),
        np.array(p.weight_table(), dtype=np.int64).reshape(p.n_neurons, p.n_inputs),
        rom,
        np.ascontiguousarray(start, dtype=np.uint8),
        np.ascontiguousarray(en, dtype=np.uint8),
        np.ascontiguousarray(x[1], dtype=np.int32),
        np.ascontiguousarray(x[0], dtype=np.int64),
        np.ascontiguousarray(w[1], dtype=np.int32),
        np.ascontiguousarray(w[0], dtype=np.int64),
        np.ascontiguousarray(leak_k, dtype=np.int64),
        np.ascontiguousarray(gain_k, dtype=np.int64),
        p.y_min,
        p.y_max,
        p.data_width,
        spikes,
    )
    return spikes


def _fields(values: np.ndarray, n: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-cycle packed values as (row per cycle, ``(rows, n)`` fields): each run of one value
    is unpacked once."""
    change = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        change[1:] = values[1:] != values[:-1]
    rows = unpack_fields(values[np.flatnonzero(change)], n, bits)
    return np.cumsum(change) - 1, rows


def _words(spikes: np.ndarray) -> np.ndarray:
    """Per-cycle spike bits ``(..., n)`` as words (bit ``n`` = neuron ``n``)."""
    n = spikes.shape[-1]
    if n <= 63:
        return (spikes.astype(np.int64) << np.arange(n, dtype=np.int64)).sum(axis=-1)
    flat = spikes.reshape(-1, n)
    packed = np.packbits(flat, axis=1, bitorder="little")
    words = np.array([int.from_bytes(r.tobytes(), "little") for r in packed], dtype=object)
    return words.reshape(spikes.shape[:-1])


def _held(params: DenseParams, name: str, value: object, t: int) -> np.ndarray:
    v = getattr(params, name)
    if v is not None:
        return np.full(t, v, dtype=np.int64)
    if value is None:
        raise ValueError(f"Dense layer input {name!r} is missing: the params do not fix it")
    return np.broadcast_to(np.asarray(value, dtype=np.int64), (t,))


def dense(
    params: DenseParams,
    start: object,
    en: object,
    x: object,
    w: object = None,
    leak_k: object = None,
    gain_k: object = None,
) -> DenseTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Dense` over ``(cycles,)`` inputs.

    ``x`` (and ``w``) are the packed port values per cycle (Python ints in object arrays when
    wider than 63 bits); ``w``, ``leak_k`` and ``gain_k`` are only given when the params do not
    fix them. One layer runs from reset.
    """
    check_params("Dense layer", DenseParams, params)
    p = params
    ports: dict = {"start": (start, bit_range(), np.uint8), "en": (en, bit_range(), np.uint8)}
    if p.leak_k is None:
        ports["leak_k"] = (leak_k, signed_range(p.data_width), None)
    if p.gain_k is None:
        ports["gain_k"] = (gain_k, signed_range(p.data_width), None)
    ins, _ = as_stimulus("Dense layer", ports)
    if ins["start"].shape[0] != 1:
        raise ValueError("Dense layer inputs must be (cycles,), one layer from reset")
    t = ins["start"].shape[1]
    x_a = np.asarray(x)
    if x_a.shape != (t,):
        raise ValueError(f"Dense layer input 'x' must have shape ({t},), not {x_a.shape}")
    x_f = _fields(x_a, p.n_inputs, p.RATE_BITS)
    if p.weights is None:
        w_a = np.asarray(w)
        if w is None or w_a.shape != (t,):
            raise ValueError(f"Dense layer input 'w' must have shape ({t},), not {w_a.shape}")
        w_f = _fields(w_a, p.n_weights, p.RATE_BITS)
    else:
        w_f = (np.zeros(t, np.int64), np.array([p.weights], np.int64).reshape(1, p.n_weights))
    leak = ins["leak_k"][0] if p.leak_k is None else _held(p, "leak_k", None, t)
    gain = ins["gain_k"][0] if p.gain_k is None else _held(p, "gain_k", None, t)
    spikes = _run(p, ins["start"][0], ins["en"][0], x_f, w_f, leak, gain)
    return DenseTrace(_words(spikes))


def dense_windows(
    params: DenseParams,
    x: np.ndarray,
    w: np.ndarray | None,
    leak_k: np.ndarray | None,
    gain_k: np.ndarray | None,
) -> np.ndarray:
    """The layer's spike words over windows of the window protocol, ``(windows, L)``.

    ``x`` is ``(windows, n_inputs)`` port values (``w`` likewise, unless the params hold the
    weights; ``leak_k``/``gain_k`` one value per window unless fixed). Each window is a start
    cycle, ``L`` stream cycles and one more (the neurons step on ``t0 + 2 .. t0 + L + 1``); the
    neurons keep their state from window to window, as in hardware.
    """
    p = params
    windows, length = len(x), p.stream_length
    span = length + 2
    t = windows * span
    start = np.zeros(t, dtype=np.uint8)
    start[::span] = 1
    en = np.zeros((windows, span), dtype=np.uint8)
    en[:, 1 : length + 1] = 1
    rows = np.repeat(np.arange(windows, dtype=np.int64), span)
    x_f = (rows, np.asarray(x, dtype=np.int64).reshape(windows, p.n_inputs))
    if w is None:
        w_f = (np.zeros(t, np.int64), np.array([p.weights], np.int64).reshape(1, p.n_weights))
    else:
        w_f = (rows, np.asarray(w, dtype=np.int64).reshape(windows, p.n_weights))
    leak = np.repeat(np.asarray(leak_k, dtype=np.int64), span) if leak_k is not None else None
    gain = np.repeat(np.asarray(gain_k, dtype=np.int64), span) if gain_k is not None else None
    spikes = _run(
        p,
        start,
        en.reshape(-1),
        x_f,
        w_f,
        _held(p, "leak_k", leak, t),
        _held(p, "gain_k", gain, t),
    )
    spikes = spikes.reshape(windows, span, p.n_neurons)[:, 2 : length + 2]
    return _words(spikes)
