"""The primitive registry: name -> (params, hardware, twin, stimulus).

The equivalence tests, the IR and the emitters all read :data:`PRIMITIVES`, so a primitive is
verified on every backend the moment it is registered here.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import hw
from .hw.jkdiv import JkDiv
from .params import (
    AddMuxParams,
    AssocQueryParams,
    BindParams,
    BundleParams,
    CordivParams,
    CounterParams,
    DenseParams,
    EncoderParams,
    Encoding,
    HammingParams,
    KuramotoParams,
    LfsrForm,
    LfsrParams,
    LifParams,
    MulAndParams,
    MulXnorParams,
    Ordering,
    PermuteParams,
    SnnLayerParams,
    SnnParams,
    SobolParams,
    UartRxParams,
    UartTxParams,
)
from .params.jkdiv import JkDivParams

__all__ = ["PRIMITIVES", "IrSpec", "Primitive", "register"]


class _sw:
    """A twin or kernel of :mod:`scgen.sw`, imported on first use: the registry, and so parsing
    or planning a graph, imports no Numba. Calls, attributes (``py_func``), the signature,
    ``__name__`` and ``__module__`` are those of ``scgen.sw.<module>.<name>``."""

    def __init__(self, module: str, name: str):
        self.__module__ = f"{__package__}.sw.{module}"
        self.__name__ = self.__qualname__ = name
        self._target: Any = None

    def _get(self) -> Any:
        if self._target is None:
            self._target = getattr(importlib.import_module(self.__module__), self.__name__)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._get()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._get(), attr)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self._get())

    def __repr__(self) -> str:
        return f"<twin {self.__module__}.{self.__name__}, imported on first use>"


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
        Input ports tied to a constant (e.g. ``en = 1``), or to a window signal: ``"first"``
        is 1 on the first stream cycle of a window, ``"busy"`` on every stream cycle.
    output : str
        The output port that is the op's result stream.
    encoding : callable
        ``encoding(params, operand encodings) -> "unipolar" | "bipolar"`` of the result.
    source : callable, optional
        ``source(params) -> str``: the identity of the random source the result comes from
        (for correlation checks); None for ops that combine streams.
    packed : callable, optional
        The primitive's part in the compiled graph engine, next to its twin:
        ``packed(params, length, **ports)`` gets the stream ports as packed words
        (``(rows, ceil(length / 64))`` uint64, bit ``t % 64`` of word ``t // 64`` = cycle ``t``)
        and the value ports as ``(rows,)`` integers, rows 1 or one per window (broadcasting),
        and returns the result stream packed the same way (bits past ``length`` 0), what the
        twin gives for windows from reset with the tied ports; or None where these params have
        no packed form (the op then runs its twin). None: the op always runs its twin.
    """

    streams: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    tied: tuple[tuple[str, int | str], ...] = ()
    output: str = "o"
    encoding: Callable[[Any, list[str]], str] = lambda params, encodings: "unipolar"
    source: Callable[[Any], str] | None = None
    words: bool = False  # the output is a word per cycle (a source's state), not a bit
    # state carried from window to window (no reset at a window's start; the twin runs over the
    # stream cycles of all windows in a row), e.g. a permutation's one-vector delay
    stateful: bool = False
    # extra IR checks: ``check(params, operand types) -> [problem, ...]``
    check: Callable[[Any, list], list[str]] | None = None
    packed: Callable[..., Any] | None = None
    # the planner's resource features: ``plan(params) -> ({feature: value}, carry-chain bits)``
    # (see :meth:`scgen.ir.ops.OpKind.plan_features`); None: the planner has no model of it
    plan: Callable[[Any], tuple[dict[str, float], int]] | None = None


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
    ir : IrSpec, optional
        How the primitive is an IR op (None: it has none, or a seed op is it).
    example : callable
        ``example(rng)`` returns random, valid params that reach the corners; the equivalence
        tests draw their parameter sets from it.
    kernels : tuple
        The Numba kernels of the twin's own module; their arguments are named after params
        fields, derived params members or ports (tests/test_registry.py checks it).
    """

    name: str
    params: type
    hw: type
    twin: Callable[..., Any]
    stimulus: Stimulus
    ir: IrSpec | None = None
    example: Callable[[np.random.Generator], Any] | None = None
    kernels: tuple[Callable[..., Any], ...] = ()

    def run_twin(self, params: Any, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the twin and return its outputs as a dict keyed by port name."""
        return self.twin(params, **inputs)._asdict()


PRIMITIVES: dict[str, Primitive] = {}


def register(primitive: Primitive) -> Primitive:
    """Add ``primitive`` to :data:`PRIMITIVES`; a name can be registered once, and only with
    every part: params, hardware, twin, stimulus and example params."""
    if primitive.name in PRIMITIVES:
        raise ValueError(f"Primitive {primitive.name!r} is already registered")
    missing = [
        part
        for part in ("params", "hw", "twin", "stimulus", "example")
        if not callable(getattr(primitive, part))
    ]
    if missing:
        raise TypeError(
            f"Primitive {primitive.name!r} lacks its {', '.join(missing)}; a primitive is "
            f"registered with params, hw, twin, stimulus and example"
        )
    PRIMITIVES[primitive.name] = primitive
    return primitive


# --------------------------------------------------------------------------------------------
# Example params: random, valid parameter sets that reach each primitive's corners. The
# equivalence tests draw from these (one seed per example), so a primitive is verified on every
# backend from its registry entry alone.


def _pick(rng: np.random.Generator, lo: int, hi: int) -> int:
    """An integer in [lo, hi]: often a corner, otherwise uniform (log-uniform for wide ranges)."""
    r = rng.random()
    if r < 0.15:
        return lo
    if r < 0.3:
        return hi
    if hi - lo > 1 << 12 and r < 0.6:  # small and large magnitudes both
        return min(hi, lo + int(2 ** rng.uniform(0, np.log2(hi - lo + 1))))
    return int(rng.integers(lo, hi, endpoint=True))


def _choice(rng: np.random.Generator, items) -> Any:
    items = list(items)
    return items[int(rng.integers(0, len(items)))]


def _lfsr_example(rng):
    w = _pick(rng, 2, 32)
    return LfsrParams(width=w, seed=_pick(rng, 1, (1 << w) - 1), form=_choice(rng, LfsrForm))


def _sobol_example(rng):
    w = _pick(rng, 1, 32)
    top = (1 << w) - 1
    return SobolParams(
        width=w, dimension=_pick(rng, 0, 9), start=_pick(rng, 0, top), scramble=_pick(rng, 0, top)
    )


def _encoder_example(rng):
    source = _lfsr_example(rng) if rng.random() < 0.5 else _sobol_example(rng)
    return EncoderParams(
        source=source, encoding=_choice(rng, Encoding), ordering=_choice(rng, Ordering)
    )


def _lanes_example(kind: type) -> Callable[[np.random.Generator], Any]:
    def example(rng):
        return kind(lanes=_pick(rng, 1, 64))

    return example


def _counter_example(rng):
    r = rng.random()
    window = _pick(rng, 1, 8) if r < 0.4 else _pick(rng, 1, 3000) if r < 0.9 else 1 << 32
    return CounterParams(window=window)


def _lif_example(rng):
    w = _pick(rng, 2, 32)
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    r = rng.random()
    refractory = 0 if r < 0.3 else _pick(rng, 0, 6) if r < 0.8 else _pick(rng, 0, (1 << 32) - 1)
    r = rng.random()
    diff_bits = None if r < 0.4 else 16 if r < 0.6 else _pick(rng, 2, w + 2)
    return LifParams(
        data_width=w,
        fraction=_pick(rng, 0, w - 1),
        v_rest=_pick(rng, lo, hi),
        v_reset=_pick(rng, lo, hi),
        v_threshold=_pick(rng, lo, hi) if rng.random() < 0.7 else _choice(rng, (lo, hi, 0, 1)),
        refractory_period=refractory,
        ordering=_choice(rng, Ordering),
        diff_bits=diff_bits,
    )


def _uart_tx_example(rng):
    return UartTxParams(clocks_per_bit=_pick(rng, 1, 32) if rng.random() < 0.8 else 104)


def _uart_rx_example(rng):
    return UartRxParams(clocks_per_bit=_pick(rng, 2, 32) if rng.random() < 0.8 else 104)


def _kuramoto_example(rng):
    # N <= 4 keeps a step within 16 cycles, so 2000 pysim cycles cover 125 steps
    n, p, wk = _pick(rng, 1, 4), _pick(rng, 4, 20), _pick(rng, 2, 12)
    klo, khi = -(1 << (wk - 1)), (1 << (wk - 1)) - 1
    noise = _lfsr_example(rng)
    phases = None if rng.random() < 0.5 else tuple(_pick(rng, 0, (1 << p) - 1) for _ in range(n))
    return KuramotoParams(
        omega=tuple(_pick(rng, -(1 << (p - 1)), (1 << (p - 1)) - 1) for _ in range(n)),
        coupling=tuple(tuple(_pick(rng, klo, khi) for _ in range(n)) for _ in range(n)),
        phases=phases,
        phase_bits=p,
        lut_bits=_pick(rng, 2, min(p, 10)),
        sine_bits=_pick(rng, 2, 14),
        weight_bits=wk,
        fraction=_pick(rng, 0, 16) if rng.random() < 0.8 else 48,
        noise_bits=_pick(rng, 0, min(16, noise.width)),
        noise=noise,
    )


def _dense_example(rng):
    ni, nn, shared = _pick(rng, 1, 5), _pick(rng, 1, 4), bool(rng.random() < 0.5)
    n_weights = ni if shared else ni * nn
    w = _pick(rng, 10, 32)
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    return DenseParams(
        n_inputs=ni,
        n_neurons=nn,
        stream_length=_pick(rng, 1, 8) if rng.random() < 0.3 else _pick(rng, 1, 80),
        data_width=w,
        input_seed_base=_pick(rng, 0, 0xFFFF),
        weight_seed_base=_pick(rng, 0, 0xFFFF),
        y_min=_pick(rng, 0, 300) if rng.random() < 0.7 else _pick(rng, 0, (1 << 32) - 1),
        y_max=_pick(rng, 0, 1000) if rng.random() < 0.7 else _pick(rng, 0, (1 << 32) - 1),
        shared_weights=shared,
        weights=None
        if rng.random() < 0.5
        else tuple(_pick(rng, 0, 0xFFFF) for _ in range(n_weights)),
        leak_k=None if rng.random() < 0.5 else _pick(rng, lo, hi),
        gain_k=None if rng.random() < 0.5 else _pick(rng, lo, hi),
    )


def _bundle_example(rng):
    # wide bundles on few lanes, many lanes on narrow bundles: the simulators stay quick
    n = _pick(rng, 1, 7) if rng.random() < 0.5 else _pick(rng, 1, 15)
    return BundleParams(n=n, lanes=_pick(rng, 1, 64 if n <= 7 else 3))


def _permute_example(rng):
    return PermuteParams(
        words=_pick(rng, 1, 24), lanes=_pick(rng, 1, 20), shift=_pick(rng, -1000, 1000)
    )


def _hamming_example(rng):
    words = _pick(rng, 1, 8) if rng.random() < 0.5 else _pick(rng, 1, 300)
    return HammingParams(words=words, lanes=_pick(rng, 1, 64))


def _assoc_example(rng):
    return AssocQueryParams(
        items=_pick(rng, 1, 6), words=_choice(rng, (1, 2, 4, 8, 16)), lanes=_pick(rng, 1, 24)
    )


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
        out[t : t + n] = (bits.astype(np.uint64) << np.arange(lanes, dtype=np.uint64)).sum(axis=1)
        t += n
    return out


def _values(
    rng: np.random.Generator, cycles: int, lo: int, hi: int, small: int | None = None
) -> np.ndarray:
    """Random integers in [lo, hi]: full-range, extreme, constant and optional small segments."""
    out = np.empty(cycles, dtype=np.int64)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 500)))
        kind = rng.integers(0, 5)
        if kind == 0:
            out[t : t + n] = rng.integers(lo, hi, n, endpoint=True)
        elif kind == 1:
            # the corners and their neighbours (clipped: a range may be one or two values)
            out[t : t + n] = np.clip(
                rng.choice([lo, hi, 0 if lo <= 0 <= hi else lo, hi - 1, lo + 1], n), lo, hi
            )
        elif kind == 2 or small is None:
            out[t : t + n] = rng.integers(lo, hi, endpoint=True)
        else:
            out[t : t + n] = np.clip(rng.integers(-small, small, n, endpoint=True), lo, hi)
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


def _source_features(source: Any) -> dict[str, float]:
    """A random source's own features: a Sobol step XORs in the direction number of the
    index's lowest zero bit, so its logic grows with the direction numbers' set bits (16 for
    dimension 0, the identity, 66 to 81 for the next seven)."""
    if isinstance(source, SobolParams):
        return {"sobol_dir_bits": float(sum(bin(d).count("1") for d in source.direction_numbers()))}
    return {}


_ENCODER_IR = IrSpec(
    values=("x",),
    tied=(("en", 1),),
    encoding=lambda p, e: p.encoding.value,
    source=lambda p: p.source.identity(),
    packed=_sw("encoder", "encoder_packed"),
    plan=lambda p: (
        {f"encoder_{p.source.NAME.lower()}": 1.0, **_source_features(p.source)},
        p.source.width,
    ),
)
_SOURCE_IR = IrSpec(
    tied=(("en", 1),),
    output="value",
    source=lambda p: p.identity(),
    words=True,
    plan=lambda p: ({f"source_{p.NAME.lower()}": 1.0, **_source_features(p)}, p.width),
)


def _lanes_plan(feature: str) -> Callable[[Any], tuple[dict[str, float], int]]:
    """The planner's features of a per-lane op: ``feature`` counts its lanes."""
    return lambda p: ({feature: float(p.lanes)}, 0)


register(
    Primitive(
        "lfsr",
        LfsrParams,
        hw.Lfsr,
        _sw("lfsr", "lfsr"),
        _source_stimulus,
        _SOURCE_IR,
        example=_lfsr_example,
        kernels=(_sw("lfsr", "_lfsr_kernel"),),
    )
)
register(
    Primitive(
        "sobol",
        SobolParams,
        hw.Sobol,
        _sw("sobol", "sobol"),
        _source_stimulus,
        _SOURCE_IR,
        example=_sobol_example,
        kernels=(_sw("sobol", "_sobol_kernel"),),
    )
)
register(
    Primitive(
        "encoder",
        EncoderParams,
        hw.Encoder,
        _sw("encoder", "encoder"),
        _encoder_stimulus,
        _ENCODER_IR,
        example=_encoder_example,
    )
)
register(
    Primitive(
        "mul_and",
        MulAndParams,
        hw.MulAnd,
        _sw("logic", "mul_and"),
        _lane_stimulus("a", "b"),
        IrSpec(
            streams=("a", "b"),
            packed=_sw("logic", "mul_and_packed"),
            plan=_lanes_plan("gate_lanes"),
        ),
        example=_lanes_example(MulAndParams),
    )
)
register(
    Primitive(
        "mul_xnor",
        MulXnorParams,
        hw.MulXnor,
        _sw("logic", "mul_xnor"),
        _lane_stimulus("a", "b"),
        IrSpec(
            streams=("a", "b"),
            encoding=lambda p, e: "bipolar",
            packed=_sw("logic", "mul_xnor_packed"),
            plan=_lanes_plan("gate_lanes"),
        ),
        example=_lanes_example(MulXnorParams),
    )
)
register(
    Primitive(
        "add_mux",
        AddMuxParams,
        hw.AddMux,
        _sw("logic", "add_mux"),
        _lane_stimulus("a", "b", "sel"),
        IrSpec(
            streams=("a", "b", "sel"),
            encoding=lambda p, e: e[0],
            packed=_sw("logic", "add_mux_packed"),
            plan=_lanes_plan("gate_lanes"),
        ),
        example=_lanes_example(AddMuxParams),
    )
)
register(
    Primitive(
        "counter",
        CounterParams,
        hw.Counter,
        _sw("counter", "counter"),
        _counter_stimulus,
        example=_counter_example,
        kernels=(_sw("counter", "_counter_kernel"),),
    )
)
register(
    Primitive(
        "lif",
        LifParams,
        hw.Lif,
        _sw("lif", "lif"),
        _lif_stimulus,
        example=_lif_example,
        kernels=(
            _sw("lif", "_lif_kernel_1"),
            _sw("lif", "_lif_kernel"),
            _sw("lif", "_lif_const_kernel"),
            _sw("lif", "_lif_drive_kernel"),
            _sw("lif", "_lif_drive_q88_kernel"),
        ),
    )
)


def _uart_tx_stimulus(params: UartTxParams, rng, cycles):
    # segments of back-to-back bytes (valid held high), sparse offers and silence
    valid = np.empty(cycles, dtype=np.uint8)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 30 * params.clocks_per_bit + 2)))
        valid[t : t + n] = rng.random(n) < rng.choice([0.0, 0.02, 0.5, 1.0])
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
            bits = [
                0,
                *((int(rng.integers(0, 256)) >> k) & 1 for k in range(8)),
                int(rng.random() < 0.9),
            ]
            width = cpb + int(rng.integers(-(cpb // 8), cpb // 8 + 1)) if kind == 1 else cpb
            for bit in bits:
                line[t : t + width] = bit
                t += width
            t += int(rng.integers(0, 3 * cpb))  # idle (high) gap
        elif kind == 2:  # random levels, held for random short runs
            n = int(rng.integers(1, 20 * cpb))
            levels = np.repeat(rng.integers(0, 2, n), rng.integers(1, cpb + 2, n))[:n]
            line[t : t + len(levels)] = levels[: max(0, cycles - t)]
            t += n
        else:  # a single glitch or a long low (break)
            n = 1 if rng.random() < 0.5 else int(rng.integers(cpb, 12 * cpb))
            line[t : t + n] = 0
            t += n + int(rng.integers(1, 2 * cpb))
    return {"rx": line}


register(
    Primitive(
        "uart_tx",
        UartTxParams,
        hw.UartTx,
        _sw("uart", "uart_tx"),
        _uart_tx_stimulus,
        example=_uart_tx_example,
        kernels=(_sw("uart", "_uart_tx_kernel"),),
    )
)
register(
    Primitive(
        "uart_rx",
        UartRxParams,
        hw.UartRx,
        _sw("uart", "uart_rx"),
        _uart_rx_stimulus,
        example=_uart_rx_example,
        kernels=(_sw("uart", "_uart_rx_kernel"),),
    )
)
register(
    Primitive(
        "cordiv",
        CordivParams,
        hw.Cordiv,
        _sw("cordiv", "cordiv"),
        _lane_stimulus("a", "b"),
        IrSpec(streams=("a", "b"), plan=_lanes_plan("cordiv_lanes")),
        example=_lanes_example(CordivParams),
        kernels=(_sw("cordiv", "_cordiv_kernel"),),
    )
)
register(
    Primitive(
        "jkdiv",
        JkDivParams,
        JkDiv,
        _sw("jkdiv", "jkdiv"),
        _lane_stimulus("a", "b"),
        IrSpec(streams=("a", "b")),
        example=_lanes_example(JkDivParams),
        kernels=(_sw("jkdiv", "_jkdiv_kernel"),),
    )
)


def _kuramoto_stimulus(params: KuramotoParams, rng, cycles):
    # en mostly high (steps complete), with pauses; sel sweeps every oscillator
    return {
        "en": _bits(rng, cycles).astype(np.uint8) | (rng.random(cycles) < 0.5),
        "sel": np.clip(_values(rng, cycles, 0, params.n - 1), 0, params.n - 1),
    }


register(
    Primitive(
        "kuramoto",
        KuramotoParams,
        hw.Kuramoto,
        _sw("kuramoto", "kuramoto"),
        _kuramoto_stimulus,
        example=_kuramoto_example,
        kernels=(_sw("kuramoto", "_kuramoto_kernel"),),
    )
)


def _packed(rng: np.random.Generator, cycles: int, n: int, bits: int = 16) -> np.ndarray:
    """``n`` fields of ``bits`` bits packed per cycle, held for random runs (object ints past
    63 bits)."""
    out, t = [], 0
    while t < cycles:
        run = min(cycles - t, int(rng.integers(1, 300)))
        fields = _values(rng, n, 0, (1 << bits) - 1)
        value = sum(int(v) << (bits * k) for k, v in enumerate(fields))
        out += [value] * run
        t += run
    return np.array(out, dtype=object if n * bits > 63 else np.int64)


def _dense_stimulus(params: DenseParams, rng, cycles):
    p = params
    # windows: a start, mostly L stream cycles (en), sometimes cut short or overlong
    start = np.zeros(cycles, dtype=np.uint8)
    en = np.zeros(cycles, dtype=np.uint8)
    t = 0
    while t < cycles:
        start[t] = 1
        n = p.stream_length if rng.random() < 0.7 else int(rng.integers(0, 2 * p.stream_length + 3))
        en[t + 1 : t + 1 + n] = 1
        t += 1 + n + int(rng.integers(0, 3))
    en |= (rng.random(cycles) < 0.02).astype(np.uint8)  # stray enables between windows
    out = {"start": start, "en": en, "x": _packed(rng, cycles, p.n_inputs)}
    if p.weights is None:
        out["w"] = _packed(rng, cycles, p.n_weights)
    lo, hi = -(1 << (p.data_width - 1)), (1 << (p.data_width - 1)) - 1
    for name in ("leak_k", "gain_k"):
        if getattr(p, name) is None:
            out[name] = _values(rng, cycles, lo, hi, small=1 << min(10, p.data_width - 2))
    return out


register(
    Primitive(
        "dense",
        DenseParams,
        hw.Dense,
        _sw("dense", "dense"),
        _dense_stimulus,
        example=_dense_example,
        kernels=(_sw("dense", "_dense_kernel"),),
    )
)
# --------------------------------------------------------------------------------------------
# Hyperdimensional computing (scgen.params, scgen.hw.hdc)


def _bundle_stimulus(params: BundleParams, rng, cycles):
    return {k: _bits(rng, cycles, params.lanes) for k in params.port_names()}


def _vector_starts(rng: np.random.Generator, cycles: int, period: int) -> np.ndarray:
    """Start pulses mostly one vector apart, sometimes early (restarting) or late."""
    start = np.zeros(cycles, dtype=np.uint8)
    t = int(rng.integers(0, 4))
    while t < cycles:
        start[t] = 1
        r = rng.random()
        t += period if r < 0.7 else int(rng.integers(1, period + 6))
    return start


def _permute_stimulus(params: PermuteParams, rng, cycles):
    en = (_bits(rng, cycles) | (rng.random(cycles) < 0.6)).astype(np.uint8)  # mostly on
    return {
        "start": _vector_starts(rng, cycles, params.words),
        "en": en,
        "a": _bits(rng, cycles, params.lanes),
    }


def _hamming_stimulus(params: HammingParams, rng, cycles):
    a = _bits(rng, cycles, params.lanes)
    # b: mostly a with a few flipped bits (distances near 0 and near the full vector too)
    flips = _bits(rng, cycles, params.lanes)
    return {"start": _vector_starts(rng, cycles, params.words), "a": a, "b": a ^ flips}


def _assoc_stimulus(params: AssocQueryParams, rng, cycles):
    """Bursts of item and query writes (queries often copies of stored items with a few flips),
    and starts that mostly come once the previous search has finished."""
    p = params
    top = (1 << p.lanes) - 1
    out = {
        k: np.zeros(cycles, dtype=np.int64)
        for k in ("wr_en", "wr_addr", "wr_data", "q_wr", "q_addr", "q_data", "start")
    }
    contents = np.zeros(p.depth, dtype=np.int64)
    t = 0
    while t < cycles:
        n = min(cycles - t, int(rng.integers(1, 3 * p.words + 8)))
        sl = slice(t, t + n)
        kind = rng.integers(0, 4)
        if kind == 0:  # write a whole item (word by word) or random words
            item = int(rng.integers(0, p.items))
            addr = (
                item * p.words + np.arange(n) % p.words
                if rng.random() < 0.6
                else rng.integers(0, p.depth, n)
            )
            data = rng.integers(0, top, n, endpoint=True)
            out["wr_en"][sl] = rng.random(n) < 0.9
            out["wr_addr"][sl], out["wr_data"][sl] = addr, data
            contents[addr[out["wr_en"][sl] == 1]] = data[out["wr_en"][sl] == 1]
        elif kind == 1:  # write the query: a stored item with some flipped bits
            item = int(rng.integers(0, p.items))
            words = np.arange(n) % p.words
            noise = rng.integers(0, top, n, endpoint=True) & rng.integers(0, top, n, endpoint=True)
            out["q_wr"][sl] = 1
            out["q_addr"][sl] = words
            out["q_data"][sl] = contents[item * p.words + words] ^ (
                noise if rng.random() < 0.7 else 0
            )
        else:  # searches: one start, then idle or random traffic with spurious starts
            out["start"][t] = 1
            out["start"][sl] |= rng.random(n) < 0.02
            out["wr_addr"][sl] = rng.integers(0, p.depth, n)
            out["q_addr"][sl] = rng.integers(0, p.words, n)
        t += n
    return out


register(
    Primitive(
        "bind",
        BindParams,
        hw.Bind,
        _sw("hdc", "bind"),
        _lane_stimulus("a", "b"),
        IrSpec(
            streams=("a", "b"), packed=_sw("hdc", "bind_packed"), plan=_lanes_plan("bind_lanes")
        ),
        example=_lanes_example(BindParams),
    )
)
register(
    Primitive(
        "bundle",
        BundleParams,
        hw.Bundle,
        _sw("hdc", "bundle"),
        _bundle_stimulus,
        IrSpec(
            streams=("a0", "a1", "a2"),
            packed=_sw("hdc", "bundle_packed"),
            plan=_lanes_plan("bundle_lanes"),
        ),
        example=_bundle_example,
    )
)


def _permute_ir_check(params: PermuteParams, types: list) -> list[str]:
    length = getattr(types[0], "length", None)
    if params.lanes != 1 or params.words != length:
        return [
            f"a permutation of a {length}-bit stream needs lanes=1 and words={length}, not "
            f"lanes={params.lanes} and words={params.words}"
        ]
    return []


# In the IR, window w's output is window w - 1's stream rotated (zeros in the first window):
# a rotation needs the whole vector before its first output bit.
register(
    Primitive(
        "permute",
        PermuteParams,
        hw.Permute,
        _sw("permute", "permute"),
        _permute_stimulus,
        IrSpec(
            streams=("a",),
            tied=(("start", "first"), ("en", "busy")),
            stateful=True,
            check=_permute_ir_check,
            # two vectors of registers, a word counter, a dimension-to-lanes multiplexer
            plan=lambda p: (
                {"permute_bits": float(p.dimension), "permute_words": 1.0},
                max(1, p.words.bit_length()),
            ),
        ),
        example=_permute_example,
        kernels=(_sw("permute", "_permute_kernel"),),
    )
)
register(
    Primitive(
        "hamming",
        HammingParams,
        hw.Hamming,
        _sw("hamming", "hamming"),
        _hamming_stimulus,
        example=_hamming_example,
    )
)
register(
    Primitive(
        "assoc_query",
        AssocQueryParams,
        hw.AssocQuery,
        _sw("assoc", "assoc_query"),
        _assoc_stimulus,
        example=_assoc_example,
        kernels=(_sw("assoc", "_assoc_query_kernel"),),
    )
)


# --------------------------------------------------------------------------------------------
# Spiking networks (scgen.params.snn, scgen.hw.snn, scgen.sw.snn)


def _snn_example(rng):
    """A chain of 1 to 3 layers of up to 6 neurons on up to 7 inputs, every option mixed."""
    from dataclasses import replace

    from .params.snn import Leak, Neuron, Reset

    n, layers = int(rng.integers(1, 8)), []
    for _ in range(int(rng.integers(1, 4))):
        n_out = int(rng.integers(1, 7))
        ww = _pick(rng, 2, 9)
        mw = _pick(rng, max(4, ww), 14)
        whi, mlo, mhi = (1 << (ww - 1)) - 1, -(1 << (mw - 1)), (1 << (mw - 1)) - 1
        bf = _pick(rng, 1, 9)
        layers.append(
            SnnLayerParams(
                weight=rng.integers(-whi - 1, whi, (n_out, n), endpoint=True).tolist(),
                # small biases and thresholds keep the neurons spiking; some hit the corners
                bias=np.clip(rng.integers(-3, 4, n_out) * (whi // 2 + 1), mlo, mhi).tolist(),
                threshold=np.clip(rng.integers(-2, 6, n_out) * (whi + 1), mlo, mhi).tolist(),
                leak=_choice(rng, Leak),
                leak_shift=_pick(rng, 1, mw - 1),
                beta=_pick(rng, 0, 1 << bf),
                beta_fraction=bf,
                reset=_choice(rng, Reset),
                v_reset=int(rng.integers(mlo, mhi, endpoint=True)) // 4,
                weight_width=ww,
                membrane_width=mw,
                pe=_pick(rng, 1, n_out),
                **_snn_synapse(rng, ww),
            )
        )
        n = n_out
    # neuron models drawn after the rest, independently of the synapses (so a layer may be
    # stochastic and CUBA): LIF or CUBA (an LI readout changes the graph's output type, which
    # the spike-output graph tests do not take; tests/test_snn_neurons.py has it)
    for k, la in enumerate(layers):
        layers[k] = replace(
            la,
            neuron=_choice(rng, (Neuron.LIF, Neuron.CUBA)),
            syn_leak=_choice(rng, Leak),
            syn_leak_shift=_pick(rng, 1, la.membrane_width - 1),
            alpha=_pick(rng, 0, 1 << la.beta_fraction),
        )
    return SnnParams(layers=tuple(layers))


def _snn_synapse(rng, ww):
    # a third of the layers stochastic, with short streams (the window grows with L)
    if rng.random() >= 1 / 3:
        return {}
    lw = _pick(rng, ww, 16)
    return {
        "synapse": "stochastic",
        "stream_length": 1 << _pick(rng, 0, min(ww - 1, 2)),
        "seed": _pick(rng, 1, (1 << lw) - 1),
        "lfsr_width": lw,
    }


def _snn_stimulus(params: SnnParams, rng, cycles):
    # bursts of back-to-back steps, idle gaps, starts while busy (ignored), sample restarts
    start = np.zeros(cycles, dtype=np.int64)
    t = 0
    while t < cycles:
        if rng.random() < 0.7:
            start[t : t + params.step_cycles() + 1] = 1
            t += params.step_cycles() + int(rng.integers(1, 3))
        else:
            t += int(rng.integers(1, 40))
    return {
        "start": start,
        "first": (rng.random(cycles) < 0.15).astype(np.int64),
        "s_in": rng.integers(0, 1 << params.n_in, cycles),
    }


register(
    Primitive(
        "snn_network",
        SnnParams,
        hw.SnnNetwork,
        _sw("snn", "snn"),
        _snn_stimulus,
        example=_snn_example,
        kernels=(_sw("snn", "_snn_kernel"),),
    )
)
