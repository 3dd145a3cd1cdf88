"""Fixed-point LIF neuron parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._common import Ordering, _enum, _int, _signed_range

__all__ = ["LifParams"]


@dataclass(frozen=True, kw_only=True)
class LifParams:
    """Fixed-point leaky integrate-and-fire neuron (SEED_BEHAVIOUR §4), default Q8.8.

    Parameters
    ----------
    data_width : int
        Width W of the membrane and of every input, 2 to 32; arithmetic wraps at W bits.
    fraction : int
        Fraction bits F, 0 to W - 1; products are shifted right (arithmetic) by F.
    v_rest, v_reset, v_threshold : int
        Resting value, value after a spike, firing threshold (signed W-bit, raw fixed point).
    refractory_period : int
        Steps without integration after a spike, 0 to ``2**32 - 1``; default 2 everywhere.
    ordering : Ordering or str
        ``"hardware"`` (refractory checked first; default) or ``"blueprint"``.
    diff_bits : int, optional
        Wrap ``v_rest - v`` to this many bits before the leak multiply. Default ``None``: exact
        (W + 1 bits), as the seed's HDL computes it. ``16`` reproduces sc-neurocore-engine, which
        keeps the difference in an i16 and so wraps it when it overflows 16 bits.
    """

    NAME: ClassVar[str] = "LIF"

    data_width: int = 16
    fraction: int = 8
    v_rest: int = 0
    v_reset: int = 0
    v_threshold: int = 256
    refractory_period: int = 2
    ordering: Ordering = Ordering.HARDWARE
    diff_bits: int | None = None

    def __post_init__(self) -> None:
        w = _int(self.NAME, "data_width", self.data_width, 2, 32)
        if self.diff_bits is not None:
            _int(self.NAME, "diff_bits", self.diff_bits, 2, 64)
        _int(self.NAME, "fraction", self.fraction, 0, w - 1, f" for data_width {w}")
        lo, hi = _signed_range(w)
        for name in ("v_rest", "v_reset", "v_threshold"):
            _int(self.NAME, name, getattr(self, name), lo, hi, f" for data_width {w}")
        _int(self.NAME, "refractory_period", self.refractory_period, 0, (1 << 32) - 1)
        object.__setattr__(self, "ordering", _enum(self.NAME, "ordering", self.ordering, Ordering))

    def blueprint(self) -> bool:
        """Return True for the blueprint ordering (the twin kernels take this flag)."""
        return self.ordering is Ordering.BLUEPRINT

    def kernel_config(self) -> tuple:
        """Return the constants of the twin's step function, in its argument order."""
        return (
            self.blueprint(),
            self.data_width,
            self.fraction,
            self.v_rest,
            self.v_reset,
            self.v_threshold,
            self.refractory_period,
            self.diff_width(),
        )

    def diff_width(self) -> int:
        """Return the width in which ``v_rest - v`` is kept (W + 1 bits is exact)."""
        exact = self.data_width + 1
        return exact if self.diff_bits is None else min(self.diff_bits, exact)

    @property
    def counter_width(self) -> int:
        """Width of the refractory counter."""
        return max(1, self.refractory_period.bit_length())
