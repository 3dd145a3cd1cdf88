"""IR value types and their text spelling.

``bitstream<L>`` (optionally ``bitstream<L, bipolar>`` and a source identity
``bitstream<L, unipolar, "lfsr16:ace1">`` so that correlation can be tracked), ``fixed<W,F>``,
``uN``, ``iN``, ``bool``, ``rate`` (a probability; 16-bit full-scale in hardware, so 0.5 is
0x8000) and ``vec<T,N>``. ``parse_type(str(t)) == t`` for every type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "RATE_BITS",
    "Bitstream",
    "Bool",
    "Fixed",
    "Rate",
    "SInt",
    "Spikes",
    "Tuple",
    "Type",
    "TypeParseError",
    "UInt",
    "Vec",
    "Words",
    "parse_type",
]

# A rate is a probability held as an unsigned full-scale fraction: value = p * 2**RATE_BITS.
RATE_BITS = 16


class TypeParseError(ValueError):
    """A type spelling that is not one of the IR's types."""


class Type:
    """Base of the IR types; every type is a frozen dataclass with a text spelling."""

    @property
    def width(self) -> int:
        """Width in bits of one value of this type in hardware."""
        raise NotImplementedError


def _check_source(kind: str, source: object) -> None:
    if not isinstance(source, str) or '"' in source or "\n" in source:
        raise ValueError(f"{kind} source must be a string without quotes, not {source!r}")


def _positive(kind: str, name: str, value: object, lo: int = 1, hi: int = 1 << 32) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{kind} {name} must be an integer, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{kind} {name} must be between {lo} and {hi}, not {value!r}")


@dataclass(frozen=True)
class Bitstream(Type):
    """A stream of ``length`` bits; ``source`` names the random source that generated it."""

    length: int
    encoding: str = "unipolar"
    source: str = ""

    def __post_init__(self) -> None:
        _positive("Bitstream", "length", self.length, 0)
        if self.encoding not in ("unipolar", "bipolar"):
            raise ValueError(
                f"Bitstream encoding must be 'unipolar' or 'bipolar', not {self.encoding!r}"
            )
        _check_source("Bitstream", self.source)

    @property
    def width(self) -> int:
        return 1

    def __str__(self) -> str:
        if self.source:
            return f'bitstream<{self.length}, {self.encoding}, "{self.source}">'
        if self.encoding != "unipolar":
            return f"bitstream<{self.length}, {self.encoding}>"
        return f"bitstream<{self.length}>"


@dataclass(frozen=True)
class Words(Type):
    """A stream of ``length`` unsigned ``bits``-bit words, one per cycle (e.g. an LFSR's states);
    ``source`` names the generator, as for :class:`Bitstream`."""

    bits: int
    length: int
    source: str = ""

    def __post_init__(self) -> None:
        _positive("Words", "width", self.bits, 1, 64)
        _positive("Words", "length", self.length, 0)
        _check_source("Words", self.source)

    @property
    def width(self) -> int:
        return self.bits

    def __str__(self) -> str:
        if self.source:
            return f'words<{self.bits}, {self.length}, "{self.source}">'
        return f"words<{self.bits}, {self.length}>"


@dataclass(frozen=True)
class Fixed(Type):
    """Signed fixed point: ``width`` bits of which ``frac`` are fraction bits."""

    total: int
    frac: int

    def __post_init__(self) -> None:
        _positive("Fixed", "width", self.total, 1, 64)
        _positive("Fixed", "fraction", self.frac, 0, self.total)

    @property
    def width(self) -> int:
        return self.total

    def __str__(self) -> str:
        return f"fixed<{self.total},{self.frac}>"


@dataclass(frozen=True)
class _Int(Type):
    PREFIX: ClassVar[str] = ""

    bits: int

    def __post_init__(self) -> None:
        _positive(type(self).__name__, "width", self.bits, 1, 64)

    @property
    def width(self) -> int:
        return self.bits

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.bits}"


@dataclass(frozen=True)
class UInt(_Int):
    """Unsigned integer of ``bits`` bits (``uN``)."""

    PREFIX: ClassVar[str] = "u"


@dataclass(frozen=True)
class SInt(_Int):
    """Two's-complement integer of ``bits`` bits (``iN``)."""

    PREFIX: ClassVar[str] = "i"


@dataclass(frozen=True)
class Bool(Type):
    @property
    def width(self) -> int:
        return 1

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class Rate(Type):
    """A probability in [0, 1]; in hardware an unsigned ``RATE_BITS``-bit full-scale fraction."""

    @property
    def width(self) -> int:
        return RATE_BITS

    def __str__(self) -> str:
        return "rate"


@dataclass(frozen=True)
class Vec(Type):
    elem: Type
    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.elem, Type):
            raise TypeError(f"Vec element must be an IR type, not {self.elem!r}")
        _positive("Vec", "length", self.n, 1)

    @property
    def width(self) -> int:
        return self.elem.width * self.n

    def __str__(self) -> str:
        return f"vec<{self.elem},{self.n}>"


@dataclass(frozen=True)
class Spikes(Type):
    """The spikes of ``neurons`` neurons over the ``steps`` time steps of one sample (a
    window): bit ``t * neurons + i`` is neuron ``i``'s spike at step ``t`` (``spikes<T, N>``)."""

    steps: int
    neurons: int

    def __post_init__(self) -> None:
        _positive("Spikes", "steps", self.steps, 1, 1 << 16)
        _positive("Spikes", "neurons", self.neurons, 1, 1 << 16)

    @property
    def width(self) -> int:
        return self.steps * self.neurons

    def __str__(self) -> str:
        return f"spikes<{self.steps}, {self.neurons}>"


@dataclass(frozen=True)
class Tuple(Type):
    """Several results of one op, e.g. ``(bool, fixed<16,8>)`` for a LIF step."""

    items: tuple[Type, ...]

    def __post_init__(self) -> None:
        if len(self.items) < 2 or not all(isinstance(t, Type) for t in self.items):
            raise ValueError(f"Tuple must hold two or more IR types, not {self.items!r}")

    @property
    def width(self) -> int:
        return sum(t.width for t in self.items)

    def __str__(self) -> str:
        return "(" + ", ".join(map(str, self.items)) + ")"


_INT = re.compile(r"^([ui])(\d+)$")


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside <...> or quotes."""
    parts: list[str] = []
    cur: list[str] = []
    depth, quoted = 0, False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "<(":
            depth += 1
        elif not quoted and ch in ">)":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def _number(text: str, spelling: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise TypeParseError(f"Unknown IR type: {spelling!r}")
    return int(text)


def _quoted(text: str, spelling: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise TypeParseError(f"Unknown IR type: {spelling!r}")
    return text[1:-1]


def parse_type(text: str) -> Type:
    """Parse a type spelling (case-insensitive, surrounding spaces ignored).

    The seed's spellings are accepted too: a bare ``bitstream`` is ``bitstream<0>``.
    """
    if not isinstance(text, str):
        raise TypeError(f"IR type must be a string, not {text!r}")
    spelling = text
    s = text.strip()
    low = s.lower()
    try:
        if low == "bool":
            return Bool()
        if low == "rate":
            return Rate()
        if low == "bitstream":
            return Bitstream(0)
        if s.startswith("(") and s.endswith(")"):
            return Tuple(tuple(parse_type(p) for p in _split_top(s[1:-1])))
        m = _INT.match(low)
        if m:
            bits = int(m.group(2))
            return UInt(bits) if m.group(1) == "u" else SInt(bits)
        for head in ("bitstream", "words", "fixed", "vec", "spikes"):
            if low.startswith(head + "<") and low.endswith(">"):
                inner = s[len(head) + 1 : -1]
                parts = _split_top(inner)
                if head == "bitstream":
                    if not 1 <= len(parts) <= 3:
                        break
                    length = _number(parts[0], spelling)
                    enc = parts[1].lower() if len(parts) > 1 else "unipolar"
                    src = _quoted(parts[2], spelling) if len(parts) == 3 else ""
                    return Bitstream(length, enc, src)
                if head == "words":
                    if len(parts) not in (2, 3):
                        break
                    src = _quoted(parts[2], spelling) if len(parts) == 3 else ""
                    return Words(_number(parts[0], spelling), _number(parts[1], spelling), src)
                if len(parts) != 2:
                    break
                if head == "fixed":
                    return Fixed(_number(parts[0], spelling), _number(parts[1], spelling))
                if head == "spikes":
                    return Spikes(_number(parts[0], spelling), _number(parts[1], spelling))
                return Vec(parse_type(parts[0]), _number(parts[1], spelling))
    except TypeParseError:
        raise
    except (ValueError, TypeError) as exc:
        raise TypeParseError(f"Invalid IR type {spelling!r}: {exc}") from None
    raise TypeParseError(f"Unknown IR type: {spelling!r}")
