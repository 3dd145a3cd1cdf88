"""The text format: ``sc.graph @name { ... }``, the seed's printed form extended so that every
parameter of every op round-trips (``parse(print_graph(g)) == g``).

One op per line::

    sc.graph @sc_synapse {
      %0 = sc.input "x_prob" : rate
      %2 = sc.encode %0, length=1024, seed=0xACE1 : bitstream<1024, unipolar, "lfsr16:ace1">
      %4 = sc.and %2, %3 : bitstream<1024>
      %5 = sc.popcount %4, width=11 : u11
      sc.output "count" %5
    }

The parser accepts the seed's own printed graphs: missing attributes take their defaults (the
seed prints only some), declared result types are read but the result type is always inferred
(except that ``sc.popcount ... : uN`` without ``width=`` sets the width). Malformed text raises
:class:`ParseError` naming the line and column.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..limits import MAX_NESTING, MAX_NUMBER_CHARS
from .graph import OPS, Graph, Op
from .types import Rate, Type, TypeParseError, parse_type

__all__ = ["ParseError", "parse", "print_graph"]


class ParseError(ValueError):
    """Malformed IR text; ``line`` and ``column`` are 1-based."""

    def __init__(self, line: int, column: int, message: str):
        self.line, self.column = line, column
        super().__init__(f"line {line}, column {column}: {message}")


# --------------------------------------------------------------------------------------------
# printer


def _value_text(v: object, hex_: bool = False) -> str:
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return f"0x{v:04X}" if hex_ else str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, tuple):
        return "[" + ", ".join(_value_text(x) for x in v) + "]"
    raise TypeError(f"Cannot print attribute value {v!r}")


def _print_op(op: Op, types: dict[int, Type]) -> str:
    d = OPS[op.kind]
    attrs = dict(op.attrs)
    if not d.has_result:
        return f"sc.{op.kind} {_value_text(attrs['name'])} %{op.operands[0]}"
    head = f"%{op.result} = sc.{op.kind}"
    if d.syntax == "named":
        return f"{head} {_value_text(attrs['name'])} : {attrs['type']}"
    if d.syntax == "literal":
        return f"{head} {_value_text(attrs['value'])} : {attrs['type']}"
    items = [f"%{o}" for o in op.operands[: d.positional]]
    items += [
        f"{name}=%{o}"
        for name, o in zip(d.operands[d.positional :], op.operands[d.positional :], strict=False)
    ]
    items += [
        f"{a.text_key}={_value_text(attrs[a.name], a.hex)}"
        for a in d.attrs
        if attrs[a.name] is not None
    ]
    text = f"{head} " + ", ".join(items)
    t = types.get(op.result) if op.result is not None else None
    return text + (f" : {t}" if t is not None else "")


def print_graph(graph: Graph) -> str:
    """Return the text of ``graph`` (LF line endings, a final newline)."""
    types = graph.result_types()
    lines = [f"sc.graph @{graph.name} {{"]
    lines += ["  " + _print_op(op, types) for op in graph.ops]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# parser

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<id>%\d+)
  | (?P<string>"[^"\n]*")
  | (?P<hex>0[xX][0-9a-fA-F]+)
  | (?P<number>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[=,:\[\]{}@])
""",
    re.VERBOSE,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _tokens(text: str, line: int) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(line, pos + 1, f"unexpected character {text[pos]!r}")
        if m.lastgroup != "space":
            out.append((m.lastgroup or "", m.group(), pos + 1))
        pos = m.end()
    return out


class _Line:
    """One line, split at its first unquoted ':' into tokens and the type spelling after it."""

    def __init__(self, text: str, line: int):
        self.text, self.line = text, line
        quoted, cut = False, len(text)
        for k, ch in enumerate(text):
            if ch == '"':
                quoted = not quoted
            elif ch == ":" and not quoted:
                cut = k
                break
        self.toks = _tokens(text[:cut], line)
        self.type_col = cut + 1 if cut < len(text) else None  # 1-based column of ':'
        self.type_text = text[cut + 1 :] if cut < len(text) else None
        self.i = 0

    def col(self) -> int:
        return self.toks[self.i][2] if self.i < len(self.toks) else len(self.text) + 1

    def peek(self) -> Any:  # the next token (kind, text, column), or None at the end
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str, value: str | None = None, what: str = "") -> str:
        t = self.peek()
        if t is None or t[0] != kind or (value is not None and t[1] != value):
            found = "end of line" if t is None else repr(t[1])
            raise ParseError(
                self.line, self.col(), f"expected {what or value or kind}, found {found}"
            )
        self.i += 1
        return t[1]

    def error(self, message: str, col: int | None = None) -> ParseError:
        return ParseError(self.line, col if col is not None else self.col(), message)


def _number(tok: tuple[str, str, int], ln: _Line, kind: str) -> Any:
    k, v, col = tok
    if k == "hex":
        n = int(v, 16)
        return float(n) if kind == "float" else n
    if k != "number":
        raise ln.error(f"expected a number, found {v!r}", col)
    if kind == "int":
        if not re.fullmatch(r"[-+]?\d+", v):
            raise ln.error(f"expected an integer, found {v!r}", col)
        return int(v)
    return float(v)


def _value(ln: _Line, as_float: bool) -> object:
    t = ln.peek()
    if t is None:
        raise ln.error("expected a value, found end of line")
    if t[1] == "[":
        ln.i += 1
        items: list[object] = []
        while True:
            t = ln.peek()
            if t is not None and t[1] == "]" and not items:
                break
            items.append(_value(ln, as_float))
            if ln.peek() is not None and ln.peek()[1] == ",":
                ln.i += 1
                continue
            break
        ln.take("punct", "]", "']' after the vector")
        return tuple(items)
    ln.i += 1
    if t[0] == "number" and not as_float and re.fullmatch(r"[-+]?\d+", t[1]):
        return int(t[1])
    if t[0] == "hex" and not as_float:
        return int(t[1], 16)
    if t[0] in ("number", "hex"):
        return float(t[1]) if t[0] == "number" else float(int(t[1], 16))
    raise ln.error(f"expected a number or a vector, found {t[1]!r}", t[2])


def _type_after_colon(ln: _Line) -> Type | None:
    t = ln.peek()
    if t is not None:
        raise ln.error(f"expected ',' or ': TYPE', found {t[1]!r}")
    if ln.type_text is None:
        return None
    spelling = ln.type_text.strip()
    if not spelling:
        raise ln.error("expected a type after ':'", (ln.type_col or 0) + 1)
    try:
        return parse_type(spelling)
    except TypeParseError as exc:
        raise ln.error(str(exc), (ln.type_col or 0) + 2) from None


def _parse_op(ln: _Line) -> Op:
    result = None
    if ln.peek() is not None and ln.peek()[0] == "id":
        result = int(ln.take("id")[1:])
        ln.take("punct", "=", "'=' after the result id")
    col = ln.col()
    word = ln.take("ident", what="an op such as sc.encode")
    if not word.startswith("sc.") or word[3:] not in OPS:
        raise ln.error(f"unknown op {word!r}", col)
    kind = word[3:]
    d = OPS[kind]
    if d.has_result == (result is None):
        raise ln.error("sc.output has no result id; every other op needs one", col)
    attrs: dict[str, object] = {}
    operands: dict[str, int] = {}
    if d.syntax == "named":
        name = ln.take("string", what="a quoted name")[1:-1]
        if not _NAME.match(name):
            raise ln.error(f"{kind} name must be an identifier, not {name!r}")
        attrs["name"] = name
        if not d.has_result:
            operands["source"] = int(ln.take("id", what="the source %id")[1:])
            if ln.peek() is not None:
                raise ln.error(f"unexpected {ln.peek()[1]!r} after the output")
            return Op(kind, None, (operands["source"],), (("name", name),))
        declared = _type_after_colon(ln)
        if declared is None:
            raise ln.error("sc.input needs ': TYPE'")
        return Op(kind, result, (), (("name", name), ("type", declared)))
    if d.syntax == "literal":
        if ln.type_text is None:
            raise ln.error("sc.constant needs ': TYPE'")
        save, ln.i = ln.i, len(ln.toks)
        declared = _type_after_colon(ln)
        ln.i = save
        value = _value(ln, isinstance(declared, Rate))
        if ln.peek() is not None:
            raise ln.error(f"unexpected {ln.peek()[1]!r} after the constant")
        return Op(kind, result, (), (("value", value), ("type", declared)))
    keys = {a.text_key: a for a in d.attrs} | {a.name: a for a in d.attrs}
    positional = 0
    while ln.peek() is not None:
        if operands or attrs or positional:
            ln.take("punct", ",", "',' between arguments")
        t = ln.peek()
        if t is not None and t[0] == "id":
            if positional >= d.positional:
                raise ln.error(f"sc.{kind} takes {d.positional} positional operand(s)")
            operands[d.operands[positional]] = int(t[1][1:])
            positional += 1
            ln.i += 1
            continue
        kcol = ln.col()
        key = ln.take("ident", what="an argument such as key=value")
        ln.take("punct", "=", f"'=' after {key!r}")
        if key in d.operands[d.positional :]:
            if key in operands:
                raise ln.error(f"operand {key!r} given twice", kcol)
            operands[key] = int(ln.take("id", what=f"the %id of operand {key!r}")[1:])
            continue
        a = keys.get(key)
        if a is None:
            raise ln.error(f"sc.{kind} has no argument {key!r}", kcol)
        if a.name in attrs:
            raise ln.error(f"argument {key!r} given twice", kcol)
        vtok = ln.peek()
        if vtok is None:
            raise ln.error(f"expected a value for {key!r}, found end of line")
        if a.kind == "ints":
            value = _value(ln, False)
            if not isinstance(value, tuple) or not all(isinstance(x, int) for x in value):
                raise ln.error(f"{key} must be a list of integers", vtok[2])
            attrs[a.name] = value
            continue
        ln.i += 1
        if a.kind == "str":
            if vtok[0] != "string":
                raise ln.error(f"{key} must be a quoted string, found {vtok[1]!r}", vtok[2])
            attrs[a.name] = vtok[1][1:-1]
            continue
        value = _number(vtok, ln, a.kind)
        if a.kind == "float" and not math.isfinite(value):
            raise ln.error(f"{key} must be finite, not {vtok[1]}", vtok[2])
        if a.kind == "int" and not a.lo <= value <= a.hi:
            raise ln.error(f"{key} must be between {a.lo} and {a.hi}, not {value}", vtok[2])
        attrs[a.name] = value
    declared = _type_after_colon(ln)
    missing = [n for n in d.operands if n not in operands]
    if missing:
        raise ln.error(f"sc.{kind} is missing operand(s) {', '.join(missing)}")
    if declared is not None:
        d.attrs_from_type(declared, attrs)
    ordered = tuple((a.name, attrs.get(a.name, a.default)) for a in d.attrs)
    return Op(kind, result, tuple(operands[n] for n in d.operands), ordered)


# a number: a digit and then digits, hex digits, x or _ (also inside a type such as u99...)
_DIGITS = re.compile(rf"[0-9][0-9A-Fa-fxX_]{{{MAX_NUMBER_CHARS},}}")


def _check_limits(raw: str, line: int) -> None:
    """Refuse brackets nested deeper than MAX_NESTING and numbers longer than MAX_NUMBER_CHARS."""
    long = _DIGITS.search(raw)
    if long:
        raise ParseError(
            line,
            long.start() + 1,
            f"a number may have at most {MAX_NUMBER_CHARS} characters, not {len(long.group())}",
        )
    depth, quoted = 0, False
    for k, ch in enumerate(raw):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "<([":
            depth += 1
            if depth > MAX_NESTING:
                raise ParseError(
                    line, k + 1, f"brackets may nest at most {MAX_NESTING} deep, not deeper"
                )
        elif not quoted and ch in ">)]":
            depth -= 1


def parse(text: str) -> Graph:
    """Parse IR text into a :class:`Graph` (not verified: call ``verify()``).

    Only :class:`ParseError` is raised for malformed text. Limits: brackets (``vec<``, ``(``,
    ``[``) nest at most :data:`scgen.limits.MAX_NESTING` deep on a line, and a number has at
    most :data:`scgen.limits.MAX_NUMBER_CHARS` characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"IR text must be a string, not {type(text).__name__}")
    lines = text.splitlines()
    for n, raw in enumerate(lines):
        _check_limits(raw, n + 1)
    if not any(line.strip() for line in lines):
        raise ParseError(1, 1, "empty input")
    first = next(i for i, line in enumerate(lines) if line.strip())
    head = _Line(lines[first], first + 1)
    head.take("ident", "sc.graph", "'sc.graph @name {'")
    head.take("punct", "@", "'@' before the graph name")
    name_col = head.col()
    name = head.take("ident", what="the graph name")
    if not _NAME.match(name):
        raise ParseError(first + 1, name_col, f"graph name must be an identifier, not {name!r}")
    head.take("punct", "{", "'{' after the graph name")
    if head.peek() is not None:
        raise head.error(f"unexpected {head.peek()[1]!r} after '{{'")
    ops: list[Op] = []
    closed = False
    for n in range(first + 1, len(lines)):
        raw = lines[n]
        if not raw.strip():
            continue
        if closed:
            raise ParseError(n + 1, len(raw) - len(raw.lstrip()) + 1, "text after the closing '}'")
        if raw.strip() == "}":
            closed = True
            continue
        ops.append(_parse_op(_Line(raw, n + 1)))
    if not closed:
        raise ParseError(len(lines), len(lines[-1]) + 1, "missing the closing '}'")
    return Graph(name, tuple(ops))
