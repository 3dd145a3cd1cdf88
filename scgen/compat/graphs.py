"""``sc_neurocore_engine.graphs``: ``from scgen.compat.graphs import StochasticGraphLayer``."""

from ._attention import StochasticGraphLayer

__all__ = ["StochasticGraphLayer"]
