"""How IR values meet hardware ports: port shapes, exact port values, constants, window inputs.

One place for the conversions every consumer of a graph needs (GraphTop, the twin, the window
runner, the host link, the CLI), so that they cannot disagree: a rate is quantised to its 16-bit
port by ``floor(p * 2**16)`` clamped to ``[0, 2**16 - 1]``; vectors pack element 0 first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from amaranth.hdl import Shape, signed

from .types import (
    RATE_BITS,
    Bitstream,
    Bool,
    Fixed,
    Rate,
    SInt,
    Spikes,
    Tuple,
    Type,
    UInt,
    Vec,
    Words,
)
from .values import port_values

if TYPE_CHECKING:
    from .graph import Graph, Op

__all__ = [
    "LoweringError",
    "output_fields",
    "const_value",
    "const_windows",
    "input_ports",
    "per_cycle",
    "port_shape",
    "random_inputs",
]


class LoweringError(ValueError):
    """A graph that verifies but cannot (yet) be lowered to hardware."""


def port_shape(t: Type) -> Shape:
    """The hardware port shape of a value of type ``t``."""
    if isinstance(t, Rate):
        return Shape.cast(RATE_BITS)
    if isinstance(t, Vec) and isinstance(t.elem, Rate):
        return Shape.cast(RATE_BITS * t.n)
    if isinstance(t, UInt | Bool | Bitstream | Words | Spikes) or (
        isinstance(t, Vec) and isinstance(t.elem, Bool | SInt)  # vec<iN>: packed, element 0 low
    ):
        return Shape.cast(t.width)
    if isinstance(t, SInt | Fixed):
        return signed(t.width)
    raise LoweringError(f"type {t} has no hardware port yet")


def per_cycle(t: Type) -> bool:
    """Values that change on every cycle of a window: streams, source words, spike words."""
    return isinstance(t, Bitstream | Words) or (isinstance(t, Vec) and isinstance(t.elem, Bool))


def const_value(op: Op) -> int:
    """A ``constant`` op as its port value: vectors packed element 0 first (rates quantised)."""
    v, t = op.attr("value"), op.attr("type")
    if isinstance(t, Rate) or (
        isinstance(t, Vec) and isinstance(t.elem, Rate) and isinstance(v, tuple)
    ):
        if isinstance(t, Vec) and isinstance(v, tuple) and len(v) != t.n:
            raise LoweringError(f"constant of type {t} has {len(v)} elements, not {t.n}")
        return int(port_values("constant", t, [v])[0])
    if isinstance(v, tuple) or (isinstance(t, Fixed) and isinstance(v, float)):
        raise LoweringError(
            f"constant {v!r} : {t} has no hardware value; constants are "
            f"rates, integers, raw fixed point or vectors of rates"
        )
    return int(v)


def const_windows(op: Op, windows: int) -> np.ndarray:
    """The constant's port value repeated for every window (object ints past 63 bits)."""
    value = const_value(op)
    if port_shape(op.attr("type")).width <= 63:
        return np.full(windows, value, dtype=np.int64)
    return np.array([value] * windows, dtype=object)


def input_ports(graph: Graph, inputs: dict[str, Any]) -> dict[str, np.ndarray]:
    """Convert per-window input values (rates as probabilities) to port values: exactly, or
    a ValueError naming the input, its type and the value (:mod:`scgen.ir.values`)."""
    out = {}
    for op in graph.inputs:
        name = op.attr("name")
        if name not in inputs:
            raise ValueError(f"Graph {graph.name!r} input {name!r} is missing")
        out[name] = port_values(name, op.attr("type"), inputs[name])
    return out


def random_inputs(graph: Graph, windows: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random valid per-window values of every graph input: rates (and vectors of rates) as
    probabilities, integers and fixed point over their whole range."""
    out: dict[str, np.ndarray] = {}
    for op in graph.inputs:
        t = op.attr("type")
        if isinstance(t, Rate):
            out[op.attr("name")] = rng.random(windows)
        elif isinstance(t, Vec) and isinstance(t.elem, Rate):
            out[op.attr("name")] = rng.random((windows, t.n))
        elif isinstance(t, Spikes):  # sparse spikes, as a network sees them
            density = rng.uniform(0.1, 0.6)
            shape = (windows, t.steps, t.neurons)
            out[op.attr("name")] = (rng.random(shape) < density).astype(np.uint8)
        elif isinstance(t, UInt | Bool):
            out[op.attr("name")] = rng.integers(0, 1 << t.width, windows, dtype=np.int64)
        elif isinstance(t, SInt | Fixed):
            half = 1 << (t.width - 1)
            out[op.attr("name")] = rng.integers(-half, half, windows, dtype=np.int64)
        else:
            raise LoweringError(
                f"Graph input {op.attr('name')!r} has type {t}, which has no "
                f"random values; inputs are rates, integers or fixed point"
            )
    return out


def output_fields(name: str, t: Type) -> list[tuple[str, str | None]]:
    """The ports of a graph output named ``name`` of type ``t``: (port, tuple field or None).
    A LIF result gives ``NAME__spike`` and ``NAME__v``."""
    if isinstance(t, Tuple):
        return [(f"{name}__spike", "spike"), (f"{name}__v", "v")]
    return [(name, None)]
