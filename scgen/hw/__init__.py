"""Amaranth components: one :class:`wiring.Component` per primitive, built from its params."""

from .cordiv import Cordiv
from .counter import Counter
from .dense import Dense
from .encoder import Encoder
from .hdc import AssocQuery, Bind, Bundle, Hamming, Permute
from .jkdiv import JkDiv
from .kuramoto import Kuramoto
from .lfsr import Lfsr
from .lif import Lif
from .logic import AddMux, MulAnd, MulXnor
from .snn import SnnNetwork
from .sobol import Sobol
from .uart import UartRx, UartTx

__all__ = [
    # sources
    "Lfsr",
    "Sobol",
    # encoder
    "Encoder",
    # bitstream arithmetic
    "AddMux",
    "MulAnd",
    "MulXnor",
    "Cordiv",
    "JkDiv",
    # counter
    "Counter",
    # neuron
    "Lif",
    "Dense",
    # spiking network
    "SnnNetwork",
    # host link
    "UartRx",
    "UartTx",
    # oscillator network
    "Kuramoto",
    # hyperdimensional computing
    "AssocQuery",
    "Bind",
    "Bundle",
    "Hamming",
    "Permute",
]
