"""``sc_neurocore_engine.neurons``: ``from scgen.compat.neurons import FixedPointLIFNeuron``."""

from ._bridge import FixedPointLIFNeuron

__all__ = ["FixedPointLIFNeuron"]
