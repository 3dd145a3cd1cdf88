"""Argument conversion with the errors the engine's Python bindings raise (PyO3 rules)."""

from __future__ import annotations

import operator

import numpy as np

__all__ = ["as_contiguous", "int_arg", "ndarray_arg", "type_label"]

_RANGES = {
    "i16": (-(1 << 15), (1 << 15) - 1),
    "u16": (0, (1 << 16) - 1),
    "i32": (-(1 << 31), (1 << 31) - 1),
    "u32": (0, (1 << 32) - 1),
    "i64": (-(1 << 63), (1 << 63) - 1),
    "u64": (0, (1 << 64) - 1),
}


def type_label(obj: object, *, downcast: bool = False) -> str:
    """Name the type of ``obj`` as the engine's messages do.

    PyO3's downcast errors use the type's qualified name (``'None'`` for None); CPython's
    ``__index__`` error uses ``tp_name``, which for C types includes the module
    (``'numpy.float64'``).
    """
    t = type(obj)
    if downcast:
        return "'None'" if obj is None else f"'{t.__qualname__}' object"
    heap = t.__flags__ & (1 << 9)  # Py_TPFLAGS_HEAPTYPE: classes defined in Python
    if heap or t.__module__ == "builtins":
        return f"'{t.__qualname__}' object"
    return f"'{t.__module__}.{t.__qualname__}' object"


def int_arg(name: str, value: object, kind: str) -> int:
    """Convert ``value`` like PyO3 converts an argument to the Rust integer type ``kind``."""
    if isinstance(value, float) or not hasattr(type(value), "__index__"):
        raise TypeError(
            f"argument '{name}': {type_label(value)} cannot be interpreted as an integer"
        )
    v = operator.index(value)
    lo, hi = _RANGES[kind]
    if kind in ("u64",):  # 64-bit conversions go through PyLong_AsUnsignedLongLong
        if v < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if v > hi:
            raise OverflowError("int too big to convert")
    elif kind == "i64":
        if not lo <= v <= hi:
            raise OverflowError("Python int too large to convert to C long")
    elif not lo <= v <= hi:
        raise OverflowError("out of range integral type conversion attempted")
    return v


def ndarray_arg(name: str, value: object, dtype: type, ndim: int) -> np.ndarray:
    """Accept only a NumPy array of exactly ``dtype`` and ``ndim``, as the engine does."""
    if not isinstance(value, np.ndarray) or value.dtype != dtype or value.ndim != ndim:
        raise TypeError(
            f"argument '{name}': {type_label(value, downcast=True)} is not an instance of 'ndarray'"
        )
    return value


def as_contiguous(name: str, value: np.ndarray) -> np.ndarray:
    """Refuse non-contiguous arrays with the engine's message."""
    if not (value.flags.c_contiguous and value.flags.aligned):
        raise ValueError(f"Cannot read {name}: The given array is not contiguous or is misaligned.")
    return value
