"""The SC compute graph: SSA ops with typed results, the op table, and verification.

A :class:`Graph` is an immutable, structurally comparable sequence of :class:`Op`. Each op has a
kind from :data:`OPS`, operand ids (results of earlier ops), attributes (every parameter, with its
default filled in) and a result type inferred from its operands and attributes. ``verify()``
reports every problem (SSA, define-before-use, cycles, arity, operand types, widths, stream
lengths, correlated operands), each naming the op, the operand and the rule.

Semantics (scgen's, where the seed's IR was loose): a ``rate`` is a probability and becomes a
16-bit full-scale comparator threshold in hardware, so 0.5 encodes as 0.5; ``popcount`` counts the
ones of a whole stream; widths come from the types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..params import LfsrParams
from .types import Bitstream, Bool, Fixed, Rate, SInt, Tuple, Type, UInt, Vec

__all__ = ["OPS", "AttrDef", "Graph", "Op", "OpDef", "Problem", "VerifyError"]


class VerifyError(ValueError):
    """A graph that does not verify; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


@dataclass(frozen=True)
class Problem:
    """One verification finding: ``op[index] (kind): message``."""

    index: int
    kind: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"op[{self.index}] ({self.kind}): {self.message}"


@dataclass(frozen=True)
class AttrDef:
    """An attribute: name, value kind (``int``, ``float``, ``str``, ``type``, ``value``), default,
    the key printed in text (the seed's abbreviations) and the inclusive range for ints."""

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


@dataclass(frozen=True)
class OpDef:
    """An op kind: operand names, attributes, and the inferred result type."""

    kind: str
    operands: tuple[str, ...]
    attrs: tuple[AttrDef, ...]
    result: Callable[[list[Type], dict], Type | None]
    check: Callable[[list[Type], dict], list[str]] = field(default=lambda types, attrs: [])
    positional: int = 1  # operands printed before the key=value list; the rest as key=%id


@dataclass(frozen=True)
class Op:
    """One SSA op. ``result`` is None only for outputs; ``attrs`` is sorted by the op's
    attribute order, defaults included."""

    kind: str
    result: int | None
    operands: tuple[int, ...]
    attrs: tuple[tuple[str, object], ...]

    def attr(self, name: str) -> object:
        for k, v in self.attrs:
            if k == name:
                return v
        raise KeyError(f"Op {self.kind!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------
# op table


def _is_stream(t: Type) -> bool:
    return isinstance(t, Bitstream)


def _encode_type(types: list[Type], a: dict) -> Type:
    return Bitstream(a["length"], "unipolar", LfsrParams(seed=a["seed"]).identity())


def _encode_check(types: list[Type], a: dict) -> list[str]:
    t = types[0]
    if not isinstance(t, Rate | UInt):
        return [f"operand 'prob' must be a rate or an unsigned integer, not {t}"]
    if isinstance(t, UInt) and t.bits > 16:
        return [f"operand 'prob' must be at most 16 bits wide to drive a 16-bit encoder, not {t}"]
    return []


def _and_type(types: list[Type], a: dict) -> Type:
    lhs = types[0]
    length = lhs.length if isinstance(lhs, Bitstream) else 0
    return Bitstream(length, "unipolar", "")


def _and_check(types: list[Type], a: dict) -> list[str]:
    out = []
    for name, t in zip(("lhs", "rhs"), types, strict=True):
        if not _is_stream(t):
            out.append(f"operand '{name}' must be a bitstream, not {t}")
    if out:
        return out
    lhs, rhs = types
    if lhs.length and rhs.length and lhs.length != rhs.length:
        out.append(f"operands must have the same stream length, not {lhs.length} and {rhs.length}")
    if lhs.encoding != "unipolar" or rhs.encoding != "unipolar":
        out.append("operands of an AND product must be unipolar streams")
    return out


def _popcount_type(types: list[Type], a: dict) -> Type:
    return UInt(a["width"])


def _popcount_check(types: list[Type], a: dict) -> list[str]:
    t = types[0]
    if not _is_stream(t):
        return [f"operand 'input' must be a bitstream, not {t}"]
    need = max(1, t.length.bit_length())
    if a["width"] < need:
        return [
            f"result width {a['width']} cannot hold a count of up to {t.length}; needs {need} bits"
        ]
    return []


def _lif_type(types: list[Type], a: dict) -> Type:
    return Tuple((Bool(), Fixed(a["data_width"], a["fraction"])))


def _lif_check(types: list[Type], a: dict) -> list[str]:
    out = []
    for name, t in zip(("current", "leak", "gain", "noise"), types, strict=True):
        if not isinstance(t, Fixed | SInt | UInt):
            out.append(f"operand '{name}' must be a fixed-point or integer value, not {t}")
        elif isinstance(t, Fixed) and t.frac != a["fraction"]:
            out.append(
                f"operand '{name}' is {t} but the neuron computes with {a['fraction']} "
                f"fraction bits"
            )
        elif t.width > a["data_width"]:
            out.append(
                f"operand '{name}' is {t.width} bits wide, wider than the neuron's "
                f"data_width {a['data_width']}"
            )
    if a["fraction"] >= a["data_width"]:
        out.append(f"fraction {a['fraction']} must be below data_width {a['data_width']}")
    return out


def _dense_type(types: list[Type], a: dict) -> Type:
    return Vec(Bool(), a["n_neurons"])


def _dense_check(types: list[Type], a: dict) -> list[str]:
    out = []
    for name, t in zip(("inputs", "weights"), types[:2], strict=True):
        if not (isinstance(t, Vec) and isinstance(t.elem, Rate | Fixed | UInt)):
            out.append(f"operand '{name}' must be a vector of rates or numbers, not {t}")
    if not out:
        if types[0].n != a["n_inputs"]:
            out.append(
                f"operand 'inputs' has {types[0].n} elements, expected n_inputs {a['n_inputs']}"
            )
        if types[1].n not in (a["n_inputs"], a["n_inputs"] * a["n_neurons"]):
            out.append(
                f"operand 'weights' has {types[1].n} elements, expected n_inputs "
                f"({a['n_inputs']}) or n_inputs x n_neurons "
                f"({a['n_inputs'] * a['n_neurons']})"
            )
    return out


def _rate_in(name: str) -> Callable[[list[Type], dict], list[str]]:
    def check(types: list[Type], a: dict) -> list[str]:
        t = types[0]
        if not isinstance(t, Rate | Fixed | UInt | SInt):
            return [f"operand '{name}' must be a number, not {t}"]
        return []

    return check


def _div_type(types: list[Type], a: dict) -> Type:
    t = types[0]
    return t if isinstance(t, UInt) else UInt(64)


def _div_check(types: list[Type], a: dict) -> list[str]:
    if not isinstance(types[0], UInt):
        return [f"operand 'input' must be an unsigned integer, not {types[0]}"]
    return []


_U16 = dict(lo=0, hi=0xFFFF)
_LIF_ATTRS = (
    AttrDef("data_width", "int", 16, "dw", 2, 32),
    AttrDef("fraction", "int", 8, "frac", 0, 31),
    AttrDef("v_threshold", "int", 256, "vt", -(1 << 31), (1 << 31) - 1),
    AttrDef("refractory_period", "int", 2, "rp", 0, (1 << 32) - 1),
    AttrDef("v_rest", "int", 0, "", -(1 << 31), (1 << 31) - 1),
    AttrDef("v_reset", "int", 0, "", -(1 << 31), (1 << 31) - 1),
)

OPS: dict[str, OpDef] = {
    d.kind: d
    for d in (
        OpDef(
            "input",
            (),
            (AttrDef("name", "str"), AttrDef("type", "type")),
            lambda types, a: a["type"],
        ),
        OpDef("output", ("source",), (AttrDef("name", "str"),), lambda types, a: None),
        OpDef(
            "constant",
            (),
            (AttrDef("value", "value"), AttrDef("type", "type")),
            lambda types, a: a["type"],
        ),
        OpDef(
            "encode",
            ("prob",),
            (
                AttrDef("length", "int", 1024, "", 1, 1 << 32),
                AttrDef("seed", "int", 0xACE1, "", 1, 0xFFFF, hex=True),
            ),
            _encode_type,
            _encode_check,
        ),
        OpDef("and", ("lhs", "rhs"), (), _and_type, _and_check, positional=2),
        OpDef(
            "popcount",
            ("input",),
            (AttrDef("width", "int", 64, "", 1, 64),),
            _popcount_type,
            _popcount_check,
        ),
        OpDef("lif_step", ("current", "leak", "gain", "noise"), _LIF_ATTRS, _lif_type, _lif_check),
        OpDef(
            "dense_forward",
            ("inputs", "weights", "leak", "gain"),
            (
                AttrDef("n_inputs", "int", 3, "ni", 1, 1 << 16),
                AttrDef("n_neurons", "int", 7, "nn", 1, 1 << 16),
                AttrDef("stream_length", "int", 1024, "len", 1, 1 << 32),
                AttrDef("data_width", "int", 16, "dw", 2, 32),
                AttrDef("input_seed_base", "int", 0xACE1, "", **_U16, hex=True),
                AttrDef("weight_seed_base", "int", 0xBEEF, "", **_U16, hex=True),
                AttrDef("y_min", "int", 0, "", 0, (1 << 32) - 1),
                AttrDef("y_max", "int", 256, "", 0, (1 << 32) - 1),
            ),
            _dense_type,
            _dense_check,
        ),
        OpDef(
            "scale",
            ("input",),
            (AttrDef("factor", "float", 1.0, "", -(1 << 24), 1 << 24),),
            lambda types, a: Rate(),
            _rate_in("input"),
        ),
        OpDef(
            "offset",
            ("input",),
            (AttrDef("offset", "float", 0.0, "", -(1 << 16), 1 << 16),),
            lambda types, a: Rate(),
            _rate_in("input"),
        ),
        OpDef(
            "div_const",
            ("input",),
            (AttrDef("divisor", "int", 1, "", 1, (1 << 64) - 1),),
            _div_type,
            _div_check,
        ),
    )
}


# --------------------------------------------------------------------------------------------
# graph


@dataclass(frozen=True)
class Graph:
    """An SC compute graph: a name and SSA ops in definition order."""

    name: str
    ops: tuple[Op, ...] = ()

    def __len__(self) -> int:
        return len(self.ops)

    def __repr__(self) -> str:
        return f"Graph({self.name!r}, ops={len(self.ops)})"

    @property
    def inputs(self) -> list[Op]:
        return [op for op in self.ops if op.kind == "input"]

    @property
    def outputs(self) -> list[Op]:
        return [op for op in self.ops if op.kind == "output"]

    def result_types(self) -> dict[int, Type]:
        """Infer the type of every result whose operands are defined (ids to types)."""
        types: dict[int, Type] = {}
        for op in self.ops:
            d = OPS.get(op.kind)
            if d is None or op.result is None:
                continue
            if any(o not in types for o in op.operands):
                continue
            try:
                t = d.result([types[o] for o in op.operands], dict(op.attrs))
            except (ValueError, TypeError, AttributeError):
                continue
            if t is not None:
                types[op.result] = t
        return types

    def verify(self) -> list[Problem]:
        """Return every problem of the graph (empty when it is well formed and well typed).

        Problems of severity ``warning`` (correlated operands) do not make a graph invalid.
        """
        problems: list[Problem] = []
        defined: dict[int, int] = {}
        all_results = {op.result: i for i, op in enumerate(self.ops) if op.result is not None}
        types: dict[int, Type] = {}
        names: dict[tuple[str, str], int] = {}
        for i, op in enumerate(self.ops):
            d = OPS.get(op.kind)

            def report(msg: str, severity: str = "error", i: int = i, op: Op = op) -> None:
                problems.append(Problem(i, op.kind, msg, severity))

            if d is None:
                report(f"unknown op kind {op.kind!r}")
                continue
            if op.result is not None and op.result in defined:
                report(f"%{op.result} is already defined by op[{defined[op.result]}]")
            if len(op.operands) != len(d.operands):
                report(
                    f"takes {len(d.operands)} operands ({', '.join(d.operands) or 'none'}), "
                    f"not {len(op.operands)}"
                )
            ok = len(op.operands) == len(d.operands)
            for name, o in zip(d.operands, op.operands, strict=False):
                if o not in defined:
                    if o in all_results and self._reaches(all_results[o], i, all_results):
                        report(
                            f"operand '{name}' %{o} forms a cycle: op[{all_results[o]}] "
                            f"depends on this op"
                        )
                    else:
                        where = "later" if o in all_results else "nowhere"
                        report(f"operand '{name}' %{o} is not defined before use (defined {where})")
                    ok = False
            attrs = dict(op.attrs)
            for a in d.attrs:
                if a.name not in attrs:
                    report(f"attribute {a.name!r} is missing")
                    ok = False
            if op.kind in ("input", "output"):
                key = (op.kind, attrs.get("name", ""))
                if key in names:
                    report(f"{op.kind} name {key[1]!r} is already used by op[{names[key]}]")
                names[key] = i
            if ok:
                operand_types = [types[o] for o in op.operands if o in types]
                if len(operand_types) == len(op.operands):
                    for msg in d.check(operand_types, attrs):
                        report(msg)
                    streams = [
                        (n, t)
                        for n, t in zip(d.operands, operand_types, strict=True)
                        if _is_stream(t) and t.source
                    ]
                    for k, (n1, t1) in enumerate(streams):
                        for n2, t2 in streams[k + 1 :]:
                            if t1.source == t2.source:
                                report(
                                    f"operands '{n1}' and '{n2}' come from the same source "
                                    f"{t1.source!r}: their product is correlated",
                                    "warning",
                                )
                    try:
                        t = d.result(operand_types, attrs)
                    except (ValueError, TypeError) as exc:
                        report(f"result type: {exc}")
                        t = None
                    if t is not None and op.result is not None:
                        types[op.result] = t
            if op.result is not None and op.result not in defined:
                defined[op.result] = i
        from .names import problems as hardware_problems  # names, attribute values (issue 15)

        return problems + hardware_problems(self)

    def _reaches(self, start: int, target: int, results: dict[int, int]) -> bool:
        """True when op[start] depends (through operands) on op[target]."""
        seen, todo = set(), [start]
        while todo:
            k = todo.pop()
            if k == target:
                return True
            if k in seen:
                continue
            seen.add(k)
            todo.extend(results[o] for o in self.ops[k].operands if o in results)
        return False

    def check(self) -> Graph:
        """Raise :class:`VerifyError` if ``verify()`` finds errors; return the graph."""
        errors = [p for p in self.verify() if p.severity == "error"]
        if errors:
            raise VerifyError(errors)
        return self

    def emit_sv(self) -> str:
        """Return the graph's hardware (:class:`scgen.ir.lower.GraphTop`) as Verilog-2005 text
        (also valid SystemVerilog): :func:`scgen.emit.verilog` with ``sv=False``."""
        from ..emit import verilog

        return verilog(self, sv=False)

    def to_text(self) -> str:
        """Print the graph in the ``sc.graph @name { ... }`` format (see :mod:`scgen.ir.text`)."""
        from .text import print_graph

        return print_graph(self)
