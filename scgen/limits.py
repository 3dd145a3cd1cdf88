"""Bounds on time and memory, stated once: option ranges, file and text sizes, the memory budget.

* Numeric command-line options are read by :func:`int_option` / :func:`float_option`: finite and
  within a stated range, or a one-sentence error naming the option, the range and the value.
* A graph file is read up to :data:`MAX_GRAPH_BYTES`; the text parser nests brackets at most
  :data:`MAX_NESTING` deep and reads numbers of at most :data:`MAX_NUMBER_CHARS` characters.
* Work whose arrays would need more than :func:`memory_budget` bytes is refused up front with
  the figure (:func:`check_memory`). The budget is a quarter of the machine's memory, or the
  byte count in the ``SCGEN_MEMORY_BUDGET`` environment variable.
"""

from __future__ import annotations

import argparse
import math
import os

__all__ = [
    "MAX_GRAPH_BYTES",
    "MAX_NESTING",
    "MAX_NUMBER_CHARS",
    "MAX_WINDOWS",
    "ResourceError",
    "check_memory",
    "float_option",
    "int_option",
    "memory_budget",
]

MAX_GRAPH_BYTES = 64 << 20  # a graph of a million ops is about 60 MB of text
MAX_NESTING = 64  # vec<vec<...>>, (...), [...] on one line
MAX_NUMBER_CHARS = 400  # any 64-bit value in any base fits in 70 characters
MAX_WINDOWS = 1 << 32


class ResourceError(ValueError):
    """Work that would need more memory than the budget allows."""


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError  # unreachable


def memory_budget() -> int:
    """Bytes that one piece of work may ask for (``SCGEN_MEMORY_BUDGET`` or 1/4 of the RAM)."""
    given = os.environ.get("SCGEN_MEMORY_BUDGET")
    if given:
        try:
            value = int(given, 0)
        except ValueError:
            value = 0
        if value < 1:
            raise ResourceError(
                f"SCGEN_MEMORY_BUDGET must be a positive number of bytes, not {given!r}"
            )
        return value
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (ValueError, OSError, AttributeError):  # not POSIX: assume 8 GiB of RAM
        return 2 << 30


def check_memory(what: str, nbytes: int) -> None:
    """Raise :class:`ResourceError` if ``what`` would need more than the budget."""
    budget = memory_budget()
    if nbytes > budget:
        raise ResourceError(
            f"{what} needs about {_size(nbytes)}, over the memory budget of {_size(budget)} "
            f"(a quarter of this machine's memory, or SCGEN_MEMORY_BUDGET); ask for fewer "
            f"windows or a shorter stream"
        )


def int_option(name: str, text: str, lo: int, hi: int) -> int:
    """An integer option within [lo, hi] (argparse ``type=``); 0x/0b/0o prefixes are accepted."""
    try:
        value = int(text.strip(), 0) if len(text) <= MAX_NUMBER_CHARS else None
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise argparse.ArgumentTypeError(
            f"{name} must be an integer between {lo} and {hi}, not {text!r}"
        )
    return value


def float_option(name: str, text: str, lo: float, hi: float) -> float:
    """A finite number option within [lo, hi] (argparse ``type=``)."""
    try:
        value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and lo <= value <= hi):
        raise argparse.ArgumentTypeError(
            f"{name} must be a finite number between {lo:g} and {hi:g}, not {text!r}"
        )
    return value
