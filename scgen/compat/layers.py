"""``sc_neurocore_engine.layers``: ``from scgen.compat.layers import VectorizedSCLayer``."""

from ._bridge import VectorizedSCLayer

__all__ = ["VectorizedSCLayer"]
