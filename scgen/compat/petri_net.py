"""``sc_neurocore_engine.petri_net``: ``from scgen.compat.petri_net import PetriNetEngine``."""

from ._petri import PetriNetEngine

__all__ = ["PetriNetEngine"]
