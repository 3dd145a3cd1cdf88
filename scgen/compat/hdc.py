"""``sc_neurocore_engine.hdc``: ``from scgen.compat.hdc import HDCVector``."""

from ._hdc import HDCVector

__all__ = ["HDCVector"]
