"""Sobol low-discrepancy source parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ._common import _int

__all__ = ["SOBOL_POLYNOMIALS", "SobolParams"]


# Sobol dimensions after the first (van der Corput): (degree s, coefficient bits a, initial
# direction integers m_1..m_s), the primitive polynomials and initial values of Joe and Kuo's
# "new-joe-kuo-6.21201" table.
SOBOL_POLYNOMIALS: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (1, 0, (1,)),
    (2, 1, (1, 3)),
    (3, 1, (1, 3, 1)),
    (3, 2, (1, 1, 1)),
    (4, 1, (1, 1, 3, 3)),
    (4, 4, (1, 3, 5, 13)),
    (5, 2, (1, 1, 5, 5, 17)),
    (5, 4, (1, 1, 5, 5, 5)),
    (5, 7, (1, 1, 7, 11, 19)),
)


@dataclass(frozen=True, kw_only=True)
class SobolParams:
    """Sobol low-discrepancy source (one dimension), in Gray-code order.

    Parameters
    ----------
    width : int
        Output width in bits, 1 to 32; the sequence repeats after ``2**width`` values, each
        value appearing exactly once per period.
    dimension : int
        0 is the van der Corput sequence (0, 1/2, 3/4, 1/4, ...); 1 to 9 use the
        Joe-Kuo direction numbers of :data:`SOBOL_POLYNOMIALS`. Different dimensions give
        streams that are nearly uncorrelated with each other.
    start : int
        Sequence index after reset (0 to ``2**width - 1``); ``start=1`` skips the initial 0.
    scramble : int
        Digital shift XORed into every output (0 to ``2**width - 1``); keeps the
        low-discrepancy property and decorrelates equal-dimension sources.
    """

    NAME: ClassVar[str] = "Sobol"

    width: int = 16
    dimension: int = 0
    start: int = 0
    scramble: int = 0

    def __post_init__(self) -> None:
        _int(self.NAME, "width", self.width, 1, 32)
        _int(self.NAME, "dimension", self.dimension, 0, len(SOBOL_POLYNOMIALS))
        hint = f" for width {self.width}"
        _int(self.NAME, "start", self.start, 0, (1 << self.width) - 1, hint)
        _int(self.NAME, "scramble", self.scramble, 0, (1 << self.width) - 1, hint)

    def direction_numbers(self) -> tuple[int, ...]:
        """Return ``V[0..width-1]``: the value XORed in when bit ``k`` of the index flips."""
        w = self.width
        if self.dimension == 0:
            return tuple(1 << (w - 1 - k) for k in range(w))
        s, a, m_init = SOBOL_POLYNOMIALS[self.dimension - 1]
        m = list(m_init)
        for k in range(s, w):
            mk = m[k - s] ^ (m[k - s] << s)
            for j in range(1, s):
                if (a >> (s - 1 - j)) & 1:
                    mk ^= m[k - j] << j
            m.append(mk)
        # m_k is an odd integer below 2**k (1-based k); scale it to the output width.
        return tuple(m[k] << (w - 1 - k) for k in range(w))

    def start_value(self) -> int:
        """Return the unscrambled point at index ``start``: XOR of ``V`` over its Gray-code bits."""
        gray, x = self.start ^ (self.start >> 1), 0
        for k, v in enumerate(self.direction_numbers()):
            if (gray >> k) & 1:
                x ^= v
        return x

    def identity(self) -> str:
        """Name the sequence (dimension, start, scramble): equal names mean correlated streams."""
        return f"sobol{self.width}:d{self.dimension}:{self.start:x}:{self.scramble:x}"

    def advanced(self, steps: int = 1) -> SobolParams:
        """Return these parameters with the start index moved ``steps`` along the sequence."""
        return replace(self, start=(self.start + steps) % (1 << self.width))
