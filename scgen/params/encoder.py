"""Comparator encoder parameters (and the sources it can draw from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ._common import Encoding, Ordering, _enum
from .lfsr import LfsrParams
from .sobol import SobolParams

__all__ = ["SourceParams", "SOURCES", "EncoderParams"]


SourceParams = LfsrParams | SobolParams

# The source params classes by short name (how the IR spells a nested source).
SOURCES: dict[str, type] = {"lfsr": LfsrParams, "sobol": SobolParams}


@dataclass(frozen=True, kw_only=True)
class EncoderParams:
    """Comparator stochastic number generator driven by a source.

    Parameters
    ----------
    source : LfsrParams or SobolParams
        The random or low-discrepancy source; its width is the width of ``x``.
        Default: the seed's 16-bit LFSR seeded 0xACE1.
    encoding : Encoding or str
        ``"unipolar"`` (default) or ``"bipolar"``.
    ordering : Ordering or str
        ``"hardware"`` (compare, then step; default) or ``"blueprint"`` (step, then compare).
    """

    NAME: ClassVar[str] = "Encoder"

    source: SourceParams = field(default_factory=LfsrParams)
    encoding: Encoding = Encoding.UNIPOLAR
    ordering: Ordering = Ordering.HARDWARE

    def __post_init__(self) -> None:
        if not isinstance(self.source, LfsrParams | SobolParams):
            raise TypeError(
                f"{self.NAME} source must be an LfsrParams or a SobolParams, not {self.source!r}"
            )
        object.__setattr__(self, "encoding", _enum(self.NAME, "encoding", self.encoding, Encoding))
        object.__setattr__(self, "ordering", _enum(self.NAME, "ordering", self.ordering, Ordering))

    @property
    def width(self) -> int:
        """Width of ``x`` and of the source."""
        return self.source.width

    def source_params(self) -> SourceParams:
        """Return the parameters of the source as instantiated.

        Step-then-compare is compare-then-step against a source that starts one step ahead, so
        the blueprint ordering needs no extra logic: only the reset state moves.
        """
        if self.ordering is Ordering.BLUEPRINT:
            return self.source.advanced(1)
        return self.source

    def x_offset(self) -> int:
        """Return the constant XORed into ``x`` before the unsigned compare (bipolar: sign bit)."""
        return 1 << (self.width - 1) if self.encoding is Encoding.BIPOLAR else 0
