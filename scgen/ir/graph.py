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

import hashlib
from dataclasses import dataclass
from typing import Any

from .ops import OPS, AttrDef
from .types import Bitstream, Type

__all__ = ["OPS", "AttrDef", "Graph", "Op", "Problem", "VerifyError", "ir_hash"]


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
class Op:
    """One SSA op. ``result`` is None only for outputs; ``attrs`` is sorted by the op's
    attribute order, defaults included."""

    kind: str
    result: int | None
    operands: tuple[int, ...]
    attrs: tuple[tuple[str, Any], ...]

    def attr(self, name: str) -> Any:
        for k, v in self.attrs:
            if k == name:
                return v
        raise KeyError(f"Op {self.kind!r} has no attribute {name!r}")


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
        """The ``input`` ops, in order (one data port each)."""
        return [op for op in self.ops if op.kind == "input"]

    @property
    def outputs(self) -> list[Op]:
        """The ``output`` ops, in order."""
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
                        if isinstance(t, Bitstream) and t.source
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
        from .names import problems as hardware_problems  # names and attribute values

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

    def to_text(self) -> str:
        """Print the graph in the ``sc.graph @name { ... }`` format (see :mod:`scgen.ir.text`)."""
        from .text import print_graph

        return print_graph(self)


def ir_hash(graph: Graph) -> str:
    """Return the IR hash of ``graph``: the SHA-256 of its text form, as hex."""
    if not isinstance(graph, Graph):
        raise TypeError(f"IR hash needs a Graph, not {graph!r}")
    return hashlib.sha256(graph.to_text().encode("utf-8")).hexdigest()
