"""JK flip-flop divider parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .logic import _LaneParams

__all__ = ["JkDivParams"]


@dataclass(frozen=True, kw_only=True)
class JkDivParams(_LaneParams):
    """JK flip-flop divider (UnarySim's JKDIV): per lane a JK flip-flop with ``J = a`` and
    ``K = b``, ``q' = (a & ~q) | (~b & q)``; the output is ``q`` (0 after reset). For
    independent unipolar streams of rates ``p_a`` and ``p_b`` (not both 0), ``P(o)`` tends to
    ``p_a / (p_a + p_b)``."""

    NAME: ClassVar[str] = "JK divider"
