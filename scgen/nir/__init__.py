"""NIR (neuromorphic intermediate representation) in and out; needs the ``nir`` extra.

``read(path, dt=...)`` gives a float :class:`Network` (NIR semantics, forward Euler),
``simulate`` runs it, ``quantize`` turns it into a fixed-point :class:`scgen.snn.SnnParams`
with a report, ``write`` writes a network back. ``lower`` turns convolutions and pooling
into the dense projections the fixed-point twin and hardware run.
"""

from .io import read, write
from .lower import lower
from .network import Network, NIRImportError, Node, simulate
from .quantize import QuantReport, dequantize, quantize

__all__ = [
    "NIRImportError",
    "Network",
    "Node",
    "QuantReport",
    "dequantize",
    "lower",
    "quantize",
    "read",
    "simulate",
    "write",
]
