"""``sc_neurocore_engine.scpn``: ``from scgen.compat.scpn import KuramotoSolver``."""

from ._kuramoto import KuramotoSolver

__all__ = ["KuramotoSolver"]
