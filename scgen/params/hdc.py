"""Parameters of the hyperdimensional-computing primitives (see :mod:`scgen.params`).

A hypervector of ``words * lanes`` bits moves through hardware ``lanes`` bits per cycle: word
``j`` (bits ``j * lanes`` to ``(j + 1) * lanes - 1``, LSB first, as in scgen's packed layout) on
the ``j``-th cycle of a vector. ``lanes = 1`` is a plain bitstream, one bit per cycle, which is
how the IR carries hypervectors.

This module imports nothing but the standard library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._common import _int
from .logic import _LaneParams

__all__ = ["BindParams", "BundleParams", "PermuteParams", "HammingParams", "AssocQueryParams"]


def _power_of_two(owner: str, name: str, value: int, hi: int) -> int:
    _int(owner, name, value, 1, hi)
    if value & (value - 1):
        raise ValueError(f"{owner} {name} must be a power of two, not {value!r}")
    return value


@dataclass(frozen=True, kw_only=True)
class BindParams(_LaneParams):
    """HDC bind: ``o = a ^ b`` on ``lanes`` bit lanes (combinational)."""

    NAME: ClassVar[str] = "Bind"


@dataclass(frozen=True, kw_only=True)
class BundleParams:
    """HDC bundle: the strict majority of ``n`` streams, lane by lane (combinational).

    Parameters
    ----------
    n : int
        Number of bundled streams (ports ``a0`` .. ``a{n-1}``), 1 to 63. A lane's output is 1 when
        more than ``n // 2`` inputs are 1, as in the seed (``n = 2`` is AND, ``n = 1`` a wire).
    lanes : int
        Bits per cycle of each stream, 1 to 64.
    """

    NAME: ClassVar[str] = "Bundle"

    n: int = 3
    lanes: int = 1

    def __post_init__(self) -> None:
        _int(self.NAME, "n", self.n, 1, 63)
        _int(self.NAME, "lanes", self.lanes, 1, 64)

    @property
    def threshold(self) -> int:
        """A lane is 1 when more than this many inputs are 1."""
        return self.n // 2

    def port_names(self) -> tuple[str, ...]:
        """The input ports, one per bundled stream."""
        return tuple(f"a{k}" for k in range(self.n))


@dataclass(frozen=True, kw_only=True)
class PermuteParams:
    """HDC permute: cyclic rotation of a streamed hypervector of ``words * lanes`` bits.

    Parameters
    ----------
    words : int
        Words per vector, 1 to 1024.
    lanes : int
        Bits per word (per cycle), 1 to 64; ``words * lanes`` is at most 4096.
    shift : int
        Bit ``i`` of a vector moves to ``(i + shift) % (words * lanes)`` (the seed's
        ``rotate_right``); any integer, taken modulo the dimension.
    """

    NAME: ClassVar[str] = "Permute"

    words: int = 16
    lanes: int = 16
    shift: int = 1

    def __post_init__(self) -> None:
        _int(self.NAME, "words", self.words, 1, 1024)
        _int(self.NAME, "lanes", self.lanes, 1, 64)
        if self.words * self.lanes > 4096:
            raise ValueError(
                f"{self.NAME} dimension (words * lanes) must be at most 4096, not "
                f"{self.words * self.lanes}"
            )
        if not isinstance(self.shift, int) or isinstance(self.shift, bool):
            raise TypeError(f"{self.NAME} shift must be an integer, not {self.shift!r}")

    @property
    def dimension(self) -> int:
        return self.words * self.lanes

    @property
    def rotation(self) -> int:
        """The shift reduced into ``[0, dimension)``."""
        return self.shift % self.dimension


@dataclass(frozen=True, kw_only=True)
class HammingParams:
    """Hamming distance of two streamed hypervectors: XOR, then count over ``words`` cycles.

    Parameters
    ----------
    words : int
        Cycles (words) per vector, 1 to ``2**20``.
    lanes : int
        Bits per cycle, 1 to 64.
    """

    NAME: ClassVar[str] = "Hamming"

    words: int = 64
    lanes: int = 16

    def __post_init__(self) -> None:
        _int(self.NAME, "words", self.words, 1, 1 << 20)
        _int(self.NAME, "lanes", self.lanes, 1, 64)

    @property
    def count_width(self) -> int:
        """Width of ``count``: enough for ``words * lanes`` differing bits."""
        return (self.words * self.lanes).bit_length()


@dataclass(frozen=True, kw_only=True)
class AssocQueryParams:
    """Associative-memory query: the stored item nearest (Hamming) to a query hypervector.

    ``items`` hypervectors of ``words * lanes`` bits live in one memory of ``items * words``
    words of ``lanes`` bits (address ``item * words + word``), the query in a second memory of
    ``words`` words; a search reads one word of each per cycle. The default, 16 items of 1 024
    bits in 16-bit words, takes 16 Kbit: four of the iCE40UP5K's 4-Kbit block RAMs.

    Parameters
    ----------
    items : int
        Stored hypervectors, 1 to 256.
    words : int
        Words per hypervector, a power of two from 1 to 1024.
    lanes : int
        Bits per word, 1 to 64.
    """

    NAME: ClassVar[str] = "Associative query"

    items: int = 16
    words: int = 64
    lanes: int = 16

    def __post_init__(self) -> None:
        _int(self.NAME, "items", self.items, 1, 256)
        _power_of_two(self.NAME, "words", self.words, 1024)
        _int(self.NAME, "lanes", self.lanes, 1, 64)

    @property
    def dimension(self) -> int:
        return self.words * self.lanes

    @property
    def depth(self) -> int:
        """Words of the item memory."""
        return self.items * self.words

    @property
    def word_bits(self) -> int:
        """Bits of a word index (``log2(words)``)."""
        return self.words.bit_length() - 1

    @property
    def item_bits(self) -> int:
        """Bits of an item index (at least 1)."""
        return max(1, (self.items - 1).bit_length())

    @property
    def distance_width(self) -> int:
        """Width of ``distance``: enough for ``dimension`` differing bits."""
        return self.dimension.bit_length()

    @property
    def latency(self) -> int:
        """Cycles from an accepted ``start`` to ``done``: one per stored word, plus two."""
        return self.items * self.words + 2
