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

from amaranth.lib.wiring import In

from ..params import SOURCES
from ..primitives import PRIMITIVES, Primitive
from .graph import OPS, AttrDef, OpDef
from .types import RATE_BITS, Bitstream, Rate, SInt, Type, UInt, Words

__all__ = ["flatten_params", "params_from_attrs", "register_primitive_ops"]

_INT_RANGE = dict(lo=-(1 << 63), hi=(1 << 64) - 1)


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
                    seen.setdefault(
                        key, AttrDef(key, kind, None, **(_INT_RANGE if kind == "int" else {}))
                    )
            defs.extend(seen.values())
        else:
            kind = _kind(_plain(v))
            defs.append(AttrDef(f.name, kind, None, **(_INT_RANGE if kind == "int" else {})))
    if prim.ir is not None and not prim.ir.streams:
        defs.append(AttrDef("length", "int", 1024, "", 1, 1 << 32))
    return tuple(defs)


def flatten_params(params: object) -> dict[str, object]:
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


def params_from_attrs(prim: Primitive, attrs: dict) -> object:
    """Build the primitive's params from op attributes (None = the params default)."""
    kwargs: dict[str, object] = {}
    default = prim.params()
    for f in dataclasses.fields(default):
        nested = getattr(default, f.name)
        if dataclasses.is_dataclass(nested):
            name = attrs.get(f.name)
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


def _make_opdef(prim: Primitive) -> OpDef:
    spec = prim.ir
    operands = spec.streams + spec.values

    def check(types: list[Type], attrs: dict) -> list[str]:
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

    def result(types: list[Type], attrs: dict) -> Type:
        params = params_from_attrs(prim, attrs)
        streams = [t for t in types[: len(spec.streams)] if isinstance(t, Bitstream)]
        length = streams[0].length if streams else attrs["length"]
        source = spec.source(params) if spec.source is not None else ""
        if spec.words:
            return Words(params.width, length, source)
        encoding = spec.encoding(params, [t.encoding for t in streams])
        return Bitstream(length, encoding, source)

    return OpDef(prim.name, operands, _attr_defs(prim), result, check, positional=len(operands))


def register_primitive_ops() -> None:
    """Add an op for every registered primitive that has an IR spec (idempotent)."""
    for prim in PRIMITIVES.values():
        if prim.ir is not None and prim.name not in OPS:
            OPS[prim.name] = _make_opdef(prim)


register_primitive_ops()
