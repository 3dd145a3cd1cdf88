"""The primitive registry: name -> (params, hardware, twin, stimulus).

The equivalence tests, the IR and the emitters all read :data:`PRIMITIVES`, so a primitive is
verified on every backend the moment it is registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import hw, sw
from .params import (
    AddMuxParams,
    CordivParams,
    CounterParams,
    EncoderParams,
    Encoding,
    KuramotoParams,
    LfsrParams,
    LifParams,
    MulAndParams,
    MulXnorParams,
    SobolParams,
    UartRxParams,
    UartTxParams,
)

__all__ = ["PRIMITIVES", "IrSpec", "Primitive", "register"]

Stimulus = Callable[[Any, np.random.Generator, int], dict[str, np.ndarray]]


@dataclass(frozen=True)
class IrSpec:
    """How a primitive appears as an IR op over bitstreams (see :mod:`scgen.ir.prims`).

    Attributes
    ----------
    streams : tuple of str
        Input ports fed by bitstream operands, one bit per cycle.
    values : tuple of str
        Input ports fed by a value held for the whole window (e.g. an encoder's ``x``).
    tied : dict
        Input ports tied to a constant (e.g. ``en = 1``).
    output : str
        The output port that is the op's result stream.
    encoding : callable
        ``encoding(params, operand encodings) -> "unipolar" | "bipolar"`` of the result.
    source : callable, optional
        ``source(params) -> str``: the identity of the random source the result comes from
        (for correlation checks); None for ops that combine streams.
    """

    streams: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    tied: tuple[tuple[str, int], ...] = ()
    output: str = "o"
    encoding: Callable[[Any, list[str]], str] = lambda params, encodings: "unipolar"
    source: Callable[[Any], str] | None = None
    words: bool = False  # the output is a word per cycle (a source's state), not a bit


@dataclass(frozen=True)
class Primitive:
    """One registered primitive.

    Attributes
    ----------
    name : str
        Registry key (also the IR op name).
    params : type
        The frozen params dataclass.
    hw : type
        The :class:`amaranth.lib.wiring.Component` class; ``hw(params)`` builds it.
    twin : callable
        ``twin(params, **inputs)`` returns a named tuple with one array per output port.
    stimulus : callable
        ``stimulus(params, rng, cycles)`` returns random, valid inputs for every input port,
        shaped ``(cycles,)``, mixing segments that reach the corners of each port.
    """

    name: str
    params: type
    hw: type
    twin: Callable[..., Any]
    stimulus: Stimulus
    ir: IrSpec | None = None

    def run_twin(self, params: Any, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the twin and return its outputs as a dict keyed by port name."""
        return self.twin(params, **inputs)._asdict()


PRIMITIVES: dict[str, Primitive] = {}


def register(primitive: Primitive) -> Primitive:
    """Add ``primitive`` to :data:`PRIMITIVES`; a name can be registered once."""
    if primitive.name in PRIMITIVES:
        raise ValueError(f"Primitive {primitive.name!r} is already registered")
    PRIMITIVES[primitive.name] = primitive
    return primitive


# --------------------------------------------------------------------------------------------
# Stimulus generators: piecewise mixtures so that long runs also hit the extremes of every port.


def _bits(rng: np.random.Generator, cycles: int, lanes: int = 1) -> np.ndarray:
    """Random lane words with a per-segment density in {0, 0.1, 0.5, 0.9, 1}."""
    out = np.empty(cycles, dtype=np.uint64)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 400)))
        p = rng.choice([0.0, 0.1, 0.5, 0.5, 0.9, 1.0])
        bits = rng.random((n, lanes)) < p
        out[t:t + n] = (bits.astype(np.uint64) << np.arange(lanes, dtype=np.uint64)).sum(axis=1)
        t += n
    return out


def _values(rng: np.random.Generator, cycles: int, lo: int, hi: int,
            small: int | None = None) -> np.ndarray:
    """Random integers in [lo, hi]: full-range, extreme, constant and optional small segments."""
    out = np.empty(cycles, dtype=np.int64)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 500)))
        kind = rng.integers(0, 5)
        if kind == 0:
            out[t:t + n] = rng.integers(lo, hi, n, endpoint=True)
        elif kind == 1:
            # the corners and their neighbours (clipped: a range may be one or two values)
            out[t:t + n] = np.clip(
                rng.choice([lo, hi, 0 if lo <= 0 <= hi else lo, hi - 1, lo + 1], n), lo, hi)
        elif kind == 2 or small is None:
            out[t:t + n] = rng.integers(lo, hi, endpoint=True)
        else:
            out[t:t + n] = np.clip(rng.integers(-small, small, n, endpoint=True), lo, hi)
        t += n
    return out


def _source_stimulus(params, rng, cycles):
    return {"en": _bits(rng, cycles).astype(np.uint8)}


def _encoder_stimulus(params: EncoderParams, rng, cycles):
    w = params.width
    if params.encoding is Encoding.BIPOLAR:
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    else:
        lo, hi = 0, (1 << w) - 1
    return {"x": _values(rng, cycles, lo, hi), "en": _bits(rng, cycles).astype(np.uint8)}


def _lane_stimulus(*names: str):
    def stimulus(params, rng, cycles):
        return {n: _bits(rng, cycles, params.lanes) for n in names}
    return stimulus


def _counter_stimulus(params: CounterParams, rng, cycles):
    # starts: mostly one per window (sometimes early, restarting a window), sometimes none
    start = np.zeros(cycles, dtype=np.uint8)
    t = int(rng.integers(0, 8))
    while t < cycles:
        start[t] = 1
        gap = params.window + int(rng.integers(0, 4))
        t += gap if rng.random() < 0.8 else int(rng.integers(1, max(2, params.window + 8)))
    return {"start": start, "x": _bits(rng, cycles).astype(np.uint8)}


def _lif_stimulus(params: LifParams, rng, cycles):
    w, f = params.data_width, params.fraction
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    one = min(1 << f, hi)  # 1.0 in fixed point, clipped to the range
    return {
        "en": _bits(rng, cycles).astype(np.uint8),
        "leak_k": _values(rng, cycles, lo, hi, small=one // 4 + 1),
        "gain_k": _values(rng, cycles, lo, hi, small=one),
        "I_t": _values(rng, cycles, lo, hi, small=one),
        "noise_in": _values(rng, cycles, lo, hi, small=one // 8 + 1),
    }


_ENCODER_IR = IrSpec(values=("x",), tied=(("en", 1),),
                     encoding=lambda p, e: p.encoding.value, source=lambda p: p.source.identity())
_SOURCE_IR = IrSpec(tied=(("en", 1),), output="value", source=lambda p: p.identity(),
                    words=True)

register(Primitive("lfsr", LfsrParams, hw.Lfsr, sw.lfsr, _source_stimulus, _SOURCE_IR))
register(Primitive("sobol", SobolParams, hw.Sobol, sw.sobol, _source_stimulus, _SOURCE_IR))
register(Primitive("encoder", EncoderParams, hw.Encoder, sw.encoder, _encoder_stimulus,
                   _ENCODER_IR))
register(Primitive("mul_and", MulAndParams, hw.MulAnd, sw.mul_and, _lane_stimulus("a", "b"),
                   IrSpec(streams=("a", "b"))))
register(Primitive("mul_xnor", MulXnorParams, hw.MulXnor, sw.mul_xnor, _lane_stimulus("a", "b"),
                   IrSpec(streams=("a", "b"), encoding=lambda p, e: "bipolar")))
register(Primitive("add_mux", AddMuxParams, hw.AddMux, sw.add_mux,
                   _lane_stimulus("a", "b", "sel"), IrSpec(streams=("a", "b", "sel"),
                                                           encoding=lambda p, e: e[0])))
register(Primitive("counter", CounterParams, hw.Counter, sw.counter, _counter_stimulus))
register(Primitive("lif", LifParams, hw.Lif, sw.lif, _lif_stimulus))


def _uart_tx_stimulus(params: UartTxParams, rng, cycles):
    # segments of back-to-back bytes (valid held high), sparse offers and silence
    valid = np.empty(cycles, dtype=np.uint8)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 30 * params.clocks_per_bit + 2)))
        valid[t:t + n] = rng.random(n) < rng.choice([0.0, 0.02, 0.5, 1.0])
        t += n
    return {"data": rng.integers(0, 255, cycles, endpoint=True), "valid": valid}


def _uart_rx_stimulus(params: UartRxParams, rng, cycles):
    # a mixture of frames at the right rate (some with a bad stop bit, some slightly fast or
    # slow) and random line noise: glitches, long lows, random levels
    cpb = params.clocks_per_bit
    line = np.ones(cycles, dtype=np.uint8)
    t = 0
    while t < cycles:
        kind = rng.integers(0, 4)
        if kind <= 1:  # a frame
            bits = [0, *((int(rng.integers(0, 256)) >> k) & 1 for k in range(8)),
                    int(rng.random() < 0.9)]
            width = cpb + int(rng.integers(-(cpb // 8), cpb // 8 + 1)) if kind == 1 else cpb
            for bit in bits:
                line[t:t + width] = bit
                t += width
            t += int(rng.integers(0, 3 * cpb))  # idle (high) gap
        elif kind == 2:  # random levels, held for random short runs
            n = int(rng.integers(1, 20 * cpb))
            levels = np.repeat(rng.integers(0, 2, n), rng.integers(1, cpb + 2, n))[:n]
            line[t:t + len(levels)] = levels[:max(0, cycles - t)]
            t += n
        else:  # a single glitch or a long low (break)
            n = 1 if rng.random() < 0.5 else int(rng.integers(cpb, 12 * cpb))
            line[t:t + n] = 0
            t += n + int(rng.integers(1, 2 * cpb))
    return {"rx": line}


register(Primitive("uart_tx", UartTxParams, hw.UartTx, sw.uart_tx, _uart_tx_stimulus))
register(Primitive("uart_rx", UartRxParams, hw.UartRx, sw.uart_rx, _uart_rx_stimulus))
register(Primitive("cordiv", CordivParams, hw.Cordiv, sw.cordiv, _lane_stimulus("a", "b"),
                   IrSpec(streams=("a", "b"))))


def _kuramoto_stimulus(params: KuramotoParams, rng, cycles):
    # en mostly high (steps complete), with pauses; sel sweeps every oscillator
    return {"en": _bits(rng, cycles).astype(np.uint8) | (rng.random(cycles) < 0.5),
            "sel": np.clip(_values(rng, cycles, 0, params.n - 1), 0, params.n - 1)}


register(Primitive("kuramoto", KuramotoParams, hw.Kuramoto, sw.kuramoto, _kuramoto_stimulus))
