"""Multi-layer fixed-point spiking networks: params, hardware, bit-exact twin, runner."""

from .hw import SnnLayer, SnnNetwork
from .params import Leak, Reset, SnnLayerParams, SnnParams
from .run import BACKENDS, drive, run
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
    # runner
    "BACKENDS",
    "drive",
    "run",
]
