"""IR ops for the registered primitives, made from the registry (never edited per primitive).

Every :data:`scgen.primitives.PRIMITIVES` entry with an :class:`~scgen.primitives.IrSpec`
becomes an op of the same name (``sc.encoder``, ``sc.mul_xnor``, ``sc.add_mux``, ...). Its
attributes are the fields of the primitive's params, flattened: a nested source is spelled
``source="lfsr", source.width=16, source.seed=0xACE1, ...``; enums by their values. Ops whose
operands are all held values (an encoder's ``x``) take a ``length`` attribute.

Sources (``sc.lfsr``, ``sc.sobol``) give a ``words<W, L>`` stream of their states. The counter and
the LIF neuron are the IR's ``popcount`` and ``lif_step``.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import TYPE_CHECKING, Any

import numpy as np
from amaranth.hdl import ResetInserter
from amaranth.lib.wiring import In

from ..params import SOURCES
from ..primitives import PRIMITIVES, Primitive
from .ops import OPS, AttrDef, HwContext, OpKind, Packed, PlanContext, TwinContext
from .types import RATE_BITS, Bitstream, Rate, SInt, Type, UInt, Words

if TYPE_CHECKING:
    from .graph import Op

__all__ = ["PrimitiveOp", "flatten_params", "params_from_attrs", "primitive_op"]

_INT_LO, _INT_HI = -(1 << 63), (1 << 64) - 1


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "int"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, tuple):
        return "ints"
    return "str"


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _attr_def(name: str, kind: str) -> AttrDef:
    """A params field as an attribute (ints range over 64 bits; the params check the rest)."""
    if kind == "int":
        return AttrDef(name, kind, None, lo=_INT_LO, hi=_INT_HI)
    return AttrDef(name, kind, None)


def _attr_defs(prim: Primitive) -> tuple[AttrDef, ...]:
    defs = []
    default = prim.params()
    for f in dataclasses.fields(default):
        v = getattr(default, f.name)
        if dataclasses.is_dataclass(v):
            defs.append(AttrDef(f.name, "str", None))
            seen: dict[str, AttrDef] = {}
            for cls in SOURCES.values():
                for g in dataclasses.fields(cls):
                    sample = _plain(getattr(cls(), g.name))
                    key = f"{f.name}.{g.name}"
                    # the only field whose default is None (LFSR taps) holds a tuple of ints
                    kind = "ints" if sample is None else _kind(sample)
                    seen.setdefault(key, _attr_def(key, kind))
            defs.extend(seen.values())
        else:
            kind = _kind(_plain(v))
            defs.append(_attr_def(f.name, kind))
    if prim.ir is not None and not prim.ir.streams:
        defs.append(AttrDef("length", "int", 1024, "", 1, 1 << 32))
    return tuple(defs)


def flatten_params(params: Any) -> dict[str, object]:
    """Return the IR attributes of a params dataclass (see the module docstring)."""
    out: dict[str, object] = {}
    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        if dataclasses.is_dataclass(v):
            out[f.name] = next(k for k, cls in SOURCES.items() if isinstance(v, cls))
            for g in dataclasses.fields(v):
                out[f"{f.name}.{g.name}"] = _plain(getattr(v, g.name))
        else:
            out[f.name] = _plain(v)
    return out


def params_from_attrs(prim: Primitive, attrs: dict) -> Any:
    """Build the primitive's params from op attributes (None = the params default)."""
    kwargs: dict[str, object] = {}
    default = prim.params()
    for f in dataclasses.fields(default):
        nested = getattr(default, f.name)
        if dataclasses.is_dataclass(nested):
            name = attrs.get(f.name)
            cls: Any
            if name is None:
                cls = type(nested)
            elif name in SOURCES:
                cls = SOURCES[name]
            else:
                raise ValueError(
                    f"{f.name} must be one of {', '.join(map(repr, SOURCES))}, not {name!r}"
                )
            sub = {g.name: attrs.get(f"{f.name}.{g.name}") for g in dataclasses.fields(cls)}
            kwargs[f.name] = cls(**{k: v for k, v in sub.items() if v is not None})
        elif attrs.get(f.name) is not None:
            kwargs[f.name] = attrs[f.name]
    return prim.params(**kwargs)


class PrimitiveOp(OpKind):
    """The op of a registered primitive: its ports become operands, its params attributes."""

    def __init__(self, prim: Primitive):
        assert prim.ir is not None
        self.prim = prim
        self.spec = prim.ir
        self.kind = prim.name  # type: ignore[misc]
        self.operands = prim.ir.streams + prim.ir.values  # type: ignore[misc]
        self.attrs = _attr_defs(prim)  # type: ignore[misc]
        self.positional = len(self.operands)  # type: ignore[misc]

    def params(self, op: Op) -> Any:
        return params_from_attrs(self.prim, dict(op.attrs))

    def carries_state(self, op: Op) -> bool:
        return self.spec.stateful

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        prim, spec = self.prim, self.spec
        out = []
        try:
            params = params_from_attrs(prim, attrs)
        except (TypeError, ValueError) as exc:
            return [f"parameters: {exc}"]
        streams = types[: len(spec.streams)]
        for name, t in zip(spec.streams, streams, strict=True):
            if not isinstance(t, Bitstream):
                out.append(f"operand '{name}' must be a bitstream, not {t}")
        lengths = {t.length for t in streams if isinstance(t, Bitstream) and t.length}
        if len(lengths) > 1:
            out.append(f"stream operands must have one length, not {sorted(lengths)}")
        dut = prim.hw(params)
        for name, t in zip(spec.values, types[len(spec.streams) :], strict=True):
            port = dut.signature.members[name].shape
            width = getattr(port, "width", port)
            if isinstance(t, Rate):
                if width != RATE_BITS or getattr(port, "signed", False):
                    out.append(
                        f"operand '{name}' is a rate ({RATE_BITS}-bit full scale) but "
                        f"the port is {port}"
                    )
            elif isinstance(t, UInt | SInt):
                if t.width > width or isinstance(t, SInt) != getattr(port, "signed", False):
                    out.append(f"operand '{name}' of type {t} does not fit the port {port}")
            else:
                out.append(f"operand '{name}' must be a rate or an integer, not {t}")
        fed = set(spec.streams) | set(spec.values) | {port for port, _ in spec.tied}
        for name, member in dut.signature.members.items():
            if member.flow == In and name not in fed:
                out.append(
                    f"parameters give the hardware an input '{name}' that the op cannot feed"
                )
        if spec.check is not None and not out:
            out.extend(spec.check(params, types))
        dut._MustUse__silence = True  # built only to read its port shapes
        return out

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        spec = self.spec
        params = params_from_attrs(self.prim, attrs)
        streams = [t for t in types[: len(spec.streams)] if isinstance(t, Bitstream)]
        length = streams[0].length if streams else attrs["length"]
        source = spec.source(params) if spec.source is not None else ""
        if spec.words:
            return Words(params.width, length, source)
        encoding = spec.encoding(params, [t.encoding for t in streams])
        return Bitstream(length, encoding, source)

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        spec = self.spec
        dut = self.prim.hw(self.params(op))
        ctx.m.submodules[ctx.name(op)] = dut if spec.stateful else ResetInserter(ctx.start)(dut)
        for port, value in zip(spec.streams + spec.values, args, strict=True):
            ctx.m.d.comb += getattr(dut, port).eq(value)
        window_signals = {"first": ctx.start_d, "busy": ctx.busy}
        for port, tied in spec.tied:
            ctx.m.d.comb += getattr(dut, port).eq(
                window_signals[tied] if isinstance(tied, str) else tied
            )
        return getattr(dut, spec.output)

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        spec, windows, length = self.spec, ctx.windows, ctx.length
        ins = dict(zip(spec.streams, args, strict=False))
        for port, value in zip(spec.values, args[len(spec.streams) :], strict=True):
            ins[port] = np.broadcast_to(np.asarray(value)[:, None], (windows, length))
        first = np.zeros((windows, length), dtype=np.int64)
        first[:, 0] = 1
        window_signals = {"first": first, "busy": np.ones((windows, length), np.int64)}
        for port, tied in spec.tied:
            ins[port] = (
                window_signals[tied] if isinstance(tied, str) else np.full((windows, length), tied)
            )
        if spec.stateful:  # one instance over the stream cycles of every window in a row
            ins = {port: np.asarray(v).reshape(-1) for port, v in ins.items()}
        out = self.prim.twin(self.params(op), **ins)._asdict()
        return np.asarray(out[spec.output]).reshape(windows, length)

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        # the primitive's packed part where it has one (IrSpec.packed), else its twin
        spec = self.spec
        if spec.packed is None:
            return super().compiled(ctx, op, args)
        n = len(spec.streams)
        # held values only, all graph constants: one stream for every window, once per graph
        once = n == 0 and all(OPS[ctx.producer[o].kind].is_constant for o in op.operands)
        key = ("packed", ctx.index)
        words = ctx.cache.get(key) if once else None
        if words is None:
            ports = {port: ctx.packed(a).words for port, a in zip(spec.streams, args, strict=False)}
            for port, value in zip(spec.values, args[n:], strict=True):
                ports[port] = np.asarray(value)[:1] if once else np.asarray(value)
            words = spec.packed(self.params(op), ctx.length, **ports)
            if words is None:
                return super().compiled(ctx, op, args)
            if once:
                ctx.cache[key] = words
        ctx.ran("packed (constant, encoded once)" if once else "packed")
        return Packed(np.asarray(words, dtype=np.uint64), ctx.length)

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        if self.spec.plan is None:
            return None
        features, chain = self.spec.plan(self.params(op))
        # a value operand's combinational logic (a scale in front) runs on into the op
        behind = max((ctx.comb.get(v, 0) for v in op.operands[len(self.spec.streams) :]), default=0)
        return features, chain + behind if chain else chain


def primitive_op(kind: str) -> OpKind | None:
    """The op of the registered primitive ``kind`` (None when there is none with an IR spec)."""
    prim = PRIMITIVES.get(kind)
    if prim is None or prim.ir is None:
        return None
    return PrimitiveOp(prim)


OPS._factory = primitive_op
