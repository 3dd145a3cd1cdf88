"""The one conversion from the values a user gives a graph input to the values its port holds.

The twin, the simulators, ``scgen sim``, ``scgen run``, the board manifest and the host link all
convert through :func:`port_values` (via :func:`scgen.ir.ports.input_ports`), so they see the same
numbers. Per window a ``rate`` is a probability in [0, 1] (a 16-bit full-scale threshold on the
port, ``floor(p * 65536)``, 1.0 held as 65535), a ``vec<rate, N>`` N of them, an integer or a
fixed-point raw value an integer that fits the port, a ``bool`` 0 or 1. A value that does not fit
is a :class:`ValueError` naming the input, its type and the value; only when the caller asks for
``clamp=True`` is it clamped, and the caller is told how many values were.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .types import RATE_BITS, Bool, Fixed, Rate, SInt, Spikes, Type, UInt, Vec

__all__ = [
    "pack_spikes",
    "parse_input_items",
    "parse_number",
    "port_range",
    "port_values",
    "spike_array",
]


def port_range(t: Type) -> tuple[float, float] | tuple[int, int]:
    """The inclusive range of the values a user gives an input of type ``t``."""
    if isinstance(t, Rate) or (isinstance(t, Vec) and isinstance(t.elem, Rate)):
        return 0.0, 1.0
    if isinstance(t, Spikes):
        return 0, 1
    if isinstance(t, UInt | Bool):
        return 0, (1 << t.width) - 1
    if isinstance(t, SInt | Fixed):
        return -(1 << (t.width - 1)), (1 << (t.width - 1)) - 1
    raise TypeError(f"Type {t} has no input port values")


def _numbers(name: str, t: Type, values) -> np.ndarray:
    try:
        v = np.asarray(values)
    except (ValueError, TypeError):
        raise ValueError(f"Input {name!r} of type {t} must be numbers, not {values!r}") from None
    if v.dtype.kind == "O":
        if not all(
            isinstance(x, int | float | np.integer | np.floating) for x in v.ravel().tolist()
        ):
            bad = next(
                x
                for x in v.ravel().tolist()
                if not isinstance(x, int | float | np.integer | np.floating)
            )
            raise ValueError(f"Input {name!r} of type {t} must be numbers, not {bad!r}")
    elif v.dtype.kind not in "biuf":
        raise ValueError(
            f"Input {name!r} of type {t} must be numbers, not an array of {v.dtype} "
            f"({v.ravel()[0].tolist()!r} ...)"
            if v.size
            else f"Input {name!r} of type {t} must be numbers, not an empty array of {v.dtype}"
        )
    return v


def _shape_checked(name: str, t: Type, v: np.ndarray) -> np.ndarray:
    if isinstance(t, Vec):
        if v.ndim == 1 and v.size % t.n == 0 and v.size:
            return v.reshape(-1, t.n)
        if v.ndim == 2 and v.shape[1] == t.n:
            return v
        raise ValueError(
            f"Input {name!r} of type {t} takes {t.n} values per window (an array of shape "
            f"(windows, {t.n})), not an array of shape {v.shape}"
        )
    if v.ndim == 0:
        return v.reshape(1)
    if v.ndim != 1:
        raise ValueError(
            f"Input {name!r} of type {t} takes one value per window (a 1-D array), not an "
            f"array of shape {v.shape}"
        )
    return v


def pack_spikes(t: Spikes, spikes: np.ndarray) -> np.ndarray:
    """Port values of per-window spikes ``(windows, steps, neurons)`` (0/1): bit
    ``t * neurons + i`` is spike ``i`` of step ``t``; int64, or Python ints past 63 bits."""
    bits = np.ascontiguousarray(np.asarray(spikes, dtype=np.uint8).reshape(len(spikes), -1))
    if t.width <= 63:
        weights = np.int64(1) << np.arange(t.width, dtype=np.int64)
        return (bits.astype(np.int64) * weights).sum(axis=1)
    raw = np.packbits(bits, axis=1, bitorder="little")
    return np.array([int.from_bytes(row.tobytes(), "little") for row in raw], dtype=object)


def spike_array(t: Spikes, values) -> np.ndarray:
    """The spikes ``(windows, steps, neurons)`` (uint8) of per-window port values of type
    ``t`` (the inverse of :func:`pack_spikes`)."""
    nbytes = (t.width + 7) // 8
    rows = [int(v).to_bytes(nbytes, "little") for v in np.asarray(values).ravel().tolist()]
    raw = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), nbytes)
    bits = np.unpackbits(raw, axis=1, bitorder="little")[:, : t.width]
    return bits.reshape(len(rows), t.steps, t.neurons)


def _spike_values(name: str, t: Spikes, v: np.ndarray) -> np.ndarray:
    per_window = (t.steps, t.neurons)
    if v.ndim == 1 and v.size == t.width:
        v = v.reshape(1, *per_window)
    elif v.ndim == 2 and v.shape[1] == t.width:
        v = v.reshape(len(v), *per_window)
    elif v.ndim != 3 or v.shape[1:] != per_window:
        raise ValueError(
            f"Input {name!r} of type {t} takes {t.steps} x {t.neurons} spikes per window (an "
            f"array of shape (windows, {t.steps}, {t.neurons})), not an array of shape {v.shape}"
        )
    ok = (v == 0) | (v == 1)
    if not np.all(ok):
        raise ValueError(
            f"Input {name!r} of type {t} must be spikes 0 or 1, not {_first_bad(v, ok)!r}"
        )
    return pack_spikes(t, v)


def _first_bad(v: np.ndarray, ok: np.ndarray) -> object:
    x = v[~ok].ravel()[0]
    return x.item() if hasattr(x, "item") else x


def port_values(
    name: str,
    t: Type,
    values,
    *,
    clamp: bool = False,
    clamped: Callable[[str], None] | None = None,
) -> np.ndarray:
    """Return the port values of input ``name`` of type ``t`` for per-window ``values``.

    Raises ``ValueError`` naming the input, its type and the first value that does not fit, or,
    with ``clamp=True``, clamps such values to the port's range and calls ``clamped`` with a
    sentence saying how many it clamped (NaN is never clamped).
    """
    if isinstance(t, Spikes):
        return _spike_values(name, t, _numbers(name, t, values))
    v = _shape_checked(name, t, _numbers(name, t, values))
    lo, hi = port_range(t)
    if isinstance(t, Rate) or (isinstance(t, Vec) and isinstance(t.elem, Rate)):
        f = v.astype(np.float64)
        nan = np.isnan(f)
        if nan.any():
            raise ValueError(f"Input {name!r} of type {t} must be a probability, not nan")
        ok = (f >= 0) & (f <= 1)
        if not ok.all():
            if not clamp:
                raise ValueError(
                    f"Input {name!r} of type {t} must be a probability within [0, 1], not "
                    f"{_first_bad(v, ok)!r}"
                )
            if clamped is not None:
                clamped(f"input {name!r}: {int((~ok).sum())} value(s) clamped to [0, 1]")
            f = np.clip(f, 0.0, 1.0)
        q = np.minimum(np.floor(f * (1 << RATE_BITS)), (1 << RATE_BITS) - 1).astype(np.int64)
        if not isinstance(t, Vec):
            return q
        if RATE_BITS * t.n <= 63:
            return (q << (RATE_BITS * np.arange(t.n, dtype=np.int64))).sum(axis=1)
        # wider ports hold Python ints (object arrays): each row's 16-bit fields as bytes
        raw = np.ascontiguousarray(q, dtype="<u2")
        return np.array([int.from_bytes(row.tobytes(), "little") for row in raw], dtype=object)
    if v.dtype.kind == "f":
        bad = ~np.isfinite(v) | (v != np.floor(v))
        if bad.any():
            x = _first_bad(v, ~bad)
            raise ValueError(f"Input {name!r} of type {t} must be an integer, not {x!r}")
    if v.dtype.kind in "biu" and t.width <= 62:
        n = v.astype(np.int64)
    elif v.dtype.kind == "f" and t.width <= 52:
        n = v.astype(np.int64)
    else:  # wide ports and object arrays: exact Python integers
        items = v.tolist()
        for x in items:
            if isinstance(x, float) and not (math.isfinite(x) and x.is_integer()):
                raise ValueError(f"Input {name!r} of type {t} must be an integer, not {x!r}")
        n = np.array([int(x) for x in items], dtype=object)
    ok = (n >= lo) & (n <= hi)
    if not np.all(ok):
        if not clamp:
            raise ValueError(
                f"Input {name!r} of type {t} must be an integer within [{lo}, {hi}], not "
                f"{_first_bad(v, np.asarray(ok, dtype=bool))!r}"
            )
        if clamped is not None:
            count = int((~np.asarray(ok, dtype=bool)).sum())
            clamped(f"input {name!r}: {count} value(s) clamped to [{lo}, {hi}]")
        n = np.minimum(np.maximum(n, lo), hi)
    if n.dtype == object and all(-(1 << 63) <= x < 1 << 63 for x in n.tolist()):
        return n.astype(np.int64)
    return n


def parse_number(text: str) -> int | float:
    """Read one ``--input`` value: an integer in any base Python accepts (``0xBEEF``, ``-3``,
    ``0b101``) or else a float (``0.5``, ``1e-3``, ``nan``, which the port then refuses)."""
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        pass
    if len(text) > 400:  # int() refuses more than 4300 digits; no number needs this many
        raise ValueError(f"number of {len(text)} characters")
    return float(text)


def parse_input_items(items: list[str], names: list[str], graph: str) -> dict[str, list]:
    """Parse ``NAME=V1,V2,...`` options for the inputs ``names`` of ``graph``.

    Raises ``ValueError`` naming the option and the offending text: a malformed item, a value
    that is not a number, a name the graph has no input of, or a name given twice.
    """
    out: dict[str, list] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--input must be NAME=V1,V2,..., not {item!r}")
        if name not in names:
            raise ValueError(
                f"--input {name!r} is not an input of graph {graph!r} (its inputs: "
                f"{', '.join(names) or 'none'})"
            )
        if name in out:
            raise ValueError(f"--input {name!r} is given twice")
        try:
            out[name] = [parse_number(v) for v in text.split(",")]
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise ValueError(f"--input {name} values must be numbers, not {shown!r}") from None
    return out
