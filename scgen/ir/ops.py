"""Op kinds as objects: one object per IR op owns everything the IR knows about that op.

An :class:`OpKind` gives

* its operands, attributes and text syntax (used by the builders, the printer and the parser),
* its type rule: :meth:`OpKind.result` and :meth:`OpKind.check` (used by ``Graph.verify``),
* its hardware: :meth:`OpKind.hardware` adds what the op needs to a GraphTop's module and
  returns the op's result signal(s) (used by :class:`scgen.ir.lower.GraphTop`),
* its twin: :meth:`OpKind.twin` computes the op's result for many windows at once with the
  primitives' twins (used by :func:`scgen.sim.run_windows`),
* its compiled part: :meth:`OpKind.compiled` computes the same result in the compiled engine,
  on packed streams (:class:`Packed`, 64 cycles per word) where the op allows; an op without
  one runs its twin on unpacked operands (used by :func:`scgen.sim.run_windows`),
* its window timing: :meth:`OpKind.stream_length` and :meth:`OpKind.latency`,
* whether it keeps state from window to window: :meth:`OpKind.carries_state` (a graph none of
  whose ops does runs its windows independently, in parallel).
* its resource features: :meth:`OpKind.plan_features` (used by :mod:`scgen.sweep.planner`).

Every consumer iterates over a graph's ops and delegates to ``OPS[op.kind]``; nothing anywhere
branches on op kinds. :data:`OPS` holds the seed's ops (:mod:`scgen.ir.core_ops`) and makes an op
for every registered primitive that has an IR spec on first lookup (:mod:`scgen.ir.prims`), so a
primitive registered at any time is an op. :func:`register_op` refuses an op kind that lacks a
part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from amaranth.hdl import Module, Signal

    from .graph import Graph, Op
    from .types import Type

__all__ = [
    "OPS",
    "AttrDef",
    "HwContext",
    "OpKind",
    "OpTable",
    "Packed",
    "PlanContext",
    "TwinContext",
    "register_op",
]


@dataclass(frozen=True)
class AttrDef:
    """An attribute: name, value kind (``int``, ``float``, ``str``, ``ints``, ``type``,
    ``value``), default, the key printed in text (the seed's abbreviations) and the inclusive
    range for ints."""

    name: str
    kind: str
    default: object = None
    key: str = ""
    lo: int | None = None
    hi: int | None = None
    hex: bool = False

    @property
    def text_key(self) -> str:
        return self.key or self.name


@dataclass
class HwContext:
    """What an op's :meth:`~OpKind.hardware` sees of the GraphTop being elaborated.

    ``start`` is 1 on a window's first cycle (``t0``, inputs latched, sources reseeded),
    ``start_d`` on ``t0 + 1`` (the first stream cycle), ``run`` on the stream cycles
    ``t0 + 1 .. t0 + L``, ``run_d`` one cycle later, ``last`` on ``t0 + L + 1`` (counts final,
    window-level ops step). ``producer`` maps a result id to the op that defines it.
    """

    m: Module
    top: Any  # the GraphTop: its ports and options
    graph: Graph
    types: dict[int, Type]
    producer: dict[int, Op]
    length: int
    latency: int
    start: Signal
    start_d: Signal
    run: Signal
    run_d: Signal
    last: Signal
    busy: Signal
    index: int = 0  # the op being elaborated

    def name(self, op: Op, suffix: str = "") -> str:
        """A unique submodule name for the op being elaborated."""
        return f"op{self.index}_{op.kind}{suffix}"


@dataclass(frozen=True)
class Packed:
    """A bitstream over windows in the compiled engine, 64 cycles per word.

    ``words`` is ``(rows, ceil(length / 64))`` uint64: bit ``t % 64`` of word ``t // 64`` is
    cycle ``t``, bits past ``length`` are 0. ``rows`` is the number of windows, or 1 when every
    window carries the same stream (a constant encoded once).
    """

    words: np.ndarray
    length: int

    def unpack(self, windows: int) -> np.ndarray:
        """The per-cycle bits ``(windows, length)`` (int64), as an op's twin takes them."""
        from ..sw.packed import unpack_streams

        bits = unpack_streams(self.words, self.length)
        return np.repeat(bits, windows, axis=0) if len(bits) == 1 else bits


@dataclass
class TwinContext:
    """What an op's :meth:`~OpKind.twin` sees: ``windows`` windows of ``length`` stream cycles.

    Window-level values are arrays ``(windows,)``, per-cycle values ``(windows, length)``;
    ``outputs`` collects the graph's output ports. In the compiled engine streams may also be
    :class:`Packed`; ``engine`` records how each op ran (op index -> description) and ``cache``
    keeps values computed once per graph (constant streams) across calls.

    ``fresh`` is True when every window starts from reset (the user asked for fresh state, or
    no op of the graph carries state across windows): ops then run their windows
    independently, and may run them in parallel.
    """

    graph: Graph
    types: dict[int, Type]
    producer: dict[int, Op]
    length: int
    windows: int
    ports: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    index: int = 0
    engine: dict[int, str] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)
    fresh: bool = False

    def window(self, w: int) -> TwinContext:
        """This context for window ``w`` alone (its own report, a fresh cache)."""
        ports = {k: v[w : w + 1] for k, v in self.ports.items()}
        return TwinContext(self.graph, self.types, self.producer, self.length, 1, ports)

    def ran(self, how: str) -> None:
        """Record how the op being run computed its result (for the engine report)."""
        self.engine[self.index] = how

    def plain(self, value: Any) -> Any:
        """An operand as the twins take it: packed streams unpacked to ``(windows, length)``."""
        return value.unpack(self.windows) if isinstance(value, Packed) else value

    def packed(self, value: Any) -> Packed:
        """A stream operand as :class:`Packed` (a twin's ``(windows, length)`` bits are packed)."""
        if isinstance(value, Packed):
            return value
        from ..sw.packed import pack_streams

        return Packed(pack_streams(value), self.length)


@dataclass
class PlanContext:
    """What an op's :meth:`~OpKind.plan_features` sees of the graph being planned.

    ``comb`` maps a result id to the carry-chain bits of combinational logic in front of it
    (an op whose result is combinational adds its own, its consumer's path runs on through
    it); ``value_bits`` maps a result id to the bits that can be non-zero (a count of up to
    ``length`` in a 64-bit word has ``length.bit_length()``), where an op knows it.
    ``family`` is the FPGA family planned for (where :meth:`rom` puts a ROM).
    """

    types: dict[int, Type]
    producer: dict[int, Op]
    length: int
    comb: dict[int, int] = field(default_factory=dict)
    value_bits: dict[int, int] = field(default_factory=dict)
    family: str = "ice40"

    def rom(self, width: int, depth: int) -> dict[str, float]:
        """The features of a ``width``-bit, ``depth``-word ROM (one synchronous read port)
        where Yosys puts it on the family (:func:`scgen.mapping.map_rom`): block RAMs
        (``rom_blocks``, with ``rom_mux_bits`` read multiplexer inputs when the depth spans
        several) or logic (``rom_logic_bits``, and ``rom_logic_width`` data registers)."""
        from ..mapping import map_rom

        m = map_rom(self.family, width, depth)
        if m.blocks:
            return {"rom_blocks": float(m.blocks), "rom_mux_bits": float(m.mux_bits)}
        return {"rom_logic_bits": float(m.logic_bits), "rom_logic_width": float(width)}

    @staticmethod
    def bits(t: Type) -> int:
        """The bits a value of type ``t`` takes in hardware (a rate is ``RATE_BITS``)."""
        from .types import RATE_BITS, Fixed, Rate, SInt, Spikes, UInt, Vec, Words

        if isinstance(t, Rate):
            return RATE_BITS
        if isinstance(t, Words):
            return t.bits
        if isinstance(t, Spikes):
            return t.width
        if isinstance(t, Vec):
            return t.n * PlanContext.bits(t.elem)
        if isinstance(t, UInt | SInt | Fixed):
            return t.width
        return 1

    def operand_bits(self, result: int) -> int:
        """The bits of ``result`` that can be non-zero."""
        return min(self.bits(self.types[result]), self.value_bits.get(result, 1 << 30))

    def is_constant(self, result: int) -> bool:
        """Whether ``result`` is known at elaboration (made by a constant op)."""
        return OPS[self.producer[result].kind].is_constant


class OpKind:
    """Base of every op kind; subclasses set the class attributes and override the methods.

    ``syntax`` is how the op is written in text: ``"args"`` (``sc.kind %a, key=value``),
    ``"named"`` (``sc.input "x" : T`` and ``sc.output "y" %a``) or ``"literal"``
    (``sc.constant 0.5 : rate``). ``positional`` operands are printed first, the others as
    ``key=%id``. ``has_result`` is False only for outputs.
    """

    kind: ClassVar[str] = ""
    operands: ClassVar[tuple[str, ...]] = ()
    attrs: ClassVar[tuple[AttrDef, ...]] = ()
    positional: ClassVar[int] = 1
    syntax: ClassVar[str] = "args"
    has_result: ClassVar[bool] = True
    is_constant: ClassVar[bool] = False  # its value is known at elaboration

    # -- type rule ------------------------------------------------------------------------
    def result(self, types: list[Type], attrs: dict) -> Type | None:
        """The result type for these operand types and attributes."""
        raise NotImplementedError

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        """Problems with these operand types and attributes, one sentence each."""
        return []

    def attrs_from_type(self, declared: Type, attrs: dict) -> None:
        """Fill attributes a printed result type implies (the parser calls this)."""

    # -- hardware and twin ----------------------------------------------------------------
    def lowering_problems(self, op: Op, types: dict[int, Type]) -> list[str]:
        """Reasons a verified op cannot be lowered (yet); empty when it can."""
        return []

    def stream_length(self, op: Op) -> int | None:
        """The window length the op fixes by itself (beyond its types), or None."""
        return None

    def latency(self, op: Op) -> int:
        """Cycles from a stream bit to this op's per-cycle result."""
        return 0

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        """Add the op's hardware to ``ctx.m``; return its result signal(s)."""
        raise NotImplementedError

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        """Compute the op's result for ``ctx.windows`` windows from its operands' values."""
        raise NotImplementedError

    def carries_state(self, op: Op) -> bool:
        """True when the op's result in a window depends on earlier windows (state the
        hardware keeps from window to window, e.g. a neuron's membrane). An op kind that does
        not say so is taken to carry state."""
        return True

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        """Compute the op's result in the compiled engine; operands may be :class:`Packed`.

        Ops whose result is a stream return it :class:`Packed` where they can. This default
        runs the op's :meth:`twin` on unpacked operands (per cycle over ``(windows, length)``
        arrays, or per window); with ``ctx.fresh``, an op that carries state runs its twin on
        one window at a time, each from reset.
        """
        from .ports import per_cycle

        plain = [ctx.plain(a) for a in args]
        if ctx.fresh and ctx.windows > 1 and self.carries_state(op):
            value = _concat_windows(
                [
                    self.twin(ctx.window(w), op, [_window_of(a, w) for a in plain])
                    for w in range(ctx.windows)
                ]
            )
            fresh = ", each window alone"
        else:
            value, fresh = self.twin(ctx, op, plain), ""
        if op.result is None:
            ctx.ran("twin" + fresh)
        else:
            how = "per cycle" if per_cycle(ctx.types[op.result]) else "per window"
            ctx.ran(f"twin, {how}{fresh}")
        return value

    # -- planner --------------------------------------------------------------------------
    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        """The op's resource features for the planner and its longest carry chain in bits.

        Each resource (LUT, FF, carry, BRAM, DSP) is a non-negative linear model of the
        features, fitted on real builds (:mod:`scgen.sweep.calibrate`); name features after
        the op (``"cordiv_lanes"``) and add graphs that use it to the calibration set. None:
        the planner has no model of this op (the default).
        """
        return None

    def plan_notes(self, op: Op) -> list[str]:
        """Lines ``scgen plan`` prints about the op beside its resources (its schedule, say);
        none by default."""
        return []

    def __repr__(self) -> str:
        return f"<op sc.{self.kind}>"


def _window_of(value: Any, w: int) -> Any:
    """Window ``w`` of an operand's twin value (an array over windows, or a dict of them)."""
    if isinstance(value, dict):
        return {k: _window_of(v, w) for k, v in value.items()}
    return np.asarray(value)[w : w + 1]


def _concat_windows(values: list[Any]) -> Any:
    """One value over windows from the values of single windows (see :func:`_window_of`)."""
    if isinstance(values[0], dict):
        return {k: _concat_windows([v[k] for v in values]) for k in values[0]}
    return np.concatenate([np.asarray(v) for v in values])


_PARTS = ("result", "hardware", "twin")


class OpTable(Mapping[str, OpKind]):
    """The op kinds by name: registered ops, then every registered primitive with an IR spec
    (made on first lookup, so registering a primitive later still gives an op)."""

    def __init__(self) -> None:
        self._ops: dict[str, OpKind] = {}
        self._factory: Callable[[str], OpKind | None] | None = None
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            # the seed's ops register themselves; prims installs the primitive factory
            from . import core_ops, prims, snn_op  # noqa: F401

    def __getitem__(self, kind: str) -> OpKind:
        op = self._ops.get(kind)
        if op is None:
            self._load()
            op = self._ops.get(kind)
        if op is None:
            op = self._factory(kind) if self._factory is not None else None
            if op is None:
                raise KeyError(kind)
            self._ops[kind] = op
        return op

    def __iter__(self) -> Iterator[str]:
        from ..primitives import PRIMITIVES

        self._load()
        names = list(self._ops)
        names += [n for n, p in PRIMITIVES.items() if p.ir is not None and n not in self._ops]
        return iter(names)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, kind: object) -> bool:
        if not isinstance(kind, str):
            return False
        try:
            self[kind]
        except KeyError:
            return False
        return True


OPS = OpTable()


def register_op(op: OpKind) -> OpKind:
    """Add an op kind to :data:`OPS`; it must have a name, a type rule, hardware and a twin."""
    if not isinstance(op, OpKind):
        raise TypeError(f"register_op needs an OpKind, not {op!r}")
    if not op.kind or not op.kind.isidentifier():
        raise ValueError(f"An op kind needs an identifier name, not {op.kind!r}")
    missing = [p for p in _PARTS if getattr(type(op), p) is getattr(OpKind, p)]
    if missing:
        raise TypeError(
            f"Op kind {op.kind!r} lacks its {', '.join(missing)}; every op has all of "
            f"{', '.join(_PARTS)}"
        )
    from ..primitives import PRIMITIVES

    if op.kind in OPS._ops or op.kind in PRIMITIVES:
        raise ValueError(f"Op kind {op.kind!r} is already registered")
    OPS._ops[op.kind] = op
    return op
