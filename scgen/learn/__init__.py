"""Learning: surrogate gradients and differentiable SC layers."""

from .layers import DifferentiableDenseLayer, SurrogateLif
from .surrogate import (
    SURROGATES,
    Surrogate,
    arctan,
    fast_sigmoid,
    sigmoid,
    straight_through,
    superspike,
    surrogate,
    surrogate_derivative,
    triangular,
)

__all__ = [
    "SURROGATES",
    "DifferentiableDenseLayer",
    "Surrogate",
    "SurrogateLif",
    "arctan",
    "fast_sigmoid",
    "sigmoid",
    "straight_through",
    "superspike",
    "surrogate",
    "surrogate_derivative",
    "triangular",
]
