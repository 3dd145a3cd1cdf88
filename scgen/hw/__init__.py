"""Amaranth components: one :class:`wiring.Component` per primitive, built from its params."""

from .counter import Counter
from .encoder import Encoder
from .hdc import AssocQuery, Bind, Bundle, Hamming, Permute
from .lfsr import Lfsr
from .lif import Lif
from .logic import AddMux, MulAnd, MulXnor
from .sobol import Sobol

__all__ = [
    # sources
    "Lfsr", "Sobol",
    # encoder
    "Encoder",
    # bitstream arithmetic
    "AddMux", "MulAnd", "MulXnor",
    # counter
    "Counter",
    # neuron
    "Lif",
    # hyperdimensional computing
    "AssocQuery", "Bind", "Bundle", "Hamming", "Permute",
]
