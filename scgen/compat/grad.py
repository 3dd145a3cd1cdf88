"""``sc_neurocore_engine.grad``: ``from scgen.compat.grad import SurrogateLif``."""

from ._grad import DifferentiableDenseLayer, SurrogateLif

__all__ = ["DifferentiableDenseLayer", "SurrogateLif"]
