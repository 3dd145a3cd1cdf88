"""The rules for what a graph hands to the hardware and to its text: names and attribute values.

Every name that becomes hardware (the graph's name is the module name, every input and output is
a port, a LIF output ``NAME`` gives the ports ``NAME__spike`` and ``NAME__v``) must be

* ASCII letters, digits and underscores starting with a letter, at most :data:`MAX_NAME`
  characters (a Verilog identifier that is also a Python attribute, as Amaranth requires);
* not a Verilog-2005 or SystemVerilog keyword, nor a C++ keyword (Verilator's models are C++);
* not one of the ports scgen adds (:data:`ADDED_PORTS`), an attribute of the graph's
  component (:data:`COMPONENT_ATTRS`) or of the form ``opN_...`` of its instance names;
* unique among all ports, inputs and outputs together, and not the graph's name.

Every attribute value must have the kind its op declares and print so that it parses back the
same: integers within their range, finite numbers, printable strings without quotes, and
constants that fit their type. :meth:`scgen.ir.Graph.verify` reports every breach through
:func:`problems`, naming the op, the name or attribute, the rule and the value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .graph import OPS, Problem
from .types import Bool, Fixed, Rate, SInt, Tuple, Type, TypeParseError, UInt, Vec, parse_type

__all__ = [
    "ADDED_PORTS",
    "COMPONENT_ATTRS",
    "KEYWORDS",
    "MAX_NAME",
    "GraphProblem",
    "name_rule",
    "problems",
]

MAX_NAME = 1024  # IEEE 1364-2005 3.7.1: tools must accept identifiers of at least 1024 characters

#: ports of every graph's hardware: the clock domain's and the window protocol's
ADDED_PORTS = ("clk", "rst", "start", "busy", "done")

#: attributes of :class:`scgen.ir.lower.GraphTop`; Amaranth cannot add a port of the same name
COMPONENT_ATTRS = ("elaborate", "graph", "latency", "length", "metadata", "signature")

_VERILOG_2005 = """
always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign
default defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule
endprimitive endspecify endtable endtask event for force forever fork function generate genvar
highz0 highz1 if ifnone incdir include initial inout input instance integer join large liblist
library localparam macromodule medium module nand negedge nmos nor noshowcancelled not notif0
notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_ondetect
pulsestyle_onevent rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1
scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table task
time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand
weak0 weak1 while wire wor xnor xor
"""
# IEEE 1800-2017 Annex B, the words beyond Verilog-2005
_SYSTEMVERILOG = """
accept_on alias always_comb always_ff always_latch assert assume before bind bins binsof bit break
byte chandle checker class clocking const constraint context continue cover covergroup coverpoint
cross dist do endchecker endclass endclocking endgroup endinterface endpackage endprogram
endproperty endsequence enum eventually expect export extends extern final first_match foreach
forkjoin global iff ignore_bins illegal_bins implements implies import inside int interconnect
interface intersect join_any join_none let local logic longint matches modport nettype new
nexttime null package packed priority program property protected pure rand randc randcase
randsequence ref reject_on restrict return s_always s_eventually s_nexttime s_until s_until_with
sequence shortint shortreal soft solve static string strong struct super sync_accept_on
sync_reject_on tagged this throughout timeprecision timeunit type typedef union unique unique0
until until_with untyped var virtual void wait_order weak wildcard with within
"""
# C++ keywords: Verilator renames such a port in its C++ model and warns (SYMRSVDWORD)
_CPP = """
alignas alignof and_eq asm atomic_cancel atomic_commit atomic_noexcept auto bitand bitor bool case
catch char char8_t char16_t char32_t compl concept consteval constexpr constinit const_cast
co_await co_return co_yield decltype delete double dynamic_cast explicit false float friend goto
inline long mutable namespace noexcept not_eq nullptr operator or_eq private public reflexpr
register reinterpret_cast requires short sizeof static_assert static_cast switch
synchronized template thread_local throw true try typeid typename unsigned using volatile wchar_t
xor_eq
"""

#: every word a name must not be
KEYWORDS = frozenset((_VERILOG_2005 + _SYSTEMVERILOG + _CPP).split())

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_INSTANCE = re.compile(r"op[0-9]+_")  # GraphTop's submodules: op4_encode, op9_lif_step_x0, ...
_PRINTABLE = re.compile(r"[ !#-~]*\Z")  # ASCII that prints between quotes on one line


@dataclass(frozen=True)
class GraphProblem(Problem):
    """A problem of the graph as a whole (its name), printed without an op prefix."""

    index: int = -1
    kind: str = "graph"
    message: str = ""

    def __str__(self) -> str:
        return self.message


def name_rule(what: str, name: object) -> str | None:
    """Return why ``name`` cannot be the hardware name ``what`` (e.g. "input name"), or None."""
    if not isinstance(name, str):
        return f"{what} must be a string, not {name!r}"
    if len(name) > MAX_NAME:
        return f"{what} must be at most {MAX_NAME} characters, not {len(name)}"
    if not _IDENT.match(name):
        return (
            f"{what} must be ASCII letters, digits and underscores starting with a letter, "
            f"not {name!r}"
        )
    if name in KEYWORDS:
        return f"{what} must not be a Verilog, SystemVerilog or C++ keyword, not {name!r}"
    if what != "graph name" and name in ADDED_PORTS:
        return (
            f"{what} must not be one of the ports scgen adds ({', '.join(ADDED_PORTS)}), "
            f"not {name!r}"
        )
    if what != "graph name" and _INSTANCE.match(name):
        return f"{what} must not have the form opN_... of scgen's instance names, not {name!r}"
    if what != "graph name" and name in COMPONENT_ATTRS:
        return (
            f"{what} must not be an attribute of the graph's component "
            f"({', '.join(COMPONENT_ATTRS)}), not {name!r}"
        )
    return None


def _fits(t: Type, v: Any) -> bool:
    if isinstance(t, Rate):
        return type(v) in (int, float) and math.isfinite(v) and 0 <= v <= 1
    if isinstance(t, Vec) and isinstance(t.elem, Rate):
        return type(v) is tuple and len(v) == t.n and all(_fits(t.elem, x) for x in v)
    if type(v) is not int:
        return False
    if isinstance(t, UInt | Bool):
        return 0 <= v < 1 << t.width
    if isinstance(t, SInt | Fixed):
        return -(1 << (t.width - 1)) <= v < 1 << (t.width - 1)
    return False


def _constant_problem(attrs: dict) -> str | None:
    t, v = attrs.get("type"), attrs.get("value")
    if not isinstance(t, Type):
        return None  # reported as a type attribute
    if isinstance(t, Rate) or (isinstance(t, Vec) and isinstance(t.elem, Rate)):
        if not _fits(t, v):
            return f"constant of type {t} must be finite and within [0, 1], not {v!r}"
        return None
    if isinstance(t, UInt | Bool | SInt | Fixed):
        if not _fits(t, v):
            what = "raw value" if isinstance(t, Fixed) else "value"
            return f"constant of type {t} must be an integer {what} that fits it, not {v!r}"
        return None
    return (
        f"constant of type {t} has no hardware value; constants are rates, vectors of rates, "
        f"integers, booleans or raw fixed point"
    )


def _attr_problem(kind: str, a, v: Any) -> str | None:
    """Why ``v`` is not a value of the attribute ``a`` that prints and parses back, or None."""
    what = f"attribute {a.text_key!r}"
    if v is None:
        return None if a.default is None else f"{what} must be given, not None"
    if a.kind == "int":
        if type(v) is not int:
            return f"{what} must be an integer, not {v!r}"
    elif a.kind == "float":
        if type(v) not in (int, float) or not math.isfinite(v):
            return f"{what} must be a finite number, not {v!r}"
    elif a.kind == "str":
        if type(v) is not str or not _PRINTABLE.match(v):
            return f"{what} must be printable ASCII without quotes, not {v!r}"
    elif a.kind == "ints":
        if type(v) is not tuple or not all(type(x) is int for x in v):
            return f"{what} must be a tuple of integers, not {v!r}"
    elif a.kind == "type":
        if not isinstance(v, Type):
            return f"{what} must be an IR type, not {v!r}"
        try:
            same = parse_type(str(v)) == v
        except (TypeParseError, ValueError, TypeError):
            same = False
        if not same:
            return f"{what} must be a type that prints and parses back, not {v!r}"
        return None
    else:
        return None
    if a.kind in ("int", "float") and a.lo is not None and not a.lo <= v <= a.hi:
        return f"{what} must be between {a.lo} and {a.hi}, not {v!r}"
    return None


def problems(graph) -> list:
    """Every name and attribute-value problem of ``graph`` (used by ``Graph.verify``)."""
    found: list = []
    why = name_rule("graph name", graph.name)
    if why:
        found.append(GraphProblem(message=why))
    types = graph.result_types()
    ports: dict[str, tuple[int, str, Any]] = {p: (-1, "scgen", p) for p in ADDED_PORTS}
    for i, op in enumerate(graph.ops):
        d = OPS.get(op.kind)
        if d is None:
            continue  # reported by verify
        attrs = dict(op.attrs)
        for a in d.attrs:
            if a.name in attrs and not (a.name == "name" and d.syntax == "named"):
                msg = _attr_problem(op.kind, a, attrs[a.name])
                if msg:
                    found.append(Problem(i, op.kind, msg))
        if d.is_constant:
            msg = _constant_problem(attrs)
            if msg:
                found.append(Problem(i, op.kind, msg))
        if d.syntax != "named":  # only inputs and outputs name ports
            continue
        name = attrs.get("name", "")
        why = name_rule(f"{op.kind} name", name)
        if why:
            found.append(Problem(i, op.kind, why))
            continue
        if name == graph.name:  # Verilator: a port cannot share the module's name
            found.append(
                Problem(i, op.kind, f"{op.kind} name must differ from the graph's name {name!r}")
            )
            continue
        src = op.operands[0] if not d.has_result and op.operands else None
        derived = isinstance(types.get(src), Tuple)
        for port in [f"{name}__spike", f"{name}__v"] if derived else [name]:
            if port in ports:
                j, kind, base = ports[port]
                if j >= 0 and kind == op.kind and base == name:
                    continue  # the same name twice: verify reports that already
                if j >= 0:
                    found.append(
                        Problem(
                            i,
                            op.kind,
                            f"port {port!r} of {op.kind} {name!r} is already the port of "
                            f"op[{j}] ({kind} {base!r}); every port name must be unique",
                        )
                    )
                continue
            ports[port] = (i, op.kind, name)
    return found
