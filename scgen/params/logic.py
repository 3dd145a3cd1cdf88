"""Bitstream arithmetic parameters: AND and XNOR multipliers, MUX adder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._common import _int

__all__ = ["MulAndParams", "MulXnorParams", "AddMuxParams"]


@dataclass(frozen=True, kw_only=True)
class _LaneParams:
    NAME: ClassVar[str] = ""

    lanes: int = 1

    def __post_init__(self) -> None:
        _int(self.NAME, "lanes", self.lanes, 1, 64)


@dataclass(frozen=True, kw_only=True)
class MulAndParams(_LaneParams):
    """Unipolar SC multiplier: ``o = a & b`` on ``lanes`` independent bit lanes."""

    NAME: ClassVar[str] = "AND multiplier"


@dataclass(frozen=True, kw_only=True)
class MulXnorParams(_LaneParams):
    """Bipolar SC multiplier: ``o = ~(a ^ b)`` on ``lanes`` independent bit lanes."""

    NAME: ClassVar[str] = "XNOR multiplier"


@dataclass(frozen=True, kw_only=True)
class AddMuxParams(_LaneParams):
    """Scaled SC adder: ``o = sel ? b : a`` per lane; ``P(o) = (1-s) P(a) + s P(b)``."""

    NAME: ClassVar[str] = "MUX adder"
