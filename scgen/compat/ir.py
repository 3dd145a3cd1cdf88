"""The engine's IR bridge (``sc_neurocore_engine.ir`` 3.15.7): :class:`ScGraphBuilder`,
:class:`ScGraph` and :func:`parse_ir`, with the engine's ids, text format, parser, error types
and messages.

A graph keeps the engine's own record of each op, so ``to_text()`` and ``parse_ir`` print and
read exactly what the engine does (print -> parse -> print is the identity on the engine's printed
graphs). Checking and hardware are scgen's:

* ``verify()`` returns ``None`` for a graph with no error. For a graph the engine itself rejects
  (an id defined twice, an operand used before its definition, a cycle) it returns the engine's
  list of ``"op[i]: message"`` strings. A graph that passes those checks is then checked by
  :meth:`scgen.ir.Graph.verify`, which also checks types (the engine does not); if that finds
  errors, ``verify()`` raises ``ValueError`` listing them one per line. This is a deliberate
  difference: the engine accepts, for example, ``popcount`` of a ``rate``.
* ``emit_sv()`` is :func:`scgen.emit.verilog` of the scgen graph, with each primitive's module
  renamed to the seed's hand-written module name (:data:`SEED_MODULES`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["SEED_MODULES", "ScGraph", "ScGraphBuilder", "parse_ir"]

#: Seed module name of each op kind's hardware in :meth:`ScGraph.emit_sv` (a second instance of
#: a kind gets ``_1``, ``_2``, ... since each instance is its own module with its constants).
SEED_MODULES = {
    "encode": "sc_bitstream_encoder",
    "and": "sc_bitstream_synapse",
    "lif_step": "sc_lif_neuron",
    "dense_forward": "sc_dense_layer_core",
    "popcount": "sc_popcount",
    "scale": "sc_scale",
    "offset": "sc_offset",
    "div_const": "sc_div_const",
}

_U16, _U32, _U64 = (1 << 16) - 1, (1 << 32) - 1, (1 << 64) - 1
_I64 = 1 << 63

# --------------------------------------------------------------------------------------------
# values and types, spelled as the engine spells them


def _f64_text(v: float) -> str:
    """Rust's ``Display`` of an f64: shortest round-trip digits, never an exponent."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = format(Decimal(repr(v)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _int_arg(value: object, arg: str, lo: int, hi: int) -> int:
    if not isinstance(value, int):
        raise TypeError(
            f"argument '{arg}': '{type(value).__name__}' object cannot be interpreted as an integer"
        )
    if value < lo:
        raise OverflowError("can't convert negative int to unsigned")
    if value > hi:
        if lo < 0:
            raise OverflowError("Python int too large to convert to C long")
        raise OverflowError("out of range integral type conversion attempted")
    return int(value)


def _float_arg(value: object, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"argument '{arg}': must be real number, not {type(value).__name__}")
    return float(value)


def _str_arg(value: object, arg: str) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"argument '{arg}': '{type(value).__name__}' object is not an instance of 'str'"
        )
    return value


_UINT = re.compile(r"[+]?[0-9]+")
_SINT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(inf|infinity|nan|([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?)", re.I)


def _rust_uint(text: str, hi: int) -> int:
    if not text:
        raise ValueError("cannot parse integer from empty string")
    if not _UINT.fullmatch(text):
        raise ValueError("invalid digit found in string")
    v = int(text)
    if v > hi:
        raise ValueError("number too large to fit in target type")
    return v


def _rust_int(text: str) -> int:
    if not text:
        raise ValueError("cannot parse integer from empty string")
    if not _SINT.fullmatch(text) or text in "+-":
        raise ValueError("invalid digit found in string")
    v = int(text)
    if v >= _I64:
        raise ValueError("number too large to fit in target type")
    if v < -_I64:
        raise ValueError("number too small to fit in target type")
    return v


def _rust_float(text: str) -> float:
    if not text:
        raise ValueError("cannot parse float from empty string")
    if not _FLOAT.fullmatch(text):
        raise ValueError("invalid float literal")
    return float(text)


def _type_text(text: str) -> str:
    """Canonical engine spelling of a type, or ``ValueError`` with the engine's message."""
    s = text.strip().lower()
    if s in ("bool", "rate"):
        return s
    if s == "bitstream":
        return "bitstream<0>"
    if re.fullmatch(r"[ui][0-9]+", s) and int(s[1:]) <= _U32:
        return s
    if s.startswith("bitstream<") and s.endswith(">"):
        n = s[len("bitstream<") : -1].strip()
        if not _UINT.fullmatch(n) or int(n) > _U64:
            raise ValueError(f"Invalid bitstream length: {n!r}")
        return f"bitstream<{int(n)}>"
    if s.startswith("fixed<") and s.endswith(">"):
        parts = [p.strip() for p in s[len("fixed<") : -1].split(",")]
        if len(parts) != 2:
            raise ValueError(f"fixed type needs 2 params: {text!r}")
        for p in parts:
            if not _UINT.fullmatch(p) or int(p) > _U32:
                raise ValueError(f"Invalid fixed param: {p!r}")
        return f"fixed<{int(parts[0])},{int(parts[1])}>"
    if s.startswith("vec<") and s.endswith(">") and "," in s:
        inner = s[len("vec<") : -1]
        elem, n = inner[: inner.rfind(",")], inner[inner.rfind(",") + 1 :].strip()
        elem_text = _type_text(elem)
        if not _UINT.fullmatch(n) or int(n) > _U64:
            raise ValueError(f"Invalid vec count: {n!r}")
        return f"vec<{elem_text},{int(n)}>"
    raise ValueError(f"Unknown IR type: {text!r}")


# --------------------------------------------------------------------------------------------
# ops


@dataclass(frozen=True)
class _Op:
    kind: str
    id: int
    operands: tuple[int, ...]
    fields: dict = field(default_factory=dict)


_LIF_DEFAULTS = {
    "data_width": 16,
    "fraction": 8,
    "v_rest": 0,
    "v_reset": 0,
    "v_threshold": 256,
    "refractory_period": 2,
}
_DENSE_DEFAULTS = {
    "n_inputs": 3,
    "n_neurons": 7,
    "data_width": 16,
    "stream_length": 1024,
    "input_seed_base": 0xACE1,
    "weight_seed_base": 0xBEEF,
    "y_min": 0,
    "y_max": 256,
}


def _value_text(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, float):
        return _f64_text(value)
    return str(value)


def _print_op(op: _Op) -> str:
    f, k = op.fields, op.kind
    ops = ", ".join(f"%{o}" for o in op.operands)
    if k == "input":
        return f'%{op.id} = sc.input "{f["name"]}" : {f["type"]}'
    if k == "output":
        return f'sc.output "{f["name"]}" %{op.operands[0]}'
    if k == "constant":
        return f"%{op.id} = sc.constant {_value_text(f['value'])} : {f['type']}"
    if k == "encode":
        return (
            f"%{op.id} = sc.encode {ops}, length={f['length']}, seed=0x{f['seed']:04X}"
            f" : bitstream<{f['length']}>"
        )
    if k == "and":
        return f"%{op.id} = sc.and {ops} : bitstream"
    if k == "popcount":
        return f"%{op.id} = sc.popcount {ops} : u64"
    if k in ("lif_step", "dense_forward"):
        a, b, c, d = (f"%{o}" for o in op.operands)
        if k == "lif_step":
            return (
                f"%{op.id} = sc.lif_step {a}, leak={b}, gain={c}, noise={d}, "
                f"dw={f['data_width']}, frac={f['fraction']}, vt={f['v_threshold']}, "
                f"rp={f['refractory_period']} : (bool, fixed<{f['data_width']},{f['fraction']}>)"
            )
        return (
            f"%{op.id} = sc.dense_forward {a}, weights={b}, leak={c}, gain={d}, "
            f"ni={f['n_inputs']}, nn={f['n_neurons']}, len={f['stream_length']}"
            f" : vec<bool,{f['n_neurons']}>"
        )
    if k == "scale":
        return f"%{op.id} = sc.scale {ops}, factor={_f64_text(f['factor'])} : rate"
    if k == "offset":
        return f"%{op.id} = sc.offset {ops}, offset={_f64_text(f['offset'])} : rate"
    return f"%{op.id} = sc.div_const {ops}, divisor={f['divisor']} : u64"


# --------------------------------------------------------------------------------------------
# graph


class ScGraph:
    """An SC compute graph as the engine's bridge has it (usually from ``ScGraphBuilder.build()``
    or :func:`parse_ir`)."""

    def __init__(self, name: str, ops: tuple[_Op, ...]):
        self._name = name
        self._ops = tuple(ops)

    @property
    def name(self) -> str:
        return self._name

    @property
    def num_inputs(self) -> int:
        return sum(op.kind == "input" for op in self._ops)

    @property
    def num_outputs(self) -> int:
        return sum(op.kind == "output" for op in self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return f"ScGraph({self._name!r}, ops={len(self._ops)})"

    def to_text(self) -> str:
        """Print the graph in the engine's text format."""
        lines = [f"sc.graph @{self._name} {{"]
        lines += [f"  {_print_op(op)}" for op in self._ops]
        return "\n".join(lines) + "\n}\n"

    def _engine_problems(self) -> list[str]:
        """The engine's own checks: ids defined once, operands defined before use, no cycle."""
        problems = []
        first: dict[int, int] = {}
        for i, op in enumerate(self._ops):
            if op.id in first:
                if op.kind != "output":
                    problems.append(f"op[{i}]: %{op.id} is already defined by op[{first[op.id]}]")
            else:
                first[op.id] = i
        seen: set[int] = set()
        for i, op in enumerate(self._ops):
            for o in op.operands:
                if o not in seen:
                    problems.append(f"op[{i}]: operand %{o} not defined before use in sc.{op.kind}")
            seen.add(op.id)
        uses = {op.id: op.operands for op in self._ops}  # a later definition wins
        state: dict[int, int] = {}  # 1 on the path, 2 done

        def cyclic(start: int) -> bool:
            stack = [(start, iter(uses.get(start, ())))]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    return True
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(uses.get(nxt, ()))))
            return False

        for op in self._ops:
            if op.id not in state and cyclic(op.id):
                problems.append(f"op[0]: cycle detected involving %{op.id}")
                break
        return problems

    def to_scgen(self):
        """Return this graph as a :class:`scgen.ir.Graph`, or raise ``ValueError`` naming every
        problem (the engine's first, then scgen's, one per line)."""
        problems = self._engine_problems()
        if problems:
            raise ValueError("\n".join(problems))
        graph, problems = self._scgen_graph()
        if problems:
            raise ValueError("\n".join(problems))
        return graph

    def _scgen_graph(self):
        from ..ir import ScGraphBuilder as _Builder
        from ..ir import parse_type

        b = _Builder(self._name if self._name.isidentifier() else "graph")
        ids: dict[int, int] = {}
        problems = []
        for i, op in enumerate(self._ops):
            f = op.fields
            args = [ids[o] for o in op.operands]
            try:
                if op.kind == "input":
                    r = b.input(f["name"], parse_type(f["type"]))
                elif op.kind == "output":
                    r = b.output(f["name"], *args)
                elif op.kind == "constant":
                    t = parse_type(f["type"])
                    value = f["value"]
                    if isinstance(value, tuple):
                        # the seed builder has no vector constant; its shared primitive does
                        r = b._add("constant", (), {"value": value, "type": t})
                    elif isinstance(value, float):
                        r = b.constant_f64(value, t)
                    else:
                        r = b.constant_i64(value, t)
                elif op.kind == "encode":
                    r = b.encode(*args, length=f["length"], seed=f["seed"])
                elif op.kind == "and":
                    r = b.bitwise_and(*args)
                elif op.kind == "popcount":
                    r = b.popcount(*args)
                elif op.kind == "lif_step":
                    r = b.lif_step(*args, **f)
                elif op.kind == "dense_forward":
                    kw = dict(f)
                    kw["seed_base"] = kw.pop("input_seed_base")
                    del kw["weight_seed_base"]
                    r = b.dense_forward(*args, **kw)
                elif op.kind == "scale":
                    r = b.scale(*args, f["factor"])
                elif op.kind == "offset":
                    r = b.offset(*args, f["offset"])
                else:
                    r = b.div_const(*args, f["divisor"])
            except (ValueError, TypeError) as exc:
                problems.append(f"op[{i}]: {exc}")
                return None, problems
            ids[op.id] = r
        graph = b.build()
        # the seed builder's dense weight seed is seed_base + 1; a parsed graph keeps its own
        problems += [f"op[{p.index}]: {p.message}" for p in graph.verify() if p.severity == "error"]
        return graph, problems

    def verify(self) -> list[str] | None:
        """Return ``None`` when the graph has no error; the engine's problem list for a graph
        the engine rejects; raise ``ValueError`` listing scgen's problems (one per line) for a
        graph that passes the engine's checks but not scgen's (types, attribute ranges)."""
        problems = self._engine_problems()
        if problems:
            return problems
        _, problems = self._scgen_graph()
        if problems:
            raise ValueError("\n".join(problems))
        return None

    def emit_sv(self) -> str:
        """Return self-contained, synthesizable SystemVerilog for the graph: scgen's hardware
        (:func:`scgen.emit.verilog`) with each primitive's module named as the seed names its
        hand-written one (:data:`SEED_MODULES`). Raises ``ValueError`` for a graph with errors."""
        from ..emit import verilog

        graph = self.to_scgen()
        text = verilog(graph, sv=True)
        return _seed_names(text, graph.name)


def _seed_names(text: str, top: str) -> str:
    """Rename the submodules ``\\TOP.opN_KIND[.sub...]`` of an emitted graph to seed names (and
    GraphTop's own, e.g. ``\\TOP.window_lfsr``, to ``sc_window_lfsr``)."""
    pattern = re.compile(r"\\" + re.escape(top) + r"\.op(\d+)_(\w+?)((?:\.[\w$]+)*) ")
    names: dict[tuple[str, str], str] = {}
    count: dict[str, int] = {}

    def rename(m: re.Match) -> str:
        op, kind, sub = m.group(1), m.group(2), m.group(3)
        if (op, kind) not in names:
            base = SEED_MODULES.get(kind, f"sc_{kind}")
            n = count.get(base, 0)
            count[base] = n + 1
            names[op, kind] = base if n == 0 else f"{base}_{n}"
        return names[op, kind] + sub.replace(".", "_") + " "

    text = pattern.sub(rename, text)
    # GraphTop's own helpers (the window's LFSR counter): plain names too, no escaped ones
    helper = re.compile(r"\\" + re.escape(top) + r"\.((?:[\w$]+)(?:\.[\w$]+)*) ")
    return helper.sub(lambda m: f"sc_{m.group(1).replace('.', '_')} ", text)


# --------------------------------------------------------------------------------------------
# builder


class ScGraphBuilder:
    """Fluent builder for SC compute graphs, with the engine's method names, defaults and ids
    (outputs take an id too). Operands are not checked here: ``verify()`` checks them."""

    def __init__(self, name: str) -> None:
        self._name = _str_arg(name, "name")
        self._ops: list[_Op] = []
        self._built = False

    def _add(self, kind: str, operands: tuple[int, ...], fields: dict) -> int:
        if self._built:
            raise ValueError("Builder already consumed by build().")
        vid = len(self._ops)
        self._ops.append(_Op(kind, vid, operands, fields))
        return vid

    @staticmethod
    def _id(value: object, arg: str) -> int:
        return _int_arg(value, arg, 0, _U32)

    def input(self, name: str, ty: str = "rate") -> int:
        """Add a typed input port. Returns value ID."""
        ty = _type_text(_str_arg(ty, "ty"))
        return self._add("input", (), {"name": _str_arg(name, "name"), "type": ty})

    def output(self, name: str, source_id: int) -> int:
        """Add an output port."""
        src = self._id(source_id, "source_id")
        return self._add("output", (src,), {"name": _str_arg(name, "name")})

    def constant_f64(self, value: float, ty: str = "rate") -> int:
        """Add a float constant."""
        v = _float_arg(value, "value")
        return self._add("constant", (), {"value": v, "type": _type_text(_str_arg(ty, "ty"))})

    def constant_i64(self, value: int, ty: str = "i32") -> int:
        """Add an integer constant."""
        v = _int_arg(value, "value", -_I64, _I64 - 1)
        return self._add("constant", (), {"value": v, "type": _type_text(_str_arg(ty, "ty"))})

    def encode(self, prob_id: int, length: int = 1024, seed: int = 0xACE1) -> int:
        """Add Bernoulli bitstream encoding."""
        p = self._id(prob_id, "prob_id")
        n = _int_arg(length, "length", 0, _U64)
        s = _int_arg(seed, "seed", 0, _U64)
        if s > _U16:
            raise ValueError(f"Seed out of range for u16: {s}")
        return self._add("encode", (p,), {"length": n, "seed": s})

    def bitwise_and(self, lhs_id: int, rhs_id: int) -> int:
        """Add bitwise AND (SC multiply)."""
        return self._add("and", (self._id(lhs_id, "lhs_id"), self._id(rhs_id, "rhs_id")), {})

    def popcount(self, input_id: int) -> int:
        """Add Hamming weight extraction."""
        return self._add("popcount", (self._id(input_id, "input_id"),), {})

    def lif_step(
        self,
        current_id: int,
        leak_id: int,
        gain_id: int,
        noise_id: int,
        *,
        data_width: int = 16,
        fraction: int = 8,
        v_rest: int = 0,
        v_reset: int = 0,
        v_threshold: int = 256,
        refractory_period: int = 2,
    ) -> int:
        """Add a LIF neuron step."""
        ids = tuple(
            self._id(v, a)
            for v, a in zip(
                (current_id, leak_id, gain_id, noise_id),
                ("current_id", "leak_id", "gain_id", "noise_id"),
                strict=True,
            )
        )
        fields = {
            "data_width": _int_arg(data_width, "data_width", 0, _U32),
            "fraction": _int_arg(fraction, "fraction", 0, _U32),
            "v_rest": _int_arg(v_rest, "v_rest", -_I64, _I64 - 1),
            "v_reset": _int_arg(v_reset, "v_reset", -_I64, _I64 - 1),
            "v_threshold": _int_arg(v_threshold, "v_threshold", -_I64, _I64 - 1),
            "refractory_period": _int_arg(refractory_period, "refractory_period", 0, _U32),
        }
        return self._add("lif_step", ids, fields)

    def dense_forward(
        self,
        inputs_id: int,
        weights_id: int,
        leak_id: int,
        gain_id: int,
        *,
        n_inputs: int = 3,
        n_neurons: int = 7,
        data_width: int = 16,
        stream_length: int = 1024,
        seed_base: int = 0xACE1,
        y_min: int = 0,
        y_max: int = 65535,
    ) -> int:
        """Add a dense layer forward pass (weight seed ``seed_base + 1``, as the engine's)."""
        ids = tuple(
            self._id(v, a)
            for v, a in zip(
                (inputs_id, weights_id, leak_id, gain_id),
                ("inputs_id", "weights_id", "leak_id", "gain_id"),
                strict=True,
            )
        )
        seed = _int_arg(seed_base, "seed_base", 0, _U16)
        fields = {
            "n_inputs": _int_arg(n_inputs, "n_inputs", 0, _U64),
            "n_neurons": _int_arg(n_neurons, "n_neurons", 0, _U64),
            "data_width": _int_arg(data_width, "data_width", 0, _U32),
            "stream_length": _int_arg(stream_length, "stream_length", 0, _U64),
            "input_seed_base": seed,
            "weight_seed_base": (seed + 1) & _U16,
            "y_min": _int_arg(y_min, "y_min", -_I64, _I64 - 1),
            "y_max": _int_arg(y_max, "y_max", -_I64, _I64 - 1),
        }
        return self._add("dense_forward", ids, fields)

    def scale(self, input_id: int, factor: float) -> int:
        """Scale a value by a constant factor."""
        f = _float_arg(factor, "factor")
        return self._add("scale", (self._id(input_id, "input_id"),), {"factor": f})

    def offset(self, input_id: int, offset_val: float) -> int:
        """Add a constant offset."""
        f = _float_arg(offset_val, "offset_val")
        return self._add("offset", (self._id(input_id, "input_id"),), {"offset": f})

    def div_const(self, input_id: int, divisor: int) -> int:
        """Divide by a constant."""
        d = _int_arg(divisor, "divisor", 0, _U64)
        return self._add("div_const", (self._id(input_id, "input_id"),), {"divisor": d})

    def build(self) -> ScGraph:
        """Consume the builder and return the graph."""
        if self._built:
            raise ValueError("Builder already consumed by build().")
        self._built = True
        return ScGraph(self._name, tuple(self._ops))


# --------------------------------------------------------------------------------------------
# parser


def _field(line: str, key: str, default: str | None = None) -> str:
    at = line.find(key + "=")
    if at < 0:
        if default is None:
            raise ValueError(f"missing {key}")
        return default
    rest = line[at + len(key) + 1 :]
    end = min(
        (i for i in (rest.find(","), rest.find(" "), rest.find(":")) if i >= 0), default=len(rest)
    )
    return rest[:end]


def _value_id(text: str) -> int:
    t = text.strip()
    if not t.startswith("%") or not _UINT.fullmatch(t[1:]) or t[1:].startswith("+"):
        raise ValueError(f"invalid ValueId: {t!r}")
    v = int(t[1:])
    if v > _U32:
        raise ValueError(f"invalid ValueId: {t!r}")
    return v


def _after(line: str, marker: str) -> str:
    return line[line.find(marker) + len(marker) :]


def _first_operand(line: str, marker: str) -> int:
    rest = _after(line, marker)
    return _value_id(rest.split(",")[0].split(":")[0])


def _type_after_colon(line: str) -> str:
    at = line.rfind(":")
    if at < 0:
        raise ValueError("missing type")
    text = line[at + 1 :].strip()
    try:
        return _type_text(text)
    except ValueError:
        raise ValueError(f"unrecognised type: {text!r}") from None


def _quoted_name(line: str) -> tuple[str, str]:
    a = line.find('"')
    b = line.find('"', a + 1) if a >= 0 else -1
    if b < 0:
        raise ValueError("missing name")
    return line[a + 1 : b], line[b + 1 :]


def _constant_value(text: str, ty: str) -> object:
    if text.startswith("["):
        inner = text[1:].rstrip("]").strip()
        parts = [p.strip() for p in inner.split(",")] if inner else []
        if any("." in p for p in parts):
            return tuple(_rust_float(p) for p in parts)
        return tuple(_rust_int(p) for p in parts)
    if "." in text or ty == "rate":
        return _rust_float(text)
    if ty.startswith("fixed") or ty.startswith("i"):
        return _rust_int(text)
    return _rust_uint(text, _U64)


def _parse_line(line: str, next_id: int) -> _Op:
    def result_id() -> int:
        return _value_id(line[: line.find("=")])

    if "= sc.input" in line:
        vid = result_id()
        name, rest = _quoted_name(line)
        if ":" not in rest:
            raise ValueError("missing type")
        return _Op("input", vid, (), {"name": name, "type": _type_after_colon(rest)})
    if line.startswith("sc.output"):
        name, rest = _quoted_name(line)
        return _Op("output", next_id, (_value_id(rest),), {"name": name})
    if "= sc.constant" in line:
        vid = result_id()
        body = _after(line, "= sc.constant")
        at = body.rfind(" : ")
        if at < 0:
            raise ValueError("missing type")
        ty = _type_after_colon(body[at:])
        return _Op(
            "constant", vid, (), {"value": _constant_value(body[:at].strip(), ty), "type": ty}
        )
    if "= sc.encode" in line:
        vid = result_id()
        src = _first_operand(line, "= sc.encode")
        length = _rust_uint(_field(line, "length"), _U64)
        seed_text = _field(line, "seed")
        if seed_text[:2] in ("0x", "0X"):
            try:
                seed = (
                    int(seed_text[2:], 16) if re.fullmatch(r"[0-9a-fA-F]+", seed_text[2:]) else None
                )
            except ValueError:
                seed = None
            if seed is None:
                raise ValueError("invalid digit found in string")
            if seed > _U16:
                raise ValueError("number too large to fit in target type")
        else:
            seed = _rust_uint(seed_text, _U16)
        return _Op("encode", vid, (src,), {"length": length, "seed": seed})
    if "= sc.and" in line:
        vid = result_id()
        parts = _after(line, "= sc.and").split(":")[0].split(",")
        if len(parts) != 2:
            raise ValueError("sc.and needs 2 operands")
        return _Op("and", vid, (_value_id(parts[0]), _value_id(parts[1])), {})
    if "= sc.popcount" in line:
        vid = result_id()
        return _Op("popcount", vid, (_first_operand(line, "= sc.popcount"),), {})
    if "= sc.dense_forward" in line:
        vid = result_id()
        ops = (
            _first_operand(line, "= sc.dense_forward"),
            *(_value_id(_field(line, k)) for k in ("weights", "leak", "gain")),
        )
        fields = dict(_DENSE_DEFAULTS)
        for key, name in (("ni", "n_inputs"), ("nn", "n_neurons"), ("len", "stream_length")):
            fields[name] = _rust_uint(_field(line, key, str(fields[name])), _U64)
        return _Op("dense_forward", vid, ops, fields)
    if "= sc.lif_step" in line:
        vid = result_id()
        ops = (
            _first_operand(line, "= sc.lif_step"),
            *(_value_id(_field(line, k)) for k in ("leak", "gain", "noise")),
        )
        fields = dict(_LIF_DEFAULTS)
        fields["data_width"] = _rust_uint(_field(line, "dw", "16"), _U32)
        fields["fraction"] = _rust_uint(_field(line, "frac", "8"), _U32)
        fields["v_threshold"] = _rust_int(_field(line, "vt", "256"))
        fields["refractory_period"] = _rust_uint(_field(line, "rp", "2"), _U32)
        return _Op("lif_step", vid, ops, fields)
    for kind, key, conv in (
        ("scale", "factor", _rust_float),
        ("offset", "offset", _rust_float),
        ("div_const", "divisor", lambda t: _rust_uint(t, _U64)),
    ):
        if f"= sc.{kind}" in line:
            vid = result_id()
            src = _first_operand(line, f"= sc.{kind}")
            return _Op(kind, vid, (src,), {key: conv(_field(line, key))})
    raise ValueError(f"unrecognised op: {line}")


def parse_ir(text: str) -> ScGraph:
    """Parse the engine's text format into a graph; ``ValueError`` ``"line N: message"``."""
    text = _str_arg(text, "text")
    lines = text.splitlines()
    if not lines:
        raise ValueError("line 0: empty input")
    head = lines[0].strip()
    if not (head.startswith("sc.graph @") and head.endswith(" {")):
        raise ValueError("line 1: expected 'sc.graph @name {'")
    name = head[len("sc.graph @") : -2]
    ops: list[_Op] = []
    next_id = 0
    for n, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line or line == "}":
            continue
        try:
            op = _parse_line(line, next_id)
        except ValueError as exc:
            raise ValueError(f"line {n}: {exc}") from None
        ops.append(op)
        next_id = max(next_id, op.id + 1)
    return ScGraph(name, tuple(ops))
