"""Linear-feedback shift register parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ._common import LfsrForm, _enum, _int

__all__ = ["MAXIMAL_TAPS", "LfsrParams"]


# Exponents of a primitive polynomial x**n + ... + 1 for every width n (the constant term is
# implied). Width 16 is the seed's x^16 + x^14 + x^13 + x^11 + 1. tests/test_lfsr.py proves each
# entry primitive over GF(2) and brute-forces the period of both forms up to width 20.
MAXIMAL_TAPS: dict[int, tuple[int, ...]] = {
    2: (2, 1),
    3: (3, 2),
    4: (4, 3),
    5: (5, 3),
    6: (6, 5),
    7: (7, 6),
    8: (8, 6, 5, 4),
    9: (9, 5),
    10: (10, 7),
    11: (11, 9),
    12: (12, 6, 4, 1),
    13: (13, 4, 3, 1),
    14: (14, 5, 3, 1),
    15: (15, 14),
    16: (16, 14, 13, 11),
    17: (17, 14),
    18: (18, 11),
    19: (19, 6, 2, 1),
    20: (20, 17),
    21: (21, 19),
    22: (22, 21),
    23: (23, 18),
    24: (24, 23, 22, 17),
    25: (25, 22),
    26: (26, 6, 2, 1),
    27: (27, 5, 2, 1),
    28: (28, 25),
    29: (29, 27),
    30: (30, 6, 4, 1),
    31: (31, 28),
    32: (32, 22, 2, 1),
}


@dataclass(frozen=True, kw_only=True)
class LfsrParams:
    """Linear-feedback shift register.

    Parameters
    ----------
    width : int
        Register width in bits, 2 to 32.
    seed : int
        State after reset; non-zero and below ``2**width``.
    form : LfsrForm or str
        ``"fibonacci"`` (default, the seed's form) or ``"galois"``.
    taps : tuple of int, optional
        Exponents of the feedback polynomial without the constant term, e.g. ``(16, 14, 13, 11)``
        for x^16 + x^14 + x^13 + x^11 + 1; must contain ``width``. Default: the maximal-length
        polynomial of :data:`MAXIMAL_TAPS`.

    The default is the seed's 16-bit LFSR seeded 0xACE1 (0x59C3, 0xB387, ...; period 65535).
    """

    NAME: ClassVar[str] = "LFSR"

    width: int = 16
    seed: int = 0xACE1
    form: LfsrForm = LfsrForm.FIBONACCI
    taps: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", _int(self.NAME, "width", self.width, 2, 32))
        hint = f" for width {self.width}"
        object.__setattr__(
            self, "seed", _int(self.NAME, "seed", self.seed, 0, (1 << self.width) - 1, hint)
        )
        if self.seed == 0:
            raise ValueError(
                f"{self.NAME} seed must be non-zero, not 0; a zero state locks the LFSR"
            )
        object.__setattr__(self, "form", _enum(self.NAME, "form", self.form, LfsrForm))
        if self.taps is not None:
            if not isinstance(self.taps, tuple | list) or not all(
                isinstance(e, int) and not isinstance(e, bool) for e in self.taps
            ):
                raise TypeError(f"{self.NAME} taps must be a tuple of integers, not {self.taps!r}")
            taps = tuple(sorted(set(self.taps), reverse=True))
            if not taps or len(taps) != len(self.taps) or taps[0] != self.width or taps[-1] < 1:
                raise ValueError(
                    f"{self.NAME} taps must be distinct exponents between 1 and the width "
                    f"{self.width}, including {self.width}, not {self.taps!r}"
                )
            object.__setattr__(self, "taps", taps)

    @property
    def exponents(self) -> tuple[int, ...]:
        """Exponents of the feedback polynomial (without the constant term), highest first."""
        return self.taps if self.taps is not None else MAXIMAL_TAPS[self.width]

    @property
    def maximal(self) -> bool:
        """True when the polynomial is the built-in maximal-length one (period ``2**width - 1``)."""
        return self.taps is None or self.taps == MAXIMAL_TAPS[self.width]

    def taps_mask(self) -> int:
        """Return the feedback mask: bit ``e - 1`` set for every exponent ``e``."""
        mask = 0
        for e in self.exponents:
            mask |= 1 << (e - 1)
        return mask

    def galois(self) -> bool:
        """Return True for the Galois form (the twin kernels take this flag)."""
        return self.form is LfsrForm.GALOIS

    def step(self, state: int) -> int:
        """Return the state after one step from ``state`` (plain Python, for derived seeds)."""
        mask, full = self.taps_mask(), (1 << self.width) - 1
        if self.form is LfsrForm.GALOIS:
            return (state >> 1) ^ (mask if state & 1 else 0)
        return ((state << 1) | (bin(state & mask).count("1") & 1)) & full

    def identity(self) -> str:
        """Name the sequence (form, polynomial, seed): equal names mean correlated streams."""
        return f"lfsr{self.width}:{self.form.value}:{self.taps_mask():x}:{self.seed:x}"

    def advanced(self, steps: int = 1) -> LfsrParams:
        """Return these parameters with the seed moved ``steps`` steps along the sequence."""
        state = self.seed
        for _ in range(steps):
            state = self.step(state)
        return replace(self, seed=state)
