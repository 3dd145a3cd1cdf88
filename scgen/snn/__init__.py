"""Multi-layer fixed-point spiking networks: params, hardware, bit-exact twin, runner."""

from ..hw.snn import SnnLayer, SnnNetwork
from ..params.snn import (
    DEVICES,
    Leak,
    Neuron,
    Reset,
    SnnLayerParams,
    SnnParams,
    Synapse,
    estimate,
    fit,
    from_dict,
    to_dict,
)
from ..sw.snn import SnnTrace, snn, snn_steps
from .cli import network_graph
from .run import BACKENDS, drive, run

__all__ = [
    # parameters
    "Leak",
    "Neuron",
    "Reset",
    "SnnLayerParams",
    "SnnParams",
    "Synapse",
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
    # as an IR graph
    "network_graph",
]
