"""Multi-layer fixed-point spiking networks: params, hardware, bit-exact twin, runner."""

from .hw import SnnLayer, SnnNetwork
from .params import (
    DEVICES,
    Leak,
    Reset,
    SnnLayerParams,
    SnnParams,
    estimate,
    fit,
    from_dict,
    to_dict,
)
from .run import BACKENDS, drive, run
from .twin import SnnTrace, snn, snn_steps

__all__ = [
    # parameters
    "Leak",
    "Reset",
    "SnnLayerParams",
    "SnnParams",
    "DEVICES",
    "estimate",
    "fit",
    "from_dict",
    "to_dict",
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
