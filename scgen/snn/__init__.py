"""Multi-layer fixed-point spiking networks: params, hardware, bit-exact twin, runner."""

from .hw import SnnLayer, SnnNetwork
from .params import Leak, Reset, SnnLayerParams, SnnParams
from .twin import SnnTrace, snn, snn_steps

__all__ = [
    # parameters
    "Leak",
    "Reset",
    "SnnLayerParams",
    "SnnParams",
    # hardware
    "SnnLayer",
    "SnnNetwork",
    # twin
    "SnnTrace",
    "snn",
    "snn_steps",
]
