"""``sc_neurocore_engine.attention``: ``from scgen.compat.attention import StochasticAttention``."""

from ._attention import StochasticAttention

__all__ = ["StochasticAttention"]
