"""Window counter parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._common import _int

__all__ = ["CounterParams"]


@dataclass(frozen=True, kw_only=True)
class CounterParams:
    """Window counter: the ones of a stream over ``window`` cycles (the hardware popcount).

    Parameters
    ----------
    window : int
        Number of cycles counted after each ``start``, 1 to ``2**32``.
    """

    NAME: ClassVar[str] = "Counter"

    window: int = 256

    def __post_init__(self) -> None:
        _int(self.NAME, "window", self.window, 1, 1 << 32)

    @property
    def count_width(self) -> int:
        """Width of ``count``: enough for ``window`` ones."""
        return self.window.bit_length()
