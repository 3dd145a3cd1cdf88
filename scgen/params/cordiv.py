"""CORDIV divider parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .logic import _LaneParams

__all__ = ["CordivParams"]


@dataclass(frozen=True, kw_only=True)
class CordivParams(_LaneParams):
    """CORDIV sequential divider (Chen and Hayes): per lane ``o = a if b else q``, then
    ``q = o``; ``q`` is 0 after reset. When ``a``'s ones are a subset of ``b``'s,
    ``P(o) = P(a) / P(b)`` (0 while ``b`` has not yet been 1)."""

    NAME: ClassVar[str] = "CORDIV divider"
