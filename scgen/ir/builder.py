"""Graph builders: :class:`GraphBuilder` (Pythonic, checked at the call site) and
:class:`ScGraphBuilder` (the seed's method names and defaults, integer ids, no checks)."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import OPS, Graph, Op
from .types import Bitstream, Type, parse_type

__all__ = ["GraphBuilder", "ScGraphBuilder", "Value"]


def _as_type(ty: Type | str) -> Type:
    return ty if isinstance(ty, Type) else parse_type(ty)


def _attrs(kind: str, given: dict) -> tuple[tuple[str, object], ...]:
    d = OPS[kind]
    unknown = set(given) - {a.name for a in d.attrs}
    if unknown:
        raise TypeError(f"sc.{kind} has no parameter {sorted(unknown)[0]!r}")
    out = []
    for a in d.attrs:
        v = given.get(a.name, a.default)
        if v is None:
            pass
        elif a.kind == "int":
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"sc.{kind} {a.name} must be an integer, not {v!r}")
            assert a.lo is not None and a.hi is not None  # every int attribute has a range
            if not a.lo <= v <= a.hi:
                raise ValueError(f"sc.{kind} {a.name} must be between {a.lo} and {a.hi}, not {v!r}")
        elif a.kind == "float":
            if not isinstance(v, int | float) or isinstance(v, bool):
                raise TypeError(f"sc.{kind} {a.name} must be a number, not {v!r}")
            v = float(v)
        out.append((a.name, v))
    return tuple(out)


@dataclass(frozen=True)
class Value:
    """A result of a :class:`GraphBuilder` op: its SSA id and type."""

    id: int
    type: Type
    builder: GraphBuilder

    def __and__(self, other: Value) -> Value:
        return self.builder.and_(self, other)

    def __repr__(self) -> str:
        return f"Value(%{self.id} : {self.type})"


class _Base:
    def __init__(self, name: str):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Graph name must be an identifier, not {name!r}")
        self._name = name
        self._ops: list[Op] = []
        self._next = 0
        self._built = False

    def _add(self, kind: str, operands: tuple[int, ...], attrs: dict) -> int | None:
        if self._built:
            raise ValueError("Builder already consumed by build().")
        result = self._next if OPS[kind].has_result else None
        self._ops.append(Op(kind, result, operands, _attrs(kind, attrs)))
        if result is not None:
            self._next += 1
        return result

    def build(self) -> Graph:
        """Return the graph; the builder cannot be used afterwards."""
        if self._built:
            raise ValueError("Builder already consumed by build().")
        self._built = True
        return Graph(self._name, tuple(self._ops))


class GraphBuilder(_Base):
    """Build a graph from :class:`Value` objects; every op checks its operand types at once.

    >>> b = GraphBuilder("synapse")
    >>> x, w = b.input("x", "rate"), b.input("w", "rate")
    >>> hits = b.popcount(b.encode(x, seed=0xACE1) & b.encode(w, seed=0xBEEF))
    >>> b.output("count", hits)
    >>> graph = b.build()
    """

    def _value(self, kind: str, operands: tuple[Value, ...], attrs: dict) -> Value:
        for v in operands:
            if not isinstance(v, Value) or v.builder is not self:
                raise TypeError(f"sc.{kind} operands must be values of this builder, not {v!r}")
        d = OPS[kind]
        full = dict(_attrs(kind, attrs))
        types = [v.type for v in operands]
        problems = d.check(types, full)
        if problems:
            raise TypeError(f"sc.{kind}: {problems[0]}")
        rid = self._add(kind, tuple(v.id for v in operands), attrs)
        result = d.result(types, full)
        assert rid is not None and result is not None  # ops with a result
        return Value(rid, result, self)

    def input(self, name: str, type: Type | str = "rate") -> Value:
        """Declare a graph input."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Input name must be an identifier, not {name!r}")
        if any(op.kind == "input" and op.attr("name") == name for op in self._ops):
            raise ValueError(f"Input name {name!r} is already used")
        return self._value("input", (), {"name": name, "type": _as_type(type)})

    def output(self, name: str, value: Value) -> None:
        """Declare a graph output driven by ``value``."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Output name must be an identifier, not {name!r}")
        if any(op.kind == "output" and op.attr("name") == name for op in self._ops):
            raise ValueError(f"Output name {name!r} is already used")
        if not isinstance(value, Value) or value.builder is not self:
            raise TypeError(
                f"Output {name!r} must be driven by a value of this builder, not {value!r}"
            )
        self._add("output", (value.id,), {"name": name})

    def constant(self, value: float | int | tuple, type: Type | str = "rate") -> Value:
        """A constant; rates are stored as floats, vectors as tuples."""
        t = _as_type(type)

        def plain(x):  # NumPy scalars as the Python numbers they are (they print and parse)
            return x.item() if hasattr(x, "item") and x.__class__ not in (int, float, bool) else x

        if isinstance(value, list | tuple):
            value = tuple(plain(x) for x in value)
        elif type == "rate" or str(t) == "rate":
            value = float(value)
        else:
            value = plain(value)
        return self._value("constant", (), {"value": value, "type": t})

    def encode(self, prob: Value, *, length: int = 1024, seed: int = 0xACE1) -> Value:
        """Encode a rate into a stream with a comparator and the 16-bit LFSR seeded ``seed``."""
        return self._value("encode", (prob,), {"length": length, "seed": seed})

    def and_(self, lhs: Value, rhs: Value) -> Value:
        """Unipolar product of two streams (also ``lhs & rhs``)."""
        return self._value("and", (lhs, rhs), {})

    def popcount(self, stream: Value, *, width: int | None = None) -> Value:
        """Count the ones of a whole stream; the count is as wide as needed unless given."""
        if width is None and isinstance(stream, Value) and isinstance(stream.type, Bitstream):
            width = max(1, stream.type.length.bit_length())
        return self._value("popcount", (stream,), {"width": 64 if width is None else width})

    def lif_step(
        self, current: Value, *, leak: Value, gain: Value, noise: Value, **params: int
    ) -> Value:
        """One LIF step; ``params`` are data_width, fraction, v_threshold, refractory_period,
        v_rest, v_reset."""
        return self._value("lif_step", (current, leak, gain, noise), params)

    def dense_forward(
        self, inputs: Value, weights: Value, *, leak: Value, gain: Value, **params: int
    ) -> Value:
        """A dense SC layer driving LIF neurons (the seed's sc_dense_layer_core)."""
        return self._value("dense_forward", (inputs, weights, leak, gain), params)

    def apply(
        self, kind: str, *operands: Value, params: object = None, length: int | None = None
    ) -> Value:
        """Apply the op of a registered primitive, e.g. ``apply("mul_xnor", a, b)`` or
        ``apply("encoder", x, params=EncoderParams(...), length=256)``."""
        from .prims import PrimitiveOp, flatten_params

        if not isinstance(OPS.get(kind), PrimitiveOp):
            raise ValueError(
                f"No primitive op {kind!r}; registered: "
                f"{', '.join(k for k in OPS if isinstance(OPS[k], PrimitiveOp))}"
            )
        attrs = flatten_params(params) if params is not None else {}
        if length is not None:
            attrs["length"] = length
        return self._value(kind, operands, attrs)

    def snn(
        self,
        x: Value,
        params: object,
        *,
        encode: str = "",
        steps: int | None = None,
        seed: int | None = None,
        dimension: int | None = None,
    ) -> Value:
        """A fixed-point spiking network (:class:`scgen.params.SnnParams`) over the time steps
        of ``x``: spikes (``spikes<T, n_in>``, one sample per window), or with ``encode``
        (``"lfsr"`` seeded ``seed``, ``"sobol"`` of ``dimension``) one sample's rates
        (``vec<rate, n_in>``) encoded on chip over ``steps`` time steps."""
        from .snn_op import snn_attrs
        from .types import Rate, Vec

        t = x.type
        if encode:
            n_in = getattr(params, "n_in", None)
            if not (isinstance(t, Vec) and isinstance(t.elem, Rate) and t.n == n_in):
                raise TypeError(
                    f"sc.snn with encode={encode!r} takes the rates vec<rate,{n_in}>, not {t}"
                )
            if steps is None:
                raise TypeError(f"sc.snn with encode={encode!r} needs steps, not None")
        else:
            steps_in = getattr(t, "steps", None)
            if steps_in is None:
                raise TypeError(f"sc.snn takes spikes<T, N>, not {t}")
            if steps is not None and steps != steps_in:
                raise ValueError(f"sc.snn steps must be the spikes' {steps_in}, not {steps}")
            steps = steps_in
        attrs = snn_attrs(params, steps, encode=encode, seed=seed, dimension=dimension)  # type: ignore[arg-type]
        return self._value("snn", (x,), attrs)

    def scale(self, value: Value, factor: float) -> Value:
        return self._value("scale", (value,), {"factor": factor})

    def offset(self, value: Value, offset: float) -> Value:
        return self._value("offset", (value,), {"offset": offset})

    def div_const(self, value: Value, divisor: int) -> Value:
        return self._value("div_const", (value,), {"divisor": divisor})


class ScGraphBuilder(_Base):
    """The seed's builder: same method names and defaults; methods return integer ids and do
    not check operands (``graph.verify()`` does). The seed's example runs unchanged::

        b = ScGraphBuilder("sc_synapse")
        x = b.input("x_prob", "rate"); w = b.input("w_prob", "rate")
        sx = b.encode(x, length=1024, seed=0xACE1); sw = b.encode(w, length=1024, seed=0xBEEF)
        b.output("firing_rate", b.div_const(b.popcount(b.bitwise_and(sx, sw)), 1024))
        g = b.build(); g.verify()
    """

    def input(self, name, ty="rate"):
        return self._add("input", (), {"name": name, "type": _as_type(ty)})

    def output(self, name, source_id):
        self._add("output", (source_id,), {"name": name})
        return self._next  # the seed gives outputs the next free id without using it

    def constant_f64(self, value, ty="rate"):
        return self._add("constant", (), {"value": float(value), "type": _as_type(ty)})

    def constant_i64(self, value, ty="i32"):
        return self._add("constant", (), {"value": int(value), "type": _as_type(ty)})

    def encode(self, prob_id, length=1024, seed=0xACE1):
        if not 0 <= seed <= 0xFFFF:
            raise ValueError(f"Seed out of range for u16: {seed}")
        return self._add("encode", (prob_id,), {"length": length, "seed": seed})

    def bitwise_and(self, lhs, rhs):
        return self._add("and", (lhs, rhs), {})

    def popcount(self, input_id):
        return self._add("popcount", (input_id,), {"width": 64})

    def lif_step(
        self,
        current_id,
        leak_id,
        gain_id,
        noise_id,
        *,
        data_width=16,
        fraction=8,
        v_rest=0,
        v_reset=0,
        v_threshold=256,
        refractory_period=2,
    ):
        return self._add(
            "lif_step",
            (current_id, leak_id, gain_id, noise_id),
            {
                "data_width": data_width,
                "fraction": fraction,
                "v_rest": v_rest,
                "v_reset": v_reset,
                "v_threshold": v_threshold,
                "refractory_period": refractory_period,
            },
        )

    def dense_forward(
        self,
        inputs_id,
        weights_id,
        leak_id,
        gain_id,
        *,
        n_inputs=3,
        n_neurons=7,
        data_width=16,
        stream_length=1024,
        seed_base=0xACE1,
        y_min=0,
        y_max=65535,
    ):
        return self._add(
            "dense_forward",
            (inputs_id, weights_id, leak_id, gain_id),
            {
                "n_inputs": n_inputs,
                "n_neurons": n_neurons,
                "data_width": data_width,
                "stream_length": stream_length,
                "input_seed_base": seed_base,
                "weight_seed_base": (seed_base + 1) & 0xFFFF,
                "y_min": y_min,
                "y_max": y_max,
            },
        )

    def scale(self, input_id, factor):
        return self._add("scale", (input_id,), {"factor": factor})

    def offset(self, input_id, offset_val):
        return self._add("offset", (input_id,), {"offset": offset_val})

    def div_const(self, input_id, divisor):
        return self._add("div_const", (input_id,), {"divisor": divisor})
