"""Surrogate gradients: the derivative that stands in for a spike's step function.

A :class:`Surrogate` is a small immutable value (name and slope ``k``) with a ``derivative(x)``
at membrane offset ``x`` (membrane minus threshold, in units of one). It is usable from NumPy and,
through :attr:`Surrogate.code` and :func:`surrogate_derivative`, inside Numba kernels. Derivatives
are computed in float32 with the operation order of sc-neurocore-engine 3.15.7, so the seed's
four surrogates give its numbers bit for bit (SEED_BEHAVIOUR §6):

============================  ===========  ===============================================
name (aliases)                default k    derivative
============================  ===========  ===============================================
``fast_sigmoid``              25           ``1 / (2k (1 + k|x|)^2)``
``superspike``                100          ``1 / (1 + k|x|)^2``
(``super_spike``)
``arctan`` (``arc_tan``)      10           ``1 / (1 + (k x)^2)``  (no 1/pi factor)
``straight_through``          (unused)     ``1 if |x| < 0.5 else 0``
(``straightthrough``, ``ste``)
``sigmoid``                   25           ``k e / (1 + e)^2``, ``e = exp(-k|x|)``
``triangular``                1            ``max(0, 1 - k|x|)``
============================  ===========  ===============================================

Names are case-insensitive and ``-`` reads as ``_``. ``sigmoid`` and ``triangular`` are scgen's
(snnTorch offers both); the engine does not know them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..sw._jit import inline, kernel

__all__ = [
    "SURROGATES",
    "Surrogate",
    "arctan",
    "fast_sigmoid",
    "sigmoid",
    "straight_through",
    "superspike",
    "surrogate",
    "surrogate_derivative",
    "triangular",
]

# canonical name -> (kernel code, default k); the order is the order of the error message
SURROGATES: dict[str, tuple[int, float]] = {
    "fast_sigmoid": (0, 25.0),
    "superspike": (1, 100.0),
    "arctan": (2, 10.0),
    "straight_through": (3, 1.0),
    "sigmoid": (4, 25.0),
    "triangular": (5, 1.0),
}
_ALIASES = {
    "super_spike": "superspike",
    "arc_tan": "arctan",
    "straightthrough": "straight_through",
    "ste": "straight_through",
}
# the engine's four, in its message order
SEED_SURROGATES = ("fast_sigmoid", "superspike", "arctan", "straight_through")


def canonical_name(name: object, known: tuple[str, ...] = tuple(SURROGATES)) -> str | None:
    """Return the canonical surrogate name for ``name`` (case and '-' insensitive), or None."""
    if not isinstance(name, str):
        return None
    key = name.lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    return key if key in known else None


@inline
def surrogate_derivative(code, k, x):
    """Return the float32 derivative of surrogate ``code`` with slope ``k`` (float32) at ``x``.

    ``code`` is :attr:`Surrogate.code`; call this from Numba kernels.
    """
    one = np.float32(1.0)
    x = np.float32(x)
    if code == 0:
        a = one + k * abs(x)
        return one / (np.float32(2.0) * k * a * a)
    if code == 1:
        a = one + k * abs(x)
        return one / (a * a)
    if code == 2:
        kx = k * x
        return one / (one + kx * kx)
    if code == 3:
        return one if abs(x) < np.float32(0.5) else np.float32(0.0)
    if code == 4:
        e = np.float32(np.exp(-(k * abs(x))))  # symmetric form: no 1 - s cancellation
        d = one + e
        return k * e / (d * d)
    t = one - k * abs(x)
    return t if t > np.float32(0.0) else np.float32(0.0)


@kernel
def _derivative_kernel(code, k, x, out):
    for j in range(x.shape[0]):
        out[j] = surrogate_derivative(code, k, x[j])


@dataclass(frozen=True)
class Surrogate:
    """A surrogate gradient: ``name`` (canonical), slope ``k``; see the module docstring.

    Build one with :func:`surrogate` or the named factories (``fast_sigmoid(k=25)``, ...).
    Instances compare, hash and pickle by value.
    """

    NAME: ClassVar[str] = "Surrogate"

    name: str
    k: float

    def __post_init__(self) -> None:
        if canonical_name(self.name) != self.name:
            raise ValueError(
                f"Surrogate name must be one of {', '.join(SURROGATES)}, not {self.name!r}"
            )
        k = self.k
        if not isinstance(k, int | float | np.floating | np.integer) or isinstance(k, bool):
            raise TypeError(f"Surrogate k must be a number, not {k!r}")
        if not (math.isfinite(k) and k > 0):
            raise ValueError(f"Surrogate k must be a positive finite number, not {k!r}")
        object.__setattr__(self, "k", float(k))

    @classmethod
    def _unchecked(cls, name: str, k: float) -> Surrogate:
        """Build without checking ``k`` (the engine accepts any float; see scgen.compat)."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "name", name)
        object.__setattr__(obj, "k", float(k))
        return obj

    def __repr__(self) -> str:
        return f"Surrogate({self.name!r}, k={self.k!r})"

    @property
    def code(self) -> int:
        """Kernel code of this surrogate for :func:`surrogate_derivative`."""
        return SURROGATES[self.name][0]

    @property
    def k32(self) -> np.float32:
        """The slope as the float32 the derivative computes with."""
        return np.float32(self.k)

    def kernel_args(self) -> tuple[int, np.float32]:
        """Return ``(code, k)``: the first two arguments of :func:`surrogate_derivative`."""
        return self.code, self.k32

    def derivative(self, x: object) -> np.ndarray | float:
        """Return the derivative at ``x`` (a number or an array), computed in float32.

        A number gives a Python float; an array gives a float32 array of the same shape.
        """
        a = np.asarray(x, dtype=np.float32)
        out = np.empty(a.size, dtype=np.float32)
        _derivative_kernel(self.code, self.k32, np.ascontiguousarray(a.reshape(-1)), out)
        return float(out[0]) if a.ndim == 0 else out.reshape(a.shape)

    __call__ = derivative

    def primitive(self, x: object) -> np.ndarray:
        """Return (in float64) a function whose derivative is :meth:`derivative`.

        ``fast_sigmoid``: ``x / (2k (1 + k|x|))``; ``superspike``: ``x / (1 + k|x|)``;
        ``arctan``: ``arctan(k x) / k``; ``straight_through``: ``clip(x, -0.5, 0.5)``;
        ``sigmoid``: ``1 / (1 + exp(-k x))``; ``triangular``: the integral of the hat from 0.
        """
        x, k = np.asarray(x, dtype=np.float64), self.k
        if self.name == "fast_sigmoid":
            return x / (2 * k * (1 + k * np.abs(x)))
        if self.name == "superspike":
            return x / (1 + k * np.abs(x))
        if self.name == "arctan":
            return np.arctan(k * x) / k
        if self.name == "straight_through":
            return np.clip(x, -0.5, 0.5)
        if self.name == "sigmoid":
            return 1 / (1 + np.exp(-k * x))
        a = np.minimum(np.abs(x), 1 / k)
        return np.sign(x) * (a - k * a * a / 2)


def surrogate(name: str | Surrogate = "fast_sigmoid", k: float | None = None) -> Surrogate:
    """Return the surrogate called ``name`` (aliases allowed) with slope ``k`` (default: its own).

    An unknown name raises ``ValueError`` in the engine's words, listing scgen's names.
    """
    if isinstance(name, Surrogate):
        return name if k is None else Surrogate(name.name, k)
    canon = canonical_name(name)
    if canon is None:
        if not isinstance(name, str):
            raise TypeError(f"Surrogate name must be a string, not {name!r}")
        raise ValueError(f"Unknown surrogate '{name}'. Use one of: {', '.join(SURROGATES)}.")
    return Surrogate(canon, SURROGATES[canon][1] if k is None else k)


def fast_sigmoid(k: float = 25.0) -> Surrogate:
    """``1 / (2k (1 + k|x|)^2)`` (the engine's default surrogate)."""
    return Surrogate("fast_sigmoid", k)


def superspike(k: float = 100.0) -> Surrogate:
    """``1 / (1 + k|x|)^2`` (Zenke and Ganguli's SuperSpike)."""
    return Surrogate("superspike", k)


def arctan(k: float = 10.0) -> Surrogate:
    """``1 / (1 + (k x)^2)``."""
    return Surrogate("arctan", k)


def straight_through() -> Surrogate:
    """``1`` inside ``|x| < 0.5``, else ``0``."""
    return Surrogate("straight_through", 1.0)


def sigmoid(k: float = 25.0) -> Surrogate:
    """Derivative of the logistic ``1 / (1 + exp(-k x))``."""
    return Surrogate("sigmoid", k)


def triangular(k: float = 1.0) -> Surrogate:
    """``max(0, 1 - k|x|)``: a hat of half-width ``1 / k``."""
    return Surrogate("triangular", k)
