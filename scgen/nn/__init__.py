"""User-level layers that own weights and run on the software twin."""

from .attention import StochasticAttention
from .dense import DenseLayer
from .graph import StochasticGraphLayer
from .kuramoto import KuramotoSolver
from .scpn import SCPNMetrics

__all__ = [
    "DenseLayer",
    "KuramotoSolver",
    "SCPNMetrics",
    "StochasticAttention",
    "StochasticGraphLayer",
]
