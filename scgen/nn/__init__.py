"""User-level layers that own weights and run on the software twin."""

from .dense import DenseLayer
from .kuramoto import KuramotoSolver
from .scpn import SCPNMetrics

__all__ = ["DenseLayer", "KuramotoSolver", "SCPNMetrics"]
