"""Shared pieces of the params modules: the enums and the one-sentence field checks."""

from __future__ import annotations

import enum
import operator
from typing import Any

__all__ = ["Ordering", "Encoding", "LfsrForm"]


class Ordering(enum.Enum):
    """Which of SC-NeuroCore's two behaviours a primitive follows.

    ``HARDWARE`` (the default) is what the seed's Verilog, its v2 models and engine 3.15.7 do:
    an encoder compares the current source value and then steps; a LIF neuron checks its
    refractory counter first. ``BLUEPRINT`` is the v3.7 engine's documented behaviour: an encoder
    steps and then compares; a LIF neuron applies the refractory override after the threshold.
    """

    HARDWARE = "hardware"
    BLUEPRINT = "blueprint"


class Encoding(enum.Enum):
    """How an encoder maps its binary input to a probability.

    ``UNIPOLAR``: ``x`` is unsigned and ``P(o = 1) = x / 2**width``.
    ``BIPOLAR``: ``x`` is signed, the stream encodes ``x / 2**(width - 1)`` in [-1, 1) and
    ``P(o = 1) = (x + 2**(width - 1)) / 2**width``.
    """

    UNIPOLAR = "unipolar"
    BIPOLAR = "bipolar"


class LfsrForm(enum.Enum):
    """LFSR structure. Both forms use the same tap mask (see :meth:`LfsrParams.taps_mask`).

    ``FIBONACCI`` shifts left and feeds the parity of the tapped bits into bit 0 (the seed's
    ``Lfsr16``). ``GALOIS`` shifts right and XORs the tap mask in when the bit shifted out is 1.
    """

    FIBONACCI = "fibonacci"
    GALOIS = "galois"


def _enum(owner: str, name: str, value: object, kind: type[enum.Enum]) -> enum.Enum:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in kind)
        raise ValueError(f"{owner} {name} must be one of {choices}, not {value!r}") from None


def _int(owner: str, name: str, value: object, lo: int, hi: int, hint: str = "") -> int:
    if not isinstance(value, int | bool) and hasattr(type(value), "__index__"):
        value = operator.index(value)  # type: ignore[arg-type]  # numpy integers too
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{owner} {name} must be an integer, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{owner} {name} must be between {lo} and {hi}{hint}, not {value!r}")
    return value


def _signed_range(width: int) -> tuple[int, int]:
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


def _int_tuple(owner: str, name: str, value: object, lo: int, hi: int, hint: str) -> tuple:
    if not isinstance(value, tuple | list):
        raise TypeError(f"{owner} {name} must be a tuple of integers, not {value!r}")
    for v in value:
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"{owner} {name} must be a tuple of integers, not {value!r}")
        if not lo <= v <= hi:
            raise ValueError(
                f"{owner} {name} values must be between {lo} and {hi}{hint}, not {v!r}"
            )
    return tuple(value)


def _floats(value: Any):
    """Yield the numbers of a nested sequence (lists, tuples, NumPy arrays) in row order."""
    if hasattr(value, "__iter__"):
        for v in value:
            yield from _floats(v)
    else:
        yield float(value)
